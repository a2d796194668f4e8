"""``bootspec lsp``: a language server (stdio) that shows bootspec's diagnostics while
a ``.boot`` or ``.proof`` file is edited.

On every open, change and save of a document the server loads the document's project
as ``bootspec check`` would (parse and resolve, no solving): the ``models/`` and
``proofs/`` folders of the nearest folder above the document that has either, else
the model and proof files beside it. The text being edited replaces the file on disk
(so does every other open document of the project), so names defined in other files
resolve and an error another file now has is shown on that file. Each diagnostic
keeps its code (``bootspec explain-error BSnnn``), its message and hint, its range
and its notes (as related locations).

Built on pygls (``pip install 'bootspec[lsp]'``); this module is imported only by the
``lsp`` command.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from bootspec import __version__
from bootspec.diagnostics import BootspecError, Diagnostic, Span
from bootspec.sources import SUFFIXES, discover

_TOKEN = re.compile(r"[A-Za-z0-9_@.:]+|\S")
_SEVERITY = {"error": lsp.DiagnosticSeverity.Error,
             "warning": lsp.DiagnosticSeverity.Warning}


def _abs(path: str | os.PathLike[str]) -> str:
    return os.path.abspath(path)


def project_files(document: str) -> list[str]:
    """The model and proof files ``document`` is loaded with (absolute paths): the
    ``models/`` and ``proofs/`` of the nearest folder above it that has either, else
    the files beside it; the document itself is always among them."""
    path = Path(document)
    found: list[Path] = []
    for folder in path.parents:
        roots = [str(folder / sub) for sub in ("models", "proofs") if (folder / sub).is_dir()]
        if roots:
            try:
                found = discover(roots)
            except BootspecError:  # folders without a single file yet
                found = []
            break
    if not found:
        found = [p for p in path.parent.iterdir() if p.suffix in SUFFIXES and p.is_file()]
    files = {_abs(p) for p in found} | {_abs(path)}
    return sorted(files)


def diagnose(document: str, buffers: Mapping[str, str]
             ) -> tuple[dict[str, list[Diagnostic]], dict[str, str]]:
    """(the diagnostics of each file of ``document``'s project, by absolute path; the
    texts they point into). ``buffers`` are the open documents' texts by absolute path:
    each replaces its file on disk."""
    from bootspec.pipeline import load
    files = project_files(document)
    on_disk = [Path(f) for f in files if f not in buffers]
    edited = [(f, buffers[f]) for f in files if f in buffers]
    sources = dict(edited)
    try:
        project = load(on_disk, edited)
        diagnostics: Sequence[Diagnostic] = project.warnings
        sources.update(project.sources)
    except BootspecError as e:
        diagnostics = e.diagnostics
        sources.update(e.sources)
    by_file: dict[str, list[Diagnostic]] = {f: [] for f in files}
    for d in diagnostics:  # one about no file of the project ('<command line>'): the document's
        by_file[d.span.path if d.span.path in by_file else document].append(d)
    return by_file, sources


def _units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (LSP's default position encoding)."""
    return len(text.encode("utf-16-le")) // 2


def _line(sources: Mapping[str, str], path: str, line: int) -> str:
    text = sources.get(path)
    if text is None or line < 1:
        return ""
    lines = text.splitlines()
    return lines[line - 1] if line <= len(lines) else ""


def to_range(span: Span, sources: Mapping[str, str], whole_file: bool = False) -> lsp.Range:
    """A span (1-based line and column, end exclusive) as an LSP range; without an end,
    the token at its start."""
    if whole_file or span.line < 1:
        return lsp.Range(lsp.Position(0, 0), lsp.Position(1, 0))
    text = _line(sources, span.path, span.line)
    col = max(span.col - 1, 0)
    start = lsp.Position(span.line - 1, _units(text[:col]))
    if span.end_line >= span.line and span.end_col > 0:
        end_text = _line(sources, span.path, span.end_line)
        end = lsp.Position(span.end_line - 1, _units(end_text[:max(span.end_col - 1, 0)]))
        if (end.line, end.character) > (start.line, start.character):
            return lsp.Range(start, end)
    m = _TOKEN.match(text, col)
    width = _units(m.group()) if m else 1
    return lsp.Range(start, lsp.Position(span.line - 1, start.character + width))


def to_lsp(d: Diagnostic, sources: Mapping[str, str]) -> lsp.Diagnostic:
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    related = [lsp.DiagnosticRelatedInformation(
        lsp.Location(from_fs_path(_abs(span.path)) or span.path, to_range(span, sources)),
        text) for span, text in d.notes if span.path in sources]
    return lsp.Diagnostic(range=to_range(d.span, sources, whole_file=not d.excerpt),
                          message=message, severity=_SEVERITY.get(
                              d.severity, lsp.DiagnosticSeverity.Information),
                          code=d.code, source="bootspec", related_information=related or None)


class Server(LanguageServer):
    """The server: which files it published diagnostics for, by project."""

    def __init__(self) -> None:
        super().__init__("bootspec", __version__,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.published: dict[str, frozenset[str]] = {}  # document -> its project's files

    def buffers(self) -> dict[str, str]:
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path is not None and Path(path).suffix in SUFFIXES:
                out[_abs(path)] = doc.source
        return out

    def refresh(self, uri: str) -> None:
        """Load the project of document ``uri`` and publish every file's diagnostics
        (an empty list clears what an earlier run showed)."""
        path = to_fs_path(uri)
        if path is None or Path(path).suffix not in SUFFIXES:
            return
        document = _abs(path)
        try:
            by_file, sources = diagnose(document, self.buffers())
        except Exception as e:  # a bug in bootspec: say so, keep serving
            self.window_log_message(lsp.LogMessageParams(
                lsp.MessageType.Error, f"bootspec: internal error: {type(e).__name__}: {e}"))
            return
        project = frozenset(by_file)
        for f in sorted(project):
            self._publish(f, [to_lsp(d, sources) for d in by_file[f]])
        for f, other in list(self.published.items()):
            if other == self.published.get(document) and f not in project:
                self._publish(f, [])  # no longer part of this project
        for f in project:
            self.published[f] = project

    def _publish(self, path: str, diagnostics: list[lsp.Diagnostic]) -> None:
        uri = from_fs_path(path)
        if uri is not None:
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def forget(self, uri: str) -> None:
        """A closed document: its file on disk is what the project reads again."""
        path = to_fs_path(uri)
        if path is not None and _abs(path) in self.published:
            others = [f for f in self.buffers() if f in self.published[_abs(path)]]
            if others:
                fs = from_fs_path(others[0])
                if fs is not None:
                    self.refresh(fs)
                    return
            self._publish(_abs(path), [])


def make_server() -> Server:
    server = Server()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Server, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Server, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Server, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Server, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    return server


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Serve on stdio until the client says exit."""
    make_server().start_io(stdin, stdout)
    return 0
