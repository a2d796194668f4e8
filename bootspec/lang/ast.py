"""The syntax tree: immutable values, one frozen dataclass per node, each with a Span.

Produced by :mod:`bootspec.lang.parser`; consumed by :mod:`bootspec.lang.resolve`.
Nothing here knows about Z3 or about evaluation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import ClassVar, Literal, TypeAlias

from bootspec.diagnostics import Span
from bootspec.lang.vocab import MapSource, Scope, Status

# ---------------------------------------------------------------- expressions


@dataclasses.dataclass(frozen=True)
class ExprNode:
    """What every expression node has. Code dispatches on :data:`Expr`, the closed union
    of the node classes, so a node that one side does not handle is a type error."""

    span: Span


@dataclasses.dataclass(frozen=True)
class Num(ExprNode):
    value: int


@dataclasses.dataclass(frozen=True)
class BoolLit(ExprNode):
    value: bool


@dataclasses.dataclass(frozen=True)
class Name(ExprNode):
    id: str


@dataclasses.dataclass(frozen=True)
class Attr(ExprNode):
    """``region.start`` / ``.end`` / ``.size``."""

    base: str
    field: str


@dataclasses.dataclass(frozen=True)
class Call(ExprNode):
    """A function (``min``, ``align_up``...) or a predicate (``disjoint``...)."""

    fn: str
    args: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True)
class BinOp(ExprNode):
    """Arithmetic and bitwise operators (docs/language.md, "Expressions", "C arithmetic"):
    exact integers, a result outside [0, 2^width] is a wrap (NOTE(ranges))."""

    op: str
    left: Expr
    right: Expr


@dataclasses.dataclass(frozen=True)
class Compare(ExprNode):
    op: str
    left: Expr
    right: Expr


@dataclasses.dataclass(frozen=True)
class Not(ExprNode):
    operand: Expr


@dataclasses.dataclass(frozen=True)
class BoolOp(ExprNode):
    """``and`` / ``or`` over two or more operands; ``implies`` over exactly two."""

    op: str
    operands: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True)
class Ite(ExprNode):
    cond: Expr
    then: Expr
    other: Expr


@dataclasses.dataclass(frozen=True)
class RangeLit(ExprNode):
    """``[lo, hi)`` (half-open) or ``[lo, hi]`` (inclusive, params only)."""

    lo: Expr
    hi: Expr
    inclusive: bool


@dataclasses.dataclass(frozen=True)
class MapTypes(ExprNode):
    """``MAP types {t1, t2}``: the memory of those types in a map."""

    map: str
    types: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class BitNot(ExprNode):
    """``~a``: C's complement of a width-bit unsigned value (docs, "C arithmetic")."""

    operand: Expr


@dataclasses.dataclass(frozen=True)
class Quant(ExprNode):
    """``forall v in MAP [types {..}]: body`` over a map's segments, or
    ``forall v in [A, B): body`` over integers (expanded when the model is resolved)."""

    kind: Literal["forall", "exists"]
    var: str
    map: str | None
    types: tuple[str, ...]
    range: RangeLit | None
    body: Expr


@dataclasses.dataclass(frozen=True)
class Aggregate(ExprNode):
    """``count(v in MAP [types {..}] [where p])``, ``sum(x for v in MAP ...)``."""

    kind: Literal["count", "sum"]
    var: str
    map: str
    types: tuple[str, ...]
    where: Expr | None
    value: Expr | None  # sum's x


@dataclasses.dataclass(frozen=True)
class RegionSet(ExprNode):
    """``X union Y`` / ``X minus Y``: a set of addresses, for disjoint() and within()."""

    op: Literal["union", "minus"]
    left: Expr
    right: Expr


Expr: TypeAlias = (Num | BoolLit | Name | Attr | Call | BinOp | Compare | Not | BoolOp | Ite
                   | RangeLit | MapTypes | BitNot | Quant | Aggregate | RegionSet)

# ---------------------------------------------------------------- placements

# One frozen class per clause and per policy, each with exactly the fields its kind has;
# :data:`Clause` and :data:`Policy` are their closed unions. Code dispatches with
# ``match``/``isinstance`` ending in ``typing.assert_never``, so a class that one side does
# not handle is a type error. ``kind`` is the word messages use for it.


@dataclasses.dataclass(frozen=True)
class Within:
    """``within REGION`` (its name) or ``within [a, b)`` (a range)."""

    kind: ClassVar[Literal["within"]] = "within"
    span: Span
    region: str | RangeLit


@dataclasses.dataclass(frozen=True)
class InMap:
    """``in MAP types {t, ...} [where PRED]`` (topdown and bottomup only)."""

    kind: ClassVar[Literal["in_map"]] = "in_map"
    span: Span
    map: str
    types: tuple[str, ...]
    where: Expr | None


@dataclasses.dataclass(frozen=True)
class Below:
    kind: ClassVar[Literal["below"]] = "below"
    span: Span
    expr: Expr


@dataclasses.dataclass(frozen=True)
class Above:
    kind: ClassVar[Literal["above"]] = "above"
    span: Span
    expr: Expr


@dataclasses.dataclass(frozen=True)
class Align:
    kind: ClassVar[Literal["align"]] = "align"
    span: Span
    expr: Expr


@dataclasses.dataclass(frozen=True)
class Avoid:
    """``avoid R1, R2`` (``names``) or ``avoid all`` (``all``, no names)."""

    kind: ClassVar[Literal["avoid"]] = "avoid"
    span: Span
    names: tuple[str, ...]
    all: bool


Clause: TypeAlias = Within | InMap | Below | Above | Align | Avoid


@dataclasses.dataclass(frozen=True)
class At:
    kind: ClassVar[Literal["at"]] = "at"
    span: Span
    at: Expr


@dataclasses.dataclass(frozen=True)
class Anywhere:
    """Any start satisfying the clauses: a choice, an input of the run."""

    kind: ClassVar[Literal["anywhere"]] = "anywhere"
    span: Span
    clauses: tuple[Clause, ...]


@dataclasses.dataclass(frozen=True)
class TopDown:
    """The highest start satisfying the clauses."""

    kind: ClassVar[Literal["topdown"]] = "topdown"
    span: Span
    clauses: tuple[Clause, ...]


@dataclasses.dataclass(frozen=True)
class BottomUp:
    """The lowest start satisfying the clauses."""

    kind: ClassVar[Literal["bottomup"]] = "bottomup"
    span: Span
    clauses: tuple[Clause, ...]


@dataclasses.dataclass(frozen=True)
class FromPool:
    """``from POOL [align A]``."""

    kind: ClassVar[Literal["pool"]] = "pool"
    span: Span
    pool: str
    align: Expr | None


@dataclasses.dataclass(frozen=True)
class NoneFallback:
    """``else none``: the region stays empty (only as the last fallback)."""

    kind: ClassVar[Literal["none"]] = "none"
    span: Span


#: the policies that search for a start satisfying their clauses, and can find none
Fit: TypeAlias = Anywhere | TopDown | BottomUp
Policy: TypeAlias = At | Anywhere | TopDown | BottomUp | FromPool | NoneFallback


# ---------------------------------------------------------------- lines


@dataclasses.dataclass(frozen=True)
class Line:
    span: Span
    cite: str | None = field(default=None, kw_only=True)
    # which repetition of its line this is ('for' values, fragment uses): () when none
    rep: tuple[int, ...] = field(default=(), kw_only=True)


@dataclasses.dataclass(frozen=True)
class ModelHdr(Line):
    name: str
    base: str | None


@dataclasses.dataclass(frozen=True)
class Width(Line):
    bits: int


@dataclasses.dataclass(frozen=True)
class CiteLine(Line):
    text: str


@dataclasses.dataclass(frozen=True)
class Const(Line):
    name: str
    value: Expr


# a parameter: one class per kind of domain, ``kind`` its word (``vocab.ParamKind``)
@dataclasses.dataclass(frozen=True)
class RangeParam(Line):
    """``param N in [lo, hi) [align A]`` (or ``[lo, hi]``)."""

    kind: ClassVar[Literal["range"]] = "range"
    name: str
    range: RangeLit
    align: Expr | None


@dataclasses.dataclass(frozen=True)
class SetParam(Line):
    """``param N in {v, ...}``."""

    kind: ClassVar[Literal["set"]] = "set"
    name: str
    values: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True)
class BoolParam(Line):
    kind: ClassVar[Literal["bool"]] = "bool"
    name: str


@dataclasses.dataclass(frozen=True)
class EnumParam(Line):
    """``param N : enum {a, b, ...}``: its words."""

    kind: ClassVar[Literal["enum"]] = "enum"
    name: str
    words: tuple[str, ...]


Param: TypeAlias = RangeParam | SetParam | BoolParam | EnumParam


@dataclasses.dataclass(frozen=True)
class Assume(Line):
    pred: Expr
    name: str | None = None  # 'assume NAME: PRED' (a key for extends edits)


@dataclasses.dataclass(frozen=True)
class RegionDecl(Line):
    name: str
    range: RangeLit | None
    size: Expr | None
    at: Expr | None
    type: str | None


@dataclasses.dataclass(frozen=True)
class MapHdr(Line):
    name: str
    kind: str  # e820 | efi (checked later)
    source: MapSource
    count: Expr | None = None
    types: tuple[str, ...] = ()
    within: RangeLit | None = None
    align: Expr | None = None
    path: str | None = None
    attrs: tuple[str, ...] = ()  # symbolic: the attribute bits entries may have


@dataclasses.dataclass(frozen=True)
class Entry(Line):
    range: RangeLit
    type: str
    attrs: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ImageLine(Line):
    """``image NAME from FORMAT "FILE" [symbols {S [as C], ...}]``: expanded by the
    parser into constants and regions (:mod:`bootspec.image`)."""

    name: str
    format: str
    path: str
    symbols: tuple[tuple[str, str], ...] = ()  # (symbol, constant name)


@dataclasses.dataclass(frozen=True)
class PoolDecl(Line):
    name: str
    range: RangeLit
    direction: str


@dataclasses.dataclass(frozen=True)
class VarDecl(Line):
    name: str
    value: Expr
    is_flag: bool


@dataclasses.dataclass(frozen=True)
class StageHdr(Line):
    name: str
    after: tuple[str, ...]
    guard: Expr | None


@dataclasses.dataclass(frozen=True)
class Place(Line):
    region: str
    size: Expr | None
    policies: tuple[Policy, ...]
    range: RangeLit | None = None  # place R = [a, b)
    type: str | None = None


@dataclasses.dataclass(frozen=True)
class Free(Line):
    region: str


@dataclasses.dataclass(frozen=True)
class Reserve(Line):
    region: str
    map: str
    type: str
    attrs: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Copy(Line):
    src: str
    dst: str
    policies: tuple[Policy, ...]
    type: str | None = None


@dataclasses.dataclass(frozen=True)
class Move(Line):
    region: str
    policies: tuple[Policy, ...]


@dataclasses.dataclass(frozen=True)
class Convert(Line):
    """``convert MAP types {t, ...} to T``."""

    map: str
    types: tuple[str, ...]
    to: str


@dataclasses.dataclass(frozen=True)
class Translate(Line):
    """``translate SRC to DST by {s: d, ...}``."""

    src: str
    dst: str
    table: tuple[tuple[str, str], ...]


@dataclasses.dataclass(frozen=True)
class LoopHdr(Line):
    var: str
    range: RangeLit


@dataclasses.dataclass(frozen=True)
class EndLine(Line):
    pass


@dataclasses.dataclass(frozen=True)
class FragmentHdr(Line):
    name: str
    params: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Use(Line):
    """``use NAME(args)``: a fragment's lines, with its parameters replaced."""

    name: str
    args: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True)
class ForBlock(Line):
    """``for VAR in [A, B)`` ... ``end``: repeated when the model is resolved."""

    var: str
    range: RangeLit
    body: tuple[Line, ...]


@dataclasses.dataclass(frozen=True)
class FragmentDecl(Line):
    """``fragment NAME(params)`` ... ``end`` (model level)."""

    name: str
    params: tuple[str, ...]
    body: tuple[Line, ...]


@dataclasses.dataclass(frozen=True)
class SetVar(Line):
    name: str
    value: Expr


@dataclasses.dataclass(frozen=True)
class Replace(Line):
    action: Line


@dataclasses.dataclass(frozen=True)
class Delete(Line):
    kind: str
    name: str


@dataclasses.dataclass(frozen=True)
class Insert(Line):
    """``insert before|after KIND NAME: ACTION`` in a stage of a model that extends another."""

    before: bool
    kind: str
    name: str
    action: Line


@dataclasses.dataclass(frozen=True)
class AssertLine(Line):
    name: str | None
    pred: Expr


@dataclasses.dataclass(frozen=True)
class ExpectLine(Line):
    name: str  # an assert's name, or a finding site (fits@L12, wrap@L12, region@L12)
    verdict: Status
    inherited: bool = False  # came from the base model through 'extends'


# what a stage body holds once 'extends' is applied: every kind of event an engine handles
Action: TypeAlias = (Place | Copy | Move | Free | Reserve | SetVar | Assume | AssertLine | PoolDecl
                     | Convert | Translate)


@dataclasses.dataclass(frozen=True)
class ProofHdr(Line):
    name: str


@dataclasses.dataclass(frozen=True)
class ForExpect(Line):
    model: str
    verdict: Status


@dataclasses.dataclass(frozen=True)
class Property(Line):
    scope: Scope
    stage: str | None
    pred: Expr


# ---------------------------------------------------------------- grouped files


@dataclasses.dataclass(frozen=True)
class StageAst:
    name: str
    span: Span
    after: tuple[str, ...]
    guard: Expr | None
    body: tuple[Line, ...]  # Place/Free/Reserve/Copy/Move/SetVar/Assume/AssertLine/PoolDecl/
    # Replace/Delete
    cite: str | None
    header_given: bool  # False for a stage opened only to replace actions


@dataclasses.dataclass(frozen=True)
class MapAst:
    hdr: MapHdr
    entries: tuple[Entry, ...]


@dataclasses.dataclass(frozen=True)
class ModelAst:
    name: str
    base: str | None
    span: Span
    width: Width | None
    cites: tuple[str, ...]
    decls: tuple[Line, ...]  # Const/Param/Assume/RegionDecl/PoolDecl/VarDecl/ExpectLine
    maps: tuple[MapAst, ...]
    stages: tuple[StageAst, ...]


@dataclasses.dataclass(frozen=True)
class ProofAst:
    name: str
    span: Span
    cites: tuple[str, ...]
    targets: tuple[ForExpect, ...]
    property: Property | None
    extra_properties: tuple[Property, ...]


@dataclasses.dataclass(frozen=True)
class FileAst:
    path: str
    models: tuple[ModelAst, ...]
    proofs: tuple[ProofAst, ...]
    inputs: tuple[tuple[str, str], ...] = ()  # (file, sha256) of images it read
