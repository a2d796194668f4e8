"""The report formats behind ``--format``: one entry point per command.

The formats themselves (names, file extensions, what each is for) are the table of
:mod:`bootspec.report.registry`; the dispatch tables here map every one of them to its
renderer, typed so that a format missing from one of them is a type error.

Every renderer is a pure function of a view (:mod:`bootspec.report.view`);
the output carries no dates and no absolute paths beyond what the user gave.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import assert_never

from bootspec.diagnostics import BootspecError, Diagnostic, Span
from bootspec.engine.check import ModelChecker, Result, Verdict
from bootspec.engine.solver import Limits
from bootspec.lang.ir import Obligation
from bootspec.pipeline import Project
from bootspec.report import html, jsonout, junit, markdown, sarif, text
from bootspec.report.diffview import DiffView
from bootspec.report.registry import FORMATS, ReportFormat, one_format
from bootspec.report.view import CheckView, Item, Meta, check_view, item_of, meta_of


def _unknown(fmt: str) -> BootspecError:
    return BootspecError([Diagnostic("BS001", f"unknown report format '{fmt}'",
                                     Span("<command line>", 0, 0),
                                     hint="formats: " + ", ".join(FORMATS))])


_CHECK: dict[ReportFormat, Callable[[CheckView], str]] = {
    "text": text.check_report, "md": markdown.check_report, "json": jsonout.check_report,
    "junit": junit.check_report, "sarif": sarif.check_report, "html": html.check_report,
}


def render_check(results: Sequence[Result], project: Project, fmt: str, timing: bool,
                 partial: str | None = None, machine: str | None = None,
                 accept: Callable[[Result], bool] | None = None) -> str:
    """The report of ``bootspec check`` in format ``fmt``; ``partial`` (what stopped the
    run, how much was decided) marks a report of an interrupted run, in its content;
    ``machine`` and ``accept``: a run on a real machine, where a result is ok when
    ``accept`` says it is acceptable there."""
    if not one_format(fmt):
        raise _unknown(fmt)
    return _CHECK[fmt](check_view(results, project, timing, partial, machine, accept))


def with_cores(project: Project, results: Sequence[Result], limits: Limits | None = None
               ) -> list[Result]:
    """The results with the unsat core of every proof that holds (what it depends on),
    decided again with core tracking; the verdicts themselves are kept."""
    out: list[Result] = []
    checkers: dict[str, ModelChecker] = {}
    for r in results:
        ob = r.obligation
        if r.verdict.status != "holds" or r.verdict.core:
            out.append(r)
            continue
        checker = checkers.setdefault(ob.model, ModelChecker(
            project.models[ob.model], project.paths[ob.model], limits))
        # Z3's cores (named lines, not made minimal: that is explain's, line by line)
        out.append(dataclasses.replace(r, verdict=checker.with_lines(
            ob, project.proof_of(ob), r.verdict, minimal=False)))
    return out


def render_explain(ob: Obligation, verdict: Verdict, project: Project, fmt: str) -> str:
    """The report of ``bootspec explain``: the counterexample (or, for holds, the core)
    of one property on one model, in format ``fmt``."""
    it = item_of(ob, verdict, project)
    meta = meta_of(project.sources, project.inputs)
    return render_item(it, meta, fmt)


def render_item(it: Item, meta: Meta, fmt: str) -> str:
    if not one_format(fmt):
        raise _unknown(fmt)
    view = CheckView(meta, (it,))  # the machine formats: a one-item check report
    if fmt == "text":
        return text.explain(it, meta)
    if fmt == "md":
        return markdown.explain(it, meta)
    if fmt == "json":
        return jsonout.check_report(view, kind="explain")
    if fmt == "html":
        return html.check_report(view, title=f"bootspec explain {it.property}")
    if fmt == "junit" or fmt == "sarif":
        return _CHECK[fmt](view)
    assert_never(fmt)


_DIFF: dict[ReportFormat, Callable[[DiffView], str]] = {
    "text": text.diff_report, "md": markdown.diff_report, "json": jsonout.diff_report,
    "junit": junit.diff_report, "sarif": sarif.diff_report, "html": html.diff_report,
}


def render_diff(view: DiffView, fmt: str) -> str:
    """The report of ``bootspec diff`` in format ``fmt``."""
    if not one_format(fmt):
        raise _unknown(fmt)
    return _DIFF[fmt](view)


# every format has a check and a diff renderer (the explain dispatch above is exhaustive
# by assert_never); checked when the module is imported, and by the conformance test
assert set(_CHECK) == set(FORMATS) == set(_DIFF), "a report format without a renderer"
