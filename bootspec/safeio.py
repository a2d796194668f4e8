"""Reading the files a user, or a model, names: never without bound.

Every file bootspec reads on someone's behalf (a model, a proof, a memory map, a
cache entry, the one source line an error shows) is opened here:

* without blocking: a FIFO with no writer does not hang the ``open``;
* only when it is a regular file, checked on the open descriptor (so a path
  swapped for a device between a check and the open is still refused):
  ``/dev/zero`` never ends, a pipe may never answer, a socket is not a file;
* with a byte limit checked *before* reading (the file's size) and again while
  reading (a file that grows, or a ``/proc`` file whose size says 0), so a 2 GB
  file costs one ``fstat``.

Errors are :class:`Refused` (with a reason a person can read) or ``OSError``;
callers turn them into located diagnostics.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from bootspec.errors import BootspecException

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(BootspecException):
    """A file bootspec will not read: not a regular file, or larger than the limit."""

    def __init__(self, reason: str, size: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.size = size


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words.

    >>> kind_of(stat.S_IFCHR), kind_of(stat.S_IFIFO)
    ('a character device', 'a pipe (FIFO)')
    """
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a pipe (FIFO)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | os.PathLike[str], follow: bool = True) -> BinaryIO:
    """Open ``path`` for reading (binary) if it is a regular file; else :class:`Refused`.

    The open does not block (``O_NONBLOCK``: a FIFO opens at once and is then refused).
    ``follow=False``: a symbolic link as the last component is refused too."""
    if not follow and os.path.islink(path):
        raise Refused("a symbolic link, not a regular file")
    fd = os.open(path, _FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0)))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = kind_of(mode)
            raise Refused(f"{what}, not a regular file" if what != "not a regular file"
                          else what)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes.

    Raises :class:`Refused` for anything else (the size is checked before reading,
    and at most ``limit + 1`` bytes are ever read) and ``OSError`` when it cannot be
    opened."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise Refused(f"{size} bytes, more than the {limit} bytes bootspec reads", size)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"more than the {limit} bytes bootspec reads", len(data))
    return data


def read_line(path: str | os.PathLike[str], line: int, max_bytes: int = 8 << 20,
              max_line: int = 4096) -> str | None:
    """Line ``line`` (1-based) of a regular text file, read by streaming at most
    ``max_bytes`` and keeping at most ``max_line`` bytes of it; None when the file
    cannot be read, is not regular, or the line lies beyond those bounds.

    This is what an error message reads to show one source line: never the whole
    file."""
    if line <= 0:
        return None
    try:
        with open_regular(path) as f:
            read = 0
            for _ in range(line - 1):
                while True:  # skip one line, in pieces of at most max_line bytes
                    piece = f.readline(max_line)
                    read += len(piece)
                    if not piece or read > max_bytes:
                        return None
                    if piece.endswith(b"\n"):
                        break
            text = f.readline(max_line)
    except (OSError, Refused):
        return None
    if not text:
        return None
    return text.decode("utf-8", "replace").rstrip("\r\n")


# -- which files a model may name ------------------------------------------------------

def inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies in it (both absolute paths)."""
    return path == folder or os.path.commonpath([path, folder]) == folder


@dataclasses.dataclass(frozen=True)
class Scope:
    """Where the files a model names (``map NAME : KIND from "FILE"``) may lie.

    A model from someone else (a merge request, a bug report) must not make bootspec
    read, or print, a file outside its project: the path is resolved against the model
    file's folder, symbolic links followed, and must end inside the model's project
    folder. Absolute paths, and ``..`` or links that leave the project, are refused
    unless they end inside a folder the user allowed (``--allow-path DIR``).

    The project folder of a model file is ``root`` when given (``--root DIR``), else
    ``roots[file]`` (the folder named on the command line it was found in, or the
    folder of a file named directly; the working folder when nothing was named), else
    the file's own folder.
    """

    root: str | None = None
    roots: Mapping[str, str] = dataclasses.field(default_factory=dict)
    allow: tuple[str, ...] = ()

    @classmethod
    def of_arguments(cls, args: Sequence[str], files: Iterable[Path], root: str | None = None,
                     allow: Iterable[str] = ()) -> Scope:
        """The scope of a command line: ``args`` as given (files or folders) and the
        model files they named."""
        folders = [os.path.abspath(a) for a in args if os.path.isdir(a)]
        roots: dict[str, str] = {}
        for f in files:
            full = os.path.abspath(f)
            if not args:
                roots[str(f)] = os.getcwd()
                continue
            holding = [d for d in folders if inside(full, d)]
            roots[str(f)] = min(holding, key=len) if holding else os.path.dirname(full)
        return cls(root, roots, tuple(allow))

    def project_of(self, model_file: str) -> str:
        return os.path.abspath(self.root or self.roots.get(model_file)
                               or os.path.dirname(os.path.abspath(model_file)))

    def resolve(self, written: str, model_file: str) -> str:
        """The path of ``written`` (as a model names it, relative to ``model_file``'s
        folder), or :class:`Refused` saying why it may not be read."""
        if not written or "\0" in written:
            raise Refused("an empty path, or one with a NUL character")
        base = os.path.dirname(model_file)
        full = written if os.path.isabs(written) else os.path.join(base, written)
        real = os.path.realpath(full)
        if any(inside(real, os.path.realpath(a)) for a in self.allow):
            return full
        if os.path.isabs(written):
            raise Refused("an absolute path; a model names files relative to itself, "
                          "inside its project")
        project = os.path.realpath(self.project_of(model_file))
        if not inside(real, project):
            raise Refused(f"it leads outside the model's project folder {project}")
        return full
