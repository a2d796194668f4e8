"""Which model and proof files a run reads (:func:`discover`), without the parser or
the engine: the warm path (:mod:`bootspec.warm`) finds them before it decides whether
anything needs parsing. :mod:`bootspec.pipeline` re-exports both names."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from bootspec import safeio
from bootspec.diagnostics import Collector, Diagnostic, Span

SUFFIXES = (".boot", ".proof")
MAX_SOURCE_BYTES = 4 << 20  # a model file larger than this is refused (BS118)


def discover(args: Sequence[str]) -> list[Path]:
    """The model and proof files named by ``args`` (files or folders), or ``models/`` and
    ``proofs/`` in the working folder when none are given. Sorted, so runs are
    deterministic; paths stay as the user wrote them, so messages show them that way."""
    errors = Collector()
    roots = [Path(a) for a in args] if args else [Path("models"), Path("proofs")]
    files: set[Path] = set()
    for r in roots:
        try:
            if r.is_dir():
                # a folder's files must be its own: a link in a checked-out merge
                # request that leads to /etc/passwd is refused, never read or quoted
                project = Path.cwd() if not args else r
                home = os.path.realpath(project)
                for p in sorted(r.rglob("*")):
                    if p.suffix in SUFFIXES and p.is_file():
                        if not safeio.inside(os.path.realpath(p), home):
                            errors.extend([_link_out(p, project)])
                        else:
                            files.add(p)
                continue
            if r.is_file():
                if r.suffix not in SUFFIXES:
                    errors.extend([Diagnostic.about_file(
                        "BS002", f"'{r}' is not a model (.boot) or proof (.proof) file",
                        str(r))])
                elif r.is_symlink() and not safeio.inside(os.path.realpath(r),
                                                          os.path.realpath(r.parent)):
                    errors.extend([_link_out(r, r.parent)])
                else:
                    files.add(r)
                continue
        except OSError as e:  # a folder it may not search, a link loop
            errors.extend([Diagnostic.about_file(
                "BS002", f"'{r}': cannot be read ({e.strerror or e})", str(r))])
            continue
        if args:
            what = "no such file or folder"
            with contextlib.suppress(OSError):
                what = f"{safeio.kind_of(r.stat().st_mode)}, not a model file or folder"
            errors.extend([Diagnostic.about_file("BS002", f"'{r}': {what}", str(r))])
    if not files and not errors.items:
        where = ", ".join(str(r) for r in roots)
        errors.error("BS002", f"no .boot or .proof files found in {where}",
                     Span("<command line>", 0, 0),
                     "run bootspec in a folder with models/ and proofs/, or name files")
    errors.raise_if_any()
    return sorted(files)


def _link_out(p: Path, project: Path) -> Diagnostic:
    return Diagnostic.about_file(
        "BS002", f"'{p}' is a link to a file outside {project}; it is not read",
        str(p), hint="a model or proof file must lie in the project it is checked in; "
        "copy it there")
