"""The encodings that make ``anywhere`` fast give the verdicts the docs define.

Four choices of the encoding (ARCHITECTURE.md, "anywhere"): a choice with a constant
alignment is made a multiple of it (no ``mod`` for the solver); a valid start is
above and below each bound apart (no ``max``); a lone placement's first fit, the
formula of whether it finds room, is built only when a query reads that event's
findings; rounding a term that is already a multiple is the term itself. And the
batch asks a long path's obligations each in a scope of its own. Each model below
is decided by the engine, by enumerating every input (choices over the whole
address space, unaligned ones included) and by the reference interpreter; and
deciding a model's obligations together must give what deciding each alone gives.
"""

from __future__ import annotations

import pytest
import z3
from helpers import decided_alone, load_text

from bootspec.engine import batch as batch_mod
from bootspec.engine.check import ModelChecker
from bootspec.engine.terms import ceil_to, conj, floor_to, multiple_of
from bootspec.oracle import soak

# a chain of aligned choices (sizes multiples of the alignment: no rounding left),
# the second above the first; one more that avoids both, or stays empty
ALIGNED = """model m
  width 8
param n in {16, 32, 48, 64}
stage s
  place a size 64 anywhere within [0, 192) align 32
  place b size n anywhere within [0, 192) align 16 above a.end
proof tight
  for m expect violated
  at end below(b, 160)
proof apart
  for m expect holds
  at end disjoint(a, b)
"""

# an obstacle whose end is not a multiple of the next alignment (rounding kept),
# and an optional placement whose room depends on the first choice
ROUNDED = """model m
  width 8
param n in [8, 40] align 8
stage s
  place a size n anywhere within [0, 96) align 16
  place x size 32 anywhere within [0, 96) align 32 avoid a else none
proof placed
  for m expect violated
  at end x.size != 0
proof low
  for m expect violated
  at end below(x, 32)
"""

# a lone placement that finds no room for some inputs, after other findings' points
LATE = """model m
  width 8
param lo in {0, 64, 128, 192}
var k = 0
stage s
  place a size 64 anywhere within [0, 256) align 64
  set k = k + 1
  set k = k + 2
  place b size 64 anywhere within [lo, 256) align 64 avoid a
  set k = k + 3
proof small
  for m expect holds
  always k <= 6
proof under
  for m expect violated
  at end b.start < 192
"""

MODELS = {"aligned": (ALIGNED, 3), "rounded": (ROUNDED, 3), "late": (LATE, 3)}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_agrees_with_both_oracles(name: str) -> None:
    text, count = MODELS[name]
    obligations, bad, _, messages = soak.compare(text)
    assert obligations == count  # every one decided by both oracles, none too large
    assert bad == 0, messages


@pytest.mark.parametrize("pointwise", [64, 0])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_deciding_together_is_deciding_alone(name: str, pointwise: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Also with every path asked point by point, each obligation in a scope of its own
    (POINTWISE = 0), as a path of more than 64 points is."""
    monkeypatch.setattr(batch_mod, "POINTWISE", pointwise)
    project = load_text(MODELS[name][0])
    items = [(ob, project.proof_of(ob)) for ob in project.obligations()]
    checker = ModelChecker(project.models["m"], project.paths["m"], fast=False)
    together = checker.decide_all(items)
    for (ob, _), (v, _) in zip(items, together, strict=True):
        assert (v.status, v.reason, v.counterexample) == decided_alone(project, ob, False)


def test_the_late_placement_that_finds_no_room_is_a_finding() -> None:
    """b's room is only known when its event's findings are read (the first fit is
    built then): with lo = 192 and a at 192 there is none, and wellformed says so at
    b's line, the smallest inputs first."""
    project = load_text(LATE)
    ob = next(o for o in project.obligations() if o.name == "wellformed")
    v = ModelChecker(project.models["m"], project.paths["m"], fast=False).decide(ob)
    assert v.status == "violated" and v.counterexample is not None
    assert v.counterexample.span is not None and v.counterexample.span.line == 9
    assert dict(v.counterexample.params)["lo"] == "192"


def _divisor_by_the_api(x: z3.ExprRef) -> int:
    """A known divisor of x by its shape, through z3's Python objects (what
    multiple_of computes through the C API), without a budget."""
    import math
    if z3.is_int_value(x):
        return abs(x.as_long())
    kind = x.decl().kind() if z3.is_app(x) else None
    if kind in (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_UMINUS, z3.Z3_OP_ITE):
        parts = x.children()[1:] if kind == z3.Z3_OP_ITE else x.children()
        return math.gcd(*(_divisor_by_the_api(c) for c in parts))
    if kind == z3.Z3_OP_MUL:
        return math.prod(_divisor_by_the_api(c) for c in x.children())
    return 1


def test_multiple_of_agrees_with_the_shape_read_through_python_objects() -> None:
    import random
    rng = random.Random(7)
    xs = z3.Ints("x y z")
    p = z3.Bool("p")

    def term(depth: int) -> z3.ArithRef:
        r = rng.random()
        if depth == 0 or r < 0.25:
            return rng.choice([z3.IntVal(rng.choice([0, 1, 2, 4, 6, 8, 12, 16, 24, 48, -16])),
                               rng.choice(xs)])
        a, b = term(depth - 1), term(depth - 1)
        return rng.choice([a + b, a - b, a * b, -a, z3.If(p, a, b), a % 16])

    for _ in range(400):
        t = term(4)
        for n in (1, 2, 4, 8, 16, 3):
            want = _divisor_by_the_api(t) % n == 0
            assert multiple_of(t, z3.IntVal(n), budget=10_000) == want, (t, n)


def test_multiple_of_reads_the_shape_of_a_term() -> None:
    k, j, p = z3.Ints("k j p")
    assert multiple_of(32 * k + 64, z3.IntVal(16))
    assert multiple_of(z3.If(p > 0, 16 * k, 48 * j) - 32, z3.IntVal(16))
    assert multiple_of(k * 4 * 8, z3.IntVal(32))  # the numbers' product is one
    assert not multiple_of(32 * k + 8, z3.IntVal(16))
    assert not multiple_of(k + j, z3.IntVal(16))  # variables: not known to be
    assert not multiple_of(16 * k, z3.IntVal(0))  # no positive alignment: never
    assert not multiple_of(16 * k, p)
    deep = 16 * k
    for _ in range(100):
        deep = deep + 16
    assert not multiple_of(deep, z3.IntVal(16))  # past its budget: not known
    # rounding keeps its value, with or without the shortcut
    s = z3.Solver()
    for x in (32 * k + 64, 32 * k + 8):
        s.push()
        s.add(z3.Or(floor_to(x, z3.IntVal(16)) != x - x % 16,
                    ceil_to(x, z3.IntVal(16)) != (x + 15) - (x + 15) % 16))
        assert s.check() == z3.unsat
        s.pop()


def test_conj_is_the_term_z3_and_makes() -> None:
    """A placement's constraints are joined through the C API: the very term z3.And
    makes (Z3's search depends on the terms it is given, not only their meaning)."""
    c, d = z3.Ints("c d")
    cases: list[list[z3.BoolRef]] = [
        [], [c >= 0], [c >= 0, c <= 10, z3.BoolVal(True)],
        [z3.Not(z3.And(c < d, d < c + 16)) for _ in range(3)] + [c % 16 == 0],
    ]
    for xs in cases:
        got, want = conj(xs), z3.And(xs)
        assert got.eq(want) and got.get_id() == want.get_id(), (xs, got, want)
