"""The engine asks glibc to keep freed memory at its heap's top (solver.keep_heap):
each obligation's fresh Z3 context would otherwise fault its memory in again."""

from __future__ import annotations

import platform
import sys

from bootspec.engine.solver import keep_heap


def test_keep_heap_applies_on_glibc_and_is_a_no_op_elsewhere() -> None:
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert keep_heap() is glibc
