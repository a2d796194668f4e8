"""JUnit XML: one test suite per model, one test case per (model, property).

A test case *fails* exactly when its verdict differs from its expectation (the
same rule as the exit status of ``bootspec check``); the failure's text is the
plain-text explanation, with the counterexample map. A violation that is
expected passes, and its counterexample goes to ``system-out`` so CI pages can
still show it. The output validates against the Jenkins xunit ``junit-10.xsd``
that GitLab, Jenkins and most CI systems read. ``time`` attributes are left out
under ``--no-timing``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from bootspec.report import text
from bootspec.report.diffview import DiffView
from bootspec.report.view import CheckView, Item, Meta


def _time(seconds: float | None) -> dict[str, str]:
    return {} if seconds is None else {"time": f"{seconds:.3f}"}


def _case(parent: ET.Element, it: Item, failed: bool, message: str) -> None:
    case = ET.SubElement(parent, "testcase", {"name": it.property,
                                              "classname": f"bootspec.{it.model}",
                                              **_time(it.seconds)})
    body = text.explain_body(it) + "\n"
    if failed:
        fail = ET.SubElement(case, "failure", {"type": it.verdict, "message": message})
        fail.text = body
    elif it.cex is not None or it.verdict != "holds" or it.core:
        out = ET.SubElement(case, "system-out")
        out.text = body


def _suites(items: list[Item], meta: Meta, failed: dict[tuple[str, str], str]) -> ET.Element:
    root = ET.Element("testsuites", {"name": "bootspec", "tests": str(len(items)),
                                     "failures": str(len(failed)), "errors": "0"})
    timing = all(i.seconds is not None for i in items) and bool(items)
    if timing:
        root.set("time", f"{sum(i.seconds or 0 for i in items):.3f}")
    for model, group in groupby(items, key=lambda i: i.model):
        its = list(group)
        n_fail = sum(1 for i in its if i.key in failed)
        suite = ET.SubElement(root, "testsuite", {
            "name": model, "tests": str(len(its)), "failures": str(n_fail), "errors": "0",
            "skipped": "0", **(_time(sum(i.seconds or 0 for i in its)) if timing else {})})
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "bootspec.version", "value": meta.version})
        ET.SubElement(props, "property", {"name": "sources.sha256", "value": meta.sha256})
        for it in its:
            _case(suite, it, it.key in failed, failed.get(it.key, ""))
    return root


def _dump(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def check_report(view: CheckView) -> str:
    """The JUnit report of ``bootspec check`` (or of one ``explain``)."""
    failed = {i.key: f"verdict {i.verdict}, expected {i.expected}"
              + (f": {i.reason}" if i.reason else "") for i in view.items if not i.ok}
    items = sorted(view.items, key=lambda i: i.model)  # groupby needs the models together
    root = _suites(items, view.meta, failed)
    if view.partial is not None:
        mark_partial(root, "bootspec", view.partial)
    return _dump(root)


def mark_partial(root: ET.Element, title: str, partial: str) -> None:
    """An interrupted run's report: an error case of its own (and the root's name
    and counts say so), so that no CI page shows it green."""
    root.set("name", f"{title} (PARTIAL REPORT)")
    root.set("errors", str(int(root.get("errors", "0")) + 1))
    root.set("tests", str(int(root.get("tests", "0")) + 1))
    suite = ET.SubElement(root, "testsuite", {"name": "bootspec.partial", "tests": "1",
                                              "failures": "0", "errors": "1", "skipped": "0"})
    case = ET.SubElement(suite, "testcase", {"name": "run", "classname": "bootspec"})
    err = ET.SubElement(case, "error", {"type": "partial",
                                        "message": f"PARTIAL REPORT: {partial}"})
    err.text = f"PARTIAL REPORT: {partial}\n"


def diff_report(view: DiffView) -> str:
    """The JUnit report of ``bootspec diff``: a test case per (model, property) whose
    verdict changed; a case fails when its change is a regression."""
    items: list[Item] = []
    failed: dict[tuple[str, str], str] = {}
    for c in view.changes:
        it = c.head or c.base
        assert it is not None
        items.append(it)
        if c.regression:
            failed[it.key] = f"{c.kind}: {c.arrow} (base {view.base.label}, head " \
                             f"{view.head.label})"
    items.sort(key=lambda i: (i.model, i.property))
    root = _suites(items, view.head.meta, failed)
    root.set("name", f"bootspec diff {view.base.label} {view.head.label}")
    return _dump(root)
