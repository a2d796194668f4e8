"""The memory-map input formats: one table of every format a map can be read from.

Each row says what kind of map it gives, how messages name it (``label``), how
``memmap show`` titles it (``title``) and which block header, if any, introduces its
lines in a log. The line parser, the block grouping, ``memmap show``, the writers and
the round-trip tests read this table; adding a log format is a row here, a reader in
:mod:`bootspec.memmap.lineformats` and a writer in :mod:`bootspec.memmap.write` (a test
checks every log format has both and that they round-trip).
"""

from __future__ import annotations

import dataclasses
from typing import Literal, TypeAlias, get_args

from bootspec.lang.vocab import MapKind

MapFormat: TypeAlias = Literal["linux-e820", "linux-e820-legacy", "linux-xen-pv", "linux-efi",
                               "linux-efi-legacy", "xen-e820", "xen-e820-incl", "xen-efi",
                               "json", "sysfs"]


@dataclasses.dataclass(frozen=True)
class MapFormatInfo:
    name: MapFormat
    kind: MapKind | None  # None: the file says (bootspec JSON holds either)
    label: str  # in messages: "malformed Linux BIOS-e820 line"
    title: str  # in memmap show's title line
    headers: tuple[str, ...] = ()  # block headers its lines may follow in a log
    log: bool = True  # lines of a boot log (read by lineformats, written by a writer)


_E820_HDR = "BIOS-provided physical RAM map:"
_XEN_HDRS = ("Xen-e820 RAM map:", "EFI RAM map:")

TABLE: tuple[MapFormatInfo, ...] = (
    MapFormatInfo("linux-e820", "e820", "Linux BIOS-e820", "Linux e820", (_E820_HDR,)),
    MapFormatInfo("linux-e820-legacy", "e820", "Linux BIOS-e820 (2.6-era)",
                  "Linux e820 (2.6-era)", (_E820_HDR,)),
    MapFormatInfo("linux-xen-pv", "e820", "Linux Xen PV e820", "Linux PV e820 under Xen",
                  (_E820_HDR,)),
    MapFormatInfo("linux-efi", "efi", "Linux EFI memmap", "Linux EFI memmap"),
    MapFormatInfo("linux-efi-legacy", "efi", "Linux EFI memmap (old style)",
                  "Linux EFI memmap (old style)"),
    MapFormatInfo("xen-e820", "e820", "Xen e820", "Xen e820", _XEN_HDRS),
    MapFormatInfo("xen-e820-incl", "e820", "Xen e820", "Xen e820", _XEN_HDRS),
    MapFormatInfo("xen-efi", "efi", "Xen EFI memory map", "Xen EFI memory map",
                  ("EFI memory map:",)),
    MapFormatInfo("json", None, "bootspec JSON", "bootspec JSON", log=False),
    MapFormatInfo("sysfs", "e820", "sysfs memmap", "sysfs firmware memmap", log=False),
)

FORMATS: tuple[MapFormat, ...] = tuple(f.name for f in TABLE)
assert get_args(MapFormat) == FORMATS, "TABLE lists every MapFormat once, in order"
BY_NAME: dict[str, MapFormatInfo] = {f.name: f for f in TABLE}
#: the formats of boot-log lines
LOG_FORMATS: tuple[MapFormat, ...] = tuple(f.name for f in TABLE if f.log)


def label(fmt: str) -> str:
    """How messages name a format (the name itself for one not in the table)."""
    info = BY_NAME.get(fmt)
    return info.label if info is not None else fmt


def title(fmt: str) -> str:
    """How ``memmap show`` names a format."""
    info = BY_NAME.get(fmt)
    return info.title if info is not None else fmt


def headers() -> dict[str, frozenset[str]]:
    """Each block header and the log formats whose lines may follow it."""
    out: dict[str, set[str]] = {}
    for f in TABLE:
        for h in f.headers:
            out.setdefault(h, set()).add(f.name)
    return {h: frozenset(fs) for h, fs in out.items()}
