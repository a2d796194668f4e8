"""``memmap check`` as JUnit XML, SARIF 2.1.0 and HTML, with the conventions of
``check``'s renderers (:mod:`bootspec.report.junit`, :mod:`bootspec.report.sarif`,
:mod:`bootspec.report.html`):

* JUnit: one test suite per machine checked, one test case per (model, property);
  a case fails exactly when its row is not acceptable on that machine (the rule of
  the exit status), and a machine file that could not be read is a suite with one
  error case. Validates against the Jenkins xunit ``junit-10.xsd``.
* SARIF: one result per row that is not acceptable, at the machine's map (the file
  and the line where the map bound starts), level ``error``; its rule is the
  property.
* HTML: one self-contained page: the summary, a table per model, and a folded
  section per machine (open for those not acceptable).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from bootspec.report.junit import mark_partial
from bootspec.report.sarif import SARIF_SCHEMA
from bootspec.report.view import Meta
from bootspec.sweep import report
from bootspec.sweep.rows import MachineReport, Row


def render(reports: Sequence[MachineReport], models: Sequence[str], unbound: Sequence[str],
           fmt: str, timing: bool, meta: Meta | None, partial: str | None = None,
           stopped: int = 0) -> str:
    """``partial``: what stopped an interrupted sweep; the report says PARTIAL REPORT
    in its content (as ``check``'s do: an error case, a failed invocation, a banner)."""
    if fmt == "junit":
        return junit(reports, timing, meta, partial)
    if fmt == "sarif":
        return sarif(reports, meta, partial)
    return html(reports, models, unbound, timing, meta, partial, stopped)


# -- JUnit ------------------------------------------------------------------------------

def _case_text(r: Row) -> str:
    lines = [f"{r.model} / {r.property}: {report.why_line(r)}"]
    if r.placement:
        lines.append(f"placement: {report.placement_text(r)}")
    return "\n".join(lines) + "\n"


def junit(reports: Sequence[MachineReport], timing: bool, meta: Meta | None,
          partial: str | None = None) -> str:
    checked = [r for r in reports if r.checked]
    errors = [r for r in reports if r.error is not None]
    n_fail = sum(not row.acceptable for rep in checked for row in rep.rows)
    root = ET.Element("testsuites", {
        "name": "bootspec memmap check",
        "tests": str(sum(len(r.rows) for r in checked) + len(errors)),
        "failures": str(n_fail), "errors": str(len(errors))})
    if timing:
        root.set("time", f"{sum(r.seconds for r in checked):.3f}")
    for rep in [*checked, *errors]:
        rows = rep.rows
        suite = ET.SubElement(root, "testsuite", {
            "name": rep.name, "tests": str(len(rows) or 1),
            "failures": str(sum(not r.acceptable for r in rows)),
            "errors": "1" if rep.error is not None else "0", "skipped": "0",
            **({"time": f"{rep.seconds:.3f}"} if timing and rep.checked else {})})
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "machine.file", "value": rep.file})
        if rep.description:
            ET.SubElement(props, "property", {"name": "machine", "value": rep.description})
        if meta is not None:
            ET.SubElement(props, "property", {"name": "bootspec.version",
                                              "value": meta.version})
            ET.SubElement(props, "property", {"name": "sources.sha256", "value": meta.sha256})
        if rep.error is not None:
            case = ET.SubElement(suite, "testcase", {"name": "read map",
                                                     "classname": "bootspec.memmap"})
            err = ET.SubElement(case, "error", {"type": "input",
                                                "message": "the map could not be read"})
            err.text = rep.error
            continue
        for r in rows:
            case = ET.SubElement(suite, "testcase", {
                "name": r.property, "classname": f"bootspec.{r.model}",
                **({"time": f"{r.seconds:.3f}"} if timing else {})})
            if not r.acceptable:
                fail = ET.SubElement(case, "failure", {
                    "type": r.verdict,
                    "message": f"verdict {r.verdict}, expected {r.expected}, on "
                               f"{rep.name}"})
                fail.text = _case_text(r)
            elif r.verdict != "holds":
                out = ET.SubElement(case, "system-out")
                out.text = _case_text(r)
    if partial is not None:
        mark_partial(root, "bootspec memmap check", partial)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# -- SARIF ------------------------------------------------------------------------------

def sarif(reports: Sequence[MachineReport], meta: Meta | None,
          partial: str | None = None) -> str:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for rep in reports:
        if not rep.checked:
            continue
        line = min((b.line for b in rep.bound if b.line > 0), default=0)
        for r in rep.rows:
            if r.acceptable:
                continue
            if r.property not in index:
                index[r.property] = len(rules)
                rules.append({"id": r.property, "shortDescription": {"text": r.property},
                              "defaultConfiguration": {"level": "error"},
                              "properties": {"kind": r.kind}})
            phys: dict[str, Any] = {"artifactLocation": {"uri": quote(
                rep.file.replace("\\", "/"))}}
            if line:
                phys["region"] = {"startLine": line}
            results.append({
                "ruleId": r.property, "ruleIndex": index[r.property], "level": "error",
                "message": {"text": f"{r.model} / {r.property} on {rep.name}: "
                                    f"{report.why_line(r)}"},
                "locations": [{"physicalLocation": phys}],
                "properties": {"machine": rep.name, "model": r.model,
                               "verdict": r.verdict, "expected": r.expected}})
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "bootspec",
                            **({"version": meta.version} if meta is not None else {}),
                            "rules": rules}},
        "columnKind": "unicodeCodePoints", "results": results,
        "properties": {"command": "memmap check",
                       **({"sourcesSha256": meta.sha256} if meta is not None else {})}}
    if partial is not None:
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"PARTIAL REPORT: {partial}"}}]}]
        run["properties"]["partial"] = partial
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# -- HTML -------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;
 margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid
 #ddd;padding-bottom:4px}code{font:12px ui-monospace,Menlo,Consolas,monospace}
.meta{color:#555;margin:0}.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:bold}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 8px;
 text-align:left;vertical-align:top}th{background:#f4f4f4}tr.fail td{background:#fff0f0}
details{border:1px solid #e3e3e3;border-radius:6px;padding:4px 12px;margin:8px 0}
summary{cursor:pointer}
"""


def _e(s: object) -> str:
    return escape(str(s))


def _table(headers: Sequence[str], rows: Sequence[tuple[bool, Sequence[str]]]) -> str:
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers)
           + "</tr></thead>", "<tbody>"]
    for bad, cells in rows:
        out.append(("<tr class=\"fail\">" if bad else "<tr>")
                   + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "\n".join([*out, "</tbody>", "</table>"])


def html(reports: Sequence[MachineReport], models: Sequence[str], unbound: Sequence[str],
         timing: bool, meta: Meta | None, partial: str | None = None,
         stopped: int = 0) -> str:
    checked = [r for r in reports if r.checked]
    title = "bootspec memmap check"
    body = [f"<header><h1>{_e(title)}</h1>"
            + (f'<p class="meta">{_e(meta.line)}</p>' if meta is not None else "")
            + "</header>", f"<p>models: {_e(', '.join(models))}</p>"]
    if partial is not None:
        body.insert(1, f'<p class="bad"><strong>PARTIAL REPORT</strong>: {_e(partial)}</p>')
    if unbound:
        body.append(f"<p>not checked (no symbolic map): {_e(', '.join(unbound))}</p>")
    body.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in
                                 report.summary_lines(reports, False, 0.0, stopped)) + "</ul>")
    per_model = report.per_model_counts(checked)
    body += ["<h2>Per model</h2>", _table(
        ["model", "machines", "holds", "violated", "vacuous", "unknown", "not acceptable"],
        [(c[-1] != "0", [f"<code>{_e(m)}</code>", *(_e(x) for x in c)])
         for m, c in per_model])]
    body.append("<h2>Machines</h2>")
    for rep in checked:
        ok = ('<span class="ok">acceptable</span>' if rep.acceptable
              else '<span class="bad">not acceptable</span>')
        body.append(f"<details{'' if rep.acceptable else ' open'}><summary>"
                    f"<code>{_e(rep.name)}</code> {_e(rep.description or '')}: {ok}"
                    "</summary>")
        body.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in
                                     [*report.bound_lines(rep),
                                      *(f"BIOS input: {i}" for i in rep.inputs),
                                      *(f"note: {n}" for n in rep.notes)]) + "</ul>")
        body.append(_table(
            ["model", "property", "expected", "verdict", "ok", "placement", "detail"],
            [(not r.acceptable, [f"<code>{_e(r.model)}</code>", f"<code>{_e(r.property)}</code>",
                                 _e(r.expected), _e(r.verdict),
                                 '<span class="ok">ok</span>' if r.acceptable
                                 else '<span class="bad">NOT OK</span>',
                                 _e(report.placement_text(r)), _e(report.detail_text(r))])
             for r in rep.rows]))
        body.append("</details>")
    skipped = report.skipped_lines(reports)
    if skipped:
        body += ["<h2>Skipped</h2>", "<ul>" + "".join(f"<li>{_e(s)}</li>" for s in skipped)
                 + "</ul>"]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        *body, "</body>", "</html>"]) + "\n"
