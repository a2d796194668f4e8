"""Import real machine memory maps from logs, bootspec JSON or a sysfs directory.

Entry points: :func:`parse_text` (text already in memory) and :func:`parse_path`
(a file, streamed line by line, or a ``/sys/firmware/memmap``-style directory).
Both return a :class:`~bootspec.memmap.model.ParseResult` and never raise on bad
input: every problem becomes a located diagnostic (codes in
:mod:`bootspec.memmap.codes`). An input that holds no map at all keeps no excerpt:
its errors are located but quote none of its lines. Render them with
``diagnostics.render_all(result.diagnostics, result.sources)``.

A file may hold several maps; a new one starts at a block header (``BIOS-provided
physical RAM map:``, ``(XEN) EFI memory map:``...), at a change of line format, or
where the EFI ``memNN`` index restarts at 00.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from bootspec import safeio
from bootspec.diagnostics import Diagnostic, Span
from bootspec.memmap import jsonfmt, sysfs
from bootspec.memmap.lineformats import (
    FMT_KIND,
    HEADERS,
    MARKER,
    LineEntry,
    LineHeader,
    parse_line,
)
from bootspec.memmap.model import DEFAULT_LIMITS, Limits, MapEntry, ParsedMap, ParseResult

_EXCERPT_MAX_LINE = 200_000  # beyond this line number, huge inputs get no excerpt
_UNSAFE = [*range(0, 9), *range(10, 32), *range(127, 160), 0x2028, 0x2029]
_SANITIZE = str.maketrans(dict.fromkeys(_UNSAFE, "?"))


def excerpt_text(line: str) -> str:
    """A line made safe to embed in a source text and print on a terminal.

    Control characters (which ``splitlines`` may split on, or a terminal may
    obey) become ``?``; tabs stay, so columns are unchanged.

    >>> excerpt_text("a\\x0cb\\x1b[31mc\\td")
    'a?b?[31mc\\td'
    """
    return line.translate(_SANITIZE)


class _Assembler:
    """Groups entry lines into maps, keeps diagnostics and excerpt text within limits."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self.maps: list[ParsedMap] = []
        self.diags: list[Diagnostic] = []
        self.entries: list[MapEntry] = []
        self.fmt: str | None = None
        self.header: LineHeader | None = None
        self.pending: LineHeader | None = None
        self.total = 0
        self.saw_map_line = False
        self.muted = False
        self.kept: list[str] | None = []
        self.kept_chars = 0
        self.diag_lines: dict[int, str] = {}
        self._attrs: dict[tuple[str, ...], tuple[str, ...]] = {}

    # -- diagnostics ---------------------------------------------------------
    def add(self, diag: Diagnostic, line: str | None = None) -> None:
        if self.muted:
            return
        if len(self.diags) >= self.limits.max_diagnostics:
            self.muted = True
            self.diags.append(Diagnostic(
                "BS509", f"too many problems: stopped reporting after "
                f"{self.limits.max_diagnostics}", diag.span,
                hint="fix the problems above first, or check this is the file you meant"))
            return
        self.diags.append(diag)
        if line is not None and self.kept is None:
            self.diag_lines[diag.span.line] = excerpt_text(line)

    # -- lines ---------------------------------------------------------------
    def feed(self, lineno: int, line: str, overlong: bool) -> bool:
        """Process one line; False means stop reading (entry limit reached)."""
        if self.kept is not None:
            self.kept.append(excerpt_text(line))
            self.kept_chars += len(line) + 1
            if self.kept_chars > self.limits.keep_text_bytes:
                self.diag_lines = {d.span.line: self.kept[d.span.line - 1]
                                   for d in self.diags if 0 < d.span.line <= len(self.kept)}
                self.kept = None
        if overlong:
            m = MARKER.search(line)
            if m is not None and m.lastgroup != "hdr":
                self.saw_map_line = True
                self.add(Diagnostic(
                    "BS508", f"line longer than {self.limits.max_line_chars} characters "
                    "looks like a map line; it was not read",
                    Span(self.path, lineno, 1),
                    hint="map lines are short: split or trim this line (two log lines "
                         "may have run together)"), line)
            return True
        found: list[Diagnostic] = []
        item = parse_line(line, lineno, self.path, found)
        for d in found:
            self.add(d, line)
        if found:
            self.saw_map_line = True
        if isinstance(item, LineHeader):
            self._flush()
            self.pending = item
        elif isinstance(item, LineEntry):
            self.saw_map_line = True
            if self.total >= self.limits.max_entries:
                self.add(Diagnostic(
                    "BS509", f"more than {self.limits.max_entries} map entries: "
                    "stopped reading here", item.span,
                    hint="real maps have at most a few hundred entries; is this the "
                         "right file?"), line)
                return False
            self._entry(item)
        return True

    def _entry(self, e: LineEntry) -> None:
        if self.pending is not None:
            # the previous block was closed when the header was seen
            if e.fmt in HEADERS.get(self.pending.text, frozenset()):
                self.header = self.pending
            self.pending = None
        elif self.fmt != e.fmt or (e.index == 0 and self.entries):
            self._flush()
        self.fmt = e.fmt
        attrs = self._attrs.setdefault(e.attrs, e.attrs)
        self.entries.append(MapEntry(e.start, e.end, e.type, attrs, e.span))
        self.total += 1

    def _flush(self) -> None:
        if self.entries and self.fmt is not None:
            span = self.header.span if self.header else self.entries[0].span
            self.maps.append(ParsedMap(
                FMT_KIND[self.fmt], tuple(self.entries), self.path,
                self.header.text if self.header else None, self.fmt, span))
        self.entries, self.fmt, self.header = [], None, None

    def finish(self, looks_binary: bool) -> ParseResult:
        self._flush()
        if not self.maps and not self.saw_map_line:
            if looks_binary:
                self.add(Diagnostic.about_file(
                    "BS507", "input looks binary (NUL bytes) and holds no memory map",
                    self.path, hint="pass a text log (dmesg, xl dmesg, serial console capture), "
                         "a bootspec JSON map or a /sys/firmware/memmap directory"))
            else:
                self.add(Diagnostic.about_file(
                    "BS506", "no memory map found", self.path,
                    hint="expected lines like 'BIOS-e820: [mem 0x...-0x...] usable', "
                         "'efi: mem00: ...' or '(XEN)  ... (usable)'; check the log "
                         "was captured from early boot (dmesg may have rotated)"))
        return ParseResult(self.maps, self.diags, {self.path: self._source_text()})

    def _source_text(self) -> str:
        if self.kept is not None:
            return "\n".join(self.kept)
        if not self.diag_lines or max(self.diag_lines) > _EXCERPT_MAX_LINE:
            return ""
        lines = [""] * max(self.diag_lines)
        for n, text in self.diag_lines.items():
            lines[n - 1] = text
        return "\n".join(lines)


BLOCK = 1 << 20  # bytes read at a time


def _lines(stream: BinaryIO | io.StringIO, limits: Limits, state: dict[str, int]
           ) -> Iterator[tuple[int, str, bool]]:
    """Yield (line number, text, overlong) for each line, in blocks of 1 MiB.

    A line of ``max_line_chars`` or more (before its newline) is overlong: only its
    first ``max_line_chars`` are kept, so a huge line costs no more memory than a
    short one. ``state["read"]`` counts the bytes of the lines yielded; no line
    starts once it exceeds ``max_bytes`` (the input is read at most one block
    further)."""
    cap = limits.max_line_chars
    nl: str | bytes = "\n" if isinstance(stream, io.StringIO) else b"\n"
    lineno = 0
    head: list[Any] = []  # the start of the line being read (at most cap): str or bytes
    have = 0  # its length so far (all of it, not only what is kept)
    while state["read"] <= limits.max_bytes:
        block = stream.read(BLOCK)
        if not block:
            break
        parts: list[Any] = block.split(nl)  # type: ignore[arg-type]
        for k, part in enumerate(parts):
            if have < cap:
                head.append(part[:cap - have])
            have += len(part)
            if k == len(parts) - 1:
                break  # the line goes on in the next block
            line = head[0][:0].join(head)
            state["read"] += have + 1
            lineno += 1
            yield lineno, _text(line), have >= cap
            head, have = [], 0
            if state["read"] > limits.max_bytes:
                return
    if have:
        line = head[0][:0].join(head)
        state["read"] += have
        lineno += 1
        yield lineno, _text(line), have >= cap


def _text(line: str | bytes) -> str:
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    return text[:-1] if text.endswith("\r") else text


def _parse_stream(stream: BinaryIO | io.StringIO, path: str, limits: Limits,
                  looks_binary: bool) -> ParseResult:
    asm = _Assembler(path, limits)
    state = {"read": 0}
    for lineno, text, overlong in _lines(stream, limits, state):
        if not asm.feed(lineno, text, overlong):
            break
    else:
        if state["read"] > limits.max_bytes:
            asm.add(Diagnostic.about_file(
                "BS507", f"input larger than {limits.max_bytes} bytes: stopped reading",
                path, hint="cut the boot part of the log out (e.g. the first 10,000 lines) "
                     "and import that"))
    return asm.finish(looks_binary)


def parse_text(text: str, path: str = "<text>", limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Parse maps from text already in memory (``path`` is used in spans only).

    >>> r = parse_text("BIOS-e820: [mem 0x0-0xfff] usable\\n"
    ...                "BIOS-e820: [mem 0x1000-0x1fff] ACPI NVS")
    >>> [(e.start, e.end, e.type) for e in r.maps[0].entries], r.diagnostics
    ([(0, 4096, 'usable'), (4096, 8192, 'nvs')], [])
    """
    head = text[:4096]
    if jsonfmt.looks_like_json(head):
        if len(text) > limits.max_json_bytes:
            return _too_big(path, limits)
        return _no_echo(jsonfmt.parse_json(text, path, limits))
    return _no_echo(_parse_stream(io.StringIO(text), path, limits, "\x00" in text[:8192]))


def _no_echo(result: ParseResult) -> ParseResult:
    """Errors about an input that holds no map show none of its lines: a file that is no
    memory map (a password file a model or a script pointed at) is never quoted."""
    if result.maps:
        return result
    return ParseResult(result.maps, result.diagnostics, dict.fromkeys(result.sources, ""))


def parse_path(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Parse a log file, a bootspec JSON file, or a sysfs memmap directory. Never raises.

    Only a regular file (or a folder) is read: a device, a pipe or a socket is refused
    (BS507) without reading it, and the open never blocks. At most ``max_bytes`` of a
    log (``max_json_bytes`` of a JSON map, checked before reading) are read."""
    p = os.fspath(path)
    try:
        if os.path.isdir(p):
            return _no_echo(sysfs.parse_dir(p, limits))
        with safeio.open_regular(p) as f:
            size = os.fstat(f.fileno()).st_size
            if size > limits.max_bytes:  # refused before reading anything
                return _unreadable(p, f"{size} bytes, more than the {limits.max_bytes} "
                                   "bytes bootspec reads of a log",
                                   "cut the boot part of the log out (e.g. the first "
                                   "10,000 lines) and import that")
            head = f.read(8192)
            if jsonfmt.looks_like_json(head[:4096].decode("utf-8", "replace")):
                if size > limits.max_json_bytes:
                    return _too_big(p, limits)
                f.seek(0)
                data = f.read(limits.max_json_bytes + 1)
                if len(data) > limits.max_json_bytes:
                    return _too_big(p, limits)
                return _no_echo(jsonfmt.parse_json(data.decode("utf-8", "replace"), p, limits))
            f.seek(0)
            return _no_echo(_parse_stream(f, p, limits, b"\x00" in head))
    except safeio.Refused as exc:
        return _unreadable(p, exc.reason)
    except OSError as exc:
        return _unreadable(p, exc.strerror or str(exc))


def _unreadable(path: str, why: str, hint: str | None = None) -> ParseResult:
    return ParseResult([], [Diagnostic.about_file(
        "BS507", f"cannot read {path}: {why}", path,
        hint=hint or "check the path and its permissions; pass a log file, a bootspec "
        "JSON map or a /sys/firmware/memmap-style directory")], {path: ""})


def _too_big(path: str, limits: Limits) -> ParseResult:
    return ParseResult([], [Diagnostic.about_file(
        "BS507", f"JSON map larger than {limits.max_json_bytes} bytes", path,
        hint="a bootspec JSON map is loaded whole; split it into one file per map")],
        {path: ""})
