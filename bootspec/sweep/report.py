"""Render ``memmap check`` reports in every format of ``check``: text (default), Markdown
and JSON here; JUnit, SARIF and HTML in :mod:`bootspec.sweep.machineformats`.

Text (at most 72 columns) and Markdown start with the summary (machines acceptable
or not, verdicts, the exit status and what it means), then only what is not
acceptable, each row briefly. ``--details`` adds, per machine, a header (file, DMI
string, the map bound and to which model maps) and one entry per property:
expected verdict, verdict, whether it is acceptable on a machine, the placement
(the violating regions of the counterexample; for other verdicts the regions of
one reachable run on that machine, '-' when none was found cheaply) and the
violation. JSON carries everything, plus the counterexample parameters, with
addresses as hex strings.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence

from tabulate import tabulate

from bootspec.memmap import formats
from bootspec.report.text import WIDTH, fit, para
from bootspec.report.view import Meta
from bootspec.sweep.rows import BoundInfo, MachineReport, Row
from bootspec.units import counted, human_size

SCHEMA_VERSION = 1
SKIPPED_SHOWN = 5  # names listed per reason in text/Markdown (JSON lists every file)

_LEGEND = ("placement: the violating regions of the counterexample; for other verdicts, "
           "the regions of one reachable run on this machine ('-' when none was found "
           "cheaply). ok: acceptable on a real machine (only a property expected to hold "
           "must hold).")


def render(reports: Sequence[MachineReport], models: Sequence[str], unbound: Sequence[str],
           fmt: str, timing: bool = True, elapsed: float = 0.0, jobs: int = 1,
           meta: Meta | None = None, details: bool = False, partial: str | None = None,
           stopped: int = 0) -> str:
    """The report in ``fmt`` (one of :data:`bootspec.report.registry.FORMATS`).

    ``meta``: the tool version and the hash of the models, proofs and every machine
    file read (a line under the title; ``sources`` in JSON). ``details``: text and
    Markdown show every machine's verdicts, placements and inputs, not only the
    summary and the machines that are not acceptable. ``partial``: what stopped an
    interrupted sweep (only the machines finished before it are in ``reports``); the
    report says PARTIAL REPORT in its content, under the title."""
    if fmt == "json":
        doc = _json(reports, models, unbound, timing, elapsed, jobs, meta)
        if partial is None:
            return doc
        return json.dumps({**json.loads(doc), "partial": {"reason": partial}}, indent=2) + "\n"
    if fmt in ("junit", "sarif", "html"):
        from bootspec.sweep import machineformats
        return machineformats.render(reports, models, unbound, fmt, timing, meta, partial,
                                     stopped)
    if fmt == "md":
        out = _markdown(reports, models, unbound, timing, elapsed, meta, details, stopped)
        mark = f"\n> **PARTIAL REPORT**: {_md_esc(partial)}\n" if partial else ""
    else:
        out = _text(reports, models, unbound, timing, elapsed, meta, details, stopped)
        mark = "".join(f"{ln}\n" for ln in para(f"PARTIAL REPORT: {partial}", "", "  ")
                       ) if partial else ""
    title, rest = out.split("\n", 1)
    return f"{title}\n{mark}{rest}"


def _fmt_label(fmt: str) -> str:
    return formats.label(fmt)


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


def exit_status(reports: Sequence[MachineReport]) -> int:
    """What ``memmap check`` exits with for these reports, and what its reports say:
    2 an input error (or no machine checked), 1 a machine is not acceptable, else 0."""
    if any(r.error is not None for r in reports) or not any(r.checked for r in reports):
        return 2
    return 0 if all(r.acceptable for r in reports if r.checked) else 1


def counts(reports: Sequence[MachineReport]) -> dict[str, int]:
    """Verdicts over every row of every machine checked."""
    out: dict[str, int] = {}
    for rep in reports:
        for r in rep.rows:
            out[r.verdict] = out.get(r.verdict, 0) + 1
    return out


def _verdicts(c: dict[str, int]) -> str:
    return ", ".join(f"{c[k]:,} {k}" for k in ("holds", "violated", "vacuous", "unknown")
                     if k in c) or "none"


def summary_lines(reports: Sequence[MachineReport], timing: bool, elapsed: float,
                  stopped: int = 0) -> list[str]:
    """The summary: machines acceptable or not, verdicts, files skipped, the exit status
    and what it means (the same sentences in text and Markdown). ``stopped``: the exit
    status of an interrupted sweep (130, 143), which is then the one it says."""
    checked = [r for r in reports if r.checked]
    bad = [r for r in checked if not r.acceptable]
    skipped = sum(r.skipped is not None for r in reports)
    errors = sum(r.error is not None for r in reports)
    rows = sum(len(r.rows) for r in checked)
    machines = counted(len(checked), "machine", grouped=True)
    line = f"{machines}: {len(checked) - len(bad)} acceptable, {len(bad)} not acceptable"
    if skipped:
        line += f"; {counted(skipped, 'file', grouped=True)} skipped"
    if errors:
        line += f"; {counted(errors, 'input error', grouped=True)} (see stderr)"
    out = [line + ".",
           f"{counted(rows, 'result', grouped=True)}: {_verdicts(counts(checked))}."]
    status = exit_status(reports)
    meaning = {0: "every machine is acceptable (on a machine, only a property expected "
                  "to hold must hold)",
               1: f"{counted(len(bad), 'machine', grouped=True)} not acceptable: a "
                  "property expected to hold does not hold there",
               2: "an input could not be read" if errors else "no machine was checked"}
    if stopped:
        out.append(f"exit {stopped}: interrupted before every file was read; what is "
                   f"above is what was decided (exit {status} so far: {meaning[status]}).")
    else:
        out.append(f"exit {status}: {meaning[status]}.")
    if timing:
        times = [r.seconds for r in checked]
        if times:
            out.append(f"{elapsed:.1f} s in all, per machine {min(times):.2f}-"
                       f"{max(times):.2f} s (mean {sum(times) / len(times):.2f} s).")
    return out


def skipped_lines(reports: Sequence[MachineReport]) -> list[str]:
    by_reason: dict[str, list[str]] = {}
    for r in reports:
        if r.skipped is not None:
            by_reason.setdefault(r.skipped, []).append(r.name)
    out = []
    for reason, names in sorted(by_reason.items()):
        shown = ", ".join(names[:SKIPPED_SHOWN])
        more = f" and {len(names) - SKIPPED_SHOWN} more" if len(names) > SKIPPED_SHOWN else ""
        out.append(f"{counted(len(names), 'file', grouped=True)} with {reason}: {shown}{more}")
    return out


def why_line(r: Row) -> str:
    """A row that is not acceptable (or, with details, any row that is not plainly
    holds-as-expected), in a sentence: verdict, expectation and why."""
    text = f"{r.verdict}, expected {r.expected}"
    blocked = blocked_sites(r)
    if blocked:
        text += (f"; not reached on this machine: the known finding {', '.join(blocked)} "
                 "stops every run first")
    elif r.violation or (r.reason and r.verdict in ("vacuous", "unknown")):
        text += f" - {detail_text(r)}"
    return text


def blocked_sites(r: Row) -> list[str]:
    """The known finding sites that make an acceptable vacuous row vacuous."""
    if r.verdict != "vacuous" or r.expected != "holds" or not r.acceptable:
        return []
    m = re.search(r"placement on lines? ([0-9, ]+) \(", r.reason)
    return [f"fits@L{n.strip()}" for n in m.group(1).split(",")] if m else []


def _text(reports: Sequence[MachineReport], models: Sequence[str], unbound: Sequence[str],
          timing: bool, elapsed: float, meta: Meta | None, details: bool,
          stopped: int = 0) -> str:
    """At most 72 columns: title, summary, the machines that are not acceptable (each
    row that is not, briefly), files skipped; with ``details`` every machine."""
    checked = [r for r in reports if r.checked]
    bad = [r for r in checked if not r.acceptable]
    out = [f"bootspec memmap check: {counted(len(checked), 'machine', grouped=True)}"]
    if meta is not None:
        out.append(meta.line)
    out += para(f"models: {', '.join(models)}", "", "  ")
    if unbound:
        out += para(f"not checked (no symbolic map): {', '.join(unbound)}", "", "  ")
    out.append("")
    for line in summary_lines(reports, timing, elapsed, stopped):
        out += para(line, "")
    if bad and not details:
        out += ["", "not acceptable:"]
        for rep in bad:
            out += para(_title(rep), "  ", "      ")
            for r in rep.rows:
                if not r.acceptable:
                    out += para(f"{r.model} / {r.property}:", "    ", "      ")
                    out += para(why_line(r), "      ")
    skipped = skipped_lines(reports)
    if skipped:
        out += ["", "skipped:"]
        for line in skipped:
            out += para(line, "  ", "      ")
    if details:
        for i, rep in enumerate(checked, 1):
            out += ["", "=" * WIDTH, *_machine_text(rep, i, len(checked), timing)]
        if checked:
            out += ["", *para(_LEGEND, "")]
    elif checked:
        out += ["", *para("--details: every machine's verdicts, placements and BIOS "
                          "inputs.", "")]
    return "\n".join(fit(out)) + "\n"


def _machine_text(rep: MachineReport, i: int, n: int, timing: bool) -> list[str]:
    ok = "acceptable" if rep.acceptable else "NOT ACCEPTABLE"
    out = para(f"[{i}/{n}] {_title(rep)}: {ok}", "", "    ")
    for line in bound_lines(rep):
        out += para(line, "  ", "      ")
    for line in rep.inputs:
        out += para(f"BIOS input: {line}", "  ", "      ")
    if timing:
        out.append(f"  checked in {rep.seconds:.2f} s")
    for r in rep.rows:
        s = f", {r.seconds:.2f} s" if timing else ""
        out += para(f"{r.model} / {r.property}", "  ", "      ")
        out += para(f"{'ok' if r.acceptable else 'NOT OK'}: {why_line(r)}{s}", "      ")
        if r.placement:
            out += para(f"placement: {placement_text(r)}", "      ", "        ")
    configs = config_lines(rep)
    if configs:
        out.append("  placements computed for:")
        for c in configs:
            out += para(c, "    ", "      ")
    for note in rep.notes:
        out += para(f"note: {note}", "  ", "      ")
    return out


def per_model_counts(reports: Sequence[MachineReport]) -> list[tuple[str, list[str]]]:
    """Per model: machines, holds, violated, vacuous, unknown, rows not acceptable."""
    acc: dict[str, dict[str, int]] = {}
    seen: dict[str, set[str]] = {}
    for rep in reports:
        for r in rep.rows:
            c = acc.setdefault(r.model, {})
            c[r.verdict] = c.get(r.verdict, 0) + 1
            c["bad"] = c.get("bad", 0) + (not r.acceptable)
            seen.setdefault(r.model, set()).add(rep.file)
    return [(m, [str(len(seen[m])), *(str(c.get(k, 0)) for k in
                                      ("holds", "violated", "vacuous", "unknown", "bad"))])
            for m, c in acc.items()]


def _per_model(reports: Sequence[MachineReport]) -> list[list[str]]:
    return [[f"`{m}`", *c[:-1], c[-1] if c[-1] == "0" else f"**{c[-1]}**"]
            for m, c in per_model_counts(reports)]


def _md_esc(s: str) -> str:
    return s.replace("|", "\\|").replace("<", "&lt;")


def _markdown(reports: Sequence[MachineReport], models: Sequence[str],
              unbound: Sequence[str], timing: bool, elapsed: float, meta: Meta | None,
              details: bool, stopped: int = 0) -> str:
    """A merge-request comment: the summary, a table per model, the rows that are not
    acceptable; with ``details`` every machine's table, each folded."""
    checked = [r for r in reports if r.checked]
    bad = [r for r in checked if not r.acceptable]
    out = [f"### bootspec memmap check: {counted(len(checked), 'machine', grouped=True)}", ""]
    if meta is not None:
        out += [f"<sub>{_md_esc(meta.line)}</sub>", ""]
    if unbound:
        out += [f"Not checked (no symbolic map): {', '.join(unbound)}", ""]
    first, *rest = summary_lines(reports, timing, elapsed, stopped)
    out += [first, *(f"- **{x}**" if x.startswith("exit") else f"- {x}" for x in rest)]
    if checked:
        out += ["", tabulate(_per_model(checked), headers=[
            "model", "machines", "holds", "violated", "vacuous", "unknown",
            "not acceptable"], tablefmt="github", disable_numparse=True)]
    if bad:
        out += ["", "#### Not acceptable", ""]
        rows = [[f"`{rep.name}`", f"`{r.model}`", f"`{r.property}`", r.verdict, r.expected,
                 _md_esc(detail_text(r))]
                for rep in bad for r in rep.rows if not r.acceptable]
        out.append(tabulate(rows, headers=["machine", "model", "property", "verdict",
                                           "expected", "why"],
                            tablefmt="github", disable_numparse=True))
    skipped = skipped_lines(reports)
    if skipped:
        out += ["", "Skipped:", *(f"- {_md_esc(s)}" for s in skipped)]
    if details:
        for i, rep in enumerate(checked, 1):
            ok = "acceptable" if rep.acceptable else "**not acceptable**"
            out += ["", f"<details><summary>{i}. {_md_esc(_title(rep))}: {ok}</summary>", ""]
            out += [f"- {_md_esc(line)}" for line in bound_lines(rep)]
            out += [f"- BIOS input: {_md_esc(line)}" for line in rep.inputs]
            headers, rows = _verdict_rows(rep, timing)
            out += ["", tabulate([[_md_esc(c) for c in row] for row in rows],
                                 headers=headers, tablefmt="github", disable_numparse=True)]
            configs = config_lines(rep)
            if configs:
                out += ["", "Placements computed for:", *(f"- {_md_esc(c)}" for c in configs)]
            out += [f"- note: {_md_esc(n)}" for n in rep.notes]
            out += ["", "</details>"]
        if checked:
            out += ["", f"_{_LEGEND}_"]
    return "\n".join(out).rstrip("\n") + "\n"


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


__all__ = ["BoundInfo", "bound_lines", "detail_text", "exit_status", "per_model_counts",
           "placement_text", "render", "skipped_lines", "summary_lines", "why_line"]
