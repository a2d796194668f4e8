"""The JSON report: a documented, versioned document (``schema_version`` 1).

The schema is ``bootspec/report/report.schema.json`` (JSON Schema 2020-12) and
the fields are described in ``bootspec/report/README.md``. Addresses and sizes
are hex strings (``"0xfff00000"``) so that 64-bit values survive JSON readers
that hold numbers as doubles. Keys are emitted in a fixed order; the output is
deterministic for a given run (``seconds`` is ``null`` under ``--no-timing``).

Compatibility: a consumer may rely on every field of schema version 1; later
1.x releases only add optional fields. A change that removes or retypes a field
bumps ``schema_version``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from bootspec.diagnostics import Span
from bootspec.report.diffview import Change, DiffView, Version
from bootspec.report.view import CexView, CheckView, Item, Meta
from bootspec.units import human_size

SCHEMA_ID = "bootspec-report"
SCHEMA_VERSION = 1
SCHEMA_FILE = "report.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in the package."""
    text = resources.files("bootspec.report").joinpath(SCHEMA_FILE).read_text("utf-8")
    return dict(json.loads(text))


def hx(v: int) -> str:
    """A lower-case hex string.

    >>> hx(0xFFF00000), hx(-16)
    ('0xfff00000', '-0x10')
    """
    return f"{v:#x}" if v >= 0 else f"-{-v:#x}"


def span(s: Span | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"path": s.path, "line": s.line, "column": s.col,
            "end_line": s.end_line or None, "end_column": s.end_col or None}


def _meta(m: Meta) -> dict[str, Any]:
    return {"sha256": m.sha256, "short": m.short, "files": list(m.files)}


def cex(c: CexView) -> dict[str, Any]:
    return {
        "width": c.width,
        "path": list(c.path),
        "stage": c.stage,
        "step": c.step,
        "step_location": span(c.step_span),
        "parameters": [{"name": n, "value": v} for n, v in c.params],
        "state": [{"name": n, "value": v} for n, v in c.state],
        "stages": [{"stage": s.stage, "placed": list(s.placed), "failing": s.failing,
                    "reached": s.reached, "location": span(s.span)} for s in c.stages],
        "regions": [{"name": r.name, "start": hx(r.start), "end": hx(r.end),
                     "size": hx(r.size), "size_human": human_size(r.size), "owner": r.owner,
                     "type": r.type, "marked": r.marked, "location": span(r.span)}
                    for r in c.regions],
        "overlaps": [{"start": hx(o.start), "end": hx(o.end), "size": hx(o.end - o.start),
                      "between": list(o.between)} for o in c.overlaps],
        "maps": [{"name": m.name, "kind": m.kind,
                  "entries": [{"start": hx(s), "end": hx(e), "size": hx(e - s), "type": t}
                              for s, e, t in m.entries]} for m in c.maps],
        "findings": list(c.findings),
        "inputs": [{"name": n, "value": hx(v)} for n, v in c.inputs],
    }


def item(i: Item) -> dict[str, Any]:
    return {
        "model": i.model,
        "property": i.property,
        "kind": i.kind,
        "expected": i.expected,
        "verdict": i.verdict,
        "ok": i.ok,
        "reason": i.reason or None,
        "location": span(i.span),
        "property_text": i.property_text,
        "property_location": span(i.property_span),
        "cite": i.cite,
        "seconds": None if i.seconds is None else round(i.seconds, 3),
        "counterexample": cex(i.cex) if i.cex is not None else None,
        "core": [{"label": label, "location": span(s),
                  "changed_by": (i.core_changed[k] if k < len(i.core_changed) else "") or None}
                 for k, (label, s) in enumerate(i.core)],
        "core_minimal": i.core_minimal,
    }


def _doc(kind: str, meta: Meta, ok: bool) -> dict[str, Any]:
    return {"schema": SCHEMA_ID, "schema_version": SCHEMA_VERSION, "kind": kind,
            "tool": {"name": "bootspec", "version": meta.version}, "ok": ok}


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def check_document(view: CheckView, kind: str = "check") -> dict[str, Any]:
    counts = view.counts()
    doc = _doc(kind, view.meta, view.ok)
    doc["sources"] = _meta(view.meta)
    doc["summary"] = {"total": len(view.items),
                      "as_expected": sum(1 for i in view.items if i.ok),
                      "differ": sum(1 for i in view.items if not i.ok),
                      "verdicts": {k: counts.get(k, 0)
                                   for k in ("holds", "violated", "vacuous", "unknown")}}
    doc["results"] = [item(i) for i in view.items]
    if view.partial is not None:
        doc["partial"] = {"reason": view.partial}
    return doc


def check_report(view: CheckView, kind: str = "check") -> str:
    """The JSON report of ``bootspec check`` (or, with ``kind='explain'``, of explain)."""
    return _dump(check_document(view, kind))


def _version(v: Version) -> dict[str, Any]:
    return {"label": v.label, "commit": v.commit, "sources": _meta(v.meta)}


def _change(c: Change) -> dict[str, Any]:
    return {"kind": c.kind, "model": c.model, "property": c.property,
            "regression": c.regression,
            "base": item(c.base) if c.base is not None else None,
            "head": item(c.head) if c.head is not None else None}


def diff_report(view: DiffView) -> str:
    """The JSON report of ``bootspec diff``."""
    doc = _doc("diff", view.head.meta, not view.regressions)
    doc["base"] = _version(view.base)
    doc["head"] = _version(view.head)
    doc["diff"] = {"counts": {k: view.count(k) for k in
                              ("worse", "new", "better", "changed", "removed")}
                   | {"unchanged": view.unchanged, "regressions": len(view.regressions)},
                   "changes": [_change(c) for c in view.changes]}
    return _dump(doc)
