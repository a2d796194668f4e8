"""Reading cites for ``bootspec cite check`` (:mod:`bootspec.cite`): lexically, from
the model and proof files, so it does not depend on the grammar; each cite split into
*parts* (``;`` separates them, outside quotes) and each part parsed into its form
(source, commit, post, or free text; see :mod:`bootspec.cite` for the forms)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable
from pathlib import Path

_REF_RX = re.compile(
    r"(?P<repo>[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*)"
    r"@(?P<commit>[0-9a-f]{7,40})(?P<rel>(?:\^|~[0-9]+)*)(?![0-9A-Za-z])"
    r"(?::(?P<path>[^\s()'\";,]+))?")
_LOC_RX = re.compile(r"\s*\((?P<loc>[^()']*)\)")
_POST_RX = re.compile(r"(?P<list>[A-Za-z0-9][A-Za-z0-9_.-]*) post"
                      r"(?: (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))?(?=\s+')")
_LINES_RX = re.compile(r"^l\.\s*([0-9]+)(?:\s*-\s*([0-9]+))?$")
_SYMBOL_RX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\(\))?$")


@dataclasses.dataclass(frozen=True)
class Part:
    """One reference of a cite (or its free text)."""

    text: str
    kind: str  # source | commit | post | free
    repo: str | None = None
    commit: str | None = None  # as written, with any ^/~N suffix
    path: str | None = None
    lines: tuple[int, int] | None = None  # inclusive
    symbols: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    list: str | None = None  # post: the mailing list
    subject: str | None = None  # post: the subject line that finds it
    inferred: bool = False
    historical: bool = False


@dataclasses.dataclass(frozen=True)
class Cite:
    path: str
    line: int
    col: int
    text: str
    parts: tuple[Part, ...]


def _split_parts(text: str) -> list[str]:
    """Split on ';' outside quotes."""
    out: list[str] = []
    cur: list[str] = []
    quote = False
    for i, ch in enumerate(text):
        if ch == "'" and _opens(text, i) and not quote:
            quote = True
        elif ch == "'" and quote and _closes(text, i):
            quote = False
        if ch == ";" and not quote:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return [p.strip() for p in out if p.strip()]


def _opens(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] in " \t(:,[="


def _closes(text: str, i: int) -> bool:
    return i + 1 == len(text) or text[i + 1] in " \t);,.:]"


def quotes_of(text: str) -> list[str]:
    """The quoted fragments of a part.

    >>> quotes_of("a 'x = 1;' and \\"y\\" but Xen's own")
    ['x = 1;', 'y']
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = text.find('"', i + 1)
            if j < 0:
                break
            out.append(text[i + 1:j])
            i = j + 1
            continue
        if ch == "'" and _opens(text, i):
            j = i + 1
            while j < len(text) and not (text[j] == "'" and _closes(text, j)):
                j += 1
            if j >= len(text):
                break
            out.append(text[i + 1:j])
            i = j + 1
            continue
        i += 1
    return [q for q in out if q.strip()]


def parse_part(text: str) -> Part:
    """One part's form.

    >>> p = parse_part("xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.476-507) "
    ...                "'cmp $0x4000'")
    >>> (p.kind, p.repo, p.path, p.lines, p.quotes)
    ('source', 'xen-project/xen', 'xen/arch/x86/boot/head.S', (476, 507), ('cmp $0x4000',))
    >>> parse_part("the EBDA sits at the top of base memory [inferred]").kind
    'free'
    """
    inferred = re.search(r"\[inferred\b", text) is not None
    historical = re.search(r"\[historical\b", text) is not None
    m = _REF_RX.search(text)
    post = _POST_RX.search(text)
    if m is not None and (post is None or m.start() < post.start()):
        rest = text[m.end():]
        lines, symbols = None, []
        loc = _LOC_RX.match(rest)
        if loc is not None and m.group("path"):
            for item in (s.strip() for s in loc.group("loc").split(",")):
                lm = _LINES_RX.match(item)
                if lm is not None and lines is None:
                    a = int(lm.group(1))
                    lines = (a, int(lm.group(2) or a))
                elif _SYMBOL_RX.match(item):
                    symbols.append(item.removesuffix("()"))
            rest = rest[loc.end():]
        return Part(text, "source" if m.group("path") else "commit", m.group("repo"),
                    m.group("commit") + m.group("rel"), m.group("path"), lines, tuple(symbols),
                    tuple(quotes_of(rest)), inferred=inferred, historical=historical)
    if post is not None:
        qs = quotes_of(text[post.end():])
        return Part(text, "post", quotes=tuple(qs[1:]), list=post.group("list"),
                    subject=qs[0] if qs else None, inferred=inferred, historical=historical)
    return Part(text, "free", inferred=inferred, historical=historical)


def parse_cite(text: str) -> tuple[Part, ...]:
    """The parts of a cite: split on ';' outside quotes, and before every further
    reference (so the quotes after a reference are that reference's).

    >>> [p.commit for p in parse_cite("acme/fw@0123456:f.c (l.3) 'a' since acme/fw@89abcde 'b'")]
    ['0123456', '89abcde']
    """
    out: list[Part] = []
    for chunk in _split_parts(text):
        starts = [m.start() for m in _REF_RX.finditer(chunk) if not _quoted(chunk, m.start())]
        cuts = [0, *starts[1:], len(chunk)]
        for a, b in itertools.pairwise(cuts):
            piece = chunk[a:b].strip()
            if piece:
                out.append(parse_part(piece))
    return tuple(out)


def _quoted(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a quote."""
    quote, i = False, 0
    while i < pos:
        ch = text[i]
        if ch == "'" and not quote and _opens(text, i):
            quote = True
        elif ch == "'" and quote and _closes(text, i):
            quote = False
        i += 1
    return quote


_STRING_RX = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def scan(path: str, text: str) -> list[Cite]:
    """Every ``cite "..."`` of a model or proof file, with its line and column (comments
    are skipped; a ``cite`` keyword is followed by one string literal)."""
    out: list[Cite] = []
    for n, line in enumerate(text.splitlines(), start=1):
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "#":
                break
            if ch == '"':
                m = _STRING_RX.match(line, i)
                i = m.end() if m else len(line)
                continue
            if line.startswith("cite", i) and (i == 0 or not _word(line[i - 1])) and \
                    (i + 4 == len(line) or not _word(line[i + 4])):
                j = i + 4
                while j < len(line) and line[j] in " \t":
                    j += 1
                m = _STRING_RX.match(line, j)
                if m is not None:
                    value = re.sub(r'\\(["\\])', r"\1", m.group(1))
                    out.append(Cite(path, n, j + 1, value, parse_cite(value)))
                    i = m.end()
                    continue
            i += 1
    return out


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def scan_files(files: Iterable[Path]) -> list[Cite]:
    out: list[Cite] = []
    for f in files:
        out.extend(scan(str(f), f.read_text(encoding="utf-8", errors="replace")))
    return out
