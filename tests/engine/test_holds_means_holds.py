"""Every example of the "holds means holds" issue, with the verdict a reviewer expects.

Each was a false proof (or a false violation) before docs/language.md said what
the construct means; each verdict here follows from that text, written in the
comment beside it, not from what the checker printed.
"""

from __future__ import annotations

import pytest
from helpers import load_text

from bootspec.diagnostics import BootspecError
from bootspec.engine.check import ModelChecker, Verdict
from bootspec.pipeline import Project


def decide_all(text: str, fast: bool = False) -> dict[str, Verdict]:
    """Every obligation of the text's first model, decided alone (solver unless fast)."""
    p = load_text(text)
    out = {}
    for ob in p.obligations():
        checker = ModelChecker(p.models[ob.model], p.paths[ob.model], fast=fast)
        out[f"{ob.model}/{ob.name}"] = checker.decide(ob, p.proof_of(ob))
    return out


def errors(text: str) -> list[tuple[str, str]]:
    with pytest.raises(BootspecError) as e:
        load_text(text)
    return [(d.code, d.message) for d in e.value.diagnostics]


# 1. 'always' distributes over 'and' -------------------------------------------------

LIVE2B = """model live2b
  width 32
stage s1
  place a size 16 at 0x1000
  place b size 16 at 0x1008
  free b
  place c size 16 at 0x2000
  place b size 16 at 0x3000
proof pairs
  for live2b expect violated
  always disjoint(a, b) and disjoint(a, c) and disjoint(b, c)
proof triple
  for live2b expect violated
  always disjoint(a, b, c)
proof ab
  for live2b expect violated
  always disjoint(a, b)
"""


@pytest.mark.parametrize("fast", [False, True])
def test_a_conjunction_is_checked_where_each_part_is_live(fast: bool) -> None:
    # disjoint(a, b) is in scope where a and b are live: after line 5, a = [0x1000,
    # 0x1010) and b = [0x1008, 0x1018) overlap. The conjunction is violated there, and
    # so is the 3-region disjoint (its pair a, b), at the same event.
    v = decide_all(LIVE2B, fast)
    for name in ("pairs", "triple", "ab"):
        cx = v[f"live2b/{name}"].counterexample
        assert v[f"live2b/{name}"].status == "violated"
        assert cx is not None and cx.span is not None and cx.span.line == 5
        assert {r.name for r in cx.regions if r.marked} == {"a", "b"}


def test_always_a_and_b_is_always_a_and_always_b() -> None:
    text = LIVE2B + """proof ac
  for live2b expect holds
  always disjoint(a, c)
proof bc
  for live2b expect holds
  always disjoint(b, c)
"""
    v = decide_all(text)
    assert [v[f"live2b/{n}"].status for n in ("ab", "ac", "bc", "pairs")] == \
        ["violated", "holds", "holds", "violated"]


def test_or_over_regions_with_different_lifetimes_is_refused() -> None:
    # 'or' of predicates over a, b (not live together everywhere a is) has no reading
    # no user can misread: refused, naming a state where one part is live and not
    # the other, and asking for a split.
    text = LIVE2B.split("proof pairs")[0] + """proof mixed
  for live2b expect holds
  always disjoint(a, b) or below(a, 0x2000)
"""
    [(code, msg)] = errors(text)
    assert code == "BS126"
    assert "after line 4" in msg and "b not live" in msg


def test_implies_with_a_region_free_condition_is_checked_where_its_regions_live() -> None:
    # the condition names no region: the conjunct is in scope where t is live
    text = """model m
  width 32
param x in [0, 4]
stage s
  place t size 16 at 0x1000
proof p
  for m expect holds
  always x >= 1 implies below(t, 0x2000)
"""
    assert decide_all(text)["m/p"].status == "holds"


def test_a_conjunct_never_in_scope_makes_the_proof_vacuous_and_says_which() -> None:
    text = """model m
  width 32
stage s
  place a size 16 at 0x1000
  free a
  place b size 16 at 0x2000
proof p
  for m expect vacuous
  always below(b, 0x3000) and disjoint(a, b)
"""
    v = decide_all(text)["m/p"]
    assert v.status == "vacuous"
    assert "disjoint(a, b)" in v.reason and "no path has a, b live together" in v.reason


# 2. reserve changes the map for allocators too ---------------------------------------

RESERVE = """model m
  width 32
map ram : efi
  entry [0x100000, 0x1F0000) conventional
  entry [0x1F0000, 0x200000) bs_data
stage s
  place bs = [0x1F0000, 0x200000)
  reserve bs in ram as conventional
  place h size 64KiB topdown in ram types {conventional} align 4KiB
proof h_in_reserved
  for m expect holds
  at end equal(h.start, 0x1F0000)
proof below_1mib
  for m expect violated
  at end below(h, 1MiB)
proof within_after_reserve
  for m expect holds
  at end within(bs, ram types {conventional})
"""


@pytest.mark.parametrize("fast", [False, True])
def test_reserve_is_what_the_allocator_sees(fast: bool) -> None:
    # after the reserve, [0x1F0000, 0x200000) is a conventional segment of its own
    # (segments are never merged); the highest 64 KiB first fit is its whole range
    v = decide_all(RESERVE, fast)
    assert v["m/h_in_reserved"].status == "holds"
    assert v["m/below_1mib"].status == "violated"
    assert v["m/within_after_reserve"].status == "holds"


def test_reserve_into_a_gap_adds_memory() -> None:
    text = RESERVE.replace("entry [0x1F0000, 0x200000) bs_data\n", "")
    assert decide_all(text)["m/h_in_reserved"].status == "holds"


def test_a_block_does_not_straddle_a_reservation_boundary() -> None:
    # [0x1E8000, 0x1F0000) of the base entry + [0x1F0000, 0x1F8000) reserved: both
    # conventional, but two segments; 64 KiB fits only in the lower entry below
    text = RESERVE.replace("place bs = [0x1F0000, 0x200000)", "place bs = [0x1F0000, 0x1F8000)")
    text = text.replace("equal(h.start, 0x1F0000)", "equal(h.start, 0x1E0000)")
    assert decide_all(text)["m/h_in_reserved"].status == "holds"


# 3. an anywhere placement that cannot be made is a finding ---------------------------

ANYWHERE = """model m
  width 32
param s in [1MiB, 3MiB] align 1MiB
stage loader
  place a size s anywhere within [0, 2MiB)
proof small
  for m expect holds
  after loader s <= 2MiB
"""


def test_an_anywhere_with_no_room_is_a_fits_finding() -> None:
    # s = 3 MiB is in the domain and no start in [0, 2 MiB) holds 3 MiB: fits@L5
    v = decide_all(ANYWHERE)
    wf = v["m/wellformed"]
    assert wf.status == "violated" and wf.counterexample is not None
    assert dict(wf.counterexample.params)["s"] == "0x300000"
    assert any(f.startswith("fits@L5") for f in wf.counterexample.findings)
    # the runs that do get past it have s <= 2 MiB
    assert v["m/small"].status == "holds"


def test_else_none_says_giving_up_is_fine() -> None:
    text = ANYWHERE.replace("within [0, 2MiB)", "within [0, 2MiB) else none") + """proof empty
  for m expect holds
  after loader s > 2MiB implies equal(a.size, 0)
"""
    v = decide_all(text)
    assert v["m/wellformed"].status == "holds"
    assert v["m/empty"].status == "holds"


def test_every_value_in_a_domain_is_placed_or_reported() -> None:
    # metamorphic: for each s, either the run gets past the placement or fits@ fails
    text = ANYWHERE.replace("proof small", "expect fits@L5 violated\nproof small")
    v = decide_all(text)
    assert v["m/fits@L5"].status == "violated" and v["m/wellformed"].status == "holds"
    for s in ("1MiB", "2MiB"):
        fixed = text.replace("[1MiB, 3MiB] align 1MiB", f"{{{s}}}")
        assert decide_all(fixed)["m/fits@L5"].status == "holds"


# 4. a region whose size wrapped makes a property that reads it violated --------------

WRAPPED = """model m
  width 32
param load_addr in [0x100000, 0x200000] align 4KiB
param load_end_addr in [0x100000, 0x200000] align 4KiB
assume load_end_addr < load_addr
region gdt = [0x1000, 0x2000)
stage s
  place kernel size load_end_addr - load_addr at load_addr
proof apart
  for m expect violated
  always disjoint(kernel, gdt)
proof negated
  for m expect violated
  always not disjoint(kernel, gdt)
proof nw
  for m expect violated
  always nowrap(kernel)
proof not_nw
  for m expect holds
  always not nowrap(kernel)
"""


def test_a_property_reading_a_wrapped_region_is_violated_whatever_its_polarity() -> None:
    v = decide_all(WRAPPED)
    assert v["m/wellformed"].status == "violated"
    assert v["m/wellformed"].counterexample.findings[0].startswith("wrap@L8")  # type: ignore[union-attr]
    for name in ("apart", "negated", "nw"):
        assert v[f"m/{name}"].status == "violated", name
    assert v["m/not_nw"].status == "holds"
    cx = v["m/apart"].counterexample
    assert cx is not None and any("not well-formed" in f for f in cx.findings)


def test_the_taint_travels_through_variables_and_regions() -> None:
    text = WRAPPED.replace("  place kernel size load_end_addr - load_addr at load_addr\n", """\
  set n = load_end_addr - load_addr
  place kernel size 4KiB at load_addr
  place tail size 4KiB at kernel.end + n
""").replace("region gdt", "var n = 0\nregion gdt") + """proof tail_apart
  for m expect violated
  always disjoint(tail, gdt)
"""
    v = decide_all(text)
    assert v["m/tail_apart"].status == "violated"
    # one cause, one finding: only the subtraction wraps; tail's bounds are tainted,
    # not a region@ finding of their own
    wf = v["m/wellformed"].counterexample
    assert wf is not None and [f.split(":")[0] for f in wf.findings] == ["wrap@L9"]


# 5. branches that are not taken cannot wrap -------------------------------------------

LAZY = """model m
  width 32
param a in [0, 100]
param b in [0, 100]
param ks in [0, 100]
param s in [0, 100]
param size in [0, 100]
param x in [0, 10]
var d = if a > b then a - b else 0
var ok = if ks > s and ks - s >= size then 1 else 0
stage st
  place r size 1 at 0
proof imp
  for m expect holds
  always x >= 1 implies x - 1 <= 9
proof guarded_or
  for m expect holds
  always x == 0 or x - 1 <= 9
"""


@pytest.mark.parametrize("fast", [False, True])
def test_c_like_operators_evaluate_lazily(fast: bool) -> None:
    v = decide_all(LAZY, fast)
    assert {k: x.status for k, x in v.items()} == {
        "m/wellformed": "holds", "m/imp": "holds", "m/guarded_or": "holds"}


def test_the_evaluated_branch_still_wraps() -> None:
    v = decide_all(LAZY.replace("if a > b then a - b else 0", "if a >= b then 0 else a - b"))
    assert v["m/wellformed"].status == "violated"


# 6. one obligation per finding site ----------------------------------------------------

SITES = """model m
  width 32
param big : bool
param n in [0, 8]
stage s
  place t size if big then 2MiB else 4KiB topdown below 1MiB align 4KiB
  set k = n - 4
var k = 0
"""


def test_an_expected_site_leaves_the_others_in_wellformed() -> None:
    v = decide_all(SITES + "expect fits@L6 violated\n")
    assert v["m/fits@L6"].status == "violated"
    wf = v["m/wellformed"]  # the wrap at line 7 still counts
    assert wf.status == "violated" and wf.counterexample is not None
    assert [f.split(":")[0] for f in wf.counterexample.findings] == ["wrap@L7"]
    fixed = SITES.replace("n - 4", "n + 4") + "expect fits@L6 violated\n"
    assert decide_all(fixed)["m/wellformed"].status == "holds"


def test_expect_wellformed_violated_is_refused_with_the_sites() -> None:
    [(code, _msg)] = errors(SITES + "expect wellformed violated\n")
    assert code == "BS127"
    with pytest.raises(BootspecError) as e:
        load_text(SITES + "expect wellformed violated\n")
    hint = e.value.diagnostics[0].hint or ""
    assert "fits@L6" in hint and "wrap@L7" in hint and "region@L6" in hint


def test_a_site_that_does_not_exist_is_refused() -> None:
    [(code, msg)] = errors(SITES + "expect fits@L7 violated\n")
    assert code == "BS127" and "no finding site 'fits@L7'" in msg


def test_a_site_no_run_reaches_is_vacuous() -> None:
    text = SITES.replace("stage s\n", "stage s when n > 8\n") + "expect fits@L6 violated\n"
    v = decide_all(text)["m/fits@L6"]
    assert v.status == "vacuous" and "guard of stage 's'" in v.reason


# 7. vacuous names the cause --------------------------------------------------------------


def test_vacuous_names_a_placement_that_never_fits() -> None:
    text = """model m
  width 32
stage s
  place a size 2MiB topdown below 1MiB
  place b size 16 at 0
proof p
  for m expect vacuous
  always disjoint(a, b)
"""
    v = decide_all(text)["m/p"]
    assert v.status == "vacuous"
    assert "placement on line 4" in v.reason and "assumption" not in v.reason


def test_vacuous_names_the_assumptions_with_their_lines() -> None:
    text = """model m
  width 32
param a in [0, 10]
stage s
  assume a > 4
  assume a < 3
  place x size 1 at a
proof p
  for m expect vacuous
  always below(x, 100)
"""
    v = decide_all(text)["m/p"]
    assert v.status == "vacuous" and "lines 5, 6 contradict each other" in v.reason


def test_vacuous_names_a_guard_no_run_satisfies() -> None:
    text = """model m
  width 32
param a in [0, 10]
stage s0
  place x size 1 at a
stage s1 after s0 when a > 10
  place y size 1 at a
proof p
  for m expect vacuous
  always below(y, 100)
"""
    v = decide_all(text)["m/p"]
    assert v.status == "vacuous" and "guard of stage 's1' (line 6)" in v.reason


# 8. design changes say exactly what they change -------------------------------------------

BASE = """model m
  width 32
stage s
  place a size 16 at 0x1000
  assert ok: below(a, 0x2000)
  assume named: true
  free a
  place a size 16 at 0x3000
"""


def test_an_ambiguous_replace_names_both_lines() -> None:
    [(code, msg)] = errors(BASE + "model n extends m\nstage s\n  replace place a size 16 at 0\n")
    assert code == "BS128" and "lines 4, 8" in msg


def test_replace_works_for_asserts_and_named_assumes() -> None:
    text = BASE.replace("  free a\n  place a size 16 at 0x3000\n", "") + """\
model n extends m
stage s
  replace assert ok: below(a, 0x1010)
  replace assume named: false
proof p
  for n expect vacuous
  at end below(a, 0x2000)
"""
    p = load_text(text)
    body = p.models["n"].stages["s"].body
    assert [type(b).__name__ for b in body] == ["Place", "AssertLine", "Assume"]
    v = decide_all(text)
    assert v["n/ok"].status == "holds" and v["n/p"].status == "vacuous"


def test_insert_puts_an_action_where_it_belongs() -> None:
    text = BASE.replace("  free a\n  place a size 16 at 0x3000\n", "") + """\
model n extends m
stage s
  insert before assert ok: place b size 16 at 0x1010
  insert after place b: assert b_ok: disjoint(a, b)
"""
    p = load_text(text)
    kinds = [(type(b).__name__, getattr(b, "region", None) or getattr(b, "name", None))
             for b in p.models["n"].stages["s"].body]
    assert kinds == [("Place", "a"), ("Place", "b"), ("AssertLine", "b_ok"),
                     ("AssertLine", "ok"), ("Assume", "named")]
    assert decide_all(text)["n/b_ok"].status == "holds"


def test_an_inherited_expect_can_be_overridden_and_goes_with_its_line() -> None:
    base = SITES + "expect fits@L6 violated\n"
    fixed = base + """model n extends m
stage s
  replace place t size 4KiB topdown below 1MiB align 4KiB
"""
    v = decide_all(fixed)
    # the base's line 6 is gone from n: its expect goes with it; n's new line 12 counts
    # in wellformed (and holds: 4 KiB always fits below 1 MiB)
    assert "n/fits@L6" not in v
    assert v["n/wellformed"].counterexample is not None  # the wrap at line 7 is inherited
    overridden = base + "model n extends m\nexpect fits@L6 holds\nparam big in {0}\n"
    p: Project = load_text(overridden.replace("param big in {0}", "param big : bool"))
    assert p.models["n"].expects["fits@L6"][0] == "holds"
