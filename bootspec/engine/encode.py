"""Pass 4, *encode*: one boot path -> Z3 terms, event by event (docs/language.md).

Needs: a resolved model and one :class:`~bootspec.engine.paths.Path`.
Guarantees: for every event i, ``constraints[i]`` (what must hold for the run to
get past it: guards, assumptions, ``anywhere`` choices, a placement that
fits), ``obligations[i]`` (the finding sites it evaluates, each labelled with its
site name and checked under the constraints of events before i) and
``states[i]`` (symbolic regions, variables, cursors and map states after it).

Encoding choices:
- unbounded integers with explicit bounds on every input, never bit-vectors, so
  nothing wraps silently (NOTE(ranges)): each arithmetic result carries a finding
  ``0 <= v <= 2^width`` and, when it fails, taints what is computed from it;
- lazy ``and``/``or``/``implies``/``if``: every finding and every taint is
  guarded by the *path condition* under which its operand is evaluated
  (``self.pc``), so an operand that is not evaluated neither wraps nor taints;
- taint is a condition per value: a region's ``ok``, a variable's and a cursor's
  ``*_ok``, a reservation's ``ok``; reading one adds it to ``self.taints``, and a
  property is true only when its value is and every taint it read holds;
- deterministic placements are *functions* of the state: the start of a
  top-down first fit is the largest valid candidate among ``floor(end - size)``
  of each segment and ``floor(obstacle.start - size)`` of each obstacle (and
  symmetrically bottom-up), which is complete (see ``_first_fit``) and linear;
- a map's state is its entries cut by reservations: each entry (and each
  reservation) contributes the pieces left of it, each a container of its own;
- an ``anywhere`` placement is a free choice constrained to be valid, and it
  fits exactly when a bottom-up first fit with the same clauses does;
- a property about memory of given map types is violated when one witness
  address inside the region has (or lacks) the type, so it needs no quantifier.

``import z3`` lives here and in :mod:`bootspec.engine.solver` only.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import assert_never

import z3

from bootspec import memtypes
from bootspec.diagnostics import Span
from bootspec.engine.concrete import choice_key
from bootspec.engine.paths import Path
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model
from bootspec.lang.sites import site_name

Term = z3.ArithRef
Cond = z3.BoolRef


@dataclasses.dataclass(frozen=True)
class Labeled:
    """A constraint or obligation with where it comes from (for unsat cores and
    messages); an obligation also names its finding site."""

    term: Cond
    label: str
    span: Span
    site: str | None = None


@dataclasses.dataclass(frozen=True)
class SymRegion:
    start: Term
    end: Term
    owner: str | None
    type: str | None
    ok: Cond  # well-formed: untainted bounds and 0 <= start <= end <= 2^width
    pool: str | None = None  # a pool its placement may take it from ...
    pooled: Cond = dataclasses.field(default_factory=lambda: z3.BoolVal(True))  # ... when


@dataclasses.dataclass(frozen=True)
class Reservation:
    """``reserve R in MAP as TYPE``: a piece of a map's state, later ones on top."""

    start: Term
    end: Term
    type: str
    ok: Cond  # the reserved region was well-formed


@dataclasses.dataclass
class SymState:
    regions: dict[str, SymRegion]
    vars: dict[str, z3.ExprRef]
    var_ok: dict[str, Cond]
    cursors: dict[str, Term]
    cursor_ok: dict[str, Cond]
    overlays: dict[str, list[Reservation]]

    def copy(self) -> SymState:
        return SymState(dict(self.regions), dict(self.vars), dict(self.var_ok),
                        dict(self.cursors), dict(self.cursor_ok),
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
    xs2 = [x for x in xs if not z3.is_true(x)]
    if not xs2:
        return z3.BoolVal(True)
    if len(xs2) == 1:
        return xs2[0]
    return _nary(z3.Z3_mk_and, xs2)


def _or(*xs: Cond) -> Cond:
    xs2 = [x for x in xs if not z3.is_false(x)]
    if not xs2:
        return z3.BoolVal(False)
    if len(xs2) == 1:
        return xs2[0]
    return _nary(z3.Z3_mk_or, xs2)


def _implies(a: Cond, b: Cond) -> Cond:
    if z3.is_true(a) or z3.is_true(b):
        return b
    return z3.Implies(a, b)


def overlap(a0: Term, a1: Term, b0: Term, b1: Term) -> Cond:
    """[a0, a1) and [b0, b1) meet (share an address); an empty or inverted range meets
    nothing (NOTE(ranges))."""
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


def _num(t: Term) -> int | None:
    return t.as_long() if z3.is_int_value(t) else None  # type: ignore[attr-defined]


@dataclasses.dataclass(frozen=True)
class _Container:
    """A piece of memory a block may be placed in: ``[lo, hi)`` when ``exists``."""

    lo: Term
    hi: Term
    exists: Cond


@dataclasses.dataclass(frozen=True)
class _Clauses:
    lo: Term
    hi: Term
    align: A.Expr | None
    groups: list[list[_Container]]  # sorted: every piece of group i lies below group i + 1
    loose: list[_Container]  # pieces of reservations: anywhere in the address space
    obstacles: list[tuple[Term, Term]]
    abstract: bool


@dataclasses.dataclass(frozen=True)
class _Placed:
    cons: Cond  # the choices it made are valid (anywhere)
    fits: Cond  # some policy found room (or 'else none')
    start: Term
    found: Cond  # a policy before a final 'else none' found room
    pools: list[tuple[str, Cond, Term]]  # (pool, used, cursor after)


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
        # evaluation of the current event: findings (by site), taints, lazy path condition
        self.findings: list[Labeled] = []
        self.taints: list[Cond] = []
        self.pc: Cond = z3.BoolVal(True)
        self.entry: tuple[Term, Term] | None = None  # the segment a 'where' is asked about
        self.size_since = 0  # where the taints of the size being placed start
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
        address of :meth:`in_types` that lies inside it. It may be empty (one that
        stands for no entry of the real map)."""
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

    # -- evaluation context
    def begin(self) -> None:
        """Start evaluating one event (an action, a declaration, a guard)."""
        self.findings, self.taints, self.pc = [], [], z3.BoolVal(True)

    def _read(self, ok: Cond) -> None:
        """A value read here is tainted unless ``ok`` (guarded by the path condition)."""
        if not z3.is_true(ok):
            self.taints.append(_implies(self.pc, ok))

    def untainted(self) -> Cond:
        return _and(*self.taints)

    def _finding(self, kind: str, holds: Cond, label: str, span: Span) -> None:
        self.findings.append(Labeled(holds, label, span,
                                     site_name(kind, span, self.model.path)))

    def _wrap(self, v: Term, span: Span, what: str, since: int) -> Term:
        """Check an operation's result: a wrap when it leaves [0, 2^width] while its
        operands (what was evaluated since ``since``) are untainted; either way a
        result outside the range is tainted."""
        inside = _and(v >= 0, v <= self.top)
        operands = _and(*self.taints[since:])
        self._finding("wrap", _implies(_and(self.pc, operands), inside),
                      f"{what} stays within [0, 2^{self.model.width}]", span)
        self.taints.append(_implies(self.pc, inside))
        return v

    def _lazy(self, cond: Cond) -> Cond:
        """Narrow the path condition to ``cond``; returns the old one to restore."""
        old = self.pc
        self.pc = _and(old, cond)
        return old

    # -- expressions
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
                self._read(st.var_ok[e.id])
                return st.vars[e.id]
            raise AssertionError(e.id)
        if isinstance(e, A.Attr):
            if e.base == "entry":
                assert self.entry is not None, "entry.* outside a where clause"
                lo, hi = self.entry
                return {"start": lo, "end": hi, "size": hi - lo}[e.field]
            if e.field == "cursor":
                self._read(st.cursor_ok[e.base])
                return st.cursors[e.base]
            r = st.regions[e.base]
            self._read(r.ok)
            return {"start": r.start, "end": r.end, "size": r.end - r.start}[e.field]
        if isinstance(e, A.BinOp):
            since = len(self.taints)
            a = self.ev(e.left, st)
            if e.op in "+-":
                b = self.ev(e.right, st)
                v = a + b if e.op == "+" else a - b  # type: ignore[operator]
            else:
                v = self._finite_op(e, a, st)  # type: ignore[arg-type]
            return self._wrap(v, e.span, f"'{e.op}'", since)
        if isinstance(e, A.Compare):
            a, b = self.ev(e.left, st), self.ev(e.right, st)
            return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b,
                    "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b}[e.op]()
        if isinstance(e, A.Not):
            return z3.Not(self.ev(e.operand, st))
        if isinstance(e, A.BoolOp):
            return self._boolop(e, st)
        if isinstance(e, A.Ite):
            c = self.ev(e.cond, st)
            old = self._lazy(c)  # type: ignore[arg-type]
            t = self.ev(e.then, st)
            self.pc = _and(old, _not(c))  # type: ignore[arg-type]
            o = self.ev(e.other, st)
            self.pc = old
            return z3.If(c, t, o)
        if isinstance(e, A.Call):
            return self.call(e, st)
        if isinstance(e, A.RangeLit | A.MapTypes):  # only as a predicate's argument
            raise AssertionError(f"{type(e).__name__} evaluated as a value")
        assert_never(e)

    def _boolop(self, e: A.BoolOp, st: SymState) -> Cond:
        """Lazy, left to right, like C's && and || (docs/language.md, laziness)."""
        old = self.pc
        if e.op == "implies":
            a = self.ev(e.operands[0], st)
            self.pc = _and(old, a)  # type: ignore[arg-type]
            b = self.ev(e.operands[1], st)
            self.pc = old
            return z3.Implies(a, b)
        vals: list[Cond] = []
        for x in e.operands:
            v = self.ev(x, st)
            vals.append(v)  # type: ignore[arg-type]
            self.pc = _and(self.pc, v if e.op == "and" else _not(v))  # type: ignore[arg-type]
        self.pc = old
        return z3.And(vals) if e.op == "and" else z3.Or(vals)

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

    def _finite_op(self, e: A.BinOp, a: Term, st: SymState) -> Term:
        rc = self._cases(e.right, st)
        if len(rc) == 1 and e.op == "*":
            lc = self._cases(e.left, st) if isinstance(e.left, A.Name) else [(None, a)]
            if len(lc) > 1:  # a set parameter on the left: split on it instead
                b = rc[0][1]
                return self._select([(c, x * b) for c, x in lc])
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
        self._read(r.ok)
        return r.start, r.end

    def _read_map(self, mapname: str, st: SymState) -> None:
        self._read(_and(*(o.ok for o in st.overlays.get(mapname, []))))

    def in_types(self, mapname: str, p: Term, types: tuple[str, ...], st: SymState) -> Cond:
        """Whether address p lies in a segment of one of ``types`` in the map's state."""
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
            base = _or(*[z3.And(s <= p, p < e) for (s, e, _), (_, _, tn, _) in
                         zip(self.maps[mapname], self.model.maps[mapname].entries, strict=True)
                         if tn in types])
        else:
            base = _or(*[z3.And(s <= p, p < e, z3.Or([t == i for i in idx]))
                         for s, e, t in self.maps[mapname]])
        out: Cond = base
        for o in st.overlays.get(mapname, []):
            out = z3.If(z3.And(o.start <= p, p < o.end), z3.BoolVal(o.type in types), out)
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
            since = len(self.taints)
            v = self._align(self.ev(args[0], st), args[1], st, fn == "align_up")  # type: ignore[arg-type]
            return self._wrap(v, e.span, fn, since) if fn == "align_up" else v
        if fn in ("within", "outside", "disjoint") and isinstance(args[-1], A.MapTypes):
            a0, a1 = self.rng(args[0], st)
            mt = args[1]
            assert isinstance(mt, A.MapTypes)
            self._read_map(mt.map, st)
            w = z3.Int(f"w:{next(self.witness_n)}")
            inside = z3.And(a0 <= w, w < a1)
            has = self.in_types(mt.map, w, mt.types, st)
            # positive polarity only (checked in resolve): the witness is existential in
            # the negation, so "no witness breaks it" is exactly the property.
            return z3.Not(z3.And(inside, z3.Not(has) if fn == "within" else has))
        if fn == "disjoint":
            rs = [self.rng(a, st) for a in args]
            return _and(*[_not(overlap(*rs[i], *rs[j]))
                          for i in range(len(rs)) for j in range(i + 1, len(rs))])
        if fn == "within":
            (a0, a1), (b0, b1) = self.rng(args[0], st), self.rng(args[1], st)
            return z3.Or(a0 == a1, z3.And(b0 <= a0, a1 <= b1))
        if fn in ("below", "above"):
            a0, a1 = self.rng(args[0], st)
            v = self.ev(args[1], st)
            return z3.Or(a0 == a1, a1 <= v if fn == "below" else a0 >= v)
        if fn == "aligned":
            a0, _ = self.rng(args[0], st)
            return z3.Or([z3.And(c, a0 % a == 0) if c is not None else a0 % a == 0
                          for c, a in self._cases(args[1], st)])
        if fn == "nowrap":  # tests well-formedness itself: never tainted by its argument
            assert isinstance(args[0], A.Name)
            return st.regions[args[0].id].ok
        if fn == "capacity":
            assert isinstance(args[0], A.Name)
            pr = st.regions[args[0].id]
            self._read(pr.ok)
            mine = [r for r in st.regions.values() if r.pool == args[0].id]
            for r in mine:
                self._read(_implies(r.pooled, r.ok))
            return _and(*[_implies(r.pooled, z3.Or(r.start == r.end,
                                                   z3.And(pr.start <= r.start, r.end <= pr.end)))
                          for r in mine])
        if fn == "equal":
            return self.ev(args[0], st) == self.ev(args[1], st)
        raise AssertionError(fn)

    def prop(self, e: A.Expr, st: SymState) -> Cond:
        """A predicate's truth in a state: its value, and nothing it evaluated tainted
        (docs/language.md, "Wraps and taint"). Findings inside it are not sites."""
        saved = self.findings, self.taints, self.pc
        self.findings, self.taints, self.pc = [], [], z3.BoolVal(True)
        try:
            v = self.ev(e, st)
            return _and(v, *self.taints)  # type: ignore[arg-type]
        finally:
            self.findings, self.taints, self.pc = saved

    # -- placements
    def _floor_ceil(self, align_e: A.Expr | None, st: SymState):  # type: ignore[no-untyped-def]
        align_cases = self._cases(align_e, st) if align_e is not None else [(None, _val(1))]
        if len(align_cases) == 1 and _num(align_cases[0][1]) == 1:
            return (lambda x: x), (lambda x: x)

        def floor(x: Term) -> Term:
            return self._select([(c, x - x % a) for c, a in align_cases])

        def ceil(x: Term) -> Term:
            return self._select([(c, (x + a - 1) - (x + a - 1) % a) for c, a in align_cases])

        return floor, ceil

    def _first_fit(self, size: Term, align_e: A.Expr | None, cl: _Clauses, topdown: bool,
                   st: SymState) -> tuple[Cond, Term]:
        """(fits, start) of the highest (lowest) aligned fit.

        Completeness: let a be the best valid start and a' the next aligned address
        beyond it. a' is invalid, so either it leaves [lo, hi) or its container, or
        passes 2^width, which makes a = floor(min(container end, hi) - size, 2^width)
        (topdown), or it meets an obstacle o that a does not, which makes
        a = floor(o.start - size). Bottom-up is
        the mirror image (ceil(max(container start, lo)), ceil(o.end)). A container is
        one segment of the map's state, whose end is an entry's end or a later
        reservation's start, so every such bound is among the candidates, and the fold
        below picks the best valid one.
        """
        floor, ceil = self._floor_ceil(align_e, st)
        lo, hi = cl.lo, cl.hi
        top = _val(self.top)

        def clear(c: Term) -> list[Cond]:
            end = _add(c, size)
            return [_not(overlap(c, end, o0, o1)) for o0, o1 in cl.obstacles]

        # an obstacle's candidate and whether it clears every obstacle do not depend on
        # the container: built once, not once per container
        shared = [(c, clear(c)) for c in
                  ([floor(_min(o0 - size, top)) for o0, _ in cl.obstacles] if topdown
                   else [ceil(o1) for _, o1 in cl.obstacles])]
        least = self._least(size)

        def best_in(cont: _Container) -> tuple[Cond, Term]:
            lo_i, hi_i = _max(cont.lo, lo), _min(cont.hi, hi)
            # capped at 2^width: with a (tainted) negative size, hi - size is above it
            own = floor(_min(hi_i - size, top)) if topdown else ceil(lo_i)
            fits_i: Cond = z3.BoolVal(False)
            best_i: Term = _val(0)
            for c, free in [(own, clear(own)), *shared]:
                valid = _and(cont.exists, _ge(c, lo_i), _le(_add(c, size), hi_i),
                             _le(c, top), *free)
                better = _gt(c, best_i) if topdown else _lt(c, best_i)
                best_i = _ite(_and(valid, _or(_not(fits_i), better)), c, best_i)
                fits_i = _or(fits_i, valid)
            return fits_i, best_i

        def too_small(cont: _Container) -> bool:
            a, b = _num(_max(cont.lo, lo)), _num(cont.hi)
            return least is not None and a is not None and b is not None and b - a < least

        fits: Cond = z3.BoolVal(False)
        best: Term = _val(0)
        # groups are sorted and disjoint: every valid start in group i lies below every
        # valid start in group i + 1, so the answer is the best candidate of the highest
        # (lowest) group that has one: linear in the number of entries
        for group in (cl.groups if topdown else list(reversed(cl.groups))):
            pieces = [best_in(c) for c in group if not too_small(c)]
            if not pieces:
                continue
            g_fits, g_best = self._best_of(pieces, topdown)
            best = _ite(g_fits, g_best, best)
            fits = _or(fits, g_fits)
        loose = [best_in(c) for c in cl.loose]
        if loose:
            fits, best = self._best_of([(fits, best), *loose], topdown)
        return fits, best

    @staticmethod
    def _best_of(options: list[tuple[Cond, Term]], topdown: bool) -> tuple[Cond, Term]:
        if len(options) == 1:
            return options[0]
        fits: Cond = z3.BoolVal(False)
        best: Term = _val(0)
        for f, c in options:
            better = _gt(c, best) if topdown else _lt(c, best)
            best = _ite(_and(f, _or(_not(fits), better)), c, best)
            fits = _or(fits, f)
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

    @staticmethod
    def _pieces(s: Term, e: Term, cuts: list[Reservation]) -> list[tuple[Term, Term, Cond]]:
        """The segments an entry [s, e) leaves after the reservations ``cuts`` made
        later: (start, end, exists). A piece starts at s or at a cut's end, outside
        every cut, and runs to e or to the next cut's start."""
        if not cuts:
            return [(s, e, _lt(s, e))]
        out = []
        lefts: list[tuple[Term, Cond]] = [(s, z3.BoolVal(True))]
        lefts += [(r.end, _lt(r.start, r.end)) for r in cuts]
        for b, cond in lefts:
            inside = _or(*[_and(_lt(r.start, r.end), _le(r.start, b), _lt(b, r.end))
                           for r in cuts])
            p1 = e
            for r in cuts:
                p1 = _ite(_and(_lt(r.start, r.end), _gt(r.start, b), _lt(r.start, p1)),
                          r.start, p1)
            out.append((b, p1, _and(cond, _le(s, b), _lt(b, e), _not(inside))))
        return out

    def _container(self, lo: Term, hi: Term, exists: Cond, where: A.Expr | None,
                   st: SymState) -> _Container:
        """A segment as a container; its ``where`` is evaluated when it exists."""
        if where is None or z3.is_false(exists):
            return _Container(lo, hi, exists)
        old = self._lazy(exists)
        self.entry = (lo, hi)
        try:
            ok = self.ev(where, st)
        finally:
            self.entry = None
            self.pc = old
        return _Container(lo, hi, _and(exists, ok))  # type: ignore[arg-type]

    def _clauses(self, p: A.Policy, st: SymState, exclude: str | None) -> _Clauses:
        lo: Term = _val(0)
        hi: Term = _val(self.top)
        align: A.Expr | None = None
        obstacles: list[tuple[Term, Term]] = []
        in_map: A.Clause | None = None
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
                for n in names:
                    r = st.regions[n]
                    self._read(r.ok)
                    obstacles.append((r.start, r.end))
            elif c.kind == "in_map":
                in_map = c
            else:
                assert_never(c.kind)
        if in_map is None:
            return _Clauses(lo, hi, align, [[_Container(lo, hi, z3.BoolVal(True))]], [],
                            obstacles, False)
        groups, loose, abstract = self._map_containers(in_map, st)
        return _Clauses(lo, hi, align, groups, loose, obstacles, abstract)

    def _map_containers(self, c: A.Clause, st: SymState
                        ) -> tuple[list[list[_Container]], list[_Container], bool]:
        """The segments of a map's state whose type is one of the clause's types (and for
        which its ``where`` holds): entries cut by reservations, then the reservations
        themselves cut by later ones (docs/language.md, "A map's state")."""
        assert c.name is not None
        mp = self.model.maps[c.name]
        kinds = memtypes.TYPES_BY_KIND[mp.kind]
        idx = [kinds.index(t) for t in c.names]
        cuts = st.overlays.get(c.name, [])
        self._read_map(c.name, st)
        abstract = c.name in self.abstract
        if abstract:
            s0, e0, t0 = self._abstract_entry(c.name)
            entries = [(s0, e0, z3.Or([t0 == i for i in idx]))]
        elif not mp.symbolic:
            # a real machine's map: only non-empty entries of the right type can take it
            entries = [(s, e, z3.BoolVal(True)) for (s, e, _), (a, b, tn, _) in
                       zip(self.maps[c.name], mp.entries, strict=True) if tn in c.names and a < b]
        else:
            entries = [(s, e, z3.Or([t == i for i in idx])) for s, e, t in self.maps[c.name]]
        groups = []
        for s, e, ok in entries:
            groups.append([self._container(p0, p1, _and(ok, ex), c.expr, st)
                           for p0, p1, ex in self._pieces(s, e, cuts)])
        loose = []
        for j, r in enumerate(cuts):
            if r.type in c.names:
                loose += [self._container(p0, p1, ex, c.expr, st)
                          for p0, p1, ex in self._pieces(r.start, r.end, cuts[j + 1:])]
        return groups, loose, abstract

    def _valid_start(self, c: Term, size: Term, cl: _Clauses, st: SymState,
                     align: A.Expr | None) -> list[Cond]:
        cons = [c >= 0, c <= self.top, c >= cl.lo, c + size <= cl.hi]
        if align is not None:
            cases = self._cases(align, st)
            cons += [z3.Or([z3.And(cc, c % a == 0) if cc is not None else c % a == 0
                            for cc, a in cases])]
        cons += [z3.Not(overlap(c, c + size, o0, o1)) for o0, o1 in cl.obstacles]
        return cons

    def place(self, line: A.Line, policies: tuple[A.Policy, ...], size: Term, st: SymState,
              exclude: str | None) -> _Placed:
        """Try the policies in order; a policy's clauses are evaluated only when every
        policy before it found no room (docs/language.md, "Placements")."""
        outcomes: list[tuple[Cond, Cond, Term]] = []  # (cons, fits, start) per policy
        pools: list[tuple[str, Cond, Term]] = []
        outer = self.pc
        tried: Cond = z3.BoolVal(True)  # no policy before this one found room
        for k, p in enumerate(policies):
            self.pc = _and(outer, tried)
            kind = p.kind
            if kind == "none":  # optional placement: always "fits", as an empty region
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), _val(0)))
                break
            if kind == "at":
                assert p.at is not None
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), self.ev(p.at, st)))  # type: ignore[arg-type]
                break
            if kind == "pool":
                assert p.pool is not None
                since = self.size_since
                self._read(st.cursor_ok[p.pool])
                cur = st.cursors[p.pool]
                one = A.Num(p.span, 1)
                if self.model.pool_direction(p.pool) == "down":
                    t = self._wrap(cur - size, line.span, f"pool '{p.pool}': cursor - size",
                                   since)
                    start = self._align(t, p.align or one, st, up=False)
                    after = start
                else:
                    start = self._wrap(self._align(cur, p.align or one, st, up=True), line.span,
                                       f"pool '{p.pool}': align_up(cursor)", since)
                    after = start + size
                pools.append((p.pool, tried, after))
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), start))
                break
            cl = self._clauses(p, st, exclude)
            if kind not in ("anywhere", "topdown", "bottomup"):
                assert_never(kind)
            if cl.abstract:
                # over-approximate the first fit: any fitting start in some segment of the
                # right type, or no fit at all
                k2 = next(self.witness_n)
                c = z3.Int(f"a:place:{k2}")
                fits_a = z3.Bool(f"a:fits:{k2}")
                cons = self._valid_start(c, size, cl, st, cl.align)
                inside = [z3.And(ct.exists, c >= ct.lo, c + size <= ct.hi)
                          for g in cl.groups for ct in g] + \
                         [z3.And(ct.exists, c >= ct.lo, c + size <= ct.hi) for ct in cl.loose]
                cons.append(z3.Or(inside))
                outcomes.append((z3.Implies(fits_a, z3.And(cons)), fits_a, c))
            elif kind == "anywhere":
                c = z3.Int(choice_key(line, k))
                self.inputs[choice_key(line, k)] = c
                cons = self._valid_start(c, size, cl, st, cl.align)
                if cl.align is not None:
                    cases = self._cases(cl.align, st)
                    if len(cases) == 1 and _num(cases[0][1]) is not None and \
                            (_num(cases[0][1]) or 0) > 0:
                        self.choice_step[choice_key(line, k)] = _num(cases[0][1]) or 1
                # it fits exactly when some start is valid: when the lowest one exists;
                # then the choice must be one (a run is one valid choice)
                fits, _ = self._first_fit(size, cl.align, cl, False, st)
                outcomes.append((_implies(fits, z3.And(cons)), fits, c))
            else:
                fits, start = self._first_fit(size, cl.align, cl, kind == "topdown", st)
                outcomes.append((z3.BoolVal(True), fits, start))
            tried = _and(tried, _not(outcomes[-1][1]))
        self.pc = outer
        # fold the 'else' chain: the first policy that fits wins
        found = _or(*[f for _, f, _ in outcomes[:-1]]) if len(outcomes) > 1 \
            else z3.BoolVal(True)
        cons, fits, start = outcomes[-1]
        for c2, f2, s2 in reversed(outcomes[:-1]):
            cons, fits, start = (z3.If(f2, c2, cons), _or(f2, fits), z3.If(f2, s2, start))
        return _Placed(cons, fits, start, found, pools)

    # -- actions
    def _region(self, line: A.Line, name: str, start: Term, end: Term, owner: str | None,
                typ: str | None, placed: Cond, pool: str | None = None) -> SymRegion:
        """A region made on ``line``: well-formed when nothing it was computed from is
        tainted and its bounds are in order; a ``region@`` finding when they are not
        although nothing was tainted."""
        bounds = _and(_ge(start, _val(0)), _le(start, end), _le(end, _val(self.top)))
        untainted = self.untainted()
        self._finding("region", _implies(_and(placed, untainted), bounds),
                      f"region '{name}' is in order and inside the {self.model.width}-bit "
                      "address space", line.span)
        return SymRegion(start, end, owner, typ, z3.simplify(_and(untainted, bounds)), pool)

    def act(self, line: A.Action, stage: str, st: SymState) -> tuple[Cond, Cond]:  # noqa: C901
        """Apply one action to ``st``; (constraints, placement fits). Call :meth:`begin`
        first; the findings are left in ``self.findings``."""
        true = z3.BoolVal(True)
        if isinstance(line, A.Place):
            if line.range is not None:
                a, b = self.rng(line.range, st)
                st.regions[line.region] = self._region(line, line.region, a, b, stage,
                                                       line.type, true)
                return true, true
            assert line.size is not None
            self.size_since = len(self.taints)
            size = self.ev(line.size, st)
            return self._placed(line, line.region, line.policies, size, stage, line.type, st)  # type: ignore[arg-type]
        if isinstance(line, A.Copy):
            self.size_since = len(self.taints)
            src = st.regions[line.src]
            self._read(src.ok)
            return self._placed(line, line.dst, line.policies, src.end - src.start, stage,
                                line.type or src.type, st)
        if isinstance(line, A.Move):
            self.size_since = len(self.taints)
            old = st.regions[line.region]
            self._read(old.ok)
            return self._placed(line, line.region, line.policies, old.end - old.start, stage,
                                old.type, st)
        if isinstance(line, A.Free):
            del st.regions[line.region]
        elif isinstance(line, A.Reserve):
            r = st.regions[line.region]
            st.overlays.setdefault(line.map, []).append(
                Reservation(r.start, r.end, line.type, r.ok))
        elif isinstance(line, A.SetVar):
            st.vars[line.name] = self.ev(line.value, st)
            st.var_ok[line.name] = self.untainted()
        elif isinstance(line, A.Assume):
            return self.ev(line.pred, st), true  # type: ignore[return-value]
        elif isinstance(line, A.PoolDecl):
            self._pool(line, stage, st)
        elif isinstance(line, A.AssertLine):
            pass  # checked as an obligation; the state does not change
        else:
            assert_never(line)
        return true, true

    def _placed(self, line: A.Place | A.Copy | A.Move, name: str, policies: tuple[A.Policy, ...],
                size: Term, owner: str | None, typ: str | None, st: SymState
                ) -> tuple[Cond, Cond]:
        pool = next((p.pool for p in policies if p.kind == "pool"), None)
        pl = self.place(line, policies, size, st, name)
        end = _add(pl.start, size)
        if policies[-1].kind == "none":  # empty when no earlier policy found room
            end = z3.If(pl.found, end, pl.start)
        if policies[-1].kind in ("anywhere", "topdown", "bottomup"):
            self._finding("fits", pl.fits, "a placement fits", line.span)
        region = self._region(line, name, pl.start, end, owner, typ, _and(pl.cons, pl.fits), pool)
        if pl.pools:  # from the pool only when no policy before it found room
            region = dataclasses.replace(region, pooled=pl.pools[0][1])
        st.regions[name] = region
        for pname, used, after in pl.pools:
            st.cursors[pname] = _ite(used, after, st.cursors[pname])
            st.cursor_ok[pname] = _and(st.cursor_ok[pname], _implies(used, region.ok))
        return pl.cons, pl.fits

    def _pool(self, d: A.PoolDecl, owner: str | None, st: SymState) -> None:
        a, b = self.rng(d.range, st)
        r = self._region(d, d.name, a, b, owner, "pool", z3.BoolVal(True))
        st.regions[d.name] = r
        st.cursors[d.name] = b if d.direction == "down" else a
        st.cursor_ok[d.name] = r.ok

    def initial(self) -> tuple[SymState, list[Labeled], list[Labeled]]:
        """The initial state, the model-level assumptions (constraints) and the findings
        of the declarations (docs/language.md: regions, then pools, then variables)."""
        st = SymState({}, {}, {}, {}, {}, {})
        findings: list[Labeled] = []
        true = z3.BoolVal(True)
        for r in self.model.regions:
            self.begin()
            if r.range is not None:
                a, b = self.rng(r.range, st)
            else:
                assert r.at is not None and r.size is not None
                a = self.ev(r.at, st)  # type: ignore[assignment]
                b = _add(a, self.ev(r.size, st))  # type: ignore[arg-type]
            st.regions[r.name] = self._region(r, r.name, a, b, None, r.type, true)
            findings += self.findings
        for p in self.model.pools:
            self.begin()
            self._pool(p, None, st)
            findings += self.findings
        for v in self.model.vars:
            self.begin()
            st.vars[v.name] = self.ev(v.value, st)
            st.var_ok[v.name] = self.untainted()
            findings += self.findings
        assumes = []
        for a in self.model.assumes:
            self.begin()
            assumes.append(Labeled(self.ev(a.pred, st), "assume", a.span))  # type: ignore[arg-type]
            findings += self.findings
        self.begin()
        return st, assumes, findings


def encode_path(model: Model, path: Path, abstract: frozenset[str] = frozenset()
                ) -> PathEncoding:
    enc = Encoder(model, abstract)
    n = len(path.events)
    constraints: list[list[Labeled]] = [[] for _ in range(n)]
    obligations: list[list[Labeled]] = [[] for _ in range(n)]
    states: list[SymState | None] = [None] * n
    st, assumes, findings = enc.initial()
    enc.base.extend(assumes)  # global assumptions hold from the start, for every event
    obligations[0] = findings
    states[0] = st
    for i in range(1, n):
        ev = path.events[i]
        enc.begin()
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
                enc.pc = z3.BoolVal(True)
                constraints[i].append(Labeled(z3.Not(enc.ev(g, nst)),
                                              f"the boot ends before stage '{s}'",
                                              model.stages[s].span))
        else:
            assert ev.action is not None and ev.stage is not None
            cons, fits = enc.act(ev.action, ev.stage, nst)
            if not z3.is_true(fits):
                constraints[i].append(Labeled(fits, "the placement fitted", ev.action.span))
            if not z3.is_true(cons):
                constraints[i].append(Labeled(cons, _kind(ev.action), ev.action.span))
                # a configuration whose 'anywhere' choice is not a valid one is no run
                # from this line on: its findings here do not count either
                enc.findings = [dataclasses.replace(f, term=_implies(cons, f.term))
                                for f in enc.findings]
        obligations[i] = enc.findings
        st = nst
        states[i] = st
    enc.begin()
    enc.base.extend(enc.side)  # facts about the fresh entries of abstract maps
    enc.side = []
    return PathEncoding(path, enc.inputs, enc.base, constraints, obligations, states, enc)


def _kind(line: A.Line) -> str:
    return "assume" if isinstance(line, A.Assume) else "the anywhere placement's rules"
