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
  symmetrically bottom-up), which is complete (see ``MapEncoder.first_fit``) and linear;
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

from bootspec.diagnostics import Span
from bootspec.engine.concrete import attrs_word, choice_key
from bootspec.engine.encode_maps import Clauses, Container, MapEncoder
from bootspec.engine.paths import Path
from bootspec.engine.terms import (
    BITS,
    Cond,
    Conversion,
    Labeled,
    Reservation,
    SymRegion,
    SymState,
    Term,
    add,
    and_,
    ge,
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
from bootspec.lang.ir import Model
from bootspec.lang.sites import site_name
from bootspec.lang.vocab import SiteKind


@dataclasses.dataclass
class PathEncoding:
    path: Path
    inputs: dict[str, z3.ExprRef]  # the free variables, by concrete-input name
    base: list[Labeled]  # domains and map well-formedness
    constraints: list[list[Labeled]]
    obligations: list[list[Labeled]]
    states: list[SymState | None]
    encoder: Encoder


def _and_const(a: Term, c: int) -> Term:
    """``a & c`` for a constant c: each run of one bits [i, j) of c keeps
    floor(a / 2^i) mod 2^(j - i), shifted back; a negative c is a & ~(~c) = a - (a & ~c)."""
    if c < 0:
        return a - _and_const(a, ~c)
    out: Term = val(0)
    i = 0
    while c >> i:
        if not (c >> i) & 1:
            i += 1
            continue
        j = i
        while (c >> j) & 1:
            j += 1
        part = (a / (1 << i)) % (1 << (j - i)) if i else a % (1 << j)
        out = out + part * (1 << i)
        i = j
    return out


@dataclasses.dataclass(frozen=True)
class _Placed:
    cons: Cond  # the choices it made are valid (anywhere)
    fits: Cond  # some policy found room (or 'else none')
    start: Term
    found: Cond  # a policy before a final 'else none' found room
    pools: list[tuple[str, Cond, Term]]  # (pool, used, cursor after)


class Encoder(MapEncoder):
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
        self.bound: dict[str, tuple[Term, Term, Term]] = {}  # entry / quantifier variables
        self.polarity = 0  # +1 inside a property, as stated; -1 negated; 0 a constraint
        self.size_since = 0  # where the taints of the size being placed start
        self.modulus: int | None = None  # inside u8..u64: arithmetic modulo 2^N
        self.witness_n = itertools.count()
        self.choice_step: dict[str, int] = {}  # an 'anywhere' choice's constant alignment
        # results of '&', '|', '^' on two symbolic operands -> (that term, its vector)
        self._vectors: dict[int, tuple[Term, z3.BitVecRef]] = {}
        self.abstract = abstract
        self.abs_entries: dict[str, list[tuple[Term, Term, Term, Term]]] = {
            m: [] for m in abstract}
        self.abs_witnesses: dict[str, list[tuple[Term, Cond]]] = {m: [] for m in abstract}
        self._params()
        self.maps = {n: self.declared(m) for n, m in model.maps.items() if n not in abstract}

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

    # -- evaluation context
    def begin(self) -> None:
        """Start evaluating one event (an action, a declaration, a guard): its predicates
        are constraints, at no polarity."""
        self.findings, self.taints, self.pc, self.polarity = [], [], z3.BoolVal(True), 0

    def _read(self, ok: Cond) -> None:
        """A value read here is tainted unless ``ok`` (guarded by the path condition)."""
        if not z3.is_true(ok):
            self.taints.append(implies(self.pc, ok))

    def untainted(self) -> Cond:
        return and_(*self.taints)

    def _finding(self, kind: SiteKind, holds: Cond, label: str, span: Span) -> None:
        self.findings.append(Labeled(holds, label, span,
                                     site_name(kind, span, self.model.path)))

    def _wrap(self, v: Term, span: Span, what: str, since: int,
              defined: Cond | None = None) -> Term:
        """Check an operation's result: a wrap when it leaves [0, 2^width] (or is not
        ``defined``: a division by 0) while its operands (what was evaluated since
        ``since``) are untainted; either way such a result is tainted. Inside
        ``u8``..``u64`` the result is reduced modulo 2^N instead, and never wraps."""
        if self.modulus is not None:
            return v % self.modulus
        inside = and_(v >= 0, v <= self.top)
        if defined is not None:
            inside = and_(inside, defined)
        operands = and_(*self.taints[since:])
        self._finding("wrap", implies(and_(self.pc, operands), inside),
                      f"{what} stays within [0, 2^{self.model.width}]", span)
        self.taints.append(implies(self.pc, inside))
        return v

    def _reduce(self, v: Term) -> Term:
        """A function's result inside ``u8``..``u64``: reduced modulo 2^N."""
        return v % self.modulus if self.modulus is not None else v

    def _lazy(self, cond: Cond) -> Cond:
        """Narrow the path condition to ``cond``; returns the old one to restore."""
        old = self.pc
        self.pc = and_(old, cond)
        return old

    # -- expressions
    def ev(self, e: A.Expr, st: SymState) -> z3.ExprRef:
        if isinstance(e, A.Num):
            return val(e.value)
        if isinstance(e, A.BoolLit):
            return z3.BoolVal(e.value)
        if isinstance(e, A.Name):
            s = self.model.symbols[e.id]
            if s.kind in ("const", "enumval"):
                assert s.value is not None
                return val(s.value)
            if s.kind == "param":
                return self.inputs[f"p:{e.id}"]
            if s.kind == "var":
                self._read(st.var_ok[e.id])
                return st.vars[e.id]
            raise AssertionError(e.id)
        if isinstance(e, A.Attr):
            if e.base in self.bound:
                lo, hi, word = self.bound[e.base]
                return {"start": lo, "end": hi, "size": hi - lo, "attrs": word}[e.field]
            if e.field == "cursor":
                self._read(st.cursor_ok[e.base])
                return st.cursors[e.base]
            r = st.regions[e.base]
            self._read(r.ok)
            return {"start": r.start, "end": r.end, "size": r.end - r.start}[e.field]
        if isinstance(e, A.BinOp):
            since = len(self.taints)
            a = self.ev(e.left, st)
            defined: Cond | None = None
            if e.op in ("+", "-"):
                b = self.ev(e.right, st)
                v = a + b if e.op == "+" else a - b
            elif e.op in ("*", "/", "%"):
                v, defined = self._mul_div(e, a, st)
            elif e.op in ("&", "|", "^"):
                v = self._bitwise(e.op, a, self.ev(e.right, st))
            else:
                v, defined = self._shift(e, a, st)
            return self._wrap(v, e.span, f"'{e.op}'", since, defined)
        if isinstance(e, A.BitNot):
            since = len(self.taints)
            a = self.ev(e.operand, st)
            if self.modulus is not None:
                return (self.modulus - 1) - a % self.modulus
            return self._wrap((self.top - 1) - a, e.span, "'~'", since)
        if isinstance(e, A.Compare):
            a, b = self._at(0, e.left, st), self._at(0, e.right, st)
            return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b,
                    "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b}[e.op]()
        if isinstance(e, A.Not):
            return z3.Not(self._at(-self.polarity, e.operand, st))
        if isinstance(e, A.BoolOp):
            return self._boolop(e, st)
        if isinstance(e, A.Ite):
            c = self._at(0, e.cond, st)
            old = self._lazy(c)
            t = self.ev(e.then, st)
            self.pc = and_(old, not_(c))
            o = self.ev(e.other, st)
            self.pc = old
            return z3.If(c, t, o)
        if isinstance(e, A.Call):
            return self.call(e, st)
        if isinstance(e, A.Quant):
            return self.quant(e, st, lambda x: self.ev(x, st))
        if isinstance(e, A.Aggregate):
            since = len(self.taints)
            total = self.aggregate(e, st, lambda x: self._at(0, x, st))
            return self._wrap(total, e.span, "sum", since) if e.kind == "sum" \
                else self._reduce(total)
        if isinstance(e, A.RangeLit | A.MapTypes | A.RegionSet):  # a predicate's argument
            raise AssertionError(f"{type(e).__name__} evaluated as a value")
        assert_never(e)

    def _at(self, polarity: int, e: A.Expr, st: SymState) -> z3.ExprRef:
        """Evaluate ``e`` at a polarity (a map predicate's witness is exact only at +1)."""
        saved, self.polarity = self.polarity, polarity
        try:
            return self.ev(e, st)
        finally:
            self.polarity = saved

    def _boolop(self, e: A.BoolOp, st: SymState) -> Cond:
        """Lazy, left to right, like C's && and || (docs/language.md, laziness)."""
        old = self.pc
        if e.op == "implies":
            a = self._at(-self.polarity, e.operands[0], st)
            self.pc = and_(old, a)
            b = self.ev(e.operands[1], st)
            self.pc = old
            return z3.Implies(a, b)
        vals: list[Cond] = []
        for x in e.operands:
            v = self.ev(x, st)
            vals.append(v)
            self.pc = and_(self.pc, v if e.op == "and" else not_(v))
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
                    return [(v == x, val(x)) for x in p.values]
        return [(None, self.ev(e, st))]

    @staticmethod
    def _select(cases: list[tuple[Cond | None, Term]]) -> Term:
        out = cases[-1][1]
        for cond, value in reversed(cases[:-1]):
            assert cond is not None
            out = z3.If(cond, value, out)
        return out

    def _mul_div(self, e: A.BinOp, a: Term, st: SymState) -> tuple[Term, Cond | None]:
        """``*``, ``/``, ``%``: split on a set parameter (keeps it linear), else nonlinear
        (docs: "may come back unknown"). Division is floor division; by 0 it is a wrap
        whose value is 0 (the second result: "defined")."""
        rc = self._cases(e.right, st)
        if len(rc) == 1 and e.op == "*":
            lc = self._cases(e.left, st) if isinstance(e.left, A.Name) else [(None, a)]
            if len(lc) > 1:  # a set parameter on the left: split on it instead
                b = rc[0][1]
                return self._select([(c, x * b) for c, x in lc]), None
        out: list[tuple[Cond | None, Term]] = []
        nonzero: list[tuple[Cond | None, Cond]] = []
        for cond, b in rc:
            out.append((cond, self._arith_op(e.op, a, b)))
            nonzero.append((cond, not_(b == 0) if e.op != "*" else z3.BoolVal(True)))
        defined = None
        if e.op != "*":
            defined = or_(*[and_(c, nz) if c is not None else nz for c, nz in nonzero])
        return self._select(out), defined

    @staticmethod
    def _arith_op(op: str, a: Term, b: Term) -> Term:
        if op == "*":
            return a * b
        k = num(b)
        if k is not None and k > 0:  # SMT-LIB div/mod by a positive constant: floor, C's
            return a / b if op == "/" else a % b
        if k == 0:
            return val(0)
        # floor(a / b) for any sign: SMT div floors only for a positive divisor
        q = z3.If(b > 0, a / b, z3.If(b < 0, (-a) / (-b), val(0)))
        return q if op == "/" else z3.If(b == 0, val(0), a - b * q)

    def _bitwise(self, op: str, a: Term, b: Term) -> Term:
        """``& | ^`` in two's complement (docs, "C arithmetic"). With a constant operand
        (masks, attribute bits: the common case) the bits are cut out with floor
        division and remainder by powers of two, which is linear and exact for every
        integer; two symbolic operands go through 66-bit vectors (exact for operands in
        [-2^65, 2^65), which every untainted value is)."""
        ka, kb = num(a), num(b)
        if ka is not None and kb is not None:
            return val(ka & kb if op == "&" else (ka | kb if op == "|" else ka ^ kb))
        if ka is not None:
            a, b, kb = b, a, ka
        if kb is not None:
            if op == "&":
                return _and_const(a, kb)
            if op == "|":  # a | c = a + c - (a & c)
                return a + kb - _and_const(a, kb)
            return a + kb - 2 * _and_const(a, kb)
        # a chain (a & b & c) stays in vectors: an operand made here is used as the
        # vector it came from, not converted back and forth at every step
        x, y = self._vector(a), self._vector(b)
        r = x & y if op == "&" else (x | y if op == "|" else x ^ y)
        out = z3.BV2Int(r, is_signed=True)
        self._vectors[out.get_id()] = (out, r)  # the term is kept: its id stays its own
        return out

    def _vector(self, a: Term) -> z3.BitVecRef:
        known = self._vectors.get(a.get_id())
        if known is not None and known[0].eq(a):
            return known[1]
        return z3.Int2BV(a, BITS)

    def _shift(self, e: A.BinOp, a: Term, st: SymState) -> tuple[Term, Cond | None]:
        """``a << k`` = a * 2^k, ``a >> k`` = floor(a / 2^k); k a constant or a parameter
        with a small finite domain (one case per value); k < 0 is a wrap, value 0."""
        out: list[tuple[Cond | None, Term]] = []
        ok: list[Cond] = []
        for cond, k in self._count_cases(e.right, st):
            if k < 0:
                out.append((cond, val(0)))
                ok.append(not_(cond) if cond is not None else z3.BoolVal(False))
            else:
                out.append((cond, a * (1 << k) if e.op == "<<" else a / (1 << k)))
        return self._select(out), (and_(*ok) if ok else None)

    def _count_cases(self, e: A.Expr, st: SymState) -> list[tuple[Cond | None, int]]:
        if isinstance(e, A.Name):
            p = next((x for x in self.model.params if x.name == e.id), None)
            if p is not None:
                v = self.inputs[f"p:{e.id}"]
                dom = p.domain() or ()
                if p.kind == "bool":
                    return [(v == z3.BoolVal(True), 1), (None, 0)]
                return [(v == x, x) for x in dom[:-1]] + [(None, dom[-1])] if dom else [(None, 0)]
        k = num(self.ev(e, st))
        assert k is not None, "resolve admits constant or finite shift counts only"
        return [(None, k)]

    def _align(self, x: Term, a_expr: A.Expr, st: SymState, up: bool) -> Term:
        cases = []
        for cond, a in self._cases(a_expr, st):
            y = x + a - 1 if up else x
            cases.append((cond, y - y % a))
        return self._select(cases)

    def rng(self, e: A.Expr, st: SymState) -> tuple[Term, Term]:
        if isinstance(e, A.RangeLit):
            return self.ev(e.lo, st), self.ev(e.hi, st)
        assert isinstance(e, A.Name)
        r = st.regions[e.id]
        self._read(r.ok)
        return r.start, r.end

    def call(self, e: A.Call, st: SymState) -> z3.ExprRef:
        fn, args = e.fn, e.args
        if fn in ("min", "max"):
            vals = [self.ev(x, st) for x in args]
            out = vals[0]
            for v in vals[1:]:
                out = z3.If(v < out, v, out) if fn == "min" else z3.If(v > out, v, out)
            return self._reduce(out)
        if fn in ("u8", "u16", "u32", "u64"):
            saved, self.modulus = self.modulus, 1 << int(fn[1:])
            try:
                v = self.ev(args[0], st)
            finally:
                self.modulus = saved
            return v % (1 << int(fn[1:]))
        if fn in ("align_up", "align_down"):
            since = len(self.taints)
            v = self._align(self.ev(args[0], st), args[1], st, fn == "align_up")
            return self._wrap(v, e.span, fn, since) if fn == "align_up" else self._reduce(v)
        if fn in ("within", "outside", "disjoint") and isinstance(args[-1], A.MapTypes):
            a0, a1 = self.rng(args[0], st)
            assert isinstance(args[1], A.MapTypes)
            return self.map_pred(fn, a0, a1, args[1], st)
        if fn in ("within", "disjoint") and any(isinstance(a, A.RegionSet) for a in args):
            return self._set_pred(fn, args, st)
        if fn == "disjoint":
            rs = [self.rng(a, st) for a in args]
            return and_(*[not_(overlap(*rs[i], *rs[j]))
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
                self._read(implies(r.pooled, r.ok))
            return and_(*[implies(r.pooled, z3.Or(r.start == r.end,
                                                   z3.And(pr.start <= r.start, r.end <= pr.end)))
                          for r in mine])
        if fn == "equal":
            return self.ev(args[0], st) == self.ev(args[1], st)
        raise AssertionError(fn)

    def _leaves(self, e: A.Expr, st: SymState) -> list[tuple[Term, Term]]:
        if isinstance(e, A.RegionSet):
            return self._leaves(e.left, st) + self._leaves(e.right, st)
        return [self.rng(e, st)]

    def _member(self, e: A.Expr, p: Term, leaves: dict[int, tuple[Term, Term]]) -> Cond:
        """Whether address p is in a region set (leaves already read, by node id)."""
        if isinstance(e, A.RegionSet):
            a, b = self._member(e.left, p, leaves), self._member(e.right, p, leaves)
            return or_(a, b) if e.op == "union" else and_(a, not_(b))
        s0, s1 = leaves[id(e)]
        return and_(le(s0, p), lt(p, s1))

    def _set_pred(self, fn: str, args: tuple[A.Expr, ...], st: SymState) -> Cond:
        """disjoint()/within() over region sets (docs, "Region sets"): a witness at
        positive polarity, else every bound where membership can change."""
        leaves: dict[int, tuple[Term, Term]] = {}

        def read(e: A.Expr) -> None:
            if isinstance(e, A.RegionSet):
                read(e.left)
                read(e.right)
            else:
                leaves[id(e)] = self.rng(e, st)

        for a in args:
            read(a)

        def bad(p: Term) -> Cond:
            if fn == "within":
                return and_(self._member(args[0], p, leaves),
                            not_(self._member(args[1], p, leaves)))
            return or_(*[and_(self._member(args[i], p, leaves), self._member(args[j], p, leaves))
                         for i in range(len(args)) for j in range(i + 1, len(args))])

        if self.polarity > 0:
            w = z3.Int(f"w:{next(self.witness_n)}")
            return not_(bad(w))
        cands = [x for lo, hi in leaves.values() for x in (lo, hi)]
        return and_(*[not_(bad(c)) for c in cands])

    def prop(self, e: A.Expr, st: SymState) -> Cond:
        """A predicate's truth in a state: its value, and nothing it evaluated tainted
        (docs/language.md, "Wraps and taint"). Findings inside it are not sites."""
        saved = self.findings, self.taints, self.pc, self.polarity
        self.findings, self.taints, self.pc, self.polarity = [], [], z3.BoolVal(True), 1
        try:
            v = self.ev(e, st)
            return and_(v, *self.taints)
        finally:
            self.findings, self.taints, self.pc, self.polarity = saved

    # -- placements
    def _clauses(self, p: A.Policy, st: SymState, exclude: str | None) -> Clauses:
        lo: Term = val(0)
        hi: Term = val(self.top)
        align: A.Expr | None = None
        obstacles: list[tuple[Term, Term]] = []
        in_map: A.Clause | None = None
        for c in p.clauses:
            if c.kind == "within":
                w0, w1 = self.rng(c.expr if c.expr is not None else A.Name(c.span, c.name or ""),
                                  st)
                lo, hi = max_(w0, lo), min_(w1, hi)
            elif c.kind == "below":
                assert c.expr is not None
                hi = min_(self.ev(c.expr, st), hi)
            elif c.kind == "above":
                assert c.expr is not None
                lo = max_(self.ev(c.expr, st), lo)
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
            return Clauses(lo, hi, align, [[Container(lo, hi, z3.BoolVal(True))]], [],
                            obstacles, False)
        groups, loose, abstract = self.map_containers(in_map, st)
        return Clauses(lo, hi, align, groups, loose, obstacles, abstract)

    def _valid_start(self, c: Term, size: Term, cl: Clauses, st: SymState,
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
            self.pc = and_(outer, tried)
            kind = p.kind
            if kind == "none":  # optional placement: always "fits", as an empty region
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), val(0)))
                break
            if kind == "at":
                assert p.at is not None
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), self.ev(p.at, st)))
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
            if kind != "anywhere" and kind != "topdown" and kind != "bottomup":
                assert_never(kind)  # a policy this encoder does not know is a type error
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
                if choice_key(line, k) not in self.inputs:
                    # an input like a parameter: an address, also when it is not read
                    self.base.append(Labeled(z3.And(c >= 0, c <= self.top),
                                             "an anywhere choice is an address", line.span))
                self.inputs[choice_key(line, k)] = c
                cons = self._valid_start(c, size, cl, st, cl.align)
                if cl.align is not None:
                    cases = self._cases(cl.align, st)
                    if len(cases) == 1 and num(cases[0][1]) is not None and \
                            (num(cases[0][1]) or 0) > 0:
                        self.choice_step[choice_key(line, k)] = num(cases[0][1]) or 1
                # it fits exactly when some start is valid: when the lowest one exists;
                # then the choice must be one (a run is one valid choice)
                fits, _ = self.first_fit(size, cl.align, cl, False, st)
                outcomes.append((implies(fits, z3.And(cons)), fits, c))
            else:
                fits, start = self.first_fit(size, cl.align, cl, kind == "topdown", st)
                outcomes.append((z3.BoolVal(True), fits, start))
            tried = and_(tried, not_(outcomes[-1][1]))
        self.pc = outer
        # fold the 'else' chain: the first policy that fits wins
        found = or_(*[f for _, f, _ in outcomes[:-1]]) if len(outcomes) > 1 \
            else z3.BoolVal(True)
        cons, fits, start = outcomes[-1]
        for c2, f2, s2 in reversed(outcomes[:-1]):
            cons, fits, start = (z3.If(f2, c2, cons), or_(f2, fits), z3.If(f2, s2, start))
        return _Placed(cons, fits, start, found, pools)

    # -- actions
    def _region(self, line: A.Line, name: str, start: Term, end: Term, owner: str | None,
                typ: str | None, placed: Cond, pool: str | None = None) -> SymRegion:
        """A region made on ``line``: well-formed when nothing it was computed from is
        tainted and its bounds are in order; a ``region@`` finding when they are not
        although nothing was tainted."""
        bounds = and_(ge(start, val(0)), le(start, end), le(end, val(self.top)))
        untainted = self.untainted()
        self._finding("region", implies(and_(placed, untainted), bounds),
                      f"region '{name}' is in order and inside the {self.model.width}-bit "
                      "address space", line.span)
        return SymRegion(start, end, owner, typ, z3.simplify(and_(untainted, bounds)), pool)

    def act(self, line: A.Action, stage: str, st: SymState) -> tuple[Cond, Cond]:
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
            return self._placed(line, line.region, line.policies, size, stage, line.type, st)
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
            st.ops.setdefault(line.map, []).append(
                Reservation(r.start, r.end, line.type, r.ok, attrs_word(
                    self.model.maps[line.map].kind, line.attrs)))
            st.map_ok[line.map] = and_(st.map_ok.get(line.map, z3.BoolVal(True)), r.ok)
        elif isinstance(line, A.Convert):
            st.ops.setdefault(line.map, []).append(Conversion(line.types, line.to))
        elif isinstance(line, A.Translate):
            self.translate(line, st)
        elif isinstance(line, A.SetVar):
            st.vars[line.name] = self.ev(line.value, st)
            st.var_ok[line.name] = self.untainted()
        elif isinstance(line, A.Assume):
            return self.ev(line.pred, st), true
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
        end = add(pl.start, size)
        if policies[-1].kind == "none":  # empty when no earlier policy found room
            end = z3.If(pl.found, end, pl.start)
        if policies[-1].kind in ("anywhere", "topdown", "bottomup"):
            self._finding("fits", pl.fits, "a placement fits", line.span)
        region = self._region(line, name, pl.start, end, owner, typ, and_(pl.cons, pl.fits), pool)
        if pl.pools:  # from the pool only when no policy before it found room
            region = dataclasses.replace(region, pooled=pl.pools[0][1])
        st.regions[name] = region
        for pname, used, after in pl.pools:
            st.cursors[pname] = ite(used, after, st.cursors[pname])
            st.cursor_ok[pname] = and_(st.cursor_ok[pname], implies(used, region.ok))
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
                a = self.ev(r.at, st)
                b = add(a, self.ev(r.size, st))
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
            assumes.append(Labeled(self.ev(a.pred, st), "assume", a.span))
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
                constraints[i].append(Labeled(enc.ev(g, nst), f"guard of stage '{ev.stage}'",
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
                enc.findings = [dataclasses.replace(f, term=implies(cons, f.term))
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
