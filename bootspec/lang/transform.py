"""Part of pass 1 (*load*): one parsed line (a lark tree) -> its AST value.

Spans come from lark's token positions; numbers are folded with their units; a
bad number is a BS101 raised as :class:`LineError` and reported by the parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeAlias

import lark

from bootspec.diagnostics import Span
from bootspec.errors import BootspecException
from bootspec.lang import ast as A
from bootspec.lang.numbers import parse_number
from bootspec.lang.vocab import as_status

#: a parameter line made from its span, name and cite (the domain is known first)
_MakeParam: TypeAlias = Callable[[Span, str, str | None], A.Param]


class Cite:
    def __init__(self, text: str):
        self.text = text


class LineError(BootspecException):
    def __init__(self, code: str, message: str, span: Span, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.span, self.hint = code, message, span, hint


class ToAst(lark.Transformer[Any, Any]):
    """Turns one parsed line into AST values. Spans are filled from token metadata."""

    def __init__(self, path: str, line_no: int):
        super().__init__()
        self.path = path
        self.line_no = line_no

    # -- helpers
    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, self.line_no, 1)
        return Span(self.path, self.line_no, meta.column, self.line_no, meta.end_column)

    def _tok_span(self, tok: lark.Token) -> Span:
        col = tok.column or 1
        return Span(self.path, self.line_no, col, self.line_no, (tok.end_column or col + 1))

    @staticmethod
    def _split_cite(items: list[Any]) -> tuple[list[Any], str | None]:
        if items and isinstance(items[-1], Cite):
            return items[:-1], items[-1].text
        return items, None

    # -- terminals
    def STRING(self, tok: lark.Token) -> str:
        # only \" and \\ are escapes; any other backslash stays as written
        return re.sub(r'\\(["\\])', r"\1", str(tok[1:-1]))

    def cite(self, items: list[Any]) -> Cite:
        return Cite(items[0])

    # -- expressions
    @lark.v_args(meta=True)
    def num(self, meta: Any, items: list[lark.Token]) -> A.Num:
        try:
            value = parse_number(str(items[0]))
        except ValueError:
            raise LineError("BS101", f"bad number '{items[0]}'", self._tok_span(items[0]),
                             "write decimal or 0x hex, with an optional K/KiB/M/MiB/G/GiB/T/TiB "
                             "suffix") from None
        return A.Num(self._span(meta), value)

    @lark.v_args(meta=True)
    def true_(self, meta: Any, items: list[Any]) -> A.BoolLit:
        return A.BoolLit(self._span(meta), True)

    @lark.v_args(meta=True)
    def false_(self, meta: Any, items: list[Any]) -> A.BoolLit:
        return A.BoolLit(self._span(meta), False)

    @lark.v_args(meta=True)
    def name(self, meta: Any, items: list[lark.Token]) -> A.Name:
        return A.Name(self._span(meta), str(items[0]))

    @lark.v_args(meta=True)
    def attr(self, meta: Any, items: list[lark.Token]) -> A.Attr:
        return A.Attr(self._span(meta), str(items[0]), str(items[1]))

    @lark.v_args(meta=True)
    def call(self, meta: Any, items: list[Any]) -> A.Call:
        return A.Call(self._span(meta), str(items[0]), tuple(i for i in items[1:] if i is not None))

    @lark.v_args(meta=True)
    def map_types(self, meta: Any, items: list[Any]) -> A.MapTypes:
        return A.MapTypes(self._span(meta), str(items[0]), items[1])

    @lark.v_args(meta=True)
    def arith(self, meta: Any, items: list[Any]) -> A.Expr:
        node = items[0]
        for i in range(1, len(items), 2):
            right = items[i + 1]
            span = Span(self.path, self.line_no, node.span.col, self.line_no, right.span.end_col)
            node = A.BinOp(span, str(items[i]), node, right)
        return node  # type: ignore[no-any-return]

    @lark.v_args(meta=True)
    def bitnot(self, meta: Any, items: list[Any]) -> A.Expr:
        return A.BitNot(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def forall_(self, meta: Any, items: list[Any]) -> A.Expr:
        return self._quant("forall", meta, items)

    @lark.v_args(meta=True)
    def exists_(self, meta: Any, items: list[Any]) -> A.Expr:
        return self._quant("exists", meta, items)

    def _quant(self, kind: Any, meta: Any, items: list[Any]) -> A.Expr:
        var, dom, body = str(items[0]), items[1], items[2]
        if isinstance(dom, A.RangeLit):
            return A.Quant(self._span(meta), kind, var, None, (), dom, body)
        name, types = dom
        return A.Quant(self._span(meta), kind, var, name, types, None, body)

    def qd_range(self, items: list[Any]) -> A.RangeLit:
        return items[0]  # type: ignore[no-any-return]

    def qd_map(self, items: list[Any]) -> tuple[str, tuple[str, ...]]:
        return str(items[0]), items[1] if len(items) > 1 else ()

    @lark.v_args(meta=True)
    def count_(self, meta: Any, items: list[Any]) -> A.Expr:
        var, mp = str(items[0]), str(items[1])
        rest = items[2:]
        types = rest.pop(0) if rest and isinstance(rest[0], tuple) else ()
        where = rest[0] if rest else None
        return A.Aggregate(self._span(meta), "count", var, mp, types, where, None)

    @lark.v_args(meta=True)
    def sum_(self, meta: Any, items: list[Any]) -> A.Expr:
        value, var, mp = items[0], str(items[1]), str(items[2])
        rest = items[3:]
        types = rest.pop(0) if rest and isinstance(rest[0], tuple) else ()
        where = rest[0] if rest else None
        return A.Aggregate(self._span(meta), "sum", var, mp, types, where, value)

    @lark.v_args(meta=True)
    def set_union(self, meta: Any, items: list[Any]) -> A.Expr:
        return self._setop("union", items)

    @lark.v_args(meta=True)
    def set_minus(self, meta: Any, items: list[Any]) -> A.Expr:
        return self._setop("minus", items)

    def _setop(self, op: Any, items: list[Any]) -> A.Expr:
        node = items[0]
        for right in items[1:]:
            span = Span(self.path, self.line_no, node.span.col, self.line_no, right.span.end_col)
            node = A.RegionSet(span, op, node, right)
        return node  # type: ignore[no-any-return]

    @lark.v_args(meta=True)
    def cmp(self, meta: Any, items: list[Any]) -> A.Expr:
        if len(items) == 1:
            return items[0]  # type: ignore[no-any-return]
        return A.Compare(self._span(meta), str(items[1]), items[0], items[2])

    @lark.v_args(meta=True)
    def not_(self, meta: Any, items: list[Any]) -> A.Expr:
        return A.Not(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def and_(self, meta: Any, items: list[Any]) -> A.Expr:
        return items[0] if len(items) == 1 else A.BoolOp(self._span(meta), "and", tuple(items))

    @lark.v_args(meta=True)
    def or_(self, meta: Any, items: list[Any]) -> A.Expr:
        return items[0] if len(items) == 1 else A.BoolOp(self._span(meta), "or", tuple(items))

    @lark.v_args(meta=True)
    def implies_(self, meta: Any, items: list[Any]) -> A.Expr:
        return items[0] if len(items) == 1 else A.BoolOp(self._span(meta), "implies", tuple(items))

    @lark.v_args(meta=True)
    def ite(self, meta: Any, items: list[Any]) -> A.Expr:
        return A.Ite(self._span(meta), items[0], items[1], items[2])

    @lark.v_args(meta=True)
    def range_ho(self, meta: Any, items: list[Any]) -> A.RangeLit:
        return A.RangeLit(self._span(meta), items[0], items[1], False)

    @lark.v_args(meta=True)
    def range_incl(self, meta: Any, items: list[Any]) -> A.RangeLit:
        return A.RangeLit(self._span(meta), items[0], items[1], True)

    def typeset(self, items: list[lark.Token]) -> tuple[str, ...]:
        return tuple(str(t) for t in items)

    # -- placements
    @lark.v_args(meta=True)
    def cl_within(self, meta: Any, items: list[Any]) -> A.Clause:
        region = items[0] if isinstance(items[0], A.RangeLit) else str(items[0])
        return A.Within(self._span(meta), region)

    @lark.v_args(meta=True)
    def cl_in_map(self, meta: Any, items: list[Any]) -> A.Clause:
        where = items[2] if len(items) > 2 else None
        return A.InMap(self._span(meta), str(items[0]), items[1], where)

    @lark.v_args(meta=True)
    def cl_below(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Below(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def cl_above(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Above(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def cl_align(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Align(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def cl_avoid(self, meta: Any, items: list[Any]) -> A.Clause:
        all_, names = items[0]
        return A.Avoid(self._span(meta), names, all_)

    def avoid_all(self, items: list[Any]) -> tuple[bool, tuple[str, ...]]:
        return True, ()

    def avoid_names(self, items: list[lark.Token]) -> tuple[bool, tuple[str, ...]]:
        return False, tuple(str(t) for t in items)

    @lark.v_args(meta=True)
    def pol_at(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.At(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def pol_anywhere(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Anywhere(self._span(meta), tuple(items))

    @lark.v_args(meta=True)
    def pol_topdown(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.TopDown(self._span(meta), tuple(items))

    @lark.v_args(meta=True)
    def pol_bottomup(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.BottomUp(self._span(meta), tuple(items))

    @lark.v_args(meta=True)
    def pol_pool(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.FromPool(self._span(meta), str(items[0]), items[1] if len(items) > 1 else None)

    @lark.v_args(meta=True)
    def pol_none(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.NoneFallback(self._span(meta))

    def placement(self, items: list[A.Policy]) -> tuple[A.Policy, ...]:
        return tuple(items)

    # -- lines
    @lark.v_args(meta=True)
    def model_hdr(self, meta: Any, items: list[Any]) -> A.ModelHdr:
        base = str(items[1]) if len(items) > 1 else None
        return A.ModelHdr(self._span(meta), str(items[0]), base)

    @lark.v_args(meta=True)
    def width(self, meta: Any, items: list[Any]) -> A.Width:
        return A.Width(self._span(meta), parse_number(str(items[0])))

    @lark.v_args(meta=True)
    def image(self, meta: Any, items: list[Any]) -> A.ImageLine:
        items, cite = self._split_cite(items)
        syms = tuple(x for x in items[3:] if isinstance(x, tuple))
        return A.ImageLine(self._span(meta), str(items[0]), str(items[1]), items[2],
                           syms, cite=cite)

    def image_sym(self, items: list[Any]) -> tuple[str, str]:
        sym = str(items[0])
        return sym, str(items[1]) if len(items) > 1 else sym

    @lark.v_args(meta=True)
    def cite_line(self, meta: Any, items: list[Any]) -> A.CiteLine:
        return A.CiteLine(self._span(meta), items[0].text)

    @lark.v_args(meta=True)
    def const(self, meta: Any, items: list[Any]) -> A.Const:
        items, cite = self._split_cite(items)
        return A.Const(self._span(meta), str(items[0]), items[1], cite=cite)

    @lark.v_args(meta=True)
    def param(self, meta: Any, items: list[Any]) -> A.Param:
        items, cite = self._split_cite(items)
        make: _MakeParam = items[1]
        return make(self._span(meta), str(items[0]), cite)

    def dom_range(self, items: list[Any]) -> _MakeParam:
        rng, align = items[0], items[1] if len(items) > 1 else None
        return lambda span, name, cite: A.RangeParam(span, name, rng, align, cite=cite)

    def dom_set(self, items: list[Any]) -> _MakeParam:
        return lambda span, name, cite: A.SetParam(span, name, tuple(items), cite=cite)

    def dom_bool(self, items: list[Any]) -> _MakeParam:
        return lambda span, name, cite: A.BoolParam(span, name, cite=cite)

    def dom_enum(self, items: list[Any]) -> _MakeParam:
        words = tuple(str(t) for t in items)
        return lambda span, name, cite: A.EnumParam(span, name, words, cite=cite)

    @lark.v_args(meta=True)
    def assume(self, meta: Any, items: list[Any]) -> A.Assume:
        items, cite = self._split_cite(items)
        if len(items) == 2:
            return A.Assume(self._span(meta), items[1], str(items[0]), cite=cite)
        return A.Assume(self._span(meta), items[0], cite=cite)

    @lark.v_args(meta=True)
    def region(self, meta: Any, items: list[Any]) -> A.RegionDecl:
        items, cite = self._split_cite(items)
        typ = str(items[2]) if len(items) > 2 else None
        return A.RegionDecl(self._span(meta), str(items[0]), items[1], None, None, typ, cite=cite)

    @lark.v_args(meta=True)
    def region_at(self, meta: Any, items: list[Any]) -> A.RegionDecl:
        items, cite = self._split_cite(items)
        typ = str(items[3]) if len(items) > 3 else None
        return A.RegionDecl(self._span(meta), str(items[0]), None, items[1], items[2], typ,
                            cite=cite)

    @lark.v_args(meta=True)
    def map_symbolic(self, meta: Any, items: list[Any]) -> A.MapHdr:
        items, cite = self._split_cite(items)
        opts: dict[str, Any] = {}
        for key, value in items[3:]:
            opts[key] = value
        return A.MapHdr(self._span(meta), str(items[0]), str(items[1]), "symbolic",
                        count=items[2], cite=cite, **opts)

    def mopt_types(self, items: list[Any]) -> tuple[str, Any]:
        return "types", items[0]

    def mopt_within(self, items: list[Any]) -> tuple[str, Any]:
        return "within", items[0]

    def mopt_align(self, items: list[Any]) -> tuple[str, Any]:
        return "align", items[0]

    @lark.v_args(meta=True)
    def map_file(self, meta: Any, items: list[Any]) -> A.MapHdr:
        items, cite = self._split_cite(items)
        return A.MapHdr(self._span(meta), str(items[0]), str(items[1]), "file", path=items[2],
                        cite=cite)

    @lark.v_args(meta=True)
    def map_concrete(self, meta: Any, items: list[Any]) -> A.MapHdr:
        items, cite = self._split_cite(items)
        return A.MapHdr(self._span(meta), str(items[0]), str(items[1]), "concrete", cite=cite)

    @lark.v_args(meta=True)
    def entry(self, meta: Any, items: list[Any]) -> A.Entry:
        items, cite = self._split_cite(items)
        attrs = items[2] if len(items) > 2 else ()
        return A.Entry(self._span(meta), items[0], str(items[1]), attrs, cite=cite)

    def mopt_attrs(self, items: list[Any]) -> tuple[str, Any]:
        return "attrs", items[0]

    @lark.v_args(meta=True)
    def map_derived(self, meta: Any, items: list[Any]) -> A.MapHdr:
        items, cite = self._split_cite(items)
        return A.MapHdr(self._span(meta), str(items[0]), str(items[1]), "derived", cite=cite)

    @lark.v_args(meta=True)
    def pool(self, meta: Any, items: list[Any]) -> A.PoolDecl:
        items, cite = self._split_cite(items)
        return A.PoolDecl(self._span(meta), str(items[0]), items[1], str(items[2]), cite=cite)

    @lark.v_args(meta=True)
    def var(self, meta: Any, items: list[Any]) -> A.VarDecl:
        items, cite = self._split_cite(items)
        return A.VarDecl(self._span(meta), str(items[0]), items[1], False, cite=cite)

    @lark.v_args(meta=True)
    def flag(self, meta: Any, items: list[Any]) -> A.VarDecl:
        items, cite = self._split_cite(items)
        return A.VarDecl(self._span(meta), str(items[0]), items[1], True, cite=cite)

    @lark.v_args(meta=True)
    def stage_hdr(self, meta: Any, items: list[Any]) -> A.StageHdr:
        items, cite = self._split_cite(items)
        guard = items[-1] if items and isinstance(items[-1], A.Expr) else None
        names = [str(t) for t in items if isinstance(t, lark.Token)]
        return A.StageHdr(self._span(meta), names[0], tuple(names[1:]), guard, cite=cite)

    @lark.v_args(meta=True)
    def place(self, meta: Any, items: list[Any]) -> A.Place:
        items, cite = self._split_cite(items)
        typ = str(items[3]) if len(items) > 3 else None
        return A.Place(self._span(meta), str(items[0]), items[1], items[2], type=typ, cite=cite)

    @lark.v_args(meta=True)
    def place_range(self, meta: Any, items: list[Any]) -> A.Place:
        items, cite = self._split_cite(items)
        typ = str(items[2]) if len(items) > 2 else None
        return A.Place(self._span(meta), str(items[0]), None, (), range=items[1], type=typ,
                       cite=cite)

    @lark.v_args(meta=True)
    def free(self, meta: Any, items: list[Any]) -> A.Free:
        items, cite = self._split_cite(items)
        return A.Free(self._span(meta), str(items[0]), cite=cite)

    @lark.v_args(meta=True)
    def reserve(self, meta: Any, items: list[Any]) -> A.Reserve:
        items, cite = self._split_cite(items)
        attrs = items[3] if len(items) > 3 else ()
        return A.Reserve(self._span(meta), str(items[0]), str(items[1]), str(items[2]), attrs,
                         cite=cite)

    @lark.v_args(meta=True)
    def convert(self, meta: Any, items: list[Any]) -> A.Convert:
        items, cite = self._split_cite(items)
        return A.Convert(self._span(meta), str(items[0]), items[1], str(items[2]), cite=cite)

    @lark.v_args(meta=True)
    def translate(self, meta: Any, items: list[Any]) -> A.Translate:
        items, cite = self._split_cite(items)
        return A.Translate(self._span(meta), str(items[0]), str(items[1]), tuple(items[2:]),
                           cite=cite)

    def tpair(self, items: list[Any]) -> tuple[str, str]:
        return str(items[0]), str(items[1])

    @lark.v_args(meta=True)
    def loop_hdr(self, meta: Any, items: list[Any]) -> A.LoopHdr:
        return A.LoopHdr(self._span(meta), str(items[0]), items[1])

    @lark.v_args(meta=True)
    def end_(self, meta: Any, items: list[Any]) -> A.EndLine:
        return A.EndLine(self._span(meta))

    @lark.v_args(meta=True)
    def fragment_hdr(self, meta: Any, items: list[Any]) -> A.FragmentHdr:
        return A.FragmentHdr(self._span(meta), str(items[0]),
                             tuple(str(t) for t in items[1:] if t is not None))

    @lark.v_args(meta=True)
    def use_(self, meta: Any, items: list[Any]) -> A.Use:
        items, cite = self._split_cite(items)
        return A.Use(self._span(meta), str(items[0]),
                     tuple(x for x in items[1:] if x is not None), cite=cite)

    @lark.v_args(meta=True)
    def copy(self, meta: Any, items: list[Any]) -> A.Copy:
        items, cite = self._split_cite(items)
        typ = str(items[3]) if len(items) > 3 else None
        return A.Copy(self._span(meta), str(items[0]), str(items[1]), items[2], type=typ, cite=cite)

    @lark.v_args(meta=True)
    def move(self, meta: Any, items: list[Any]) -> A.Move:
        items, cite = self._split_cite(items)
        return A.Move(self._span(meta), str(items[0]), items[1], cite=cite)

    @lark.v_args(meta=True)
    def set_(self, meta: Any, items: list[Any]) -> A.SetVar:
        items, cite = self._split_cite(items)
        return A.SetVar(self._span(meta), str(items[0]), items[1], cite=cite)

    @lark.v_args(meta=True)
    def replace(self, meta: Any, items: list[Any]) -> A.Replace:
        return A.Replace(self._span(meta), items[0])

    @lark.v_args(meta=True)
    def delete(self, meta: Any, items: list[Any]) -> A.Delete:
        return A.Delete(self._span(meta), str(items[0]), str(items[1]))

    @lark.v_args(meta=True)
    def insert_before(self, meta: Any, items: list[Any]) -> A.Insert:
        return A.Insert(self._span(meta), True, str(items[0]), str(items[1]), items[2])

    @lark.v_args(meta=True)
    def insert_after(self, meta: Any, items: list[Any]) -> A.Insert:
        return A.Insert(self._span(meta), False, str(items[0]), str(items[1]), items[2])

    @lark.v_args(meta=True)
    def assert_(self, meta: Any, items: list[Any]) -> A.AssertLine:
        items, cite = self._split_cite(items)
        if len(items) == 2:
            return A.AssertLine(self._span(meta), str(items[0]), items[1], cite=cite)
        return A.AssertLine(self._span(meta), None, items[0], cite=cite)

    @lark.v_args(meta=True)
    def expect(self, meta: Any, items: list[Any]) -> A.ExpectLine:
        items, cite = self._split_cite(items)
        return A.ExpectLine(self._span(meta), str(items[0]), as_status(str(items[1])), cite=cite)

    @lark.v_args(meta=True)
    def proof_hdr(self, meta: Any, items: list[Any]) -> A.ProofHdr:
        return A.ProofHdr(self._span(meta), str(items[0]))

    @lark.v_args(meta=True)
    def for_(self, meta: Any, items: list[Any]) -> A.ForExpect:
        items, cite = self._split_cite(items)
        return A.ForExpect(self._span(meta), str(items[0]), as_status(str(items[1])), cite=cite)

    @lark.v_args(meta=True)
    def property(self, meta: Any, items: list[Any]) -> A.Property:
        items, cite = self._split_cite(items)
        scope, stage = items[0]
        return A.Property(self._span(meta), scope, stage, items[1], cite=cite)

    def sc_always(self, items: list[Any]) -> tuple[str, None]:
        return "always", None

    def sc_during(self, items: list[Any]) -> tuple[str, str]:
        return "during", str(items[0])

    def sc_after(self, items: list[Any]) -> tuple[str, str]:
        return "after", str(items[0])

    def sc_end(self, items: list[Any]) -> tuple[str, None]:
        return "end", None

    def start(self, items: list[Any]) -> Any:
        return items[0]
