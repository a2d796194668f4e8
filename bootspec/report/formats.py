"""The report formats behind ``--format``: one entry point per command.

========  =====================================================================
text      plain ASCII, lines of at most 72 columns, ready to paste into a mail
md        Markdown for a merge-request comment
json      the versioned document of ``bootspec/report/report.schema.json``
junit     JUnit XML: one test case per model x property
sarif     SARIF 2.1.0: findings with the spans of the property and the regions
html      one self-contained file: summary, SVG maps, stage paths, proof cores
========  =====================================================================

Every renderer is a pure function of a view (:mod:`bootspec.report.view`);
the output carries no dates and no absolute paths beyond what the user gave.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from bootspec.diagnostics import BootspecError, Diagnostic, Span
from bootspec.engine.check import ModelChecker, Result, Verdict
from bootspec.engine.solver import Limits
from bootspec.lang.ir import Obligation
from bootspec.pipeline import Project
from bootspec.report import html, jsonout, junit, markdown, sarif, text
from bootspec.report.diffview import DiffView
from bootspec.report.view import CheckView, Item, Meta, check_view, item_of, meta_of

FORMATS = ("text", "md", "json", "junit", "sarif", "html")


def _unknown(fmt: str) -> BootspecError:
    return BootspecError([Diagnostic("BS001", f"unknown report format '{fmt}'",
                                     Span("<command line>", 0, 0),
                                     hint="formats: " + ", ".join(FORMATS))])


_CHECK: dict[str, Callable[[CheckView], str]] = {
    "text": text.check_report, "md": markdown.check_report, "json": jsonout.check_report,
    "junit": junit.check_report, "sarif": sarif.check_report, "html": html.check_report,
}


def render_check(results: Sequence[Result], project: Project, fmt: str, timing: bool,
                 partial: str | None = None) -> str:
    """The report of ``bootspec check`` in format ``fmt``; ``partial`` (what stopped the
    run, how much was decided) marks a report of an interrupted run, in its content."""
    if fmt not in _CHECK:
        raise _unknown(fmt)
    return _CHECK[fmt](check_view(results, project, timing, partial))


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
        v = checker.decide(ob, project.proof_of(ob),
                           want_core=True)
        core = v.core if v.status == "holds" else ()
        out.append(dataclasses.replace(r, verdict=dataclasses.replace(r.verdict, core=core)))
    return out


def render_explain(ob: Obligation, verdict: Verdict, project: Project, fmt: str) -> str:
    """The report of ``bootspec explain``: the counterexample (or, for holds, the core)
    of one property on one model, in format ``fmt``."""
    it = item_of(ob, verdict, project)
    meta = meta_of(project.sources, project.inputs)
    return render_item(it, meta, fmt)


def render_item(it: Item, meta: Meta, fmt: str) -> str:
    if fmt == "text":
        return text.explain(it, meta)
    if fmt == "md":
        return markdown.explain(it, meta)
    if fmt in _CHECK:  # the machine formats: a one-item check report, kind 'explain'
        view = CheckView(meta, (it,))
        if fmt == "json":
            return jsonout.check_report(view, kind="explain")
        if fmt == "html":
            return html.check_report(view, title=f"bootspec explain {it.property}")
        return _CHECK[fmt](view)
    raise _unknown(fmt)


_DIFF: dict[str, Callable[[DiffView], str]] = {
    "text": text.diff_report, "md": markdown.diff_report, "json": jsonout.diff_report,
    "junit": junit.diff_report, "sarif": sarif.diff_report, "html": html.diff_report,
}


def render_diff(view: DiffView, fmt: str) -> str:
    """The report of ``bootspec diff`` in format ``fmt``."""
    if fmt not in _DIFF:
        raise _unknown(fmt)
    return _DIFF[fmt](view)
