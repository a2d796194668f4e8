"""Part of pass 4 (*encode*): memory maps, symbolically (docs/language.md, "Memory maps").

A map's state is its starting entries (declared, or translated from another map)
and the reserves and converts made since, in order. Its **segments** are built
from that: each entry cut by every reservation, and each reservation cut by the
later ones; a segment's type is its entry's (or reservation's) after the converts
that followed. Every reader goes through :meth:`MapEncoder.segments`: first fits,
map-type predicates, quantifiers and aggregates see one state.

Encoding choices:
- a piece of an entry starts at the entry's start or at a cut's end, outside every
  cut, and runs to the entry's end or the next cut's start; pieces are not
  duplicated, so ``count`` and ``sum`` count each segment once;
- a map-type predicate in a property at positive polarity is checked with one
  witness address (existential in the query, so exact and cheap); anywhere else it
  is checked at every point where membership can change (the query's constant
  candidates: the region's start and every segment bound), which is exact too;
- a first fit's start is the best of a few candidates per segment (see
  :meth:`MapEncoder.first_fit`), so the encoding stays linear in the entries.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import z3

from bootspec import memtypes
from bootspec.diagnostics import Span
from bootspec.engine.terms import (
    Cond,
    Conversion,
    Entry,
    Labeled,
    Reservation,
    Segment,
    SymState,
    Term,
    add,
    and_,
    ceil_to,
    floor_to,
    ge,
    gt,
    implies,
    ite,
    le,
    lt,
    max_,
    min_,
    not_,
    num,
    or_,
    overlap,
    val,
)
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model


@dataclasses.dataclass(frozen=True)
class Container:
    """A segment a block may be placed in: ``[lo, hi)`` when ``exists``."""

    lo: Term
    hi: Term
    exists: Cond


@dataclasses.dataclass(frozen=True)
class Clauses:
    lo: Term
    hi: Term
    align: A.Expr | None
    groups: list[list[Container]]  # sorted: every piece of group i lies below group i + 1
    loose: list[Container]  # anywhere in the address space
    obstacles: list[tuple[Term, Term]]
    abstract: bool
    #: the bounds lo and hi are the max and min of, each kept apart: a valid start is
    #: above each and below each, which the solver takes as linear constraints
    #: where ``c >= max(a, b)`` is a case split (20-100x slower on a chain)
    los: tuple[Term, ...] = ()
    his: tuple[Term, ...] = ()


#: round down, round up to a placement's alignment (MapEncoder.floor_ceil)
Rounding = tuple[Callable[[Term], Term], Callable[[Term], Term]]


@dataclasses.dataclass(frozen=True)
class Deferred:
    """A lone ``anywhere`` placement's ``fits`` literal and what the first fit it
    stands for is built from, when a query first reads its line's findings."""

    lit: Cond
    size: Term
    clauses: Clauses
    rounding: Rounding
    span: Span


def _is_type(t: str | Term, types: tuple[str, ...], kinds: tuple[str, ...]) -> Cond:
    if isinstance(t, str):
        return z3.BoolVal(t in types)
    return or_(*[t == kinds.index(x) for x in types])


def _converted(t: str | Term, ops: list[Reservation | Conversion], kinds: tuple[str, ...]
               ) -> str | Term:
    """A type after the converts among ``ops``."""
    for op in ops:
        if isinstance(op, Conversion):
            if isinstance(t, str):
                t = op.to if t in op.types else t
            else:
                t = z3.If(_is_type(t, op.types, kinds), val(kinds.index(op.to)), t)
    return t


class MapEncoder:
    """The map half of :class:`~bootspec.engine.encode.Encoder` (the base of its
    expression half, :class:`~bootspec.engine.encode_expr.ExprEncoder`)."""

    model: Model
    top: int
    inputs: dict[str, z3.ExprRef]
    base: list[Labeled]
    side: list[Labeled]
    pc: Cond
    taints: list[Cond]
    bound: dict[str, tuple[Term, Term, Term]]
    polarity: int
    abstract: frozenset[str]
    witness_n: itertools.count[int]
    abs_entries: dict[str, list[tuple[Term, Term, Term, Term]]]
    abs_witnesses: dict[str, list[tuple[Term, Cond]]]
    maps: dict[str, list[Entry]]

    def ev(self, e: A.Expr, st: SymState) -> z3.ExprRef:
        raise NotImplementedError

    def _read(self, ok: Cond) -> None:
        raise NotImplementedError

    def _cases(self, e: A.Expr, st: SymState) -> list[tuple[Cond | None, Term]]:
        raise NotImplementedError

    @staticmethod
    def _select(cases: list[tuple[Cond | None, Term]]) -> Term:
        raise NotImplementedError

    # -- declared entries
    def _attrs_input(self, name: str, mask: int, span: Span) -> Term:
        """An entry's attribute word: any combination of the bits in ``mask`` (the
        'attrs {...}' of the map declared at ``span``)."""
        if not mask:
            return val(0)
        a = z3.Int(name)
        self.inputs[name] = a
        bits = [k for k in range(64) if mask >> k & 1]
        word = sum((z3.If(z3.Bool(f"{name}:{k}"), val(1 << k), val(0)) for k in bits), val(0))
        self.base.append(Labeled(a == word, "attribute bits the map allows", span))
        return a

    def declared(self, m: MapIR) -> list[Entry]:
        """A map's declared entries (inputs for a symbolic one, with their rules)."""
        kinds = memtypes.TYPES_BY_KIND[m.kind]
        if not m.symbolic:
            return [Entry(val(a), val(b), z3.BoolVal(a < b), t, val(m.attr_of(i)))
                    for i, (a, b, t, _) in enumerate(m.entries)]
        out = []
        prev: Term = val(m.lo)
        allowed = [kinds.index(t) for t in m.types]
        for i in range(m.count):
            s, e, t = (z3.Int(f"m:{m.name}:{i}:{k}") for k in "set")
            self.inputs.update({f"m:{m.name}:{i}:s": s, f"m:{m.name}:{i}:e": e,
                                f"m:{m.name}:{i}:t": t})
            wf = [prev <= s, s <= e, z3.Or([t == a for a in allowed])]
            if m.align > 1:
                wf += [s % m.align == 0, e % m.align == 0]
            self.base.append(Labeled(z3.And(wf), f"map '{m.name}' entry {i} is sorted, "
                                     "disjoint and typed", m.span))
            attrs = self._attrs_input(f"m:{m.name}:{i}:a", m.attrs, m.span)
            out.append(Entry(s, e, lt(s, e), t, attrs))
            prev = e
        self.base.append(Labeled(prev <= m.hi, f"map '{m.name}' ends by {m.hi:#x}", m.span))
        return out

    def _abstract_entry(self, mapname: str) -> tuple[Term, Term, Term, Term]:
        """A fresh entry of an abstract map, the same as or disjoint from each entry made
        so far (all a sorted, disjoint map can offer), and covering every witness
        address of :meth:`in_types` that lies inside it. It may be empty (one that
        stands for no entry of the real map)."""
        m = self.model.maps[mapname]
        k = next(self.witness_n)
        s, e, t = (z3.Int(f"a:{mapname}:{k}:{x}") for x in "set")
        attrs = self._attrs_input(f"a:{mapname}:{k}:a", m.attrs, m.span)
        kinds = memtypes.TYPES_BY_KIND[m.kind]
        facts = [m.lo <= s, s <= e, e <= m.hi,
                 z3.Or([t == kinds.index(x) for x in m.types])]
        if m.align > 1:
            facts += [s % m.align == 0, e % m.align == 0]
        for s2, e2, t2, a2 in self.abs_entries[mapname]:
            facts.append(z3.Or(z3.And(s == s2, e == e2, t == t2, attrs == a2), e <= s2, e2 <= s))
        # a witness address inside this entry is in the map (see in_types)
        facts += [z3.Implies(z3.And(s <= p, p < e), covered)
                  for p, covered in self.abs_witnesses[mapname]]
        self.abs_entries[mapname].append((s, e, t, attrs))
        self.side.append(Labeled(z3.And(facts), f"map '{mapname}' is sorted and disjoint",
                                 m.span))
        return s, e, t, attrs

    # -- a map's state
    def _read_map(self, mapname: str, st: SymState) -> None:
        self._read(st.map_ok.get(mapname, z3.BoolVal(True)))

    @staticmethod
    def pieces(s: Term, e: Term, cuts: list[Reservation]) -> list[tuple[Term, Term, Cond]]:
        """The segments an entry [s, e) leaves after the reservations ``cuts`` made later:
        (start, end, exists), each once. A piece starts at s or at a cut's end, outside
        every cut, and runs to e or to the next cut's start."""
        if not cuts:
            return [(s, e, lt(s, e))]
        out = []
        lefts: list[tuple[Term, Cond]] = [(s, z3.BoolVal(True))]
        for j, r in enumerate(cuts):
            # a cut's end starts a piece once: not at s, not where an earlier cut ended
            first = and_(*[not_(and_(lt(q.start, q.end), q.end == r.end)) for q in cuts[:j]])
            lefts.append((r.end, and_(lt(r.start, r.end), gt(r.end, s), first)))
        for b, cond in lefts:
            inside = or_(*[and_(lt(r.start, r.end), le(r.start, b), lt(b, r.end))
                           for r in cuts])
            p1 = e
            for r in cuts:
                p1 = ite(and_(lt(r.start, r.end), gt(r.start, b), lt(r.start, p1)), r.start, p1)
            out.append((b, p1, and_(cond, le(s, b), lt(b, e), not_(inside))))
        return out

    def segments(self, mapname: str, st: SymState) -> list[Segment]:
        """Every segment of the map's current state (see the module docstring)."""
        m = self.model.maps[mapname]
        kinds = memtypes.TYPES_BY_KIND[m.kind]
        translated = mapname in st.bases
        entries = st.bases[mapname] if translated else self.maps[mapname]
        ops = st.ops.get(mapname, [])
        cuts = [op for op in ops if isinstance(op, Reservation)]
        out = []
        for i, ent in enumerate(entries):
            typ = _converted(ent.type, ops, kinds)
            out += [Segment(p0, p1, and_(ent.exists, ex), typ, ent.attrs,
                            -1 if translated else i)
                    for p0, p1, ex in self.pieces(ent.start, ent.end, cuts)]
        for j, op in enumerate(ops):
            if isinstance(op, Reservation):
                later = [r for r in ops[j + 1:] if isinstance(r, Reservation)]
                typ = _converted(op.type, ops[j + 1:], kinds)
                out += [Segment(p0, p1, ex, typ, val(op.attrs), -1)
                        for p0, p1, ex in self.pieces(op.start, op.end, later)]
        return out

    def of_types(self, mapname: str, seg: Segment, types: tuple[str, ...]) -> Cond:
        """The segment exists and has one of ``types`` (all when empty)."""
        if not types:
            return seg.exists
        kinds = memtypes.TYPES_BY_KIND[self.model.maps[mapname].kind]
        return and_(seg.exists, _is_type(seg.type, types, kinds))

    def in_types(self, mapname: str, p: Term, types: tuple[str, ...], st: SymState) -> Cond:
        """Whether address p lies in a segment of one of ``types`` in the map's state."""
        if mapname in self.abstract:
            return self._abstract_in_types(mapname, p, types, st)
        return or_(*[and_(self.of_types(mapname, g, types), le(g.start, p), lt(p, g.end))
                     for g in self.segments(mapname, st)])

    def _abstract_in_types(self, mapname: str, p: Term, types: tuple[str, ...],
                           st: SymState) -> Cond:
        # the entry holding p, if p is in the map ('covered'); when p lies in any entry
        # of the abstraction it is covered, and then that entry is this one (entries
        # are the same or disjoint). A map that does not cover p is matched with an
        # empty entry here, so the entry need not be non-empty.
        kinds = memtypes.TYPES_BY_KIND[self.model.maps[mapname].kind]
        others = list(self.abs_entries[mapname])
        s, e, t, _ = self._abstract_entry(mapname)
        covered = z3.Bool(f"a:{mapname}:cov:{next(self.witness_n)}")
        facts = [z3.Implies(covered, z3.And(s <= p, p < e))]
        facts += [z3.Implies(z3.And(s2 <= p, p < e2), covered) for s2, e2, _, _ in others]
        self.abs_witnesses[mapname].append((p, covered))
        self.side.append(Labeled(z3.And(facts), "a witness address's entry",
                                 self.model.maps[mapname].span))
        ops = st.ops.get(mapname, [])
        out: Cond = and_(covered, _is_type(_converted(t, ops, kinds), types, kinds))
        for j, op in enumerate(ops):  # later reservations win
            if isinstance(op, Reservation):
                typ = _converted(op.type, ops[j + 1:], kinds)
                out = z3.If(z3.And(op.start <= p, p < op.end), _is_type(typ, types, kinds),
                            out)
        return out

    def map_pred(self, fn: str, a0: Term, a1: Term, mt: A.MapTypes, st: SymState) -> Cond:
        """``within/outside/disjoint(a, MAP types {...})`` at the current polarity."""
        self._read_map(mt.map, st)
        def bad(p: Term) -> Cond:
            inside = self.in_types(mt.map, p, mt.types, st)
            return not_(inside) if fn == "within" else inside
        assert self.polarity > 0 or mt.map not in self.abstract, "checked by ModelChecker"
        if self.polarity > 0:
            # a witness: existential in the query, so exact at positive polarity
            w = z3.Int(f"w:{next(self.witness_n)}")
            return not_(and_(le(a0, w), lt(w, a1), bad(w)))
        # every point where membership can change: the start and each segment bound
        cands = [a0] + [x for g in self.segments(mt.map, st) for x in (g.start, g.end)]
        return and_(*[implies(and_(le(a0, c), lt(c, a1)), not_(bad(c))) for c in cands])

    def quant(self, e: A.Quant, st: SymState, body: Callable[[A.Expr], Cond]) -> Cond:
        """``forall/exists v in MAP [types {...}]: p``: p evaluated for every segment."""
        assert e.map is not None
        self._read_map(e.map, st)
        parts = []
        for g in self.segments(e.map, st):
            here = self.of_types(e.map, g, e.types)
            v = self._with(e.var, g, here, e.body, body)
            parts.append(implies(here, v) if e.kind == "forall" else and_(here, v))
        return and_(*parts) if e.kind == "forall" else or_(*parts)

    def aggregate(self, e: A.Aggregate, st: SymState,
                  value: Callable[[A.Expr], z3.ExprRef]) -> Term:
        """``count(...)`` / ``sum(x for ...)`` over the segments of the listed types."""
        self._read_map(e.map, st)
        total: Term = val(0)
        for g in self.segments(e.map, st):
            here = self.of_types(e.map, g, e.types)
            if e.where is not None:
                here = and_(here, self._with(e.var, g, here, e.where, value))
            x = val(1) if e.value is None else self._with(e.var, g, here, e.value, value)
            total = total + z3.If(here, x, val(0))
        return total

    def _with(self, var: str, g: Segment, here: Cond, e: A.Expr,
              f: Callable[[A.Expr], z3.ExprRef]) -> z3.ExprRef:
        """Evaluate ``e`` with ``var`` bound to segment g, under the path condition that
        g is one the quantifier ranges over."""
        saved_pc, saved = self.pc, self.bound.get(var)
        self.pc = and_(self.pc, here)
        self.bound[var] = (g.start, g.end, g.attrs)
        try:
            return f(e)
        finally:
            self.pc = saved_pc
            if saved is None:
                del self.bound[var]
            else:
                self.bound[var] = saved

    def translate(self, line: A.Translate, st: SymState) -> None:
        """DST's state becomes SRC's segments, retyped by the table (others dropped)."""
        src, dst = self.model.maps[line.src], self.model.maps[line.dst]
        sk, dk = memtypes.TYPES_BY_KIND[src.kind], memtypes.TYPES_BY_KIND[dst.kind]
        table = dict(line.table)
        entries = []
        for g in self.segments(line.src, st):
            if isinstance(g.type, str):
                if g.type not in table:
                    continue
                entries.append(Entry(g.start, g.end, g.exists, table[g.type], g.attrs))
                continue
            mapped: Term = val(0)
            for s_name, d_name in table.items():
                mapped = z3.If(g.type == sk.index(s_name), val(dk.index(d_name)), mapped)
            entries.append(Entry(g.start, g.end, and_(g.exists, _is_type(g.type, tuple(table),
                                                                           sk)),
                                 mapped, g.attrs))
        st.bases[line.dst] = entries
        st.ops[line.dst] = []
        st.map_ok[line.dst] = st.map_ok.get(line.src, z3.BoolVal(True))

    # -- first fit over segments
    def map_containers(self, c: A.InMap, st: SymState
                       ) -> tuple[list[list[Container]], list[Container], bool]:
        """The segments of a map's state whose type is one of the clause's types (and for
        which its ``where`` holds): grouped by declared entry (sorted), the rest loose."""
        self._read_map(c.map, st)
        if c.map in self.abstract:
            return self._abstract_containers(c, st)
        groups: dict[int, list[Container]] = {}
        loose: list[Container] = []
        for g in self.segments(c.map, st):
            here = self.of_types(c.map, g, c.types)
            if z3.is_false(z3.simplify(here)):
                continue  # a real map's entry of another type
            ct = self._container(g, here, c.where, st)
            if g.group >= 0:
                groups.setdefault(g.group, []).append(ct)
            else:
                loose.append(ct)
        return [groups[k] for k in sorted(groups)], loose, False

    def _abstract_containers(self, c: A.InMap, st: SymState
                             ) -> tuple[list[list[Container]], list[Container], bool]:
        kinds = memtypes.TYPES_BY_KIND[self.model.maps[c.map].kind]
        s0, e0, t0, a0 = self._abstract_entry(c.map)
        ops = st.ops.get(c.map, [])
        cuts = [op for op in ops if isinstance(op, Reservation)]
        typ = _is_type(_converted(t0, ops, kinds), c.types, kinds)
        group = [self._container(Segment(p0, p1, ex, t0, a0, 0), and_(typ, ex), c.where, st)
                 for p0, p1, ex in self.pieces(s0, e0, cuts)]
        loose = []
        for j, op in enumerate(ops):
            if isinstance(op, Reservation):
                later = [r for r in ops[j + 1:] if isinstance(r, Reservation)]
                rt = _is_type(_converted(op.type, ops[j + 1:], kinds), c.types, kinds)
                loose += [self._container(Segment(p0, p1, ex, op.type, val(op.attrs), -1),
                                          and_(rt, ex), c.where, st)
                          for p0, p1, ex in self.pieces(op.start, op.end, later)]
        return [group], loose, True

    def _container(self, g: Segment, here: Cond, where: A.Expr | None, st: SymState
                   ) -> Container:
        """A segment as a container; its ``where`` is evaluated when it is one of the
        listed types (docs: "evaluated for every segment of the listed types")."""
        if where is None or z3.is_false(here):
            return Container(g.start, g.end, here)
        ok = self._with("entry", g, here, where, lambda x: self.ev(x, st))
        return Container(g.start, g.end, and_(here, ok))

    def floor_ceil(self, align_e: A.Expr | None, st: SymState
                   ) -> tuple[Callable[[Term], Term], Callable[[Term], Term]]:
        align_cases = self._cases(align_e, st) if align_e is not None else [(None, val(1))]
        if len(align_cases) == 1 and num(align_cases[0][1]) == 1:
            return (lambda x: x), (lambda x: x)

        select = self._select  # not self: a deferred first fit keeps these (encode.py)

        def floor(x: Term) -> Term:
            return select([(c, floor_to(x, a)) for c, a in align_cases])

        def ceil(x: Term) -> Term:
            return select([(c, ceil_to(x, a)) for c, a in align_cases])

        return floor, ceil

    def first_fit(self, size: Term, align_e: A.Expr | None, cl: Clauses, topdown: bool,
                  st: SymState | None, rounding: Rounding | None = None) -> tuple[Cond, Term]:
        """(fits, start) of the highest (lowest) aligned fit.

        Completeness: let a be the best valid start and a' the next aligned address
        beyond it. a' is invalid, so either it leaves [lo, hi) or its container, or
        passes 2^width, which makes a = floor(min(container end, hi) - size, 2^width)
        (topdown), or it meets an obstacle o that a does not, which makes
        a = floor(o.start - size). Bottom-up is the mirror image (ceil(max(container
        start, lo)), ceil(o.end)). A container is one segment of the map's state, so
        every such bound is among the candidates, and the fold below picks the best
        valid one.
        """
        if rounding is None:
            assert st is not None, "the alignment is evaluated in a state"
            rounding = self.floor_ceil(align_e, st)
        floor, ceil = rounding
        lo, hi = cl.lo, cl.hi
        top = val(self.top)

        def clear(c: Term) -> list[Cond]:
            end = add(c, size)
            return [not_(overlap(c, end, o0, o1)) for o0, o1 in cl.obstacles]

        # an obstacle's candidate and whether it clears every obstacle do not depend on
        # the container: built once, not once per container
        shared = [(c, clear(c)) for c in
                  ([floor(min_(o0 - size, top)) for o0, _ in cl.obstacles] if topdown
                   else [ceil(o1) for _, o1 in cl.obstacles])]
        least = self._least(size)

        def best_in(cont: Container) -> tuple[Cond, Term]:
            lo_i, hi_i = max_(cont.lo, lo), min_(cont.hi, hi)
            # capped at 2^width: with a (tainted) negative size, hi - size is above it
            own = floor(min_(hi_i - size, top)) if topdown else ceil(lo_i)
            fits_i: Cond = z3.BoolVal(False)
            best_i: Term = val(0)
            for c, free in [(own, clear(own)), *shared]:
                valid = and_(cont.exists, ge(c, lo_i), le(add(c, size), hi_i),
                             le(c, top), *free)
                better = gt(c, best_i) if topdown else lt(c, best_i)
                best_i = ite(and_(valid, or_(not_(fits_i), better)), c, best_i)
                fits_i = or_(fits_i, valid)
            return fits_i, best_i

        def too_small(cont: Container) -> bool:
            a, b = num(max_(cont.lo, lo)), num(cont.hi)
            return least is not None and a is not None and b is not None and b - a < least

        fits: Cond = z3.BoolVal(False)
        best: Term = val(0)
        # groups are sorted and disjoint: every valid start in group i lies below every
        # valid start in group i + 1, so the answer is the best candidate of the highest
        # (lowest) group that has one: linear in the number of entries
        for group in (cl.groups if topdown else list(reversed(cl.groups))):
            found = [best_in(c) for c in group if not too_small(c)]
            if not found:
                continue
            g_fits, g_best = self.best_of(found, topdown)
            best = ite(g_fits, g_best, best)
            fits = or_(fits, g_fits)
        loose = [best_in(c) for c in cl.loose]
        if loose:
            fits, best = self.best_of([(fits, best), *loose], topdown)
        return fits, best

    @staticmethod
    def best_of(options: list[tuple[Cond, Term]], topdown: bool) -> tuple[Cond, Term]:
        if len(options) == 1:
            return options[0]
        fits: Cond = z3.BoolVal(False)
        best: Term = val(0)
        for f, c in options:
            better = gt(c, best) if topdown else lt(c, best)
            best = ite(and_(f, or_(not_(fits), better)), c, best)
            fits = or_(fits, f)
        return fits, best

    def _least(self, size: Term) -> int | None:
        """A lower bound of a placement's size when one is known for certain: a number,
        or a range or set parameter (its domain); else None."""
        if z3.is_int_value(size):
            return size.as_long()  # type: ignore[no-any-return]
        if z3.is_const(size):
            name = size.decl().name()
            p = next((x for x in self.model.params if f"p:{x.name}" == name), None)
            if p is not None and p.kind == "range":
                return p.lo
            if p is not None and p.kind == "set" and p.values:
                return min(p.values)
        return None


# -- where the abstraction covers how a map is read

def _maps_read(e: object, polarity: int, out: set[str], positive_ok: bool) -> None:
    """Maps an expression reads in a way the abstract encoding does not cover: a
    quantifier or aggregate over it, or a map-type predicate anywhere but at positive
    polarity of a property (``positive_ok``)."""
    if isinstance(e, A.Quant | A.Aggregate) and e.map is not None:
        out.add(e.map)
    if isinstance(e, A.Call) and e.fn in ("within", "outside", "disjoint") and e.args and \
            isinstance(e.args[-1], A.MapTypes) and not (positive_ok and polarity > 0):
        out.add(e.args[-1].map)
    if isinstance(e, A.Not):
        _maps_read(e.operand, -polarity, out, positive_ok)
        return
    if isinstance(e, A.BoolOp) and e.op == "implies":
        _maps_read(e.operands[0], -polarity, out, positive_ok)
        _maps_read(e.operands[1], polarity, out, positive_ok)
        return
    if isinstance(e, A.Ite):
        _maps_read(e.cond, 0, out, positive_ok)
        _maps_read(e.then, polarity, out, positive_ok)
        _maps_read(e.other, polarity, out, positive_ok)
        return
    if isinstance(e, A.Compare):
        polarity = 0
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            for item in v if isinstance(v, tuple) else (v,):
                if dataclasses.is_dataclass(item) and not isinstance(item, type):
                    _maps_read(item, polarity, out, positive_ok)


def property_uses(pred: A.Expr) -> frozenset[str]:
    """Maps a property reads in ways only the exact encoding decides."""
    out: set[str] = set()
    _maps_read(pred, 1, out, True)
    return frozenset(out)


def concrete_uses(model: Model) -> frozenset[str]:
    """Maps a model's own lines read in ways only the exact encoding decides: as
    conditions (assume, guard, where, set), quantified, or translated."""
    out: set[str] = set()
    lines: list[object] = [*model.assumes, *model.regions, *model.pools, *model.vars]
    for st in model.stages.values():
        lines.append(st.guard)
        lines += list(st.body)
    for ln in lines:
        if isinstance(ln, A.Translate):
            out |= {ln.src, ln.dst}
        elif isinstance(ln, A.AssertLine):
            _maps_read(ln.pred, 1, out, True)
        elif ln is not None:
            _maps_read(ln, 0, out, False)
    return frozenset(out)
