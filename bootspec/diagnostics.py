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

Rendering is safe with hostile input: the source line shown comes from the text
the error carries, or is read alone from a model or proof file (never the whole
file, never a device or pipe: :func:`bootspec.safeio.read_line`); an error about
a whole file (unreadable, not a map, an existing report) is located at its
``path:1:1`` and shows none of its content; control characters are shown as
``?`` and an overlong message is cut.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence

from bootspec import safeio
from bootspec.errors import BootspecException

#: files whose lines an error may read from disk to show (never a memory map a model
#: names, nor any other file: their lines come with the error, when it may show them)
SOURCE_SUFFIXES = (".boot", ".proof")
MAX_MESSAGE = 600  # characters of a message, hint or note shown; the rest is cut
_UNSAFE = [*range(0, 9), *range(10, 32), *range(127, 160), 0x2028, 0x2029]
_SANITIZE = str.maketrans(dict.fromkeys(_UNSAFE, "?"))


def printable(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` safe to print on a terminal or a CI log: control characters (which a
    terminal may obey) become ``?`` (tabs stay), and beyond ``limit`` characters the
    middle is cut.

    >>> printable("a\\x1b[31mb")
    'a?[31mb'
    >>> printable("x" * 50, 20)
    'xxxxxxx ... xxxxxxxx'
    """
    text = text.translate(_SANITIZE)
    if len(text) > limit:
        keep = (limit - 5) // 2
        text = text[:keep] + " ... " + text[len(text) - (limit - 5 - keep):]
    return text


def show_int(v: int) -> str:
    """An integer for a message: decimal when short, else hex with its middle cut (a
    3,600-digit constant is shown, never converted to decimal, which Python refuses
    beyond 4,300 digits).

    >>> show_int(4096), show_int(-3)
    ('4096', '-3')
    >>> show_int(1 << 64)
    '0x10000000000000000'
    >>> show_int(16 ** 3600 - 1)
    '0xffffffffffffffff...ffffffffffffffff (3600 hex digits)'
    """
    if -(10 ** 18) < v < 10 ** 18:
        return str(v)
    sign, digits = ("-" if v < 0 else ""), f"{abs(v):x}"
    if len(digits) <= 40:
        return f"{sign}0x{digits}"
    return f"{sign}0x{digits[:16]}...{digits[-16:]} ({len(digits)} hex digits)"


@dataclasses.dataclass(frozen=True, order=True)
class Span:
    """Where a piece of user input lives: 1-based line and column, end exclusive."""

    path: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{printable(self.path, 300)}:{self.line}:{self.col}"

    @classmethod
    def file(cls, path: str) -> Span:
        """Where an error about a whole file is reported: its ``path:1:1``."""
        return cls(str(path), 1, 1)

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
    excerpt: bool = True  # False: about the whole file (Span.file); no line is shown

    @classmethod
    def about_file(cls, code: str, message: str, path: str, hint: str | None = None,
                   severity: str = "error") -> Diagnostic:
        """An error about a whole file (unreadable, not a map, an existing report): at
        ``path:1:1``, showing none of the file's content."""
        return cls(code, message, Span.file(path), severity, hint, excerpt=False)

    def render(self, source: str | None = None) -> str:
        """Render as ``path:line:col: error[CODE]: message`` plus the line and a caret.

        ``source`` is the file's text, or only the line the span names."""
        where = str(self.span) if self.span.line > 0 else (
            "bootspec" if self.span.path.startswith("<") else printable(self.span.path, 300))
        out = [f"{where}: {self.severity}[{self.code}]: {printable(self.message)}"]
        if self.excerpt:
            out.extend(_excerpt(self.span, source))
        for span, note in self.notes:
            out.append(f"  note: {span}: {printable(note)}")
        if self.hint:
            out.append(f"  hint: {printable(self.hint)}")
        return "\n".join(out)


def _excerpt(span: Span, source: str | None) -> list[str]:
    if source is None or span.line <= 0:
        return []
    if "\n" not in source and "\r" not in source:  # only the line itself
        line = source
    else:
        lines = source.splitlines()
        if span.line > len(lines):
            return []
        line = lines[span.line - 1]
    text = printable(line.expandtabs(1), 10_000)
    if len(text) > 160:
        text = text[:157] + "..."
    width = 1
    if span.end_line == span.line and span.end_col > span.col:
        width = span.end_col - span.col
    width = max(1, min(width, max(1, len(text) - span.col + 1)))
    gutter = f"{span.line:>5} | "
    pad = " " * (len(gutter) - 2) + "| "
    return [gutter + text, pad + " " * (span.col - 1) + "^" * width]


class BootspecError(BootspecException):
    """Root of every error bootspec reports to a user.

    Carries one or more diagnostics, and optionally the text of the files they point
    into (``sources``: what a renderer may show of them). The CLI renders them and
    exits with status 2; nothing above the CLI catches anything broader than this class.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic],
                 sources: Mapping[str, str] | None = None):
        self.diagnostics = tuple(diagnostics)
        self.sources: dict[str, str] = dict(sources or {})
        super().__init__("; ".join(f"{d.span}: {d.code}: {d.message}" for d in self.diagnostics))


class InternalError(BootspecException):
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

    def raise_if_any(self, sources: Mapping[str, str] | None = None) -> None:
        """Raise every diagnostic collected, if any (``sources``: the texts they point into)."""
        if self.items:
            # the same mistake seen from several models (extends) is reported once
            unique = {(d.span, d.code, d.message): d for d in self.items}
            raise BootspecError(sorted(unique.values(), key=lambda d: (d.span, d.code)),
                                sources)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, if any is close.

    >>> did_you_mean("fd_sise", ["fd_size", "ram"])
    "did you mean 'fd_size'?"
    >>> did_you_mean("zzz", ["fd_size"]) is None
    True
    """
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def render_all(diags: Sequence[Diagnostic], sources: Mapping[str, str] | None = None) -> str:
    """Render diagnostics, then a count ("2 errors", "1 error, 1 warning").

    The line shown under each comes from ``sources`` (a file's text, or the lines an
    importer kept), else, for a model or proof file only, from that one line on disk
    (:func:`bootspec.safeio.read_line`): no file is ever read whole to show a line."""
    lines = _line_source(sources or {})
    parts = [d.render(lines(d.span) if d.excerpt else None) for d in diags]
    n_err = sum(1 for d in diags if d.severity == "error")
    n_warn = sum(1 for d in diags if d.severity == "warning")
    counts = [f"{n_err} error{'s' if n_err != 1 else ''}"] if n_err or not n_warn else []
    if n_warn:
        counts.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    parts.append(", ".join(counts))
    return "\n".join(parts)


def _line_source(sources: Mapping[str, str]) -> Callable[[Span], str | None]:
    split: dict[str, list[str]] = {}
    read: dict[tuple[str, int], str | None] = {}

    def line_of(span: Span) -> str | None:
        if span.line <= 0:
            return None
        if span.path in sources:
            if span.path not in split:
                split[span.path] = sources[span.path].splitlines()
            got = split[span.path]
            return got[span.line - 1] if span.line <= len(got) else None
        if not span.path.endswith(SOURCE_SUFFIXES):
            return None
        k = (span.path, span.line)
        if k not in read:
            read[k] = safeio.read_line(span.path, span.line)
        return read[k]

    return line_of
