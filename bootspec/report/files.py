"""Writing a report to a file: atomically, and never over a file without ``--force``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import TextIO

from bootspec.diagnostics import BootspecError, Diagnostic


def _error(path: str, message: str, hint: str | None = None) -> BootspecError:
    return BootspecError([Diagnostic.about_file("BS004", message, path, hint=hint)])


def check_not_inputs(outputs: dict[str, str | None], inputs: list[str]) -> None:
    """Refuse, even with --force, an output (by flag) that is one of the files the run
    reads, or that another output flag names too: --force replaces a report, never
    a model or a second report of the same run."""
    seen: dict[str, str] = {}
    for flag, path in outputs.items():
        if not path:
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise _error(path, f"{flag} and {seen[real]} name the same file '{path}'")
        seen[real] = flag
        if any(os.path.realpath(f) == real for f in inputs):
            raise _error(path, f"{flag} '{path}' is one of the files this run reads; "
                         "bootspec does not write over its input, even with --force")


def check_writable(path: str | None, force: bool) -> None:
    """Refuse an ``--output`` that :func:`write_atomic` would refuse, *before* any work:
    a report that took an hour is not thrown away because its file exists.

    Raises BootspecError BS004 (see :func:`write_atomic`); None (stdout) passes."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise _error(path, f"'{path}' is a folder, not a file")
    if os.path.lexists(path) and not force:
        raise _error(path, f"'{path}' exists; bootspec does not overwrite a report",
                     hint="use --force to replace it, or choose another --output")
    if os.path.lexists(path) and not (os.path.isfile(path) or os.path.islink(path)):
        raise _error(path, f"'{path}' is not a regular file; bootspec writes reports only "
                     "to files", hint="choose another --output, or leave it out for stdout")
    if not os.path.isdir(folder):
        raise _error(path, f"no such folder: '{os.path.dirname(path) or '.'}'")
    if not os.access(folder, os.W_OK):
        raise _error(path, f"cannot write in '{folder}'",
                     hint="choose another --output, or leave it out for stdout")


def write_atomic(path: str, text: str, force: bool) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and
    ``os.replace``, so a reader sees the old file or the whole new one, never a part.

    Raises BootspecError BS004 when ``path`` exists and ``force`` is false, when it is a
    folder, or when the folder cannot be written; the temporary file is removed on any
    failure. Commands call :func:`check_writable` before they start, so these are
    found before the work, not after.
    """
    folder = os.path.dirname(os.path.abspath(path))
    check_writable(path, force)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                   suffix=".tmp")
    except OSError as e:
        raise _error(path, f"cannot write in '{folder}': {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        mode = 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777 if os.path.exists(path) else mode)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _error(path, f"cannot write '{path}': {e.strerror}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def emit(text: str, output: str | None, force: bool, stdout: TextIO) -> None:
    """Write a report to stdout, or atomically to ``output``."""
    if output:
        write_atomic(output, text, force)
    else:
        stdout.write(text)


def emit_summarised(text: str, summary: str, output: str | None, force: bool, quiet: bool,
                    stdout: TextIO) -> None:
    """A report as :func:`emit` writes it; with ``quiet`` only ``summary`` on stdout
    (and the report in ``output``'s file, if one is given)."""
    if not quiet or output:
        emit(text, output, force, stdout)
    if quiet:
        stdout.write(summary)
