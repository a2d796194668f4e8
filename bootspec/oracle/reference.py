"""A reference interpreter for bootspec, written from docs/language.md alone.

It is a second, independent implementation of the language's meaning: plain,
slow and exhaustive. It enumerates every input of a small model (parameter
values, the contents of every symbolic map, every ``anywhere`` choice), runs
every path on each of them, and decides each obligation from the runs. It never
uses the engine (``bootspec.engine``) or the brute-force oracle; it reads only
the resolved model of the front end (``bootspec.lang``). Where it and the engine
disagree, one of them (or the specification) is wrong.

Everything here is done the obvious way: a first fit tries every address
``0..2^width``, a map's state is a plain list of segments (each with its
attribute word), a symbolic map is every list of entries with every attribute
word its ``attrs`` allows, a quantifier or an aggregate visits every segment, a
set of addresses is a list of intervals.

Repetition (``for`` ... ``end``, ``fragment``/``use``, integer quantifiers) is
expanded by the front end: the resolved model has one plain line per repetition
(``line.rep`` says which), so each repetition's ``anywhere`` choice is a slot of
its own and its findings are those of the line's sites.

SPEC QUESTIONS: places where docs/language.md is ambiguous or silent, with the
reading this interpreter takes.

Q1. Model-level assumptions and findings at ``init``. The initial state is built
    (regions, pools, vars) *before* the assumptions are evaluated, and a run
    "reaches" init before it stops there; but "configurations where it is false
    do not exist" and "a run is a path executed on one configuration". Reading
    taken: a configuration whose model-level assumptions are false has no run at
    all, so a wrap or a malformed region in a global declaration is a finding
    only for configurations that exist (this is what makes ``assume`` able to
    guard a global region's arithmetic). The assumptions are all evaluated (each
    is a site) and any false one removes the configuration.
Q2. (Settled by the doc while this was written: an operation with a tainted
    operand is tainted and never a new wrap, "one cause, one finding".)
Q3. ``nowrap([lo, hi))`` with a range literal whose bounds wrapped: "never
    tainted by its argument" vs "a property is false when anything it evaluated
    is tainted". Reading taken: ``nowrap``'s argument is taint-isolated whatever
    it is (name or literal): ``nowrap([x - 1, x))`` at ``x = 0`` is false and
    untainted, so its negation holds. (In an action the literal's wrap is still a
    ``wrap@`` finding of the line.)
Q4. (Settled by the doc since this was written: ``where PRED`` is evaluated, when
    the policy is tried, once for every segment of the map whose type is listed; a
    wrap in it is a finding of the line, a taint in it taints the placed region.
    This interpreter evaluates them in address order.)
Q5. The counterexample key has "the anywhere choices ordered by line, column and
    policy position of their placement", but a run does not make every choice (a
    placement on another path, a fallback not tried, a placement after the
    failing event). Reading taken: the key has one slot per ``anywhere`` policy
    of the whole model (all stages), sorted by (line, column, policy index); a
    slot the run did not use *up to the failing event* is 0 (any value gives the
    same failure, and 0 is the smallest).
Q6. (Settled by the doc since: a pool's whole range is avoided.) ``avoid all``
    "means every region live before this action": pools are
    regions (``pool`` is "a global region [LO, HI)") so their whole ranges are
    avoided too; so are empty regions (which meet nothing anyway).
Q7. The ``end`` event of a path that ends early evaluates the successors'
    guards. Reading taken: every successor's guard is evaluated (in declaration
    order, not stopping at the first true one), so a wrap in any of them is a
    finding at that ``end`` event.
Q8. Taint of a placement made by a fallback: settled by the doc ("the
    expressions, obstacles and map segments of every policy it tried"): what a
    policy that found no room read taints the placement the fallback makes,
    including the empty region of 'else none'.
Q9. Which events are "action events": every line of a stage body (action,
    ``assume``, ``assert``, ``pool``, as the Actions table lists them all), so
    ``always`` checks the state after an ``assert`` or a true ``assume`` too,
    and ``during S`` / ``after S`` count them. ``enter S`` is never checked by
    ``always`` (its state is the one already checked before it).
Q10. (Settled by the doc since, for the global form too.)
    ``region NAME size X at Y`` and ``at EXPR``: the end ``Y + X`` is a bound,
    not an arithmetic operation: leaving the address space is a ``region@``
    finding, not a ``wrap@`` (the doc says so for ``at`` and pools; read the same
    for the global form).
Q11. A pool's cursor: settled by the doc ("the cursor is tainted when P is not
    well-formed").
Q12. ``capacity(P)``: "every live region allocated from P" is read as every live
    region whose latest placement (place, copy or move) used ``from P``; a region
    later moved by another policy no longer counts. It reads each such region and
    P itself, so a malformed one taints it.
Q13. ``move R`` with ``avoid R``: settled by the doc ("`avoid all` does not avoid
    it, `avoid R` (naming it) does").
Q14. (Settled by the doc while this was written: a start must also satisfy
    ``c <= 2^width``, which matters when a tainted size is negative.)
Q15. An inclusive range literal ``[lo, hi]`` used as a region (the grammar allows
    it everywhere, the doc says inclusive ranges are for parameters) is read as
    ``[lo, hi + 1)``.
Q16. ``within REGION`` / ``within [lo, hi)`` clause: a named region that is not
    well-formed taints the placement (when that policy is the one that found
    room, Q8); a literal taints it only when a bound is tainted (an inverted
    literal just leaves no room).
Q17. ``reserve R in M`` with R malformed because it is inverted: "nothing
    changes" for the segments, but "a malformed region was reserved into it", so
    the map is tainted from there on.
Q18. The "state at the end event" of a normal path (last stage has no successor)
    always exists for a run that reaches it; for a path that ends early it exists
    only when no successor's guard holds.
Q19. BS126 (mixed lifetimes inside one compound conjunct) is a refusal of the
    front end/engine; this interpreter does not check it and evaluates such a
    conjunct wherever all the regions it names are live.
Q20. Pool arithmetic "their operands are the size and the cursor": for ``up``
    the arithmetic is ``align_up(cursor, A)``, which does not read the size;
    reading taken: a tainted size still counts as a tainted operand there (so a
    wrap of ``align_up`` with a tainted size is not a new finding).
Q21. (Settled by the doc: BS114 is gone, map-type predicates "may be used
    anywhere a predicate may: negated, as conditions, in assumes and guards". They
    are evaluated like any predicate: in an ``assume``, a guard, a ``where`` or an
    ``if`` their value is used as computed, in a property or an assert a taint
    (a malformed region, a map a malformed region was reserved into) makes the
    whole predicate false, whatever the polarity.)
Q22. ``during S`` for a stage with no action checks "S's entry state", but
    states are "observed after init and after each action event": the entry
    state is taken at the ``enter S`` event (its index is the counterexample's).
Q23. ``translate SRC to DST`` "replaces DST's state by SRC's segments": the doc
    does not say what happens to a map's taint (a malformed region reserved into
    it). Reading taken: the taint is part of the state, so DST's taint becomes
    SRC's: SRC's taint is carried into DST, and a taint DST had from an earlier
    reserve is gone with its old segments. ``convert`` keeps the map's taint.
Q24. (Settled by the doc since this was written: ``sum``'s x is evaluated only
    for the segments where p holds, as C's ``if (p) s += x``; p for every listed
    segment.)
Q25. ``count(...)`` is not an arithmetic result (only "sum is ... checked like
    +"): it is never a wrap and never tainted by its own value (it is at most the
    number of segments). ``sum`` is checked once, on its total (the same as
    checking every partial sum, since every untainted value is >= 0); it is
    tainted (never a new wrap) when the map, any ``where`` or any ``x`` was.
Q26. Region sets vs the Predicates table: ``within(a, b)`` of two plain regions
    is "a is empty, or b.start <= a.start and a.end <= b.end" in the table, but
    the region-set paragraph says ``within(X, Y)`` holds "when every address of X
    is in Y ... inverted regions add no address". They differ for an inverted
    (so tainted) ``a`` in an action or a guard, where the value is used: the table
    says false unless b's bounds enclose both of a's, set semantics says true.
    Reading taken: two plain regions (names or range literals) keep the table's
    rule; set semantics applies when an argument is a ``union``/``minus``
    (``disjoint`` is the same under both readings). The front end also accepts a
    set as the region of a map predicate (``within(X minus Y, M types {t})``,
    ``outside(...)``): read with set semantics (every address of X in / no
    address of X in a segment of those types).
Q27. Inside ``uN(...)``, "after each operation the result is reduced into
    [0, 2^N)": (a) every integer result of an operation or function inside is
    reduced (``+ - * / % & | ^ ~ << >>``, ``align_up``, ``align_down``, ``min``,
    ``max``, ``count``, ``sum``; ``& | ^`` computed unbounded then reduced, which
    is the N-bit operation); numbers, names and fields read inside are not reduced
    until an operation uses them (``u8(300 / 2)`` is 150, not 22), and the value of
    ``uN(x)`` itself is reduced (``u8(300)`` is 44). ``a / 0`` and a negative shift
    give 0 there, with no finding. (b) The result of ``uN`` is not checked against
    [0, 2^width]: ``u16(x)`` in an 8-bit model can be an untainted 1000 (the next
    checked operation on it wraps).
Q28. (Settled by the doc since this was written: every repetition of an assert is
    an obligation of its own; the front end names unnamed ones
    ``assert@STAGE:LINE[v]``.)
Q29. Attribute bit tests. (The doc changed while this was written: ``& | ^``
    took their operands modulo 2^(width+2), which hid attribute bits at or above
    width+2; they are now two's complement of unbounded width, so attribute words
    are exact.) But the result is still "checked like any arithmetic": ``(entry.attrs & 16384) !=
    0`` (XP, bit 14) at width 8, or ``(e.attrs & 0x8000000000000000) != 0`` (RUN)
    at width 32, is a wrap (a finding of the line in a ``where``, an ``assume``, a
    guard) and tainted (false in a property or an assert) for every segment that
    has the bit, since the result 2^bit exceeds 2^width. Reading taken: as
    written; such a test has to be written ``u64(e.attrs & BIT) != 0`` (no check
    inside uN). Intended? (``1 << 63`` as the mask wraps at width 32 too.)
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Callable, Iterator
from typing import Any, assert_never

from bootspec.lang import ast as A
from bootspec.lang import ir
from bootspec.lang.vocab import Status
from bootspec.memtypes import attr_bit

BUDGET = 2_000_000          # runs (configurations x paths x choices) before TooLarge
MAX_FIT_WIDTH = 16          # a first fit tries every address; wider models are TooLarge
MAX_SHIFT = 4096            # a left shift by more (of a non-zero value) is TooLarge
MODULAR = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}

SITE_RE = re.compile(r"^(fits|wrap|region)@([A-Za-z0-9_.\-]+:)?L[0-9]+$")


@dataclasses.dataclass(frozen=True)
class RefVerdict:
    status: Status                   # never "unknown": the interpreter runs every input
    path: tuple[str, ...] | None     # stages of the canonical counterexample's path
    event: int | None                # its event index on that path (init = 0)
    key: tuple[int, ...] | None      # parameters in declaration order, then anywhere choices
    cause: str = ""                  # for vacuous: a short reason


class TooLarge(Exception):
    """The model's input space is too large to enumerate."""


class RefError(Exception):
    """The model does something the front end should have refused (e.g. reads a dead region)."""


# ------------------------------------------------------------------ state


@dataclasses.dataclass(frozen=True)
class Reg:
    """A live region in a state: its bounds as computed, whether they are tainted, and
    the pool it was allocated from (for capacity)."""

    start: int
    end: int
    tainted: bool
    pool: str | None = None


Seg = tuple[int, int, str, int]   # a map segment: start, end, type, attribute word


@dataclasses.dataclass
class State:
    regions: dict[str, Reg]                              # live regions (pools included)
    cursors: dict[str, tuple[int, bool]]                 # pool -> (cursor, tainted)
    vars: dict[str, tuple[Any, bool]]                    # var/flag -> (value, tainted)
    maps: dict[str, tuple[tuple[Seg, ...], bool]]       # map -> (segments, tainted)

    def copy(self) -> State:
        return State(dict(self.regions), dict(self.cursors), dict(self.vars), dict(self.maps))


def meets(a0: int, a1: int, b0: int, b1: int) -> bool:
    """NOTE(ranges): two ranges meet when they share an address."""
    return a0 < a1 and b0 < b1 and a0 < b1 and b0 < a1


# ------------------------------------------------------------------ sites


def site_name(model: ir.Model, kind: str, span: Any) -> str:
    """``KIND@L<n>``, or ``KIND@FILE:L<n>`` for a line of another file than the model's."""
    if span.path == model.path:
        return f"{kind}@L{span.line}"
    return f"{kind}@{os.path.basename(span.path)}:L{span.line}"


def site_loc(model: ir.Model, span: Any) -> tuple[str | None, int]:
    """Where a line is, as a site name's location part: (file or None, line)."""
    return (None if span.path == model.path else os.path.basename(span.path), span.line)


def parse_site(name: str) -> tuple[str, tuple[str | None, int]] | None:
    """``fits@L12`` -> ("fits", (None, 12)); ``wrap@base.boot:L3`` -> ("wrap", ("base.boot", 3))."""
    if not SITE_RE.match(name):
        return None
    kind, rest = name.split("@", 1)
    if ":" in rest:
        f, ln = rest.rsplit(":", 1)
        return kind, (f, int(ln[1:]))
    return kind, (None, int(rest[1:]))


# ------------------------------------------------------------------ evaluation


@dataclasses.dataclass
class Ctx:
    """Where an expression is evaluated.

    ``sink`` is None in a property or an assert (a wrap only taints); in an action or
    declaration it collects the findings of ``line`` (a wrap is a ``wrap@`` finding).
    ``bound`` holds the map segments in scope: ``entry`` in a first fit's ``where``, a
    quantifier's or an aggregate's variable; each is (start, end, attrs, tainted).
    ``mod`` is 2^N inside ``uN(...)``: every operation is taken modulo it, none wraps.
    """

    state: State
    params: dict[str, int]
    sink: list[str] | None = None
    line: Any = None
    bound: dict[str, tuple[int, int, int, bool]] = dataclasses.field(default_factory=dict)
    mod: int | None = None


class Interp:
    """The meaning of expressions, predicates and actions for one model."""

    def __init__(self, model: ir.Model):
        self.m = model
        self.top = 1 << model.width
        self.params = {p.name: p for p in model.params}
        self.slots = anywhere_slots(model)

    # -- helpers
    def wellformed(self, s: int, e: int, tainted: bool) -> bool:
        return not tainted and 0 <= s <= e <= self.top

    def reg_ok(self, r: Reg) -> bool:
        return self.wellformed(r.start, r.end, r.tainted)

    def wrap(self, c: Ctx, value: int, tainted: bool) -> tuple[int, bool]:
        """The check every arithmetic or bitwise result and align_up makes. Inside
        ``uN(...)`` the result is reduced modulo 2^N instead, and nothing wraps."""
        if c.mod is not None:
            return value % c.mod, tainted
        if 0 <= value <= self.top:
            return value, tainted
        if not tainted and c.sink is not None:   # a tainted operand is never a new wrap
            c.sink.append(site_name(self.m, "wrap", c.line.span))
        return value, True

    def fault(self, c: Ctx, tainted: bool) -> tuple[int, bool]:
        """``a / 0``, ``a % 0`` and a shift by ``k < 0``: a wrap whose value is 0 (inside
        ``uN(...)``: just 0, untainted unless an operand was)."""
        if c.mod is not None:
            return 0, tainted
        if not tainted and c.sink is not None:
            c.sink.append(site_name(self.m, "wrap", c.line.span))
        return 0, True

    def live(self, c: Ctx, name: str) -> Reg:
        r = c.state.regions.get(name)
        if r is None:
            raise RefError(f"region '{name}' is read where it is not live")
        return r

    # -- expressions: each returns (value, tainted), tainted = anything evaluated was
    def ev(self, e: A.Expr, c: Ctx) -> tuple[Any, bool]:
        if isinstance(e, A.Num):
            return e.value, False
        if isinstance(e, A.BoolLit):
            return e.value, False
        if isinstance(e, A.Name):
            sym = self.m.symbols[e.id]
            if sym.kind in ("const", "enumval"):
                return sym.value, False
            if sym.kind == "param":
                v = c.params[e.id]
                return (bool(v) if self.params[e.id].kind == "bool" else v), False
            if sym.kind == "var":
                return c.state.vars[e.id]
            raise RefError(f"'{e.id}' ({sym.kind}) used as a value")
        if isinstance(e, A.Attr):
            if e.base in c.bound and e.base not in self.m.symbols:   # a map segment
                p0, p1, word, t = c.bound[e.base]
                return {"start": p0, "end": p1, "size": p1 - p0, "attrs": word}[e.field], t
            if e.field == "cursor":
                if e.base not in c.state.cursors:
                    raise RefError(f"pool '{e.base}' is read where it is not live")
                return c.state.cursors[e.base]
            r = self.live(c, e.base)
            v = {"start": r.start, "end": r.end, "size": r.end - r.start}[e.field]
            return v, not self.reg_ok(r)
        if isinstance(e, A.BinOp):
            lv, lt = self.ev(e.left, c)
            rv, rt = self.ev(e.right, c)
            return self.binop(e.op, lv, rv, lt or rt, c)
        if isinstance(e, A.BitNot):
            v, t = self.ev(e.operand, c)
            if c.mod is not None:   # 2^N - 1 - a mod 2^N
                return (c.mod - 1 - v) % c.mod, t
            return self.wrap(c, (self.top - 1) - v, t)
        if isinstance(e, A.Compare):
            lv, lt = self.ev(e.left, c)
            rv, rt = self.ev(e.right, c)
            v = {"==": lv == rv, "!=": lv != rv, "<": lv < rv, "<=": lv <= rv,
                 ">": lv > rv, ">=": lv >= rv}[e.op]
            return v, lt or rt
        if isinstance(e, A.Not):
            v, t = self.ev(e.operand, c)
            return (not v), t
        if isinstance(e, A.BoolOp):
            return self.boolop(e, c)
        if isinstance(e, A.Ite):
            cv, ct = self.ev(e.cond, c)
            v, t = self.ev(e.then if cv else e.other, c)
            return v, ct or t
        if isinstance(e, A.Call):
            return self.call(e, c)
        if isinstance(e, A.Quant):
            return self.quant(e, c)
        if isinstance(e, A.Aggregate):
            return self.aggregate(e, c)
        if isinstance(e, A.RangeLit | A.MapTypes | A.RegionSet):
            raise RefError(f"cannot evaluate {type(e).__name__} here")
        assert_never(e)  # an expression kind this interpreter does not know: a type error

    def binop(self, op: str, lv: int, rv: int, t: bool, c: Ctx) -> tuple[int, bool]:
        """``+ - * / % & | ^ << >>`` on two values (docs: Expressions, C arithmetic)."""
        if op == "+":
            return self.wrap(c, lv + rv, t)
        if op == "-":
            return self.wrap(c, lv - rv, t)
        if op == "*":
            return self.wrap(c, lv * rv, t)
        if op in ("/", "%"):
            if rv == 0:
                return self.fault(c, t)
            return self.wrap(c, lv // rv if op == "/" else lv % rv, t)
        if op in ("&", "|", "^"):
            # two's complement of unbounded width, as Python's integers (a negative,
            # tainted operand has infinitely many leading ones); inside uN the result
            # is then reduced modulo 2^N, which is the N-bit operation
            return self.wrap(c, lv & rv if op == "&" else lv | rv if op == "|" else lv ^ rv, t)
        if op in ("<<", ">>"):   # k: a constant or a parameter, so never tainted itself
            if rv < 0:
                return self.fault(c, t)
            if op == ">>":
                return self.wrap(c, lv >> rv, t)        # floor(a / 2^k)
            if c.mod is not None:
                return self.wrap(c, lv * pow(2, rv, c.mod), t)
            if lv != 0 and rv > MAX_SHIFT:
                raise TooLarge(f"a left shift by {rv}")
            return self.wrap(c, lv << rv, t)            # a * 2^k
        raise RefError(f"unknown operator {op}")

    def boolop(self, e: A.BoolOp, c: Ctx) -> tuple[bool, bool]:
        """Lazy, left to right: an operand not evaluated has no value and no taint."""
        taint = False
        if e.op == "and":
            for x in e.operands:
                v, t = self.ev(x, c)
                taint = taint or t
                if not v:
                    return False, taint
            return True, taint
        if e.op == "or":
            for x in e.operands:
                v, t = self.ev(x, c)
                taint = taint or t
                if v:
                    return True, taint
            return False, taint
        if e.op == "implies":
            p, pt = self.ev(e.operands[0], c)
            if not p:
                return True, pt
            q, qt = self.ev(e.operands[1], c)
            return bool(q), pt or qt
        raise RefError(f"unknown logic operator {e.op}")

    # -- quantifiers and aggregates over a map's segments
    def segments(self, c: Ctx, mapname: str, types: tuple[str, ...]) -> tuple[list[Seg], bool]:
        """The segments of a map's current state (address order) of the listed types (all
        when none is listed), and whether the map is tainted."""
        segs, tainted = c.state.maps[mapname]
        return [x for x in sorted(segs) if not types or x[2] in types], tainted

    def each_segment(self, c: Ctx, var: str, mapname: str, types: tuple[str, ...]
                     ) -> Iterator[Ctx]:
        """A context per segment (address order) with ``var`` bound to it; reading its
        fields is tainted when the map is."""
        segs, mt = self.segments(c, mapname, types)
        for p0, p1, _, word in segs:
            yield dataclasses.replace(c, bound={**c.bound, var: (p0, p1, word, mt)})

    def quant(self, e: A.Quant, c: Ctx) -> tuple[bool, bool]:
        """``forall``/``exists`` over segments: the body is evaluated for every segment
        (not lazily); any taint (the map's too) taints the result."""
        if e.map is None:
            raise RefError("an integer quantifier was not expanded by the front end")
        _, taint = c.state.maps[e.map]
        vals = []
        for sc in self.each_segment(c, e.var, e.map, e.types):
            v, t = self.ev(e.body, sc)
            vals.append(bool(v))
            taint = taint or t
        return (all(vals) if e.kind == "forall" else any(vals)), taint

    def aggregate(self, e: A.Aggregate, c: Ctx) -> tuple[int, bool]:
        """``count``/``sum``: ``where`` evaluated for every segment of the listed types,
        sum's value only where it holds (Q24); sum is checked like ``+``; count is not
        arithmetic (Q25)."""
        _, taint = c.state.maps[e.map]
        n = total = 0
        for sc in self.each_segment(c, e.var, e.map, e.types):
            ok = True
            if e.where is not None:
                w, wt = self.ev(e.where, sc)
                ok, taint = bool(w), taint or wt
            if e.kind == "sum":
                assert e.value is not None
                if ok:
                    x, xt = self.ev(e.value, sc)
                    taint = taint or xt
                    total += x
            elif ok:
                n += 1
        if e.kind == "count":
            return (n % c.mod if c.mod is not None else n), taint
        return self.wrap(c, total, taint)

    # -- region arguments and sets of addresses
    def region_arg(self, e: A.Expr, c: Ctx) -> tuple[int, int, bool]:
        """A region argument: (start, end, tainted) where tainted = not well-formed."""
        if isinstance(e, A.Name):
            r = self.live(c, e.id)
            return r.start, r.end, not self.reg_ok(r)
        if isinstance(e, A.RangeLit):
            lo, lt = self.ev(e.lo, c)
            hi, ht = self.ev(e.hi, c)
            if e.inclusive:  # Q15
                hi += 1
            return lo, hi, not self.wellformed(lo, hi, lt or ht)
        raise RefError(f"not a region: {type(e).__name__}")

    def addr_set(self, e: A.Expr, c: Ctx) -> tuple[list[tuple[int, int]], bool]:
        """A region, a range literal or ``X union Y`` / ``X minus Y``: the addresses, as
        sorted disjoint half-open intervals; empty and inverted regions add none."""
        if isinstance(e, A.RegionSet):
            a, at = self.addr_set(e.left, c)
            b, bt = self.addr_set(e.right, c)
            return (ivs_union(a, b) if e.op == "union" else ivs_minus(a, b)), at or bt
        s, en, t = self.region_arg(e, c)
        return ([(s, en)] if s < en else []), t

    def call(self, e: A.Call, c: Ctx) -> tuple[Any, bool]:
        fn, args = e.fn, e.args
        if fn in MODULAR:
            mod = 1 << MODULAR[fn]
            v, t = self.ev(args[0], dataclasses.replace(c, mod=mod))
            return v % mod, t          # values read inside keep their taint
        if fn in ("min", "max"):
            vals = [self.ev(a, c) for a in args]
            v = (min if fn == "min" else max)(x for x, _ in vals)
            t = any(t for _, t in vals)
            return (v % c.mod if c.mod is not None else v), t   # Q27
        if fn in ("align_up", "align_down"):
            x, xt = self.ev(args[0], c)
            a, at = self.ev(args[1], c)
            if fn == "align_down":   # not a checked operation (docs: wraps and taint)
                v = x - x % a
                return (v % c.mod if c.mod is not None else v), xt or at
            return self.wrap(c, -(-x // a) * a, xt or at)
        if fn in ("within", "disjoint", "outside") and any(isinstance(a, A.MapTypes) for a in args):
            addrs, t = self.addr_set(args[0], c)
            mt = args[1]
            assert isinstance(mt, A.MapTypes)
            segs, mtaint = self.segments(c, mt.map, mt.types)
            mem = ivs_union([], [(p0, p1) for p0, p1, _, _ in segs])
            v = not (ivs_minus(addrs, mem) if fn == "within" else ivs_meet(addrs, mem))
            return v, t or mtaint
        sets = any(isinstance(a, A.RegionSet) for a in args)
        if fn == "disjoint" and sets:   # set semantics
            sets_ = [self.addr_set(a, c) for a in args]
            v = all(not ivs_meet(sets_[i][0], sets_[j][0])
                    for i in range(len(sets_)) for j in range(i + 1, len(sets_)))
            return v, any(x[1] for x in sets_)
        if fn == "within" and sets:
            a, at = self.addr_set(args[0], c)
            b, bt = self.addr_set(args[1], c)
            return (not ivs_minus(a, b)), at or bt
        if fn == "disjoint":
            regs = [self.region_arg(a, c) for a in args]
            v = all(not meets(regs[i][0], regs[i][1], regs[j][0], regs[j][1])
                    for i in range(len(regs)) for j in range(i + 1, len(regs)))
            return v, any(r[2] for r in regs)
        if fn == "within":   # Q26: two plain regions keep the table's rule
            a0, a1, at = self.region_arg(args[0], c)
            b0, b1, bt = self.region_arg(args[1], c)
            return (a0 == a1 or (b0 <= a0 and a1 <= b1)), at or bt
        if fn in ("below", "above", "aligned"):
            s, en, t = self.region_arg(args[0], c)
            x, xt = self.ev(args[1], c)
            if fn == "below":
                v = s == en or en <= x
            elif fn == "above":
                v = s == en or s >= x
            else:
                v = s % x == 0
            return v, t or xt
        if fn == "nowrap":
            _, _, t = self.region_arg(args[0], c)
            return (not t), False   # Q3: never tainted by its argument
        if fn == "capacity":
            pool = args[0]
            assert isinstance(pool, A.Name)
            p = self.live(c, pool.id)
            taint = not self.reg_ok(p)
            ok = True
            for r in c.state.regions.values():
                if r.pool != pool.id:
                    continue
                taint = taint or not self.reg_ok(r)
                if r.start != r.end and not (p.start <= r.start and r.end <= p.end):
                    ok = False
            return ok, taint
        if fn == "equal":
            x, xt = self.ev(args[0], c)
            y, yt = self.ev(args[1], c)
            return x == y, xt or yt
        raise RefError(f"unknown function {fn}")

    # -- a property or an assert: false when false or anything evaluated is tainted
    def holds(self, pred: A.Expr, state: State, params: dict[str, int]) -> bool:
        v, t = self.ev(pred, Ctx(state, params))
        return bool(v) and not t

    # -- placements
    def fit(self, c: Ctx, pol: A.Fit, size: int, me: str, pidx: int, line: A.Line
            ) -> tuple[list[int], bool, int | None]:
        """Every start satisfying a first-fit policy's clauses (ascending), the taint of
        what the clauses read, and the anywhere slot (or None)."""
        if self.top > (1 << MAX_FIT_WIDTH):
            raise TooLarge(f"a first fit at width {self.m.width}")
        taint = False
        lo, hi, align = 0, self.top, 1
        within_name: str | None = None
        avoid_names: list[str] = []
        avoid_all = False
        in_map: A.InMap | None = None
        for cl in pol.clauses:   # clause values, left to right, in the state before the action
            match cl:
                case A.Within():
                    if isinstance(cl.region, str):
                        r = self.live(c, cl.region)
                        within_name = cl.region
                        ws, we, wt = r.start, r.end, not self.reg_ok(r)
                    else:
                        ws, wt1 = self.ev(cl.region.lo, c)
                        we, wt2 = self.ev(cl.region.hi, c)
                        if cl.region.inclusive:
                            we += 1
                        wt = wt1 or wt2
                    lo, hi, taint = max(lo, ws), min(hi, we), taint or wt
                case A.Above():
                    x, t = self.ev(cl.expr, c)
                    lo, taint = max(lo, x), taint or t
                case A.Below():
                    x, t = self.ev(cl.expr, c)
                    hi, taint = min(hi, x), taint or t
                case A.Align():
                    align, t = self.ev(cl.expr, c)
                    taint = taint or t
                case A.Avoid():
                    if cl.all:
                        avoid_all = True
                    else:
                        avoid_names.extend(cl.names)
                case A.InMap():
                    in_map = cl
                case _:
                    assert_never(cl)
        # obstacles
        if avoid_all:
            names = [n for n in c.state.regions if n != me and n != within_name]
        else:
            names = list(avoid_names)   # Q13: 'avoid R' in a move avoids R's old range
        obstacles = []
        for n in names:
            r = self.live(c, n)
            taint = taint or not self.reg_ok(r)
            obstacles.append((r.start, r.end))
        # map segments with their where
        segs: list[tuple[int, int]] | None = None
        if in_map is not None:
            listed, mtaint = self.segments(c, in_map.map, in_map.types)
            taint = taint or mtaint
            segs = []
            for p0, p1, _, word in listed:
                ok = True
                if in_map.where is not None:   # Q4
                    wc = dataclasses.replace(c, bound={**c.bound, "entry": (p0, p1, word, mtaint)})
                    v, t = self.ev(in_map.where, wc)
                    ok, taint = bool(v), taint or t
                if ok:
                    segs.append((p0, p1))
        starts = []
        for s in range(lo, self.top + 1):   # every address from lo, plainly
            if s + size > hi:
                break                       # and so for every larger s
            if s % align != 0:
                continue
            e = s + size
            ok = True
            for o0, o1 in obstacles:
                if meets(s, e, o0, o1):
                    ok = False
                    break
            if ok and segs is not None:
                ok = False
                for p0, p1 in segs:
                    if p0 <= s and e <= p1:
                        ok = True
                        break
            if ok:
                starts.append(s)
        slot = self.slots.get((id(line), pidx)) if isinstance(pol, A.Anywhere) else None
        return starts, taint, slot

    def place(self, c: Ctx, line: A.Line, region: str, size: int, size_t: bool,
              policies: tuple[A.Policy, ...], choices: dict[int, int]
              ) -> list[tuple[State, dict[int, int]]] | None:
        """Place ``region`` by the policies in the state of ``c``; the states after (one
        per anywhere choice), or None when no policy finds room (a fits@ finding)."""
        for k, pol in enumerate(policies):
            if isinstance(pol, A.NoneFallback):
                return [(self.put(c, region, 0, 0, size_t, None), choices)]
            if isinstance(pol, A.At):
                s, t = self.ev(pol.at, c)
                return [(self.put(c, region, s, s + size, t or size_t, None), choices)]
            if isinstance(pol, A.FromPool):
                cur, cur_t = c.state.cursors[pol.pool]
                a, at = self.ev(pol.align, c) if pol.align is not None else (1, False)
                if self.m.pool_direction(pol.pool) == "down":
                    v, vt = self.wrap(c, cur - size, cur_t or size_t)
                    s = v - v % a
                    taint = vt or at
                    end = s + size
                    st = self.put(c, region, s, end, taint, pol.pool)
                    st.cursors[pol.pool] = (s, not self.wellformed(s, end, taint))
                else:
                    # Q20: the doc names the size and the cursor as the pool
                    # arithmetic's operands, for align_up(cursor, A) too
                    s, taint = self.wrap(c, -(-cur // a) * a, cur_t or at or size_t)
                    end = s + size
                    st = self.put(c, region, s, end, taint, pol.pool)
                    st.cursors[pol.pool] = (end, not self.wellformed(s, end, taint))
                return [(st, choices)]
            if not isinstance(pol, A.Fit):
                assert_never(pol)  # a policy this interpreter does not know: a type error
            starts, taint, slot = self.fit(c, pol, size, region, k, line)
            if not starts:
                # Q8: a fallback is taken because of what this policy found: its taint
                # taints whatever the placement ends up being
                size_t = size_t or taint
                continue
            taint = taint or size_t
            if isinstance(pol, A.TopDown):
                return [(self.put(c, region, starts[-1], starts[-1] + size, taint, None), choices)]
            if isinstance(pol, A.BottomUp):
                return [(self.put(c, region, starts[0], starts[0] + size, taint, None), choices)]
            if isinstance(pol, A.Anywhere):
                assert slot is not None
                return [(self.put(c, region, s, s + size, taint, None), {**choices, slot: s})
                        for s in starts]
            assert_never(pol)
        return None

    def put(self, c: Ctx, region: str, s: int, e: int, tainted: bool, pool: str | None) -> State:
        """A copy of the state with ``region`` live at [s, e); a region@ finding when its
        bounds are untainted but leave the address space or are inverted."""
        if not tainted and not self.wellformed(s, e, False) and c.sink is not None:
            c.sink.append(site_name(self.m, "region", c.line.span))
        st = c.state.copy()
        st.regions[region] = Reg(s, e, tainted, pool)
        return st

    def make_pool(self, c: Ctx, d: A.PoolDecl) -> State:
        lo, lt = self.ev(d.range.lo, c)
        hi, ht = self.ev(d.range.hi, c)
        if d.range.inclusive:
            hi += 1
        st = self.put(c, d.name, lo, hi, lt or ht, None)
        bad = not self.wellformed(lo, hi, lt or ht)   # Q11: a malformed pool taints its cursor
        st.cursors[d.name] = (hi, bad) if d.direction == "down" else (lo, bad)
        return st

    # -- one stage line: the outcomes (state after or None, choices), assert result
    def action(self, line: A.Action, state: State, params: dict[str, int], choices: dict[int, int]
               ) -> tuple[list[str], list[tuple[State | None, dict[int, int]]], bool | None]:
        sink: list[str] = []
        c = Ctx(state, params, sink, line)
        if isinstance(line, A.AssertLine):
            return [], [(state, choices)], self.holds(line.pred, state, params)
        if isinstance(line, A.Assume):
            v, _ = self.ev(line.pred, c)
            return sink, [(state if v else None, choices)], None
        if isinstance(line, A.SetVar):
            v = self.ev(line.value, c)
            st = state.copy()
            st.vars[line.name] = v
            return sink, [(st, choices)], None
        if isinstance(line, A.Free):
            st = state.copy()
            if line.region not in st.regions:
                raise RefError(f"free of '{line.region}', which is not live")
            del st.regions[line.region]
            st.cursors.pop(line.region, None)
            return sink, [(st, choices)], None
        if isinstance(line, A.Reserve):
            r = self.live(c, line.region)
            segs, mt = state.maps[line.map]
            new_t = mt or not self.reg_ok(r)     # Q17
            if r.start < r.end:
                word = 0   # the reserved segment's attribute word: 0 unless attrs {...}
                for name in line.attrs:
                    bit = attr_bit(name)
                    if bit is None:
                        raise RefError(f"unknown attribute '{name}'")
                    word |= 1 << bit
                cut: list[Seg] = []
                for s, e, ty, w in segs:
                    if meets(s, e, r.start, r.end):
                        if s < r.start:
                            cut.append((s, r.start, ty, w))
                        if r.end < e:
                            cut.append((r.end, e, ty, w))
                    else:
                        cut.append((s, e, ty, w))
                cut.append((r.start, r.end, line.type, word))
                segs = tuple(sorted(cut))
            st = state.copy()
            st.maps[line.map] = (segs, new_t)
            return sink, [(st, choices)], None
        if isinstance(line, A.Convert):
            segs, mt = state.maps[line.map]
            st = state.copy()
            st.maps[line.map] = (tuple((s, e, line.to if ty in line.types else ty, w)
                                       for s, e, ty, w in segs), mt)
            return sink, [(st, choices)], None
        if isinstance(line, A.Translate):
            segs, mt = state.maps[line.src]
            table = dict(line.table)
            st = state.copy()   # Q23: DST's state, taint included, becomes SRC's
            st.maps[line.dst] = (tuple((s, e, table[ty], w) for s, e, ty, w in segs
                                       if ty in table), mt)
            return sink, [(st, choices)], None
        if isinstance(line, A.PoolDecl):
            return sink, [(self.make_pool(c, line), choices)], None
        if isinstance(line, A.Place) and line.range is not None:
            lo, lt = self.ev(line.range.lo, c)
            hi, ht = self.ev(line.range.hi, c)
            if line.range.inclusive:
                hi += 1
            return sink, [(self.put(c, line.region, lo, hi, lt or ht, None), choices)], None
        if isinstance(line, A.Place | A.Copy | A.Move):
            if isinstance(line, A.Place):
                assert line.size is not None
                region = line.region
                size, size_t = self.ev(line.size, c)
            else:
                src = line.src if isinstance(line, A.Copy) else line.region
                region = line.dst if isinstance(line, A.Copy) else line.region
                r = self.live(c, src)
                size, size_t = r.end - r.start, not self.reg_ok(r)
            outs = self.place(c, line, region, size, size_t, line.policies, choices)
            if outs is None:
                sink.append(site_name(self.m, "fits", line.span))
                return sink, [(None, choices)], None
            return sink, list(outs), None
        assert_never(line)  # an action this interpreter does not know: a type error

    # -- the initial state of one configuration
    def initial(self, params: dict[str, int], maps: dict[str, tuple[Seg, ...]]
                ) -> tuple[list[str], State, bool]:
        """(findings, initial state, whether the configuration exists)."""
        st = State({}, {}, {}, {name: (segs, False) for name, segs in maps.items()})
        findings: list[str] = []
        for d in self.m.regions:
            c = Ctx(st, params, findings, d)
            if d.range is not None:
                lo, lt = self.ev(d.range.lo, c)
                hi, ht = self.ev(d.range.hi, c)
                if d.range.inclusive:
                    hi += 1
                st = self.put(c, d.name, lo, hi, lt or ht, None)
            else:
                assert d.size is not None and d.at is not None
                size, szt = self.ev(d.size, c)
                at, att = self.ev(d.at, c)
                st = self.put(c, d.name, at, at + size, szt or att, None)   # Q10
        for p in self.m.pools:
            st = self.make_pool(Ctx(st, params, findings, p), p)
        for v in self.m.vars:
            val = self.ev(v.value, Ctx(st, params, findings, v))
            st = st.copy()
            st.vars[v.name] = val
        exists = True
        for a in self.m.assumes:
            val, _ = self.ev(a.pred, Ctx(st, params, findings, a))
            exists = exists and bool(val)
        return findings, st, exists


# sets of addresses: sorted, disjoint, non-empty half-open intervals [s, e)

def ivs_union(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(x for x in a + b if x[0] < x[1]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def ivs_minus(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The addresses of a that are not in b."""
    out = []
    for s, e in a:
        pieces = [(s, e)]
        for b0, b1 in b:
            nxt = []
            for p0, p1 in pieces:
                if p0 < b0:
                    nxt.append((p0, min(p1, b0)))
                if b1 < p1:
                    nxt.append((max(p0, b1), p1))
            pieces = [x for x in nxt if x[0] < x[1]]
        out += pieces
    return ivs_union(out, [])


def ivs_meet(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    """Some address is in both."""
    return any(meets(a0, a1, b0, b1) for a0, a1 in a for b0, b1 in b)


def submasks(mask: int) -> list[int]:
    """Every attribute word whose bits are all in ``mask`` (ascending)."""
    out, x = [], mask
    while True:
        out.append(x)
        if x == 0:
            return sorted(out)
        x = (x - 1) & mask


def anywhere_slots(model: ir.Model) -> dict[tuple[int, int], int]:
    """(id of the action line, policy index) -> the choice's position in the key (Q5):
    ordered by line, column, policy position, then repetition (``for`` values, fragment
    uses: each repetition of a line is a line of its own in the resolved model)."""
    found: list[tuple[tuple[Any, ...], int, int]] = []
    for st in model.stages.values():
        for line in st.body:
            if isinstance(line, A.Place | A.Copy | A.Move):
                for k, pol in enumerate(line.policies):
                    if isinstance(pol, A.Anywhere):
                        order = (line.span.line, line.span.col, k, line.rep, line.span.path)
                        found.append((order, id(line), k))
    found.sort(key=lambda x: x[0])
    return {(ident, k): i for i, (_, ident, k) in enumerate(found)}


# ------------------------------------------------------------------ paths


def successors(model: ir.Model, stage: str) -> list[str]:
    return [s.name for s in model.stages.values() if stage in s.after]


def enumerate_paths(model: ir.Model) -> list[tuple[str, ...]]:
    """Depth first: roots, then successors, in declaration order; at a stage whose
    successors are all guarded the path that ends there comes first."""
    out: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...]) -> None:
        succ = successors(model, path[-1])
        if not succ:
            out.append(path)
            return
        if all(model.stages[t].guard is not None for t in succ):
            out.append(path)
        for t in succ:
            walk((*path, t))

    for s in model.stages.values():
        if not s.after:
            walk((s.name,))
    return out


# ------------------------------------------------------------------ inputs


def map_points(mp: ir.MapIR, top: int) -> list[int]:
    """The addresses a symbolic map's entry bounds can take: multiples of its
    alignment in [lo, hi]."""
    hi = min(mp.hi, top)
    first = -(-mp.lo // mp.align) * mp.align
    if first > hi:
        return []
    if (hi - first) // mp.align > 4096:
        raise TooLarge(f"map '{mp.name}' has too many possible entry bounds")
    return list(range(first, hi + 1, mp.align))


def map_contents(mp: ir.MapIR, top: int) -> Iterator[tuple[Seg, ...]]:
    """Every distinct state a symbolic map can start in: its non-empty entries.

    N entries, sorted, disjoint, aligned, within [lo, hi); an empty entry stands for
    "fewer than N", so the distinct states are the lists of 0..N non-empty entries
    (an empty entry can always sit at an aligned bound of a neighbour; with no
    non-empty entry it needs one aligned point in [lo, hi]). Each entry has one of
    the listed types and an attribute word: any subset of the map's ``attrs`` bits.
    """
    pts = map_points(mp, top)
    if not pts:
        return
    words = submasks(mp.attrs)

    def gen(i: int, k: int) -> Iterator[tuple[Seg, ...]]:
        yield ()
        if k == 0:
            return
        for a in range(i, len(pts)):
            for b in range(a + 1, len(pts)):
                for rest in gen(b, k - 1):
                    for ty in mp.types:
                        for w in words:
                            yield ((pts[a], pts[b], ty, w), *rest)

    yield from gen(0, mp.count)


def count_map_contents(mp: ir.MapIR, top: int) -> int:
    """How many states :func:`map_contents` yields (capped just above the budget).

    f_k[i] = the lists of at most k non-empty entries whose bounds are points i.. :
    f_0[i] = 1 and f_k[i] = 1 + t * sum over a >= i, b > a of f_{k-1}[b], where t is
    the number of (type, attribute word) pairs an entry can have.
    """
    pts = map_points(mp, top)
    n, t = len(pts), len(mp.types) << bin(mp.attrs).count("1")
    if n == 0:
        return 0
    f = [1] * (n + 1)
    for _ in range(min(mp.count, n)):
        after = [0] * (n + 2)            # after[a] = sum of f[b] for b > a
        for a in range(n - 1, -1, -1):
            after[a] = after[a + 1] + f[a + 1] if a + 1 < n else 0
        g = [0] * (n + 1)
        acc = 0
        for i in range(n - 1, -1, -1):   # acc = sum over a >= i of after[a]
            acc += after[i]
            g[i] = min(1 + t * acc, BUDGET + 1)
        f = g
    return f[0]


# ------------------------------------------------------------------ exploring every run


@dataclasses.dataclass
class Event:
    owner: int                       # the first path with this event (shared events count there)
    index: int                       # the event's index on its path
    kind: str                        # init | enter | line | end
    stage: str | None
    pos: int | None                  # index of the line in the stage body
    state: State | None              # the state after the event, when the run got past it
    findings: list[str]
    reached: list[tuple[str | None, int]]   # the lines (as site locations) it evaluates
    assert_ok: bool | None
    params: dict[str, int]
    key: Callable[[], tuple[int, ...]]


class Explorer:
    """Runs every configuration on every path and shows each event to the monitors."""

    def __init__(self, model: ir.Model):
        self.m = model
        self.it = Interp(model)
        self.paths = enumerate_paths(model)
        self.owner: dict[tuple[str, ...], int] = {}
        for i, p in enumerate(self.paths):
            for n in range(1, len(p) + 1):
                self.owner.setdefault(p[:n], i)
        self.path_index = {p: i for i, p in enumerate(self.paths)}
        self.runs = 0
        self.configs_exist = False

    def inputs(self) -> Iterator[tuple[dict[str, int], dict[str, tuple[Seg, ...]]]]:
        doms = []
        size = 1
        for p in self.m.params:
            d = p.domain()
            if d is None:
                raise TooLarge(f"parameter '{p.name}' has too many values")
            doms.append(sorted(d))
            size *= len(d)
        sym = [mp for mp in self.m.maps.values() if mp.symbolic]
        for mp in sym:
            size *= count_map_contents(mp, self.it.top)
        if size > BUDGET:
            raise TooLarge(f"{size} configurations")
        # concrete maps: their non-empty entries with their words; derived maps: empty
        concrete = {mp.name: tuple((s, e, ty, mp.attr_of(i))
                                   for i, (s, e, ty, _) in enumerate(mp.entries) if s < e)
                    for mp in self.m.maps.values() if not mp.symbolic}
        names = [p.name for p in self.m.params]
        every_contents = [list(map_contents(mp, self.it.top)) for mp in sym]
        for vals in itertools.product(*doms):
            params = dict(zip(names, vals, strict=True))
            for contents in itertools.product(*every_contents):
                maps = dict(concrete)
                maps.update({mp.name: c for mp, c in zip(sym, contents, strict=True)})
                yield params, maps

    def run(self, monitors: list[Any]) -> None:
        self.monitors = monitors
        for params, maps in self.inputs():
            self.run_config(params, maps)

    def emit(self, ev: Event) -> None:
        for mon in self.monitors:
            mon.event(ev)

    def keyfn(self, params: dict[str, int], choices: dict[int, int]
              ) -> Callable[[], tuple[int, ...]]:
        def key() -> tuple[int, ...]:
            return (tuple(int(params[p.name]) for p in self.m.params)
                    + tuple(choices.get(i, 0) for i in range(len(self.it.slots))))
        return key

    def count_run(self) -> None:
        self.runs += 1
        if self.runs > BUDGET:
            raise TooLarge(f"more than {BUDGET} runs")

    def run_config(self, params: dict[str, int], maps: dict[str, tuple[Seg, ...]]) -> None:
        findings, state, exists = self.it.initial(params, maps)
        if not exists:   # Q1: the configuration does not exist, it has no run
            return
        self.configs_exist = True
        decls = list(self.m.regions) + list(self.m.pools) + list(self.m.vars) + list(self.m.assumes)
        reached = [site_loc(self.m, d.span) for d in decls]
        self.emit(Event(0, 0, "init", None, None, state, findings, reached, None, params,
                        self.keyfn(params, {})))
        for s in self.m.stages.values():
            if not s.after:
                self.enter(s.name, (s.name,), state, 1, params, {})

    def guard(self, stage: str, state: State, params: dict[str, int], sink: list[str]) -> bool:
        st = self.m.stages[stage]
        if st.guard is None:
            return True
        hdr = A.Line(st.span)   # the guard's findings are on the stage header's line
        v, _ = self.it.ev(st.guard, Ctx(state, params, sink, hdr))
        return bool(v)

    def enter(self, stage: str, prefix: tuple[str, ...], state: State, idx: int,
              params: dict[str, int], choices: dict[int, int]) -> None:
        st = self.m.stages[stage]
        sink: list[str] = []
        ok = self.guard(stage, state, params, sink)
        reached = [site_loc(self.m, st.span)]
        self.emit(Event(self.owner[prefix], idx, "enter", stage, None, state if ok else None,
                        sink, reached, None, params, self.keyfn(params, choices)))
        if not ok:
            self.count_run()
            return
        self.body(stage, prefix, 0, state, idx + 1, params, choices)

    def body(self, stage: str, prefix: tuple[str, ...], j: int, state: State, idx: int,
             params: dict[str, int], choices: dict[int, int]) -> None:
        st = self.m.stages[stage]
        if j == len(st.body):
            self.finish(stage, prefix, state, idx, params, choices)
            return
        line = st.body[j]
        findings, outs, ok = self.it.action(line, state, params, choices)
        for after, ch in outs:
            self.emit(Event(self.owner[prefix], idx, "line", stage, j, after, findings,
                            [site_loc(self.m, line.span)], ok, params, self.keyfn(params, ch)))
            if after is None:
                self.count_run()
                continue
            self.body(stage, prefix, j + 1, after, idx + 1, params, ch)

    def finish(self, stage: str, prefix: tuple[str, ...], state: State, idx: int,
               params: dict[str, int], choices: dict[int, int]) -> None:
        succ = successors(self.m, stage)
        key = self.keyfn(params, choices)
        if not succ:
            self.emit(Event(self.path_index[prefix], idx, "end", None, None, state, [], [], None,
                            params, key))
            self.count_run()
            return
        if all(self.m.stages[t].guard is not None for t in succ):   # the path may end here
            sink: list[str] = []
            any_true = False
            for t in succ:   # Q7: every guard is evaluated
                any_true = self.guard(t, state, params, sink) or any_true
            reached = [site_loc(self.m, self.m.stages[t].span) for t in succ]
            self.emit(Event(self.path_index[prefix], idx, "end", None, None,
                            None if any_true else state, sink, reached, None, params, key))
            self.count_run()
        for t in succ:
            self.enter(t, (*prefix, t), state, idx, params, choices)


# ------------------------------------------------------------------ monitors


class _Failures:
    """The canonical counterexample: the smallest (path, event, key) that fails."""

    def __init__(self) -> None:
        self.best: tuple[int, int, tuple[int, ...]] | None = None

    def fail(self, ev: Event) -> None:
        cand = (ev.owner, ev.index, ev.key())
        if self.best is None or cand < self.best:
            self.best = cand

    def verdict(self, paths: list[tuple[str, ...]]) -> RefVerdict:
        assert self.best is not None
        owner, index, key = self.best
        return RefVerdict("violated", paths[owner], index, key)


class WellformedMonitor(_Failures):
    def __init__(self, excluded: set[str]):
        super().__init__()
        self.excluded = excluded

    def event(self, ev: Event) -> None:
        if any(f not in self.excluded for f in ev.findings):
            self.fail(ev)


class SiteMonitor(_Failures):
    def __init__(self, name: str, loc: tuple[str | None, int]):
        super().__init__()
        self.name, self.loc, self.reached = name, loc, False

    def event(self, ev: Event) -> None:
        if self.loc in ev.reached:
            self.reached = True
        if self.name in ev.findings:
            self.fail(ev)


class AssertMonitor(_Failures):
    """One assert obligation: its line, or every repetition of it (Q28)."""

    def __init__(self, stage: str, lines: list[A.AssertLine], model: ir.Model):
        super().__init__()
        self.stage = stage
        self.pos = {j for j, b in enumerate(model.stages[stage].body)
                    if any(b is ln for ln in lines)}
        self.reached = False

    def event(self, ev: Event) -> None:
        if ev.kind == "line" and ev.stage == self.stage and ev.pos in self.pos:
            self.reached = True
            if ev.assert_ok is False:
                self.fail(ev)


@dataclasses.dataclass
class Conjunct:
    expr: A.Expr
    regions: frozenset[str]
    seen: bool = False          # in scope at some reachable state


class PropertyMonitor(_Failures):
    def __init__(self, model: ir.Model, interp: Interp, scope: str, stage: str | None,
                 pred: A.Expr):
        super().__init__()
        self.m, self.it, self.scope, self.stage = model, interp, scope, stage
        self.conjuncts = [Conjunct(c, frozenset(region_names(model, c))) for c in conjuncts(pred)]

    def in_scope(self, ev: Event) -> bool:
        if self.scope == "always":
            return ev.kind in ("init", "line")
        if self.scope == "end":
            return ev.kind == "end"
        if ev.stage is None or ev.stage != self.stage:
            return False
        n = len(self.m.stages[self.stage].body)
        if n == 0:
            return ev.kind == "enter"
        if self.scope == "during":
            return ev.kind == "line"
        if self.scope == "after":
            return ev.kind == "line" and ev.pos == n - 1
        raise RefError(f"unknown scope {self.scope}")

    def event(self, ev: Event) -> None:
        if ev.state is None or not self.in_scope(ev):
            return
        for c in self.conjuncts:
            if not c.regions <= ev.state.regions.keys():
                continue
            c.seen = True
            if not self.it.holds(c.expr, ev.state, ev.params):
                self.fail(ev)


def conjuncts(e: A.Expr) -> list[A.Expr]:
    """Split a property: ``and``; ``disjoint`` of 3+ regions into pairs; ``C implies X``
    into ``C implies Xi`` for each conjunct Xi of X."""
    if isinstance(e, A.BoolOp) and e.op == "and":
        return [c for x in e.operands for c in conjuncts(x)]
    if (isinstance(e, A.Call) and e.fn == "disjoint" and len(e.args) >= 3
            and not any(isinstance(a, A.MapTypes) for a in e.args)):
        return [A.Call(e.span, "disjoint", (e.args[i], e.args[j]))
                for i in range(len(e.args)) for j in range(i + 1, len(e.args))]
    if isinstance(e, A.BoolOp) and e.op == "implies":
        parts = conjuncts(e.operands[1])
        if len(parts) > 1:
            return [A.BoolOp(e.span, "implies", (e.operands[0], p)) for p in parts]
    return [e]


def region_names(model: ir.Model, e: Any) -> set[str]:
    """Every region (or pool) an expression names."""
    out: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, A.Name):
            s = model.symbols.get(x.id)
            if s is not None and s.kind in ("region", "pool"):
                out.add(x.id)
        elif isinstance(x, A.Attr):
            s = model.symbols.get(x.base)
            if s is not None and s.kind in ("region", "pool"):
                out.add(x.base)
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            for f in dataclasses.fields(x):
                v = getattr(x, f.name)
                if isinstance(v, tuple):
                    for y in v:
                        walk(y)
                elif isinstance(v, A.Expr):
                    walk(v)

    walk(e)
    return out


def unparse(e: Any) -> str:
    """A readable form of an expression, for causes."""
    if isinstance(e, A.Num):
        return str(e.value)
    if isinstance(e, A.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, A.Name):
        return e.id
    if isinstance(e, A.Attr):
        return f"{e.base}.{e.field}"
    if isinstance(e, A.BinOp | A.Compare):
        return f"({unparse(e.left)} {e.op} {unparse(e.right)})"
    if isinstance(e, A.Not):
        return f"not {unparse(e.operand)}"
    if isinstance(e, A.BoolOp):
        return "(" + f" {e.op} ".join(unparse(x) for x in e.operands) + ")"
    if isinstance(e, A.Ite):
        return f"(if {unparse(e.cond)} then {unparse(e.then)} else {unparse(e.other)})"
    if isinstance(e, A.Call):
        return f"{e.fn}({', '.join(unparse(a) for a in e.args)})"
    if isinstance(e, A.RangeLit):
        return f"[{unparse(e.lo)}, {unparse(e.hi)}{']' if e.inclusive else ')'}"
    if isinstance(e, A.MapTypes):
        return f"{e.map} types {{{', '.join(e.types)}}}"
    if isinstance(e, A.BitNot):
        return f"~{unparse(e.operand)}"
    if isinstance(e, A.RegionSet):
        return f"({unparse(e.left)} {e.op} {unparse(e.right)})"
    types = f" types {{{', '.join(e.types)}}}" if isinstance(e, A.Quant | A.Aggregate) \
        and e.types else ""
    if isinstance(e, A.Quant):
        dom = e.map if e.map is not None else unparse(e.range)
        return f"({e.kind} {e.var} in {dom}{types}: {unparse(e.body)})"
    if isinstance(e, A.Aggregate):
        where = f" where {unparse(e.where)}" if e.where is not None else ""
        head = f"{unparse(e.value)} for " if e.value is not None else ""
        return f"{e.kind}({head}{e.var} in {e.map}{types}{where})"
    return type(e).__name__


def static_live(model: ir.Model, path: tuple[str, ...]) -> list[tuple[str, str | None, int | None,
                                                                      frozenset[str]]]:
    """(kind, stage, pos, live regions after the event) for every event of a path."""
    live = {r.name for r in model.regions} | {p.name for p in model.pools}
    out: list[tuple[str, str | None, int | None, frozenset[str]]] = [
        ("init", None, None, frozenset(live))]
    for s in path:
        out.append(("enter", s, None, frozenset(live)))
        for j, line in enumerate(model.stages[s].body):
            if isinstance(line, A.Place):
                live.add(line.region)
            elif isinstance(line, A.Copy):
                live.add(line.dst)
            elif isinstance(line, A.PoolDecl):
                live.add(line.name)
            elif isinstance(line, A.Free):
                live.discard(line.region)
            out.append(("line", s, j, frozenset(live)))
    out.append(("end", None, None, frozenset(live)))
    return out


# ------------------------------------------------------------------ the API


def obligations(model: ir.Model) -> list[str]:
    """``wellformed``, one per ``expect SITE`` line, one per stage assert."""
    out = ["wellformed"]
    out += [name for name in model.expects if parse_site(name) is not None]
    out += [name for name, _, _ in model.asserts]
    return list(dict.fromkeys(out))   # Q28: repetitions of an unnamed assert share a name


def decide(model: ir.Model, name: str, proof: ir.Proof | None = None) -> RefVerdict:
    """The verdict of one obligation (a name from :func:`obligations`, or a proof's name
    with the proof given), by running every input on every path.

    A model's own obligations (wellformed, its sites, its asserts) are decided together
    in one exploration and remembered for the next call on the same model object."""
    if proof is not None:
        ex = Explorer(model)
        mon = PropertyMonitor(model, ex.it, proof.scope, proof.stage, proof.pred_for(model.name))
        ex.run([mon])
        return _property_verdict(model, ex, mon)
    cached = _CACHE.get(id(model))
    if cached is None or cached[0] is not model or name not in cached[1]:
        names = obligations(model)
        if name not in names:
            if parse_site(name) is None:
                raise KeyError(f"model '{model.name}' has no obligation '{name}'")
            names.append(name)   # any site can be asked about, named by an expect or not
        _CACHE.clear()           # one model at a time: keep memory small
        _CACHE[id(model)] = (model, _decide_own(model, names))
    return _CACHE[id(model)][1][name]


_CACHE: dict[int, tuple[ir.Model, dict[str, RefVerdict]]] = {}


def _decide_own(model: ir.Model, names: list[str]) -> dict[str, RefVerdict]:
    ex = Explorer(model)
    mons: dict[str, Any] = {}
    asserts: dict[str, tuple[str, list[A.AssertLine]]] = {}
    for aname, stage, line in model.asserts:
        asserts.setdefault(aname, (stage, []))[1].append(line)
    for name in names:
        site = parse_site(name)
        if name == "wellformed":
            mons[name] = WellformedMonitor({n for n in model.expects if parse_site(n)})
        elif site is not None:
            mons[name] = SiteMonitor(name, site[1])
        else:
            stage, lines = asserts[name]
            mons[name] = AssertMonitor(stage, lines, model)
    ex.run(list(mons.values()))
    out = {}
    for name, mon in mons.items():
        if mon.best is not None:
            out[name] = mon.verdict(ex.paths)
        elif name == "wellformed" and not ex.configs_exist:
            out[name] = RefVerdict("vacuous", None, None, None,
                                   "no configuration exists: the model-level assumptions "
                                   "contradict the parameter domains (or a map has no possible "
                                   "contents)")
        elif name != "wellformed" and not mon.reached:
            where = name if parse_site(name) else \
                f"the assert {name} (line {asserts[name][1][0].span.line})"
            out[name] = RefVerdict("vacuous", None, None, None, f"no run reaches {where}")
        else:
            out[name] = RefVerdict("holds", None, None, None)
    return out


def _property_verdict(model: ir.Model, ex: Explorer, mon: PropertyMonitor) -> RefVerdict:
    """Violated, then vacuous (a conjunct never in scope at a reachable state), then holds."""
    if mon.best is not None:
        return mon.verdict(ex.paths)
    for c in mon.conjuncts:
        if not c.seen:
            return RefVerdict("vacuous", None, None, None,
                              _never_in_scope(model, ex.paths, mon, c))
    return RefVerdict("holds", None, None, None)


def _never_in_scope(model: ir.Model, paths: list[tuple[str, ...]], mon: PropertyMonitor,
                    c: Conjunct) -> str:
    text = unparse(c.expr)
    scope = mon.scope + (f" {mon.stage}" if mon.stage else "")
    for p in paths:
        for kind, stage, pos, live in static_live(model, p):
            ev = Event(0, 0, kind, stage, pos, None, [], [], None, {}, lambda: ())
            if mon.in_scope(ev) and c.regions <= live:
                return (f"conjunct {text} is never in scope at a reachable state ({scope}): "
                        "assumptions, guards or placements stop every run before it")
    return f"conjunct {text}: its regions are never live together in scope {scope}, on any path"
