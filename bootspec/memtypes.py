"""Canonical memory-map entry types, shared by models and the real-map importers.

A map has a *kind*, ``e820`` or ``efi``; each kind has its own closed set of
canonical type names. Models name types with these words (``usable``,
``bs_data``...), importers translate what logs print into them.

Sources: e820 numbering from the ACPI spec / Linux ``arch/x86/include/asm/e820/types.h``;
EFI numbering from the UEFI spec (``EFI_MEMORY_TYPE``) as printed by Linux
``efi: mem..: type=N``.
"""

from __future__ import annotations

# e820 type number -> canonical name. Unknown numbers map to ``type<N>``.
E820_BY_NUMBER: dict[int, str] = {
    1: "usable",
    2: "reserved",
    3: "acpi",
    4: "nvs",
    5: "unusable",
    6: "disabled",
    7: "pmem",
    12: "pram",
    13: "type13",
    16: "type16",
    20: "type20",
}

E820_TYPES: tuple[str, ...] = (
    "usable", "reserved", "acpi", "nvs", "unusable", "disabled", "pmem", "pram",
    "type9", "type13", "type16", "type20", "soft_reserved",
)

# EFI_MEMORY_TYPE number -> canonical name.
EFI_BY_NUMBER: dict[int, str] = {
    0: "reserved",
    1: "loader_code",
    2: "loader_data",
    3: "bs_code",
    4: "bs_data",
    5: "rt_code",
    6: "rt_data",
    7: "conventional",
    8: "unusable",
    9: "acpi_reclaim",
    10: "acpi_nvs",
    11: "mmio",
    12: "mmio_port",
    13: "pal_code",
    14: "persistent",
    15: "unaccepted",
}

EFI_TYPES: tuple[str, ...] = tuple(EFI_BY_NUMBER[i] for i in range(16))

TYPES_BY_KIND: dict[str, tuple[str, ...]] = {"e820": E820_TYPES, "efi": EFI_TYPES}


def type_index(kind: str, name: str) -> int:
    """Stable small integer for a type name within its kind (used by the encoder).

    >>> type_index("efi", "bs_data")
    4
    >>> type_index("e820", "usable")
    0
    """
    return TYPES_BY_KIND[kind].index(name)


#: EFI attribute names in Linux's column order, with their bit numbers (UEFI
#: EFI_MEMORY_* attributes: RUN is EFI_MEMORY_RUNTIME, MR MORE_RELIABLE, CC CPU_CRYPTO).
EFI_ATTR_BITS: tuple[tuple[str, int], ...] = (
    ("RUN", 63), ("MR", 16), ("CC", 19), ("SP", 18), ("NV", 15), ("XP", 14),
    ("RP", 13), ("WP", 12), ("RO", 17), ("UCE", 4), ("WB", 3), ("WT", 2),
    ("WC", 1), ("UC", 0),
)
_ATTR_BIT: dict[str, int] = dict(EFI_ATTR_BITS)


def attr_bit(name: str) -> int | None:
    """Bit number of an attribute name (``WB`` or ``bit62``), None if unknown.

    >>> attr_bit("WB"), attr_bit("bit62"), attr_bit("bit64"), attr_bit("XX")
    (3, 62, None, None)
    """
    if name in _ATTR_BIT:
        return _ATTR_BIT[name]
    if name.startswith("bit") and name[3:].isdigit() and len(name) <= 5 and int(name[3:]) < 64:
        return int(name[3:])
    return None
