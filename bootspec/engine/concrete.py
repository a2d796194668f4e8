"""The concrete evaluator: runs one boot path on concrete inputs with plain Python integers.

It is deliberately independent of the Z3 encoding (:mod:`bootspec.engine.encode`):
it shares only the parsed model and the path structure, and computes placements
with its own algorithm (free-interval subtraction) rather than the encoder's
candidate construction. Every counterexample the solver returns is re-run here
before it is shown; the brute-force oracle tests enumerate inputs and use it as
the reference semantics.

Inputs are a flat dict: ``p:NAME`` (parameters; bools 0/1, enums by index),
``m:MAP:i:s`` / ``m:MAP:i:e`` / ``m:MAP:i:t`` (entries of symbolic maps, type by
index in :data:`bootspec.memtypes.TYPES_BY_KIND`), and ``c:KEY`` (the address
chosen by an ``anywhere`` placement; see :func:`choice_key`).

NOTE(ranges): ranges are half-open ``[start, end)``; an end may equal 2^width;
arithmetic is on unbounded integers and any result outside ``[0, 2^width]`` is
a *wrap* finding, never reduced modulo 2^width.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bootspec import memtypes
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model
from bootspec.engine.paths import Event, Path


def choice_key(line: A.Line, k: int) -> str:
    """The input name of the address chosen by the k-th policy of an ``anywhere`` action."""
    return f"c:{line.span.line}:{line.span.col}:{k}"


@dataclasses.dataclass(frozen=True)
class RegionVal:
    start: int
    end: int
    owner: str | None  # stage that placed it; None for a global region
    type: str | None
    ok: bool  # its arithmetic did not wrap and 0 <= start <= end <= 2^width
    pool: str | None = None  # the pool it was allocated from


@dataclasses.dataclass
class State:
    regions: dict[str, RegionVal]
    vars: dict[str, int | bool]
    cursors: dict[str, int]
    overlays: dict[str, list[tuple[int, int, str]]]

    def copy(self) -> State:
        return State(dict(self.regions), dict(self.vars), dict(self.cursors),
                     {k: list(v) for k, v in self.overlays.items()})


@dataclasses.dataclass
class Trace:
    """Per event index: whether every constraint before it held, the wrap/placement
    findings it raised, and the state after it (None where the run stopped)."""

    valid_before: list[bool]
    findings: list[list[str]]
    states: list[State | None]


class _Undefined(Exception):
    """An input is missing: the caller passed a partial assignment."""


def map_entries(model: Model, m: MapIR, inputs: Mapping[str, int]) -> list[tuple[int, int, str]]:
    if not m.symbolic:
        return [(a, b, t) for a, b, t, _ in m.entries]
    kinds = memtypes.TYPES_BY_KIND[m.kind]
    out = []
    for i in range(m.count):
        t = inputs[f"m:{m.name}:{i}:t"]
        out.append((inputs[f"m:{m.name}:{i}:s"], inputs[f"m:{m.name}:{i}:e"],
                    kinds[t] if 0 <= t < len(kinds) else "?"))
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
        for a, b, t in map_entries(model, m, inputs):
            if not (prev <= a <= b <= m.hi and a % m.align == 0 and b % m.align == 0):
                return False
            if t not in m.types:
                return False
            prev = b
    return True


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Whether [a0, a1) and [b0, b1) share an address (an empty range shares none).

    >>> _overlap(96, 256, 128, 128), _overlap(0, 16, 15, 32), _overlap(0, 16, 16, 32)
    (False, True, False)
    """
    return max(a0, b0) < min(a1, b1)


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
              obstacles: list[tuple[int, int]], topdown: bool) -> int | None:
    """Highest (topdown) or lowest aligned start of a ``size`` block inside one container,
    within [lo, hi), overlapping no obstacle; None when nothing fits.

    >>> first_fit(0x1000, 0x1000, 0, 0x10000, [(0, 0x10000)], [(0xF000, 0x10000)], True)
    57344
    >>> first_fit(16, 16, 0, 256, [(0, 256)], [(0, 200)], False)
    208
    """
    best: int | None = None
    for s, e in containers:
        s2, e2 = max(s, lo), min(e, hi)
        if s2 > e2:
            continue
        if size == 0:
            c = e2 - e2 % align if topdown else s2 + (-s2) % align
            spans = [(c, c)] if s2 <= c <= e2 else []
        else:
            spans = []
            for f0, f1 in _subtract(s2, e2, obstacles):
                c = (f1 - size) - (f1 - size) % align if topdown else f0 + (-f0) % align
                if f0 <= c and c + size <= f1:
                    spans.append((c, c))
        for c, _ in spans:
            if best is None or (c > best if topdown else c < best):
                best = c
    return best


def effective_segments(base: list[tuple[int, int, str]],
                       overlays: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The map after ``reserve`` overlays (later ones win), as sorted typed segments."""
    segs = [(a, b, t) for a, b, t in base if a < b]
    for o0, o1, ot in overlays:
        if o0 >= o1:
            continue
        nxt: list[tuple[int, int, str]] = []
        for a, b, t in segs:
            if not _overlap(a, b, o0, o1):
                nxt.append((a, b, t))
                continue
            if a < o0:
                nxt.append((a, o0, t))
            if o1 < b:
                nxt.append((o1, b, t))
        nxt.append((o0, o1, ot))
        segs = sorted(nxt)
    return segs


def covered(a0: int, a1: int, segs: list[tuple[int, int, str]], types: tuple[str, ...]) -> bool:
    """Whether every address of [a0, a1) lies in a segment whose type is in ``types``."""
    pos = a0
    for s, e, t in sorted(segs):
        if pos >= a1:
            break
        if t in types and s <= pos < e:
            pos = e
    return pos >= a1


def touches(a0: int, a1: int, segs: list[tuple[int, int, str]], types: tuple[str, ...]) -> bool:
    return any(t in types and _overlap(a0, a1, s, e) for s, e, t in segs)


class Evaluator:
    """Evaluates one path of one model on one input assignment."""

    def __init__(self, model: Model, inputs: Mapping[str, int]):
        self.model, self.inputs = model, inputs
        self.top = model.top
        self.maps = {n: map_entries(model, m, inputs) for n, m in model.maps.items()}
        self.wraps: list[str] = []

    # -- expressions
    def ev(self, e: A.Expr, st: State) -> int | bool:  # noqa: C901 - one dispatch
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
                return st.vars[e.id]
            raise AssertionError(f"{e.id} used as a value")
        if isinstance(e, A.Attr):
            if e.field == "cursor":
                return st.cursors[e.base]
            r = st.regions[e.base]
            return {"start": r.start, "end": r.end, "size": r.end - r.start}[e.field]
        if isinstance(e, A.BinOp):
            a, b = int(self.ev(e.left, st)), int(self.ev(e.right, st))
            v = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                 "/": lambda: a // b, "%": lambda: a % b}[e.op]()
            if not 0 <= v <= self.top:
                self.wraps.append(f"{e.span}: '{e.op}' gives {v}, outside [0, 2^{self.model.width}]")
            return v
        if isinstance(e, A.Compare):
            a, b = self.ev(e.left, st), self.ev(e.right, st)
            return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
                    ">=": a >= b}[e.op]
        if isinstance(e, A.Not):
            return not self.ev(e.operand, st)
        if isinstance(e, A.BoolOp):
            vals = [bool(self.ev(x, st)) for x in e.operands]  # evaluate all: wraps count
            if e.op == "and":
                return all(vals)
            if e.op == "or":
                return any(vals)
            return (not vals[0]) or vals[1]
        if isinstance(e, A.Ite):
            c = self.ev(e.cond, st)
            t, o = self.ev(e.then, st), self.ev(e.other, st)
            return t if c else o
        if isinstance(e, A.Call):
            return self.call(e, st)
        raise AssertionError(type(e))

    def rng(self, e: A.Expr, st: State) -> tuple[int, int]:
        if isinstance(e, A.RangeLit):
            return int(self.ev(e.lo, st)), int(self.ev(e.hi, st))
        assert isinstance(e, A.Name)
        r = st.regions[e.id]
        return r.start, r.end

    def call(self, e: A.Call, st: State) -> int | bool:
        fn, args = e.fn, e.args
        if fn in ("min", "max"):
            vals = [int(self.ev(x, st)) for x in args]
            return min(vals) if fn == "min" else max(vals)
        if fn in ("align_up", "align_down"):
            x, a = int(self.ev(args[0], st)), int(self.ev(args[1], st))
            v = x - x % a if fn == "align_down" else (x + a - 1) - (x + a - 1) % a
            if not 0 <= v <= self.top:
                self.wraps.append(f"{e.span}: {fn} gives {v}, outside [0, 2^{self.model.width}]")
            return v
        if fn in ("within", "outside", "disjoint") and isinstance(args[-1], A.MapTypes):
            a0, a1 = self.rng(args[0], st)
            mt = args[1]
            assert isinstance(mt, A.MapTypes)
            segs = effective_segments(self.maps[mt.map], st.overlays.get(mt.map, []))
            if fn == "within":
                return a0 >= a1 or covered(a0, a1, segs, mt.types)
            return not touches(a0, a1, segs, mt.types)
        if fn == "disjoint":
            rs = [self.rng(a, st) for a in args]
            return not any(_overlap(*rs[i], *rs[j]) for i in range(len(rs))
                           for j in range(i + 1, len(rs)))
        if fn == "within":
            (a0, a1), (b0, b1) = self.rng(args[0], st), self.rng(args[1], st)
            return a0 >= a1 or (b0 <= a0 and a1 <= b1)
        if fn in ("below", "above"):
            a0, a1 = self.rng(args[0], st)
            v = int(self.ev(args[1], st))
            return a0 >= a1 or (a1 <= v if fn == "below" else a0 >= v)
        if fn == "aligned":
            a0, _ = self.rng(args[0], st)
            return a0 % int(self.ev(args[1], st)) == 0
        if fn == "nowrap":
            assert isinstance(args[0], A.Name)
            return st.regions[args[0].id].ok
        if fn == "capacity":
            assert isinstance(args[0], A.Name)
            p = st.regions[args[0].id]
            return all(r.start >= r.end or (p.start <= r.start and r.end <= p.end)
                       for r in st.regions.values() if r.pool == args[0].id)
        if fn == "equal":
            return self.ev(args[0], st) == self.ev(args[1], st)
        raise AssertionError(fn)

    def prop(self, e: A.Expr, st: State) -> bool:
        """A property's truth in a state: false if it is false *or* its arithmetic wraps."""
        saved, self.wraps = self.wraps, []
        try:
            return bool(self.ev(e, st)) and not self.wraps
        finally:
            self.wraps = saved

    # -- placements
    def place(self, line: A.Line, policies: tuple[A.Policy, ...], size: int, st: State,
              exclude: str | None) -> tuple[int | None, bool]:
        """(start, constraints_hold); start None when every policy failed."""
        for k, p in enumerate(policies):
            if p.kind == "none":
                return None, True  # optional placement: the region stays empty
            if p.kind == "at":
                assert p.at is not None
                return int(self.ev(p.at, st)), True
            if p.kind == "pool":
                assert p.pool is not None
                align = int(self.ev(p.align, st)) if p.align is not None else 1
                cur = st.cursors[p.pool]
                if self.model.pool_direction(p.pool) == "down":
                    if cur - size < 0:
                        self.wraps.append(f"{line.span}: pool '{p.pool}' cursor goes below 0")
                    start = (cur - size) - (cur - size) % align
                    st.cursors[p.pool] = start
                else:
                    start = (cur + align - 1) - (cur + align - 1) % align
                    st.cursors[p.pool] = start + size
                return start, True
            lo, hi, align, containers, obstacles = self.clauses(p, st, exclude)
            if p.kind == "anywhere":
                c = self.inputs[choice_key(line, k)]
                ok = (lo <= c and c + size <= hi and c % align == 0
                      and not any(_overlap(c, c + size, o0, o1) for o0, o1 in obstacles))
                return c, ok
            got = first_fit(size, align, lo, hi, containers, obstacles, p.kind == "topdown")
            if got is not None:
                return got, True
        return None, True

    def clauses(self, p: A.Policy, st: State, exclude: str | None
                ) -> tuple[int, int, int, list[tuple[int, int]], list[tuple[int, int]]]:
        lo, hi, align = 0, self.top, 1
        containers: list[tuple[int, int]] | None = None
        obstacles: list[tuple[int, int]] = []
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
                obstacles.extend((st.regions[n].start, st.regions[n].end) for n in names)
            elif c.kind == "in_map":
                assert c.name is not None
                containers = [(a, b) for a, b, t in self.maps[c.name] if t in c.names]
                obstacles.extend((a, b) for a, b, t in st.overlays.get(c.name, [])
                                 if t not in c.names)
        return lo, hi, align, containers if containers is not None else [(lo, hi)], obstacles

    # -- actions
    def region(self, start: int, end: int, owner: str | None, typ: str | None,
               pool: str | None = None) -> RegionVal:
        ok = not self.wraps and 0 <= start <= end <= self.top
        return RegionVal(start, end, owner, typ, ok, pool)

    def act(self, line: A.Line, stage: str, st: State) -> tuple[bool, bool]:
        """Apply one action in place. Returns (its constraints hold, it succeeded)."""
        if isinstance(line, A.Place):
            if line.range is not None:
                a, b = self.rng(line.range, st)
                st.regions[line.region] = self.region(a, b, stage, line.type)
                return True, True
            assert line.size is not None
            size = int(self.ev(line.size, st))
            return self._placed(line, line.region, line.policies, size, stage, line.type, st)
        if isinstance(line, A.Copy):
            src = st.regions[line.src]
            return self._placed(line, line.dst, line.policies, src.end - src.start, stage,
                                line.type or src.type, st)
        if isinstance(line, A.Move):
            old = st.regions[line.region]
            return self._placed(line, line.region, line.policies, old.end - old.start,
                                stage, old.type, st)
        if isinstance(line, A.Free):
            del st.regions[line.region]
        elif isinstance(line, A.Reserve):
            r = st.regions[line.region]
            st.overlays.setdefault(line.map, []).append((r.start, r.end, line.type))
        elif isinstance(line, A.SetVar):
            st.vars[line.name] = self.ev(line.value, st)
        elif isinstance(line, A.Assume):
            return bool(self.ev(line.pred, st)), True
        elif isinstance(line, A.PoolDecl):
            self._pool(line, stage, st)
        return True, True

    def _placed(self, line: A.Line, name: str, policies: tuple[A.Policy, ...], size: int,
                owner: str | None, typ: str | None, st: State) -> tuple[bool, bool]:
        pool = next((p.pool for p in policies if p.kind == "pool"), None)
        start, ok = self.place(line, policies, size, st, name)
        if start is None and policies[-1].kind == "none":
            # nothing fitted and the placement is optional: an empty region at 0
            st.regions[name] = self.region(0, 0, owner, typ, pool)
            return True, True
        if start is None:
            return True, False
        if ok and (start + size > self.top or start < 0):
            self.wraps.append(f"{line.span}: region '{name}' = [{start:#x}, {start + size:#x}) "
                              f"leaves the {self.model.width}-bit address space")
        st.regions[name] = self.region(start, start + size, owner, typ, pool)
        return ok, True

    def _pool(self, d: A.PoolDecl, owner: str | None, st: State) -> None:
        a, b = self.rng(d.range, st)
        st.regions[d.name] = self.region(a, b, owner, "pool")
        st.cursors[d.name] = b if d.direction == "down" else a

    def initial(self) -> tuple[State, bool]:
        st = State({}, {}, {}, {})
        for r in self.model.regions:
            if r.range is not None:
                a, b = self.rng(r.range, st)
            else:
                assert r.at is not None and r.size is not None
                a = int(self.ev(r.at, st))
                b = a + int(self.ev(r.size, st))
            st.regions[r.name] = self.region(a, b, None, r.type)
        for p in self.model.pools:
            self._pool(p, None, st)
        for v in self.model.vars:
            st.vars[v.name] = self.ev(v.value, st)
        holds = all(bool(self.ev(a.pred, st)) for a in self.model.assumes)
        return st, holds



def run_path(model: Model, path: Path, inputs: Mapping[str, int]) -> Trace:
    """Run one path; see :class:`Trace`. Inputs must satisfy :func:`inputs_valid`."""
    ev = Evaluator(model, inputs)
    n = len(path.events)
    trace = Trace([False] * n, [[] for _ in range(n)], [None] * n)
    st, holds = ev.initial()
    # global assumptions hold from the start: a run that breaks one does not exist
    trace.valid_before[0] = holds
    trace.findings[0] = list(ev.wraps) if holds else []
    trace.states[0] = st.copy() if holds else None
    valid = holds
    for i in range(1, n):
        e: Event = path.events[i]
        trace.valid_before[i] = valid
        if not valid:
            continue
        ev.wraps = []
        nst = st.copy()
        if e.kind == "enter":
            assert e.stage is not None
            guard = model.stages[e.stage].guard
            holds = guard is None or bool(ev.ev(guard, nst))
        elif e.kind == "end":
            holds = True
            for s in e.end_guards:
                g = model.stages[s].guard
                assert g is not None
                holds = holds and not bool(ev.ev(g, nst))
        else:
            assert e.action is not None and e.stage is not None
            if isinstance(e.action, A.AssertLine):
                holds, succeeded = True, True
            else:
                holds, succeeded = ev.act(e.action, e.stage, nst)
            if not succeeded:
                trace.findings[i] = [f"{e.action.span}: no placement fits"] + ev.wraps
                valid = False
                continue
        trace.findings[i] = list(ev.wraps)
        if holds:
            st = nst
            trace.states[i] = st.copy()
        valid = holds
    return trace


def fails(trace: Trace, i: int, pred: A.Expr | None, ev: Evaluator) -> bool:
    """Whether a run fails an obligation at event i: a finding there when ``pred`` is
    None ('wellformed'; the run must have got that far), else the property false in
    the state after event i (the run must have got past it). ``ev`` evaluates with
    the run's inputs."""
    if pred is None:
        return trace.valid_before[i] and bool(trace.findings[i])
    st = trace.states[i]
    return st is not None and not ev.prop(pred, st)

