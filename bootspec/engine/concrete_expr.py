"""Part of the concrete evaluator (:mod:`bootspec.engine.concrete`): values and expressions.

A run's values (regions, the state after an event, a map's segments), the plain
integer arithmetic of docs/language.md with its wraps and taint, the segment
arithmetic a map's state and its readers share, and :class:`ExprEvaluator`, which
evaluates expressions and properties in a state. The placements and actions that
change a state are :class:`~bootspec.engine.concrete.Evaluator`'s (its subclass),
as in the encoder (:mod:`bootspec.engine.encode_expr`, :mod:`bootspec.engine.encode`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import assert_never

from bootspec import memtypes
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model
from bootspec.lang.sites import site_name


@dataclasses.dataclass(frozen=True)
class RegionVal:
    start: int
    end: int
    owner: str | None  # stage that placed it; None for a global region
    type: str | None
    ok: bool  # well-formed: untainted bounds and 0 <= start <= end <= 2^width
    pool: str | None = None  # the pool it was allocated from


@dataclasses.dataclass(frozen=True)
class Finding:
    """A finding site violated by a run: its name (``fits@L12``) and what happened."""

    site: str
    message: str

    def __str__(self) -> str:
        return self.message


Seg = tuple[int, int, str, int]  # a map segment: start, end, type, attribute word


@dataclasses.dataclass
class State:
    regions: dict[str, RegionVal]
    vars: dict[str, int | bool]
    cursors: dict[str, int]
    segs: dict[str, list[Seg]]  # a map's segments once an action changed them
    var_ok: dict[str, bool] = dataclasses.field(default_factory=dict)
    cursor_ok: dict[str, bool] = dataclasses.field(default_factory=dict)
    map_ok: dict[str, bool] = dataclasses.field(default_factory=dict)

    def copy(self) -> State:
        return State(dict(self.regions), dict(self.vars), dict(self.cursors),
                     {k: list(v) for k, v in self.segs.items()}, dict(self.var_ok),
                     dict(self.cursor_ok), dict(self.map_ok))


def map_entries(model: Model, m: MapIR, inputs: Mapping[str, int]) -> list[Seg]:
    """A map's entries (start, end, type, attribute word) for these inputs."""
    if not m.symbolic:
        return [(a, b, t, m.attr_of(i)) for i, (a, b, t, _) in enumerate(m.entries)]
    kinds = memtypes.TYPES_BY_KIND[m.kind]
    out = []
    for i in range(m.count):
        t = inputs[f"m:{m.name}:{i}:t"]
        out.append((inputs[f"m:{m.name}:{i}:s"], inputs[f"m:{m.name}:{i}:e"],
                    kinds[t] if 0 <= t < len(kinds) else "?",
                    inputs.get(f"m:{m.name}:{i}:a", 0)))
    return out


def binop(op: str, a: int, b: int) -> tuple[int, bool]:
    """(value, defined) of an arithmetic or bitwise operation (docs, "C arithmetic");
    not defined: a division by 0 or a negative shift (the value is then 0).

    >>> binop("&", 0x1234, ~0xFFF), binop("/", 7, -2), binop("%", 7, 0), binop("<<", 1, 12)
    ((4096, True), (-4, True), (0, False), (4096, True))
    """
    if op == "+":
        return a + b, True
    if op == "-":
        return a - b, True
    if op == "*":
        return a * b, True
    if op in ("/", "%"):
        if b == 0:
            return 0, False
        return (a // b if op == "/" else a % b), True
    if op in ("&", "|", "^"):  # Python's ints are two's complement of unbounded width
        return (a & b if op == "&" else (a | b if op == "|" else a ^ b)), True
    if op in ("<<", ">>"):
        if b < 0:
            return 0, False
        return (a << b if op == "<<" else a >> b), True
    raise AssertionError(op)


def overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Whether [a0, a1) and [b0, b1) meet (an empty or inverted range meets nothing).

    >>> overlap(96, 256, 128, 128), overlap(0, 16, 15, 32), overlap(0, 16, 16, 32)
    (False, True, False)
    """
    return a0 < a1 and b0 < b1 and max(a0, b0) < min(a1, b1)


def _subtract(lo: int, hi: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[lo, hi) minus the union of non-empty holes, as sorted non-empty intervals (one
    sweep over the sorted holes: an ``avoid`` of a thousand regions is not quadratic).

    >>> _subtract(0, 100, [(10, 20), (15, 30), (50, 50), (90, 120), (-5, 2)])
    [(2, 10), (30, 90)]
    """
    free: list[tuple[int, int]] = []
    cur = lo
    for h0, h1 in sorted(h for h in holes if h[0] < h[1]):
        if h0 >= hi:
            break
        if h0 > cur:
            free.append((cur, h0))
        cur = max(cur, h1)
    if cur < hi:
        free.append((cur, hi))
    return free


def first_fit(size: int, align: int, lo: int, hi: int, containers: list[tuple[int, int]],
              obstacles: list[tuple[int, int]], topdown: bool, top: int) -> int | None:
    """Highest (topdown) or lowest aligned start c with lo <= c, c + size <= hi,
    c <= top, the block inside one container and meeting no obstacle; None when none.

    >>> first_fit(0x1000, 0x1000, 0, 0x10000, [(0, 0x10000)], [(0xF000, 0x10000)], True, 1 << 32)
    57344
    >>> first_fit(16, 16, 0, 256, [(0, 256)], [(0, 200)], False, 256)
    208
    """
    best: int | None = None
    for s, e in containers:
        lo2, hi2 = max(s, lo), min(e, hi)
        if size <= 0:  # an empty (or inverted) block meets nothing
            spans = [(lo2, hi2 - size)]
        else:
            spans = [(f0, f1 - size) for f0, f1 in _subtract(lo2, hi2, obstacles)]
        for a, b in spans:  # every aligned c in [a, min(b, top)] is valid
            b = min(b, top)
            c = b - b % align if topdown else a + (-a) % align
            if a <= c <= b and (best is None or (c > best if topdown else c < best)):
                best = c
    return best


def initial_segments(base: list[Seg]) -> list[Seg]:
    """A map's initial state: its non-empty entries, sorted."""
    return sorted(x for x in base if x[0] < x[1])


def reserve(segs: list[Seg], o0: int, o1: int, ot: str, ow: int) -> list[Seg]:
    """``reserve``: cut every segment that meets [o0, o1), add [o0, o1) of type ``ot``
    (docs/language.md, "A map's state"); nothing changes for an empty range."""
    if o0 >= o1:
        return segs
    nxt: list[Seg] = []
    for a, b, t, w in segs:
        if not overlap(a, b, o0, o1):
            nxt.append((a, b, t, w))
            continue
        if a < o0:
            nxt.append((a, o0, t, w))
        if o1 < b:
            nxt.append((o1, b, t, w))
    nxt.append((o0, o1, ot, ow))
    return sorted(nxt)


def covered(a0: int, a1: int, segs: list[Seg], types: tuple[str, ...]) -> bool:
    """Whether every address of [a0, a1) lies in a segment whose type is in ``types``."""
    pos = a0
    for s, e, t, _ in sorted(segs):
        if pos >= a1:
            break
        if t in types and s <= pos < e:
            pos = e
    return pos >= a1


def touches(a0: int, a1: int, segs: list[Seg], types: tuple[str, ...]) -> bool:
    return any(t in types and overlap(a0, a1, s, e) for s, e, t, _ in segs)


def _intervals(xs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-empty intervals merged into sorted, disjoint ones."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(x for x in xs if x[0] < x[1]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _minus(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in xs:
        out += _subtract(a, b, ys)
    return _intervals(out)


def current_segments(base: list[Seg], st: State, mapname: str) -> list[Seg]:
    """A map's segments in a state: as an action left them, else its entries."""
    got = st.segs.get(mapname)
    return got if got is not None else initial_segments(base)


def entry_range(e: A.RangeLit, bound: Mapping[str, object]) -> bool:
    """Whether ``e`` is ``[v.start, v.end)`` of a map entry variable ``v`` (in ``bound``):
    a segment of a map's state, non-empty and inside the address space by
    definition, so that reading it as a region needs no check of its own."""
    lo, hi = e.lo, e.hi
    return (isinstance(lo, A.Attr) and isinstance(hi, A.Attr) and lo.base == hi.base
            and lo.base in bound and (lo.field, hi.field) == ("start", "end"))


class ExprEvaluator:
    """Evaluates one path of one model on one input assignment.

    While an event is evaluated, ``findings`` collects the sites it violates and
    ``tainted`` whether anything it evaluated was tainted (docs/language.md, "Wraps
    and taint"). Laziness needs no bookkeeping here: an operand that is not
    evaluated does nothing."""

    def __init__(self, model: Model, inputs: Mapping[str, int]):
        self.model, self.inputs = model, inputs
        self.top = model.top
        self.maps = {n: map_entries(model, m, inputs) for n, m in model.maps.items()}
        self.findings: list[Finding] = []
        self.tainted = False
        self.taints = 0  # how many tainted values were read or made (for operands)
        self.modulus: int | None = None  # inside u8..u64: arithmetic modulo 2^N
        self.size_since = 0  # the taint count before the size being placed
        self.bound: dict[str, tuple[int, int, int]] = {}  # entry / quantifier variables

    def begin(self) -> None:
        self.findings, self.tainted = [], False

    def _site(self, kind: str, span: object) -> str:
        return site_name(kind, span, self.model.path)  # type: ignore[arg-type]

    def _check(self, v: int, span: object, what: str, since: int, defined: bool = True) -> int:
        """An operation's result: a wrap finding when it leaves [0, 2^width] (or is not
        ``defined``: a division by 0) while its operands (what was evaluated since taint
        count ``since``) are untainted; either way such a result is tainted. Inside
        ``u8``..``u64`` the result is reduced modulo 2^N instead, and never wraps."""
        if self.modulus is not None:
            return v % self.modulus
        if not defined or not 0 <= v <= self.top:
            if self.taints == since:
                self.findings.append(Finding(self._site("wrap", span),
                                             f"{what} gives {v}, outside "
                                             f"[0, 2^{self.model.width}] ({span})"))
            self._read(False)
        return v

    def _reduce(self, v: int) -> int:
        """A function's result inside ``u8``..``u64``: reduced modulo 2^N."""
        return v % self.modulus if self.modulus is not None else v

    def _read(self, ok: bool) -> None:
        if not ok:
            self.tainted = True
            self.taints += 1

    # -- expressions
    def ev(self, e: A.Expr, st: State) -> int | bool:
        if isinstance(e, A.Num):
            return e.value
        if isinstance(e, A.BoolLit):
            return e.value
        if isinstance(e, A.Name):
            s = self.model.symbols[e.id]
            if s.kind == "const" or s.kind == "enumval":
                assert s.value is not None
                return s.value
            if s.kind == "param":
                v = self.inputs[f"p:{e.id}"]
                return bool(v) if s.type == "bool" else v
            if s.kind == "var":
                self._read(st.var_ok.get(e.id, True))
                return st.vars[e.id]
            raise AssertionError(f"{e.id} used as a value")
        if isinstance(e, A.Attr):
            if e.base in self.bound:
                lo, hi, word = self.bound[e.base]
                return {"start": lo, "end": hi, "size": hi - lo, "attrs": word}[e.field]
            if e.field == "cursor":
                self._read(st.cursor_ok.get(e.base, True))
                return st.cursors[e.base]
            r = st.regions[e.base]
            self._read(r.ok)
            return {"start": r.start, "end": r.end, "size": r.end - r.start}[e.field]
        if isinstance(e, A.BinOp):
            since = self.taints
            a, b = int(self.ev(e.left, st)), int(self.ev(e.right, st))
            v, defined = binop(e.op, a, b)
            return self._check(v, e.span, f"'{e.op}'", since, defined)
        if isinstance(e, A.BitNot):
            since = self.taints
            a = int(self.ev(e.operand, st))
            if self.modulus is not None:
                return (self.modulus - 1) - a % self.modulus
            return self._check((self.top - 1) - a, e.span, "'~'", since)
        if isinstance(e, A.Compare):
            a, b = self.ev(e.left, st), self.ev(e.right, st)
            return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
                    ">=": a >= b}[e.op]
        if isinstance(e, A.Not):
            return not self.ev(e.operand, st)
        if isinstance(e, A.BoolOp):  # lazy, like C's && and ||
            if e.op == "and":
                return all(bool(self.ev(x, st)) for x in e.operands)
            if e.op == "or":
                return any(bool(self.ev(x, st)) for x in e.operands)
            return (not self.ev(e.operands[0], st)) or bool(self.ev(e.operands[1], st))
        if isinstance(e, A.Ite):
            return self.ev(e.then, st) if self.ev(e.cond, st) else self.ev(e.other, st)
        if isinstance(e, A.Call):
            return self.call(e, st)
        if isinstance(e, A.Quant):
            assert e.map is not None, "integer quantifiers are expanded by resolve"
            results = [self._with(e.var, x, e.body, st) for x in
                       self.over(e.map, e.types, st)]  # every segment: not lazy
            return all(results) if e.kind == "forall" else any(results)
        if isinstance(e, A.Aggregate):
            since = self.taints
            total = 0
            for x in self.over(e.map, e.types, st):
                if e.where is not None and not self._with(e.var, x, e.where, st):
                    continue
                total += 1 if e.value is None else int(self._with(e.var, x, e.value, st))
            return self._reduce(total) if e.kind == "count" else \
                self._check(total, e.span, "sum", since)
        if isinstance(e, A.RangeLit | A.MapTypes | A.RegionSet):  # a predicate's argument
            raise AssertionError(f"{type(e).__name__} evaluated as a value")
        assert_never(e)

    def _with(self, var: str, seg: Seg, e: A.Expr, st: State) -> int | bool:
        saved = self.bound.get(var)
        self.bound[var] = (seg[0], seg[1], seg[3])
        try:
            return self.ev(e, st)
        finally:
            if saved is None:
                del self.bound[var]
            else:
                self.bound[var] = saved

    def rng(self, e: A.Expr, st: State) -> tuple[int, int]:
        """As :meth:`bootspec.engine.encode_expr.ExprEncoder.rng`."""
        if isinstance(e, A.RangeLit):
            return int(self.ev(e.lo, st)), int(self.ev(e.hi, st))
        assert isinstance(e, A.Name)
        r = st.regions[e.id]
        self._read(r.ok)
        return r.start, r.end

    def arg(self, e: A.Expr, st: State) -> tuple[int, int]:
        """As :meth:`bootspec.engine.encode_expr.ExprEncoder.arg`: a range literal argument
        is malformed unless ``0 <= lo <= hi <= 2^width``."""
        lo, hi = self.rng(e, st)
        if isinstance(e, A.RangeLit) and not entry_range(e, self.bound):
            self._read(0 <= lo <= hi <= self.top)
        return lo, hi

    def segments(self, mapname: str, st: State) -> list[Seg]:
        """The map's current state; reading it is tainted after a malformed reserve."""
        self._read(st.map_ok.get(mapname, True))
        return current_segments(self.maps[mapname], st, mapname)

    def addresses(self, e: A.Expr, st: State) -> list[tuple[int, int]]:
        """A region, a range literal or a region set as sorted disjoint intervals."""
        if isinstance(e, A.RegionSet):
            xs, ys = self.addresses(e.left, st), self.addresses(e.right, st)
            return _intervals(xs + ys) if e.op == "union" else _minus(xs, ys)
        a0, a1 = self.arg(e, st)
        return _intervals([(a0, a1)])

    def over(self, mapname: str, types: tuple[str, ...], st: State) -> list[Seg]:
        """The segments a quantifier ranges over (the types listed, else all)."""
        return [x for x in self.segments(mapname, st) if not types or x[2] in types]

    def call(self, e: A.Call, st: State) -> int | bool:
        fn, args = e.fn, e.args
        if fn in ("min", "max"):
            vals = [int(self.ev(x, st)) for x in args]
            return self._reduce(min(vals) if fn == "min" else max(vals))
        if fn in ("u8", "u16", "u32", "u64"):
            saved, self.modulus = self.modulus, 1 << int(fn[1:])
            try:
                v = int(self.ev(args[0], st))
            finally:
                self.modulus = saved
            return v % (1 << int(fn[1:]))
        if fn in ("align_up", "align_down"):
            since = self.taints
            x, a = int(self.ev(args[0], st)), int(self.ev(args[1], st))
            if fn == "align_down":
                return self._reduce(x - x % a)
            return self._check((x + a - 1) - (x + a - 1) % a, e.span, fn, since)
        if fn in ("within", "outside", "disjoint") and isinstance(args[-1], A.MapTypes):
            a0, a1 = self.arg(args[0], st)
            mt = args[1]
            assert isinstance(mt, A.MapTypes)
            segs = self.segments(mt.map, st)
            if fn == "within":
                return a0 >= a1 or covered(a0, a1, segs, mt.types)
            return not touches(a0, a1, segs, mt.types)
        if fn == "disjoint":
            sets = [self.addresses(a, st) for a in args]
            return not any(overlap(a0, a1, b0, b1) for i in range(len(sets))
                           for j in range(i + 1, len(sets))
                           for a0, a1 in sets[i] for b0, b1 in sets[j])
        if fn == "within":
            if not any(isinstance(a, A.RegionSet) for a in args):
                (a0, a1), (b0, b1) = self.arg(args[0], st), self.arg(args[1], st)
                return a0 == a1 or (b0 <= a0 and a1 <= b1)
            xs, ys = self.addresses(args[0], st), self.addresses(args[1], st)
            return not _minus(xs, ys)
        if fn in ("below", "above"):
            a0, a1 = self.arg(args[0], st)
            v = int(self.ev(args[1], st))
            return a0 == a1 or (a1 <= v if fn == "below" else a0 >= v)
        if fn == "aligned":
            a0, _ = self.arg(args[0], st)
            return a0 % int(self.ev(args[1], st)) == 0
        if fn == "nowrap":  # tests well-formedness itself: never tainted by its argument
            assert isinstance(args[0], A.Name)
            return st.regions[args[0].id].ok
        if fn == "capacity":
            assert isinstance(args[0], A.Name)
            p = st.regions[args[0].id]
            self._read(p.ok)
            mine = [r for r in st.regions.values() if r.pool == args[0].id]
            for r in mine:
                self._read(r.ok)
            return all(r.start == r.end or (p.start <= r.start and r.end <= p.end) for r in mine)
        if fn == "equal":
            return self.ev(args[0], st) == self.ev(args[1], st)
        raise AssertionError(fn)

    def prop(self, e: A.Expr, st: State) -> bool:
        """A predicate's truth in a state: its value, and nothing it evaluated tainted.
        Wraps inside it are not findings."""
        saved = self.findings, self.tainted
        self.findings, self.tainted = [], False
        try:
            return bool(self.ev(e, st)) and not self.tainted
        finally:
            self.findings, self.tainted = saved
