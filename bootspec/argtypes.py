"""Argument types shared by the command-line parsers."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from bootspec.safeio import Scope

#: what each command module's ``add_parser`` receives (argparse's subparsers, of any
#: parser class: the CLI's own subclass included)
Subparsers: TypeAlias = "argparse._SubParsersAction[Any]"


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
    from bootspec.cache import DEFAULT_DIR_HELP, default_dir  # argtypes stays light
    sp.add_argument("--cache-dir", default=str(default_dir()), metavar="DIR",
                    help=f"where verdicts are cached (default: {DEFAULT_DIR_HELP}; "
                    "entries are keyed by content, so one folder serves every project)")


def add_path_options(sp: argparse.ArgumentParser) -> None:
    """``--root`` and ``--allow-path``: where the files a model names may lie."""
    sp.add_argument("--root", metavar="DIR",
                    help="the models' project folder: a file a model names (map ... from "
                    "\"FILE\") must lie inside it (default: the folder named on the "
                    "command line, the folder of a model file named directly, or the "
                    "working folder)")
    sp.add_argument("--allow-path", metavar="DIR", action="append", default=[],
                    help="also let models read files inside DIR, by an absolute path or "
                    "one leading out of the project (repeatable); nothing else outside "
                    "the project is read")


def scope_of(args: argparse.Namespace, files: list[Path]) -> Scope:
    """The :class:`~bootspec.safeio.Scope` of a command line's model files."""
    from bootspec.safeio import Scope
    return Scope.of_arguments(getattr(args, "paths", None) or [], files,
                              getattr(args, "root", None), getattr(args, "allow_path", None) or ())
