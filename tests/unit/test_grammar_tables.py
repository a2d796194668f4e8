"""The grammar's LALR tables, generated at build time (lang/grammar.tables.json): current,
parsing exactly as the grammar compiled on the spot does, and never used when stale or
damaged (the parser then compiles the grammar: slower, the same parse)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import lark
import pytest
from helpers import REPO

from bootspec.lang import parser as P
from bootspec.lang.transform import LineError, ToAst

GRAMMAR = P.GRAMMAR.read_text(encoding="utf-8")

#: lines that do not parse, or not wholly: the errors must match as well
BROKEN = ["place x size", "place x size 4KB", "model", "stage s after", "region r size (1 +",
          "assert at end disjoint(a, b", "map m : e820 symbolic 4 types {ram", "@", "for i in",
          "place x size 4KiB align 2MiB below 1MiB ]", "const c = 0x" + "f" * 40 + "zz", "\t"]
EXPRS = ["a + b * 2", "x.end <= 1MiB and not (y.start > 4GiB)", "(a", "count(r in R: r.size)"]


def _lines() -> list[str]:
    out = []
    for f in sorted([*(REPO / "models").rglob("*.boot"), *(REPO / "proofs").rglob("*.proof")]):
        for _, line in P._logical_lines(f.read_text(encoding="utf-8")):
            if line.strip() and not line.strip().startswith("#"):
                out.append(line)
    return out + BROKEN


def _outcome(parser: lark.Lark, text: str, start: str) -> Any:
    """The tree with every node's position and the AST, or the error's type and fields."""
    try:
        tree = parser.parse(text, start=start)
    except lark.exceptions.UnexpectedInput as e:
        tok = getattr(e, "token", None)
        return (type(e).__name__, e.line, e.column, str(tok), getattr(tok, "type", None),
                sorted(getattr(e, "expected", None) or ()))
    spans = [(t.data, t.meta.line, t.meta.column, t.meta.end_line, t.meta.end_column)
             for t in tree.iter_subtrees() if not t.meta.empty]
    try:
        ast = ToAst("f.boot", 1).transform(tree)
    except (lark.exceptions.VisitError, LineError) as e:
        ast = repr(e)
    return tree, spans, ast


def test_the_tables_are_current() -> None:
    """After an edit of grammar.lark (or an upgrade of lark): python -m bootspec.lang.parser."""
    header = json.loads(P.TABLES.read_bytes().split(b"\n", 1)[0])
    assert header["key"] == P.tables_key(GRAMMAR), "run: python -m bootspec.lang.parser"
    assert P._from_tables(GRAMMAR, P.TABLES) is not None


def test_the_tables_parse_as_the_grammar_compiled_here() -> None:
    tables = P._from_tables(GRAMMAR, P.TABLES)
    compiled = lark.Lark(GRAMMAR, **P.OPTIONS)
    assert tables is not None
    lines = _lines()
    assert len(lines) > 500
    for line in lines:
        assert _outcome(tables, line, "start") == _outcome(compiled, line, "start"), line
    for text in EXPRS:
        assert _outcome(tables, text, "expr") == _outcome(compiled, text, "expr"), text


def _damaged(tmp_path: Path, how: str) -> Path:
    raw = P.TABLES.read_bytes()
    header, body = raw.split(b"\n", 1)
    meta = json.loads(header)
    if how == "grammar edited":
        meta["key"] = P.tables_key(GRAMMAR + "\n// an edit\n")
    elif how == "byte flipped":
        i = body.index(b'"__d"')
        body = body[:i + 10] + bytes([body[i + 10] ^ 1]) + body[i + 11:]
    elif how == "resealed damage":  # the checksum made again over altered data
        body = body.replace(b'"start"', b'"strat"', 1)
        meta["sha256"] = hashlib.sha256(body).hexdigest()
    elif how == "truncated":
        body = body[: len(body) // 2]
    elif how == "not json":
        header = b"\x00\xff garbage"
    out = tmp_path / "grammar.tables.json"
    out.write_bytes(json.dumps(meta).encode() + b"\n" + body if how != "not json"
                    else header + b"\n" + body)
    return out


@pytest.mark.parametrize("how", ["grammar edited", "byte flipped", "truncated", "not json"])
def test_stale_or_damaged_tables_are_not_used(tmp_path: Path, how: str) -> None:
    assert P._from_tables(GRAMMAR, _damaged(tmp_path, how)) is None


def test_missing_tables_are_not_used(tmp_path: Path) -> None:
    assert P._from_tables(GRAMMAR, tmp_path / "nothing.json") is None


def test_damaged_tables_compile_the_grammar_instead(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the file holds, what parses is the grammar: with resealed damage (the
    file's checksum made again) the key still matches, and what loads must then either
    fail or parse as the grammar does; here the damage renames a start symbol, which
    lark refuses, so the grammar is compiled."""
    monkeypatch.setattr(P, "TABLES", _damaged(tmp_path, "resealed damage"))
    P._lark.cache_clear()
    try:
        line = "place kernel size 4KiB anywhere within [0, 4GiB) align 2MiB"
        ours = _outcome(P._lark(), line, "start")
        assert ours == _outcome(lark.Lark(GRAMMAR, **P.OPTIONS), line, "start")
    finally:
        P._lark.cache_clear()
