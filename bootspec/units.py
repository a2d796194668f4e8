"""Sizes and counts for people: helpers shared by the reports, the sweep and the
memory-map importers."""

from __future__ import annotations

_UNITS = (("EiB", 1 << 60), ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30),
          ("MiB", 1 << 20), ("KiB", 1 << 10))


def human_size(n: int) -> str:
    """A size in the largest binary unit that shows it exactly (or to two decimals).

    >>> human_size(4096), human_size(0x9FC00), human_size(3 << 29), human_size(100)
    ('4 KiB', '639 KiB', '1.5 GiB', '100 B')
    >>> human_size(1 << 64)
    '16 EiB'

    """
    if n < 0:
        return f"-{human_size(-n)}"
    for unit, scale in _UNITS:
        if n >= scale:
            if n % scale == 0:
                return f"{n // scale} {unit}"
            if n * 100 % scale == 0 or n >= 10 * scale:
                return f"{n / scale:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} B"


def counted(n: int, one: str, many: str | None = None, *, grouped: bool = False) -> str:
    """``n`` and the noun in its number (``many``: the plural when it is not ``one`` + s;
    ``grouped``: thousands separated by commas).

    >>> counted(1, "property", "properties"), counted(2, "obligation")
    ('1 property', '2 obligations')
    >>> counted(1331, "machine", grouped=True)
    '1,331 machines'
    """
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {one if n == 1 else (many or one + 's')}"
