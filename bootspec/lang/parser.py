"""Pass 1, *load*: text -> :class:`bootspec.lang.ast.FileAst`.

Needs: the text of a ``.boot`` / ``.proof`` file.
Guarantees: every line is parsed on its own (so one syntax error does not hide
the next), numbers with units are folded to ints, and lines are grouped into
models (with their stages and maps) and proofs. Names are *not* resolved here.
Errors: BS100 (syntax), BS101 (bad number/unit), BS117 (a line in the wrong place).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import lark

from bootspec.diagnostics import BootspecError, Collector, Span
from bootspec.lang import ast as A

_UNITS = {"K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30,
          "GiB": 1 << 30, "T": 1 << 40, "TiB": 1 << 40}
_NUM_RE = re.compile(r"(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)(KiB|MiB|GiB|TiB|K|M|G|T)?$")

MAX_SOURCE_BYTES = 4 << 20  # a model file larger than this is refused (BS118)
MAX_LINES = 50_000  # likewise a file with more lines (a model of 100,000 regions)


def parse_number(text: str) -> int:
    """Parse an integer literal with an optional binary unit.

    >>> parse_number("4KiB"), parse_number("0x1000"), parse_number("2M"), parse_number("1_000")
    (4096, 4096, 2097152, 1000)
    """
    m = _NUM_RE.match(text)
    if not m:
        raise ValueError(text)
    digits, unit = m.groups()
    value = int(digits.replace("_", ""), 16 if digits[:2].lower() == "0x" else 10)
    return value * _UNITS[unit] if unit else value


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


class _ToAst(lark.Transformer[Any, Any]):
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
        if items and isinstance(items[-1], _Cite):
            return items[:-1], items[-1].text
        return items, None

    # -- terminals
    def STRING(self, tok: lark.Token) -> str:
        return bytes(tok[1:-1], "utf-8").decode("unicode_escape")

    def cite(self, items: list[Any]) -> _Cite:
        return _Cite(items[0])

    # -- expressions
    @lark.v_args(meta=True)
    def num(self, meta: Any, items: list[lark.Token]) -> A.Num:
        try:
            value = parse_number(str(items[0]))
        except ValueError:
            raise _LineError("BS101", f"bad number '{items[0]}'", self._tok_span(items[0]),
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
        if isinstance(items[0], A.RangeLit):
            return A.Clause("within", self._span(meta), expr=items[0])
        return A.Clause("within", self._span(meta), name=str(items[0]))

    @lark.v_args(meta=True)
    def cl_in_map(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Clause("in_map", self._span(meta), name=str(items[0]), names=items[1])

    @lark.v_args(meta=True)
    def cl_below(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Clause("below", self._span(meta), expr=items[0])

    @lark.v_args(meta=True)
    def cl_above(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Clause("above", self._span(meta), expr=items[0])

    @lark.v_args(meta=True)
    def cl_align(self, meta: Any, items: list[Any]) -> A.Clause:
        return A.Clause("align", self._span(meta), expr=items[0])

    @lark.v_args(meta=True)
    def cl_avoid(self, meta: Any, items: list[Any]) -> A.Clause:
        all_, names = items[0]
        return A.Clause("avoid", self._span(meta), names=names, all=all_)

    def avoid_all(self, items: list[Any]) -> tuple[bool, tuple[str, ...]]:
        return True, ()

    def avoid_names(self, items: list[lark.Token]) -> tuple[bool, tuple[str, ...]]:
        return False, tuple(str(t) for t in items)

    @lark.v_args(meta=True)
    def pol_at(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Policy("at", self._span(meta), at=items[0])

    @lark.v_args(meta=True)
    def pol_anywhere(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Policy("anywhere", self._span(meta), clauses=tuple(items))

    @lark.v_args(meta=True)
    def pol_topdown(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Policy("topdown", self._span(meta), clauses=tuple(items))

    @lark.v_args(meta=True)
    def pol_bottomup(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Policy("bottomup", self._span(meta), clauses=tuple(items))

    @lark.v_args(meta=True)
    def pol_pool(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Policy("pool", self._span(meta), pool=str(items[0]),
                        align=items[1] if len(items) > 1 else None)

    @lark.v_args(meta=True)
    def pol_none(self, meta: Any, items: list[Any]) -> A.Policy:
        return A.Policy("none", self._span(meta))

    def placement(self, items: list[A.Policy]) -> tuple[A.Policy, ...]:
        return tuple(items)

    # -- lines
    @lark.v_args(meta=True)
    def model_hdr(self, meta: Any, items: list[Any]) -> A.ModelHdr:
        return A.ModelHdr(self._span(meta), str(items[0]), str(items[1]) if len(items) > 1 else None)

    @lark.v_args(meta=True)
    def width(self, meta: Any, items: list[Any]) -> A.Width:
        return A.Width(self._span(meta), parse_number(str(items[0])))

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
        dom: dict[str, Any] = items[1]
        return A.Param(self._span(meta), str(items[0]), cite=cite, **dom)

    def dom_range(self, items: list[Any]) -> dict[str, Any]:
        return {"kind": "range", "range": items[0], "align": items[1] if len(items) > 1 else None}

    def dom_set(self, items: list[Any]) -> dict[str, Any]:
        return {"kind": "set", "values": tuple(items)}

    def dom_bool(self, items: list[Any]) -> dict[str, Any]:
        return {"kind": "bool"}

    def dom_enum(self, items: list[Any]) -> dict[str, Any]:
        return {"kind": "enum", "enum": tuple(str(t) for t in items)}

    @lark.v_args(meta=True)
    def assume(self, meta: Any, items: list[Any]) -> A.Assume:
        items, cite = self._split_cite(items)
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
        return A.RegionDecl(self._span(meta), str(items[0]), None, items[1], items[2], typ, cite=cite)

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
        return A.Entry(self._span(meta), items[0], str(items[1]), cite=cite)

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
        return A.Reserve(self._span(meta), str(items[0]), str(items[1]), str(items[2]), cite=cite)

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
    def assert_(self, meta: Any, items: list[Any]) -> A.AssertLine:
        items, cite = self._split_cite(items)
        if len(items) == 2:
            return A.AssertLine(self._span(meta), str(items[0]), items[1], cite=cite)
        return A.AssertLine(self._span(meta), None, items[0], cite=cite)

    @lark.v_args(meta=True)
    def expect(self, meta: Any, items: list[Any]) -> A.ExpectLine:
        items, cite = self._split_cite(items)
        return A.ExpectLine(self._span(meta), str(items[0]), str(items[1]), cite=cite)

    @lark.v_args(meta=True)
    def proof_hdr(self, meta: Any, items: list[Any]) -> A.ProofHdr:
        return A.ProofHdr(self._span(meta), str(items[0]))

    @lark.v_args(meta=True)
    def for_(self, meta: Any, items: list[Any]) -> A.ForExpect:
        items, cite = self._split_cite(items)
        return A.ForExpect(self._span(meta), str(items[0]), str(items[1]), cite=cite)

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


class _Cite:
    def __init__(self, text: str):
        self.text = text


class _LineError(Exception):
    def __init__(self, code: str, message: str, span: Span, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.span, self.hint = code, message, span, hint


_FRIENDLY = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a quoted string", "RCLOSE": "')' or ']'",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "COMMA": "','", "EQUAL": "'='",
    "COLON": "':'", "LBRACE": "'{'", "RBRACE": "'}'", "DIRECTION": "'up' or 'down'",
    "VERDICT": "holds/violated/vacuous/unknown", "CMPOP": "a comparison",
}


def _expected(tokens: set[str]) -> str:
    words = sorted({_FRIENDLY.get(t, t.lower().strip("_")) for t in tokens if not t.startswith("__")})
    if len(words) > 8:
        words = words[:8] + ["..."]
    return ", ".join(words)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Split into (line number, text) pairs, joining ``\\``-continued lines."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if pending is not None:
            start, acc = pending
            line = acc + " " + line.lstrip()
            i = start
        if line.endswith("\\") and "#" not in line:
            pending = (i, line[:-1])
            continue
        pending = None
        out.append((i, line))
    if pending is not None:
        out.append(pending)
    return out


def parse_lines(text: str, path: str, errors: Collector) -> list[A.Line]:
    """Parse every logical line; syntax errors are collected, never raised."""
    parser = _lark()
    lines: list[A.Line] = []
    logical = _logical_lines(text)
    if len(logical) > MAX_LINES:
        errors.error("BS118", f"{len(logical)} lines; bootspec reads at most {MAX_LINES} lines "
                     "per file", Span(path, MAX_LINES + 1, 1),
                     "split the model into several files, or summarise repeated regions")
        return lines
    for line_no, line in logical:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            tree = parser.parse(line)
            lines.append(_ToAst(path, line_no).transform(tree))
        except lark.exceptions.VisitError as e:
            inner = e.orig_exc
            if isinstance(inner, _LineError):
                errors.error(inner.code, inner.message, inner.span, inner.hint)
            else:
                raise
        except lark.UnexpectedCharacters as e:
            errors.error("BS100", f"unexpected character {line[e.column - 1]!r}",
                         Span(path, line_no, e.column, line_no, e.column + 1))
        except lark.UnexpectedToken as e:
            tok = e.token
            col = tok.column if isinstance(tok.column, int) else len(line) + 1
            what = "end of line" if tok.type == "$END" else f"'{tok}'"
            hint = f"expected {_expected(set(e.expected))}" if e.expected else None
            if tok.type == "NAME" and col > 1 and line[col - 2].isalnum():
                hint = ("a number's unit is one of K, KiB, M, MiB, G, GiB, T, TiB (binary); "
                        "write 4KiB, not 4KB")
            errors.error("BS100", f"syntax error: unexpected {what}",
                         Span(path, line_no, col, line_no, col + max(1, len(str(tok)))), hint)
        except lark.UnexpectedEOF as e:
            errors.error("BS100", "syntax error: the line ends too early",
                         Span(path, line_no, len(line) + 1),
                         f"expected {_expected(set(e.expected))}" if e.expected else None)
    return lines


_STAGE_BODY = (A.Place, A.Free, A.Reserve, A.Copy, A.Move, A.SetVar, A.AssertLine, A.Replace,
               A.Delete)


def group(lines: list[A.Line], path: str, errors: Collector) -> A.FileAst:
    """Group parsed lines into models (stages, maps) and proofs."""
    models: list[A.ModelAst] = []
    proofs: list[A.ProofAst] = []
    cur: dict[str, Any] | None = None  # the model or proof being built
    stage: dict[str, Any] | None = None
    cur_map: dict[str, Any] | None = None

    def close_stage() -> None:
        nonlocal stage
        if stage is not None and cur is not None:
            cur["stages"].append(A.StageAst(body=tuple(stage.pop("body")), **stage))
        stage = None

    def close_map() -> None:
        nonlocal cur_map
        if cur_map is not None and cur is not None:
            cur["maps"].append(A.MapAst(cur_map["hdr"], tuple(cur_map["entries"])))
        cur_map = None

    def close() -> None:
        nonlocal cur
        close_stage()
        close_map()
        if cur is None:
            return
        kind = cur.pop("_kind")
        if kind == "model":
            models.append(A.ModelAst(cites=tuple(cur.pop("cites")), decls=tuple(cur.pop("decls")),
                                     maps=tuple(cur.pop("maps")), stages=tuple(cur.pop("stages")),
                                     **cur))
        else:
            props = cur.pop("props")
            proofs.append(A.ProofAst(cur["name"], cur["span"], tuple(cur["cites"]),
                                     tuple(cur["targets"]), props[0] if props else None,
                                     tuple(props[1:])))
        cur = None

    def misplaced(ln: A.Line, what: str, hint: str) -> None:
        errors.error("BS117", f"{what} is not allowed here", ln.span, hint)

    for ln in lines:
        if isinstance(ln, A.ModelHdr):
            close()
            cur = {"_kind": "model", "name": ln.name, "base": ln.base, "span": ln.span,
                   "width": None, "cites": [], "decls": [], "maps": [], "stages": []}
            continue
        if isinstance(ln, A.ProofHdr):
            close()
            cur = {"_kind": "proof", "name": ln.name, "span": ln.span, "cites": [],
                   "targets": [], "props": []}
            continue
        if cur is None:
            misplaced(ln, "a statement before any 'model' or 'proof' header",
                      "start the file with 'model NAME' or 'proof NAME'")
            continue
        if cur["_kind"] == "proof":
            if isinstance(ln, A.CiteLine):
                cur["cites"].append(ln.text)
            elif isinstance(ln, A.ForExpect):
                cur["targets"].append(ln)
            elif isinstance(ln, A.Property):
                cur["props"].append(ln)
            else:
                misplaced(ln, f"'{_kw(ln)}' inside a proof",
                          "a proof holds 'cite', 'for MODEL expect VERDICT' lines and one property")
            continue
        # inside a model
        if isinstance(ln, A.Entry):
            if cur_map is None or cur_map["hdr"].source != "concrete":
                misplaced(ln, "'entry' outside a concrete map",
                          "put entry lines right after 'map NAME : e820' (or efi)")
            else:
                cur_map["entries"].append(ln)
            continue
        close_map()
        if isinstance(ln, A.Delete) and ln.kind == "stage":
            close_stage()
            cur["decls"].append(ln)
            continue
        if isinstance(ln, A.StageHdr):
            close_stage()
            stage = {"name": ln.name, "span": ln.span, "after": ln.after, "guard": ln.guard,
                     "body": [], "cite": ln.cite, "header_given": True}
        elif isinstance(ln, _STAGE_BODY) or (stage is not None and isinstance(ln, A.Assume | A.PoolDecl)):
            if stage is None:
                misplaced(ln, f"'{_kw(ln)}' outside a stage", "put it under a 'stage NAME' line")
            else:
                stage["body"].append(ln)
        elif isinstance(ln, A.CiteLine):
            if stage is not None:
                stage["cite"] = (stage["cite"] + "; " if stage["cite"] else "") + ln.text
            else:
                cur["cites"].append(ln.text)
        elif isinstance(ln, A.Width):
            close_stage()
            cur["width"] = ln
        elif isinstance(ln, A.MapHdr):
            close_stage()
            cur_map = {"hdr": ln, "entries": []}
        elif isinstance(ln, A.Const | A.Param | A.Assume | A.RegionDecl | A.PoolDecl | A.VarDecl |
                        A.ExpectLine):
            close_stage()
            cur["decls"].append(ln)
        else:
            misplaced(ln, f"'{_kw(ln)}' inside a model",
                      "'for ... expect' and properties belong in a proof")
    close()
    return A.FileAst(path, tuple(models), tuple(proofs))


def _kw(ln: A.Line) -> str:
    return {A.ForExpect: "for", A.Property: "property", A.Entry: "entry", A.Place: "place",
            A.Free: "free", A.Reserve: "reserve", A.Copy: "copy", A.Move: "move",
            A.SetVar: "set", A.AssertLine: "assert", A.Replace: "replace", A.Delete: "delete",
            A.Width: "width", A.Const: "const", A.Param: "param", A.MapHdr: "map",
            A.RegionDecl: "region", A.VarDecl: "var", A.ExpectLine: "expect",
            A.StageHdr: "stage", A.Assume: "assume", A.PoolDecl: "pool"}.get(type(ln), "line")


def parse_text(text: str, path: str) -> A.FileAst:
    """Parse and group one file; raise :class:`BootspecError` with every error found."""
    errors = Collector()
    lines = parse_lines(text, path, errors)
    ast = group(lines, path, errors)
    errors.raise_if_any()
    return ast


def read_source(path: Path) -> str:
    """Read a model/proof file, refusing what cannot be a model (binary, huge, unreadable)."""
    errors = Collector()
    span = Span(str(path), 1, 1)
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            errors.error("BS118", f"file is {size} bytes; bootspec reads models up to "
                         f"{MAX_SOURCE_BYTES} bytes", span, "split the model into several files")
            errors.raise_if_any()
        data = path.read_bytes()
    except OSError as e:
        errors.error("BS118", f"cannot read file: {e.strerror}", span)
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    if b"\0" in data:
        errors.error("BS118", "file holds NUL bytes; it is not a bootspec text file", span)
    text = data.decode("utf-8", errors="replace")
    errors.raise_if_any()
    return text


def parse_path(path: Path) -> tuple[A.FileAst, str]:
    text = read_source(path)
    return parse_text(text, str(path)), text


__all__ = ["BootspecError", "parse_number", "parse_path", "parse_text"]
