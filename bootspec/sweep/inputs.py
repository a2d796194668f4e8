"""The map inputs of ``memmap check``: files, and folders of them (:func:`expand_inputs`).
Imports no importer, engine or report: the warm path (bootspec/warm.py) keys a run
by these files before anything heavy is imported."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bootspec.diagnostics import Diagnostic, Span

_SKIP_SUFFIXES = (".md", ".rst", ".orig", ".rej", ".swp")


def _is_sysfs_dir(path: Path) -> bool:
    try:
        return any(c.is_dir() and c.name.isdigit() and (c / "type").exists()
                   for c in path.iterdir())
    except OSError:
        return False


def expand_inputs(args: Sequence[str]) -> tuple[list[tuple[str, bool]], list[Diagnostic]]:
    """(file, named explicitly) for every map input; a folder stands for its files (not
    recursive; hidden files and notes such as README.md left out) unless it is a
    sysfs memmap folder, which is one map."""
    out: list[tuple[str, bool]] = []
    diags: list[Diagnostic] = []
    for a in args:
        p = Path(a)
        if p.is_dir() and not _is_sysfs_dir(p):
            kids = sorted(c for c in p.iterdir()
                          if not c.name.startswith(".") and c.suffix.lower() not in _SKIP_SUFFIXES
                          and (c.is_file() or (c.is_dir() and _is_sysfs_dir(c))))
            out.extend((str(c), False) for c in kids)
        elif p.exists():
            out.append((a, True))
        else:
            diags.append(Diagnostic("BS507", f"no such file or folder: '{a}'",
                                    Span("<command line>", 0, 0)))
    return out, diags


