"""Verdicts are decided by Z3's deterministic resource limit, never by the machine's speed.

An 8-bit model with a 9-entry symbolic map once stayed "unknown" on the wall-clock
backstop while the same model with 4 entries held at once. Three causes, each pinned
here: a constant written as an expression (``~15`` is ``255 - 15`` once encoded) was
not seen as a constant, so ``x & ~15`` went through 66-bit vectors (int2bv, which Z3
decides slowly and without spending its resource count); Z3 says "canceled" for both
of its limits, and that was reported as the wall clock; and the search for a
vacuity's cause minimised its core over every labelled constraint of the map.
"""

from __future__ import annotations

import z3
from helpers import load_text

from bootspec.engine import solver as S
from bootspec.engine.check import ModelChecker
from bootspec.engine.encode import encode_path
from bootspec.engine.terms import num
from bootspec.engine.verdicts import NOT_SMALLEST

# r1 is placed top-down among usable entries avoiding g0, which is reserved first;
# r2 bottom-up among usable entries avoiding r1 (docs/language.md, "Placements"). So
# r1 and r2 are disjoint, r1 avoids g0 and lies in usable RAM by the placement rules,
# whatever the map holds: 'apart' holds for every number of entries.
NINE = """model nine
  width 8
param a in [0, 128] align 16
param b in [1, 48]
map mm : e820 symbolic {n} types {{usable, reserved}} within [0, 256) align 16
region g0 = [a, a + 16)
stage s0
  reserve g0 in mm as reserved
  place r1 size (b + 15) & ~15 topdown in mm types {{usable}} avoid g0
  place r2 size 16 bottomup in mm types {{usable}} avoid r1
proof apart
  for nine expect holds
  always disjoint(r1, r2) and disjoint(r1, g0) and within(r1, mm types {{usable}})
"""

# no wall clock at all: only the resource limit can stop a query
NO_CLOCK = S.Limits(timeout_ms=2**31 - 1)


def verdicts(text: str, limits: S.Limits) -> dict[str, str]:
    p = load_text(text)
    out = {}
    for ob in p.obligations():
        c = ModelChecker(p.models[ob.model], p.paths[ob.model], limits=limits, fast=False)
        v = c.decide(ob, p.proof_of(ob))
        out[ob.name] = v.status if v.status != "unknown" else f"unknown: {v.reason}"
    return out


def test_nine_entries_decide_like_four_on_the_resource_limit_alone() -> None:
    four = verdicts(NINE.format(n=4), NO_CLOCK)
    nine = verdicts(NINE.format(n=9), NO_CLOCK)
    assert four["apart"] == "holds"
    assert nine == four


def test_a_constant_written_as_arithmetic_is_a_constant() -> None:
    assert num(z3.IntVal(255) - 15) == 240
    assert num((z3.IntVal(3) * 5) % 4) == 3
    assert num(z3.Int("x") + 1) is None
    p = load_text(NINE.format(n=2))
    m = p.models["nine"]
    enc = encode_path(m, p.paths["nine"][0])
    text = " ".join(lab.term.sexpr() for cs in [enc.base, *enc.constraints] for lab in cs)
    assert "int_to_bv" not in text  # '& ~15' cut out linearly, not through bit-vectors


def test_a_query_stopped_by_the_resource_limit_says_so() -> None:
    x, y, z = z3.Ints("x y z")
    s = S.make_solver(S.Limits())
    s.add(x * x * x + y * y * y == z * z * z + 33, x > 1, y > 1, z > 1)
    S.set_rlimit(s, 20_000)  # as minimisation probes do: a smaller budget than the solver's
    out = S.check(s)
    assert out.status == "unknown"
    assert out.reason == "resource limit reached (rlimit 20000)"
    assert out.used >= 20_000


def test_a_probe_without_budget_leaves_the_search_incomplete() -> None:
    x = z3.Int("x")
    s = S.make_solver(S.Limits())
    s.add(x >= 64, x <= 192, x % 16 == 0)
    out = S.check(s, x == 128)
    assert out.status == "sat" and out.model is not None
    done, complete = S.lexmin(s, [], [S.Objective(x, 0, 16)], out.model, S.Limits())
    assert complete and S.model_value(done, x) == 64
    starved, complete = S.lexmin(s, [], [S.Objective(x, 0, 16)], out.model,
                                 S.Limits(rlimit=1))
    assert not complete and S.model_value(starved, x) >= 64


def test_a_total_budget_stops_the_search_unfinished() -> None:
    # the batch's minimisation: the probes together may spend so many units, then the
    # obligation is decided alone (batch.MINIMIZE); the answer is never a wrong one
    x, y = z3.Ints("x y")
    s = S.make_solver(S.Limits())
    s.add(x >= 0, x <= 1 << 20, y >= 0, y <= 1 << 20, x + y >= 1000)
    out = S.check(s, x == 1 << 20, y == 1 << 20)
    assert out.status == "sat" and out.model is not None
    objs = [S.Objective(x, 0, 1), S.Objective(y, 0, 1)]
    done, complete = S.lexmin(s, [], objs, out.model, S.Limits(), budget=10_000_000)
    assert complete and (S.model_value(done, x), S.model_value(done, y)) == (0, 1000)
    cut, complete = S.lexmin(s, [], objs, out.model, S.Limits(), budget=0)
    assert not complete
    assert S.model_value(cut, x) + S.model_value(cut, y) >= 1000  # still a model


LOW_MANY = """model m
  width 32
param a in [0, 0x100000]
stage s
  place r size 16 at a
proof low
  for m expect holds
  always r.end <= 64
"""

LOW = """model m
  width 8
param a in [0, 192] align 16
stage s
  place r size 16 at a
proof low
  for m expect holds
  always r.end <= 64
"""


def test_a_counterexample_not_minimised_says_so(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # r.end <= 64 fails for a >= 49: the smallest counterexample is a = 49. When the
    # search stops early, the failure shown is real but the verdict says it may not be
    # the smallest (docs/language.md, "Verdicts")
    from bootspec.engine import check as C

    p = load_text(LOW_MANY)  # 2^20 values of a: not enumerable
    ob = next(o for o in p.obligations() if o.name == "low")
    full = ModelChecker(p.models["m"], p.paths["m"], fast=False).decide(ob, p.proof_of(ob))
    assert full.status == "violated" and full.reason == ""
    assert dict(full.counterexample.inputs)["p:a"] == 49  # type: ignore[union-attr]
    monkeypatch.setattr(C, "lexmin", lambda solver, a, o, model, *rest, **kw: (model, False))
    starved = ModelChecker(p.models["m"], p.paths["m"], fast=False).decide(ob, p.proof_of(ob))
    assert starved.status == "violated" and starved.reason == NOT_SMALLEST
    assert dict(starved.counterexample.inputs)["p:a"] >= 49  # type: ignore[union-attr]


def test_a_search_cut_short_on_an_enumerable_model_enumerates(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # with few parameter values, a minimisation that gives up is settled by running
    # every configuration: the canonical counterexample, not 'a smaller one may exist'
    from bootspec.engine import check as C

    p = load_text(LOW)
    ob = next(o for o in p.obligations() if o.name == "low")
    monkeypatch.setattr(C, "lexmin", lambda solver, a, o, model, *rest, **kw: (model, False))
    v = ModelChecker(p.models["m"], p.paths["m"], fast=False).decide(ob, p.proof_of(ob))
    assert v.status == "violated" and v.reason != NOT_SMALLEST
    assert dict(v.counterexample.inputs)["p:a"] == 64  # type: ignore[union-attr]


def test_a_probe_that_gives_up_with_a_start_hint_enumerates_from_the_hint(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # feasible (p, q): (0, 2) and (1, 0); the query's model is (1, 0), a known run
    # (the hint) is (0, 2), and every bound on q gives up: the parameters' tuples are
    # tried up to the hint's, not the model's, and the search completes at (0, 2)
    import z3

    from bootspec.engine import solver as S
    real = S.check

    def giving_up_on_q(solver, *a, **k):  # type: ignore[no-untyped-def]
        if any(str(x).startswith("q <=") for x in a):
            return S.Outcome("unknown", "made to give up")
        return real(solver, *a, **k)

    monkeypatch.setattr(S, "check", giving_up_on_q)
    p, q = z3.Int("p"), z3.Int("q")
    s = z3.Solver()
    s.add(z3.Or(p == 0, p == 1), z3.Or(q == 0, q == 1, q == 2))
    s.add(z3.Or(z3.And(p == 0, q == 2), z3.And(p == 1, q == 0)))
    s.push()
    s.add(p == 1)
    s.check()
    model = s.model()
    s.pop()
    obs = [S.Objective(p, values=(0, 1), domain=(0, 1)),
           S.Objective(q, values=(0, 1, 2), domain=(0, 1, 2))]
    m, complete = S.lexmin(s, [], obs, model, S.Limits(), start=[0, 2])
    assert complete and [S.model_value(m, o.term) for o in obs] == [0, 2]


def test_the_units_a_query_spent_are_z3s_rlimit_count() -> None:
    """A query's ``used`` (which sets the budget of the probes after it) is Z3's own
    "rlimit count", read in one pass through the C API: the same number z3py's
    Statistics gives, before any query and after each."""
    import random

    def z3py(solver: z3.Solver) -> int:
        stats = solver.statistics()
        return int(stats.get_key_value("rlimit count")) if "rlimit count" in stats.keys() else 0  # noqa: SIM118

    s = S.make_solver(S.Limits())
    assert S._spent(s) == z3py(s)
    xs = z3.Ints("a b c d")
    rnd = random.Random(7)
    total = 0
    for _ in range(12):
        s.add(xs[rnd.randrange(4)] * xs[rnd.randrange(4)] > rnd.randrange(100) - xs[rnd.randrange(4)])
        out = S.check(s)
        total += out.used
        assert S._spent(s) == z3py(s) and out.used > 0
    assert total <= S._spent(s)
