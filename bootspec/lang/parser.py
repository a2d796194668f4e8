"""Pass 1, *load*: text -> :class:`bootspec.lang.ast.FileAst`.

Needs: the text of a ``.boot`` / ``.proof`` file.
Guarantees: every line is parsed on its own (so one syntax error does not hide
the next), numbers with units are folded to ints, and lines are grouped into
models (with their stages and maps) and proofs. Names are *not* resolved here.
Errors: BS100 (syntax), BS101 (bad number/unit), BS117 (a line in the wrong place).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import lark

from bootspec import safeio
from bootspec.diagnostics import BootspecError, Collector, Diagnostic, Span
from bootspec.lang import ast as A
from bootspec.lang.numbers import parse_number
from bootspec.lang.transform import LineError, ToAst
from bootspec.sources import MAX_SOURCE_BYTES  # a larger model file is refused (BS118)

MAX_LINES = 50_000  # likewise a file with more lines (a model of 100,000 regions)


GRAMMAR = Path(__file__).parent / "grammar.lark"
#: the grammar's LALR tables, generated at build time by ``python -m bootspec.lang.parser``
TABLES = Path(__file__).parent / "grammar.tables.json"
#: how the grammar is compiled; part of the tables' key
OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": True,
                           "maybe_placeholders": False, "start": ["start", "expr"]}


def tables_key(grammar: str) -> str:
    """What the tables are a function of: the grammar's text, the options and lark's
    version (lark's serialised form may change between its releases)."""
    whole = repr((grammar, sorted(OPTIONS.items()), lark.__version__))
    return hashlib.sha256(whole.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    """The parser, loaded from the tables generated at build time (20 ms) when they are
    exactly those of this grammar, these options and this lark, and intact; otherwise
    compiled from the grammar (0.2 s). Both give the same parser, so a stale or
    damaged tables file costs time, never a different parse."""
    grammar = GRAMMAR.read_text(encoding="utf-8")
    loaded = _from_tables(grammar, TABLES)
    return loaded if loaded is not None else lark.Lark(grammar, **OPTIONS)


def _from_tables(grammar: str, path: Path = TABLES) -> lark.Lark | None:
    """The parser of ``path``'s tables, or None unless its key is ``grammar``'s (with
    OPTIONS and this lark) and its data has the sha256 its header records. Plain JSON
    (never a pickle: loading it runs no code)."""
    try:
        header, _, body = safeio.read_bounded(path, 16 << 20).partition(b"\n")
        meta = json.loads(header)
        if (meta.get("key") != tables_key(grammar)
                or meta.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None
        tables = json.loads(body, object_hook=_decode)
        load: Any = lark.Lark._load_from_dict  # lark's loader of its own serialised form
        parser = load(tables["data"], tables["memo"])
        return parser if isinstance(parser, lark.Lark) else None
    except Exception:  # unreadable, foreign or damaged: compile the grammar instead
        return None


def _encode(x: Any) -> Any:
    """lark's serialised tables as JSON: a dict with keys that are not strings and a
    tuple are tagged ({"__d": pairs}, {"__t": items}), the rest is JSON as it is."""
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x) and not {"__d", "__t"} & set(x):
            return {k: _encode(v) for k, v in x.items()}
        return {"__d": [[_encode(k), _encode(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {"__t": [_encode(v) for v in x]}
    if isinstance(x, list):
        return [_encode(v) for v in x]
    if x is None or isinstance(x, str | int | float | bool):
        return x
    raise TypeError(f"lark's tables hold a {type(x).__name__}: extend _encode")


def _decode(d: dict[str, Any]) -> Any:
    if len(d) == 1 and "__d" in d:
        return {k: v for k, v in d["__d"]}
    if len(d) == 1 and "__t" in d:
        return tuple(d["__t"])
    return d


def generate_tables() -> bytes:
    """The tables file for the current grammar, options and lark: a JSON header line
    (the key, the sha256 of the rest) and lark's serialised tables. Run ``python -m
    bootspec.lang.parser`` after editing the grammar or upgrading lark;
    tests/unit/test_grammar_tables.py fails while the file is stale."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef
    grammar = GRAMMAR.read_text(encoding="utf-8")
    data, memo = lark.Lark(grammar, **OPTIONS).memo_serialize([TerminalDef, Rule])
    body = json.dumps(_encode({"data": data, "memo": memo}), separators=(",", ":")).encode()
    body += b"\n"
    header = json.dumps({"key": tables_key(grammar), "lark": lark.__version__,
                         "sha256": hashlib.sha256(body).hexdigest(),
                         "made by": "python -m bootspec.lang.parser"})
    return header.encode() + b"\n" + body


#: how deep an expression may nest (docs/language.md, "Expressions"): every later stage
#: walks expressions recursively, and this keeps each well inside Python's stack
MAX_EXPR_DEPTH = 200

# a node of these kinds with k operands becomes a chain k - 1 deep (left-associative)
_CHAINS = frozenset({"arith", "set_union", "set_minus"})
# the grammar's expression nodes (a line's own nodes do not count)
_EXPRESSIONS = _CHAINS | {
    "ite", "forall_", "exists_", "qd_range", "qd_map", "implies_", "or_", "and_", "not_",
    "cmp", "bitnot", "num", "true_", "false_", "count_", "sum_", "call", "attr", "name",
    "range_ho", "range_incl", "map_types", "typeset"}


def too_deep(tree: lark.Tree) -> tuple[int, int] | None:  # type: ignore[type-arg]
    """The columns [start, end) of the outermost node below which ``tree`` nests more
    than :data:`MAX_EXPR_DEPTH` levels, or None. Iterative: it must not itself recurse
    as deep as what it refuses."""
    depth: dict[int, int] = {}
    stack: list[tuple[lark.Tree, bool]] = [(tree, False)]  # type: ignore[type-arg]
    while stack:
        node, done = stack.pop()
        kids = [c for c in node.children if isinstance(c, lark.Tree)]
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in kids)
            continue
        below = max((depth.pop(id(c)) for c in kids), default=0)
        d = below + (0 if node.data not in _EXPRESSIONS else
                     max(1, len(kids) - 1) if node.data in _CHAINS else 1)
        if d > MAX_EXPR_DEPTH:
            meta = node.meta
            col = getattr(meta, "column", 1)
            return col, getattr(meta, "end_column", col + 1)
        depth[id(node)] = d
    return None


def parse_expr(text: str, span: Span) -> A.Expr:
    """One expression (an index ``stack[cpu + 1]``), with ``span``'s line for its nodes;
    ValueError when it does not parse."""
    try:
        tree = _lark().parse(text, start="expr")
        if too_deep(tree) is not None:
            raise ValueError(f"nests more than {MAX_EXPR_DEPTH} levels deep")
        out = ToAst(span.path, span.line).transform(tree)
    except (lark.exceptions.LarkError, LineError) as e:
        raise ValueError(str(e)) from None
    return out  # type: ignore[no-any-return]


_FRIENDLY = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a quoted string", "RCLOSE": "')' or ']'",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "COMMA": "','", "EQUAL": "'='",
    "COLON": "':'", "LBRACE": "'{'", "RBRACE": "'}'", "DIRECTION": "'up' or 'down'",
    "VERDICT": "holds/violated/vacuous/unknown", "EQOP": "a comparison", "RELOP": "a comparison",
    "INAME": "an indexed name", "SHIFTOP": "'<<' or '>>'",
}


def _expected(tokens: set[str]) -> str:
    words = sorted({_FRIENDLY.get(t, t.lower().strip("_"))
                    for t in tokens if not t.startswith("__")})
    if len(words) > 8:
        words = [*words[:8], "..."]
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
            tree = parser.parse(line, start="start")
            deep = too_deep(tree)
            if deep is not None:
                errors.error("BS132", f"this expression nests more than {MAX_EXPR_DEPTH} "
                             "levels deep", Span(path, line_no, deep[0], line_no, deep[1]),
                             "name its parts with 'var' or 'const' lines")
                continue
            lines.append(ToAst(path, line_no).transform(tree))
        except lark.exceptions.VisitError as e:
            inner = e.orig_exc
            if isinstance(inner, LineError):
                errors.error(inner.code, inner.message, inner.span, inner.hint)
            elif isinstance(inner, ValueError):  # a number Python will not convert
                errors.error("BS101", "a number on this line cannot be read (too many digits?)",
                             Span(path, line_no, 1, line_no, len(line) + 1),
                             "write large numbers in 0x hex; values beyond 2^64 are no address")
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
               A.Delete, A.Insert, A.Convert, A.Translate, A.Use)


def group(lines: list[A.Line], path: str, errors: Collector) -> A.FileAst:
    """Group parsed lines into models (stages, maps) and proofs."""
    models: list[A.ModelAst] = []
    proofs: list[A.ProofAst] = []
    cur: dict[str, Any] | None = None  # the model or proof being built
    stage: dict[str, Any] | None = None
    cur_map: dict[str, Any] | None = None
    blocks: list[tuple[A.Line, list[A.Line]]] = []  # open 'for' / 'fragment' blocks
    inputs: list[tuple[str, str]] = []  # images read by 'image' lines

    def close_blocks() -> None:
        while blocks:
            hdr, _ = blocks.pop()
            kw = "for" if isinstance(hdr, A.LoopHdr) else "fragment"
            errors.error("BS117", f"'{kw}' without its 'end'", hdr.span,
                         "close the block with a line 'end'")

    def close_stage() -> None:
        nonlocal stage
        if blocks and isinstance(blocks[0][0], A.LoopHdr):
            close_blocks()
        if stage is not None and cur is not None:
            cur["stages"].append(A.StageAst(body=tuple(stage.pop("body")), **stage))
        stage = None

    def body_of() -> list[A.Line] | None:
        """Where a stage line goes: the innermost open block, else the stage."""
        if blocks:
            return blocks[-1][1]
        return stage["body"] if stage is not None else None

    def close_map() -> None:
        nonlocal cur_map
        if cur_map is not None and cur is not None:
            cur["maps"].append(A.MapAst(cur_map["hdr"], tuple(cur_map["entries"])))
        cur_map = None

    def close() -> None:
        nonlocal cur
        close_stage()
        close_blocks()
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
        if isinstance(ln, A.LoopHdr):
            if stage is None and not blocks:
                misplaced(ln, "'for' outside a stage", "put the loop under a 'stage NAME' line "
                          "or inside a fragment")
            else:
                blocks.append((ln, []))
            continue
        if isinstance(ln, A.FragmentHdr):
            close_stage()
            if blocks:
                misplaced(ln, "a 'fragment' inside a block", "declare fragments at model level")
                continue
            blocks.append((ln, []))
            continue
        if isinstance(ln, A.EndLine):
            if not blocks:
                misplaced(ln, "'end' without an open 'for' or 'fragment'",
                          "remove it, or open the block it closes")
                continue
            hdr, body = blocks.pop()
            if isinstance(hdr, A.LoopHdr):
                block: A.Line = A.ForBlock(hdr.span, hdr.var, hdr.range, tuple(body))
                target = body_of()
                if target is not None:
                    target.append(block)
            else:
                assert isinstance(hdr, A.FragmentHdr)
                cur["decls"].append(A.FragmentDecl(hdr.span, hdr.name, hdr.params, tuple(body)))
            continue
        if blocks and (isinstance(ln, (_STAGE_BODY, A.Assume | A.PoolDecl))):
            blocks[-1][1].append(ln)
            continue
        if blocks and isinstance(blocks[-1][0], A.FragmentHdr):
            misplaced(ln, f"'{_kw(ln)}' inside a fragment",
                      "a fragment holds stage lines (place, set, assume, assert, ...)")
            continue
        if isinstance(ln, A.Delete) and ln.kind == "stage":
            close_stage()
            cur["decls"].append(ln)
            continue
        if isinstance(ln, A.StageHdr):
            close_stage()
            stage = {"name": ln.name, "span": ln.span, "after": ln.after, "guard": ln.guard,
                     "body": [], "cite": ln.cite, "header_given": True}
        elif isinstance(ln, _STAGE_BODY) or (stage is not None
                                             and isinstance(ln, A.Assume | A.PoolDecl)):
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
        elif isinstance(ln, A.ImageLine):
            close_stage()
            from bootspec.image import expand
            cur["decls"].extend(expand(ln, path, errors, inputs))
        else:
            misplaced(ln, f"'{_kw(ln)}' inside a model",
                      "'for ... expect' and properties belong in a proof")
    close()
    return A.FileAst(path, tuple(models), tuple(proofs), tuple(inputs))


def _kw(ln: A.Line) -> str:
    return {A.ForExpect: "for", A.Property: "property", A.Entry: "entry", A.Place: "place",
            A.Free: "free", A.Reserve: "reserve", A.Copy: "copy", A.Move: "move",
            A.SetVar: "set", A.AssertLine: "assert", A.Replace: "replace", A.Delete: "delete",
            A.Insert: "insert", A.Convert: "convert", A.Translate: "translate", A.Use: "use",
            A.LoopHdr: "for", A.EndLine: "end", A.FragmentHdr: "fragment",
            A.Width: "width", A.Const: "const", A.RangeParam: "param", A.SetParam: "param",
            A.BoolParam: "param", A.EnumParam: "param", A.MapHdr: "map",
            A.RegionDecl: "region", A.VarDecl: "var", A.ExpectLine: "expect",
            A.StageHdr: "stage", A.Assume: "assume", A.PoolDecl: "pool",
            A.ImageLine: "image"}.get(type(ln), "line")


def parse_text(text: str, path: str) -> A.FileAst:
    """Parse and group one file; raise :class:`BootspecError` with every error found."""
    errors = Collector()
    lines = parse_lines(text, path, errors)
    ast = group(lines, path, errors)
    errors.raise_if_any()
    return ast


def read_source(path: Path) -> str:
    """Read a model/proof file, refusing what cannot be a model (not a regular file:
    a device, a pipe; binary; larger than MAX_SOURCE_BYTES; unreadable) with BS118
    at ``path:1:1``. Reads at most MAX_SOURCE_BYTES + 1 bytes, and never blocks."""
    def refuse(message: str, hint: str | None = None) -> BootspecError:
        return BootspecError([Diagnostic.about_file("BS118", message, str(path), hint)])

    try:
        data = safeio.read_bounded(path, MAX_SOURCE_BYTES)
    except safeio.Refused as e:
        raise refuse(f"cannot read as a model: {e.reason}",
                     "split the model into several files" if e.size is not None
                     else "name a .boot or .proof text file") from None
    except OSError as e:
        raise refuse(f"cannot read file: {e.strerror or e}") from None
    if b"\0" in data:
        raise refuse("file holds NUL bytes; it is not a bootspec text file")
    return data.decode("utf-8", errors="replace")


def parse_path(path: Path) -> tuple[A.FileAst, str]:
    text = read_source(path)
    return parse_text(text, str(path)), text


__all__ = ["BootspecError", "parse_number", "parse_path", "parse_text"]


if __name__ == "__main__":  # regenerate the tables (see generate_tables)
    TABLES.write_bytes(generate_tables())
