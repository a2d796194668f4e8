"""Ctrl-C and SIGTERM while bootspec solves: stop within a second, keep what was decided.

Python runs a signal handler only between bytecodes of the main thread, and the
main thread may be inside one long Z3 query (C code) for minutes; Z3's own Ctrl-C
handler, for its part, cancels the query and swallows the signal, so the run goes
on. So while :func:`handling` is active:

* Z3 leaves signals alone (``ctrl_c`` is off in :func:`bootspec.engine.solver.make_solver`);
* SIGINT and SIGTERM reach Python's C-level handler, which writes the signal number
  to a wakeup socket; a watcher thread reading it calls
  :func:`bootspec.engine.solver.interrupt`, which stops the query in progress (Z3's
  context interrupt, safe from another thread) and answers every later query
  ``unknown`` ("interrupted"), never ``holds``;
* when the query returns, the Python handler raises :class:`KeyboardInterrupt`
  (:class:`Terminated` for SIGTERM) in the main thread, and the CLI prints the partial
  report. Should that exception be lost (Python only reports an exception raised in
  a destructor or an at-fork hook; here it is not even printed), :func:`was_interrupted`
  still says so, and the CLI treats the run as interrupted. Until the block ends the
  watcher interrupts Z3 again every 50 ms: a query that started just after the first
  interrupt is stopped too.

A shell that started bootspec with SIGINT ignored (a background job) is obeyed:
an ignored signal stays ignored. Worker processes ignore SIGINT and end with their
parent (:mod:`bootspec.runner`).
"""

from __future__ import annotations

import contextlib
import select
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from bootspec.engine import limits as solver  # the stop flag, without importing Z3

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_seen: list[int] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM, stopped like Ctrl-C; the CLI exits 143 (128 + 15) instead of 130."""


def _handler(signum: int, _frame: FrameType | None) -> None:
    _seen.append(signum)
    solver.interrupt()
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def was_interrupted() -> int | None:
    """The signal that interrupted the current :func:`handling` block, if any."""
    return _seen[-1] if _seen else (signal.SIGINT if solver.interrupted() else None)


def status() -> int:
    """The exit status of an interrupted run: 128 + the signal (130 for Ctrl-C)."""
    return 128 + (was_interrupted() or signal.SIGINT)


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM interrupt the solver at once (see the module
    docstring). Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _seen.clear()
    solver.resume()
    old = {s: signal.getsignal(s) for s in _SIGNALS}
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)

    def watch() -> None:
        # once signalled, interrupt again every 50 ms until the block ends: a query that
        # had not yet started when Z3 was first told would otherwise run to its end
        interrupting = False
        while True:
            ready, _, _ = select.select([reader], [], [], 0.05 if interrupting else None)
            if ready:
                try:
                    data = reader.recv(64)
                except OSError:
                    return
                if not data:
                    return
                interrupting = interrupting or any(b in _SIGNALS for b in data)
            if interrupting:
                solver.interrupt()

    def unraisable(u: sys.UnraisableHookArgs) -> None:
        # a Ctrl-C raised in a destructor is recorded, not printed; once interrupted, a
        # destructor of an object the interrupt left half made fails: noise, not news
        if not (_seen or isinstance(u.exc_value, KeyboardInterrupt)):
            old_hook(u)


    watcher = threading.Thread(target=watch, name="bootspec-signals", daemon=True)
    watcher.start()
    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable
    try:
        for s in _SIGNALS:
            if old[s] is not signal.SIG_IGN:  # a background job keeps ignoring Ctrl-C
                signal.signal(s, _handler)
        yield
    finally:
        for s in _SIGNALS:
            signal.signal(s, old[s])
        signal.set_wakeup_fd(old_fd)
        sys.unraisablehook = old_hook
        writer.close()
        watcher.join(1.0)
        reader.close()
        solver.resume()
