"""Render ``memmap check`` reports as text (default), Markdown or JSON.

Text and Markdown give, per machine, a header (file, DMI string, the map bound
and to which model maps) and one row per property: expected verdict, verdict,
whether it is acceptable on a machine, the placement (the violating regions of
the counterexample; for other verdicts the regions of one reachable run on that
machine, '-' when none was found cheaply) and the violation. A summary table
closes the report. JSON carries the same data, plus the counterexample
parameters, with addresses as hex strings.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from tabulate import tabulate

from bootspec.memmap.lineformats import FMT_LABEL
from bootspec.report.view import Meta
from bootspec.sweep.rows import BoundInfo, MachineReport, Row
from bootspec.units import human_size

SCHEMA_VERSION = 1
SKIPPED_SHOWN = 5  # names listed per reason in text/Markdown (JSON lists every file)

_LEGEND = ("placement: the violating regions of the counterexample; for other verdicts, "
           "the regions of one reachable run on this machine ('-' when none was found "
           "cheaply). ok: acceptable on a real machine (only a property expected to hold "
           "must hold).")


def render(reports: Sequence[MachineReport], models: Sequence[str], unbound: Sequence[str],
           fmt: str, timing: bool = True, elapsed: float = 0.0, jobs: int = 1,
           meta: Meta | None = None) -> str:
    """``meta``: the tool version and the hash of the models, proofs and every machine
    file read (a line under the title; ``sources`` in JSON)."""
    if fmt == "json":
        return _json(reports, models, unbound, timing, elapsed, jobs, meta)
    return _table_report(reports, models, unbound, md=fmt == "md", timing=timing,
                         elapsed=elapsed, meta=meta)


def _fmt_label(fmt: str) -> str:
    return {"json": "bootspec JSON", "sysfs": "sysfs memmap"}.get(fmt, FMT_LABEL.get(fmt, fmt))


def bound_lines(rep: MachineReport) -> list[str]:
    """One line per machine map bound: where it is, its size, and the model maps."""
    groups: dict[tuple[str, str, int, int, int], list[str]] = {}
    for b in rep.bound:
        groups.setdefault((b.kind, b.fmt, b.line, b.log_entries, b.entries), []).append(
            f"{b.model}.{b.map}")
    out = []
    for (kind, fmt, line, n_log, n), targets in groups.items():
        merged = f", {n} after clipping and merging" if n != n_log else ""
        out.append(f"{kind} map at line {line} ({_fmt_label(fmt)}, {n_log} entries{merged}) "
                   f"-> {', '.join(targets)}")
    return out


def config_lines(rep: MachineReport) -> list[str]:
    """What the placements were computed for: per model and configuration (the run's
    boot path and parameters), the sizes of the regions placed; the properties are
    named when a model's rows come from several configurations."""
    groups: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]],
                 tuple[dict[str, None], list[str]]] = {}
    for r in rep.rows:
        if not r.placement or not (r.path or r.config):
            continue
        sizes, props = groups.setdefault((r.model, r.path, r.config), ({}, []))
        for p in r.placement:
            sizes[f"{p.name} {human_size(p.end - p.start)}"] = None
        props.append(r.property)
    per_model: dict[str, int] = {}
    for model, _, _ in groups:
        per_model[model] = per_model.get(model, 0) + 1
    out = []
    for (model, path, config), (sizes, props) in groups.items():
        params = ", ".join(f"{k} = {v}" for k, v in config)
        which = f" ({', '.join(props)})" if per_model[model] > 1 else ""
        out.append(f"{model}{which}: boot path {' > '.join(path) or '-'}; "
                   f"{', '.join(sizes)}" + (f"; {params}" if params else ""))
    return out


def placement_text(row: Row) -> str:
    return ", ".join(str(p) for p in row.placement) if row.placement else "-"


def detail_text(row: Row) -> str:
    """The violation (what the counterexample does), or why a verdict is unknown/vacuous."""
    if row.violation:
        return row.violation
    return row.reason or "-"


def _verdict_rows(rep: MachineReport, timing: bool) -> tuple[list[str], list[list[str]]]:
    headers = ["model", "property", "expected", "verdict", "ok", "placement", "detail"]
    if timing:
        headers.append("s")
    rows = []
    for r in rep.rows:
        row = [r.model, r.property, r.expected, r.verdict, "ok" if r.acceptable else "NOT OK",
               placement_text(r), detail_text(r)]
        if timing:
            row.append(f"{r.seconds:.2f}")
        rows.append(row)
    return headers, rows


def _title(rep: MachineReport) -> str:
    return rep.name + (f" -- {rep.description}" if rep.description else "")


def _table_report(reports: Sequence[MachineReport], models: Sequence[str],
                  unbound: Sequence[str], md: bool, timing: bool, elapsed: float,
                  meta: Meta | None = None) -> str:
    tablefmt = "github" if md else "simple"
    checked = [r for r in reports if r.checked]
    skipped = [r for r in reports if r.skipped is not None]
    errors = [r for r in reports if r.error is not None]
    out: list[str] = []
    head = (f"bootspec memmap check: {len(checked)} machine{'s' if len(checked) != 1 else ''} "
            f"against {', '.join(models)}")
    out.append(f"# {head}" if md else head)
    if meta is not None:
        out.append(meta.line)
    if unbound:
        out.append(f"not checked (no symbolic map): {', '.join(unbound)}")
    out.append("")
    for i, rep in enumerate(checked, 1):
        title = _title(rep)
        out.append(f"## {i}. {title}" if md else f"[{i}/{len(checked)}] {title}")
        if md:
            out.append("")
        for line in bound_lines(rep):
            out.append(f"- {line}" if md else f"  {line}")
        for line in rep.inputs:
            out.append(f"{'- ' if md else '  '}BIOS input: {line}")
        if timing:
            out.append(f"{'- ' if md else '  '}checked in {rep.seconds:.2f} s")
        out.append("")
        headers, rows = _verdict_rows(rep, timing)
        table = tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True)
        out.append(table if md else _indent(table))
        configs = config_lines(rep)
        if configs:
            out.append("")
            out.append("placements computed for:" if not md else "Placements computed for:")
            out.extend(f"{'- ' if md else '  '}{c}" for c in configs)
        if rep.notes:
            out.append("")
            out.extend(f"{'- ' if md else '  '}note: {n}" for n in rep.notes)
        out.append("")
    if checked:
        out.append(_LEGEND if not md else f"_{_LEGEND}_")
        out.append("")
    out.append("## Summary" if md else "summary")
    if md:
        out.append("")
    if checked:
        s_headers = ["machine", "map", "properties", "holds", "violated", "other", "ok"]
        if timing:
            s_headers.append("s")
        s_rows = []
        for rep in checked:
            kinds = "/".join(dict.fromkeys(f"{b.kind} {b.entries}" for b in rep.bound))
            n_h = sum(r.verdict == "holds" for r in rep.rows)
            n_v = sum(r.verdict == "violated" for r in rep.rows)
            row = [rep.name, kinds, str(len(rep.rows)), str(n_h), str(n_v),
                   str(len(rep.rows) - n_h - n_v), "ok" if rep.acceptable else "NOT OK"]
            if timing:
                row.append(f"{rep.seconds:.2f}")
            s_rows.append(row)
        table = tabulate(s_rows, headers=s_headers, tablefmt=tablefmt, disable_numparse=True)
        out.append(table)
        out.append("")
    bad = [r for r in checked if not r.acceptable]
    line = (f"{len(checked)} machine{'s' if len(checked) != 1 else ''}: "
            f"{len(checked) - len(bad)} acceptable, {len(bad)} not acceptable")
    if bad:
        line += " (" + "; ".join(_why(r) for r in bad) + ")"
    if skipped:
        line += f"; {len(skipped)} file{'s' if len(skipped) != 1 else ''} skipped"
    if errors:
        line += f"; {len(errors)} input error{'s' if len(errors) != 1 else ''} (see stderr)"
    if timing:
        times = [r.seconds for r in checked]
        if times:
            line += (f"; {elapsed:.1f} s in all, per machine {min(times):.2f}-"
                     f"{max(times):.2f} s (mean {sum(times) / len(times):.2f} s)")
    out.append(line + ".")
    if skipped:
        out.append("")
        by_reason: dict[str, list[str]] = {}
        for r in skipped:
            by_reason.setdefault(r.skipped or "", []).append(r.name)
        out.append("skipped:" if not md else "Skipped:")
        for reason, names in sorted(by_reason.items()):
            shown = ", ".join(names[:SKIPPED_SHOWN])
            more = f" and {len(names) - SKIPPED_SHOWN} more" if len(names) > SKIPPED_SHOWN else ""
            out.append(f"{'- ' if md else '  '}{len(names)} file{'s' if len(names) != 1 else ''}"
                       f" with {reason}: {shown}{more}")
    return "\n".join(out).rstrip("\n") + "\n"


def _why(rep: MachineReport) -> str:
    failed = [r for r in rep.rows if not r.acceptable]
    shown = ", ".join(f"{r.model}/{r.property} {r.verdict}" for r in failed[:3])
    more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
    return f"{rep.name}: {shown}{more}"


def _indent(text: str) -> str:
    return "\n".join("  " + ln for ln in text.splitlines())


# -- JSON -----------------------------------------------------------------------------

def _json(reports: Sequence[MachineReport], models: Sequence[str], unbound: Sequence[str],
          timing: bool, elapsed: float, jobs: int, meta: Meta | None = None) -> str:
    machines = []
    for rep in reports:
        d: dict[str, object] = {
            "file": rep.file, "name": rep.name, "machine": rep.description,
            "status": ("error" if rep.error is not None else
                       "skipped" if rep.skipped is not None else
                       "acceptable" if rep.acceptable else "not_acceptable"),
        }
        if rep.skipped is not None:
            d["skipped"] = rep.skipped
        if rep.error is not None:
            d["error"] = rep.error
        if rep.checked:
            d["maps"] = [dataclasses.asdict(b) for b in rep.bound]
            d["results"] = [_row_json(r, timing) for r in rep.rows]
            d["notes"] = list(rep.notes)
            if rep.inputs:
                d["bios_inputs"] = list(rep.inputs)
            if timing:
                d["seconds"] = round(rep.seconds, 4)
        machines.append(d)
    checked = [r for r in reports if r.checked]
    doc: dict[str, object] = {
        "bootspec_memmap_check": SCHEMA_VERSION,
        "models": list(models),
        **({"sources": {"sha256": meta.sha256, "short": meta.short, "files": list(meta.files)}}
           if meta is not None else {}),
        "not_checked_models": list(unbound),
        "machines": machines,
        "summary": {
            "machines": len(checked),
            "acceptable": sum(r.acceptable for r in checked),
            "not_acceptable": sum(not r.acceptable for r in checked),
            "skipped": sum(r.skipped is not None for r in reports),
            "errors": sum(r.error is not None for r in reports),
        },
    }
    if timing:
        doc["summary"]["seconds"] = round(elapsed, 3)  # type: ignore[index]
        doc["summary"]["jobs"] = jobs  # type: ignore[index]
    return json.dumps(doc, indent=2) + "\n"


def _row_json(r: Row, timing: bool) -> dict[str, object]:
    d: dict[str, object] = {
        "model": r.model, "property": r.property, "kind": r.kind, "expected": r.expected,
        "verdict": r.verdict, "acceptable": r.acceptable,
        "placement": [{"name": p.name, "start": f"{p.start:#x}", "end": f"{p.end:#x}"}
                      for p in r.placement],
        "placement_from": r.placement_from, "violation": r.violation,
        "params": dict(r.params),
        "config": {"path": list(r.path), "params": dict(r.config)},
    }
    if r.reason:
        d["reason"] = r.reason
    if timing:
        d["seconds"] = round(r.seconds, 4)
    return d


__all__ = ["BoundInfo", "bound_lines", "detail_text", "placement_text", "render"]
