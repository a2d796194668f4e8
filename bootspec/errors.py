"""The root of every exception bootspec raises on purpose.

``except bootspec.errors.BootspecException`` catches them all: a user's mistake
(:class:`bootspec.diagnostics.BootspecError`, exit 2), a bug in bootspec
(:class:`bootspec.diagnostics.InternalError`, exit 3) and the module-level signals
that are turned into one of those before they reach the CLI (a refused file, an
unreadable image, a line that does not parse, an input space too large to
enumerate). This module imports nothing, so the lowest modules can use it.
"""

from __future__ import annotations


class BootspecException(Exception):
    """Root of bootspec's own exceptions."""
