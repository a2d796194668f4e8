"""Pass 4, *encode*: one boot path -> Z3 terms, event by event.

Needs: a resolved model and one :class:`~bootspec.engine.paths.Path`.
Guarantees: for every event i, ``constraints[i]`` (what must hold for the run to
get past it: guards, assumptions, ``anywhere`` choices, a placement that
fits), ``obligations[i]`` (wrap and placement findings, checked under the
constraints of events before i) and ``states[i]`` (symbolic regions after it).

Encoding choices (see ../design notes in the README):
- unbounded integers with explicit bounds on every input, never bit-vectors,
  so nothing wraps silently (NOTE(ranges)): each arithmetic result carries an
  obligation ``0 <= v <= 2^width``;
- deterministic placements are *functions* of the state: the start of a
  top-down first fit is the largest valid candidate among ``floor(end - size)``
  of each container and ``floor(obstacle.start - size)`` of each obstacle (and
  symmetrically bottom-up), which is complete (see ``_first_fit``) and linear;
- a property about memory of given map types is violated when one witness
  address inside the region has (or lacks) the type, so it needs no quantifier.

``import z3`` lives here and in :mod:`bootspec.engine.solver` only.
"""

from __future__ import annotations

import dataclasses
import itertools

import z3

from bootspec import memtypes
from bootspec.engine.concrete import choice_key
from bootspec.engine.paths import Path
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model

Term = z3.ArithRef
Cond = z3.BoolRef


@dataclasses.dataclass(frozen=True)
class Labeled:
    """A constraint or obligation with where it comes from (for unsat cores and messages)."""

    term: Cond
    label: str
    span: object  # a diagnostics.Span


@dataclasses.dataclass(frozen=True)
class SymRegion:
    start: Term
    end: Term
    owner: str | None
    type: str | None
    ok: Cond
    pool: str | None = None


@dataclasses.dataclass
class SymState:
    regions: dict[str, SymRegion]
    vars: dict[str, z3.ExprRef]
    cursors: dict[str, Term]
    overlays: dict[str, list[tuple[Term, Term, str]]]

    def copy(self) -> SymState:
        return SymState(dict(self.regions), dict(self.vars), dict(self.cursors),
                        {k: list(v) for k, v in self.overlays.items()})


@dataclasses.dataclass
class PathEncoding:
    path: Path
    inputs: dict[str, z3.ExprRef]  # the free variables, by concrete-input name
    base: list[Labeled]  # domains and map well-formedness
    constraints: list[list[Labeled]]
    obligations: list[list[Labeled]]
    states: list[SymState | None]
    encoder: Encoder


# Term builders for the hot loops (first fit, overlap): the same terms z3's operators
# build, without the Python-side coercion of every argument, which dominates the
# encoding time of a placement over a real map. Arguments are terms of one context.
def _lt(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_lt(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def _le(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_le(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def _ge(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_ge(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def _gt(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_gt(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def _add(a: Term, b: Term) -> Term:
    arr = (z3.Ast * 2)(a.as_ast(), b.as_ast())
    return z3.ArithRef(z3.Z3_mk_add(a.ctx.ref(), 2, arr), a.ctx)


def _not(a: Cond) -> Cond:
    return z3.BoolRef(z3.Z3_mk_not(a.ctx.ref(), a.as_ast()), a.ctx)


def _ite(c: Cond, a: Term, b: Term) -> Term:
    return z3.ArithRef(z3.Z3_mk_ite(c.ctx.ref(), c.as_ast(), a.as_ast(), b.as_ast()), c.ctx)


def _nary(mk: object, xs: list[Cond]) -> Cond:
    ctx = xs[0].ctx
    arr = (z3.Ast * len(xs))(*(x.as_ast() for x in xs))
    return z3.BoolRef(mk(ctx.ref(), len(xs), arr), ctx)  # type: ignore[operator]


def _and(*xs: Cond) -> Cond:
    return _nary(z3.Z3_mk_and, list(xs))


def _or(*xs: Cond) -> Cond:
    return _nary(z3.Z3_mk_or, list(xs))


def overlap(a0: Term, a1: Term, b0: Term, b1: Term) -> Cond:
    """[a0, a1) and [b0, b1) share an address; an empty (or inverted) range shares none."""
    return _and(_lt(a0, b1), _lt(b0, a1), _lt(a0, a1), _lt(b0, b1))


def _val(v: int) -> Term:
    return z3.IntVal(v)


def _max(a: Term, b: Term) -> Term:
    """max(a, b), folded when both are numbers (a real map's entries, constants)."""
    if z3.is_int_value(a) and z3.is_int_value(b):
        return a if a.as_long() >= b.as_long() else b  # type: ignore[attr-defined]
    return z3.If(a > b, a, b)


def _min(a: Term, b: Term) -> Term:
    if z3.is_int_value(a) and z3.is_int_value(b):
        return a if a.as_long() <= b.as_long() else b  # type: ignore[attr-defined]
    return z3.If(a < b, a, b)


def _to_int(x: z3.ExprRef) -> Term:
    return x if z3.is_arith(x) else z3.If(x, _val(1), _val(0))  # type: ignore[arg-type]


class Encoder:
    """Encodes one model's expressions and actions into Z3 terms.

    ``abstract`` names symbolic maps to encode *abstractly*: instead of N entries, only
    the entries the encoding touches exist (the one a placement lands in, the one a
    witness address lies in), each a fresh symbolic entry that is either the same as
    another or disjoint from it. Every real map of any size is one of these
    behaviours, so the abstraction over-approximates: an unsatisfiable query proves
    the property for every N; a satisfiable one proves nothing (the caller then
    searches small maps for a counterexample and falls back to the exact encoding).
    """

    def __init__(self, model: Model, abstract: frozenset[str] = frozenset()):
        self.model = model
        self.top = model.top
        self.inputs: dict[str, z3.ExprRef] = {}
        self.base: list[Labeled] = []
        self.side: list[Labeled] = []  # facts about fresh variables made while encoding
        self.wraps: list[Labeled] = []
        self.witness_n = itertools.count()
        self.choice_step: dict[str, int] = {}  # an 'anywhere' choice's constant alignment
        self.abstract = abstract
        self.abs_entries: dict[str, list[tuple[Term, Term, Term]]] = {m: [] for m in abstract}
        self.abs_witnesses: dict[str, list[tuple[Term, Cond]]] = {m: [] for m in abstract}
        self._params()
        self.maps = {n: self._map(m) for n, m in model.maps.items() if n not in abstract}

    def _abstract_entry(self, mapname: str) -> tuple[Term, Term, Term]:
        """A fresh entry of an abstract map, the same as or disjoint from each entry made
        so far (all a sorted, disjoint map can offer), and covering every witness
        address of :meth:`in_types` that lies inside it. It may be empty (a 0-size
        block's entry, or one that stands for no entry of the real map)."""
        m = self.model.maps[mapname]
        k = next(self.witness_n)
        s, e, t = (z3.Int(f"a:{mapname}:{k}:{x}") for x in "set")
        kinds = memtypes.TYPES_BY_KIND[m.kind]
        facts = [m.lo <= s, s <= e, e <= m.hi,
                 z3.Or([t == kinds.index(x) for x in m.types])]
        if m.align > 1:
            facts += [s % m.align == 0, e % m.align == 0]
        for s2, e2, t2 in self.abs_entries[mapname]:
            facts.append(z3.Or(z3.And(s == s2, e == e2, t == t2), e <= s2, e2 <= s))
        # a witness address inside this entry is in the map (see in_types)
        facts += [z3.Implies(z3.And(s <= p, p < e), covered)
                  for p, covered in self.abs_witnesses[mapname]]
        self.abs_entries[mapname].append((s, e, t))
        self.side.append(Labeled(z3.And(facts), f"map '{mapname}' is sorted and disjoint",
                                 m.span))
        return s, e, t

    # -- free variables
    def _params(self) -> None:
        for p in self.model.params:
            name = f"p:{p.name}"
            if p.kind == "bool":
                self.inputs[name] = z3.Bool(name)
                continue
            v = z3.Int(name)
            self.inputs[name] = v
            if p.kind == "range":
                dom = z3.And(v >= p.lo, v <= p.hi)
                if p.align > 1:
                    dom = z3.And(dom, v % p.align == 0)
            else:
                dom = z3.Or([v == x for x in p.values]) if p.values else z3.BoolVal(False)
            self.base.append(Labeled(dom, f"domain of parameter '{p.name}'", p.span))

    def _map(self, m: MapIR) -> list[tuple[Term, Term, z3.ExprRef]]:
        kinds = memtypes.TYPES_BY_KIND[m.kind]
        if not m.symbolic:
            return [(_val(a), _val(b), _val(kinds.index(t))) for a, b, t, _ in m.entries]
        out = []
        prev: Term = _val(m.lo)
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
            out.append((s, e, t))
            prev = e
        self.base.append(Labeled(prev <= m.hi, f"map '{m.name}' ends by {m.hi:#x}", m.span))
        return out

    # -- expressions
    def _wrap(self, v: Term, e: A.Expr, what: str) -> Term:
        self.wraps.append(Labeled(z3.And(v >= 0, v <= self.top),
                                  f"{what} stays within [0, 2^{self.model.width}]", e.span))
        return v

    def ev(self, e: A.Expr, st: SymState) -> z3.ExprRef:  # noqa: C901 - one dispatch
        if isinstance(e, A.Num):
            return _val(e.value)
        if isinstance(e, A.BoolLit):
            return z3.BoolVal(e.value)
        if isinstance(e, A.Name):
            s = self.model.symbols[e.id]
            if s.kind in ("const", "enumval"):
                assert s.value is not None
                return _val(s.value)
            if s.kind == "param":
                return self.inputs[f"p:{e.id}"]
            if s.kind == "var":
                return st.vars[e.id]
            raise AssertionError(e.id)
        if isinstance(e, A.Attr):
            if e.field == "cursor":
                return st.cursors[e.base]
            r = st.regions[e.base]
            return {"start": r.start, "end": r.end, "size": r.end - r.start}[e.field]
        if isinstance(e, A.BinOp):
            a = self.ev(e.left, st)
            if e.op in "+-":
                b = self.ev(e.right, st)
                v = a + b if e.op == "+" else a - b  # type: ignore[operator]
            else:
                v = self._finite_op(e, st)
            return self._wrap(v, e, f"'{e.op}'")
        if isinstance(e, A.Compare):
            a, b = self.ev(e.left, st), self.ev(e.right, st)
            return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b,
                    "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b}[e.op]()
        if isinstance(e, A.Not):
            return z3.Not(self.ev(e.operand, st))
        if isinstance(e, A.BoolOp):
            xs = [self.ev(x, st) for x in e.operands]
            if e.op == "and":
                return z3.And(xs)
            if e.op == "or":
                return z3.Or(xs)
            return z3.Implies(xs[0], xs[1])
        if isinstance(e, A.Ite):
            return z3.If(self.ev(e.cond, st), self.ev(e.then, st), self.ev(e.other, st))
        if isinstance(e, A.Call):
            return self.call(e, st)
        raise AssertionError(type(e))

    def _cases(self, e: A.Expr, st: SymState) -> list[tuple[Cond | None, Term]]:
        """An expression as (condition, value) cases: one case unless it is a finite-set
        parameter, which splits into one constant per value (keeps arithmetic linear)."""
        if isinstance(e, A.Name):
            s = self.model.symbols[e.id]
            if s.kind == "param":
                p = next(x for x in self.model.params if x.name == e.id)
                if p.kind == "set":
                    v = self.inputs[f"p:{e.id}"]
                    return [(v == x, _val(x)) for x in p.values]
        return [(None, self.ev(e, st))]  # type: ignore[list-item]

    @staticmethod
    def _select(cases: list[tuple[Cond | None, Term]]) -> Term:
        out = cases[-1][1]
        for cond, val in reversed(cases[:-1]):
            assert cond is not None
            out = z3.If(cond, val, out)
        return out

    def _finite_op(self, e: A.BinOp, st: SymState) -> Term:
        lc, rc = self._cases(e.left, st), self._cases(e.right, st)
        if len(lc) > 1 and len(rc) == 1 and e.op == "*":
            lc, rc = rc, lc
        a = lc[0][1] if len(lc) == 1 else self.ev(e.left, st)
        out = []
        for cond, b in rc:
            out.append((cond, {"*": lambda b=b: a * b, "/": lambda b=b: a / b,
                               "%": lambda b=b: a % b}[e.op]()))
        return self._select(out)

    def _align(self, x: Term, a_expr: A.Expr, st: SymState, up: bool) -> Term:
        cases = []
        for cond, a in self._cases(a_expr, st):
            y = x + a - 1 if up else x
            cases.append((cond, y - y % a))
        return self._select(cases)

    def rng(self, e: A.Expr, st: SymState) -> tuple[Term, Term]:
        if isinstance(e, A.RangeLit):
            return self.ev(e.lo, st), self.ev(e.hi, st)  # type: ignore[return-value]
        assert isinstance(e, A.Name)
        r = st.regions[e.id]
        return r.start, r.end

    def in_types(self, mapname: str, p: Term, types: tuple[str, ...], st: SymState) -> Cond:
        """Whether address p lies in memory of one of ``types`` (after reserve overlays)."""
        kinds = memtypes.TYPES_BY_KIND[self.model.maps[mapname].kind]
        idx = [kinds.index(t) for t in types]
        if mapname in self.abstract:
            # the entry holding p, if p is in the map ('covered'); when p lies in any
            # entry of the abstraction it is covered, and then that entry is this one
            # (entries are the same or disjoint). A map that does not cover p is
            # matched with an empty entry here, so the entry need not be non-empty.
            others = list(self.abs_entries[mapname])
            s, e, t = self._abstract_entry(mapname)
            covered = z3.Bool(f"a:{mapname}:cov:{next(self.witness_n)}")
            facts = [z3.Implies(covered, z3.And(s <= p, p < e))]
            facts += [z3.Implies(z3.And(s2 <= p, p < e2), covered) for s2, e2, _ in others]
            self.abs_witnesses[mapname].append((p, covered))
            self.side.append(Labeled(z3.And(facts), "a witness address's entry",
                                     self.model.maps[mapname].span))
            base = z3.And(covered, z3.Or([t == i for i in idx]))
        elif not self.model.maps[mapname].symbolic:  # concrete: filter by type in Python
            base = z3.Or([z3.And(s <= p, p < e) for (s, e, _), (_, _, tn, _) in
                          zip(self.maps[mapname], self.model.maps[mapname].entries, strict=True)
                          if tn in types])
        else:
            base = z3.Or([z3.And(s <= p, p < e, z3.Or([t == i for i in idx]))
                          for s, e, t in self.maps[mapname]])
        out: Cond = base
        for o0, o1, ot in st.overlays.get(mapname, []):
            out = z3.If(z3.And(o0 <= p, p < o1), z3.BoolVal(ot in types), out)
        return out

    def call(self, e: A.Call, st: SymState) -> z3.ExprRef:  # noqa: C901 - one dispatch
        fn, args = e.fn, e.args
        if fn in ("min", "max"):
            vals = [self.ev(x, st) for x in args]
            out = vals[0]
            for v in vals[1:]:
                out = z3.If(v < out, v, out) if fn == "min" else z3.If(v > out, v, out)
            return out
        if fn in ("align_up", "align_down"):
            v = self._align(self.ev(args[0], st), args[1], st, fn == "align_up")  # type: ignore[arg-type]
            return self._wrap(v, e, fn) if fn == "align_up" else v
        if fn in ("within", "outside", "disjoint") and isinstance(args[-1], A.MapTypes):
            a0, a1 = self.rng(args[0], st)
            mt = args[1]
            assert isinstance(mt, A.MapTypes)
            w = z3.Int(f"w:{next(self.witness_n)}")
            inside = z3.And(a0 <= w, w < a1)
            has = self.in_types(mt.map, w, mt.types, st)
            # positive polarity only (checked in resolve): the witness is existential in
            # the negation, so "no witness breaks it" is exactly the property.
            return z3.Not(z3.And(inside, z3.Not(has) if fn == "within" else has))
        if fn == "disjoint":
            rs = [self.rng(a, st) for a in args]
            return z3.And([z3.Not(overlap(*rs[i], *rs[j]))
                           for i in range(len(rs)) for j in range(i + 1, len(rs))])
        if fn == "within":
            (a0, a1), (b0, b1) = self.rng(args[0], st), self.rng(args[1], st)
            return z3.Or(a0 >= a1, z3.And(b0 <= a0, a1 <= b1))
        if fn in ("below", "above"):
            a0, a1 = self.rng(args[0], st)
            v = self.ev(args[1], st)
            return z3.Or(a0 >= a1, a1 <= v if fn == "below" else a0 >= v)
        if fn == "aligned":
            a0, _ = self.rng(args[0], st)
            return z3.Or([z3.And(c, a0 % a == 0) if c is not None else a0 % a == 0
                          for c, a in self._cases(args[1], st)])
        if fn == "nowrap":
            assert isinstance(args[0], A.Name)
            return st.regions[args[0].id].ok
        if fn == "capacity":
            assert isinstance(args[0], A.Name)
            pr = st.regions[args[0].id]
            return z3.And([z3.Or(r.start >= r.end, z3.And(pr.start <= r.start, r.end <= pr.end))
                           for r in st.regions.values() if r.pool == args[0].id])
        if fn == "equal":
            return self.ev(args[0], st) == self.ev(args[1], st)
        raise AssertionError(fn)

    def prop(self, e: A.Expr, st: SymState) -> Cond:
        """A property's truth: its value and no wrap in its own arithmetic."""
        saved, self.wraps = self.wraps, []
        try:
            v = self.ev(e, st)
            return z3.And([v] + [w.term for w in self.wraps])  # type: ignore[list-item]
        finally:
            self.wraps = saved

    # -- placements
    def _first_fit(self, size: Term, align_e: A.Expr | None, lo: Term, hi: Term,
                   containers: list[tuple[Term, Term, Cond]], obstacles: list[tuple[Term, Term]],
                   topdown: bool, st: SymState) -> tuple[Cond, Term]:
        """(fits, start) of the highest (lowest) aligned fit.

        Completeness: let a be the best valid start and a' the next aligned address
        beyond it. a' is invalid, so either it leaves [lo, hi) or its container, which
        makes a = floor(min(container end, hi) - size) (topdown), or it overlaps an
        obstacle o that a does not, which makes a = floor(o.start - size). Bottom-up
        is the mirror image (ceil(max(container start, lo)), ceil(o.end)). So the best
        start is always among the candidates, and the fold below picks it.
        """
        align_cases = self._cases(align_e, st) if align_e is not None else [(None, _val(1))]

        def floor(x: Term) -> Term:
            return self._select([(c, x - x % a) for c, a in align_cases])

        def ceil(x: Term) -> Term:
            return self._select([(c, (x + a - 1) - (x + a - 1) % a) for c, a in align_cases])

        # Containers are sorted and disjoint (a map's entries, or the one range), so
        # every valid start in container i lies below every valid start in container
        # i + 1: the answer is the best candidate of the highest (lowest) container that
        # has one, and each candidate need only be checked against its own container.
        # That keeps the encoding linear in the number of entries.
        fits: Cond = z3.BoolVal(False)
        best: Term = _val(0)
        order = containers if topdown else list(reversed(containers))

        def clear(c: Term) -> list[Cond]:
            end = _add(c, size)
            return [_not(overlap(c, end, o0, o1)) for o0, o1 in obstacles]

        # an obstacle's candidate and whether it clears every obstacle do not depend on
        # the container: built once, not once per entry
        shared = [(c, clear(c)) for c in
                  ([floor(o0 - size) for o0, _ in obstacles] if topdown
                   else [ceil(o1) for _, o1 in obstacles])]
        least = self._least(size)
        for s0, e0, ok in order:
            lo_i, hi_i = _max(s0, lo), _min(e0, hi)
            if least is not None and z3.is_int_value(lo_i) and z3.is_int_value(e0) and \
                    e0.as_long() - lo_i.as_long() < least:  # type: ignore[attr-defined]
                continue  # a real map's entry too small for any size allowed: never fits
            own = floor(hi_i - size) if topdown else ceil(lo_i)
            fits_i: Cond = z3.BoolVal(False)
            best_i: Term = _val(0)
            for c, free in [(own, clear(own)), *shared]:
                valid = _and(ok, _ge(c, lo_i), _le(_add(c, size), hi_i), *free)
                better = _gt(c, best_i) if topdown else _lt(c, best_i)
                best_i = _ite(_and(valid, _or(_not(fits_i), better)), c, best_i)
                fits_i = _or(fits_i, valid)
            best = _ite(fits_i, best_i, best)
            fits = _or(fits, fits_i)
        return fits, best

    def _least(self, size: Term) -> int | None:
        """A lower bound of a placement's size when one is known for certain: a number,
        or a range or set parameter (its domain); else None."""
        if z3.is_int_value(size):
            return size.as_long()  # type: ignore[attr-defined]
        if z3.is_const(size):
            name = size.decl().name()
            p = next((x for x in self.model.params if f"p:{x.name}" == name), None)
            if p is not None and p.kind == "range":
                return p.lo
            if p is not None and p.kind == "set" and p.values:
                return min(p.values)
        return None

    def _clauses(self, p: A.Policy, st: SymState, exclude: str | None
                 ) -> tuple[Term, Term, A.Expr | None, list[tuple[Term, Term, Cond]],
                            list[tuple[Term, Term]]]:
        lo: Term = _val(0)
        hi: Term = _val(self.top)
        align: A.Expr | None = None
        containers: list[tuple[Term, Term, Cond]] | None = None
        obstacles: list[tuple[Term, Term]] = []
        for c in p.clauses:
            if c.kind == "within":
                w0, w1 = self.rng(c.expr if c.expr is not None else A.Name(c.span, c.name or ""),
                                  st)
                lo, hi = _max(w0, lo), _min(w1, hi)
            elif c.kind == "below":
                assert c.expr is not None
                hi = _min(self.ev(c.expr, st), hi)  # type: ignore[arg-type]
            elif c.kind == "above":
                assert c.expr is not None
                lo = _max(self.ev(c.expr, st), lo)  # type: ignore[arg-type]
            elif c.kind == "align":
                align = c.expr
            elif c.kind == "avoid":
                inside = {x.name for x in p.clauses if x.kind == "within" and x.name}
                names = [n for n in sorted(st.regions) if n != exclude and n not in inside
                         ] if c.all else list(c.names)
                obstacles.extend((st.regions[n].start, st.regions[n].end) for n in names)
            elif c.kind == "in_map":
                assert c.name is not None
                kinds = memtypes.TYPES_BY_KIND[self.model.maps[c.name].kind]
                idx = [kinds.index(t) for t in c.names]
                if c.name in self.abstract:
                    s0, e0, t0 = self._abstract_entry(c.name)
                    containers = [(s0, e0, z3.Or([t0 == i for i in idx]))]
                elif not self.model.maps[c.name].symbolic:
                    # a real machine's map: only entries of the right type can take it
                    containers = [(s, e, z3.BoolVal(True)) for (s, e, _), (_, _, tn, _) in
                                  zip(self.maps[c.name], self.model.maps[c.name].entries,
                                      strict=True) if tn in c.names]
                else:
                    containers = [(s, e, z3.Or([t == i for i in idx]))
                                  for s, e, t in self.maps[c.name]]
                obstacles.extend((o0, o1) for o0, o1, ot in st.overlays.get(c.name, [])
                                 if ot not in c.names)
        if containers is None:
            containers = [(lo, hi, z3.BoolVal(True))]
        return lo, hi, align, containers, obstacles

    def place(self, line: A.Line, policies: tuple[A.Policy, ...], size: Term, st: SymState,
              exclude: str | None) -> tuple[Cond, Cond, Term, Cond]:
        """(constraints, fits, start, found) of a placement, trying policies in order;
        ``found`` is whether a policy before a final ``else none`` found room."""
        outcomes: list[tuple[Cond, Cond, Term]] = []
        for k, p in enumerate(policies):
            if p.kind == "none":  # optional placement: always "fits", as an empty region
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), _val(0)))
                break
            if p.kind == "at":
                assert p.at is not None
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), self.ev(p.at, st)))  # type: ignore[arg-type]
                break
            if p.kind == "pool":
                assert p.pool is not None
                cur = st.cursors[p.pool]
                one = A.Num(p.span, 1)
                if self.model.pool_direction(p.pool) == "down":
                    self.wraps.append(Labeled(cur - size >= 0,
                                              f"pool '{p.pool}' cursor stays at or above 0",
                                              line.span))
                    start = self._align(cur - size, p.align or one, st, up=False)
                    st.cursors[p.pool] = start
                else:
                    start = self._align(cur, p.align or one, st, up=True)
                    st.cursors[p.pool] = start + size
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), start))
                break
            lo, hi, align, containers, obstacles = self._clauses(p, st, exclude)
            if any(c.kind == "in_map" and c.name in self.abstract for c in p.clauses):
                # over-approximate the first fit: any fitting start in some entry of the
                # right type, or no fit at all
                k2 = next(self.witness_n)
                c = z3.Int(f"a:place:{k2}")
                fits_a = z3.Bool(f"a:fits:{k2}")
                s0, e0, ok0 = containers[0]
                cons = [c >= lo, c >= s0, c + size <= hi, c + size <= e0, ok0]
                if align is not None:
                    cons += [z3.Or([z3.And(cc, c % a == 0) if cc is not None else c % a == 0
                                    for cc, a in self._cases(align, st)])]
                cons += [z3.Not(overlap(c, c + size, o0, o1)) for o0, o1 in obstacles]
                outcomes.append((z3.Implies(fits_a, z3.And(cons)), fits_a, c))
                continue
            if p.kind == "anywhere":
                c = z3.Int(choice_key(line, k))
                self.inputs[choice_key(line, k)] = c
                cons = [c >= 0, c <= self.top, c >= lo, c + size <= hi]
                if align is not None:
                    cases = self._cases(align, st)
                    cons += [z3.Or([z3.And(cc, c % a == 0) if cc is not None else c % a == 0
                                    for cc, a in cases])]
                    if len(cases) == 1 and z3.is_int_value(cases[0][1]) and \
                            cases[0][1].as_long() > 0:  # type: ignore[attr-defined]
                        self.choice_step[choice_key(line, k)] = cases[0][1].as_long()  # type: ignore[attr-defined]
                cons += [z3.Not(overlap(c, c + size, o0, o1)) for o0, o1 in obstacles]
                outcomes.append((z3.And(cons), z3.BoolVal(True), c))
                break
            fits, start = self._first_fit(size, align, lo, hi, containers, obstacles,
                                          p.kind == "topdown", st)
            outcomes.append((z3.BoolVal(True), fits, start))
        # fold the 'else' chain: the first policy that fits wins
        found = z3.Or([f for _, f, _ in outcomes[:-1]]) if len(outcomes) > 1 \
            else z3.BoolVal(True)
        cons, fits, start = outcomes[-1]
        for c2, f2, s2 in reversed(outcomes[:-1]):
            cons, fits, start = (z3.If(f2, c2, cons), z3.Or(f2, fits), z3.If(f2, s2, start))
        return cons, fits, start, found

    # -- actions
    def region(self, start: Term, end: Term, owner: str | None, typ: str | None,
               pool: str | None = None) -> SymRegion:
        ok = z3.And([w.term for w in self.wraps] + [start >= 0, start <= end, end <= self.top])
        return SymRegion(start, end, owner, typ, z3.simplify(ok), pool)

    def act(self, line: A.Line, stage: str, st: SymState) -> tuple[Cond, Cond]:
        """Apply one action to ``st``; (constraints, placement fits)."""
        true = z3.BoolVal(True)
        if isinstance(line, A.Place):
            if line.range is not None:
                a, b = self.rng(line.range, st)
                st.regions[line.region] = self.region(a, b, stage, line.type)
                return true, true
            assert line.size is not None
            size = self.ev(line.size, st)
            return self._placed(line, line.region, line.policies, size, stage, line.type, st)  # type: ignore[arg-type]
        if isinstance(line, A.Copy):
            src = st.regions[line.src]
            return self._placed(line, line.dst, line.policies, src.end - src.start, stage,
                                line.type or src.type, st)
        if isinstance(line, A.Move):
            old = st.regions[line.region]
            return self._placed(line, line.region, line.policies, old.end - old.start, stage,
                                old.type, st)
        if isinstance(line, A.Free):
            del st.regions[line.region]
        elif isinstance(line, A.Reserve):
            r = st.regions[line.region]
            st.overlays.setdefault(line.map, []).append((r.start, r.end, line.type))
        elif isinstance(line, A.SetVar):
            st.vars[line.name] = self.ev(line.value, st)
        elif isinstance(line, A.Assume):
            return self.ev(line.pred, st), true  # type: ignore[return-value]
        elif isinstance(line, A.PoolDecl):
            self._pool(line, stage, st)
        return true, true

    def _placed(self, line: A.Line, name: str, policies: tuple[A.Policy, ...], size: Term,
                owner: str | None, typ: str | None, st: SymState) -> tuple[Cond, Cond]:
        pool = next((p.pool for p in policies if p.kind == "pool"), None)
        cons, fits, start, found = self.place(line, policies, size, st, name)
        end = start + size
        if policies[-1].kind == "none":  # empty when no earlier policy found room
            end = z3.If(found, start + size, start)
        self.wraps.append(Labeled(z3.Implies(z3.And(fits, cons), z3.And(start >= 0, end <= self.top)),
                                  f"region '{name}' stays inside the {self.model.width}-bit "
                                  "address space", line.span))
        st.regions[name] = self.region(start, end, owner, typ, pool)
        return cons, fits

    def _pool(self, d: A.PoolDecl, owner: str | None, st: SymState) -> None:
        a, b = self.rng(d.range, st)
        st.regions[d.name] = self.region(a, b, owner, "pool")
        st.cursors[d.name] = b if d.direction == "down" else a

    def initial(self) -> tuple[SymState, list[Labeled]]:
        st = SymState({}, {}, {}, {})
        for r in self.model.regions:
            if r.range is not None:
                a, b = self.rng(r.range, st)
            else:
                assert r.at is not None and r.size is not None
                a = self.ev(r.at, st)  # type: ignore[assignment]
                b = a + self.ev(r.size, st)  # type: ignore[operator]
            st.regions[r.name] = self.region(a, b, None, r.type)
        for p in self.model.pools:
            self._pool(p, None, st)
        for v in self.model.vars:
            st.vars[v.name] = self.ev(v.value, st)
        assumes = [Labeled(self.ev(a.pred, st), "assume", a.span)  # type: ignore[arg-type]
                   for a in self.model.assumes]
        return st, assumes



def encode_path(model: Model, path: Path, abstract: frozenset[str] = frozenset()
                ) -> PathEncoding:
    enc = Encoder(model, abstract)
    n = len(path.events)
    constraints: list[list[Labeled]] = [[] for _ in range(n)]
    obligations: list[list[Labeled]] = [[] for _ in range(n)]
    states: list[SymState | None] = [None] * n
    st, assumes = enc.initial()
    enc.base.extend(assumes)  # global assumptions hold from the start, for every event
    obligations[0] = list(enc.wraps)
    states[0] = st
    for i in range(1, n):
        ev = path.events[i]
        enc.wraps = []
        nst = st.copy()
        if ev.kind == "enter":
            assert ev.stage is not None
            g = model.stages[ev.stage].guard
            if g is not None:
                constraints[i].append(Labeled(enc.ev(g, nst), f"guard of stage '{ev.stage}'",  # type: ignore[arg-type]
                                              model.stages[ev.stage].span))
        elif ev.kind == "end":
            for s in ev.end_guards:
                g = model.stages[s].guard
                assert g is not None
                constraints[i].append(Labeled(z3.Not(enc.ev(g, nst)),
                                              f"the boot ends before stage '{s}'",
                                              model.stages[s].span))
        else:
            assert ev.action is not None and ev.stage is not None
            if not isinstance(ev.action, A.AssertLine):
                cons, fits = enc.act(ev.action, ev.stage, nst)
                if not z3.is_true(fits):
                    obligations[i].append(Labeled(fits, "a placement fits", ev.action.span))
                    constraints[i].append(Labeled(fits, "the placement fitted", ev.action.span))
                if not z3.is_true(cons):
                    constraints[i].append(Labeled(cons, _kind(ev.action), ev.action.span))
        obligations[i].extend(enc.wraps)
        st = nst
        states[i] = st
    enc.base.extend(enc.side)  # facts about the fresh entries of abstract maps
    enc.side = []
    return PathEncoding(path, enc.inputs, enc.base, constraints, obligations, states, enc)


def _kind(line: A.Line) -> str:
    return "assume" if isinstance(line, A.Assume) else "the anywhere placement's rules"
