"""Argument types shared by the command-line parsers."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type accepting only numbers > 0 of ``kind``."""
    def conv(s: str) -> int | float:
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {s!r}") from None
        if v <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {s!r}")
        return v
    return conv
