"""Data model of an imported machine memory map.

A :class:`ParsedMap` is one block of a log (an e820 table, an EFI memory map...)
with its entries in *file order*: nothing is sorted or merged, because the sanity
report (:mod:`bootspec.memmap.sanity`) talks about order and overlaps as the
firmware printed them. Ends are always exclusive here, whatever the source
format printed.

:class:`Limits` bounds what one parse may consume, so a hostile or huge input
costs bounded memory.
"""

from __future__ import annotations

import dataclasses

from bootspec.diagnostics import Diagnostic, Span

#: One past the highest 64-bit physical address: the largest legal exclusive end.
ADDR_LIMIT = 1 << 64


@dataclasses.dataclass(frozen=True, slots=True)
class MapEntry:
    """One range of a map: ``[start, end)`` of canonical ``type`` (see ``memtypes``).

    ``attrs`` are EFI attribute names (``WB``, ``RUN``... see ``names.EFI_ATTR_BITS``),
    empty for e820 maps. ``span`` is the source line the entry came from.
    """

    start: int
    end: int  # exclusive
    type: str
    attrs: tuple[str, ...]
    span: Span

    @property
    def size(self) -> int:
        """Bytes covered; negative for an inverted entry (which sanity reports)."""
        return self.end - self.start


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedMap:
    """One memory map found in an input, entries in file order.

    ``kind`` is ``"e820"`` or ``"efi"``; ``fmt`` names the concrete syntax the map
    was read from (a key of ``bootspec.memmap.write.WRITERS``, or ``"sysfs"``);
    ``header`` is the block header line's text if the log had one.
    """

    kind: str
    entries: tuple[MapEntry, ...]
    source: str
    header: str | None
    fmt: str
    span: Span


@dataclasses.dataclass(frozen=True)
class ParseResult:
    """Everything one parse found: the maps, the diagnostics, and excerpt sources.

    ``sources`` maps a path to the text its diagnostics should be rendered
    against (``diagnostics.render_all(result.diagnostics, result.sources)``);
    for huge inputs it holds only the diagnosed lines, so rendering never
    re-reads a big file.
    """

    maps: list[ParsedMap]
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity ``error`` (those that make ``memmap show`` exit 2)."""
        return [d for d in self.diagnostics if d.severity == "error"]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource caps for one parse. The defaults suit real logs (a boot's dmesg is well
    under a megabyte; a long serial capture may run to hundreds)."""

    max_line_chars: int = 64 * 1024
    max_entries: int = 1_000_000
    max_diagnostics: int = 1000
    max_bytes: int = 1 << 30  # a larger file is refused before reading; a stream stops
    max_json_bytes: int = 64 << 20  # JSON is loaded whole, so it gets a tighter cap
    keep_text_bytes: int = 4 << 20  # keep the full text for excerpts below this size


DEFAULT_LIMITS = Limits()
