"""``bootspec memmap check``: check models against a corpus of real machine maps.

For each map file (a log, a bootspec JSON map or a sysfs directory) the named
models' symbolic maps are bound to the machine's map (:mod:`bootspec.memmap.bind`),
every obligation of those models is decided with
:func:`bootspec.pipeline.check_project`, and a :class:`MachineReport` (plain data,
so it crosses process boundaries) records, per property, the verdict, whether it
is acceptable on a machine (:func:`bootspec.memmap.bind.machine_ok`), the regions
placed, and the violation.

:func:`check_machines` runs files in order or on a process pool (results in the
input order either way); :func:`run_check` is the CLI command.

Exit status: 0 every machine acceptable, 1 some machine is not, 2 bad input (an
unreadable or erroneous map file, an unknown model, no machine to check).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import multiprocessing
import multiprocessing.util
import os
import time
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bootspec.argtypes import scope_of
from bootspec.cache import Cache, note_key
from bootspec.diagnostics import BootspecError, Diagnostic, Span, render_all
from bootspec.engine import concrete
from bootspec.engine.cex import show_param
from bootspec.engine.check import WITNESSES, Carry, ModelChecker, Result
from bootspec.engine.encode import encode_path
from bootspec.engine.paths import Path as BootPath
from bootspec.engine.paths import regions_in
from bootspec.engine.solver import (
    Limits,
    check,
    fresh_context,
    make_solver,
    model_value,
)
from bootspec.lang.ir import Model, Obligation, Proof
from bootspec.memmap.bind import Binding, Machine, admits, bind, load_machine, machine_ok
from bootspec.memmap.bios import BiosOptions, machine_entries, pin_models
from bootspec.memmap.bios import options_of as bios_options
from bootspec.memmap.parse import parse_path
from bootspec.pipeline import Project, check_project, discover, load
from bootspec.runner import process_pool
from bootspec.safeio import Scope

#: Limits of the extra query that finds one reachable run to show for a non-violation.
SAMPLE_LIMITS = Limits(rlimit=2_000_000, timeout_ms=5_000)
#: Above this many concrete map entries a solver-found sample is not "cheap".
SAMPLE_MAX_SOLVER_ENTRIES = 24

_SKIP_SUFFIXES = (".md", ".rst", ".orig", ".rej", ".swp")


# -- results as plain data -----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Placed:
    name: str
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.name} [{self.start:#x}, {self.end:#x})"


@dataclasses.dataclass(frozen=True)
class Row:
    """One obligation decided on one machine."""

    model: str
    property: str
    kind: str  # wellformed | assert | proof
    expected: str
    verdict: str
    acceptable: bool
    placement: tuple[Placed, ...]  # the counterexample's marked regions, or a sample run's
    placement_from: str  # counterexample | run | none
    violation: str | None  # what the counterexample does, for a violation
    reason: str  # the verdict's reason (unknown, vacuous)
    params: tuple[tuple[str, str], ...]  # the counterexample's parameters
    seconds: float
    # the configuration the placement was computed for: the run's path and parameters
    path: tuple[str, ...] = ()
    config: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class BoundInfo:
    model: str
    map: str
    kind: str
    fmt: str
    line: int
    log_entries: int
    entries: int


@dataclasses.dataclass(frozen=True)
class MachineReport:
    """Everything found for one map file; ``error`` or ``skipped`` when it was not checked."""

    file: str
    description: str | None
    kinds: tuple[str, ...] = ()
    bound: tuple[BoundInfo, ...] = ()
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str | None = None  # rendered diagnostics of a bad input
    skipped: str | None = None  # why the file is not a machine for these models
    inputs: tuple[str, ...] = ()  # BIOS inputs pinned on this machine, with their rules

    @property
    def name(self) -> str:
        return os.path.basename(self.file.rstrip("/")) or self.file

    @property
    def checked(self) -> bool:
        return self.error is None and self.skipped is None

    @property
    def acceptable(self) -> bool:
        return self.checked and all(r.acceptable for r in self.rows)


# -- inputs ---------------------------------------------------------------------------

def _is_sysfs_dir(path: Path) -> bool:
    try:
        return any(c.is_dir() and c.name.isdigit() and (c / "type").exists()
                   for c in path.iterdir())
    except OSError:
        return False


def expand_inputs(args: Sequence[str]) -> tuple[list[tuple[str, bool]], list[Diagnostic]]:
    """(file, named explicitly) for every map input; a folder stands for its files (not
    recursive; hidden files and notes such as README.md left out) unless it is a
    sysfs memmap folder, which is one map."""
    out: list[tuple[str, bool]] = []
    diags: list[Diagnostic] = []
    for a in args:
        p = Path(a)
        if p.is_dir() and not _is_sysfs_dir(p):
            kids = sorted(c for c in p.iterdir()
                          if not c.name.startswith(".") and c.suffix.lower() not in _SKIP_SUFFIXES
                          and (c.is_file() or (c.is_dir() and _is_sysfs_dir(c))))
            out.extend((str(c), False) for c in kids)
        elif p.exists():
            out.append((a, True))
        else:
            diags.append(Diagnostic("BS507", f"no such file or folder: '{a}'",
                                    Span("<command line>", 0, 0)))
    return out, diags


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


# -- one machine ----------------------------------------------------------------------

def _has_choices(model: Model) -> bool:
    """Whether a run needs more than parameters: an ``anywhere`` choice or a symbolic map."""
    from bootspec.lang import ast as A
    if any(m.symbolic for m in model.maps.values()):
        return True
    return any(isinstance(line, A.Place | A.Copy | A.Move)
               and any(p.kind == "anywhere" for p in line.policies)
               for s in model.stages.values() for line in s.body)


def _param_picks(model: Model, tries: int = 12) -> list[dict[str, int]]:
    """A few deterministic parameter assignments: every parameter at its lowest legal
    value, at its highest, then seeded random picks."""
    import random
    rng = random.Random(0)
    # per parameter: (first, last, step) of an arithmetic range, or the finite values
    doms: list[tuple[str, tuple[int, int, int] | tuple[int, ...]]] = []
    for p in model.params:
        if p.kind in ("set", "enum", "bool"):
            doms.append((p.name, tuple(p.domain() or (0,))))
            continue
        first = -(-p.lo // p.align) * p.align
        last = p.hi // p.align * p.align
        if last < first:
            return []
        doms.append((p.name, (first, last, p.align)))

    def pick(dom: tuple[int, ...], how: str, finite: bool) -> int:
        if finite:
            return dom[0] if how == "lo" else dom[-1] if how == "hi" else rng.choice(dom)
        first, last, step = dom
        if how == "lo":
            return first
        if how == "hi":
            return last
        return first + rng.randrange((last - first) // step + 1) * step

    finite = {p.name: p.kind in ("set", "enum", "bool") for p in model.params}
    return [{f"p:{name}": pick(dom, how, finite[name]) for name, dom in doms}
            for how in ["lo", "hi"] + ["rand"] * tries]


@dataclasses.dataclass(frozen=True)
class Sample:
    """One reachable run: the regions live at its end, its inputs and its path."""

    regions: dict[str, tuple[int, int]]
    inputs: dict[str, int]
    path: tuple[str, ...]


def _concrete_sample(model: Model, paths: Sequence[BootPath]) -> Sample | None:
    """One complete run found by plain evaluation (no solver), or None."""
    if _has_choices(model):
        return None
    for inputs in _param_picks(model):
        for path in paths:
            try:
                trace = concrete.run_path(model, path, inputs)
            except Exception:  # a sample is a courtesy; never fail a machine over it
                return None
            last = trace.states[-1] if trace.states else None
            if last is not None and trace.valid_before[-1] and not any(trace.findings):
                return Sample({n: (r.start, r.end) for n, r in last.regions.items()},
                              inputs, path.stages)
    return None


def _solver_sample(model: Model, paths: Sequence[BootPath], limits: Limits) -> Sample | None:
    """One reachable run found by the solver (first path that has one), or None. In a
    fresh Z3 context: the run shown must not depend on what was solved before."""
    fresh_context()
    for path in paths:
        enc = encode_path(model, path)
        solver = make_solver(limits)
        solver.add([lab.term for lab in enc.base])
        for cons in enc.constraints:
            solver.add([lab.term for lab in cons])
        out = check(solver)
        if out.status != "sat" or out.model is None:
            continue
        inputs = {n: model_value(out.model, v) for n, v in enc.inputs.items()}
        try:
            trace = concrete.run_path(model, path, inputs)
        except Exception:  # a sample is a courtesy; never fail a machine over it
            return None
        state = next((s for s in reversed(trace.states) if s is not None), None)
        if state is not None:
            return Sample({n: (r.start, r.end) for n, r in state.regions.items()}, inputs,
                          path.stages)
    return None


def sample_regions(model: Model, paths: Sequence[BootPath], limits: Limits) -> Sample | None:
    """The regions live at the end of one reachable run, if one is found cheaply:
    plain evaluation over a few parameter choices first; the solver only when the
    concrete maps are small (encoding a placement inside a map of n entries costs
    about n^2 terms, as much as checking)."""
    found = _concrete_sample(model, paths)
    if found is not None:
        return found
    entries = sum(len(m.entries) for m in model.maps.values() if not m.symbolic)
    if entries <= SAMPLE_MAX_SOLVER_ENTRIES:
        return _solver_sample(model, paths, limits)
    return None


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
    return Row(ob.model, ob.name, ob.kind, ob.expected, v.status, machine_ok(r), placement,
               source, violation, v.reason, params, r.seconds, path, config)


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


def screen(project: Project, models: Sequence[str], path: str, explicit: bool = True
           ) -> Machine | MachineReport:
    """Import one input and see whether it is a machine for ``models``, without checking:
    the :class:`Machine`, or a report saying why not (``error``: rendered diagnostics of
    bad input; ``skipped``: no map of a bound kind, or no map at all in a file that came
    from a folder)."""
    description = None
    result = parse_path(path)
    try:
        if not explicit and not result.maps and not result.errors:
            return MachineReport(path, None, skipped="no memory map")
        machine = load_machine(path, result)
        description = machine.description
        binding = bind(project, machine, models=models, require=False)
    except BootspecError as e:
        return MachineReport(path, description, error=render_all(
            e.diagnostics, getattr(e, "sources", None) or result.sources))
    if not binding.bound:
        want = sorted({m.kind for n in models for m in project.models[n].maps.values()
                       if m.symbolic})
        return MachineReport(path, description, machine.kinds,
                             skipped=f"no {' or '.join(want)} map (only "
                                     f"{', '.join(machine.kinds)})")
    return machine


@dataclasses.dataclass
class Reuse:
    """What a sweep carries from one machine to the next (per model, a
    :class:`~bootspec.engine.check.Carry`); it never changes a verdict or a
    counterexample, only how fast they are found.

    ``proved``: per model, the obligations the abstract encoding proves for every map
    its symbolic maps admit, of any number of entries (computed once, on the models
    as written, when a second machine binds the model). On a machine whose map the
    symbolic map admits (:func:`~bootspec.memmap.bind.admits`) they hold wherever an
    in-scope state is reachable, so only reachability is asked there. Runs and
    counterexamples found on earlier machines are kept per model, tried first on
    the next.

    With a ``cache``, all of it also lasts from run to run: each model's note
    (:func:`~bootspec.cache.note_key`, keyed by the model as written, its proofs and
    the limits) is read when a machine first binds the model, and written back after
    machines that learnt something (at most once a second, and at the end of a
    sweep or when a worker process exits). The proofs are then made on the first
    machine already: they are kept."""

    project: Project  # the models as written
    limits: Limits | None = None
    proved: dict[str, tuple[frozenset[str], frozenset[str]]] = dataclasses.field(
        default_factory=dict)  # per model: (for any map, for the maps it admits)
    carried: dict[str, Carry] = dataclasses.field(default_factory=dict)
    cache: Cache | None = None
    _noted: dict[str, str] = dataclasses.field(  # model -> its note as last read or written
        default_factory=dict, init=False, repr=False)
    _saved_at: float = dataclasses.field(default=0.0, init=False, repr=False)

    def prove(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """Prove what can be proved once (from the second machine that binds the model
        on, or the first with a cache, see :meth:`for_binding`): first for *any* map
        (each symbolic map relaxed to every type, any alignment, the whole address
        space; real maps often have entries the model's map does not admit), then for
        the maps the model admits."""
        if name not in self.proved:
            project, model = self.project, self.project.models[name]
            items = model_items(self.project, name)
            loose = ModelChecker(relaxed(model), project.paths[name], self.limits)
            anymap = frozenset(ob.name for ob, p in items if loose.proved_for_every_map(ob, p))
            checker = ModelChecker(model, project.paths[name], self.limits)
            admitted = anymap | frozenset(ob.name for ob, p in items if ob.name not in anymap
                                          and checker.proved_for_every_map(ob, p))
            self.proved[name] = (anymap, admitted)
        return self.proved[name]

    def for_binding(self, binding: Binding) -> dict[str, Carry]:
        """What to carry into this machine: the proofs that cover its map."""
        bound = binding.project.models
        out = {}
        for name in binding.bound_models():
            # without a cache, proofs pay off from the second machine on; with one, they
            # are kept for later runs
            first = name not in self.carried
            if first:
                self._load(name)
            c = self.carried.setdefault(name, Carry())
            model = self.project.models[name]
            proved: frozenset[str]
            if first and name not in self.proved and self.cache is None:
                proved = frozenset()
            elif admits(model, bound[name]):
                proved = self.prove(name)[1]
            elif admits(relaxed(model), bound[name]):
                proved = self.prove(name)[0]
            else:
                proved = frozenset()
            out[name] = Carry(proved, c.witnesses, c.hints)
        return out

    # -- from run to run
    def _key(self, name: str) -> str:
        return note_key("reuse", self.project.models[name], model_items(self.project, name),
                        self.limits or Limits())

    def _load(self, name: str) -> None:
        """Take up the model's note from the cache, if it holds a readable one."""
        if self.cache is None:
            return
        note = self.cache.get_note(self._key(name))
        try:
            witnesses = [_ints(w) for w in note["witnesses"]]
            hints = {o: _ints(h) for o, h in note["hints"].items() if isinstance(o, str)}
            proved = note["proved"]
            if proved is not None:
                anymap, admitted = (_names(p) for p in proved)
        except (AttributeError, KeyError, TypeError, ValueError):
            return  # no note, or a foreign one: start afresh
        if proved is not None and name not in self.proved:
            mine = frozenset(ob.name for ob, _ in model_items(self.project, name))
            anymap = (anymap & mine) - frozenset(hints)  # a counterexample refutes it
            self.proved[name] = (anymap, anymap | (admitted & mine))
        self.carried[name] = Carry(frozenset(), witnesses[-WITNESSES:], hints)
        self._noted[name] = self._note_json(name)

    def _note_json(self, name: str) -> str:
        """The model's note, as written to the cache."""
        c = self.carried.get(name, Carry())
        proved = self.proved.get(name)
        return json.dumps({"proved": [sorted(p) for p in proved] if proved else None,
                           "witnesses": c.witnesses[-WITNESSES:], "hints": c.hints},
                          sort_keys=True)

    def save(self, force: bool = False) -> None:
        """Write back the notes of models that learnt something since they were read
        (with ``force``, now; else at most once a second)."""
        if self.cache is None or (not force and time.monotonic() - self._saved_at < 1.0):
            return
        for name in sorted(self.carried):
            text = self._note_json(name)
            if self._noted.get(name) != text:
                self.cache.put_note(self._key(name), json.loads(text))
                self._noted[name] = text
        self._saved_at = time.monotonic()


def _ints(d: object) -> dict[str, int]:
    """A run's inputs read from a note: names to integers, else ValueError."""
    if not isinstance(d, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in d.items()):
        raise ValueError("not a run")
    return dict(d)


def _names(xs: object) -> frozenset[str]:
    if not isinstance(xs, list) or not all(isinstance(x, str) for x in xs):
        raise ValueError("not a list of names")
    return frozenset(xs)


def model_items(project: Project, name: str) -> list[tuple[Obligation, Proof | None]]:
    """A model's obligations with their proofs."""
    return [(ob, project.proof_of(ob)) for ob in project.obligations() if ob.model == name]


def relaxed(model: Model) -> Model:
    """``model`` with every symbolic map admitting any map of its kind: every type, no
    alignment, anywhere in the address space. A proof for every map of the relaxed
    model covers every real machine's map."""
    from bootspec import memtypes
    maps = {n: dataclasses.replace(m, lo=0, hi=model.top, align=1,
                                   types=tuple(memtypes.TYPES_BY_KIND[m.kind]))
            if m.symbolic else m for n, m in model.maps.items()}
    return dataclasses.replace(model, maps=maps)


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
        kept = _report_from_json(cache.get_note(k))
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


def _report_from_json(note: object) -> MachineReport | None:
    """A report kept by :func:`check_machine`, or None for no note or a foreign one."""
    try:
        d = dict(note)  # type: ignore[call-overload]
        rep = MachineReport(
            d["file"], d["description"], tuple(d["kinds"]),
            tuple(BoundInfo(**b) for b in d["bound"]),
            tuple(Row(**{**r, "placement": tuple(Placed(**p) for p in r["placement"]),
                         "params": tuple((a, b) for a, b in r["params"]),
                         "path": tuple(r["path"]),
                         "config": tuple((a, b) for a, b in r["config"])})
                  for r in d["rows"]),
            tuple(d["notes"]), d["seconds"], inputs=tuple(d["inputs"]))
    except (KeyError, TypeError, ValueError):
        return None
    parts = [rep, *rep.bound, *rep.rows, *(p for r in rep.rows for p in r.placement)]
    ok = all(_typed(x) for x in parts) and all(isinstance(x, str) for x in rep.kinds) and \
        all(isinstance(x, str) for x in rep.notes) and \
        all(isinstance(x, str) for r in rep.rows for pair in r.params for x in pair) and \
        all(isinstance(x, str) for r in rep.rows for pair in r.config for x in pair) and \
        all(isinstance(x, str) for r in rep.rows for x in r.path) and \
        all(isinstance(x, str) for x in rep.inputs)
    return rep if ok else None


def _typed(obj: object) -> bool:
    """Whether each field of a dataclass holds a value of its declared type (a tuple
    field: a tuple, whose items the caller checks; a float field may hold an int)."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        want = hints[f.name]
        origin = typing.get_origin(want)
        if origin is not None and origin not in (types.UnionType, typing.Union):
            want = origin  # tuple[...] -> tuple
        elif want is float:
            want = float | int
        v = getattr(obj, f.name)
        if not isinstance(v, want) or (isinstance(v, bool) and want is int):
            return False
    return True


def _rows(binding: Binding, results: list[Result], limits: Limits | None,
          sample: bool) -> list[Row]:
    project = binding.project
    samples: dict[str, Sample | None] = {}
    rows = []
    for r in results:
        name = r.obligation.model
        if sample and r.verdict.counterexample is None and name not in samples:
            samples[name] = sample_regions(project.models[name], project.paths[name],
                                           _sample_limits(limits))
        rows.append(_row(project, r, samples.get(name), _stage_regions(project.models[name])))
    return rows


def _sample_limits(limits: Limits | None) -> Limits:
    if limits is None:
        return SAMPLE_LIMITS
    return Limits(min(limits.rlimit, SAMPLE_LIMITS.rlimit),
                  min(limits.timeout_ms, SAMPLE_LIMITS.timeout_ms))


def _bound_info(binding: Binding) -> tuple[BoundInfo, ...]:
    return tuple(BoundInfo(b.model, b.map, b.kind, b.source.fmt, b.source.span.line,
                           len(b.source.entries), len(b.entries)) for b in binding.bound)


def _note_text(d: Diagnostic) -> str:
    return f"{d.span.path}:{d.span.line}: {d.message}" if d.span.line else d.message


# -- many machines --------------------------------------------------------------------

_WORKER: dict[str, object] = {}


def _worker_init(model_paths: list[str], models: list[str], limits: Limits,
                 sample: bool, cache_dir: str | None, bios: BiosOptions,
                 scope: Scope | None = None) -> None:
    project = load(discover(model_paths), scope=scope)
    cache = Cache(cache_dir) if cache_dir is not None else None
    reuse = Reuse(project, limits, cache=cache)
    _WORKER.update(project=project, models=models, limits=limits, sample=sample,
                   reuse=reuse, cache=cache, bios=bios)
    # what the worker learnt after its last save is written when it exits
    multiprocessing.util.Finalize(reuse, reuse.save, kwargs={"force": True}, exitpriority=10)


def _worker_check(machine: Machine) -> MachineReport:
    project = _WORKER["project"]
    assert isinstance(project, Project)
    return check_machine(project, _WORKER["models"], machine, _WORKER["limits"],  # type: ignore[arg-type]
                         bool(_WORKER["sample"]), reuse=_WORKER["reuse"],  # type: ignore[arg-type]
                         cache=_WORKER["cache"], bios=_WORKER["bios"])  # type: ignore[arg-type]


def check_machines(project: Project, models: Sequence[str], inputs: Sequence[tuple[str, bool]],
                   limits: Limits | None = None, jobs: int = 1, sample: bool = True,
                   model_paths: Sequence[str] = (),
                   progress: Callable[[MachineReport], None] | None = None,
                   cache: Cache | None = None, bios: BiosOptions | None = None,
                   scope: Scope | None = None
                   ) -> list[MachineReport]:
    """One report per input, in input order. With ``jobs > 1`` the inputs are screened
    here and only machines go to a process pool; each worker loads the models once from
    ``model_paths`` (the same arguments that made ``project``, with the same
    ``scope``). ``cache``: each machine's report and each model's :class:`Reuse` note,
    from run to run."""
    reuse = Reuse(project, limits, cache=cache)
    try:
        return _check_machines(project, models, inputs, limits, jobs, sample, model_paths,
                               progress, reuse, bios or BiosOptions(), scope)
    finally:
        reuse.save(force=True)


def _check_machines(project: Project, models: Sequence[str], inputs: Sequence[tuple[str, bool]],
                    limits: Limits | None, jobs: int, sample: bool, model_paths: Sequence[str],
                    progress: Callable[[MachineReport], None] | None, reuse: Reuse,
                    bios: BiosOptions, scope: Scope | None = None) -> list[MachineReport]:
    cache = reuse.cache
    if jobs <= 1:
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
    for i, (path, explicit) in enumerate(inputs):
        found = screen(project, models, path, explicit)
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
    else:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding Z3 state
        folder = str(cache.folder) if cache is not None else None
        with process_pool(min(jobs, len(todo)), mp_context=ctx, initializer=_worker_init,
                          initargs=(list(model_paths), list(models), limits or Limits(),
                                    sample, folder, bios, scope)) as pool:
            futures = {pool.submit(_worker_check, m): i for i, m in todo.items()}
            for fut in concurrent.futures.as_completed(futures):
                rep = fut.result()
                out[futures[fut]] = rep
                if progress is not None:
                    progress(rep)
    return [r for r in out if r is not None]


# -- progress -------------------------------------------------------------------------

class Progress:
    """A progress bar on stderr for runs over a second; silent when stderr is no TTY.

    Uses tqdm when it is installed, else a one-line counter.
    """

    def __init__(self, total: int, stream: TextIO, delay: float = 1.0) -> None:
        self.total, self.stream, self.delay = total, stream, delay
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.done = 0
        self.t0 = time.monotonic()
        self.bar = None
        self.drawn = False
        if self.enabled:
            try:
                from tqdm import tqdm  # type: ignore[import-untyped,import-not-found,unused-ignore]
            except ImportError:
                return
            self.bar = tqdm(total=total, file=stream, delay=delay, unit="file",
                            leave=False)

    def __call__(self, rep: MachineReport) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(rep.name, refresh=False)
            self.bar.update(1)
            return
        if time.monotonic() - self.t0 >= self.delay:
            self.stream.write(f"\rbootspec: {self.done}/{self.total} files ({rep.name})\x1b[K")
            self.stream.flush()
            self.drawn = True

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# -- the command ----------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``memmap check``; returns the exit status (see the module docstring)."""
    from bootspec.memmap import checkreport as report

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
    inputs, bad = expand_inputs(args.inputs)
    if bad:
        raise BootspecError(bad)
    limits = Limits(rlimit=args.rlimit, timeout_ms=max(1, int(args.timeout * 1000)))
    progress = Progress(len(inputs), stderr)
    t0 = time.perf_counter()
    try:
        reports = check_machines(project, symbolic, inputs, limits, args.jobs,
                                 not args.no_sample, args.paths, progress,
                                 None if args.no_cache else Cache(args.cache_dir),
                                 bios_options(args), scope)
    finally:
        progress.close()
    elapsed = time.perf_counter() - t0
    unbound = [n for n in models if n not in symbolic]
    from bootspec.image import digest
    from bootspec.report.view import meta_of
    read = {r.file: digest(r.file) for r in reports if r.checked and os.path.exists(r.file)}
    meta = meta_of(project.sources, {**project.inputs, **read})
    stdout.write(report.render(reports, symbolic, unbound, args.format,
                               timing=not args.no_timing, elapsed=elapsed, jobs=args.jobs,
                               meta=meta))
    errors = [r for r in reports if r.error is not None]
    for r in errors:
        stderr.write((r.error or "").rstrip("\n") + "\n")
    if errors:
        return 2
    if not any(r.checked for r in reports):
        kinds = sorted({m.kind for n in symbolic for m in project.models[n].maps.values()
                        if m.symbolic})
        stderr.write(render_all([Diagnostic(
            "BS521", f"no input has a {' or '.join(kinds)} map for the models to check",
            Span("<command line>", 0, 0))]) + "\n")
        return 2
    return 0 if all(r.acceptable for r in reports if r.checked) else 1
