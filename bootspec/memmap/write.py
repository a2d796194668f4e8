"""Writers: render a :class:`ParsedMap` in every syntax the importers read.

Each text writer prints lines exactly as the kernel or Xen would (so a written
map re-imports unchanged), plus :func:`to_json` and :func:`write_sysfs`. They
exist for round-trip tests and for turning a model's map into fixtures.

Writers raise ``ValueError`` (a programming error, not user input) when an
entry cannot be expressed in a syntax: an EFI map in an e820 syntax, an empty
entry in an inclusive-end syntax, a type the syntax has no spelling for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

from bootspec.memmap import names
from bootspec.memmap.formats import MapFormat
from bootspec.memmap.jsonfmt import VERSION
from bootspec.memmap.model import ADDR_LIMIT, MapEntry, ParsedMap


def _need(m: ParsedMap, kind: str, fmt: str) -> None:
    if m.kind != kind:
        raise ValueError(f"{fmt} writes {kind} maps, not {m.kind}")


def _inclusive_end(e: MapEntry, fmt: str) -> int:
    if e.end <= e.start or e.end > ADDR_LIMIT:
        raise ValueError(f"{fmt} cannot express [{e.start:#x}, {e.end:#x})")
    return e.end - 1


def _e820_linux_name(t: str) -> str:
    if t in names.E820_LINUX_NAME:
        return names.E820_LINUX_NAME[t]
    return _type_n(t)


def _e820_xen_name(t: str) -> str:
    if t in names.E820_XEN_NAME:
        return names.E820_XEN_NAME[t]
    return _type_n(t)


def _type_n(t: str) -> str:
    number = names.e820_number(t)
    if number is None:
        raise ValueError(f"e820 type {t!r} has no number")
    return f"type {number}"


def write_linux_e820(m: ParsedMap, who: str = "BIOS-e820") -> str:
    """New-style Linux lines, inclusive end (``who="Xen"`` gives the PV dom0 form).

    >>> from bootspec.diagnostics import NO_SPAN
    >>> e = MapEntry(0, 0x9fc00, "usable", (), NO_SPAN)
    >>> m = ParsedMap("e820", (e,), "-", None, "x", NO_SPAN)
    >>> print(write_linux_e820(m), end="")
    BIOS-provided physical RAM map:
    BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
    """
    _need(m, "e820", "linux-e820")
    lines = ["BIOS-provided physical RAM map:"]
    for e in m.entries:
        end = _inclusive_end(e, "linux-e820")
        lines.append(f"{who}: [mem {e.start:#018x}-{end:#018x}] {_e820_linux_name(e.type)}")
    return "\n".join(lines) + "\n"


def write_linux_xen_pv(m: ParsedMap) -> str:
    """A Linux PV dom0's view: ``Xen: [mem ...] usable``."""
    return write_linux_e820(m, who="Xen")


def write_linux_e820_legacy(m: ParsedMap) -> str:
    """2.6-era Linux lines: `` BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)``."""
    _need(m, "e820", "linux-e820-legacy")
    lines = ["BIOS-provided physical RAM map:"]
    for e in m.entries:
        lines.append(f" BIOS-e820: {e.start:016x} - {e.end:016x} {_e820_xen_name(e.type)}")
    return "\n".join(lines) + "\n"


def write_xen_e820(m: ParsedMap, inclusive: bool = False) -> str:
    """Xen's ``Xen-e820 RAM map`` block, exclusive (old Xen) or inclusive (Xen >= 4.x) ends."""
    _need(m, "e820", "xen-e820")
    lines = ["(XEN) Xen-e820 RAM map:"]
    for e in m.entries:
        kind = _e820_xen_name(e.type)
        if inclusive:
            end = _inclusive_end(e, "xen-e820-incl")
            lines.append(f"(XEN)  [{e.start:016x}, {end:016x}] {kind}")
        else:
            lines.append(f"(XEN)  {e.start:016x} - {e.end:016x} {kind}")
    return "\n".join(lines) + "\n"


def write_xen_efi(m: ParsedMap) -> str:
    """Xen's ``EFI memory map`` dump: ``%013x-%013x type=%u attr=%016x`` (inclusive end)."""
    _need(m, "efi", "xen-efi")
    lines = ["(XEN) EFI memory map:"]
    for e in m.entries:
        end = _inclusive_end(e, "xen-efi")
        lines.append(f"(XEN)  {e.start:013x}-{end:013x} type={names.EFI_NUMBER[e.type]} "
                     f"attr={names.attrs_to_int(e.attrs):016x}")
    return "\n".join(lines) + "\n"


def _mb(e: MapEntry) -> int:
    return max(0, e.end - e.start) >> 20


def efi_columns(type_name: str, attrs: Iterable[str], short: bool = False) -> str:
    """Linux's ``efi_md_typeattr_format`` (``[Boot Data   |   |...|WB|WT|WC|UC]``).

    >>> efi_columns("bs_data", ["WB", "UC"], short=True)
    '[Boot Data   |   |  |  |  |  |  |  |  |  |   |WB|  |  |UC]'
    """
    table = names.EFI_SHORT_NAMES if short else names.EFI_LONG_NAMES
    width = max(len(n) for n in table)
    value = names.attrs_to_int(list(attrs))
    head = f"[{table[names.EFI_NUMBER[type_name]]:<{width}}"
    if value & ~names.KNOWN_ATTR_MASK:
        return f"{head}|attr=0x{value:016x}]"
    cols = []
    for name, bit in names.EFI_ATTR_BITS:
        w = 3 if name in ("RUN", "UCE") else 2
        cols.append(f"{name if value >> bit & 1 else '':>{w}}")
    return head + "|" + "|".join(cols) + "]"


def write_linux_efi(m: ParsedMap, inclusive: bool = True, short: bool = False,
                    prefix: str = "efi") -> str:
    """Attribute-column style (``efi=debug``); ``]`` inclusive or ``)`` exclusive ends."""
    _need(m, "efi", "linux-efi")
    lines = []
    for i, e in enumerate(m.entries):
        end = _inclusive_end(e, "linux-efi") if inclusive else e.end
        close = "]" if inclusive else ")"
        lines.append(f"{prefix}: mem{i:02d}: {efi_columns(e.type, e.attrs, short)} "
                     f"range=[{e.start:#018x}-{end:#018x}{close} ({_mb(e)}MB)")
    return "\n".join(lines) + "\n"


def write_linux_efi_legacy(m: ParsedMap, prefix: str = "efi") -> str:
    """Old style: ``efi: mem00: type=7, attr=0xf, range=[0x...-0x...) (0MB)``."""
    _need(m, "efi", "linux-efi-legacy")
    lines = []
    for i, e in enumerate(m.entries):
        lines.append(f"{prefix}: mem{i:02d}: type={names.EFI_NUMBER[e.type]}, "
                     f"attr={names.attrs_to_int(e.attrs):#x}, "
                     f"range=[{e.start:#018x}-{e.end:#018x}) ({_mb(e)}MB)")
    return "\n".join(lines) + "\n"


def _entry_json(e: MapEntry) -> str:
    return json.dumps({"start": f"{e.start:#x}", "end": f"{e.end:#x}", "type": e.type,
                       "attrs": list(e.attrs)})


def to_json(maps: Iterable[ParsedMap], findings: dict[int, list[dict[str, object]]] | None = None
            ) -> str:
    """bootspec JSON (schema in :mod:`bootspec.memmap.jsonfmt`), one entry per line.

    ``findings`` (map index -> list of finding dicts) is added to each map when given.
    """
    blocks = []
    for i, m in enumerate(maps):
        head = {"kind": m.kind, "source": m.source, "header": m.header}
        if findings is not None:
            head["findings"] = findings.get(i, [])  # type: ignore[assignment]
        body = ",\n".join("      " + _entry_json(e) for e in m.entries)
        open_ = json.dumps(head)[:-1]
        blocks.append(f"    {open_}, \"entries\": [\n{body}\n    ]}}" if m.entries
                      else f"    {open_}, \"entries\": []}}")
    return (f"{{\"bootspec_memmap\": {VERSION}, \"maps\": [\n"
            + ",\n".join(blocks) + "\n]}\n")


def write_sysfs(m: ParsedMap, directory: str | os.PathLike[str]) -> None:
    """Create ``directory/0``, ``1``... with ``start``, ``end`` (inclusive), ``type`` files.

    ``directory`` must not exist yet (nothing is overwritten).
    """
    _need(m, "e820", "sysfs")
    os.makedirs(directory, exist_ok=False)
    for i, e in enumerate(m.entries):
        end = _inclusive_end(e, "sysfs")
        if e.type not in names.SYSFS_BY_CANONICAL:
            raise ValueError(f"sysfs has no name for e820 type {e.type!r}")
        d = os.path.join(directory, str(i))
        os.mkdir(d)
        for name, text in (("start", f"{e.start:#x}"), ("end", f"{end:#x}"),
                           ("type", names.SYSFS_BY_CANONICAL[e.type])):
            with open(os.path.join(d, name), "x", encoding="ascii") as f:
                f.write(text + "\n")


#: Text writers by the ``fmt`` name the parser reports for their output (every format of
#: :mod:`bootspec.memmap.formats` but sysfs, a folder: :func:`write_sysfs`).
WRITERS: dict[MapFormat, Callable[[ParsedMap], str]] = {
    "linux-e820": write_linux_e820,
    "linux-e820-legacy": write_linux_e820_legacy,
    "linux-xen-pv": write_linux_xen_pv,
    "linux-efi": write_linux_efi,
    "linux-efi-legacy": write_linux_efi_legacy,
    "xen-e820": write_xen_e820,
    "xen-e820-incl": lambda m: write_xen_e820(m, inclusive=True),
    "xen-efi": write_xen_efi,
    "json": lambda m: to_json([m]),
}
