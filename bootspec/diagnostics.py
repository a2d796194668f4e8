"""Diagnostics: located, coded messages about a user's input.

Every mistake a user can make (in a model, a proof, a memory map or a flag) is
reported as a :class:`Diagnostic` carrying a stable code and a :class:`Span`.
Rendering happens later, in one place::

    models/x.boot:3:7: error[BS104]: unknown name 'fd_sise'
        3 | place ovmf size fd_sise at 4GiB - fd_size
          |                 ^^^^^^^
      hint: did you mean 'fd_size'?

The engine never prints: passes collect diagnostics and raise
:class:`BootspecError` (the one root exception for user-facing failures) with
all of them, so a user sees several errors at once instead of one per run.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path


@dataclasses.dataclass(frozen=True, order=True)
class Span:
    """Where a piece of user input lives: 1-based line and column, end exclusive."""

    path: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    @property
    def short(self) -> str:
        """``file:line``, the form used in unsat-core listings."""
        return f"{self.path}:{self.line}"


NO_SPAN = Span("<bootspec>", 0, 0)


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One located message. ``code`` is stable and documented (``bootspec explain-error``)."""

    code: str
    message: str
    span: Span
    severity: str = "error"
    hint: str | None = None
    notes: tuple[tuple[Span, str], ...] = ()

    def render(self, source: str | None = None) -> str:
        """Render as ``path:line:col: error[CODE]: message`` plus the line and a caret."""
        where = str(self.span) if self.span.line > 0 else (
            "bootspec" if self.span.path.startswith("<") else self.span.path)
        out = [f"{where}: {self.severity}[{self.code}]: {self.message}"]
        out.extend(_excerpt(self.span, source))
        for span, note in self.notes:
            out.append(f"  note: {span}: {note}")
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


def _excerpt(span: Span, source: str | None) -> list[str]:
    if source is None or span.line <= 0:
        return []
    lines = source.splitlines()
    if span.line > len(lines):
        return []
    text = lines[span.line - 1].expandtabs(1)
    if len(text) > 160:
        text = text[:157] + "..."
    width = 1
    if span.end_line == span.line and span.end_col > span.col:
        width = span.end_col - span.col
    width = max(1, min(width, max(1, len(text) - span.col + 1)))
    gutter = f"{span.line:>5} | "
    pad = " " * (len(gutter) - 2) + "| "
    return [gutter + text, pad + " " * (span.col - 1) + "^" * width]


class BootspecError(Exception):
    """Root of every error bootspec reports to a user.

    Carries one or more diagnostics. The CLI renders them and exits with status 2;
    nothing above the CLI catches anything broader than this class.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("; ".join(f"{d.span}: {d.code}: {d.message}" for d in self.diagnostics))


class InternalError(Exception):
    """A bug in bootspec itself (e.g. a counterexample that does not re-check concretely).

    Never the user's fault; reported as such with exit status 3.
    """


class Collector:
    """Accumulates diagnostics across a pass; ``raise_if_any`` stops the pipeline."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(
        self,
        code: str,
        message: str,
        span: Span,
        hint: str | None = None,
        notes: Iterable[tuple[Span, str]] = (),
    ) -> None:
        self.items.append(Diagnostic(code, message, span, "error", hint, tuple(notes)))

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    def raise_if_any(self) -> None:
        if self.items:
            # the same mistake seen from several models (extends) is reported once
            unique = {(d.span, d.code, d.message): d for d in self.items}
            raise BootspecError(sorted(unique.values(), key=lambda d: (d.span, d.code)))


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, if any is close.

    >>> did_you_mean("fd_sise", ["fd_size", "ram"])
    "did you mean 'fd_size'?"
    >>> did_you_mean("zzz", ["fd_size"]) is None
    True
    """
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def render_all(diags: Sequence[Diagnostic], sources: dict[str, str] | None = None) -> str:
    """Render diagnostics, reading each file's text once (from ``sources`` or disk)."""
    cache: dict[str, str | None] = dict(sources or {})
    parts = []
    for d in diags:
        if d.span.path not in cache:
            try:
                cache[d.span.path] = Path(d.span.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                cache[d.span.path] = None
        parts.append(d.render(cache[d.span.path]))
    n = len(diags)
    parts.append(f"{n} error{'s' if n != 1 else ''}")
    return "\n".join(parts)
