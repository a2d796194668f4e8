"""``bootspec diff BASE [HEAD] [PATH...]``: prove a design change before coding it.

BASE and HEAD each name a version of the models and proofs: a folder, or else
a revision (commit, branch, tag, ``HEAD~1``...) of the git repository the
command runs in. A folder wins over a revision of the same name, so ``.`` is
the working tree: ``bootspec diff HEAD .`` checks the uncommitted change, and so
does ``bootspec diff HEAD``: as for ``git diff``, HEAD defaults to the working
tree. The word after BASE is HEAD when it names a version (after a BASE folder,
any folder; else '.', a folder that holds models/ or proofs/, or a revision),
else it is the first PATH; after ``--`` every word is a PATH (``diff BASE HEAD
-- PATH...``, the older spelling).

Within each version the files are those under the PATHs (default ``models``
and ``proofs``), relative to the folder, or to the current folder inside the
repository for a revision (as git pathspecs are). Revisions are read with
``git ls-tree`` and ``git cat-file``; nothing is checked out and the working
tree is never touched. Files are named relative to their version, so each
side's sources hash is the one ``bootspec check`` prints in that version.

Both versions are checked; the report lists every (model, property) whose
verdict changed (see :mod:`bootspec.report.diffview`), with the counterexample
of every new violation.

Exit status: 0 nothing got worse; 1 a regression (a verdict went from holds to
violated or unknown, or a new property is violated or unknown against its
expectation); 2 a mistake in the input (no such revision or folder BS005, no
model in either version BS008, a model that does not load, an existing
--output BS004); 3 an internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TextIO

from bootspec.argtypes import Subparsers, add_limit_options, add_output_options, options_of
from bootspec.diagnostics import BootspecError, Diagnostic, Span
from bootspec.engine.limits import Limits
from bootspec.report.files import check_writable, emit
from bootspec.sources import SUFFIXES

if TYPE_CHECKING:  # the pipeline and the reports are imported when a diff runs
    from bootspec.pipeline import Project
    from bootspec.report.diffview import DiffView
    from bootspec.report.view import Item

DEFAULT_PATHS = ("models", "proofs")
_CMD = Span("<command line>", 0, 0)


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The model and proof files of one version, named relative to it."""

    label: str
    commit: str | None  # for a git revision
    root: str | None  # for a folder: where the files are on disk
    sources: dict[str, str]


def _error(code: str, message: str, hint: str | None = None) -> BootspecError:
    return BootspecError([Diagnostic(code, message, _CMD, hint=hint)])


def folder_snapshot(folder: str, paths: list[str]) -> Snapshot:
    root = Path(folder)
    sources: dict[str, str] = {}
    for p in paths or list(DEFAULT_PATHS):
        target = root / p
        if target.is_file() and target.suffix in SUFFIXES:
            found = [target]
        elif target.is_dir():
            found = sorted(f for f in target.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        elif paths:
            raise _error("BS005", f"no file or folder '{p}' in '{folder}'")
        else:
            continue
        for f in found:
            name = f.relative_to(root).as_posix()
            sources[name] = f.read_text(encoding="utf-8", errors="replace")
    return Snapshot(folder, None, str(root), sources)


def _git(args: list[str], cwd: str, stdin: bytes | None = None
         ) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              timeout=120, check=False)
    except FileNotFoundError:
        raise _error("BS005", "git is not installed; name two folders instead") from None
    except subprocess.TimeoutExpired:
        raise _error("BS005", f"git {args[0]} took too long") from None


def git_snapshot(rev: str, paths: list[str], cwd: str) -> Snapshot:
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise _error("BS005", f"'{rev}' is not a folder, and '{cwd}' is not in a git "
                     "repository to look it up as a revision",
                     hint="name two folders, or run bootspec diff inside the repository")
    toplevel = top.stdout.decode().strip()
    if rev.startswith("-"):
        raise _error("BS005", f"no folder or git revision '{rev}'")
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                 cwd)
    if found.returncode != 0:
        raise _error("BS005", f"no folder or git revision '{rev}'",
                     hint="name a commit, branch or tag of the repository at "
                     f"{toplevel}, or a folder")
    commit = found.stdout.decode().strip()
    specs = paths or list(DEFAULT_PATHS)
    listed = _git(["ls-tree", "-r", "-z", "--full-name", "--name-only", commit, "--", *specs],
                  cwd)
    if listed.returncode != 0:
        raise _error("BS005", f"git ls-tree {rev} failed: "
                     + listed.stderr.decode(errors="replace").strip())
    names = [n for n in listed.stdout.decode("utf-8", errors="replace").split("\0")
             if n and PurePosixPath(n).suffix in SUFFIXES]
    if paths:
        for p in paths:  # a path the user named must exist in the revision
            rel = PurePosixPath(os.path.relpath(os.path.join(cwd, p), toplevel)).as_posix()
            if not any(n == rel or n.startswith(rel.rstrip("/") + "/") for n in names):
                raise _error("BS005", f"no model or proof file under '{p}' in revision '{rev}'")
    sources: dict[str, str] = {}
    if names:
        batch = _git(["cat-file", "--batch"], cwd,
                     "".join(f"{commit}:{n}\n" for n in names).encode())
        data = batch.stdout
        pos = 0
        for n in names:
            nl = data.index(b"\n", pos)
            header = data[pos:nl].split()
            if len(header) != 3:
                raise _error("BS005", f"git cat-file could not read '{n}' at {rev}")
            size = int(header[2])
            body = data[nl + 1:nl + 1 + size]
            pos = nl + 1 + size + 1
            shown = PurePosixPath(os.path.relpath(os.path.join(toplevel, n), cwd)).as_posix()
            sources[shown] = body.decode("utf-8", errors="replace")
    return Snapshot(rev, commit, None, sources)


def snapshot(spec: str, paths: list[str], cwd: str) -> Snapshot:
    """A folder when ``spec`` is one, else a git revision of the repository at ``cwd``."""
    folder = os.path.join(cwd, spec)
    if os.path.isdir(folder):
        return dataclasses.replace(folder_snapshot(folder, paths), label=spec, root=spec)
    return git_snapshot(spec, paths, cwd)


def load_snapshot(snap: Snapshot) -> Project:
    """Parse and resolve a version; its diagnostics name the file in that version
    (``REV:path`` for a revision, the path on disk for a folder)."""
    from bootspec.pipeline import load
    try:
        return load([], sorted(snap.sources.items()))
    except BootspecError as e:
        def where(path: str) -> str:
            if path not in snap.sources:
                return path
            return os.path.join(snap.root, path) if snap.root else f"{snap.label}:{path}"
        raise BootspecError([dataclasses.replace(d, span=dataclasses.replace(
            d.span, path=where(d.span.path))) for d in e.diagnostics]) from None


def diff(base: str, head: str, paths: list[str], cwd: str, limits: Limits | None = None
         ) -> DiffView:
    """Check both versions and compare their verdicts."""
    from bootspec.pipeline import check_project
    from bootspec.report.diffview import Version, compare
    from bootspec.report.view import check_view
    snaps = [snapshot(base, paths, cwd), snapshot(head, paths, cwd)]
    if not any(s.sources for s in snaps):
        raise _error("BS008", "no .boot or .proof files in either version",
                     hint="name the model and proof folders: bootspec diff BASE HEAD -- PATH...")
    views, projects = [], []
    for s in snaps:
        project = load_snapshot(s)
        projects.append(project)
        views.append(check_view(check_project(project, limits), project, timing=False))
    b, h = views
    return compare(Version(snaps[0].label, snaps[0].commit, b.meta),
                   Version(snaps[1].label, snaps[1].commit, h.meta), b.items,
                   [_with_before(i, projects[0]) for i in h.items])


def _with_before(item: Item, base: Project) -> Item:
    """A head item whose counterexample also shows where its regions were in the base."""
    from bootspec.report.view import before_of
    if item.cex is None or item.model not in base.models:
        return item
    moved = before_of(item.cex, base.models[item.model])
    return dataclasses.replace(item, cex=dataclasses.replace(item.cex, before=moved)) \
        if moved else item


def add_parser(subparsers: Subparsers) -> None:
    """Register ``diff BASE [HEAD] [PATH...] [--format F] [-o FILE]``."""
    d = subparsers.add_parser(
        "diff", help="compare the verdicts of two versions (git revisions or folders); exit 1 "
        "when something got worse",
        description="Check two versions of the models and proofs and report each property "
        "whose verdict changed, with the counterexample of every new violation. BASE and "
        "HEAD are folders or git revisions ('.' is the working tree, and HEAD's default, "
        "as for git diff).")
    d.add_argument("base", metavar="BASE", help="the version before the change")
    d.add_argument("head", metavar="HEAD", nargs="?",
                   help="the version after the change (default: the working tree, '.'); "
                   "after a BASE revision, a word that names no version (a revision, "
                   "'.', or a folder holding models/ or proofs/) is the first PATH")
    d.add_argument("paths", nargs="*", metavar="PATH",
                   help="model/proof files or folders within each version (default: models "
                   "proofs); after '--' a word is always a PATH")
    add_limit_options(d)
    add_output_options(d)
    d.set_defaults(func=run_diff)


def _is_version(word: str, base: str, cwd: str) -> bool:
    """Whether ``word``, after BASE, names the version HEAD rather than a PATH: any folder
    after a BASE folder (two folders compared); else '.', a folder that holds models/ or
    proofs/, or (being no file or folder) a git revision."""
    folder = os.path.join(cwd, word)
    if os.path.isdir(folder):
        return (os.path.isdir(os.path.join(cwd, base)) or os.path.samefile(folder, cwd)
                or any(os.path.isdir(os.path.join(folder, p)) for p in DEFAULT_PATHS))
    if os.path.lexists(folder):
        return False
    return _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{word}^{{commit}}"],
                cwd).returncode == 0


def versions_of(args: argparse.Namespace, cwd: str) -> tuple[str, str, list[str]]:
    """(BASE, HEAD, PATHs) of ``diff BASE [HEAD] [PATH...]``: the words after '--' are
    PATHs; before it, the one after BASE is HEAD when it names a version, else HEAD
    is the working tree (as ``git diff REV PATH`` compares REV with it)."""
    words = [args.base, *([args.head] if args.head is not None else []), *args.paths]
    after = getattr(args, "after_dashdash", None)
    if after is not None:  # the user said where the versions end
        fixed = len(words) - after
        if not 1 <= fixed <= 2:
            raise _error("BS001", "'--' goes after BASE and HEAD, before the PATHs"
                         if fixed > 2 else "name BASE before '--'",
                         hint="bootspec diff BASE [HEAD] -- PATH...")
        return (words[0], words[1], words[2:]) if fixed == 2 else (words[0], ".", words[1:])
    if len(words) > 1 and _is_version(words[1], words[0], cwd):
        return words[0], words[1], words[2:]
    return words[0], ".", words[1:]


def run_diff(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec.report.formats import render_diff
    opts = options_of(args)
    check_writable(opts.output, opts.force)  # before both versions are checked
    cwd = os.getcwd()
    base, head, paths = versions_of(args, cwd)
    view = diff(base, head, paths, cwd, opts.limits)
    emit(render_diff(view, opts.format), opts.output, opts.force, stdout)
    return 1 if view.regressions else 0
