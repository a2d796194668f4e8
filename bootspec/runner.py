"""Where obligations run: executors (local process pool, Dask) and the progress bar.

bootspec never schedules work itself: a sweep takes any ``concurrent.futures``
executor. ``make_executor(None | "local" | "dask://HOST:PORT", jobs)`` builds one;
the Dask one needs the ``distributed`` package (``pip install 'bootspec[dask]'``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TextIO

from bootspec.diagnostics import BootspecError, Diagnostic, Span


@contextlib.contextmanager
def make_executor(url: str | None, jobs: int) -> Iterator[Executor | None]:
    """None runs in this process (jobs == 1) or lets the caller make a pool."""
    if url is None:
        yield None
        return
    if url == "local":
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield pool
        return
    if url.startswith("dask://"):
        try:
            from distributed import Client  # noqa: PLC0415 - optional dependency
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
    """A progress bar on stderr, shown only on a terminal and only after one second."""

    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream = total, stream
        self.n = 0
        self.t0 = time.monotonic()
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.shown = False

    def step(self, _item: Any = None) -> None:
        self.n += 1
        if not self.tty or time.monotonic() - self.t0 < 1.0:
            return
        width = 30
        filled = width * self.n // max(1, self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.n}/{self.total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 50 + "\r")
            self.stream.flush()
