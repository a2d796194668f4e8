"""The resolved model and proof: what every pass after *resolve* works on.

A :class:`Model` is a flattened (``extends`` applied), name-checked and
type-checked model. Expressions stay as :mod:`bootspec.lang.ast` nodes; every
name in them is known to be one of the model's symbols (see :class:`Symbol`).
"""

from __future__ import annotations

import dataclasses

from bootspec.diagnostics import Span
from bootspec.lang import ast as A
from bootspec.lang.vocab import MapKind, ObligationKind, ParamKind, Scope, Status, SymbolKind


@dataclasses.dataclass(frozen=True)
class Symbol:
    """What a name stands for in a model."""

    name: str
    kind: SymbolKind
    type: str  # int | bool | enum:<param> | region | map
    span: Span
    value: int | None = None  # const value, or enum index


@dataclasses.dataclass(frozen=True)
class ParamIR:
    name: str
    kind: ParamKind
    span: Span
    lo: int = 0
    hi: int = 0  # inclusive
    align: int = 1
    values: tuple[int, ...] = ()  # finite set (ints, or enum indices 0..n-1)
    enum: tuple[str, ...] = ()
    cite: str | None = None

    @property
    def first(self) -> int:
        """A range's first candidate: the smallest multiple of its alignment from lo."""
        return -(-self.lo // self.align) * self.align

    def lowest(self) -> int | None:
        """The smallest value the parameter takes (None when it takes none)."""
        if self.kind == "range":
            return self.first if self.first <= self.hi else None
        if self.kind == "bool":
            return 0
        return min(self.values) if self.values else None

    def domain(self) -> tuple[int, ...] | None:
        """The finite list of values when it is small enough to enumerate, else None."""
        if self.kind in ("set", "enum"):
            return self.values
        if self.kind == "bool":
            return (0, 1)
        first = self.first
        if first > self.hi or (self.hi - first) // self.align > 4096:
            return None if first <= self.hi else ()
        return tuple(range(first, self.hi + 1, self.align))

    def takes(self, v: int) -> bool:
        """Whether ``v`` is one of the values the parameter ranges over."""
        if self.kind == "range":
            return self.lo <= v <= self.hi and v % self.align == 0
        if self.kind == "bool":
            return v in (0, 1)
        return v in self.values

    def pinned_to(self) -> int | None:
        """The value of a parameter that takes exactly one, else None."""
        d = self.domain()
        return d[0] if d is not None and len(d) == 1 else None


@dataclasses.dataclass(frozen=True)
class MapIR:
    name: str
    kind: MapKind
    span: Span
    symbolic: bool
    count: int = 0
    types: tuple[str, ...] = ()  # allowed entry types (symbolic)
    lo: int = 0
    hi: int = 0
    align: int = 1
    entries: tuple[tuple[int, int, str, Span], ...] = ()  # concrete
    path: str | None = None
    cite: str | None = None
    attrs: int = 0  # symbolic: the attribute bits an entry may have (a mask)
    entry_attrs: tuple[int, ...] = ()  # concrete: each entry's attribute word (0 when absent)
    derived: bool = False  # empty until 'translate' fills it

    def attr_of(self, i: int) -> int:
        """A concrete entry's attribute word."""
        return self.entry_attrs[i] if i < len(self.entry_attrs) else 0


@dataclasses.dataclass(frozen=True)
class StageIR:
    name: str
    span: Span
    after: tuple[str, ...]
    guard: A.Expr | None
    body: tuple[A.Action, ...]
    cite: str | None


@dataclasses.dataclass(frozen=True)
class Model:
    name: str
    span: Span
    width: int
    base: str | None
    cites: tuple[str, ...]
    symbols: dict[str, Symbol]
    params: tuple[ParamIR, ...]
    assumes: tuple[A.Assume, ...]
    regions: tuple[A.RegionDecl, ...]  # global, live from the start
    pools: tuple[A.PoolDecl, ...]  # global pools
    vars: tuple[A.VarDecl, ...]
    maps: dict[str, MapIR]
    stages: dict[str, StageIR]  # in declaration order
    expects: dict[str, tuple[Status, Span]]  # implicit obligation -> (verdict, span)
    asserts: tuple[tuple[str, str, A.AssertLine], ...]  # (obligation name, stage, line)
    path: str
    expect_cites: dict[str, str | None] = dataclasses.field(default_factory=dict)

    @property
    def top(self) -> int:
        """2^width: the largest legal end of a range (NOTE(ranges))."""
        return 1 << self.width

    def pool_direction(self, pool: str) -> str:
        """``up`` or ``down`` for a pool declared globally or in a stage."""
        for p in self.pools:
            if p.name == pool:
                return p.direction
        for s in self.stages.values():
            for b in s.body:
                if isinstance(b, A.PoolDecl) and b.name == pool:
                    return b.direction
        raise KeyError(pool)


@dataclasses.dataclass(frozen=True)
class Target:
    model: str
    verdict: Status
    span: Span
    cite: str | None


@dataclasses.dataclass(frozen=True)
class Proof:
    name: str
    span: Span
    cites: tuple[str, ...]
    targets: tuple[Target, ...]
    scope: Scope
    stage: str | None
    pred: A.Expr
    path: str
    # per model named by a target: the property with integer quantifiers and indexed
    # names expanded (their bounds are that model's constants)
    preds: dict[str, A.Expr] = dataclasses.field(default_factory=dict)

    def pred_for(self, model: str) -> A.Expr:
        return self.preds.get(model, self.pred)


@dataclasses.dataclass(frozen=True)
class Obligation:
    """One (model, property) pair: the unit bootspec decides, caches and reports."""

    model: str
    name: str  # proof name, 'wellformed', a finding site (fits@L12), or an assert's name
    kind: ObligationKind
    expected: Status
    span: Span
    cite: str | None = None
