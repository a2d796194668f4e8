"""Z3 terms and the symbolic state the encoder builds (docs/language.md, "Values").

Term builders for the hot loops go through Z3's C API directly; the state classes
hold, per event, the symbolic regions, variables, pool cursors and map states with
the taint condition of each (``ok``). ``import z3`` lives in the engine's encoding
and solving modules only (ARCHITECTURE.md).
"""

from __future__ import annotations

import dataclasses
import math
from typing import TypeAlias

import z3

from bootspec.diagnostics import Span

Term: TypeAlias = z3.ArithRef
Cond: TypeAlias = z3.BoolRef
Seen: TypeAlias = dict[tuple[int, int], "z3.BoolRef"]  # see ModelChecker.fails_term
BITS = 66  # bitwise operators: two's complement on this many bits (docs, "C arithmetic")


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
class Entry:
    """An entry a map's state starts from: a declared one, or a segment translated from
    another map. ``type`` is a name when it is known, else a symbolic type index."""

    start: Term
    end: Term
    exists: Cond
    type: str | Term
    attrs: Term


@dataclasses.dataclass(frozen=True)
class Reservation:
    """``reserve R in MAP as TYPE``: a segment of a map's state, later ones on top."""

    start: Term
    end: Term
    type: str
    ok: Cond  # the reserved region was well-formed
    attrs: int = 0


@dataclasses.dataclass(frozen=True)
class Conversion:
    """``convert MAP types {...} to TYPE``: a retyping of every segment at that point."""

    types: tuple[str, ...]
    to: str


Op: TypeAlias = Reservation | Conversion


@dataclasses.dataclass(frozen=True)
class Segment:
    """One segment of a map's state, symbolically: ``[start, end)`` of ``type`` when
    ``exists``. ``group``: the index of the declared entry it is a piece of (pieces of
    later entries lie above), or -1 when it may lie anywhere."""

    start: Term
    end: Term
    exists: Cond
    type: str | Term
    attrs: Term
    group: int


@dataclasses.dataclass
class SymState:
    regions: dict[str, SymRegion]
    vars: dict[str, z3.ExprRef]
    var_ok: dict[str, Cond]
    cursors: dict[str, Term]
    cursor_ok: dict[str, Cond]
    ops: dict[str, list[Op]]  # a map's reserves and converts, in order
    bases: dict[str, list[Entry]] = dataclasses.field(default_factory=dict)  # translated
    map_ok: dict[str, Cond] = dataclasses.field(default_factory=dict)

    def copy(self) -> SymState:
        return SymState(dict(self.regions), dict(self.vars), dict(self.var_ok),
                        dict(self.cursors), dict(self.cursor_ok),
                        {k: list(v) for k, v in self.ops.items()}, dict(self.bases),
                        dict(self.map_ok))


# Term builders for the hot loops (first fit, overlap): the same terms z3's operators
# build, without the Python-side coercion of every argument, which dominates the
# encoding time of a placement over a real map. Arguments are terms of one context.
def lt(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_lt(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def le(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_le(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def ge(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_ge(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def gt(a: Term, b: Term) -> Cond:
    return z3.BoolRef(z3.Z3_mk_gt(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def add(a: Term, b: Term) -> Term:
    arr = (z3.Ast * 2)(a.as_ast(), b.as_ast())
    return z3.ArithRef(z3.Z3_mk_add(a.ctx.ref(), 2, arr), a.ctx)


def not_(a: Cond) -> Cond:
    return z3.BoolRef(z3.Z3_mk_not(a.ctx.ref(), a.as_ast()), a.ctx)


def ite(c: Cond, a: Term, b: Term) -> Term:
    return z3.ArithRef(z3.Z3_mk_ite(c.ctx.ref(), c.as_ast(), a.as_ast(), b.as_ast()), c.ctx)


def _nary(mk: object, xs: list[Cond]) -> Cond:
    ctx = xs[0].ctx
    arr = (z3.Ast * len(xs))(*(x.as_ast() for x in xs))
    return z3.BoolRef(mk(ctx.ref(), len(xs), arr), ctx)  # type: ignore[operator]


# Z3 builds each term once per context (hash-consing), so ``true`` and ``false`` are
# one AST each: comparing pointers says what ``z3.is_true`` says, without its four
# calls into the C API (the literal checks of and/or/implies dominate the encoding
# of a property with many conjuncts). One slot, the context in use: the cached terms
# keep their ASTs alive, and must not keep an old context alive (a new context costs
# ~45 ms while an old one lives, under 1 ms once it is freed).
_LITERALS: list[tuple[Cond, Cond]] = []


def forget_literals() -> None:
    _LITERALS.clear()


def _literals(ctx: z3.Context) -> tuple[Cond, Cond]:
    if not _LITERALS or _LITERALS[0][0].ctx is not ctx:
        _LITERALS[:] = [(z3.BoolVal(True, ctx), z3.BoolVal(False, ctx))]
    return _LITERALS[0]


def is_true(x: Cond) -> bool:
    return bool(x.as_ast().value == _literals(x.ctx)[0].as_ast().value)


def is_false(x: Cond) -> bool:
    return bool(x.as_ast().value == _literals(x.ctx)[1].as_ast().value)


def and_(*xs: Cond) -> Cond:
    xs2 = [x for x in xs if not is_true(x)]
    if not xs2:
        return z3.BoolVal(True)
    if len(xs2) == 1:
        return xs2[0]
    return _nary(z3.Z3_mk_and, xs2)


def conj(xs: list[Cond]) -> Cond:
    """``z3.And(xs)``, the same term (nothing dropped or folded, so Z3 sees what it
    saw), made through the C API without z3py's coercion of every operand (a
    placement that avoids a thousand regions has a thousand)."""
    if not xs:
        return z3.And(xs)  # an 'and' of nothing, which is not the term 'true'
    return _nary(z3.Z3_mk_and, xs)


def or_(*xs: Cond) -> Cond:
    xs2 = [x for x in xs if not is_false(x)]
    if not xs2:
        return z3.BoolVal(False)
    if len(xs2) == 1:
        return xs2[0]
    return _nary(z3.Z3_mk_or, xs2)


def implies(a: Cond, b: Cond) -> Cond:
    if is_true(a) or is_true(b):
        return b
    return z3.BoolRef(z3.Z3_mk_implies(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def overlap(a0: Term, a1: Term, b0: Term, b1: Term) -> Cond:
    """[a0, a1) and [b0, b1) meet (share an address); an empty or inverted range meets
    nothing (NOTE(ranges))."""
    return and_(lt(a0, b1), lt(b0, a1), lt(a0, a1), lt(b0, b1))


def val(v: int) -> Term:
    return z3.IntVal(v)


def max_(a: Term, b: Term) -> Term:
    """max(a, b), folded when both are numbers (a real map's entries, constants)."""
    if z3.is_int_value(a) and z3.is_int_value(b):
        return a if a.as_long() >= b.as_long() else b
    return z3.If(a > b, a, b)


def min_(a: Term, b: Term) -> Term:
    if z3.is_int_value(a) and z3.is_int_value(b):
        return a if a.as_long() <= b.as_long() else b
    return z3.If(a < b, a, b)


def num(t: Term) -> int | None:
    """The value of a term that is a number, or arithmetic over numbers only (``255 - 15``,
    ``~15`` as it is encoded): folded, so a constant operand is seen as one (a mask of
    ``x & ~15`` stays linear instead of going through bit-vectors). None otherwise."""
    if z3.is_int_value(t):
        return int(t.as_long())
    if z3.is_arith(t) and _ground(t, 16):
        s = z3.simplify(t)
        if z3.is_int_value(s):
            return int(s.as_long())
    return None


def multiple_of(t: Term, a: Term, budget: int = 64) -> bool:
    """Whether ``t`` is a multiple of ``a`` (a positive number) whatever the integers its
    variables stand for, as its shape shows (looking at ``budget`` nodes at most): a
    known divisor of each node is a number's value, the gcd of a sum's (a
    difference's, an ``if``'s branches'), the product of a product's factors'. A choice
    made aligned (``a * k``) plus aligned sizes is one; rounding it to ``a`` is then
    the term itself, with no ``mod`` for the solver (whose axioms it carries whether
    or not a query needs them)."""
    n = num(a)
    if n is None or n <= 0:
        return False
    # read through Z3's C API: the nodes are the term's own (alive while it is), and
    # no Python object is made per node (this runs for every rounding of a placement)
    ctx = t.ctx.ref()
    left = budget

    def divisor(x: z3.Ast) -> int:  # 0: every integer divides it (it is 0)
        nonlocal left
        left -= 1
        if left < 0:
            return 1
        kind = z3.Z3_get_ast_kind(ctx, x)
        if kind == z3.Z3_NUMERAL_AST:
            if z3.Z3_get_sort_kind(ctx, z3.Z3_get_sort(ctx, x)) != z3.Z3_INT_SORT:
                return 1
            return abs(int(z3.Z3_get_numeral_string(ctx, x)))
        if kind != z3.Z3_APP_AST:
            return 1
        op = z3.Z3_get_decl_kind(ctx, z3.Z3_get_app_decl(ctx, x))
        if op in _SUMS:
            args = range(1 if op == z3.Z3_OP_ITE else 0, z3.Z3_get_app_num_args(ctx, x))
            return math.gcd(*(divisor(z3.Z3_get_app_arg(ctx, x, i)) for i in args))
        if op == z3.Z3_OP_MUL:
            return math.prod(divisor(z3.Z3_get_app_arg(ctx, x, i))
                             for i in range(z3.Z3_get_app_num_args(ctx, x)))
        return 1

    return divisor(t.as_ast()) % n == 0


#: the operations whose operands' common divisor divides them (an ``if``: its branches)
_SUMS = (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_UMINUS, z3.Z3_OP_ITE)


def floor_to(x: Term, a: Term) -> Term:
    """x rounded down to a multiple of a (a number): ``x - x % a``, or x when it is one."""
    return x if multiple_of(x, a) else x - x % a


def ceil_to(x: Term, a: Term) -> Term:
    """x rounded up to a multiple of a (a number), or x when it is one."""
    if multiple_of(x, a):
        return x
    y = x + a - 1
    return y - y % a


def _ground(t: z3.ExprRef, budget: int) -> bool:
    """Whether ``t`` is built of numbers and arithmetic alone (within ``budget`` nodes)."""
    todo, seen = [t], 0
    while todo:
        x = todo.pop()
        seen += 1
        if seen > budget:
            return False
        if z3.is_int_value(x):
            continue
        if not (z3.is_app(x) and x.num_args() > 0 and x.decl().kind() in _FOLDABLE):
            return False
        todo.extend(x.children())
    return True


_FOLDABLE = frozenset({z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_MUL, z3.Z3_OP_UMINUS,
                       z3.Z3_OP_IDIV, z3.Z3_OP_MOD})


