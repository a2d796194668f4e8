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


# ---------------------------------------------------------------- C arithmetic

BITOPS = """
model m
  width 8
param x in {0, 5, 17}
param a in {1, 8, 16}
var r = 0
stage one
  set r = (x + a - 1) & ~(a - 1)
  assert rounded: r == align_up(x, a)
  assert bit2: (x & 4) == 4 implies x == 5
  assert xor_or: (x ^ x) == 0 and (x | 240) == (x ^ 240) + (x & 240)
"""


def test_bitwise_and_rounds_up_as_in_c() -> None:
    m, _ = load(BITOPS)
    # a - 1 is 0, 7 or 15 and ~(a - 1) = (2^8 - 1) - (a - 1) is 255, 248 or 240: the
    # mask of the multiples of a; x + a - 1 <= 32. Every value is in [0, 256], so the
    # operators are the plain bitwise ones and nothing wraps: r = align_up(x, a).
    assert decide(m, "wellformed").status == "holds"
    assert decide(m, "rounded").status == "holds"
    # 0 & 4 = 0, 5 & 4 = 4, 17 & 4 = 0 (17 = 0b10001); as in C '&' binds looser than
    # '==', hence the parentheses.
    assert decide(m, "bit2").status == "holds"
    # x | 240 = (x ^ 240) + (x & 240): 240, 245, 241 (17 | 240 = 241 = 225 + 16).
    assert decide(m, "xor_or").status == "holds"


C_WRAPS = """
model m
  width 8
param y in {0, 256}
param k in {0, 8, 9}
param d in {0, 4}
var v = 0
stage one
  set v = ~y
  set v = 1 << k
  assert shr: (200 >> k) == 200 / (1 << k)
  set v = y / d
  assert divt: v == 0
  set v = y | 1
"""


def test_bitwise_results_outside_the_address_space_wrap() -> None:
    m, _ = load(C_WRAPS)
    nt, shl, div, orr = (line_of(C_WRAPS, s) for s in ("~y", "v = 1 << k", "y / d", "y | 1"))
    # events: init 0, enter 1, ~y 2, 1 << k 3, shr 4, y / d 5, divt 6, y | 1 7.
    # ~y = 255 - y: y = 256 gives -1, a wrap ("~a of a = 2^width is -1").
    assert got(decide(m, f"wrap@L{nt}")) == V("violated", ("one",), 2, (256, 0, 0))
    # 1 << k = 2^k: 256 for k = 8 is in [0, 2^8]; 512 for k = 9 wraps.
    assert got(decide(m, f"wrap@L{shl}")) == V("violated", ("one",), 3, (0, 9, 0))
    # In the assert, 200 >> k is floor(200 / 2^k) = 200, 0; for k = 9 the 1 << 9 on the
    # right is out of range: the assert read a tainted value, so it is false.
    assert got(decide(m, "shr")) == V("violated", ("one",), 4, (0, 9, 0))
    # y / 0 is a wrap whose value is 0: d = 0 is a finding, already for y = 0 ...
    assert got(decide(m, f"wrap@L{div}")) == V("violated", ("one",), 5, (0, 0, 0))
    # ... and the 0 it gives is tainted, so 'v == 0' is false there (without the taint
    # the first failure would be y = 256, d = 4: v = 64).
    assert got(decide(m, "divt")) == V("violated", ("one",), 6, (0, 0, 0))
    # 256 | 1 = 257 > 2^8.
    assert got(decide(m, f"wrap@L{orr}")) == V("violated", ("one",), 7, (256, 0, 0))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (256, 0, 0))


SIGNED_AND = """
model m
  width 8
param x in {5, 30}
stage one
  assume ((x - 20) | 0) < 0 and ((x - 20) & 1023) == 1009
  assert reached: x == 30
stage two when ((x * 0x10000000000000000) | 0) > 0
  assert huge: x == 5
"""


def test_bitwise_operators_are_unbounded_twos_complement() -> None:
    m, _ = load(SIGNED_AND)
    # x = 5: x - 20 = -15 wraps (a finding of the assume's line, event 2) and the run
    # goes on with the value (in an assume it is used as computed). In two's
    # complement of unbounded width -15 has infinitely many leading ones: or-ed with
    # 0 it stays -15 < 0; and-ed with 1023 it is 1009 (its low ten bits), positive.
    # So the assume holds and the run reaches the assert, false for x = 5. x = 30:
    # 10 | 0 = 10 is not < 0, the run stops at the assume.
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (5,))
    assert got(decide(m, "reached")) == V("violated", ("one",), 3, (5,))
    # Root 'two' (its own path, after [one]): x * 2^64 wraps for both x (a finding of
    # the header's line, x = 5 first); the value is used as computed, and | 0 keeps
    # 5 * 2^64 and 30 * 2^64 positive, so both enter two (on 66 bits 30 * 2^64 would
    # read back as -2^65): the assert fails for x = 30 (event 2 = init, enter, assert).
    hdr = line_of(SIGNED_AND, "stage two")
    assert got(decide(m, f"wrap@L{hdr}")) == V("violated", ("two",), 1, (5,))
    assert got(decide(m, "huge")) == V("violated", ("two",), 2, (30,))


MODULAR = """
model m
  width 8
param x in {0, 16}
var v = 0
var w = 0
stage one
  set v = u8(x - 1)
  assert top: (x == 0 implies v == 255) and (x == 16 implies v == 15)
  assert consts: u8(300) == 44 and u8(3 << 7) == 128 and u16(~0) == 65535
  set v = u8(x - 1) + u8(x - 1)
  set w = u8(v)
  assert kept: w < 256
"""


def test_u8_computes_modulo_and_hides_the_wrap() -> None:
    m, _ = load(MODULAR)
    first, second = line_of(MODULAR, "assert top") - 1, line_of(MODULAR, "+ u8(")
    # Inside u8 every operation is taken modulo 2^8 and never wraps: 0 - 1 is 255.
    assert decide(m, f"wrap@L{first}").status == "holds"
    assert decide(m, "top").status == "holds"
    # u8(300) = 44, u8(384) = 128, and ~0 inside u16 is 2^16 - 1; no taint anywhere.
    assert decide(m, "consts").status == "holds"
    # Outside u8 arithmetic is checked again: 255 + 255 = 510 wraps (event 5 = init,
    # enter, set, top, consts, set).
    assert got(decide(m, f"wrap@L{second}")) == V("violated", ("one",), 5, (0,))
    # v is tainted for x = 0; "values read inside keep their taint": w = u8(v) = 254 is
    # tainted and the assert that reads it is false (event 7).
    assert got(decide(m, "kept")) == V("violated", ("one",), 7, (0,))


NONLINEAR = """
model m
  width 8
param x in [0, 20]
param y in [0, 20]
var p = 0
var q = 0
stage one
  set p = x * y
  set q = x / y
  assert notsq: x * x != 144
"""


def test_a_product_of_two_parameters() -> None:
    m, _ = load(NONLINEAR)
    mul, div = line_of(NONLINEAR, "x * y"), line_of(NONLINEAR, "x / y")
    # x * y > 256 first for x = 13 (13 * 20 = 260; 12 * 20 = 240): key (13, 20).
    assert got(decide(m, f"wrap@L{mul}")) == V("violated", ("one",), 2, (13, 20))
    # x / 0 is a wrap: (0, 0), event 3.
    assert got(decide(m, f"wrap@L{div}")) == V("violated", ("one",), 3, (0, 0))
    # 12 * 12 = 144, event 4; the smallest key with x = 12 is y = 0.
    assert got(decide(m, "notsq")) == V("violated", ("one",), 4, (12, 0))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 2, (13, 20))


# ---------------------------------------------------------------- map predicates anywhere

MAP_PREDS = """
model m
  width 8
param s in {0, 112, 128}
map mm : e820
  entry [0, 128) usable
  entry [128, 256) reserved
stage one
  place k size 32 at s
  assume not within(k, mm types {reserved})
  assert low: outside(k, mm types {reserved})
stage two after one when not within(k, mm types {usable})
  assert straddles: s == 112
proof notusable
  for m expect violated
  always not within(k, mm types {usable})
"""


def test_map_predicates_negated_and_as_conditions() -> None:
    m, ps = load(MAP_PREDS)
    # s = 128: k = [128, 160) lies in reserved memory: the assume stops the run.
    # s = 112: k = [112, 144) is not within reserved memory (the run goes on) but meets
    # it: 'low' fails (event 4 = init, enter, place, assume, assert).
    assert got(decide(m, "low")) == V("violated", ("one",), 4, (112,))
    # Stage two is entered only when k is not all usable: s = 112 alone.
    assert decide(m, "straddles").status == "holds"
    # k = [0, 32) is all usable: the negation is false after the place (event 2).
    assert got(proof(m, ps, "notusable")) == V("violated", ("one",), 2, (0,))
    assert decide(m, "wellformed").status == "holds"


# ---------------------------------------------------------------- quantifiers and aggregates

AGG_CONCRETE = """
model m
  width 8
map mm : efi
  entry [0, 64) conventional attrs {WB}
  entry [64, 128) bs_data attrs {WB, UC}
  entry [128, 160) reserved
region r = [32, 48)
stage one
  reserve r in mm as loader_data attrs {UC}
  convert mm types {bs_data} to conventional
proof wb
  for m expect holds
  always forall e in mm types {conventional}: (e.attrs & 8) != 0
proof one_uc
  for m expect violated
  always exists e in mm: e.attrs == 1
proof words_at_end
  for m expect holds
  at end exists e in mm types {loader_data}: e.attrs == 1 and e.start == 32 \
      and (forall f in mm types {conventional}: f.attrs == 8 or (f.start == 64 and f.attrs == 9))
proof three
  for m expect holds
  at end count(e in mm types {conventional}) == 3 and count(e in mm where e.size >= 32) == 3
proof segments
  for m expect violated
  always count(e in mm) == 3
proof conv_size
  for m expect holds
  at end sum(e.size for e in mm types {conventional}) == 112
proof wb_only
  for m expect violated
  always sum(e.size for e in mm types {conventional} where e.attrs == 8) == 64
proof guarded_sum
  for m expect holds
  at end sum(e.size - 32 for e in mm types {conventional} where e.size >= 32) == 32
proof eager_exists
  for m expect violated
  always exists e in mm: 32 - e.start >= 0
"""


def test_quantifiers_and_aggregates_over_a_concrete_map() -> None:
    m, ps = load(AGG_CONCRETE)
    # Segments (start, end, type, word): initially [0, 64) conventional 8 (WB = bit 3),
    # [64, 128) bs_data 9, [128, 160) reserved 0. After the reserve (event 2): [0, 32)
    # conventional 8, [32, 48) loader_data 1 (UC = bit 0), [48, 64) conventional 8,
    # [64, 128) bs_data 9, [128, 160) reserved 0. After the convert (event 3) [64, 128)
    # is conventional 9. Events: init 0, enter 1, reserve 2, convert 3, end 4.
    # Every conventional segment has WB, in every state.
    assert proof(m, ps, "wb").status == "holds"
    # No segment has the word 1 at init (the reserve makes one later): event 0.
    assert got(proof(m, ps, "one_uc")) == V("violated", ("one",), 0, ())
    # The reserved segment has the reserve's word; the convert keeps [64, 128)'s word.
    # (A quantifier's predicate runs to the end of the line: the forall, in
    # parentheses, is inside the exists.)
    assert proof(m, ps, "words_at_end").status == "holds"
    # At end: three conventional segments; sizes 32, 16, 16, 64, 32: three >= 32.
    assert proof(m, ps, "three").status == "holds"
    # The reserve makes five segments (never merged): event 2.
    assert got(proof(m, ps, "segments")) == V("violated", ("one",), 2, ())
    # 32 + 16 + 64 conventional bytes at end.
    assert proof(m, ps, "conv_size").status == "holds"
    # Conventional with the word 8 alone: 64 at init, 32 + 16 after the reserve.
    assert got(proof(m, ps, "wb_only")) == V("violated", ("one",), 2, ())
    # The doc: sum's value is evaluated only where 'where' holds (C's if (p) s += x): the
    # [48, 64) segment (16 < 32) is skipped, so 16 - 32 is never computed, and the sum
    # of the selected values is (32 - 32) + (64 - 32) = 32.
    assert proof(m, ps, "guarded_sum").status == "holds"
    # Not lazy: the first segment (start 0) already satisfies the body, but it is
    # evaluated for every segment and 32 - 64 wraps: tainted, false at init.
    assert got(proof(m, ps, "eager_exists")) == V("violated", ("one",), 0, ())


AGG_SYMBOLIC = """
model m
  width 8
map sm : efi symbolic 2 types {conventional, bs_data} within [0, 64) align 32 attrs {WB, XP}
region g = [16, 48)
stage one
  reserve g in sm as reserved
  convert sm types {bs_data} to conventional
proof words
  for m expect holds
  always forall e in sm types {conventional, bs_data}: e.attrs == 0 or e.attrs == 8 \\
      or e.attrs == 16384 or e.attrs == 16392
proof all_words
  for m expect violated
  always forall e in sm: e.attrs != 16392
proof wb_alone
  for m expect violated
  always forall e in sm: e.attrs != 8
proof small
  for m expect holds
  after one forall e in sm types {conventional}: e.size <= 16
proof smaller
  for m expect violated
  after one forall e in sm types {conventional}: e.size < 16
proof bs_at_init
  for m expect violated
  always forall e in sm types {bs_data}: false
proof bs_gone
  for m expect holds
  after one count(e in sm types {bs_data}) == 0 and sum(e.size for e in sm types {reserved}) == 32 \
      and (forall e in sm types {reserved}: e.attrs == 0)
proof at_most_one
  for m expect violated
  after one count(e in sm types {conventional}) <= 1
proof some_wb
  for m expect violated
  always exists e in sm: (e.attrs & 8) != 0
"""


def test_quantifiers_and_aggregates_over_a_symbolic_map() -> None:
    m, ps = load(AGG_SYMBOLIC)
    # Entry bounds are 0, 32 or 64; each entry is conventional or bs_data with a word
    # that is any subset of {WB = 8, XP = 16384}. Events: init 0, enter 1, reserve 2,
    # convert 3, end 4. Symbolic contents are not in the key: key ().
    assert proof(m, ps, "words").status == "holds"
    # Every subset is enumerated: WB | XP = 16392, and WB alone.
    assert got(proof(m, ps, "all_words")) == V("violated", ("one",), 0, ())
    assert got(proof(m, ps, "wb_alone")) == V("violated", ("one",), 0, ())
    # Reserving [16, 48) leaves at most [0, 16) and [48, 64) of the entries.
    assert proof(m, ps, "small").status == "holds"
    assert got(proof(m, ps, "smaller")) == V("violated", ("one",), 3, ())
    # Some contents have a bs_data entry at init; the convert removes them all; the
    # reserve always adds the 32-byte reserved segment, with the word 0 (no attrs).
    assert got(proof(m, ps, "bs_at_init")) == V("violated", ("one",), 0, ())
    assert proof(m, ps, "bs_gone").status == "holds"
    # Two entries [0, 32), [32, 64) leave two conventional pieces.
    assert got(proof(m, ps, "at_most_one")) == V("violated", ("one",), 3, ())
    # An empty map (or words without WB) has no such segment: false at init.
    assert got(proof(m, ps, "some_wb")) == V("violated", ("one",), 0, ())


WHERE_ATTRS = """
model m
  width 8
map mm : efi
  entry [0, 64) conventional attrs {UC}
  entry [64, 128) conventional attrs {WB, UC}
  entry [128, 192) conventional
  entry [192, 256) conventional attrs {XP}
stage one
  place k size 16 topdown in mm types {conventional} where (entry.attrs & 8) != 0
  place j size 16 bottomup in mm types {conventional} where entry.attrs == 0
  place h size 16 bottomup in mm types {conventional} where (entry.attrs & 16384) != 0 \\
      else none
  place h64 size 16 bottomup in mm types {conventional} where u64(entry.attrs & 16384) != 0
proof wb
  for m expect holds
  after one equal(k.start, 112) and equal(j.start, 128)
proof xp64
  for m expect holds
  after one equal(h64.start, 192)
proof xp
  for m expect violated
  after one nowrap(h)
"""


def test_attributes_in_a_where() -> None:
    m, ps = load(WHERE_ATTRS)
    # Only [64, 128) has WB: the highest 16-byte block in it starts at 112. Only
    # [128, 192) has the word 0: the lowest block starts at 128.
    assert proof(m, ps, "wb").status == "holds"
    # Attribute words can exceed 2^width: '&' (unbounded two's complement) sees XP
    # (bit 14) exactly, but its result 16384 for the XP entry is outside
    # [0, 2^8]: a wrap of h's line (event 4 = init, enter, k, j, h), and the taint in
    # the where taints h (placed at 192 all the same). SPEC Q29: a bit test above
    # the width has to be written in u64(...), where nothing wraps: h64 finds the XP
    # entry (placements do not avoid each other without 'avoid').
    h = line_of(WHERE_ATTRS, "place h size")
    assert got(decide(m, f"wrap@L{h}")) == V("violated", ("one",), 4, ())
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 4, ())
    assert got(proof(m, ps, "xp")) == V("violated", ("one",), 5, ())
    assert proof(m, ps, "xp64").status == "holds"


TRANSLATE = """
model m
  width 8
map fw : e820
  entry [0, 64) usable attrs {bit0}
  entry [64, 128) reserved
  entry [128, 224) usable
  entry [224, 256) acpi
map d : efi derived
stage one
  place early size 16 bottomup in d types {conventional} else none
  translate fw to d by {usable: conventional, acpi: acpi_reclaim}
  place k size 32 topdown in d types {conventional} where entry.attrs == 0
  place j size 16 bottomup in d types {conventional} where (entry.attrs & 1) != 0
proof placed
  for m expect holds
  after one equal(early.size, 0) and equal(k.start, 192) and equal(j.start, 0)
proof dst
  for m expect holds
  after one within([224, 256), d types {acpi_reclaim}) and count(x in d) == 3 \\
      and disjoint([64, 128), d types {conventional, acpi_reclaim, reserved})
proof src_kept
  for m expect holds
  at end count(x in fw) == 4 and within([128, 224), fw types {usable})
"""


def test_translate_fills_a_derived_map_for_a_first_fit() -> None:
    m, ps = load(TRANSLATE)
    # d is empty until the translate: 'early' finds no room and falls back to none.
    # Then d holds [0, 64) conventional (word 1), [128, 224) conventional (word 0) and
    # [224, 256) acpi_reclaim; reserved is not in the table, so [64, 128) is not in d.
    # k: word 0 -> [128, 224), highest 32-byte block at 192. j: bit 0 -> [0, 64): 0.
    assert proof(m, ps, "placed").status == "holds"
    assert proof(m, ps, "dst").status == "holds"
    assert proof(m, ps, "src_kept").status == "holds"   # the source keeps its state
    assert decide(m, "wellformed").status == "holds"


# ---------------------------------------------------------------- region sets

REGION_SETS = """
model m
  width 8
param s in {0, 32, 128}
stage one
  place a size 32 at 32
  place b size 16 at s
proof lowfree
  for m expect violated
  always disjoint([0, 128) minus a, b)
proof inlow
  for m expect violated
  always within(b, [0, 128) minus a)
proof union
  for m expect holds
  always within(b, [0, 32) union a union [128, 256))
proof minus_first
  for m expect holds
  always within(a, [0, 256) minus [0, 32) minus [64, 256))
"""


def test_region_sets_union_and_minus() -> None:
    m, ps = load(REGION_SETS)
    # a = [32, 64); b = [s, s + 16). Each conjunct names a and b: in scope from event 3.
    # [0, 128) minus a = [0, 32) + [64, 128): b = [0, 16) meets it (s = 0).
    assert got(proof(m, ps, "lowfree")) == V("violated", ("one",), 3, (0,))
    # b = [32, 48) lies in a, not in [0, 128) minus a: s = 32 fails; s = 0 does not.
    assert got(proof(m, ps, "inlow")) == V("violated", ("one",), 3, (32,))
    # [0, 64) + [128, 256) holds b for every s.
    assert proof(m, ps, "union").status == "holds"
    # minus is left-associative: ([0, 256) minus [0, 32)) minus [64, 256) = [32, 64).
    assert proof(m, ps, "minus_first").status == "holds"


# ---------------------------------------------------------------- repetition

LOOP = """
model m
  width 8
param z in {0, 1}
var v = 16
stage one
  place q size 16 anywhere within [0, 32) align 16
  for i in [0, 2)
    place r[i] size 16 anywhere within [0, 48) align 16
    set v = v - 16
  end
proof ordered
  for m expect violated
  always r[0].start <= r[1].start
proof low
  for m expect holds
  always forall i in [0, 2): below(r[i], 48)
"""


def test_a_for_loop_repeats_lines_and_choices() -> None:
    m, ps = load(LOOP)
    setv = line_of(LOOP, "set v")
    # The key: z, then the choices by line (q's line comes first), then repetition:
    # (z, q, r[0], r[1]). Events: init 0, enter 1, q 2, r[0] 3, set 4, r[1] 5, set 6.
    # r[0].start > r[1].start first at event 5; smallest key: r[0] = 16, r[1] = 0.
    assert got(proof(m, ps, "ordered")) == V("violated", ("one",), 5, (0, 0, 16, 0))
    # The integer forall is two conjuncts below(r[0], 48), below(r[1], 48).
    assert proof(m, ps, "low").status == "holds"
    # One site for both repetitions of 'set v': 16 - 16 = 0, then 0 - 16 wraps (event 6).
    assert got(decide(m, f"wrap@L{setv}")) == V("violated", ("one",), 6, (0, 0, 0, 0))
    assert got(decide(m, "wellformed")) == V("violated", ("one",), 6, (0, 0, 0, 0))


FRAGMENT = """
model m
  width 8
param n in {16, 48}
fragment carve(r, sz)
  place r size sz anywhere within [0, 64) align 16
  assert r.size <= 16
end
stage one
  use carve(a, 16)
  use carve(b, n)
proof apart
  for m expect violated
  always disjoint(a, b)
"""


def test_a_fragment_used_twice() -> None:
    m, ps = load(FRAGMENT)
    place, check = line_of(FRAGMENT, "place r"), line_of(FRAGMENT, "assert r.size")
    # Both uses are the fragment's lines (place, assert): events init 0, enter 1,
    # place a 2, assert 3, place b 4, assert 5. The choices are those of the fragment's
    # line, one per use, in use order: key (n, a, b).
    # The doc: each repetition of an assert is an obligation of its own (the front end
    # names them assert@one:LINE[1], [2] after the uses); only the second can fail
    # (b.size = n = 48), at event 5.
    assert obligations(m) == ["wellformed", f"assert@one:{check}[1]", f"assert@one:{check}[2]"]
    assert decide(m, f"assert@one:{check}[1]").status == "holds"
    assert got(decide(m, f"assert@one:{check}[2]")) == V("violated", ("one",), 5, (48, 0, 0))
    # a and b meet when both start at 0 (n = 16): event 4.
    assert got(proof(m, ps, "apart")) == V("violated", ("one",), 4, (16, 0, 0))
    # b = 48 bytes fits at 0 or 16: no fits@ finding for either use.
    assert decide(m, f"fits@L{place}").status == "holds"
    assert decide(m, "wellformed").status == "holds"


def test_too_large_with_attribute_words() -> None:
    m, _ = load("""
    model m
      width 8
    map sm : efi symbolic 3 attrs {UC, WC, WT, WB, UCE, WP, RP, XP, NV, MR, RO, SP, CC, RUN}
    stage one
    """)
    with pytest.raises(TooLarge):
        decide(m, "wellformed")
