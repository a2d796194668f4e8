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
from bootspec.engine.concrete_expr import (
    ExprEvaluator,
    Finding,
    RegionVal,
    Seg,
    State,
    current_segments,
    first_fit,
    map_entries,
    overlap,
    reserve,
)
from bootspec.engine.paths import Event, Path
from bootspec.lang import ast as A
from bootspec.lang.ir import Model

__all__ = ["Evaluator", "Finding", "RegionVal", "Seg", "State", "Trace", "attrs_word",
           "choice_key", "choice_order", "current_segments", "inputs_valid", "map_entries",
           "run_path"]


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


@dataclasses.dataclass
class Trace:
    """Per event index: whether every constraint before it held, the findings it raised,
    and the state after it (None where the run stopped)."""

    valid_before: list[bool]
    findings: list[list[Finding]]
    states: list[State | None]


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


class Evaluator(ExprEvaluator):
    """Evaluates one path of one model on one input assignment: expressions as
    :class:`~bootspec.engine.concrete_expr.ExprEvaluator` does, and the placements and
    actions that change the state.

    ``greedy`` (:func:`greedy_choices`): each ``anywhere`` placement takes its lowest
    valid start, whatever the inputs say, and ``lowest`` records it by choice key."""

    greedy = False
    lowest: dict[str, int]

    # -- placements
    def place(self, line: A.Line, policies: tuple[A.Policy, ...], size: int, st: State,
              exclude: str | None) -> tuple[int | None, bool, str | None]:
        """(start, choice valid, pool used); start None when every policy failed or the
        optional placement gave up ('else none')."""
        for k, p in enumerate(policies):
            if isinstance(p, A.NoneFallback):
                return None, True, None  # optional placement: the region stays empty
            if isinstance(p, A.At):
                return int(self.ev(p.at, st)), True, None
            if isinstance(p, A.FromPool):
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
            if not isinstance(p, A.Fit):
                assert_never(p)  # a policy this evaluator does not know is a type error
            lo, hi, align, containers, obstacles = self.clauses(p, st, exclude)
            if isinstance(p, A.Anywhere):
                low = first_fit(size, align, lo, hi, containers, obstacles, False, self.top)
                if low is None:
                    continue  # no start satisfies the clauses: try the next policy
                if self.greedy:
                    self.lowest[choice_key(line, k)] = low
                c = low if self.greedy else self.inputs[choice_key(line, k)]
                ok = (0 <= c <= self.top and lo <= c and c + size <= hi and c % align == 0
                      and not any(overlap(c, c + size, o0, o1) for o0, o1 in obstacles))
                return c, ok, None
            if not isinstance(p, A.TopDown | A.BottomUp):
                assert_never(p)
            got = first_fit(size, align, lo, hi, containers, obstacles, isinstance(p, A.TopDown),
                            self.top)
            if got is not None:
                return got, True, None
        raise _NoRoom

    def clauses(self, p: A.Fit, st: State, exclude: str | None
                ) -> tuple[int, int, int, list[tuple[int, int]], list[tuple[int, int]]]:
        lo, hi, align = 0, self.top, 1
        containers: list[tuple[int, int]] | None = None
        obstacles: list[tuple[int, int]] = []
        in_map: A.InMap | None = None
        for c in p.clauses:
            match c:
                case A.Within():
                    w0, w1 = self.rng(c.region if isinstance(c.region, A.RangeLit)
                                      else A.Name(c.span, c.region), st)
                    lo, hi = max(lo, w0), min(hi, w1)
                case A.Below():
                    hi = min(hi, int(self.ev(c.expr, st)))
                case A.Above():
                    lo = max(lo, int(self.ev(c.expr, st)))
                case A.Align():
                    align = int(self.ev(c.expr, st))
                case A.Avoid():
                    inside = {x.region for x in p.clauses
                              if isinstance(x, A.Within) and isinstance(x.region, str)}
                    names = [n for n in sorted(st.regions) if n != exclude and n not in inside
                             ] if c.all else list(c.names)
                    for n in names:
                        r = st.regions[n]
                        self._read(r.ok)
                        obstacles.append((r.start, r.end))
                case A.InMap():
                    in_map = c
                case _:
                    assert_never(c)
        if in_map is not None:
            containers = []
            for seg in self.segments(in_map.map, st):
                if seg[2] not in in_map.types:
                    continue
                if in_map.where is not None and not self._with("entry", seg, in_map.where, st):
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


def greedy_choices(model: Model, path: Path, inputs: Mapping[str, int]) -> dict[str, int]:
    """The start each ``anywhere`` placement of ``path`` takes when every one of them,
    in order, takes its lowest valid start (the parameters and maps from ``inputs``),
    by choice key: as far as the run gets. A guess at the smallest counterexample's
    choices (:func:`bootspec.engine.solver.lexmin` checks every guess)."""
    out: dict[str, int] = {}
    run_path(model, path, inputs, greedy=out)
    return out


def run_path(model: Model, path: Path, inputs: Mapping[str, int],
             greedy: dict[str, int] | None = None) -> Trace:
    """Run one path; see :class:`Trace`. Inputs must satisfy :func:`inputs_valid`.
    ``greedy``: run as :func:`greedy_choices` does, recording the starts there."""
    ev = Evaluator(model, inputs)
    if greedy is not None:
        ev.greedy, ev.lowest = True, greedy
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
