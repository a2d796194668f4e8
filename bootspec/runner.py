"""Where obligations run: executors (local process pool, Dask) and the progress bar
(tqdm's).

bootspec never schedules work itself: a sweep takes any ``concurrent.futures``
executor. ``make_executor(None | "local" | "dask://HOST:PORT", jobs)`` builds one;
the Dask one needs the ``distributed`` package (``pip install 'bootspec[dask]'``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, TextIO

from bootspec.diagnostics import BootspecError, Diagnostic, Span
from bootspec.engine.limits import fork_safe


@contextlib.contextmanager
def process_pool(jobs: int, mp_context: BaseContext | None = None,
                 initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> Iterator[ProcessPoolExecutor]:
    """A local process pool whose workers never outlive the run.

    Workers ignore Ctrl-C (the terminal sends it to every process of the job; the
    parent decides what an interrupt means) and exit on their own within a second of
    their parent's death, however it died (SIGKILL included). When the block ends
    with an exception (an interrupt, SIGTERM, an error) the workers are terminated at
    once rather than left to finish their queries; otherwise the pool shuts down
    normally."""
    if mp_context is None:
        mp_context = multiprocessing.get_context(start_method())
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp_context,
                               initializer=_worker_start,
                               initargs=(os.getpid(), initializer, initargs))
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def start_method() -> str:
    """How a local pool starts its workers: forked on Linux while this process has run
    no Z3 query (:func:`bootspec.engine.limits.fork_safe`; a command's process only
    loads before it hands out work), so they start with the engine imported and the
    models loaded (a sweep of the real-map corpus with ``-j 2``: ~0.5 s sooner);
    spawned otherwise, and on other systems."""
    if sys.platform == "linux" and fork_safe():
        return "fork"
    return "spawn"


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers (their queries included)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public way before
    pool.shutdown(wait=False, cancel_futures=True)
    for w in workers:
        with contextlib.suppress(OSError, AttributeError):
            w.terminate()
    for w in workers:
        with contextlib.suppress(OSError, AttributeError, AssertionError):
            w.join(5)


def _worker_start(parent: int, initializer: Callable[..., object] | None,
                  initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)  # a forked worker must not wake its parent's watcher
    threading.Thread(target=_watch_parent, args=(parent, os.getppid()), daemon=True,
                     name="bootspec-parent-watch").start()
    if initializer is not None:
        initializer(*initargs)


def _watch_parent(parent: int, ppid: int) -> None:
    """End this worker when the run that started it is gone (reparented, or no such
    process): a worker stuck in a long query would otherwise run on for minutes."""
    while True:
        time.sleep(0.25)
        if os.getppid() != ppid or not _alive(parent):
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but not ours to signal
    return True


@contextlib.contextmanager
def make_executor(url: str | None, jobs: int) -> Iterator[Executor | None]:
    """None runs in this process (jobs == 1) or lets the caller make a pool."""
    if url is None:
        yield None
        return
    if url == "local":
        with process_pool(jobs) as pool:
            yield pool
        return
    if url.startswith("dask://"):
        try:
            from distributed import Client
        except ImportError:
            raise BootspecError([Diagnostic(
                "BS006", "--executor dask:// needs the 'distributed' package",
                Span("<command line>", 0, 0),
                hint="pip install 'bootspec[dask]' (or distributed)")]) from None
        try:
            client = Client(url[len("dask://"):], timeout="5s")
        except OSError as e:
            raise BootspecError([Diagnostic(
                "BS006", f"cannot reach the Dask scheduler at {url}: {e}",
                Span("<command line>", 0, 0))]) from None
        try:
            yield client.get_executor()
        finally:
            client.close()
        return
    raise BootspecError([Diagnostic("BS006", f"unknown executor '{url}'",
                                    Span("<command line>", 0, 0),
                                    hint="use 'local' or dask://HOST:PORT")])


class Progress:
    """The progress bar of ``check``: tqdm's, on ``stream`` (stderr), shown only when
    that stream is a terminal and only once a run has taken ``delay`` seconds, and
    erased when the run ends (nothing of it stays in the output). tqdm is imported
    only for a terminal: a run whose stderr is captured never draws or imports it."""

    def __init__(self, total: int, stream: TextIO, delay: float = 1.0,
                 unit: str = "obligation"):
        self.bar: Any = None
        if not bool(getattr(stream, "isatty", lambda: False)()):
            return
        from tqdm import tqdm
        tqdm.monitor_interval = 0  # no monitor thread beside the solver's signal watcher
        self.bar = tqdm(total=total, file=stream, delay=delay, leave=False,
                        unit=unit, desc="bootspec", dynamic_ncols=True)

    def step(self, item: Any = None) -> None:
        """One more done; an item with a ``name`` (a machine's report) is shown beside."""
        if self.bar is not None:
            name = getattr(item, "name", None)
            if isinstance(name, str):
                self.bar.set_postfix_str(name, refresh=False)
            self.bar.update(1)

    __call__ = step

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
