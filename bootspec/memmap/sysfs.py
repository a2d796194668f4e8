"""Reader for a ``/sys/firmware/memmap``-style directory.

Linux exposes the firmware (e820) map as numbered sub-directories ``0``, ``1``...
each holding three one-line files: ``start`` and ``end`` (hex, ``end``
*inclusive*) and ``type`` (``System RAM``, ``Reserved``, ``ACPI Tables``...).
A copy of such a directory (``cp -r /sys/firmware/memmap saved/``) is a map
bootspec can import. The writer is :func:`bootspec.memmap.write.write_sysfs`.
"""

from __future__ import annotations

import os
import re

from bootspec import safeio
from bootspec.diagnostics import Diagnostic, Span, did_you_mean
from bootspec.memmap import names
from bootspec.memmap.model import ADDR_LIMIT, Limits, MapEntry, ParsedMap, ParseResult

_FILE_CAP = 4096  # each sysfs file is one short line
_HEX = re.compile(r"(?:0[xX])?([0-9a-fA-F]+)\Z")


def _read(path: str, diags: list[Diagnostic], sources: dict[str, str]) -> str | None:
    try:
        # a FIFO or device here is not waited on, and a link is not followed: a copied
        # folder holds plain files, and a link could lead out of a model's project
        with safeio.open_regular(path, follow=False) as f:
            data = f.read(_FILE_CAP)
    except (OSError, safeio.Refused) as exc:
        why = exc.reason if isinstance(exc, safeio.Refused) else exc.strerror or exc
        diags.append(Diagnostic.about_file(
            "BS507", f"cannot read {path}: {why}", path,
            hint="each numbered entry needs the files start, end and type; copy the "
                 "directory again with `cp -r /sys/firmware/memmap DEST`"))
        return None
    text = data.decode("utf-8", "replace")
    first = text.split("\n", 1)[0].rstrip("\r")
    sources[path] = first
    return first


def _number(path: str, text: str, limit: int, diags: list[Diagnostic]) -> int | None:
    token = text.strip()
    m = _HEX.match(token)
    col = len(text) - len(text.lstrip()) + 1
    if m is None:
        diags.append(Diagnostic(
            "BS501", f"malformed sysfs memmap value {token[:40]!r}: expected a hex number "
            "like 0x9fbff", Span(path, 1, col, 1, col + max(1, len(token))),
            hint="the kernel writes 0x followed by hex digits; restore the file from "
                 "/sys/firmware/memmap"))
        return None
    value = int(m.group(1), 16)
    if value > limit:
        diags.append(Diagnostic(
            "BS502", f"value {token[:40]} does not fit in 64 bits",
            Span(path, 1, col, 1, col + len(token)),
            hint="physical addresses are 64-bit; check the file for a copy error"))
        return None
    return value


def parse_dir(path: str, limits: Limits) -> ParseResult:
    """Read every numbered entry of a sysfs memmap directory, in numeric order."""
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    try:
        subdirs = sorted((n for n in os.listdir(path) if n.isdigit() and n.isascii()
                          and not os.path.islink(os.path.join(path, n))), key=int)
    except OSError as exc:
        return ParseResult([], [Diagnostic.about_file(
            "BS507", f"cannot list {path}: {exc.strerror or exc}", path,
            hint="check the path and its permissions")], {path: ""})
    if not subdirs:
        return ParseResult([], [Diagnostic.about_file(
            "BS506", "no memory map found: directory has no numbered entries 0, 1, 2...",
            path, hint="pass a copy of /sys/firmware/memmap, a log file or a bootspec JSON map")],
            {path: ""})
    entries: list[MapEntry] = []
    for n in subdirs:
        if len(entries) >= limits.max_entries:
            diags.append(Diagnostic.about_file(
                "BS509", f"more than {limits.max_entries} entries: stopped reading here",
                os.path.join(path, n), hint="is this the right directory?"))
            break
        entry_dir = os.path.join(path, n)
        files = {k: os.path.join(entry_dir, k) for k in ("start", "end", "type")}
        texts = {k: _read(f, diags, sources) for k, f in files.items()}
        start = end = None
        if texts["start"] is not None:
            start = _number(files["start"], texts["start"], ADDR_LIMIT - 1, diags)
        if texts["end"] is not None:
            end = _number(files["end"], texts["end"], ADDR_LIMIT - 1, diags)
        typ = None
        if texts["type"] is not None:
            typ = names.SYSFS_NAMES.get(texts["type"].strip())
            if typ is None:
                shown = texts["type"].strip()
                hint = (did_you_mean(shown, names.SYSFS_NAMES)
                        or "known types: " + ", ".join(names.SYSFS_NAMES))
                if shown == "Unknown E820 type":
                    hint = ("sysfs drops the type number; import the BIOS-e820 lines "
                            "from dmesg instead")
                diags.append(Diagnostic(
                    "BS504", f"unknown sysfs memmap type {shown[:60]!r}",
                    Span(files["type"], 1, 1, 1, 1 + max(1, len(shown))), hint=hint))
        if start is None or end is None or typ is None:
            continue
        span = Span(files["start"], 1, 1)
        if end + 1 < start:
            diags.append(Diagnostic(
                "BS503", f"inverted range: end 0x{end:x} (inclusive) is below start "
                f"0x{start:x}", Span(files["end"], 1, 1),
                hint="correct start or end; the entry is kept so the sanity report can "
                     "show it"))
        entries.append(MapEntry(start, end + 1, typ, (), span))
    maps = []
    if entries:
        maps.append(ParsedMap("e820", tuple(entries), path, None, "sysfs", Span(path, 0, 0)))
    return ParseResult(maps, diags[:limits.max_diagnostics], sources)
