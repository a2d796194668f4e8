"""Argument types shared by the command-line parsers."""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from bootspec.engine.limits import Limits
    from bootspec.safeio import Scope

#: what each command module's ``add_parser`` receives (argparse's subparsers, of any
#: parser class: the CLI's own subclass included)
Subparsers: TypeAlias = "argparse._SubParsersAction[Any]"


#: the largest ``--timeout`` (seconds: more than eleven days) and ``-j``/``--jobs``
MAX_TIMEOUT = 1e6
MAX_JOBS = 256


def positive(kind: type[int] | type[float], at_most: float | None = None
             ) -> Callable[[str], int | float]:
    """An argparse type accepting only finite numbers > 0 of ``kind`` (and at most
    ``at_most``, when given)."""
    def conv(s: str) -> int | float:
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {s!r}") from None
        if not 0 < v < math.inf:  # nan and inf too: a limit is a finite number
            raise argparse.ArgumentTypeError(f"expected a positive number, not {s!r}")
        if at_most is not None and v > at_most:
            raise argparse.ArgumentTypeError(f"expected at most {at_most:g}, not {s!r}")
        return v
    return conv


def count(s: str) -> int:
    """An argparse type accepting a whole number >= 0 (how many models, maps...)."""
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {s!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, not {s!r}")
    return v


#: the argparse type of ``-j``/``--jobs``: a number of processes, 1 to :data:`MAX_JOBS`
jobs_count = positive(int, at_most=MAX_JOBS)


#: the help of the limit options, word for word the same on every command that solves
TIMEOUT_HELP = ("wall-clock backstop per solver query, in seconds (default 60); a query "
                "that hits it is 'unknown', never a pass")
RLIMIT_HELP = "deterministic Z3 resource limit per query (default %(default)s)"


def add_limit_options(sp: argparse.ArgumentParser) -> None:
    """``--timeout`` and ``--rlimit``, declared and validated once for every command that
    runs the solver (a value that is not a positive number is a usage error, exit 2)."""
    from bootspec.engine.limits import DEFAULT_RLIMIT  # no Z3: only the numbers
    g = sp.add_argument_group("solver limits")
    g.add_argument("--timeout", type=positive(float, at_most=MAX_TIMEOUT), default=60.0,
                   metavar="SECONDS", help=TIMEOUT_HELP)
    g.add_argument("--rlimit", type=positive(int), default=DEFAULT_RLIMIT, metavar="N",
                   help=RLIMIT_HELP)


@dataclasses.dataclass(frozen=True)
class Options:
    """What a run reads from its command line, settled once by :func:`options_of`: the
    command functions hand this record down instead of the namespace's fields one by
    one. A field the command does not have keeps its default."""

    paths: tuple[str, ...] = ()
    format: str = "text"
    output: str | None = None  # None: stdout
    force: bool = False
    timeout: float = 60.0  # seconds
    rlimit: int | None = None  # None: the engine's default
    cache_dir: str | None = None  # None: --no-cache (or a command without a cache)
    jobs: int = 1
    executor: str | None = None
    timing: bool = True
    quiet: bool = False
    memmap: str | None = None

    @property
    def limits(self) -> Limits:
        from bootspec.engine.limits import DEFAULT_RLIMIT, Limits
        return Limits(rlimit=self.rlimit or DEFAULT_RLIMIT,
                      timeout_ms=max(1, int(self.timeout * 1000)))


def options_of(args: argparse.Namespace) -> Options:
    """The :class:`Options` of a parsed (and :func:`finish`-ed) command line."""
    a = vars(args)
    return Options(paths=tuple(a.get("paths") or ()), format=a.get("format") or "text",
                   output=a.get("output") or None, force=bool(a.get("force")),
                   timeout=a.get("timeout", 60.0), rlimit=a.get("rlimit"),
                   cache_dir=None if a.get("no_cache", True) else a.get("cache_dir"),
                   jobs=a.get("jobs", 1), executor=a.get("executor"),
                   timing=not a.get("no_timing", False), quiet=bool(a.get("quiet")),
                   memmap=a.get("memmap"))


#: which extensions name which format, per kind of --output (see add_output_options)
_OUTPUT_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "graph": (("dot", "dot"), ("gv", "dot"), ("svg", "svg")),
}


def add_output_options(sp: argparse.ArgumentParser, kind: str = "report",
                       formats: tuple[str, ...] | None = None, format_help: str | None = None,
                       default: str = "text") -> None:
    """``--format``, ``--output``/``-o`` and ``--force``, the same on every command that
    writes a report. Without ``--format`` the format is the one ``-o FILE``'s extension
    names (``kind`` says which table: report formats, or a graph's), else ``default``;
    :func:`finish` settles it after parsing."""
    from bootspec.report.registry import EXTENSIONS, FORMATS, help_text
    table = _OUTPUT_KINDS.get(kind, EXTENSIONS)
    by_ext = ", ".join(f".{ext} {fmt}" for ext, fmt in table)
    g = sp.add_argument_group("output")
    g.add_argument("--format", choices=formats or FORMATS, default=None,
                   help=(format_help or help_text(default))  # type: ignore[arg-type]
                   + f"; without --format, -o FILE's extension chooses ({by_ext}; any "
                   f"other: {default})")
    g.add_argument("--output", "-o", metavar="FILE",
                   help="write to FILE (atomically) instead of stdout; an existing FILE is "
                   "refused before any work, and the report of an interrupted run says "
                   "PARTIAL in its content")
    g.add_argument("--force", action="store_true",
                   help="allow --output to replace an existing file")
    sp.set_defaults(output_kind=kind, default_format=default)


def add_paths_argument(sp: argparse.ArgumentParser, alias: bool = True) -> None:
    """The model and proof files or folders, positional on every command that reads
    them; ``alias`` keeps the older ``--path P`` spelling working (deprecated: a note on
    stderr; :func:`finish` merges it into the positional paths)."""
    sp.add_argument("paths", nargs="*", metavar="PATH",
                    help="model/proof files or folders (default: models/ and proofs/)")
    if alias:
        sp.add_argument("--path", dest="old_paths", action="append", default=None,
                        metavar="PATH", help=argparse.SUPPRESS)


def finish(args: argparse.Namespace) -> list[str]:
    """Settle what the option groups leave to after parsing: the output format from
    ``-o``'s extension, deprecated ``--path`` spellings merged into the positional paths.
    Returns the notes for stderr."""
    notes = []
    kind = vars(args).pop("output_kind", None)
    default = vars(args).pop("default_format", "text")
    if kind is not None and args.format is None:
        from bootspec.report.registry import EXTENSIONS, format_of_file
        found = format_of_file(args.output, _OUTPUT_KINDS.get(kind, EXTENSIONS)) \
            if args.output else None
        args.format = found or default
    old = vars(args).pop("old_paths", None)
    if old:
        args.paths = [*args.paths, *old]
        notes.append("note: --path is deprecated: name the model and proof files or "
                     "folders as arguments (" + " ".join(old) + ")")
    return notes


def folder(s: str) -> str:
    """An argparse type accepting an existing folder (``--root``, ``--allow-path``)."""
    import os
    if not s or not os.path.isdir(s):
        raise argparse.ArgumentTypeError(f"{s!r} is not a folder")
    return s


def cache_folder(s: str) -> str:
    """An argparse type for ``--cache-dir``: a folder, or a path where one can be made
    (not a file, not empty: a cache that cannot be written is a mistake, not silence)."""
    import os
    if not s:
        raise argparse.ArgumentTypeError("an empty path; give a folder")
    if os.path.exists(s) and not os.path.isdir(s):
        raise argparse.ArgumentTypeError(f"{s!r} exists and is not a folder")
    return s


def add_cache_options(sp: argparse.ArgumentParser) -> None:
    """``--no-cache`` and ``--cache-dir``, the same on every command that caches."""
    sp.add_argument("--no-cache", action="store_true",
                    help="neither read nor write the cache: decide everything again")
    from bootspec.cache import DEFAULT_DIR_HELP, default_dir  # argtypes stays light
    sp.add_argument("--cache-dir", type=cache_folder, default=str(default_dir()), metavar="DIR",
                    help=f"where verdicts are cached (default: {DEFAULT_DIR_HELP}; "
                    "entries are keyed by content, so one folder serves every project)")


def add_path_options(sp: argparse.ArgumentParser) -> None:
    """``--root`` and ``--allow-path``: where the files a model names may lie."""
    sp.add_argument("--root", type=folder, metavar="DIR",
                    help="the models' project folder: a file a model names (map ... from "
                    "\"FILE\") must lie inside it (default: the folder named on the "
                    "command line, the folder of a model file named directly, or the "
                    "working folder)")
    sp.add_argument("--allow-path", type=folder, metavar="DIR", action="append", default=[],
                    help="also let models read files inside DIR, by an absolute path or "
                    "one leading out of the project (repeatable); nothing else outside "
                    "the project is read")


def scope_of(args: argparse.Namespace, files: list[Path]) -> Scope:
    """The :class:`~bootspec.safeio.Scope` of a command line's model files."""
    from bootspec.safeio import Scope
    return Scope.of_arguments(getattr(args, "paths", None) or [], files,
                              getattr(args, "root", None), getattr(args, "allow_path", None) or ())
