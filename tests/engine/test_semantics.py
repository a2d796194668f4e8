"""Targeted semantics at real widths: NOTE(ranges), verdicts, cores, determinism."""

from __future__ import annotations

import pytest
from helpers import load_text

from bootspec.diagnostics import InternalError
from bootspec.engine import concrete
from bootspec.engine.check import ModelChecker, Verdict
from bootspec.engine.solver import Limits

HEAD = "model m\n  width 32\n"


def decide(text: str, name: str, limits: Limits | None = None, core: bool = False) -> Verdict:
    p = load_text(text)
    ob = next(o for o in p.obligations() if o.name == name)
    checker = ModelChecker(p.models[ob.model], p.paths[ob.model], limits)
    return checker.decide(ob, p.proof_of(ob), want_core=core)


def test_end_may_equal_two_to_the_width() -> None:
    v = decide(HEAD + "stage s\n  place fw = [0xFFF00000, 4GiB)\n", "wellformed")
    assert v.status == "holds"


def test_region_past_the_top_is_a_finding() -> None:
    v = decide(HEAD + "param sz in {1MiB, 2MiB}\nstage s\n  place fw size sz at 0xFFF00000\n",
               "wellformed")
    assert v.status == "violated"
    assert v.counterexample is not None
    assert dict(v.counterexample.params)["sz"] == "0x200000"
    assert any("leaves the 32-bit address space" in f for f in v.counterexample.findings)


def test_subtraction_below_zero_is_a_wrap_not_modular() -> None:
    text = HEAD + "param a in [0, 8KiB]\nstage s\n  place x size 4KiB at a - 4KiB\n"
    v = decide(text, "wellformed")
    assert v.status == "violated"
    assert any("'-' gives" in f for f in v.counterexample.findings)  # type: ignore[union-attr]
    fixed = text.replace("[0, 8KiB]", "[4KiB, 8KiB]")
    assert decide(fixed, "wellformed").status == "holds"


def test_topdown_is_a_function_of_the_layout() -> None:
    text = HEAD + """region hole = [0xFC100000, 0xFE000000)
stage s
  place a size 4KiB topdown within hole align 4KiB
  place b size 4KiB topdown within hole align 4KiB avoid a
proof first
  for m expect holds
  always equal(a.start, 0xFDFFF000) and equal(b.start, 0xFDFFE000)
"""
    assert decide(text, "first").status == "holds"


def test_else_falls_back_when_nothing_fits() -> None:
    text = HEAD + """param big : bool
stage s
  place a size if big then 2MiB else 4KiB topdown below 1MiB else at 0x100000
proof fallback
  for m expect holds
  always (big implies equal(a.start, 0x100000)) and (not big implies below(a, 1MiB))
"""
    assert decide(text, "fallback").status == "holds"


def test_failed_placement_stops_the_path_and_is_reported() -> None:
    text = HEAD + "stage s\n  place a size 2MiB topdown below 1MiB\n"
    v = decide(text, "wellformed")
    assert v.status == "violated"
    assert v.counterexample is not None and "no placement fits" in v.counterexample.findings[0]


def test_contradictory_assumptions_are_vacuous() -> None:
    text = HEAD + """param a in [0, 10]
assume a > 20
stage s
  place x size 1 at a
proof p
  for m expect holds
  always below(x, 100)
"""
    v = decide(text, "p")
    assert v.status == "vacuous"
    assert "the assumption on line 4 is never true" in v.reason, v.reason
    assert "domains of a" in v.reason, v.reason


def test_unreached_scope_is_vacuous() -> None:
    text = HEAD + """param boot : enum {bios, efi}
stage entry
stage efi after entry when boot == efi and boot == bios
  place x size 1 at 0
proof p
  for m expect holds
  always below(x, 100)
"""
    assert decide(text, "p").status == "vacuous"


def test_resource_limit_is_unknown_never_holds() -> None:
    text = HEAD + """param a in [0, 0xFFFFF000] align 4KiB
param b in [0, 0xFFFFF000] align 4KiB
stage s
  place x size 4KiB anywhere align 4KiB avoid all
  place y size 8KiB topdown align 4KiB avoid x
proof p
  for m expect holds
  always disjoint(x, y)
"""
    v = decide(text, "p", Limits(rlimit=1, timeout_ms=60_000))
    assert v.status == "unknown"
    assert "resource" in v.reason or "rlimit" in v.reason
    assert decide(text, "p").status == "holds"


def test_unsat_core_maps_back_to_lines() -> None:
    text = HEAD + """param a in [0, 1GiB] align 4KiB
assume a <= 512MiB
stage s
  place x size 4KiB at a
proof p
  for m expect holds
  always below(x, 1GiB)
"""
    v = decide(text, "p", core=True)
    assert v.status == "holds"
    lines = {span.line for _, span in v.core}
    assert 4 in lines  # the assume (line 4) is what the proof needs


def test_concrete_fast_path_agrees_with_the_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    import bootspec.engine.check as check_mod
    text = HEAD + """param fd in {1MiB, 2MiB, 4MiB}
param late : bool
stage s
  place ovmf size fd at 4GiB - fd
  place si size 4KiB at if late then 0xFDFFF000 else 0xFFFFF000
proof p
  for m expect violated
  always disjoint(ovmf, si)
"""
    fast = decide(text, "p")
    assert "evaluation" in fast.reason
    monkeypatch.setattr(check_mod, "FAST_COMBOS", 0)
    slow = decide(text, "p")
    assert "evaluation" not in slow.reason
    assert (fast.status, fast.counterexample.params) == (  # type: ignore[union-attr]
        slow.status, slow.counterexample.params)  # type: ignore[union-attr]


def test_same_input_same_counterexample() -> None:
    text = HEAD + """param ebda in [0x40000, 0xA0000) align 1KiB
param sz in [4KiB, 1MiB] align 4KiB
stage s
  place t size sz anywhere below 1MiB align 4KiB
proof p
  for m expect violated
  always below(t, ebda)
"""
    first = decide(text, "p").counterexample
    for _ in range(3):
        assert decide(text, "p").counterexample == first


def test_paths_share_later_stages_and_early_ends() -> None:
    text = HEAD + """param boot : enum {bios, efi, pvh}
stage bios when boot == bios
stage efi when boot == efi
stage pvh when boot == pvh
stage common after bios, efi, pvh
stage kexec after common when boot != pvh
"""
    p = load_text(text)
    labels = [path.label for path in p.paths["m"]]
    assert labels == ["bios > common", "bios > common > kexec", "efi > common",
                      "efi > common > kexec", "pvh > common", "pvh > common > kexec"]


def test_a_counterexample_that_does_not_recheck_is_an_internal_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = HEAD + """param base in [0, 1GiB] align 4KiB
stage s
  place a size 8KiB at base
  place b size 4KiB at base + 4KiB
proof p
  for m expect violated
  always disjoint(a, b)
"""
    monkeypatch.setattr(concrete.Evaluator, "prop", lambda self, e, st: True)
    with pytest.raises(InternalError):
        decide(text, "p")


def test_sixty_four_bit_width() -> None:
    text = """model m
  width 64
param base in [4GiB, 0xFFFFFFFF00000000] align 2MiB
stage s
  place img size 16MiB at base
proof p
  for m expect violated
  always below(img, 1 << 32)
"""
    assert decide(text, "p").status == "violated"
    ok = text.replace("always below(img, 1 << 32)", "always above(img, 4GiB) and below(img, 1 << 64)")
    assert decide(ok, "p").status == "holds"


def test_counterexample_does_not_depend_on_what_was_solved_before() -> None:
    text = HEAD + """param sz in [4KiB, 64KiB] align 4KiB
map fw : efi symbolic 4 types {conventional, bs_code, bs_data} align 4KiB
stage s
  place x size sz topdown below 1MiB align 4KiB
proof a
  for m expect violated
  always below(x, 512KiB)
proof b
  for m expect violated
  always disjoint(x, fw types {bs_code, bs_data})
"""
    alone = decide(text, "b").counterexample
    decide(text, "a")
    decide(text, "a")
    assert decide(text, "b").counterexample == alone


ALLOC_IN_MAP = """model alloc
  width 64
param sz in [4KiB, 64KiB] align 4KiB
map fw : efi symbolic 64 types {conventional, bs_code, bs_data} align 4KiB
stage s
  place x size sz topdown in fw types {conventional} below 1MiB align 4KiB else none
proof in_free
  for alloc expect holds
  always within(x, fw types {conventional})
proof not_boot_services
  for alloc expect holds
  always disjoint(x, fw types {bs_code, bs_data})
"""


@pytest.mark.parametrize("name", ["in_free", "not_boot_services"])
def test_a_placement_in_map_types_is_proved_for_every_map(name: str) -> None:
    """The abstract map knows that an address inside any entry it made is covered, so
    'within(x, map types)' after a placement in those types is proved for maps of any
    size, not only found not to fail on small ones."""
    project = load_text(ALLOC_IN_MAP)
    ob = next(o for o in project.obligations() if o.name == name)
    checker = ModelChecker(project.models["alloc"], project.paths["alloc"])
    assert checker.proved_for_every_map(ob, project.proof(name))
    v = checker.decide(ob, project.proof(name))
    assert v.status == "holds" and "abstract map" in v.reason


def test_lexmin_walks_each_objective_down_its_lattice() -> None:
    import z3

    from bootspec.engine.solver import Objective, lexmin, make_solver

    x, y = z3.Int("x"), z3.Int("y")
    s = make_solver(Limits())
    s.add(x >= 12, x <= 4096, x % 4 == 0, y >= 0, y <= 100, x + y >= 50, z3.Or(y == 7, y == 30))
    assert s.check() == z3.sat
    m, complete = lexmin(s, [], [Objective(x, 12, 4), Objective(y, values=(7, 30))], s.model(),
                         Limits())
    assert complete and (m.eval(x).as_long(), m.eval(y).as_long()) == (20, 30)
    # from a start that is already the answer: the same model, and a start elsewhere too
    m2, _ = lexmin(s, [], [Objective(x, 12, 4), Objective(y, values=(7, 30))], s.model(),
                   Limits(), start=[44, 7])
    assert (m2.eval(x).as_long(), m2.eval(y).as_long()) == (20, 30)


def test_a_vacuous_cause_at_an_anywhere_placement_that_has_room() -> None:
    # r finds room (its fits@ holds); what no run gets past is its rules with the
    # assumption: the cause says so, not "finds no room"
    text = HEAD + """stage s0
  place r size 16 anywhere
  assume r.start > 0xFFFFFFF0
  assert ok: r.start > 0
"""
    v = decide(text, "ok")
    assert v.status == "vacuous"
    assert "no start satisfies the anywhere placement on line 4" in v.reason
    assert "finds no room" not in v.reason


def test_a_violation_after_a_check_that_gave_up_says_it_may_not_be_the_first(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # r1.start < 120 fails at step 2 (r1 bottomup above 100 ...) and at step 3 (moved
    # topdown); when the query at step 2 gives up, the failure at step 3 is real but
    # not the canonical (first) one, and the verdict says so
    import bootspec.engine.check as check_mod
    from bootspec.engine.solver import Outcome
    from bootspec.engine.verdicts import NOT_FIRST
    text = """model t
  width 8
param a in [0, 0x80] align 32
param b : bool
region fw = [a, a + 32)
stage s0
  place r1 size 64 bottomup avoid fw above 100
  place r2 size 8 at 0
  move r1 topdown
proof q
  for t expect holds
  during s0 r1.start < 120
"""
    plain = decide(text, "q")
    real = check_mod.check

    def gives_up_at_step_2(solver, *a, **k):  # type: ignore[no-untyped-def]
        if any(str(x) == "q2" for x in a):
            return Outcome("unknown", "made to give up")
        return real(solver, *a, **k)

    monkeypatch.setattr(check_mod, "check", gives_up_at_step_2)
    monkeypatch.setattr(check_mod, "FAST_COMBOS", 0)  # the solver, not evaluation
    v = decide(text, "q")
    assert v.status == "violated" and v.reason == NOT_FIRST
    assert plain.counterexample is not None and v.counterexample is not None
    assert v.counterexample.event > plain.counterexample.event


def _batch(text: str) -> tuple[ModelChecker, list[Verdict]]:
    p = load_text(text)
    obs = [(o, p.proof_of(o)) for o in p.obligations()]
    checker = ModelChecker(p.models[obs[0][0].model], p.paths[obs[0][0].model])
    return checker, [v for v, _ in checker.decide_all(obs)]


REPEATS = HEAD + """param a in [0, 64] align 16
var x = 0
stage s
  place r1 size 32 at a
  place r2 size 32 at 32
  set x = x + 1
  set x = x + 1
  set x = x + 1
  set x = x + 1
proof apart
  for m expect violated
  always disjoint(r1, r2)
proof small
  for m expect violated
  always x <= 2
"""


def test_a_formula_repeated_at_later_steps_is_checked_once_and_first(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A conjunct whose formula is the same term at a later step is left out there (a
    run past that step failed it earlier): the batch and the single queries give the
    same verdicts and the first failing step, also where every step's formula is new."""
    import bootspec.engine.check as check_mod
    from bootspec.engine.batch import PathBatch
    from bootspec.engine.solver import fresh_context

    monkeypatch.setattr(check_mod, "FAST_COMBOS", 0)  # the solver, not evaluation
    checker, together = _batch(REPEATS)
    p = load_text(REPEATS)
    for ob in p.obligations():
        alone = decide(REPEATS, ob.name)
        both = together[[o.name for o in p.obligations()].index(ob.name)]
        assert (alone.status, alone.counterexample) == (both.status, both.counterexample)
    apart, small = decide(REPEATS, "apart"), decide(REPEATS, "small")
    assert apart.counterexample is not None and small.counterexample is not None
    assert apart.counterexample.span is not None and apart.counterexample.span.line == 7
    assert small.counterexample.span is not None and small.counterexample.span.line == 10
    assert "evaluation" not in apart.reason + small.reason
    ob = next(o for o in p.obligations() if o.name == "apart")
    fresh_context()  # as decide_all does before it builds a batch
    checker._enc.clear()
    plan = checker.plan(checker.target(ob, p.proof_of(ob)))
    batch = PathBatch(checker, 0, [plan], [0])
    assert len(plan.points) == 5 and [i for i, _ in batch.q[0]] == [plan.points[0][1]]


def _steps(n: int, bound: int) -> str:
    lines = [HEAD.rstrip("\n"), "param a in [0, 1000]", "var x = a", "stage s"]
    lines += ["  set x = x + 1"] * n
    lines += ["proof small", "  for m expect violated", f"  always x <= {bound}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bound", [1040, 1100])
def test_a_long_path_is_asked_point_by_point_with_the_same_answers(
        monkeypatch: pytest.MonkeyPatch, bound: int) -> None:
    """More than POINTWISE points on a path: its points are queried one by one, and
    the verdicts and counterexamples are those of the obligations decided alone (x
    passes 1040 at step 41 when a = 1000: the first failing step, a = 1000; with
    1100 it never does)."""
    import bootspec.engine.batch as batch_mod
    import bootspec.engine.check as check_mod

    monkeypatch.setattr(check_mod, "FAST_COMBOS", 0)  # the solver, not evaluation
    text = _steps(70, bound)
    calls: list[str] = []
    real = batch_mod.PathBatch.any_fails

    def spy(self, ks):  # type: ignore[no-untyped-def]
        calls.append("any")
        return real(self, ks)

    monkeypatch.setattr(batch_mod.PathBatch, "any_fails", spy)
    _, together = _batch(text)
    assert calls == []  # 70 points: never all at once
    p = load_text(text)
    for ob, both in zip(p.obligations(), together, strict=True):
        alone = decide(text, ob.name)
        assert (alone.status, alone.counterexample) == (both.status, both.counterexample)
    small = together[[o.name for o in p.obligations()].index("small")]
    if bound == 1100:
        assert small.status == "holds"
    else:
        assert small.status == "violated" and small.counterexample is not None
        assert dict(small.counterexample.params)["a"] == str(1000)
        assert small.counterexample.event == 41 + 1  # init, enter s, then the sets


# a lone 'anywhere' placement: its first fit is deferred (Encoder.definitions)
ANYWHERE = REPEATS.replace("  place r2 size 32 at 32\n",
                           "  place r2 size 32 anywhere within [0, 256) align 32 avoid r1\n")


@pytest.mark.parametrize("text", [REPEATS, ANYWHERE], ids=["at", "anywhere"])
def test_old_solver_contexts_are_freed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Each batch of obligations gets a new Z3 context (determinism); nothing of
    bootspec's may keep the old ones alive, not even until the garbage collector
    runs: a new context costs ~45 ms while old ones live, a cache that kept every
    one grew a test run to 17 GB, and a deferred first fit whose closure held its
    encoder grew a sweep of 135 machines from 107 MB to 390 MB."""
    import gc

    import z3

    import bootspec.engine.check as check_mod

    monkeypatch.setattr(check_mod, "FAST_COMBOS", 0)  # the solver, not evaluation
    gc.collect()
    gc.disable()  # freed by their reference counts alone, as a long sweep needs
    try:
        for _ in range(6):
            _batch(text.replace("expect violated", "expect holds"))
        alive = [o for o in gc.get_objects() if isinstance(o, z3.Context)]
    finally:
        gc.enable()
    assert len(alive) <= 2


def test_is_least_in_blocks_says_what_one_disjunction_says(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Showing that no model is lexicographically smaller than a start asks, in blocks
    of LEAST_BLOCK objectives, whether one of them can be smaller with those before it
    equal: the same answer as one disjunction over them all, for starts that are the
    least, and for starts beaten at the first, a middle or the last objective."""
    import z3

    from bootspec.engine import solver as S
    xs = z3.Ints(" ".join(f"x{i}" for i in range(40)))
    s = z3.Solver()
    for i, x in enumerate(xs):  # x_i in [i % 3, 9]; x_0 + x_39 >= 4 ties the ends together
        s.add(x >= i % 3, x <= 9)
    s.add(xs[0] + xs[-1] >= 4)
    obs = [S.Objective(x, 0, 9) for x in xs]
    least = [i % 3 for i in range(40)]
    least[-1] = 4  # x_0 = 0 forces x_39 >= 4
    starts = [least, [1, *least[1:-1], 3], [*least[:20], least[20] + 1, *least[21:]],
              [*least[:-1], 5]]
    for block in (40, 7, 1):
        monkeypatch.setattr(S, "LEAST_BLOCK", block)
        got = [S._is_least(s, obs, st) is not None for st in starts]
        assert got == [True, False, False, False], block


def test_is_least_asks_a_block_that_gives_up_again_in_halves(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A block whose query gives up is asked again in halves, down to LEAST_BLOCK_MIN
    objectives: the same answers as when nothing gives up; when even the smallest
    block gives up, no answer (the search then probes one input at a time)."""
    import z3

    from bootspec.engine import solver as S
    xs = z3.Ints(" ".join(f"x{i}" for i in range(24)))
    s = z3.Solver()
    for x in xs:
        s.add(x >= 1, x <= 5)
    obs = [S.Objective(x, 0, 5) for x in xs]
    real = S.check
    asked: list[int] = []

    def giving_up_on_wide_blocks(solver, *a, **k):  # type: ignore[no-untyped-def]
        if a and z3.is_or(a[0]):
            asked.append(a[0].num_args())
            if a[0].num_args() > limit:
                return S.Outcome("unknown", "made to give up")
        return real(solver, *a, **k)

    monkeypatch.setattr(S, "check", giving_up_on_wide_blocks)
    monkeypatch.setattr(S, "LEAST_BLOCK", 16)
    monkeypatch.setattr(S, "LEAST_BLOCK_MIN", 2)
    least, beaten = [1] * 24, [1] * 23 + [2]
    for limit in (100, 5, 2):
        asked.clear()
        assert S._is_least(s, obs, least) is not None and S._is_least(s, obs, beaten) is None
        assert max(asked) == 16 and (limit >= 16 or min(asked) <= limit)
    limit = 1  # even two objectives give up: no answer
    assert S._is_least(s, obs, least) is None
