"""``bootspec memmap check``: the command. Its arguments, the map files it is given
(:func:`expand_inputs`), the models named (:func:`select_models`), a progress bar
(:class:`Progress`), and the exit status of :func:`run_check`, which the report's
summary states (:func:`bootspec.sweep.report.exit_status`): 0 every machine
acceptable, 1 the report shows a machine that is not, 2 bad input (an unreadable or
erroneous map file, an unknown model, no machine to check)."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bootspec import signals, warm
from bootspec.argtypes import scope_of
from bootspec.cache import Cache
from bootspec.diagnostics import BootspecError, Diagnostic, Span, render_all
from bootspec.engine.solver import Limits
from bootspec.memmap.bios import options_of as bios_options
from bootspec.pipeline import Project, discover, load
from bootspec.runner import Progress as Progress  # the one progress bar (tqdm)
from bootspec.runner import make_executor
from bootspec.sweep import report
from bootspec.sweep.inputs import expand_inputs as expand_inputs  # its home before
from bootspec.sweep.rows import MachineReport
from bootspec.sweep.run import check_machines
from bootspec.units import counted

# -- inputs ---------------------------------------------------------------------------

def select_models(project: Project, wanted: Sequence[str]) -> list[str]:
    """Model names for ``--model`` values: a model's name, or the stem of a model file
    (every model it defines: ``xen_trampoline`` for models/xen_trampoline.boot)."""
    chosen: list[str] = []
    unknown: list[str] = []
    for w in wanted:
        if w in project.models:
            names = [w]
        else:
            names = sorted(n for n, m in project.models.items() if Path(m.path).stem == w)
        if not names:
            unknown.append(w)
        chosen.extend(n for n in names if n not in chosen)
    if unknown:
        stems = sorted({Path(m.path).stem for m in project.models.values()})
        raise BootspecError([Diagnostic(
            "BS529", f"--model {u}: no model or model file of that name",
            Span("<command line>", 0, 0),
            hint=f"models: {', '.join(sorted(project.models))}; model files: "
                 f"{', '.join(stems)}") for u in unknown])
    return chosen


# -- the command ----------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _interrupted(done: Sequence[MachineReport], inputs: Sequence[tuple[str, bool]]
                 ) -> tuple[list[MachineReport], str]:
    """The reports of an interrupted sweep: the machines finished before the interrupt
    (in input order; one with a query the interrupt stopped is left out, never shown
    as a verdict) and what the PARTIAL mark says."""
    order = {path: i for i, (path, _) in enumerate(inputs)}
    kept = sorted((r for r in done if not any("interrupted" in row.reason for row in r.rows)),
                  key=lambda r: order.get(r.file, len(order)))
    what = "SIGTERM" if signals.status() == 143 else "interrupted (Ctrl-C)"
    return kept, (f"{what}; {len(kept)} of {counted(len(inputs), 'file')} read, the "
                  "others are not in this report")


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO,
              inputs: warm.Inputs | None = None) -> int:
    """``memmap check``; returns the exit status (see the module docstring).
    ``inputs``: the run's key for the warm path (:mod:`bootspec.warm`), which a run
    that reads every machine's report from the cache leaves an entry under."""
    from bootspec.report.files import check_writable, emit_summarised
    check_writable(args.output, args.force)  # before the work, not after it
    files = discover(args.paths)
    scope = scope_of(args, files)
    project = load(files, scope=scope)
    models = select_models(project, args.models)
    symbolic = [n for n in models if any(m.symbolic for m in project.models[n].maps.values())]
    if not symbolic:
        raise BootspecError([Diagnostic(
            "BS521", f"no symbolic map to bind in {_plural(len(models), 'model')} "
            f"{', '.join(models)}",
            Span("<command line>", 0, 0),
            hint="memmap check replaces a model's 'map NAME : KIND symbolic N' by each "
                 "machine's map")])
    files_in, bad = expand_inputs(args.inputs)
    if bad:
        raise BootspecError(bad)
    limits = Limits(rlimit=args.rlimit, timeout_ms=max(1, int(args.timeout * 1000)))
    progress = Progress(len(files_in), stderr, unit="file")
    done: list[MachineReport] = []

    def seen(rep: MachineReport) -> None:
        done.append(rep)
        progress(rep)

    t0 = time.perf_counter()
    partial: str | None = None
    cache = None if args.no_cache else (
        warm.NoteLog(args.cache_dir) if inputs is not None else Cache(args.cache_dir))
    url = None if args.executor == "local" else args.executor  # local: the pool of -j
    try:
        with make_executor(url, args.jobs) as executor:
            reports = check_machines(project, symbolic, files_in, limits, args.jobs,
                                     not args.no_sample, seen, cache, bios_options(args),
                                     executor)
    except (KeyboardInterrupt, Exception) as e:
        if not (isinstance(e, KeyboardInterrupt) or signals.was_interrupted()):
            raise  # an exception that is not an interrupt, even a wrapped one
        reports, partial = _interrupted(done, files_in)
    finally:
        progress.close()
    if partial is None and signals.was_interrupted():  # the interrupt itself was lost
        reports, partial = _interrupted(done, files_in)
    elapsed = time.perf_counter() - t0
    unbound = [n for n in models if n not in symbolic]
    from bootspec.image import digest
    from bootspec.report.view import meta_of
    read = {r.file: digest(r.file) for r in reports if r.checked and os.path.exists(r.file)}
    meta = meta_of(project.sources, {**project.inputs, **read})
    rendered = report.render(reports, symbolic, unbound, args.format,
                             timing=not args.no_timing, elapsed=elapsed, jobs=args.jobs,
                             meta=meta, details=args.details, partial=partial,
                             stopped=signals.status() if partial is not None else 0)
    summary = "".join(f"bootspec: {ln}\n" for ln in report.summary_lines(
        reports, timing=False, elapsed=elapsed,
        stopped=signals.status() if partial is not None else 0))
    emit_summarised(rendered, summary, args.output, args.force, args.quiet, stdout)
    errors = [r for r in reports if r.error is not None]
    said = "".join((r.error or "").rstrip("\n") + "\n" for r in errors)
    stderr.write(said)
    if partial is not None:
        stderr.write(f"bootspec: {partial.replace('; ', ': PARTIAL report, ', 1)}\n")
        return signals.status()
    status = report.exit_status(reports)  # what the report's summary says
    if isinstance(cache, warm.NoteLog):
        warm.remember_sweep(args, inputs, project, cache, sum(r.checked for r in reports),
                            rendered, summary, said, status)
    if errors or status != 2:
        return status
    if not any(r.checked for r in reports):
        kinds = sorted({m.kind for n in symbolic for m in project.models[n].maps.values()
                        if m.symbolic})
        stderr.write(render_all([Diagnostic(
            "BS521", f"no input has a {' or '.join(kinds)} map for the models to check",
            Span("<command line>", 0, 0))]) + "\n")
    return 2
