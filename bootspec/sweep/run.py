"""Checking machines: one map file (:func:`check_machine`), or many, in order or on a
process pool (:func:`check_machines`, results in input order either way).

For each map file (a log, a bootspec JSON map or a sysfs directory) the named
models' symbolic maps are bound to the machine's map (:mod:`bootspec.memmap.bind`),
every obligation of those models is decided with
:func:`bootspec.pipeline.check_project`, and a
:class:`~bootspec.sweep.rows.MachineReport` records, per property, the verdict,
whether it is acceptable on a machine (:func:`bootspec.memmap.bind.machine_ok`),
the regions placed, and the violation.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import multiprocessing.util
import pickle
import time
from collections.abc import Callable, Sequence

from bootspec.cache import Cache, note_key
from bootspec.diagnostics import BootspecError, Diagnostic, render_all
from bootspec.engine.cex import show_param
from bootspec.engine.check import Result
from bootspec.engine.paths import regions_in
from bootspec.engine.solver import Limits, fresh_context
from bootspec.lang.ir import Model, Obligation
from bootspec.memmap.bind import Binding, Machine, bind, load_machine, machine_ok
from bootspec.memmap.bios import BiosOptions, machine_entries, pin_models
from bootspec.memmap.parse import parse_path
from bootspec.pipeline import Project, check_project
from bootspec.runner import process_pool
from bootspec.sweep.reuse import Reuse, model_items
from bootspec.sweep.rows import BoundInfo, MachineReport, Placed, Row, report_from_json
from bootspec.sweep.sample import Sample, sample_limits, sample_regions

# -- one machine ----------------------------------------------------------------------

def screen(project: Project, models: Sequence[str], path: str, explicit: bool = True
           ) -> Machine | MachineReport:
    """Import one input and see whether it is a machine for ``models``, without checking:
    the :class:`Machine`, or a report saying why not (``error``: rendered diagnostics of
    bad input; ``skipped``: no map of a bound kind, or no map at all in a file that came
    from a folder)."""
    return _screen(project, models, path, explicit)[0]


def _screen(project: Project, models: Sequence[str], path: str, explicit: bool = True
            ) -> tuple[Machine | MachineReport, list[str]]:
    """:func:`screen`, and the models the machine binds."""
    description = None
    result = parse_path(path)
    try:
        if not explicit and not result.maps and not result.errors:
            return MachineReport(path, None, skipped="no memory map"), []
        machine = load_machine(path, result)
        description = machine.description
        binding = bind(project, machine, models=models, require=False)
    except BootspecError as e:
        return MachineReport(path, description, error=render_all(
            e.diagnostics, getattr(e, "sources", None) or result.sources)), []
    if not binding.bound:
        want = sorted({m.kind for n in models for m in project.models[n].maps.values()
                       if m.symbolic})
        return MachineReport(path, description, machine.kinds,
                             skipped=f"no {' or '.join(want)} map (only "
                                     f"{', '.join(machine.kinds)})"), []
    return machine, binding.bound_models()


def fresh_solver_state() -> None:
    """A new Z3 context before each machine (see :func:`bootspec.engine.solver.fresh_context`)."""
    fresh_context()


def check_machine(project: Project, models: Sequence[str], path: str | Machine,
                  limits: Limits | None = None, sample: bool = True,
                  explicit: bool = True, reuse: Reuse | None = None,
                  cache: Cache | None = None, bios: BiosOptions | None = None
                  ) -> MachineReport:
    """Bind one map file (or an imported :class:`Machine`) to ``models`` and decide their
    obligations; see :func:`screen` for inputs that are not checked. ``reuse`` carries
    proofs and runs from machine to machine in a sweep (:class:`Reuse`); ``cache``
    keeps the machine's report, as one note (a map checked again with the same
    models is not decided again). A model's BIOS inputs are pinned to the values
    ``bios`` gives or the machine's map implies (:mod:`bootspec.memmap.bios`)."""
    t0 = time.perf_counter()
    machine = path if isinstance(path, Machine) else screen(project, models, path, explicit)
    if isinstance(machine, MachineReport):
        return machine
    try:
        pinned, inputs = pin_models(project.models, models, machine_entries(machine),
                                    bios or BiosOptions(), machine.path)
    except BootspecError as e:
        return MachineReport(machine.path, machine.description,
                             error=render_all(e.diagnostics, machine.sources))
    if inputs:
        project = dataclasses.replace(project, models=pinned)
    k = ""
    if cache is not None:
        k = note_key("machine", machine, [(project.models[n], model_items(project, n))
                                          for n in models], limits or Limits(), sample)
        kept = report_from_json(cache.get_note(k))
        if kept is not None:  # its rows keep the seconds their deciding took
            return dataclasses.replace(kept, seconds=time.perf_counter() - t0)
    try:
        binding = bind(project, machine, models=models, require=False)
    except BootspecError as e:  # pragma: no cover - screen() has bound it already
        return MachineReport(machine.path, machine.description,
                             error=render_all(e.diagnostics, machine.sources))
    bound_models = binding.bound_models()
    fresh_solver_state()
    results = check_project(binding.project, limits,
                            select=lambda ob: ob.model in bound_models,
                            carry=reuse.for_binding(binding) if reuse else None)
    rows = _rows(binding, results, limits, sample)
    if reuse is not None:
        reuse.save()
    report = MachineReport(machine.path, machine.description, machine.kinds,
                           _bound_info(binding), tuple(rows),
                           tuple(_note_text(d) for d in binding.notes),
                           time.perf_counter() - t0, inputs=tuple(str(b) for b in inputs))
    if cache is not None and all(r.verdict != "unknown" for r in rows):
        cache.put_note(k, dataclasses.asdict(report))
    return report


def _rows(binding: Binding, results: list[Result], limits: Limits | None,
          sample: bool) -> list[Row]:
    project = binding.project
    samples: dict[str, Sample | None] = {}
    rows = []
    for r in results:
        name = r.obligation.model
        if sample and r.verdict.counterexample is None and name not in samples:
            samples[name] = sample_regions(project.models[name], project.paths[name],
                                           sample_limits(limits))
        rows.append(_row(project, r, samples.get(name), _stage_regions(project.models[name])))
    return rows



def _named_regions(project: Project, ob: Obligation) -> list[str] | None:
    """Regions a property names (None: every placed region, for 'wellformed')."""
    model = project.models[ob.model]
    if ob.kind == "proof":
        proof = project.proof(ob.name)
        return sorted(regions_in(proof.pred_for(model.name), model)) if proof is not None else []
    if ob.kind == "assert":
        line = next(a[2] for a in model.asserts if a[0] == ob.name)
        return sorted(regions_in(line.pred, model))
    return None


def _row(project: Project, r: Result, sample: Sample | None, placed_by_stages: set[str]) -> Row:
    ob, v = r.obligation, r.verdict
    cx = v.counterexample
    placement: tuple[Placed, ...] = ()
    source = "none"
    violation = None
    params: tuple[tuple[str, str], ...] = ()
    path: tuple[str, ...] = ()
    config: tuple[tuple[str, str], ...] = ()
    if cx is not None:
        marked = [x for x in cx.regions if x.marked]
        shown = marked or [x for x in cx.regions if x.owner is not None]
        placement = tuple(Placed(x.name, x.start, x.end) for x in shown)
        source = "counterexample"
        where = f" on path {' > '.join(cx.path)}" if len(project.paths[ob.model]) > 1 else ""
        violation = cx.step + where
        if cx.findings:
            violation += ": " + "; ".join(f.split(": ", 1)[-1] for f in cx.findings)
        params = config = cx.params
        path = cx.path
    elif sample is not None:
        names = _named_regions(project, ob)
        if names is None:
            names = sorted(n for n in sample.regions if n in placed_by_stages)
        placement = tuple(sorted((Placed(n, *sample.regions[n]) for n in names
                                  if n in sample.regions), key=lambda p: (p.start, p.name)))
        source = "run" if placement else "none"
        if placement:
            model = project.models[ob.model]
            path = sample.path
            config = tuple((p.name, show_param(p, sample.inputs[f"p:{p.name}"]))
                           for p in model.params if f"p:{p.name}" in sample.inputs)
    ok = machine_ok(r, project.models.get(ob.model))
    return Row(ob.model, ob.name, ob.kind, ob.expected, v.status, ok, placement, source,
               violation, v.reason, params, r.seconds, path, config)


def _stage_regions(model: Model) -> set[str]:
    from bootspec.lang import ast as A
    out: set[str] = set()
    for s in model.stages.values():
        for line in s.body:
            if isinstance(line, A.Place | A.Move):
                out.add(line.region)
            elif isinstance(line, A.Copy):
                out.add(line.dst)
    return out


def _bound_info(binding: Binding) -> tuple[BoundInfo, ...]:
    return tuple(BoundInfo(b.model, b.map, b.kind, b.source.fmt, b.source.span.line,
                           len(b.source.entries), len(b.entries)) for b in binding.bound)


def _note_text(d: Diagnostic) -> str:
    return f"{d.span.path}:{d.span.line}: {d.message}" if d.span.line else d.message


# -- many machines --------------------------------------------------------------------


@dataclasses.dataclass
class _WorkerState:
    """What a pool worker loaded once, in :func:`_worker_init`, for every machine it
    checks: the models, the options of the sweep, and its own :class:`Reuse` (which
    learns from machine to machine within the worker and is saved when it exits)."""

    project: Project
    models: list[str]
    limits: Limits
    sample: bool
    reuse: Reuse
    cache: Cache | None
    bios: BiosOptions


#: This process's state as a pool worker (None in the parent). The pool's initializer
#: sets it: a task carries only its machine, since loading the models and making a
#: Reuse per task would cost more than checking most machines (a spawned worker shares
#: nothing with its parent, a forked one nothing learnt after the fork). One per
#: process, read by :func:`_worker_check`.
_worker: _WorkerState | None = None


def _worker_init(project: Project, models: list[str], limits: Limits, sample: bool,
                 cache_dir: str | None, bios: BiosOptions) -> None:
    global _worker
    cache = Cache(cache_dir) if cache_dir is not None else None
    reuse = Reuse(project, limits, cache=cache)
    _worker = _WorkerState(project, models, limits, sample, reuse, cache, bios)
    # what the worker learnt after its last save is written when it exits
    multiprocessing.util.Finalize(reuse, reuse.save, kwargs={"force": True}, exitpriority=10)


#: per process of an executor: the state of each sweep it took part in, by its key
_remote: dict[str, _WorkerState] = {}


def _remote_check(key: str, payload: bytes, machine: Machine) -> MachineReport:
    """One machine of a sweep on an executor's worker (a Dask worker has no
    initializer): the sweep's state (``payload``, pickled by this sweep's own process)
    comes with each task and is unpickled once per worker process, keyed by its
    sha256; its :class:`Reuse` then carries from machine to machine as in a pool."""
    global _worker
    if key not in _remote:
        _worker_init(*pickle.loads(payload))
        assert _worker is not None
        _remote[key] = _worker
    w = _remote[key]
    return check_machine(w.project, w.models, machine, w.limits, w.sample, reuse=w.reuse,
                         cache=w.cache, bios=w.bios)


def _worker_prove(name: str) -> tuple[str, tuple[frozenset[str], frozenset[str]]]:
    """A model's proofs for every map (:meth:`Reuse.prove`), made once for the pool."""
    w = _worker
    assert w is not None, "a pool task ran in a process the pool did not initialise"
    return name, w.reuse.proofs(name)


def _worker_check(machine: Machine,
                  proved: dict[str, tuple[frozenset[str], frozenset[str]]]) -> MachineReport:
    w = _worker
    assert w is not None, "a pool task ran in a process the pool did not initialise"
    for name, p in proved.items():
        w.reuse.proved.setdefault(name, p)
    return check_machine(w.project, w.models, machine, w.limits, w.sample, reuse=w.reuse,
                         cache=w.cache, bios=w.bios)


def check_machines(project: Project, models: Sequence[str], inputs: Sequence[tuple[str, bool]],
                   limits: Limits | None = None, jobs: int = 1, sample: bool = True,
                   progress: Callable[[MachineReport], None] | None = None,
                   cache: Cache | None = None, bios: BiosOptions | None = None,
                   executor: concurrent.futures.Executor | None = None
                   ) -> list[MachineReport]:
    """One report per input, in input order. With ``jobs > 1`` (or an ``executor``, a
    Dask client's for instance: :func:`bootspec.runner.make_executor`) the inputs are
    screened here and only machines go to a process pool (or the executor); each
    worker is handed ``project`` as this process loaded it (inherited by a forked
    worker, pickled to a spawned one: :func:`bootspec.runner.start_method`; no worker
    parses or reads the model files again). ``cache``: each machine's report and each
    model's :class:`Reuse` note, from run to run."""
    reuse = Reuse(project, limits, cache=cache)
    try:
        return _check_machines(project, models, inputs, limits, jobs, sample, progress, reuse,
                               bios or BiosOptions(), executor)
    finally:
        reuse.save(force=True)


def _check_machines(project: Project, models: Sequence[str], inputs: Sequence[tuple[str, bool]],
                    limits: Limits | None, jobs: int, sample: bool,
                    progress: Callable[[MachineReport], None] | None, reuse: Reuse,
                    bios: BiosOptions, executor: concurrent.futures.Executor | None = None
                    ) -> list[MachineReport]:
    cache = reuse.cache
    if jobs <= 1 and executor is None:
        reports = []
        for path, explicit in inputs:
            rep = check_machine(project, models, path, limits, sample, explicit, reuse, cache,
                                bios)
            if progress is not None:
                progress(rep)
            reports.append(rep)
        return reports
    out: list[MachineReport | None] = [None] * len(inputs)
    todo: dict[int, Machine] = {}
    binds: collections.Counter[str] = collections.Counter()
    for i, (path, explicit) in enumerate(inputs):
        found, bound = _screen(project, models, path, explicit)
        binds.update(bound)
        if isinstance(found, Machine):
            todo[i] = found
        else:
            out[i] = found
            if progress is not None:
                progress(found)
    if len(todo) <= 1:
        for i, machine in todo.items():
            out[i] = check_machine(project, models, machine, limits, sample, reuse=reuse,
                                   cache=cache, bios=bios)
            if progress is not None:
                progress(out[i])  # type: ignore[arg-type]
        return [r for r in out if r is not None]
    folder = str(cache.folder) if cache is not None else None
    state = (project, list(models), limits or Limits(), sample, folder, bios)
    with contextlib.ExitStack() as stack:
        if executor is not None:
            payload = pickle.dumps(state)
            key = hashlib.sha256(payload).hexdigest()
            futures = {executor.submit(_remote_check, key, payload, m): i
                       for i, m in todo.items()}
        else:
            pool = stack.enter_context(process_pool(min(jobs, len(todo)),
                                                    initializer=_worker_init, initargs=state))
            # proofs pay off from a model's second machine on: made once, shared out
            proved = dict(f.result() for f in [pool.submit(_worker_prove, n)
                                               for n in sorted(binds) if binds[n] > 1])
            futures = {pool.submit(_worker_check, m, proved): i for i, m in todo.items()}
        for fut in concurrent.futures.as_completed(futures):
            rep = fut.result()
            out[futures[fut]] = rep
            if progress is not None:
                progress(rep)
    return [r for r in out if r is not None]
