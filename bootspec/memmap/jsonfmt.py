"""bootspec's own JSON memory-map format (schema version 1): reader.

Schema::

    {"bootspec_memmap": 1,
     "maps": [{"kind": "e820" | "efi",
               "header": "..." (optional), "source": "..." (optional, informational),
               "findings": [...] (optional, ignored on input; ``memmap show`` emits it),
               "entries": [{"start": "0x0", "end": "0x9fc00",   # end EXCLUSIVE
                            "type": "usable", "attrs": []}]}]}

Addresses are hex strings so 64-bit values survive every JSON implementation
(plain integers are accepted too). Types are canonical names from
:mod:`bootspec.memtypes`; attributes are EFI attribute names (``WB``, ``RUN``,
``bit62``...). The writer is :func:`bootspec.memmap.write.to_json`.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from bootspec.diagnostics import Diagnostic, Span, did_you_mean
from bootspec.memmap import names
from bootspec.memmap.model import ADDR_LIMIT, Limits, MapEntry, ParsedMap, ParseResult
from bootspec.memtypes import TYPES_BY_KIND

VERSION = 1
_MAP_KEYS = {"kind", "entries", "header", "source", "findings"}
_ENTRY_KEYS = {"start", "end", "type", "attrs"}
_HEX_STR = re.compile(r"0[xX]([0-9a-fA-F]+)\Z")


def looks_like_json(head: str) -> bool:
    """True if a file's first bytes look like a bootspec JSON map.

    >>> looks_like_json('{"bootspec_memmap": 1}'), looks_like_json('[ 0.0] BIOS-e820: x')
    (True, False)
    """
    return head.lstrip("\ufeff \t\r\n").startswith("{") and '"bootspec_memmap"' in head


class _Schema(Exception):
    def __init__(self, code: str, message: str, span: Span, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.span, self.hint = code, message, span, hint


class _Spans:
    """Approximate source positions: the n-th ``"start":`` key is the n-th entry."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self._nl = [m.start() for m in re.finditer("\n", text)]
        self.entries = [m.start() for m in re.finditer(r'"start"\s*:', text)]
        self.maps = [m.start() for m in re.finditer(r'"kind"\s*:', text)]

    def at(self, offset: int | None) -> Span:
        if offset is None:
            return Span(self.path, 1, 1)
        line = bisect.bisect_left(self._nl, offset)
        col = offset - (self._nl[line - 1] + 1 if line else 0)
        return Span(self.path, line + 1, col + 1)

    def entry(self, n: int, total: int) -> Span:
        return self.at(self.entries[n] if len(self.entries) == total else None)

    def map(self, n: int, total: int) -> Span:
        return self.at(self.maps[n] if len(self.maps) == total else None)


def _addr(value: Any, what: str, limit: int, span: Span) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _HEX_STR.match(value):
        number = int(value, 16)
    else:
        raise _Schema("BS511", f"{what} must be a hex string like \"0x9fc00\", got {value!r:.40}",
                      span, "write addresses as \"0x...\" strings")
    if not 0 <= number <= limit:
        raise _Schema("BS502", f"{what} {value!r:.40} does not fit in 64 bits", span,
                      "physical addresses are 64-bit; an exclusive end may be at most "
                      "0x10000000000000000")
    return number


def _entry(raw: Any, kind: str, span: Span, diags: list[Diagnostic]) -> MapEntry:
    if not isinstance(raw, dict):
        raise _Schema("BS511", "an entry must be an object", span,
                      'write {"start": "0x..", "end": "0x..", "type": "usable", "attrs": []}')
    extra = set(raw) - _ENTRY_KEYS
    missing = {"start", "end", "type"} - set(raw)
    if extra or missing:
        what = (f"unknown key {sorted(extra)[0]!r:.40}" if extra
                else f"missing key {sorted(missing)[0]!r}")
        raise _Schema("BS511", f"entry has {what}", span,
                      "entry keys are start, end (exclusive), type and attrs")
    start = _addr(raw["start"], "start", ADDR_LIMIT - 1, span)
    end = _addr(raw["end"], "end", ADDR_LIMIT, span)
    typ = raw["type"]
    if typ not in TYPES_BY_KIND[kind]:
        raise _Schema("BS504", f"unknown {kind} type {typ!r:.60}", span,
                      did_you_mean(str(typ), TYPES_BY_KIND[kind])
                      or "types: " + ", ".join(TYPES_BY_KIND[kind]))
    attrs = raw.get("attrs", [])
    if not isinstance(attrs, list) or not all(isinstance(a, str) for a in attrs):
        raise _Schema("BS511", "attrs must be a list of strings", span, 'e.g. "attrs": ["WB"]')
    try:
        canon = names.canonical_attrs(attrs)
    except ValueError as exc:
        raise _Schema("BS504", str(exc), span,
                      "attribute names: " + " ".join(n for n, _ in names.EFI_ATTR_BITS)
                      + " or bitN") from None
    if end < start:
        diags.append(Diagnostic("BS503", f"inverted range: end 0x{end:x} is below start "
                                f"0x{start:x}", span,
                                hint="swap or correct the addresses (end is exclusive)"))
    return MapEntry(start, end, typ, canon, span)


def parse_json(text: str, path: str, limits: Limits) -> ParseResult:
    """Read a bootspec JSON map document. Problems become diagnostics, never exceptions."""
    sources = {path: text if len(text) <= limits.keep_text_bytes else ""}
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseResult([], [Diagnostic(
            "BS510", f"malformed JSON: {exc.msg}", Span(path, exc.lineno, exc.colno),
            hint="fix the JSON syntax (a missing comma, quote or bracket), or regenerate "
                 "the file with `bootspec memmap show --format json`")], sources)
    except RecursionError:
        return ParseResult([], [Diagnostic("BS510", "malformed JSON: nested too deeply",
                                           Span(path, 1, 1), hint="this is not a map file")],
                           sources)
    except ValueError:  # a bare integer of more digits than Python converts (4,300)
        huge = re.search(r"\d{1000,}", text)
        digits = f"a number of {len(huge.group())} digits" if huge else "a number"
        return ParseResult([], [Diagnostic(
            "BS502", f"{digits} does not fit in 64 bits",
            _Spans(text, path).at(huge.start() if huge else None),
            hint="physical addresses are 64-bit; write them as \"0x...\" strings")], sources)
    spans = _Spans(text, path)
    diags: list[Diagnostic] = []
    maps: list[ParsedMap] = []
    try:
        raw_maps = _document(doc, spans.at(0))
    except _Schema as bad:
        return ParseResult([], [Diagnostic(bad.code, bad.message, bad.span, hint=bad.hint)],
                           sources)
    n_entries = sum(len(m["entries"]) for m in raw_maps
                    if isinstance(m, dict) and isinstance(m.get("entries"), list))
    seen = 0
    for i, raw in enumerate(raw_maps):
        mspan = spans.map(i, len(raw_maps))
        try:
            kind, raw_entries, header = _map(raw, mspan)
        except _Schema as bad:
            diags.append(Diagnostic(bad.code, bad.message, bad.span, hint=bad.hint))
            continue
        entries = []
        for raw_entry in raw_entries:
            espan = spans.entry(seen, n_entries)
            seen += 1
            if seen > limits.max_entries:
                diags.append(Diagnostic("BS509", f"more than {limits.max_entries} "
                                        "entries: stopped reading here", espan,
                                        hint="split the document into several files"))
                break
            try:
                entries.append(_entry(raw_entry, kind, espan, diags))
            except _Schema as bad:
                diags.append(Diagnostic(bad.code, bad.message, bad.span, hint=bad.hint))
        maps.append(ParsedMap(kind, tuple(entries), path, header, "json", mspan))
        if seen > limits.max_entries:
            break
    if not maps and not diags:
        diags.append(Diagnostic("BS506", "no memory map found: \"maps\" is empty",
                                spans.at(0), hint="add at least one map"))
    return ParseResult(maps, diags[:limits.max_diagnostics], sources)


def _document(doc: Any, span: Span) -> list[Any]:
    if not isinstance(doc, dict) or "bootspec_memmap" not in doc:
        raise _Schema("BS511", "not a bootspec memory-map document (no \"bootspec_memmap\" key)",
                      span, 'start the document with {"bootspec_memmap": 1, "maps": [...]}')
    version = doc["bootspec_memmap"]
    if version != VERSION or isinstance(version, bool):
        raise _Schema("BS511", f"unsupported bootspec_memmap version {version!r:.20}", span,
                      f"this bootspec reads version {VERSION}; upgrade bootspec or "
                      "re-export the map")
    extra = set(doc) - {"bootspec_memmap", "maps"}
    if extra:
        raise _Schema("BS511", f"unknown top-level key {sorted(extra)[0]!r:.40}", span,
                      "top-level keys are bootspec_memmap and maps")
    maps = doc.get("maps")
    if not isinstance(maps, list):
        raise _Schema("BS511", "\"maps\" must be a list", span, 'write "maps": [...]')
    return maps


def _map(raw: Any, span: Span) -> tuple[str, list[Any], str | None]:
    if not isinstance(raw, dict):
        raise _Schema("BS511", "a map must be an object", span,
                      'write {"kind": "e820", "entries": [...]}')
    extra = set(raw) - _MAP_KEYS
    if extra:
        raise _Schema("BS511", f"unknown map key {sorted(extra)[0]!r:.40}", span,
                      did_you_mean(sorted(extra)[0], _MAP_KEYS)
                      or "map keys: " + ", ".join(sorted(_MAP_KEYS)))
    kind = raw.get("kind")
    if kind not in TYPES_BY_KIND:
        raise _Schema("BS511", f"map kind must be \"e820\" or \"efi\", got {kind!r:.40}", span,
                      'set "kind": "e820" or "kind": "efi"')
    entries = raw.get("entries")
    if not isinstance(entries, list):
        raise _Schema("BS511", "\"entries\" must be a list", span, 'write "entries": [...]')
    header = raw.get("header")
    if header is not None and not isinstance(header, str):
        raise _Schema("BS511", "\"header\" must be a string or null", span,
                      'write "header": "BIOS-provided physical RAM map:" or leave it out')
    return kind, entries, header
