"""The solver's limits and its stop flag, without Z3: the command line reads the
defaults and the signal handlers set the flag before (or without) any solving, so
neither may cost the import of Z3 (see ARCHITECTURE.md, "Start-up and the warm path").
:mod:`bootspec.engine.solver` re-exports all of it."""

from __future__ import annotations

import dataclasses
import sys
import threading

DEFAULT_RLIMIT = 50_000_000  # Z3 resource units per query; deterministic, unlike time
DEFAULT_TIMEOUT_MS = 60_000


@dataclasses.dataclass(frozen=True)
class Limits:
    rlimit: int = DEFAULT_RLIMIT
    timeout_ms: int = DEFAULT_TIMEOUT_MS


_STOP = threading.Event()


def interrupt() -> None:
    """Stop the query in progress and answer every later one ``unknown``, reason
    "interrupted" (until :func:`resume`). Safe from any thread: a signal watcher calls
    it while the main thread waits inside Z3. Before Z3 is imported there is no query
    to stop, only the flag to set."""
    _STOP.set()
    z3_inner = sys.modules.get("z3.z3")
    ctx = getattr(z3_inner, "_main_ctx", None)  # the context of every bootspec solver
    if ctx is not None:
        ctx.interrupt()


def resume() -> None:
    _STOP.clear()


def interrupted() -> bool:
    return _STOP.is_set()


#: set by the first query this process runs (see :func:`fork_safe`)
_QUERIED = threading.Event()


def fork_safe() -> bool:
    """True while this process has run no Z3 query. A query's wall-clock timeout runs
    on Z3's timer threads, which Z3 may keep for the next query; a forked child would
    inherit their bookkeeping without the threads, so a process pool is forked only
    before any query (then its workers share the parent's imports and loaded models
    instead of starting afresh), spawned otherwise (:func:`bootspec.runner.process_pool`)."""
    return not _QUERIED.is_set()
