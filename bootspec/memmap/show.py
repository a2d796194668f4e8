"""``bootspec memmap show``: print imported maps as a normalised table plus sanity report.

:func:`bootspec.sweep.commands.add_parser` registers the sub-command on the CLI's
argparse subparsers;
:func:`run_show` does the work with explicit streams (so tests pass StringIO).
Exit status: 0 when every input gave maps without errors, 2 otherwise (after
the diagnostics are rendered on stderr). Only reads the given paths.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from tabulate import tabulate

from bootspec.diagnostics import Diagnostic, InternalError, render_all
from bootspec.memmap import formats
from bootspec.memmap.model import ParsedMap
from bootspec.memmap.parse import parse_path
from bootspec.memmap.sanity import Finding, check_map
from bootspec.memmap.write import to_json
from bootspec.units import human_size


def render_map(m: ParsedMap, findings: list[Finding]) -> str:
    """Table of entries (start, exclusive end, size, type, attrs) then the sanity report."""
    title = f"{m.source}: {m.kind} map, {len(m.entries)} entries ({formats.title(m.fmt)})"
    if m.header:
        title += f" -- {m.header}"
    rows = [(i + 1, f"{e.start:#018x}", f"{e.end:#018x}", human_size(e.end - e.start), e.type,
             " ".join(e.attrs), e.span.line) for i, e in enumerate(m.entries)]
    table = tabulate(rows, headers=("#", "start", "end (excl)", "size", "type", "attrs",
                                    "line"),
                     tablefmt="simple", disable_numparse=True, colalign=("right",))
    out = [title, table, ""]
    if findings:
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        out.append(f"sanity: {summary}")
        out.extend(f"  {f.severity}: {f.kind}: {f.message}" for f in findings)
    else:
        out.append("sanity: no findings")
    return "\n".join(out) + "\n"


def run_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Print every map of ``args.files``; diagnostics go to stderr. Returns 0 or 2.

    Bad input never raises; only a bug in bootspec surfaces, as ``InternalError``
    (which the CLI reports with exit status 3).
    """
    maps: list[ParsedMap] = []
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for path in args.files:
        try:
            result = parse_path(path)
        except Exception as exc:  # a parser bug: report it as ours, never as a traceback
            raise InternalError(f"memmap import crashed on {path}: {exc!r}") from exc
        maps.extend(result.maps)
        diags.extend(result.diagnostics)
        sources.update(result.sources)
    findings = [check_map(m) for m in maps]
    if getattr(args, "format", "text") == "json":
        as_dicts = {i: [f.as_dict() for f in fs] for i, fs in enumerate(findings)}
        stdout.write(to_json(maps, as_dicts))
    else:
        stdout.write("\n".join(render_map(m, fs) for m, fs in zip(maps, findings, strict=True)))
    if diags:
        stderr.write(render_all(diags, sources) + "\n")
    return 2 if any(d.severity == "error" for d in diags) else 0
