"""Recognise and parse one log line in any supported memory-map style.

A line is first matched against cheap *markers* (``BIOS-e820:``, ``efi: memNN``,
``(XEN)`` followed by an address range, ``Xen: [mem``, or a block header). A line
without a marker is not a map line and is skipped silently; a line *with* a
marker that does not parse is reported (BS501...), pointing at the first token
that did not fit. Markers are searched anywhere in the line, so timestamps,
syslog and CI prefixes need no stripping.
"""

from __future__ import annotations

import dataclasses
import re

from bootspec.diagnostics import Diagnostic, Span, did_you_mean
from bootspec.lang.vocab import MapKind
from bootspec.memmap import formats, names
from bootspec.memmap.model import ADDR_LIMIT
from bootspec.memtypes import EFI_BY_NUMBER

#: Human label of each line format, used in messages (from the format table).
FMT_LABEL: dict[str, str] = {f.name: f.label for f in formats.TABLE if f.log}
#: The kind of map each line format gives.
FMT_KIND: dict[str, MapKind] = {f.name: f.kind for f in formats.TABLE
                                if f.log and f.kind is not None}

#: Block headers, and the line formats that may follow each.
HEADERS: dict[str, frozenset[str]] = formats.headers()

_XEN_PREFIX = r"\(XEN\)(?:\s*\[[^\],\[\]]{0,40}\])?\s+"
MARKER = re.compile(
    r"(?P<e820>BIOS-e820:)"
    r"|(?P<pv>Xen:\s*\[mem)"
    r"|(?P<efi>(?:efi|EFI):\s*mem\d)"
    r"|(?P<xen>" + _XEN_PREFIX
    + r"(?:\[\s*[0-9a-fA-F]{8,}\s*,|[0-9a-fA-F]{8,}\s*-\s*[0-9a-fA-F]))"
    r"|(?P<hdr>BIOS-provided physical RAM map:|Xen-e820 RAM map:|EFI RAM map:"
    r"|EFI memory map:)"
)

#: MARKER's alternatives, each with a literal every match of it starts with, in
#: MARKER's order: :func:`find_marker` looks for the literals (``str.find``, in C) and
#: matches an alternative only where its literal is. Searching MARKER itself tries
#: every alternative at every position of every line: most of the time of a
#: million-line log.
_ANCHORED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("BIOS-e820:", re.compile(r"(?P<e820>BIOS-e820:)")),
    ("Xen:", re.compile(r"(?P<pv>Xen:\s*\[mem)")),
    ("efi:", re.compile(r"(?P<efi>(?:efi|EFI):\s*mem\d)")),
    ("EFI:", re.compile(r"(?P<efi>(?:efi|EFI):\s*mem\d)")),
    ("(XEN)", re.compile(r"(?P<xen>" + _XEN_PREFIX
                         + r"(?:\[\s*[0-9a-fA-F]{8,}\s*,|[0-9a-fA-F]{8,}\s*-\s*[0-9a-fA-F]))")),
    ("BIOS-provided physical RAM map:", re.compile(r"(?P<hdr>BIOS-provided physical RAM map:)")),
    ("Xen-e820 RAM map:", re.compile(r"(?P<hdr>Xen-e820 RAM map:)")),
    ("EFI RAM map:", re.compile(r"(?P<hdr>EFI RAM map:)")),
    ("EFI memory map:", re.compile(r"(?P<hdr>EFI memory map:)")),
)


def find_marker(line: str) -> re.Match[str] | None:
    """The leftmost :data:`MARKER` match in ``line``, as ``MARKER.search`` finds it
    (at one position the alternatives are tried in MARKER's order)."""
    best: re.Match[str] | None = None
    for literal, rx in _ANCHORED:
        i = line.find(literal)
        while i >= 0 and (best is None or i < best.start()):
            m = rx.match(line, i)
            if m is not None:
                best = m
                break
            i = line.find(literal, i + 1)
    return best


_HEX = re.compile(r"([0-9a-fA-F]+)")
_DEC = re.compile(r"(\d+)")
_OPT_WS = re.compile(r"\s*")


@dataclasses.dataclass(frozen=True, slots=True)
class LineEntry:
    """An entry line, already normalised (exclusive end, canonical names)."""

    fmt: str
    start: int
    end: int
    type: str
    attrs: tuple[str, ...]
    index: int | None
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class LineHeader:
    """A block header line (``BIOS-provided physical RAM map:``...)."""

    text: str
    span: Span


class _Bad(Exception):
    """Internal: a line is rejected; carries the diagnostic's parts."""

    def __init__(self, code: str, col: int, width: int, message: str, hint: str | None) -> None:
        super().__init__(message)
        self.code, self.col, self.width, self.message, self.hint = code, col, width, message, hint


class _Cursor:
    """Walks a line token by token; a mismatch raises BS501 at the failing column."""

    def __init__(self, line: str, pos: int, fmt: str) -> None:
        self.line, self.pos, self.fmt = line, pos, fmt

    def take(self, rx: re.Pattern[str], what: str) -> re.Match[str]:
        m = rx.match(self.line, self.pos)
        if m is None:
            raise self.malformed(f"expected {what}")
        self.pos = m.end()
        return m

    def peek(self, text: str) -> bool:
        return self.line.startswith(text, self.pos)

    def malformed(self, why: str) -> _Bad:
        found = self.line[self.pos:self.pos + 16]
        shown = f"found {found!r}" if found.strip() else "found end of line"
        return _Bad(
            "BS501", self.pos + 1, max(1, len(found.split(" ")[0])),
            f"malformed {FMT_LABEL[self.fmt]} line: {why}, {shown}",
            "fix or delete this line: a map line must be complete, as the kernel or Xen "
            "printed it (mailers and terminals often cut long lines)",
        )

    def rest(self) -> tuple[str, int]:
        """The rest of the line (right-stripped) and its 1-based column."""
        self.take(_OPT_WS, "")
        return self.line[self.pos:].rstrip(), self.pos + 1

    def end(self) -> None:
        self.take(_OPT_WS, "")
        if self.line[self.pos:].strip():
            raise self.malformed("unexpected text after the entry")


def _hex(m: re.Match[str], limit: int, what: str, col: int | None = None) -> int:
    """Group 1 of ``m`` as hex; BS502 above ``limit``. ``col`` overrides its column."""
    tok = m.group(1)
    col = m.start(1) + 1 if col is None else col
    value = int(tok, 16)
    if value > limit:
        raise _Bad("BS502", col, len(tok),
                   f"{what} 0x{tok[:40]} does not fit in 64 bits",
                   "addresses and attribute words are 64-bit; check the line for a copy "
                   "error (an extra digit, two numbers run together)")
    return value


def _dec(m: re.Match[str], what: str, col: int | None = None) -> int:
    """Group 1 of ``m`` as decimal; BS502 past 64 bits. ``col`` overrides its column."""
    tok = m.group(1)
    col = m.start(1) + 1 if col is None else col
    if len(tok) > 20 or int(tok) >= ADDR_LIMIT:
        raise _Bad("BS502", col, len(tok),
                   f"{what} {tok[:40]} does not fit in 64 bits",
                   "check the line for a copy error")
    return int(tok)


def _e820_type(text: str, col: int) -> str:
    canon = names.e820_from_printed(text)
    if canon is not None:
        return canon
    m = re.fullmatch(r"\(?\s*type\s*(\d{1,20})\s*\)?", text.strip())
    if m:
        raise _Bad("BS504", col, len(text), f"e820 type {m.group(1)} has no canonical name",
                   "bootspec models only the e820 types listed in bootspec.memtypes."
                   "E820_TYPES; add the number there if your models need it")
    hint = did_you_mean(text, names.e820_known_spellings()) or (
        "an e820 type is printed as usable, reserved, ACPI data, ACPI NVS, "
        "unusable or 'type N'")
    raise _Bad("BS504", col, len(text), f"unknown e820 type name {text[:60]!r}", hint)


def _efi_type_number(m: re.Match[str], col: int | None = None) -> str:
    n = _dec(m, "EFI type number", col)
    if n in EFI_BY_NUMBER:
        return EFI_BY_NUMBER[n]
    raise _Bad("BS504", m.start(1) + 1 if col is None else col, len(m.group(1)),
               f"EFI memory type {n} has no canonical name",
               "types 0-15 are defined by UEFI; OEM/OS-defined types (>= 0x70000000) "
               "are not modelled: map this entry by hand or drop the line")


def _efi_columns(text: str, col: int) -> tuple[str, tuple[str, ...]]:
    """Parse ``Conventional Memory|   |...|WB|WT|WC|UC`` (col = column of its first char)."""
    parts = text.split("|")
    name = parts[0].strip()
    name_col = col + len(parts[0]) - len(parts[0].lstrip())
    if not name:
        raise _Bad("BS501", col, 1, "malformed Linux EFI memmap line: expected a type name "
                   "after '['", "the column style starts with the EFI type name, "
                   "e.g. [Conventional Memory|...]")
    if name.startswith("type="):
        num = re.fullmatch(r"type=(\d+)", name)
        if num is None:
            raise _Bad("BS501", name_col, len(name), f"malformed EFI type {name[:40]!r}",
                       "write type=N with a decimal N")
        kind = _efi_type_number(num, name_col + 5)
    else:
        found = names.EFI_BY_PRINTED.get(" ".join(name.lower().split()))
        if found is None:
            raise _Bad("BS504", name_col, len(name),
                       f"unknown EFI memory type name {name[:60]!r}",
                       did_you_mean(name, names.EFI_LONG_NAMES + names.EFI_SHORT_NAMES)
                       or "Linux prints names such as 'Conventional Memory' or 'Boot Data'")
        kind = found
    value = 0
    pos = col + len(parts[0]) + 1
    for part in parts[1:]:
        tok = part.strip()
        tcol = pos + (len(part) - len(part.lstrip()))
        pos += len(part) + 1
        if not tok:
            continue
        if tok.startswith("attr="):
            am = re.fullmatch(r"attr=(?:0x)?([0-9a-fA-F]+)", tok)
            if am is None:
                raise _Bad("BS501", tcol, len(tok), f"malformed attribute word {tok[:40]!r}",
                           "Linux prints attr=0x followed by 16 hex digits")
            value |= _hex(am, ADDR_LIMIT - 1, "attribute word", tcol + am.start(1))
            continue
        bit = names.attr_bit(tok)
        if bit is None or tok.startswith("bit"):
            raise _Bad("BS504", tcol, len(tok), f"unknown EFI attribute column {tok[:40]!r}",
                       did_you_mean(tok, [n for n, _ in names.EFI_ATTR_BITS])
                       or "known columns: " + " ".join(n for n, _ in names.EFI_ATTR_BITS))
        value |= 1 << bit
    return kind, names.attrs_from_int(value)


# --- per-format walkers --------------------------------------------------------

_E820_OPEN = re.compile(r"\[\s*mem\s+0x")
_DASH_0X = re.compile(r"\s*-\s*0x")
_CLOSE_SQ = re.compile(r"\]")
_LEGACY_DASH = re.compile(r"\s*-\s*")
_EFI_HEAD = re.compile(r"(?:efi|EFI):\s*mem(\d+):\s*")
_RANGE_OPEN = re.compile(r"\s*range=\[\s*0x")
_CLOSE_ANY = re.compile(r"\s*([\])])")
_MB = re.compile(r"\s*\(")
_MB_END = re.compile(r"MB\)")
_TYPE_EQ = re.compile(r"type=")
_ATTR_EQ = re.compile(r",\s*attr=0x")
_COMMA = re.compile(r",\s*")
_XEN_HEAD = re.compile(_XEN_PREFIX)
_COMMA_WS = re.compile(r"\s*,\s*")
_DASH = re.compile(r"-")
_XEN_TYPE = re.compile(r"\s+type=")
_XEN_ATTR = re.compile(r"\s+attr=(?:0x)?")
_BRACKET_BODY = re.compile(r"([^\]]*)\]")
_OPEN_SQ = re.compile(r"\[\s*")
_E820_HEAD = re.compile(r"BIOS-e820:\s*")
_PV_HEAD = re.compile(r"Xen:\s*")


@dataclasses.dataclass
class _Fields:
    fmt: str
    start: int = 0
    end: int = 0
    type: str = ""
    attrs: tuple[str, ...] = ()
    index: int | None = None
    end_col: int = 0
    end_width: int = 1
    inverted: bool = False
    mb: tuple[int, int, int] | None = None  # (value, col, width)


def _bounds(f: _Fields, s: re.Match[str], e: re.Match[str], inclusive: bool) -> None:
    f.start = _hex(s, ADDR_LIMIT - 1, "start address")
    f.end = _hex(e, ADDR_LIMIT - 1 if inclusive else ADDR_LIMIT, "end address") + inclusive
    f.end_col = e.start(1) + 1
    f.end_width = len(e.group(1))
    f.inverted = f.end < f.start


def _walk_e820(c: _Cursor, f: _Fields) -> None:
    if c.peek("["):
        c.take(_E820_OPEN, "'[mem 0x' opening the range")
        s = c.take(_HEX, "a hex start address")
        c.take(_DASH_0X, "'-0x' between the addresses")
        e = c.take(_HEX, "a hex end address")
        c.take(_CLOSE_SQ, "']' closing the range")
        _bounds(f, s, e, inclusive=True)
    else:
        f.fmt = c.fmt = "linux-e820-legacy"
        s = c.take(_HEX, "a hex start address or '[mem'")
        c.take(_LEGACY_DASH, "' - ' between the addresses")
        e = c.take(_HEX, "a hex end address")
        _bounds(f, s, e, inclusive=False)
    text, col = c.rest()
    if not text:
        raise c.malformed("expected a type name such as 'usable'")
    f.type = _e820_type(text, col)


def _walk_efi(c: _Cursor, f: _Fields) -> None:
    head = c.take(_EFI_HEAD, "'efi: memNN:'")
    f.index = _dec(head, "mem index")
    if c.peek("["):
        c.pos += 1
        body = c.take(_BRACKET_BODY, "']' closing the type/attribute columns")
        f.type, f.attrs = _efi_columns(body.group(1), body.start(1) + 1)
    else:
        f.fmt = c.fmt = "linux-efi-legacy"
        c.take(_TYPE_EQ, "'type=N' or a '[' column block")
        f.type = _efi_type_number(c.take(_DEC, "a decimal type number"))
        c.take(_ATTR_EQ, "', attr=0x'")
        attr = _hex(c.take(_HEX, "a hex attribute word"), ADDR_LIMIT - 1, "attribute word")
        f.attrs = names.attrs_from_int(attr)
        c.take(_COMMA, "','")
    c.take(_RANGE_OPEN, "'range=[0x'")
    s = c.take(_HEX, "a hex start address")
    c.take(_DASH_0X, "'-0x' between the addresses")
    e = c.take(_HEX, "a hex end address")
    close = c.take(_CLOSE_ANY, "']' or ')' closing the range")
    _bounds(f, s, e, inclusive=close.group(1) == "]")
    c.take(_MB, "a size field like '(0MB)'")
    mb = c.take(_DEC, "a decimal size in MB")
    f.mb = (_dec(mb, "size field"), mb.start(1) + 1, len(mb.group(1)))
    c.take(_MB_END, "'MB)'")
    c.end()


def _walk_xen(c: _Cursor, f: _Fields) -> None:
    c.take(_XEN_HEAD, "'(XEN)'")
    if c.peek("["):
        f.fmt = c.fmt = "xen-e820-incl"
        c.take(_OPEN_SQ, "'['")
        s = c.take(_HEX, "a hex start address")
        c.take(_COMMA_WS, "', ' between the addresses")
        e = c.take(_HEX, "a hex end address")
        c.take(_CLOSE_SQ, "']' closing the range")
        _bounds(f, s, e, inclusive=True)
    else:
        s = c.take(_HEX, "a hex start address")
        if c.peek("-") and not c.peek("- "):
            f.fmt = c.fmt = "xen-efi"
            c.take(_DASH, "'-'")
            e = c.take(_HEX, "a hex end address")
            _bounds(f, s, e, inclusive=True)
            c.take(_XEN_TYPE, "' type='")
            f.type = _efi_type_number(c.take(_DEC, "a decimal type number"))
            c.take(_XEN_ATTR, "' attr='")
            f.attrs = names.attrs_from_int(
                _hex(c.take(_HEX, "a hex attribute word"), ADDR_LIMIT - 1, "attribute word"))
            c.end()
            return
        f.fmt = c.fmt = "xen-e820"
        c.take(_LEGACY_DASH, "' - ' between the addresses")
        e = c.take(_HEX, "a hex end address")
        _bounds(f, s, e, inclusive=False)
    text, col = c.rest()
    if not text:
        raise c.malformed("expected a type such as '(usable)'")
    f.type = _e820_type(text, col)


def parse_line(line: str, lineno: int, path: str, diags: list[Diagnostic]
               ) -> LineEntry | LineHeader | None:
    """Parse one line: an entry, a header, or None (not a map line, or rejected).

    Problems are appended to ``diags``; BS503 (inverted) and BS505 (size field)
    keep the entry, every other problem drops the line.

    >>> d = []
    >>> e = parse_line("[ 0.0] BIOS-e820: [mem 0x0-0x9fbff] usable", 1, "f", d)
    >>> (e.fmt, hex(e.end), e.type, d)
    ('linux-e820', '0x9fc00', 'usable', [])
    >>> parse_line("unrelated", 2, "f", d) is None
    True
    """
    m = find_marker(line)
    if m is None:
        return None
    group = m.lastgroup
    if group == "hdr":
        return LineHeader(m.group(), Span(path, lineno, m.start() + 1))
    fmt = {"e820": "linux-e820", "pv": "linux-xen-pv", "efi": "linux-efi",
           "xen": "xen-e820"}[group or ""]
    f = _Fields(fmt)
    c = _Cursor(line, m.start(), fmt)
    try:
        if group == "e820":
            c.take(_E820_HEAD, "'BIOS-e820:'")
            _walk_e820(c, f)
        elif group == "pv":
            c.take(_PV_HEAD, "'Xen:'")
            if not c.peek("["):
                raise c.malformed("expected '[mem'")
            _walk_e820(c, f)
        elif group == "efi":
            _walk_efi(c, f)
        else:
            _walk_xen(c, f)
    except _Bad as bad:
        diags.append(Diagnostic(bad.code, bad.message,
                                Span(path, lineno, bad.col, lineno, bad.col + bad.width),
                                hint=bad.hint))
        return None
    span = Span(path, lineno, m.start() + 1)
    if f.inverted:
        diags.append(Diagnostic(
            "BS503", f"inverted range: end 0x{f.end:x} (exclusive) is below start 0x{f.start:x}",
            Span(path, lineno, f.end_col, lineno, f.end_col + f.end_width),
            hint="swap or correct the addresses; the entry is kept so the sanity report "
                 "can show it"))
    elif f.mb is not None and (f.end - f.start) >> 20 != f.mb[0]:
        size = f.end - f.start
        diags.append(Diagnostic(
            "BS505", f"size field says {f.mb[0]}MB but the range covers 0x{size:x} bytes "
                     f"({size >> 20}MB)",
            Span(path, lineno, f.mb[1], lineno, f.mb[1] + f.mb[2]),
            hint="the (NMB) field is size >> 20; one of the addresses or the size was "
                 "probably mis-copied: compare with the original log"))
    return LineEntry(f.fmt, f.start, f.end, f.type, f.attrs, f.index, span)
