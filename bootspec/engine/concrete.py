"""The concrete evaluator: runs one boot path on concrete inputs with plain Python integers.

It is deliberately independent of the Z3 encoding (:mod:`bootspec.engine.encode`):
it shares only the parsed model and the path structure, and computes placements
with its own algorithm (segments of the map's state, free-interval subtraction)
rather than the encoder's candidate construction. Every counterexample the solver
returns is re-run here before it is shown. It follows docs/language.md; so does
the reference interpreter (:mod:`bootspec.oracle.reference`), written from the
docs alone, which the soak compares with both.

Inputs are a flat dict: ``p:NAME`` (parameters; bools 0/1, enums by index),
``m:MAP:i:s`` / ``m:MAP:i:e`` / ``m:MAP:i:t`` (entries of symbolic maps, type by
index in :data:`bootspec.memtypes.TYPES_BY_KIND`), and ``c:KEY`` (the address
chosen by an ``anywhere`` placement; see :func:`choice_key`).

NOTE(ranges): ranges are half-open ``[start, end)``; an end may equal 2^width;
arithmetic is on unbounded integers and any result outside ``[0, 2^width]`` is
a *wrap* finding, never reduced modulo 2^width, whose value is *tainted*.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import assert_never

from bootspec import memtypes
from bootspec.engine.paths import Event, Path
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model
from bootspec.lang.sites import site_name


def choice_key(line: A.Line, k: int) -> str:
    """The input name of the address chosen by the k-th policy of an ``anywhere`` action
    (each repetition of a line in a loop or fragment has its own)."""
    return f"c:{line.span.line}:{line.span.col}:{k}" + "".join(f":{v}" for v in line.rep)


def choice_order(key: str) -> tuple[int, ...]:
    """How choices are ordered in a canonical counterexample: line, column, policy.

    >>> sorted(["c:12:3:0", "c:9:3:1", "c:9:3:0"], key=choice_order)
    ['c:9:3:0', 'c:9:3:1', 'c:12:3:0']
    """
    return tuple(int(x) for x in key.split(":")[1:])


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


@dataclasses.dataclass
class Trace:
    """Per event index: whether every constraint before it held, the findings it raised,
    and the state after it (None where the run stopped)."""

    valid_before: list[bool]
    findings: list[list[Finding]]
    states: list[State | None]


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


def inputs_valid(model: Model, inputs: Mapping[str, int]) -> bool:
    """Parameter domains and symbolic-map well-formedness (sorted, disjoint, aligned, typed)."""
    for p in model.params:
        v = inputs[f"p:{p.name}"]
        if p.kind == "range":
            if not (p.lo <= v <= p.hi and v % p.align == 0):
                return False
        elif v not in p.values:
            return False
    for m in model.maps.values():
        if not m.symbolic:
            continue
        prev = m.lo
        for a, b, t, w in map_entries(model, m, inputs):
            if not (prev <= a <= b <= m.hi and a % m.align == 0 and b % m.align == 0):
                return False
            if t not in m.types or w < 0 or w & ~m.attrs:
                return False
            prev = b
    return True


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


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Whether [a0, a1) and [b0, b1) meet (an empty or inverted range meets nothing).

    >>> _overlap(96, 256, 128, 128), _overlap(0, 16, 15, 32), _overlap(0, 16, 16, 32)
    (False, True, False)
    """
    return a0 < a1 and b0 < b1 and max(a0, b0) < min(a1, b1)


def _subtract(lo: int, hi: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[lo, hi) minus the union of non-empty holes, as sorted non-empty intervals."""
    free = [(lo, hi)] if lo < hi else []
    for h0, h1 in holes:
        if h0 >= h1:
            continue
        nxt = []
        for f0, f1 in free:
            if not _overlap(f0, f1, h0, h1):
                nxt.append((f0, f1))
                continue
            if f0 < h0:
                nxt.append((f0, h0))
            if h1 < f1:
                nxt.append((h1, f1))
        free = nxt
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
        if not _overlap(a, b, o0, o1):
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
    return any(t in types and _overlap(a0, a1, s, e) for s, e, t, _ in segs)


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


class Evaluator:
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
        if isinstance(e, A.RangeLit):
            return int(self.ev(e.lo, st)), int(self.ev(e.hi, st))
        assert isinstance(e, A.Name)
        r = st.regions[e.id]
        self._read(r.ok)
        return r.start, r.end

    def segments(self, mapname: str, st: State) -> list[Seg]:
        """The map's current state; reading it is tainted after a malformed reserve."""
        self._read(st.map_ok.get(mapname, True))
        return current_segments(self.maps[mapname], st, mapname)

    def addresses(self, e: A.Expr, st: State) -> list[tuple[int, int]]:
        """A region, a range literal or a region set as sorted disjoint intervals."""
        if isinstance(e, A.RegionSet):
            xs, ys = self.addresses(e.left, st), self.addresses(e.right, st)
            return _intervals(xs + ys) if e.op == "union" else _minus(xs, ys)
        a0, a1 = self.rng(e, st)
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
            a0, a1 = self.rng(args[0], st)
            mt = args[1]
            assert isinstance(mt, A.MapTypes)
            segs = self.segments(mt.map, st)
            if fn == "within":
                return a0 >= a1 or covered(a0, a1, segs, mt.types)
            return not touches(a0, a1, segs, mt.types)
        if fn == "disjoint":
            sets = [self.addresses(a, st) for a in args]
            return not any(_overlap(a0, a1, b0, b1) for i in range(len(sets))
                           for j in range(i + 1, len(sets))
                           for a0, a1 in sets[i] for b0, b1 in sets[j])
        if fn == "within":
            if not any(isinstance(a, A.RegionSet) for a in args):
                (a0, a1), (b0, b1) = self.rng(args[0], st), self.rng(args[1], st)
                return a0 == a1 or (b0 <= a0 and a1 <= b1)
            xs, ys = self.addresses(args[0], st), self.addresses(args[1], st)
            return not _minus(xs, ys)
        if fn in ("below", "above"):
            a0, a1 = self.rng(args[0], st)
            v = int(self.ev(args[1], st))
            return a0 == a1 or (a1 <= v if fn == "below" else a0 >= v)
        if fn == "aligned":
            a0, _ = self.rng(args[0], st)
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

    # -- placements
    def place(self, line: A.Line, policies: tuple[A.Policy, ...], size: int, st: State,
              exclude: str | None) -> tuple[int | None, bool, str | None]:
        """(start, choice valid, pool used); start None when every policy failed or the
        optional placement gave up ('else none')."""
        for k, p in enumerate(policies):
            kind = p.kind
            if kind == "none":
                return None, True, None  # optional placement: the region stays empty
            if kind == "at":
                assert p.at is not None
                return int(self.ev(p.at, st)), True, None
            if kind == "pool":
                assert p.pool is not None
                since = self.size_since
                self._read(st.cursor_ok.get(p.pool, True))
                align = int(self.ev(p.align, st)) if p.align is not None else 1
                cur = st.cursors[p.pool]
                if self.model.pool_direction(p.pool) == "down":
                    t = self._check(cur - size, line.span, f"pool '{p.pool}': cursor - size",
                                    since)
                    start = t - t % align
                    st.cursors[p.pool] = start
                else:
                    start = self._check((cur + align - 1) - (cur + align - 1) % align,
                                        line.span, f"pool '{p.pool}': align_up(cursor)", since)
                    st.cursors[p.pool] = start + size
                return start, True, p.pool
            lo, hi, align, containers, obstacles = self.clauses(p, st, exclude)
            if kind == "anywhere":
                if first_fit(size, align, lo, hi, containers, obstacles, False,
                             self.top) is None:
                    continue  # no start satisfies the clauses: try the next policy
                c = self.inputs[choice_key(line, k)]
                ok = (0 <= c <= self.top and lo <= c and c + size <= hi and c % align == 0
                      and not any(_overlap(c, c + size, o0, o1) for o0, o1 in obstacles))
                return c, ok, None
            if kind != "topdown" and kind != "bottomup":
                assert_never(kind)
            got = first_fit(size, align, lo, hi, containers, obstacles, kind == "topdown",
                            self.top)
            if got is not None:
                return got, True, None
        raise _NoRoom

    def clauses(self, p: A.Policy, st: State, exclude: str | None
                ) -> tuple[int, int, int, list[tuple[int, int]], list[tuple[int, int]]]:
        lo, hi, align = 0, self.top, 1
        containers: list[tuple[int, int]] | None = None
        obstacles: list[tuple[int, int]] = []
        in_map: A.Clause | None = None
        for c in p.clauses:
            if c.kind == "within":
                w0, w1 = self.rng(c.expr if c.expr is not None else A.Name(c.span, c.name or ""),
                                  st)
                lo, hi = max(lo, w0), min(hi, w1)
            elif c.kind == "below":
                assert c.expr is not None
                hi = min(hi, int(self.ev(c.expr, st)))
            elif c.kind == "above":
                assert c.expr is not None
                lo = max(lo, int(self.ev(c.expr, st)))
            elif c.kind == "align":
                assert c.expr is not None
                align = int(self.ev(c.expr, st))
            elif c.kind == "avoid":
                inside = {x.name for x in p.clauses if x.kind == "within" and x.name}
                names = [n for n in sorted(st.regions) if n != exclude and n not in inside
                         ] if c.all else list(c.names)
                for n in names:
                    r = st.regions[n]
                    self._read(r.ok)
                    obstacles.append((r.start, r.end))
            elif c.kind == "in_map":
                in_map = c
            else:
                assert_never(c.kind)
        if in_map is not None:
            assert in_map.name is not None
            containers = []
            for seg in self.segments(in_map.name, st):
                if seg[2] not in in_map.names:
                    continue
                if in_map.expr is not None and not self._with("entry", seg, in_map.expr, st):
                    continue
                containers.append((seg[0], seg[1]))
        return lo, hi, align, containers if containers is not None else [(lo, hi)], obstacles

    # -- actions
    def region(self, line: A.Line, name: str, start: int, end: int, owner: str | None,
               typ: str | None, pool: str | None = None) -> RegionVal:
        """A region made by ``line``: well-formed when nothing it was computed from is
        tainted and its bounds are in order; a ``region@`` finding when they are not
        although nothing was tainted."""
        bounds = 0 <= start <= end <= self.top
        if not bounds and not self.tainted:
            what = ("is inverted (start > end)" if start > end else
                    f"leaves the {self.model.width}-bit address space")
            self.findings.append(Finding(
                self._site("region", line.span),
                f"region '{name}' = [{_hex(start)}, {_hex(end)}) {what} ({line.span})"))
        return RegionVal(start, end, owner, typ, bounds and not self.tainted, pool)

    def act(self, line: A.Action, stage: str, st: State) -> tuple[bool, bool]:
        """Apply one action in place. Returns (its constraints hold, it found room)."""
        if isinstance(line, A.Place):
            if line.range is not None:
                a, b = self.rng(line.range, st)
                st.regions[line.region] = self.region(line, line.region, a, b, stage, line.type)
                return True, True
            assert line.size is not None
            self.size_since = self.taints
            size = int(self.ev(line.size, st))
            return self._placed(line, line.region, line.policies, size, stage, line.type, st)
        if isinstance(line, A.Copy):
            self.size_since = self.taints
            src = st.regions[line.src]
            self._read(src.ok)
            return self._placed(line, line.dst, line.policies, src.end - src.start, stage,
                                line.type or src.type, st)
        if isinstance(line, A.Move):
            self.size_since = self.taints
            old = st.regions[line.region]
            self._read(old.ok)
            return self._placed(line, line.region, line.policies, old.end - old.start,
                                stage, old.type, st)
        if isinstance(line, A.Free):
            del st.regions[line.region]
        elif isinstance(line, A.Reserve):
            r = st.regions[line.region]
            word = attrs_word(self.model.maps[line.map].kind, line.attrs)
            st.segs[line.map] = reserve(current_segments(self.maps[line.map], st, line.map),
                                        r.start, r.end, line.type, word)
            st.map_ok[line.map] = st.map_ok.get(line.map, True) and r.ok
        elif isinstance(line, A.Convert):
            st.segs[line.map] = [(a, b, line.to if t in line.types else t, w) for a, b, t, w in
                                 current_segments(self.maps[line.map], st, line.map)]
        elif isinstance(line, A.Translate):
            table = dict(line.table)
            st.segs[line.dst] = [(a, b, table[t], w) for a, b, t, w in
                                 current_segments(self.maps[line.src], st, line.src)
                                 if t in table]
            st.map_ok[line.dst] = st.map_ok.get(line.src, True)
        elif isinstance(line, A.SetVar):
            st.vars[line.name] = self.ev(line.value, st)
            st.var_ok[line.name] = not self.tainted
        elif isinstance(line, A.Assume):
            return bool(self.ev(line.pred, st)), True
        elif isinstance(line, A.PoolDecl):
            self._pool(line, stage, st)
        elif isinstance(line, A.AssertLine):
            pass  # an obligation; the state does not change
        else:
            assert_never(line)
        return True, True

    def _placed(self, line: A.Place | A.Copy | A.Move, name: str,
                policies: tuple[A.Policy, ...], size: int, owner: str | None,
                typ: str | None, st: State) -> tuple[bool, bool]:
        try:
            start, ok, pool = self.place(line, policies, size, st, name)
        except _NoRoom:
            self.findings.append(Finding(self._site("fits", line.span),
                                         f"no placement fits '{name}' ({line.span})"))
            return True, False
        if not ok:  # not a valid choice: no such run from this line on, no findings here
            self.findings = []
            return False, True
        if start is None:  # nothing fitted and the placement is optional: empty at 0
            st.regions[name] = self.region(line, name, 0, 0, owner, typ)
            return True, True
        region = self.region(line, name, start, start + size, owner, typ, pool)
        st.regions[name] = region
        if pool is not None:
            st.cursor_ok[pool] = st.cursor_ok.get(pool, True) and region.ok
        return True, True

    def _pool(self, d: A.PoolDecl, owner: str | None, st: State) -> None:
        a, b = self.rng(d.range, st)
        r = self.region(d, d.name, a, b, owner, "pool")
        st.regions[d.name] = r
        st.cursors[d.name] = b if d.direction == "down" else a
        st.cursor_ok[d.name] = r.ok

    def initial(self) -> tuple[State, bool, list[Finding]]:
        """The initial state, whether the model-level assumptions hold, the findings."""
        st = State({}, {}, {}, {})
        findings: list[Finding] = []
        for r in self.model.regions:
            self.begin()
            if r.range is not None:
                a, b = self.rng(r.range, st)
            else:
                assert r.at is not None and r.size is not None
                a = int(self.ev(r.at, st))
                b = a + int(self.ev(r.size, st))
            st.regions[r.name] = self.region(r, r.name, a, b, None, r.type)
            findings += self.findings
        for p in self.model.pools:
            self.begin()
            self._pool(p, None, st)
            findings += self.findings
        for v in self.model.vars:
            self.begin()
            st.vars[v.name] = self.ev(v.value, st)
            st.var_ok[v.name] = not self.tainted
            findings += self.findings
        holds = True
        for assumption in self.model.assumes:
            self.begin()
            holds = bool(self.ev(assumption.pred, st)) and holds
            findings += self.findings
        self.begin()
        return st, holds, findings


def _hex(v: int) -> str:
    return f"{v:#x}" if v >= 0 else f"-{-v:#x}"


def current_segments(base: list[Seg], st: State, mapname: str) -> list[Seg]:
    """A map's segments in a state: as an action left them, else its entries."""
    got = st.segs.get(mapname)
    return got if got is not None else initial_segments(base)


def attrs_word(kind: str, names: tuple[str, ...]) -> int:
    """The attribute word of ``attrs {...}`` (names resolve already checked)."""
    word = 0
    for n in names:
        bit = memtypes.attr_bit(n) if kind == "efi" else int(n[3:])
        assert bit is not None
        word |= 1 << bit
    return word


class _NoRoom(Exception):
    """No policy of a placement found room (a ``fits@`` finding)."""


def run_path(model: Model, path: Path, inputs: Mapping[str, int]) -> Trace:
    """Run one path; see :class:`Trace`. Inputs must satisfy :func:`inputs_valid`."""
    ev = Evaluator(model, inputs)
    n = len(path.events)
    trace = Trace([False] * n, [[] for _ in range(n)], [None] * n)
    st, holds, findings = ev.initial()
    # global assumptions hold from the start: a run that breaks one does not exist
    trace.valid_before[0] = holds
    trace.findings[0] = findings if holds else []
    trace.states[0] = st.copy() if holds else None
    valid = holds
    for i in range(1, n):
        e: Event = path.events[i]
        trace.valid_before[i] = valid
        if not valid:
            continue
        ev.begin()
        nst = st.copy()
        if e.kind == "enter":
            assert e.stage is not None
            guard = model.stages[e.stage].guard
            holds = guard is None or bool(ev.ev(guard, nst))
        elif e.kind == "end":
            holds = True
            for s in e.end_guards:  # each guard is evaluated (its wraps count)
                g = model.stages[s].guard
                assert g is not None
                holds = not bool(ev.ev(g, nst)) and holds
        else:
            assert e.action is not None and e.stage is not None
            holds, found_room = ev.act(e.action, e.stage, nst)
            if not found_room:
                trace.findings[i] = list(ev.findings)
                valid = False
                continue
        # findings count for a run that reached the line, whether or not it gets past
        trace.findings[i] = list(ev.findings)
        if holds:
            st = nst
            trace.states[i] = st.copy()
        valid = holds
    return trace
