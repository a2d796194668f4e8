"""Sanity checks on an imported map: overlaps, order, gaps, odd entries.

Findings are data (:class:`Finding`), not diagnostics: a real firmware map may
legitimately be unsorted (EFI maps are printed in firmware order) or have
gaps, and the model checker decides what matters. ``severity`` is ``info``,
``warning`` or ``error``; :mod:`bootspec.memmap.show` prints them.
"""

from __future__ import annotations

import dataclasses

from bootspec.memmap.model import ADDR_LIMIT, ParsedMap
from bootspec.memtypes import TYPES_BY_KIND
from bootspec.units import human_size

LEGACY_HOLE = (0xA0000, 0x100000)

#: Types that are RAM handed to (or used by) the OS, per kind.
RAM_TYPES: dict[str, frozenset[str]] = {
    "e820": frozenset({"usable"}),
    "efi": frozenset({"conventional", "loader_code", "loader_data", "bs_code", "bs_data"}),
}


@dataclasses.dataclass(frozen=True)
class Finding:
    """One observation about a map; ``entries`` are 0-based indices into ``map.entries``."""

    #: overlap | unsorted | gap | empty | inverted | legacy-hole-ram | past-64-bit
    #: | unmodelled-type
    kind: str
    severity: str  # info | warning | error
    message: str
    entries: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (used by ``memmap show --format json``)."""
        return {"kind": self.kind, "severity": self.severity, "message": self.message,
                "entries": list(self.entries)}


def _r(start: int, end: int) -> str:
    return f"[{start:#x}, {end:#x})"


def check_map(m: ParsedMap) -> list[Finding]:
    """All findings for one map, in a stable order (per-entry checks, order, overlaps, gaps).

    >>> from bootspec.diagnostics import NO_SPAN
    >>> from bootspec.memmap.model import MapEntry
    >>> es = (MapEntry(0, 0xA0000, "usable", (), NO_SPAN),
    ...       MapEntry(0x90000, 0x9F000, "reserved", (), NO_SPAN))
    >>> [f.kind for f in check_map(ParsedMap("e820", es, "-", None, "x", NO_SPAN))]
    ['overlap']
    """
    out: list[Finding] = []
    known = TYPES_BY_KIND.get(m.kind, ())
    ram = RAM_TYPES.get(m.kind, frozenset())
    lo, hi = LEGACY_HOLE
    for i, e in enumerate(m.entries):
        n = i + 1
        if e.end < e.start:
            out.append(Finding("inverted", "error",
                               f"entry #{n} ends (exclusive) at {e.end:#x}, before its start "
                               f"{e.start:#x}", (i,)))
        elif e.end == e.start:
            out.append(Finding("empty", "warning", f"entry #{n} at {e.start:#x} is zero-sized",
                               (i,)))
        if e.start >= ADDR_LIMIT or e.end > ADDR_LIMIT:
            out.append(Finding("past-64-bit", "error",
                               f"entry #{n} {_r(e.start, e.end)} reaches past 2^64", (i,)))
        if e.type not in known:
            out.append(Finding("unmodelled-type", "warning",
                               f"entry #{n} has type {e.type!r}, not a canonical {m.kind} type",
                               (i,)))
        if e.type in ram and e.start < hi and e.end > lo:
            out.append(Finding("legacy-hole-ram", "warning",
                               f"entry #{n} marks {_r(max(e.start, lo), min(e.end, hi))} as "
                               f"{e.type}, inside the legacy VGA/BIOS hole {_r(lo, hi)}", (i,)))
    for i in range(1, len(m.entries)):
        prev, cur = m.entries[i - 1], m.entries[i]
        if cur.start < prev.start:
            severity = "info" if m.kind == "efi" else "warning"
            out.append(Finding("unsorted", severity,
                               f"entry #{i + 1} starts at {cur.start:#x}, below entry #{i} "
                               f"at {prev.start:#x}", (i - 1, i)))
    out.extend(_overlaps_and_gaps(m))
    return out


def _overlaps_and_gaps(m: ParsedMap) -> list[Finding]:
    """Sweep entries by address: each entry against the furthest-reaching one before it."""
    order = sorted((i for i, e in enumerate(m.entries) if e.end > e.start),
                   key=lambda i: (m.entries[i].start, m.entries[i].end, i))
    overlaps: list[Finding] = []
    gaps: list[Finding] = []
    reach: int | None = None  # index of the entry reaching furthest so far
    for i in order:
        e = m.entries[i]
        if reach is not None:
            r = m.entries[reach]
            if e.start < r.end:
                a, b = sorted((reach, i))
                same = " (same type)" if r.type == e.type else ""
                overlaps.append(Finding(
                    "overlap", "warning",
                    f"entries #{a + 1} ({m.entries[a].type}) and #{b + 1} "
                    f"({m.entries[b].type}) overlap in {_r(e.start, min(e.end, r.end))}{same}",
                    (a, b)))
            elif e.start > r.end:
                gaps.append(Finding("gap", "info",
                                    f"no entry covers {_r(r.end, e.start)} "
                                    f"({human_size(e.start - r.end)})", (reach, i)))
        if reach is None or e.end > m.entries[reach].end:
            reach = i
    return overlaps + gaps




