"""Integer literals with binary units (``4KiB``, ``0x1000``, ``2M``)."""

from __future__ import annotations

import re

_UNITS = {"K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30,
          "GiB": 1 << 30, "T": 1 << 40, "TiB": 1 << 40}
_NUM_RE = re.compile(r"(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)(KiB|MiB|GiB|TiB|K|M|G|T)?$")


def parse_number(text: str) -> int:
    """Parse an integer literal with an optional binary unit.

    >>> parse_number("4KiB"), parse_number("0x1000"), parse_number("2M"), parse_number("1_000")
    (4096, 4096, 2097152, 1000)
    """
    m = _NUM_RE.match(text)
    if not m:
        raise ValueError(text)
    digits, unit = m.groups()
    value = int(digits.replace("_", ""), 16 if digits[:2].lower() == "0x" else 10)
    return value * _UNITS[unit] if unit else value
