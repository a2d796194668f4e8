"""Every exception class bootspec defines derives from the one root, so a library user
can catch bootspec's own failures, and only those, with one except clause."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import bootspec
from bootspec.errors import BootspecException

# control flow private to one function's loop, never raised out of its module; and
# SIGTERM, which is a KeyboardInterrupt on purpose (no 'except Exception' may catch it)
PRIVATE = {"_UsageError", "_NoRoom", "_Hang", "_Bad", "_Schema", "Terminated"}


def test_every_exception_class_has_the_one_root() -> None:
    stray = []
    for info in pkgutil.walk_packages(bootspec.__path__, "bootspec."):
        if info.name in ("bootspec.__main__",):
            continue
        mod = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__ or not issubclass(cls, BaseException):
                continue
            if name in PRIVATE or mod.__name__.startswith("bootspec.oracle."):
                continue
            if not issubclass(cls, BootspecException):
                stray.append(f"{mod.__name__}.{name}")
    assert stray == []
