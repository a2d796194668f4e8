"""Printed names <-> canonical names, for every log style the importers read.

Canonical type names come from :mod:`bootspec.memtypes`; this module only knows
how Linux, Xen and sysfs *spell* them, and how EFI attribute bits are named.
Shared by the parsers and the writers, so a round trip cannot drift.
"""

from __future__ import annotations

import re

from bootspec.memtypes import E820_BY_NUMBER, E820_TYPES, EFI_BY_NUMBER, EFI_TYPES

# --- e820 -------------------------------------------------------------------

#: Linux's e820 soft-reserved type number (``E820_TYPE_SOFT_RESERVED``); it is
#: printed by name by new kernels but as ``type 4026531839`` by Xen and old ones.
SOFT_RESERVED_NUMBER = 0xEFFFFFFF

#: Type names printed by Linux (``e820_print_type``) and Xen, lower-cased.
E820_PRINTED: dict[str, str] = {
    "usable": "usable",
    "reserved": "reserved",
    "acpi data": "acpi",
    "acpi nvs": "nvs",
    "unusable": "unusable",
    "soft reserved": "soft_reserved",
    "persistent (type 7)": "pmem",
    "persistent (type 12)": "pram",
}

#: Canonical e820 name -> how a new-style Linux log prints it.
E820_LINUX_NAME: dict[str, str] = {
    "usable": "usable",
    "reserved": "reserved",
    "acpi": "ACPI data",
    "nvs": "ACPI NVS",
    "unusable": "unusable",
    "soft_reserved": "soft reserved",
    "pmem": "persistent (type 7)",
    "pram": "persistent (type 12)",
}

#: Canonical e820 name -> how Xen and 2.6-era Linux print it (in parentheses).
E820_XEN_NAME: dict[str, str] = {
    "usable": "(usable)",
    "reserved": "(reserved)",
    "acpi": "(ACPI data)",
    "nvs": "(ACPI NVS)",
    "unusable": "(unusable)",
}

#: ``/sys/firmware/memmap/N/type`` strings (Linux ``e820_type_to_string``).
SYSFS_NAMES: dict[str, str] = {
    "System RAM": "usable",
    "Reserved": "reserved",
    "ACPI Tables": "acpi",
    "ACPI Non-volatile Storage": "nvs",
    "Unusable memory": "unusable",
    "Persistent Memory (legacy)": "pram",
    "Persistent Memory": "pmem",
    "Soft Reserved": "soft_reserved",
}
SYSFS_BY_CANONICAL: dict[str, str] = {v: k for k, v in SYSFS_NAMES.items()}

_TYPE_N = re.compile(r"type\s*(\d{1,20})\Z")


def e820_number(name: str) -> int | None:
    """The e820 type number of a canonical name, if it has one.

    >>> e820_number("usable"), e820_number("type20"), e820_number("soft_reserved")
    (1, 20, 4026531839)
    """
    for number, canon in E820_BY_NUMBER.items():
        if canon == name:
            return number
    if name == "soft_reserved":
        return SOFT_RESERVED_NUMBER
    m = re.fullmatch(r"type(\d+)", name)
    return int(m.group(1)) if m else None


def e820_from_number(number: int) -> str | None:
    """Canonical name for an e820 type number, or None if ``memtypes`` has none.

    >>> e820_from_number(1), e820_from_number(9), e820_from_number(17)
    ('usable', 'type9', None)
    """
    if number == SOFT_RESERVED_NUMBER:
        return "soft_reserved"
    name = E820_BY_NUMBER.get(number, f"type{number}")
    return name if name in E820_TYPES else None


def e820_from_printed(text: str) -> str | None:
    """Canonical name for a printed e820 type (``ACPI NVS``, ``(usable)``, ``type 20``).

    >>> e820_from_printed("ACPI NVS"), e820_from_printed("(usable)"), e820_from_printed("type 20")
    ('nvs', 'usable', 'type20')
    >>> e820_from_printed("usabel") is None
    True
    """
    t = text.strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1].strip()
    low = " ".join(t.lower().split())
    if low in E820_PRINTED:
        return E820_PRINTED[low]
    m = _TYPE_N.match(low)
    if m:
        return e820_from_number(int(m.group(1)))
    return None


def e820_known_spellings() -> list[str]:
    """Every printed e820 type name, for did-you-mean hints."""
    return [*E820_LINUX_NAME.values(), "type 20"]


# --- EFI --------------------------------------------------------------------

#: Linux ``memory_type_name[]``: the long names (kernels < 5.x) then the short ones.
EFI_LONG_NAMES: tuple[str, ...] = (
    "Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data",
    "Runtime Code", "Runtime Data", "Conventional Memory", "Unusable Memory",
    "ACPI Reclaim Memory", "ACPI Memory NVS", "Memory Mapped I/O", "MMIO Port Space",
    "PAL Code", "Persistent Memory", "Unaccepted Memory",
)
EFI_SHORT_NAMES: tuple[str, ...] = (
    "Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data",
    "Runtime Code", "Runtime Data", "Conventional", "Unusable", "ACPI Reclaim",
    "ACPI Mem NVS", "MMIO", "MMIO Port", "PAL Code", "Persistent", "Unaccepted",
)

EFI_BY_PRINTED: dict[str, str] = {}
for _i, (_long, _short) in enumerate(zip(EFI_LONG_NAMES, EFI_SHORT_NAMES, strict=True)):
    EFI_BY_PRINTED[_long.lower()] = EFI_BY_NUMBER[_i]
    EFI_BY_PRINTED[_short.lower()] = EFI_BY_NUMBER[_i]

EFI_NUMBER: dict[str, int] = {name: n for n, name in EFI_BY_NUMBER.items()}
assert set(EFI_NUMBER) == set(EFI_TYPES)

from bootspec.memtypes import EFI_ATTR_BITS as EFI_ATTR_BITS  # noqa: E402 - shared vocabulary
from bootspec.memtypes import attr_bit as attr_bit  # noqa: E402

KNOWN_ATTR_MASK = sum(1 << b for _, b in EFI_ATTR_BITS)
_BIT_NAME = re.compile(r"bit(\d{1,2})\Z")


def attrs_from_int(value: int) -> tuple[str, ...]:
    """Canonical attribute tuple of an EFI attribute word.

    Known flags in Linux column order, then unnamed bits as ``bitN``.

    >>> attrs_from_int(0xF)
    ('WB', 'WT', 'WC', 'UC')
    >>> attrs_from_int(0x800000000000000F | (1 << 62))
    ('RUN', 'WB', 'WT', 'WC', 'UC', 'bit62')
    """
    named = tuple(name for name, bit in EFI_ATTR_BITS if value >> bit & 1)
    extra = tuple(f"bit{b}" for b in range(64) if (value & ~KNOWN_ATTR_MASK) >> b & 1)
    return named + extra


def attrs_to_int(attrs: tuple[str, ...] | list[str]) -> int:
    """The attribute word for names; raises ValueError naming an unknown one.

    >>> hex(attrs_to_int(("RUN", "UC")))
    '0x8000000000000001'
    """
    value = 0
    for name in attrs:
        bit = attr_bit(name)
        if bit is None:
            raise ValueError(f"unknown EFI attribute name {name!r}")
        value |= 1 << bit
    return value


def canonical_attrs(attrs: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Attribute names in canonical order (ValueError on an unknown name).

    >>> canonical_attrs(["UC", "WB", "RUN"])
    ('RUN', 'WB', 'UC')
    """
    return attrs_from_int(attrs_to_int(attrs))
