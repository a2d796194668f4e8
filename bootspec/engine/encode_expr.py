"""Part of pass 4 (*encode*): expressions, C arithmetic and taint, as Z3 terms.

:class:`ExprEncoder` holds the encoder's state (the free variables, the current
event's findings, taints and path condition) and encodes expressions and
properties in a symbolic state: lazy ``and``/``or``/``implies``/``if``, unbounded
integers whose results outside ``[0, 2^width]`` are ``wrap@`` findings and taint
what is computed from them, ``u8``..``u64`` modulo 2^N, bitwise operators, calls
and set predicates. Maps are read through its base
:class:`~bootspec.engine.encode_maps.MapEncoder`; placements and actions are its
subclass :class:`~bootspec.engine.encode.Encoder`'s (see :mod:`bootspec.engine.encode`
for the encoding choices), as in the concrete evaluator
(:mod:`bootspec.engine.concrete_expr`, :mod:`bootspec.engine.concrete`).
"""

from __future__ import annotations

import itertools
from typing import assert_never

import z3

from bootspec.diagnostics import Span
from bootspec.engine.concrete_expr import entry_range
from bootspec.engine.encode_maps import Deferred, MapEncoder
from bootspec.engine.terms import (
    BITS,
    Cond,
    Labeled,
    SymState,
    Term,
    and_,
    ceil_to,
    floor_to,
    ge,
    implies,
    is_true,
    le,
    lt,
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


class ExprEncoder(MapEncoder):
    """The expression half of :class:`~bootspec.engine.encode.Encoder` (see there for
    ``abstract``)."""

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
        # formulas a finding's term stands for by a literal, built when a query first
        # reads the event's findings (see Encoder.definitions): the current event's,
        # then by event
        self.deferred: list[Deferred] = []
        self.deferred_at: dict[int, list[Deferred]] = {}
        self.defined_at: dict[int, list[Labeled]] = {}
        # results of '&', '|', '^' on two symbolic operands -> (that term, its vector,
        # whether the vector is exact: every leaf inside 66 bits' range)
        self._vectors: dict[int, tuple[Term, z3.BitVecRef, Cond]] = {}
        self.inexact = False  # some '&', '|', '^' result is free out of 66 bits' range
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
        if not is_true(ok):
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
        (x, ix), (y, iy) = self._vector(a), self._vector(b)
        r = x & y if op == "&" else (x | y if op == "|" else x ^ y)
        # a leaf outside [-2^65, 2^65) (a tainted value, after a wrap) is not cut to 66
        # bits: the result is then any integer, so every real run is among the runs the
        # solver weighs (a proof stays sound), and a failure found through it is re-run
        # concretely before it is believed (ModelChecker.violated)
        inside = and_(ix, iy)
        out = z3.BV2Int(r, is_signed=True)
        if not is_true(inside):
            self.inexact = True
            out = z3.If(inside, out, z3.Int(f"bits:{next(self.witness_n)}"))
        self._vectors[out.get_id()] = (out, r, inside)  # the term is kept: its id stays
        return out

    def _vector(self, a: Term) -> tuple[z3.BitVecRef, Cond]:
        """``a`` as a 66-bit vector, and when that is exact: a result made here is its
        vector when its leaves are inside ``[-2^65, 2^65)``; any other term when it is."""
        known = self._vectors.get(a.get_id())
        if known is not None and known[0].eq(a):
            return known[1], known[2]
        half = 1 << (BITS - 1)
        return z3.Int2BV(a, BITS), and_(ge(a, val(-half)), lt(a, val(half)))

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
            cases.append((cond, ceil_to(x, a) if up else floor_to(x, a)))
        return self._select(cases)

    def rng(self, e: A.Expr, st: SymState) -> tuple[Term, Term]:
        """The bounds of a region name (tainted unless it is well-formed) or a range
        literal (as written: a placement's range or clause checks its own bounds)."""
        if isinstance(e, A.RangeLit):
            return self.ev(e.lo, st), self.ev(e.hi, st)
        assert isinstance(e, A.Name)
        r = st.regions[e.id]
        self._read(r.ok)
        return r.start, r.end

    def arg(self, e: A.Expr, st: SymState) -> tuple[Term, Term]:
        """A predicate's region argument: a range literal is a region like a named one,
        malformed (what reads it tainted) unless ``0 <= lo <= hi <= 2^width``
        (docs/language.md, "Predicates"); ``[e.start, e.end)`` of a map's segment always
        is (its read is tainted where the map is: "A map's state: segments")."""
        lo, hi = self.rng(e, st)
        if isinstance(e, A.RangeLit) and not entry_range(e, self.bound):
            conds = []
            for a, b in ((val(0), lo), (lo, hi), (hi, val(self.top))):
                ka, kb = num(a), num(b)
                if ka is None or kb is None:
                    conds.append(le(a, b))
                elif ka > kb:
                    conds.append(z3.BoolVal(False))
            self._read(and_(*conds))
        return lo, hi

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
            a0, a1 = self.arg(args[0], st)
            assert isinstance(args[1], A.MapTypes)
            return self.map_pred(fn, a0, a1, args[1], st)
        if fn in ("within", "disjoint") and any(isinstance(a, A.RegionSet) for a in args):
            return self._set_pred(fn, args, st)
        if fn == "disjoint":
            rs = [self.arg(a, st) for a in args]
            return and_(*[not_(overlap(*rs[i], *rs[j]))
                          for i in range(len(rs)) for j in range(i + 1, len(rs))])
        if fn == "within":
            (a0, a1), (b0, b1) = self.arg(args[0], st), self.arg(args[1], st)
            return z3.Or(a0 == a1, z3.And(b0 <= a0, a1 <= b1))
        if fn in ("below", "above"):
            a0, a1 = self.arg(args[0], st)
            v = self.ev(args[1], st)
            return z3.Or(a0 == a1, a1 <= v if fn == "below" else a0 >= v)
        if fn == "aligned":
            a0, _ = self.arg(args[0], st)
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
        return [self.arg(e, st)]

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
                leaves[id(e)] = self.arg(e, st)

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
