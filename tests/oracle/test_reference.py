"""The reference interpreter (bootspec.oracle.reference) on hand-written 8-bit models.

Every expected verdict below is derived by hand from docs/language.md; the
reasoning is in the comment next to it. Event indices follow the doc's "events of
a path": init = 0, then per stage ``enter S`` and one event per body line, then
``end``. A key is the parameters in declaration order (bool 0/1, enum index), then
one slot per ``anywhere`` policy of the model (0 when the run did not use it).

Models are loaded with the front end only (parse + resolve): the reference
interpreter must not depend on bootspec.engine.
"""

from __future__ import annotations

import textwrap

import pytest

from bootspec.diagnostics import Collector
from bootspec.lang import ir
from bootspec.lang.parser import parse_text
from bootspec.lang.resolve import resolve_models, resolve_proofs
from bootspec.oracle.reference import RefVerdict, TooLarge, decide, obligations


def load(src: str, *others: tuple[str, str]) -> tuple[ir.Model, dict[str, ir.Proof]]:
    """The single model of ``src`` (file t.boot) and its proofs; ``others`` are extra
    (path, text) files, e.g. a base model."""
    return _resolve(textwrap.dedent(src).lstrip("\n"), others)


def _resolve(src: str, others: tuple[tuple[str, str], ...]) -> tuple[ir.Model, dict[str, ir.Proof]]:
    errors = Collector()
    asts = [parse_text(text, path) for path, text in others] + [parse_text(src, "t.boot")]
    models = resolve_models(asts, errors)
    proofs = resolve_proofs(asts, models, {m.name for a in asts for m in a.models}, errors)
    errors.raise_if_any()
    (name,) = [m.name for m in asts[-1].models]
    return models[name], {p.name: p for p in proofs}


def line_of(src: str, snippet: str) -> int:
    """The 1-based line of ``src`` (as loaded) that holds ``snippet``."""
    lines = textwrap.dedent(src).lstrip("\n").splitlines()
    (hit,) = [i for i, ln in enumerate(lines, start=1) if snippet in ln]
    return hit


def proof(model: ir.Model, proofs: dict[str, ir.Proof], name: str) -> RefVerdict:
    return decide(model, name, proofs[name])


def V(status: str, path: tuple[str, ...] | None = None, event: int | None = None,
      key: tuple[int, ...] | None = None) -> tuple:
    return (status, path, event, key)


def got(v: RefVerdict) -> tuple:
    return (v.status, v.path, v.event, v.key)


# ---------------------------------------------------------------- 1. conjuncts, disjoint pairs

PAIRS = """
model m
  width 8
param s in {16, 32}
stage one
  place a size s at 0
  place b size 16 at 8
  free b
  place c size 16 at 64
proof pairs
  for m expect violated
  always disjoint(a, b) and disjoint(a, c) and disjoint(b, c)
proof three
  for m expect violated
  always disjoint(a, b, c)
proof late
  for m expect vacuous
  always disjoint(a, c) and disjoint(b, c)
proof late_and_bad
  for m expect violated
  always disjoint(b, c) and equal(a.start, 1)
"""


def test_disjoint_conjuncts_and_pairs() -> None:
    m, ps = load(PAIRS)
    # events: init 0, enter one 1, place a 2, place b 3, free b 4, place c 5, end 6.
    # a = [0, s), b = [8, 24): they meet for both s, from the event that places b (3).
    # disjoint(a, b) is in scope only while both are live (events 3); it fails there;
    # the smallest key is s = 16.
    assert got(proof(m, ps, "pairs")) == V("violated", ("one",), 3, (16,))
    # disjoint(a, b, c) splits into the same three pairs, so the same verdict (without
    # the split the three are never live together and it would be vacuous).
    assert got(proof(m, ps, "three")) == V("violated", ("one",), 3, (16,))
    # disjoint(a, c) holds (a ends by 32, c = [64, 80)); disjoint(b, c) is never in
    # scope (b is freed before c is placed): vacuous beats holds.
    v = proof(m, ps, "late")
    assert v.status == "vacuous" and "disjoint(b, c)" in v.cause
    # violated beats vacuous: equal(a.start, 1) is in scope from event 2 (a placed),
    # where it is false.
    assert got(proof(m, ps, "late_and_bad")) == V("violated", ("one",), 2, (16,))


# ---------------------------------------------------------------- 2. map state: reserve, segments

RESERVE = """
model m
  width 8
map mm : efi
  entry [0, 128) bs_data
  entry [128, 256) reserved
region bs = [32, 64)
stage one
  reserve bs in mm as conventional
  place k size 16 topdown in mm types {conventional}
  place j size 16 topdown in mm types {bs_data}
proof inside
  for m expect holds
  after one within(k, bs) and equal(k.start, 48) and within(k, mm types {conventional})
proof cut
  for m expect holds
  after one equal(j.start, 112) and disjoint(j, mm types {conventional})
"""


def test_reserve_makes_a_segment_that_first_fit_uses() -> None:
    m, ps = load(RESERVE)
    # The reserve cuts the bs_data entry [0, 128) into [0, 32) and [64, 128) and adds
    # [32, 64) conventional. The only conventional memory is [32, 64): topdown gives
    # the highest start with [c, c + 16) inside it, 48. The highest bs_data start is
    # 112 ([112, 128) in the segment [64, 128)).
    assert proof(m, ps, "inside").status == "holds"
    assert proof(m, ps, "cut").status == "holds"
    assert decide(m, "wellformed").status == "holds"


SEGMENTS = """
model m
  width 8
map mm : efi
  entry [0, 16) conventional
  entry [16, 32) conventional
stage one
  place big size 32 topdown in mm types {conventional} else none
  place small size 16 bottomup in mm types {conventional}
  place huge size 32 bottomup in mm types {conventional}
proof covered
  for m expect holds
  always within([0, 32), mm types {conventional})
proof empty
  for m expect holds
  after one equal(big.size, 0) and equal(small.start, 0)
"""


def test_segments_are_never_merged() -> None:
    m, ps = load(SEGMENTS)
    # Two adjacent conventional entries stay two segments: a 32-byte block lies inside
    # neither, so 'big' falls back to none (empty) and 'huge' finds no room (fits@
    # finding, run stops: event 4 = init, enter, big, small, huge). But every address
    # of [0, 32) lies in a conventional segment, so the predicate holds.
    assert proof(m, ps, "covered").status == "holds"
    # 'after one' needs the state after huge, which never exists: vacuous.
    assert proof(m, ps, "empty").status == "vacuous"
    huge = line_of(SEGMENTS, "place huge")
    assert got(decide(m, f"fits@L{huge}")) == V("violated", ("one",), 4, ())
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 4, ())
    big = line_of(SEGMENTS, "place big")
    assert decide(m, f"fits@L{big}").status == "holds"   # else none: giving up is fine


# ---------------------------------------------------------------- 3. anywhere, fits@

ANYWHERE = """
model m
  width 8
param s in {16, 32, 48}
stage one
  place a size s anywhere within [0, 32)
  assert reached: s < 48
proof not16
  for m expect violated
  always a.start != 16
"""


def test_anywhere_that_cannot_be_made_is_a_finding() -> None:
    m, ps = load(ANYWHERE)
    line = line_of(ANYWHERE, "place a")
    # s = 48 has no start c with c + 48 <= 32: the fits@ site is violated at the place
    # event (2); no choice is read, so its slot is 0.
    assert got(decide(m, f"fits@L{line}")) == V("violated", ("one",), 2, (48, 0))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (48, 0))
    # The run stops at the failed placement, so the assert only sees s = 16, 32.
    assert decide(m, "reached").status == "holds"
    # Every satisfying start is a run: s = 16 may start at 0..16; start 16 fails.
    # s = 32 can only start at 0. Smallest failing key: (16, 16), event 2.
    assert got(proof(m, ps, "not16")) == V("violated", ("one",), 2, (16, 16))
    assert obligations(m) == ["wellformed", "reached"]


TWO_CHOICES = """
model m
  width 8
param s in {0, 1}
stage one
  place a size 16 anywhere within [0, 32) align 16
  place b size 16 anywhere within [0, 32) align 16
proof apart
  for m expect violated
  always disjoint(a, b)
"""


def test_choices_are_inputs_in_line_order() -> None:
    m, ps = load(TWO_CHOICES)
    # a, b each start at 0 or 16 (choices, keyed in line order). They meet when both
    # pick the same start: at event 3 (place b); smallest key (0, 0, 0).
    assert got(proof(m, ps, "apart")) == V("violated", ("one",), 3, (0, 0, 0))


# ---------------------------------------------------------------- 4. wraps and taint

WRAP = """
model m
  width 8
param x in {16, 32}
param y in {8, 24}
region g = [0, 256)
region h = [200, 210)
stage one
  place k size x - y at y
stage bad after one when x < y
  assert wf: nowrap(k)
  assert nwf: not nowrap(k)
proof apart
  for m expect violated
  always disjoint(k, h)
proof meets
  for m expect violated
  always not disjoint(k, g)
proof ok
  for m expect violated
  always nowrap(k)
proof notok
  for m expect violated
  always not nowrap(k)
"""


def test_a_wrapped_region_makes_every_property_that_reads_it_false() -> None:
    m, ps = load(WRAP)
    place = line_of(WRAP, "place k")
    # x - y wraps only for (16, 24). k = [y, x) is inside [8, 32) otherwise.
    # Paths: [one] (ends early: 'bad' is the only successor and guarded), [one, bad].
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (16, 24))
    assert got(decide(m, f"wrap@L{place}")) == V("violated", ("one",), 2, (16, 24))
    # disjoint(k, h) is true for every well-formed k; tainted (false) for (16, 24).
    assert got(proof(m, ps, "apart")) == V("violated", ("one",), 2, (16, 24))
    # not disjoint(k, g) is true for every well-formed non-empty k (all are), and false
    # for the malformed one whatever the polarity.
    assert got(proof(m, ps, "meets")) == V("violated", ("one",), 2, (16, 24))
    assert got(proof(m, ps, "ok")) == V("violated", ("one",), 2, (16, 24))
    # not nowrap(k) is false for the well-formed ones; (16, 8) is the smallest.
    assert got(proof(m, ps, "notok")) == V("violated", ("one",), 2, (16, 8))
    # Stage 'bad' is reached only when x < y, i.e. (16, 24): k is malformed there, so
    # nowrap(k) is false (event 4 = init, enter one, place, enter bad, assert) and
    # not nowrap(k) holds (nowrap is never tainted by its argument).
    assert got(decide(m, "wf")) == V("violated", ("one", "bad"), 4, (16, 24))
    assert decide(m, "nwf").status == "holds"


INVERTED = """
model m
  width 8
param x in {16, 32}
param y in {8, 24}
stage one
  place r = [y, x)
proof ok
  for m expect violated
  always disjoint(r, [100, 110))
"""


def test_an_inverted_region_is_a_region_finding() -> None:
    m, ps = load(INVERTED)
    line = line_of(INVERTED, "place r")
    # No arithmetic: (16, 24) makes r = [24, 16), untainted but inverted: region@.
    assert got(decide(m, f"region@L{line}")) == V("violated", ("one",), 2, (16, 24))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (16, 24))
    # A property reading the inverted region is tainted, so false.
    assert got(proof(m, ps, "ok")) == V("violated", ("one",), 2, (16, 24))


# ---------------------------------------------------------------- 5. laziness

LAZY = """
model m
  width 8
param a in {0, 8}
param b in {0, 8}
param x in [0, 4]
var d = 0
stage one
  set d = if a > b then a - b else 0
  assume x > 0 and x - 1 >= 0
proof guarded
  for m expect holds
  always x >= 1 implies x - 1 <= 3
proof guarded_or
  for m expect holds
  always x == 0 or x - 1 <= 3
proof eager_or
  for m expect violated
  always x - 1 <= 3 or x == 0
proof ite
  for m expect holds
  always if x > 0 then x - 1 < 4 else d <= 8
"""


def test_lazy_logic_never_evaluates_the_other_operand() -> None:
    m, ps = load(LAZY)
    # 'if a > b then a - b else 0' evaluates a - b only when a > b: never wraps; the
    # assume evaluates x - 1 only when x > 0. No site is ever violated.
    assert decide(m, "wellformed").status == "holds"
    # x - 1 is evaluated only when x >= 1 (and then it is in 0..3).
    assert proof(m, ps, "guarded").status == "holds"
    assert proof(m, ps, "guarded_or").status == "holds"
    # Here x - 1 is evaluated first: at x = 0 it wraps, the conjunct evaluated a tainted
    # value, so it is false, at init (event 0) for the smallest key (0, 0, 0).
    assert got(proof(m, ps, "eager_or")) == V("violated", ("one",), 0, (0, 0, 0))
    assert proof(m, ps, "ite").status == "holds"


EAGER = """
model m
  width 8
param a in {0, 8}
param b in {0, 8}
var d = 0
stage one
  set d = a - b
"""


def test_eager_arithmetic_in_an_action_wraps() -> None:
    m, _ = load(EAGER)
    # a - b < 0 for (0, 8): the set line's wrap@ site, at event 2.
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (0, 8))


# ---------------------------------------------------------------- 6. expect SITE

EXPECT = """
model m
  width 8
param s in {16, 48}
param x in {0, 8}
expect fits@L8 violated
var v = 0
stage one
  place a size s anywhere within [0, 32)
  set v = x - 4
"""

EXPECT_ONLY = """
model m
  width 8
param s in {16, 48}
expect fits@L6 violated
stage one
  place a size s anywhere within [0, 32)
"""


def test_expect_separates_a_site_from_wellformed() -> None:
    assert line_of(EXPECT, "place a") == 8 and line_of(EXPECT_ONLY, "place a") == 6
    m, _ = load(EXPECT)
    assert obligations(m) == ["wellformed", "fits@L8"]
    # s = 48 cannot be placed: fits@L8 (event 2, slot 0).
    assert got(decide(m, "fits@L8")) == V("violated", ("one",), 2, (48, 0, 0))
    # wellformed leaves fits@L8 out, but x - 4 wraps for x = 0 on line 9 (event 3),
    # reached only with s = 16, whose smallest start is 0: key (16, 0, 0).
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 3, (16, 0, 0))
    m2, _ = load(EXPECT_ONLY)
    assert decide(m2, "wellformed").status == "holds"
    assert decide(m2, "fits@L6").status == "violated"


# ---------------------------------------------------------------- 7. vacuity

CONTRADICTION = """
model m
  width 8
param x in [0, 4]
assume x > 2
assume x < 2
stage one
  place a size 16 at x
  assert never: x == 7
proof p
  for m expect vacuous
  always x == 7
"""


def test_contradictory_assumptions_are_vacuous() -> None:
    m, ps = load(CONTRADICTION)
    # No configuration exists: nothing is reached, nothing can fail.
    assert decide(m, "wellformed").status == "vacuous"
    assert decide(m, "never").status == "vacuous"
    assert proof(m, ps, "p").status == "vacuous"


GUARDED = """
model m
  width 8
param x in {0, 1}
stage one
  assume x > 5
  assert after_assume: x == 9
stage two after one when x > 10
  place a size 16 at 0
proof in_two
  for m expect vacuous
  during two x == 9
proof bad_before
  for m expect violated
  always x == 1
"""


def test_unreached_lines_are_vacuous() -> None:
    m, ps = load(GUARDED)
    # The stage assume stops every run at event 2: the assert and stage two are never
    # reached. wellformed is not vacuous (configurations exist) and holds.
    assert decide(m, "after_assume").status == "vacuous"
    assert proof(m, ps, "in_two").status == "vacuous"
    assert decide(m, "wellformed").status == "holds"
    # But the state after init exists: x == 1 fails there for x = 0.
    assert got(proof(m, ps, "bad_before")) == V("violated", ("one",), 0, (0,))


# ---------------------------------------------------------------- paths and events

PATHS = """
model m
  width 8
param b : bool
stage one
  place a size 16 at 0
stage two after one when b
  place c size 16 at 8
stage three after one when not b
  place c size 16 at 100
proof meet
  for m expect violated
  always disjoint(a, c)
proof shared
  for m expect violated
  always equal(a.start, 16)
proof at_end
  for m expect violated
  at end within(a, [0, 8))
proof in_two
  for m expect holds
  during two within(c, [8, 24))
proof after_three
  for m expect holds
  after three equal(c.start, 100)
"""


def test_paths_events_and_shared_events() -> None:
    m, ps = load(PATHS)
    # Paths in order: [one] (both successors guarded: the early end comes first),
    # [one, two], [one, three]. c is one name placed on two paths.
    # a and c meet only on [one, two]: event 4 (init, enter one, place a, enter two,
    # place c), b = 1.
    assert got(proof(m, ps, "meet")) == V("violated", ("one", "two"), 4, (1,))
    # a.start == 16 fails at event 2 on every path; that event is shared, so it counts
    # on the first path, [one]; both configurations fail, the smallest is b = 0.
    assert got(proof(m, ps, "shared")) == V("violated", ("one",), 2, (0,))
    # 'at end': [one] never ends (one guard always holds, so its end has no state);
    # [one, two] ends at event 5 with b = 1 and a = [0, 16) is not within [0, 8). The
    # path order wins over the smaller key b = 0 on [one, three].
    assert got(proof(m, ps, "at_end")) == V("violated", ("one", "two"), 5, (1,))
    assert proof(m, ps, "in_two").status == "holds"
    assert proof(m, ps, "after_three").status == "holds"


EARLY_END = """
model m
  width 8
param x in {0, 4}
stage one
  place a size 16 at 0
stage two after one when x - 1 > 0
proof ends
  for m expect violated
  at end disjoint(a, [0, 4))
"""


def test_a_path_that_ends_early_evaluates_the_guards_at_its_end() -> None:
    m, ps = load(EARLY_END)
    hdr = line_of(EARLY_END, "stage two")
    # Path [one] ends at event 3, evaluating two's guard: x - 1 wraps for x = 0.
    # The same guard is evaluated at 'enter two' (event 3 of [one, two]), later path.
    assert got(decide(m, f"wrap@L{hdr}")) == V("violated", ("one",), 3, (0,))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 3, (0,))
    # The end state of [one] exists when the guard is false: x = 0 ((0 - 1) > 0 is
    # false as computed).
    assert got(proof(m, ps, "ends")) == V("violated", ("one",), 3, (0,))


SCOPES = """
model m
  width 8
param x in {0, 1}
stage one
  place a size 16 at 0
  place b size 16 at 8
  free b
stage two after one
stage three after two
  place c size 16 at 16
proof during_one
  for m expect violated
  during one disjoint(a, b)
proof after_one
  for m expect vacuous
  after one disjoint(a, b)
proof after_one_a
  for m expect holds
  after one within(a, [0, 16))
proof two_entry
  for m expect violated
  during two equal(a.start, 1)
proof end_c
  for m expect violated
  at end equal(c.start, 0)
proof init
  for m expect violated
  always x == 0
"""


def test_scopes() -> None:
    m, ps = load(SCOPES)
    # events: init 0, enter one 1, a 2, b 3, free 4, enter two 5, enter three 6, c 7, end 8
    assert got(proof(m, ps, "during_one")) == V("violated", ("one", "two", "three"), 3, (0,))
    assert proof(m, ps, "after_one").status == "vacuous"   # b is dead after one
    assert proof(m, ps, "after_one_a").status == "holds"
    # two has no action: 'during two' checks its entry state (event 5).
    assert got(proof(m, ps, "two_entry")) == V("violated", ("one", "two", "three"), 5, (0,))
    assert got(proof(m, ps, "end_c")) == V("violated", ("one", "two", "three"), 8, (0,))
    assert got(proof(m, ps, "init")) == V("violated", ("one", "two", "three"), 0, (1,))


# ---------------------------------------------------------------- taint through state

VARS = """
model m
  width 8
param x in {4, 16}
var v = 0
var w = 0
stage one
  set v = x - 8
  place r size 8 at v
  set w = v - 1
  assert same: equal(v, v)
proof r_ok
  for m expect violated
  always nowrap(r)
"""


def test_taint_flows_through_variables() -> None:
    m, ps = load(VARS)
    set_v, place, set_w = (line_of(VARS, s) for s in ("set v", "place r", "set w"))
    # x = 4: v = -4 is a wrap (event 2) and v is tainted from then on.
    assert got(decide(m, f"wrap@L{set_v}")) == V("violated", ("one",), 2, (4,))
    # r = [v, v + 8) is computed from a tainted value: not well-formed, but no region@
    # finding (the bounds are tainted; the wrap is reported at its wrap@ site).
    assert decide(m, f"region@L{place}").status == "holds"
    assert got(proof(m, ps, "r_ok")) == V("violated", ("one",), 3, (4,))
    # v - 1 = -5 has a tainted operand: tainted, but never a new wrap ("one cause, one
    # finding"); x = 16: v - 1 = 7 is fine. The line is reached, so it holds.
    assert decide(m, f"wrap@L{set_w}").status == "holds"
    # Reading a tainted variable in an assert makes it false (event 5).
    assert got(decide(m, "same")) == V("violated", ("one",), 5, (4,))


POOLS = """
model m
  width 8
param x in {16, 48}
pool p = [0, 32) down
pool q = [224, 256) up
pool h = [0, 256) down
stage one
  place a size x from p
  place b size 8 from p
  place c size 48 from q align 16
  place e size 24 from h align 16
  place f size 8 from h
proof cap_p
  for m expect violated
  always capacity(p)
proof b_when_fine
  for m expect holds
  after one x == 16 implies equal(b.start, 8)
proof cap_q
  for m expect violated
  always capacity(q)
proof down_align
  for m expect holds
  after one equal(e.start, 224) and equal(f.start, 216) and equal(h.cursor, 216) \\
      and capacity(h)
"""


def test_pools_cursors_and_capacity() -> None:
    m, ps = load(POOLS)
    la, lb, lc = (line_of(POOLS, s) for s in ("place a", "place b", "place c"))
    # p: cursor 32; x = 48: 32 - 48 = -16 wraps (event 2); a and the cursor are tainted.
    assert got(decide(m, f"wrap@L{la}")) == V("violated", ("one",), 2, (48,))
    # b: the tainted cursor - 8 = -24 is tainted, not a new wrap ("one cause, one
    # finding").
    assert decide(m, f"wrap@L{lb}").status == "holds"
    # x = 16: a = [16, 32), b = [8, 16), both inside p; x = 48: a is malformed, so
    # capacity(p), which reads it, is false from event 2.
    assert got(proof(m, ps, "cap_p")) == V("violated", ("one",), 2, (48,))
    assert proof(m, ps, "b_when_fine").status == "holds"
    # q (up): start = align_up(224, 16) = 224, end 272 > 256: untainted bounds, so a
    # region@ finding (event 4 = init, enter, a, b, c); c lies outside q (and is
    # malformed): capacity(q) fails at event 4 for the smallest x.
    assert got(decide(m, f"region@L{lc}")) == V("violated", ("one",), 4, (16,))
    assert got(proof(m, ps, "cap_q")) == V("violated", ("one",), 4, (16,))
    # h (down): align_down(256 - 24, 16) = 224, cursor 224; then 224 - 8 = 216.
    assert proof(m, ps, "down_align").status == "holds"


MAP_TAINT = """
model m
  width 8
param x in {8, 24}
map mm : efi
  entry [0, 256) conventional
stage one
  place k size x - 16 at 100
  reserve k in mm as reserved
  place j size 16 topdown in mm types {conventional}
proof j_ok
  for m expect violated
  after one nowrap(j)
proof j_in
  for m expect violated
  after one within(j, mm types {conventional})
proof j_at
  for m expect holds
  after one x == 24 implies equal(j.start, 240)
"""


def test_taint_flows_through_a_reserved_map() -> None:
    m, ps = load(MAP_TAINT)
    # x = 8: k = [100, 92) is malformed (its size wrapped); reserving it taints the
    # map; j, placed by reading the map, is not well-formed. Events: init, enter, k,
    # reserve, j = 4.
    assert got(proof(m, ps, "j_ok")) == V("violated", ("one",), 4, (8,))
    assert got(proof(m, ps, "j_in")) == V("violated", ("one",), 4, (8,))
    # x = 24: k = [100, 108) cut out; conventional [108, 256): topdown 240.
    assert proof(m, ps, "j_at").status == "holds"


# ---------------------------------------------------------------- first fit clauses

FIRST_FIT = """
model m
  width 8
region g = [0, 64)
map mm : efi
  entry [0, 32) conventional
  entry [64, 192) conventional
  entry [192, 256) reserved
pool p = [224, 256) down
stage one
  place a size 16 bottomup above 10 align 16 avoid g
  place b size 16 topdown below 200 align 32
  place c size 16 topdown avoid all
  place d size 16 topdown in mm types {conventional} where entry.size >= 64
  place e size 16 bottomup in mm types {conventional} where entry.start > 0
  place f size 16 bottomup within g avoid all
  place h size 8 bottomup within [60, 90) avoid a
proof where
  for m expect holds
  after one equal(a.start, 64) and equal(b.start, 160) and equal(c.start, 208) \\
      and equal(d.start, 176) and equal(e.start, 64) and equal(f.start, 0) \\
      and equal(h.start, 80)
"""


def test_first_fit_clauses() -> None:
    m, ps = load(FIRST_FIT)
    # a: multiples of 16 from 16 up, not meeting g = [0, 64): 64.
    # b: multiples of 32 with c + 16 <= 200: 160.
    # c: avoid all = g, the pool p = [224, 256), a = [64, 80), b = [160, 176): the
    #    highest start below 224 not meeting b is 208.
    # d: the only conventional segment of size >= 64 is [64, 192): highest 176.
    # e: the only conventional segment starting above 0 is [64, 192): lowest 64.
    # f: within g, avoid all (g itself is left out): [0, 16) is free: 0.
    # h: [60, 90) minus a = [64, 80): the lowest 8-byte block is at 80.
    assert proof(m, ps, "where").status == "holds"
    assert decide(m, "wellformed").status == "holds"


FALLBACK = """
model m
  width 8
param s in {32, 200}
param x in {0, 20}
stage one
  place r size s topdown within [0, 16) else bottomup above 100 else none
  place q size 16 topdown within [0, 64) else topdown below x - 10
proof r_then
  for m expect holds
  after one (s == 32 implies equal(r.start, 100)) and (s == 200 implies equal(r.size, 0))
proof r_empty
  for m expect holds
  after one s == 200 implies disjoint(r, [0, 256))
"""

FALLBACK_TRIED = FALLBACK.replace("topdown within [0, 64) else", "topdown within [0, 8) else")


def test_fallbacks_are_evaluated_only_when_tried() -> None:
    m, ps = load(FALLBACK)
    # r: s = 32 does not fit in [0, 16); bottomup above 100 gives 100. s = 200 fits
    # neither: none, the empty region [0, 0), disjoint from everything.
    assert proof(m, ps, "r_then").status == "holds"
    assert proof(m, ps, "r_empty").status == "holds"
    # q always fits in [0, 64): 'below x - 10' is never evaluated, never wraps.
    assert decide(m, "wellformed").status == "holds"
    # Now q does not fit in [0, 8): the fallback is tried, x - 10 wraps for x = 0
    # (event 3), and with hi = -10 it finds no room either: fits@ too.
    m2, _ = load(FALLBACK_TRIED)
    q = line_of(FALLBACK_TRIED, "place q")
    assert got(decide(m2, f"wrap@L{q}")) == V("violated", ("one",), 3, (32, 0))
    assert got(decide(m2, f"fits@L{q}")) == V("violated", ("one",), 3, (32, 0))


COPY_MOVE = """
model m
  width 8
region g = [0, 32)
stage one
  place a size 16 at 100
  copy a to b bottomup avoid all
  assert b_first: equal(b.start, 32)
  move a topdown avoid all
  assert a_moved: equal(a.start, 240)
  move b bottomup above 40 avoid b
  assert b_self: equal(b.start, 48)
"""


def test_copy_and_move() -> None:
    m, _ = load(COPY_MOVE)
    # copy: size a.size = 16, obstacles g and a: lowest start 32.
    assert decide(m, "b_first").status == "holds"
    # move a: its old range is not an obstacle; obstacles g, b: highest start 240.
    assert decide(m, "a_moved").status == "holds"
    # move b naming itself in avoid: 'avoid b' avoids its old range [32, 48) (the doc:
    # "`avoid all` does not avoid it, `avoid R` (naming it) does"), so the lowest start
    # above 40 is 48 (40 if its old range were ignored).
    assert decide(m, "b_self").status == "holds"


# ---------------------------------------------------------------- symbolic maps

SYMBOLIC = """
model m
  width 8
map mm : efi symbolic 1 types {conventional, bs_data} within [0, 64) align 32
stage one
  place k size 32 topdown in mm types {conventional}
"""

SYMBOLIC_NONE = SYMBOLIC.replace("{conventional}\n", "{conventional} else none\n") + """\
proof inside
  for m expect holds
  after one within(k, mm types {conventional}) and within(k, [0, 64)) and nowrap(k)
"""



def test_symbolic_map_contents_are_inputs() -> None:
    m, _ = load(SYMBOLIC)
    line = line_of(SYMBOLIC, "place k")
    # The one entry may be empty, or bs_data: then no conventional room: fits@ (the map
    # is not part of the key; no parameters, no anywhere: key ()).
    assert got(decide(m, f"fits@L{line}")) == V("violated", ("one",), 2, ())
    m2, ps2 = load(SYMBOLIC_NONE)
    assert decide(m2, "wellformed").status == "holds"
    # An empty k is within anything; a placed k lies in a conventional entry in [0, 64).
    assert proof(m2, ps2, "inside").status == "holds"


# ---------------------------------------------------------------- keys, names, files

ENUM = """
model m
  width 8
param mode : enum {bios, efi, pvh}
param fast : bool
stage one
  place a size 16 at 0
  assert notpvh: mode != pvh or fast
  assert a.start == 0 and not fast
"""


def test_enum_and_bool_keys_and_assert_names() -> None:
    m, _ = load(ENUM)
    line = line_of(ENUM, "assert a.start")
    assert obligations(m) == ["wellformed", "notpvh", f"assert@one:{line}"]
    # Fails only for mode = pvh (index 2), fast = false (0): event 3.
    assert got(decide(m, "notpvh")) == V("violated", ("one",), 3, (2, 0))
    assert got(decide(m, f"assert@one:{line}")) == V("violated", ("one",), 4, (0, 1))


BASE = """model base
  width 8
param x in {0, 4}
var v = 0
stage one
  set v = x - 1
"""

CHILD = """
model child extends base
  width 8
stage one
  place k size 8 at x
"""


def test_a_site_in_another_file_is_named_with_the_file() -> None:
    m, _ = load(CHILD, ("lib/base.boot", BASE))
    # 'set v = x - 1' is line 6 of lib/base.boot: its site is wrap@base.boot:L6.
    assert got(decide(m, "wrap@base.boot:L6")) == V("violated", ("one",), 2, (0,))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (0,))
    assert decide(m, "wrap@L6").status == "vacuous"   # no such line in t.boot


GLOBAL = """
model m
  width 8
param x in {0, 16}
assume x >= 16
region r = [x - 16, x)
"""


def test_global_declarations() -> None:
    # SPEC Q1 (reading taken): a configuration whose model-level assumptions are false
    # has no run, so the wrap in r's bound for x = 0 is not a finding.
    m, _ = load(GLOBAL + "stage one\n")
    assert decide(m, "wellformed").status == "holds"
    # Without the assume, it is a finding at init (event 0).
    m2, _ = load(GLOBAL.replace("assume x >= 16\n", "") + "stage one\n")
    assert got(decide(m2, "wellformed")) == V("violated", ("one",), 0, (0,))


def test_too_large() -> None:
    m, _ = load("""
    model m
      width 8
    param x in [0, 255]
    param y in [0, 255]
    param z in [0, 255]
    stage one
    """)
    with pytest.raises(TooLarge):
        decide(m, "wellformed")
