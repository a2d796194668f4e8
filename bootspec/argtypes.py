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


def add_cache_options(sp: argparse.ArgumentParser) -> None:
    """``--no-cache`` and ``--cache-dir``, the same on every command that caches."""
    sp.add_argument("--no-cache", action="store_true",
                    help="neither read nor write the cache: decide everything again")
    from bootspec.cache import DEFAULT_DIR  # argtypes stays light to import
    sp.add_argument("--cache-dir", default=DEFAULT_DIR, metavar="DIR",
                    help=f"where verdicts are cached (default: {DEFAULT_DIR})")
