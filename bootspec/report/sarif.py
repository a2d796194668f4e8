"""SARIF 2.1.0: findings for code-scanning pages and editors.

One rule per property name; one result per (model, property) whose verdict is
not ``holds`` or differs from its expectation:

* ``level`` is ``error`` when the verdict differs from the expectation, and
  ``note`` otherwise; an expected finding carries an ``inSource`` suppression
  whose justification is the ``expect`` line's cite (it is a documented bug, not
  news).
* the primary location is the property's predicate; related locations are the
  expectation line, the failing action and the declaration or placement of
  every region involved (each with its concrete range);
* the counterexample's path of stages is a ``codeFlow``: one step per stage,
  with what it placed.

For ``bootspec diff`` the results carry ``baselineState`` (``new`` for a
regression, ``absent`` for a fix, ``updated`` for another change).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from bootspec.diagnostics import Span
from bootspec.report.diffview import DiffView
from bootspec.report.view import CheckView, Item, Meta
from bootspec.units import human_size

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _loc(span: Span | None, message: str | None = None, ident: int | None = None
         ) -> dict[str, Any] | None:
    if span is None or span.path.startswith("<"):
        return None
    phys: dict[str, Any] = {"artifactLocation": {"uri": quote(span.path.replace("\\", "/"))}}
    if span.line > 0:
        region: dict[str, Any] = {"startLine": span.line, "startColumn": max(1, span.col)}
        if span.end_line >= span.line and span.end_col > 0:
            region["endLine"] = span.end_line
            region["endColumn"] = span.end_col
        phys["region"] = region
    loc: dict[str, Any] = {"physicalLocation": phys}
    if ident is not None:
        loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _message(it: Item) -> str:
    msg = f"{it.property} is {it.verdict} on model {it.model}"
    if not it.ok:
        msg += f" (expected {it.expected})"
    if it.reason:
        msg += f": {it.reason}"
    c = it.cex
    if c is not None:
        for o in c.overlaps:
            msg += (f"; {o.between[0]} and {o.between[1]} overlap at [{o.start:#x}, {o.end:#x})"
                    f" ({human_size(o.end - o.start)})")
        msg += f"; at {c.step}; path {' > '.join(c.path)}"
    return msg + "."


def _result(it: Item, rule_index: int, level: str | None = None) -> dict[str, Any]:
    primary = _loc(it.property_span or it.span)
    related: list[dict[str, Any]] = []

    def add(span: Span | None, message: str) -> None:
        loc = _loc(span, message, len(related) + 1)
        if loc is not None:
            related.append(loc)

    add(it.span, f"expectation for model {it.model}: {it.expected}")
    c = it.cex
    if c is not None:
        add(c.step_span, f"failing step: {c.step}")
        for r in c.regions:
            if r.marked:
                add(r.span, f"{r.name} = [{r.start:#x}, {r.end:#x}) {human_size(r.size)}"
                    + (f", placed by {r.owner}" if r.owner else ""))
    res: dict[str, Any] = {
        "ruleId": it.property,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": level or ("error" if not it.ok else "note"),
        "message": {"text": _message(it)},
        "locations": [primary] if primary else [],
        "partialFingerprints": {"bootspecProperty/v1": f"{it.model}/{it.property}"},
        "properties": {"model": it.model, "verdict": it.verdict, "expected": it.expected},
    }
    if related:
        res["relatedLocations"] = related
    if c is not None and c.stages:
        steps = []
        for st in c.stages:
            if not st.reached:
                continue
            placed = ", ".join(st.placed) or "nothing live"
            loc = _loc(st.span, f"stage {st.stage} placed {placed}"
                       + (" (fails here)" if st.failing else ""))
            if loc is not None:
                steps.append({"location": loc})
        if steps:
            res["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    if it.ok:
        res["suppressions"] = [{"kind": "inSource", "justification":
                                it.cite or f"expected {it.expected} on model {it.model}"}]
    return res


def _rules(items: list[Item]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for it in items:
        if it.property in index:
            continue
        index[it.property] = len(rules)
        rule: dict[str, Any] = {"id": it.property,
                                "shortDescription": {"text": it.property_text or it.property},
                                "defaultConfiguration": {"level": "error"},
                                "properties": {"kind": it.kind}}
        rules.append(rule)
    return rules, index


def _log(meta: Meta, rules: list[dict[str, Any]], results: list[dict[str, Any]],
         extra: dict[str, Any] | None = None, partial: str | None = None) -> str:
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "bootspec", "version": meta.version, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"sourcesSha256": meta.sha256, **(extra or {})},
    }
    if partial is not None:
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"PARTIAL REPORT: {partial}"}}]}]
        run["properties"]["partial"] = partial
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def check_report(view: CheckView) -> str:
    """The SARIF log of ``bootspec check`` (or of one ``explain``)."""
    shown = [i for i in view.items if i.verdict != "holds" or not i.ok]
    rules, index = _rules(shown)
    return _log(view.meta, rules, [_result(i, index[i.property]) for i in shown],
                partial=view.partial)


def diff_report(view: DiffView) -> str:
    """The SARIF log of ``bootspec diff``: the changes that involve a finding."""
    shown = [c for c in view.changes if c.head is not None
             and (c.head.verdict != "holds" or c.kind == "better")]
    rules, index = _rules([c.head for c in shown if c.head is not None])
    results = []
    for c in shown:
        assert c.head is not None
        res = _result(c.head, index[c.head.property],
                      "error" if c.regression else "note")
        res["baselineState"] = {"worse": "new", "new": "new", "better": "absent"}.get(
            c.kind, "updated")
        if c.regression:
            res.pop("suppressions", None)
        results.append(res)
    return _log(view.head.meta, rules, results,
                {"base": view.base.label, "head": view.head.label})
