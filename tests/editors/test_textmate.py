"""The TextMate grammar of .boot/.proof files (editors/textmate/bootspec.tmLanguage.json):
every keyword of bootspec/lang/grammar.lark is highlighted as one, and only those;
comments, strings, numbers with units and finding sites (fits@L12) get their scopes.

The grammar's regular expressions are written in the subset Python's ``re`` shares with
Oniguruma (what editors run), so this test runs them; a small scanner applies them as
an editor does (at each position the leftmost match, the first listed on a tie)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO

GRAMMAR = REPO / "editors" / "textmate" / "bootspec.tmLanguage.json"
LARK = REPO / "bootspec" / "lang" / "grammar.lark"


def _tm() -> dict[str, Any]:
    return json.loads(GRAMMAR.read_text(encoding="utf-8"))


def lark_keywords() -> set[str]:
    """The words the grammar quotes (its keywords), comments left out."""
    text = "\n".join(ln.split("//", 1)[0] for ln in LARK.read_text().splitlines())
    return set(re.findall(r'"([A-Za-z_]+)"', text))


def _rules(node: dict[str, Any], repo: dict[str, Any]) -> list[dict[str, Any]]:
    """The match/begin rules of ``node``'s patterns, includes followed, in order."""
    out: list[dict[str, Any]] = []
    for p in node.get("patterns", []):
        if "include" in p:
            out += _rules({"patterns": [repo[p["include"].lstrip("#")]]}, repo)
        elif "patterns" in p and "match" not in p and "begin" not in p:
            out += _rules(p, repo)
        else:
            out.append(p)
    return out


def scan(line: str) -> list[tuple[str, str]]:
    """(text, scope) of every token a TextMate editor would give ``line``."""
    tm = _tm()
    rules = _rules(tm, tm["repository"])
    out, pos = [], 0
    while pos < len(line):
        best = None
        for r in rules:
            m = re.compile(r.get("match") or r["begin"]).search(line, pos)
            if m and m.end() > m.start() and (best is None or m.start() < best[1].start()):
                best = (r, m)
        if best is None:
            break
        r, m = best
        end = m.end()
        if "begin" in r:  # a string: up to its end pattern, escapes skipped
            e = re.compile(r"\\.|" + r["end"])
            for x in e.finditer(line, end):
                if not x.group().startswith("\\"):
                    end = x.end()
                    break
            else:
                end = len(line)
        if "captures" in r and "name" not in r:
            out += [(m.group(int(k)), c["name"]) for k, c in r["captures"].items()
                    if m.group(int(k))]
        else:
            out.append((line[m.start():end], r["name"]))
        pos = end
    return out


def test_every_pattern_compiles() -> None:
    tm = _tm()
    rules = _rules(tm, tm["repository"])
    assert len(rules) >= 10
    for r in rules:
        for key in ("match", "begin", "end"):
            if key in r:
                re.compile(r[key])
    assert tm["scopeName"] == "source.bootspec" and set(tm["fileTypes"]) == {"boot", "proof"}


def test_every_grammar_keyword_is_a_keyword_and_nothing_else_is() -> None:
    words = lark_keywords()
    assert {"model", "place", "topdown", "holds", "always", "forall"} <= words
    highlighted = {}
    for w in sorted(words):
        tokens = scan(w)
        assert len(tokens) == 1 and tokens[0][0] == w, (w, tokens)
        highlighted[w] = tokens[0][1]
    assert all(scope.split(".")[0] in ("keyword", "constant", "support", "storage")
               for scope in highlighted.values()), highlighted
    # no stale word: every word the keyword patterns list is the grammar's
    listed = set()
    for r in _tm()["repository"]["keywords"]["patterns"]:
        listed |= set(r["match"].split("(?:", 1)[1].split(")", 1)[0].split("|"))
    assert listed <= words, listed - words


@pytest.mark.parametrize(("line", "expected"), [
    ("  place shared_info size 4KiB at 0xFFFFF000  # fixed",
     [("place", "keyword.other.action"), ("size", "keyword.other.action"),
      ("4KiB", "constant.numeric"), ("at", "keyword.other.action"),
      ("0xFFFFF000", "constant.numeric"), ("# fixed", "comment.line.number-sign")]),
    ("  for xen_trampoline_efi expect fits@L146 violated",
     [("for", "keyword.control.declaration"), ("expect", "keyword.control.declaration"),
      ("fits@L146", "constant.other.site"), ("violated", "constant.language.verdict")]),
    ('  expect region@other.boot:L12 holds cite "xen \\"head.S\\" l.40"',
     [("expect", "keyword.control.declaration"), ("region@other.boot:L12",
                                                 "constant.other.site"),
      ("holds", "constant.language.verdict"), ("cite", "keyword.control.declaration"),
      ('"xen \\"head.S\\" l.40"', "string.quoted.double")]),
    ("model hvmloader_ovmf_2011 extends hvmloader_ovmf_2008",
     [("model", "keyword.control.declaration"), ("hvmloader_ovmf_2011", "entity.name.type"),
      ("extends", "keyword.control.declaration")]),
    ("param modeling in {1_000, 16M}",  # a keyword inside a name is no keyword
     [("param", "keyword.control.declaration"), ("in", "keyword.other.action"),
      ("1_000", "constant.numeric"), ("16M", "constant.numeric")]),
])
def test_a_line_is_scoped_as_an_editor_would(line: str,
                                             expected: list[tuple[str, str]]) -> None:
    got = [(t, s.removesuffix(".bootspec")) for t, s in scan(line)
           if not s.startswith("keyword.operator")]
    assert got == expected


def test_units_get_their_own_scope() -> None:
    tm = _tm()["repository"]["number"]
    m = re.fullmatch(tm["match"], "0x10_0000MiB")
    assert m is not None and m.group(1) == "MiB"
    assert tm["captures"]["1"]["name"] == "keyword.other.unit.bootspec"


def test_every_shipped_line_scans() -> None:
    """Every line of the shipped models and proofs is scanned without a gap in which a
    keyword of the grammar is left unhighlighted."""
    words = lark_keywords()
    for f in sorted([*Path(REPO / "models").glob("*.boot"), *Path(REPO / "proofs").glob("*.proof")]):
        for line in f.read_text().splitlines():
            covered = "".join(t for t, _ in scan(line))
            code = line.split("#", 1)[0] if '"' not in line else line
            for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code):
                if w in words and w not in covered:
                    pytest.fail(f"{f.name}: {w!r} not highlighted in {line!r}")
