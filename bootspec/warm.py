"""The warm path of ``bootspec check`` and ``bootspec memmap check``: a run whose inputs
did not change since a run that left every verdict in the cache prints that run's
report without parsing a file.

For ``memmap check`` the key also holds every map file its inputs name, with the
sha256 of its bytes, and the entry is left by a run that read every machine's
report from the cache in its own process (:func:`remember_sweep`).

A *run entry* in the cache folder maps a whole-run key to what the normal path printed
when every verdict came from the cache: the report, the line ``--quiet`` prints,
stderr's warnings and the exit status, with the key and the sha256 of every verdict
entry it read. The key is a sha256 over everything the normal path's output is a
function of:

* the bytes of every model and proof file (as :func:`bootspec.sources.discover`
  finds them, with the names the report shows), read as the parser reads them;
* the command line's options (all but ``--output`` and ``--force``) and the working
  folder (paths are shown as given);
* bootspec's version and the hash of its own code (the verdict keys' hash), Python's
  version, and where and when Z3, lark and tabulate were installed (a
  reinstall changes the key: the verdict keys hold Z3's version, which must not cost
  Z3's import to read).

A run entry is used only when its key matches, each verdict entry it lists is still
there with the same sha256 (so the normal path would read the same verdicts: the same
report, timings included), and it is well formed; in any other case, and for any
error on the way, the normal path runs. It is written by a normal run that checked
every obligation with the cache on, no ``--memmap`` or ``--executor``, a format
that is a function of the verdicts alone (text, md, junit, sarif: json and html
decide proof cores again), models that read no other file ('image ... from elf',
'map ... from'), and every verdict cached afterwards (an ``unknown`` is never
cached). Its report is rendered from the verdicts as read back from the cache,
exactly as the normal warm run renders them.

This module imports no engine, parser or report: ARCHITECTURE.md, "Start-up and
the warm path".
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bootspec import __version__, safeio
from bootspec.cache import Cache, engine_hash
from bootspec.sources import MAX_SOURCE_BYTES, discover

if TYPE_CHECKING:
    from bootspec.engine.check import Result, Verdict
    from bootspec.pipeline import Project

RUN_SCHEMA = 2
#: the formats a run entry is kept for: pure functions of the verdicts
FORMATS = ("text", "md", "junit", "sarif")
#: options that change where the report goes, not what it says
_NOT_KEYED = frozenset({"output", "force", "stderr", "func"})  # func: the handler
#: the libraries whose version a report or a verdict key depends on
_LIBRARIES = ("z3", "lark", "tabulate")


#: a map file larger than this is not keyed (its run takes the normal path)
MAX_MAP_KEY_BYTES = 64 << 20


def is_sweep(args: argparse.Namespace) -> bool:
    """Whether the command line is ``memmap check``."""
    return (getattr(args, "command", None) == "memmap"
            and getattr(args, "memmap_command", None) == "check")


def eligible(args: argparse.Namespace) -> bool:
    """Whether this command line may use, or leave, a run entry."""
    if is_sweep(args):
        return (not args.no_cache and not getattr(args, "executor", None)
                and args.format in FORMATS)
    return (getattr(args, "command", None) == "check" and not args.no_cache
            and not getattr(args, "memmap", None) and not getattr(args, "bind", None)
            and not args.executor and args.format in FORMATS)


@functools.lru_cache(maxsize=1)
def _libraries() -> tuple[tuple[str, str, int, int], ...]:
    """Where each library is installed, with the size and time of its files (Z3's
    native library included), found without importing any of them."""
    out = []
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin is None:
            out.append((name, "", 0, 0))
            continue
        folder = Path(origin).parent
        files = [Path(origin), *sorted((folder / "lib").glob("*"))]  # z3/lib/libz3.so
        for f in files:
            st = f.stat()
            out.append((name, str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


class Inputs:
    """The files of a command line and the bytes read from them, for one run."""

    def __init__(self, args: argparse.Namespace):
        self.files = discover(args.paths)
        self.data = {str(f): safeio.read_bounded(f, MAX_SOURCE_BYTES) for f in self.files}
        options = sorted((k, v) for k, v in vars(args).items() if k not in _NOT_KEYED)
        whole: tuple[object, ...] = (
            "bootspec-run", RUN_SCHEMA, __version__, engine_hash(), sys.version,
            _libraries(), os.getcwd(), repr(options),
            [(name, hashlib.sha256(b).hexdigest()) for name, b in self.data.items()])
        if is_sweep(args):
            whole += ("maps", _maps(args.inputs))
        self.key = hashlib.sha256(repr(whole).encode("utf-8")).hexdigest()

    def same_sources(self, project: Project) -> bool:
        """Whether ``project`` was parsed from exactly these bytes (as the parser reads
        them): a file edited while the run read it gives no run entry."""
        if set(project.sources) != set(self.data):
            return False
        return all(b"\0" not in b and b.decode("utf-8", errors="replace")
                   == project.sources[name] for name, b in self.data.items())


def _maps(inputs: list[str]) -> list[tuple[str, bool, str]]:
    """(file, named explicitly, sha256 of its bytes) of every map ``memmap check`` reads
    for ``inputs``; ValueError for an input that is missing, a sysfs folder or too
    large to key (the normal path then runs, and reports what is wrong)."""
    from bootspec.sweep.inputs import expand_inputs
    found, bad = expand_inputs(inputs)
    if bad:
        raise ValueError("an input is missing")
    out = []
    for f, explicit in found:
        if os.path.isdir(f):
            raise ValueError("a sysfs folder is not keyed")
        data = safeio.read_bounded(f, MAX_MAP_KEY_BYTES)
        out.append((f, explicit, hashlib.sha256(data).hexdigest()))
    return out


def _entry_sha(cache: Cache, k: str) -> str | None:
    try:
        return hashlib.sha256(safeio.read_bounded(cache.file_of(k), 64 << 20)).hexdigest()
    except (OSError, safeio.Refused):
        return None


def inputs_of(args: argparse.Namespace) -> Inputs | None:
    """The inputs of an eligible command line, or None (not eligible, or any error
    finding or reading the files: the normal path reports it)."""
    if not eligible(args):
        return None
    try:
        return Inputs(args)
    except Exception:
        return None


def replay(inputs: Inputs, cache: Cache) -> tuple[str, str, str, int] | None:
    """(report, quiet line, stderr, status) of the run entry of ``inputs``, or None: then the
    normal path runs (and may leave an entry for the next run)."""
    try:
        note = cache.get_note(inputs.key)
        if not _well_formed(note):
            return None
        for k, sha in note["entries"]:
            if _entry_sha(cache, k) != sha:
                return None
        return note["report"], note["summary"], note["stderr"], note["status"]
    except Exception:  # any doubt: the normal path
        return None


def _well_formed(note: Any) -> bool:
    if not isinstance(note, dict) or set(note) != {"report", "summary", "stderr", "status",
                                                   "entries"}:
        return False
    entries = note["entries"]
    return (isinstance(note["report"], str) and isinstance(note["summary"], str)
            and isinstance(note["stderr"], str)
            and type(note["status"]) is int and note["status"] in (0, 1)
            and isinstance(entries, list)
            and all(isinstance(e, list) and len(e) == 2 and isinstance(e[0], str)
                    and isinstance(e[1], str) for e in entries))


class KeyLog(Cache):
    """The cache of a normal run, noting the verdict key of every obligation in the
    order :func:`bootspec.pipeline.check_project` looks them up."""

    def __init__(self, folder: str | os.PathLike[str]):
        super().__init__(folder)
        self.keys: list[str] = []

    def get(self, k: str) -> tuple[Verdict, float] | None:
        self.keys.append(k)
        return super().get(k)


def remember(args: argparse.Namespace, inputs: Inputs | None, project: Project,
             cache: KeyLog, results: list[Result], report: str, stderr: str) -> None:
    """Leave the run entry of a finished normal run (see the module docstring): the
    report as the normal warm run renders it, from the verdicts read back."""
    from bootspec.engine.check import Result
    from bootspec.report.formats import render_check
    from bootspec.report.text import quiet_line
    if (inputs is None or not eligible(args) or project.inputs
            or len(cache.keys) != len(results) or not inputs.same_sources(project)):
        return
    reader = Cache(cache.folder)
    warm: list[Result] = []
    entries = []
    for k, r in zip(cache.keys, results, strict=True):
        before = _entry_sha(reader, k)
        hit = reader.get(k)
        if before is None or hit is None or _entry_sha(reader, k) != before:
            return  # not cached (an unknown), or rewritten meanwhile
        warm.append(Result(r.obligation, hit[0], hit[1], cached=True))
        entries.append([k, before])
    if not all(r.cached for r in results):
        report = render_check(warm, project, args.format, timing=not args.no_timing)
    status = 0 if all(r.ok for r in warm) else 1
    cache.put_note(inputs.key, {"report": report, "summary": quiet_line(warm),
                                "stderr": stderr, "status": status, "entries": entries})


class NoteLog(Cache):
    """The cache of a ``memmap check`` run, noting every note it reads (whether it was
    there) and how many it writes."""

    def __init__(self, folder: str | os.PathLike[str]):
        super().__init__(folder)
        self.read: list[tuple[str, bool]] = []
        self.written = 0

    def get_note(self, k: str) -> Any:
        note = super().get_note(k)
        self.read.append((k, note is not None))
        return note

    def put_note(self, k: str, note: Any) -> None:
        self.written += 1
        super().put_note(k, note)


def remember_sweep(args: argparse.Namespace, inputs: Inputs | None, project: Project,
                   cache: NoteLog, checked: int, report: str, summary: str, stderr: str,
                   status: int) -> None:
    """Leave the run entry of a finished ``memmap check`` in which every machine's report
    was read from the cache (its notes read in this process, one per machine checked,
    none written): the report is then a function of the key's inputs and those
    notes, which the entry lists with their sha256. A run with a worker pool reads
    the notes in its workers and leaves no entry."""
    if (inputs is None or not is_sweep(args) or not eligible(args) or project.inputs
            or status not in (0, 1) or cache.written or len(cache.read) != checked
            or not all(hit for _, hit in cache.read) or not inputs.same_sources(project)):
        return
    entries = []
    for k, _ in cache.read:
        sha = _entry_sha(cache, k)
        if sha is None:
            return
        entries.append([k, sha])
    cache.put_note(inputs.key, {"report": report, "summary": summary, "stderr": stderr,
                                "status": status, "entries": entries})
