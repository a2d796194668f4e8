"""One reachable run of a model on a machine, to show where its regions go when
nothing is violated: found by plain evaluation when that is cheap, else by the
solver when the concrete maps are small. A sample is a courtesy: it never changes
a verdict, and a machine never fails over it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bootspec.engine import concrete
from bootspec.engine.encode import encode_path
from bootspec.engine.enumerate import choice_keys
from bootspec.engine.paths import Path as BootPath
from bootspec.engine.solver import Limits, check, fresh_context, make_solver, model_value
from bootspec.lang.ir import Model

#: Limits of the extra query that finds one reachable run to show for a non-violation.
SAMPLE_LIMITS = Limits(rlimit=2_000_000, timeout_ms=5_000)
#: Above this many concrete map entries a solver-found sample is not "cheap".
SAMPLE_MAX_SOLVER_ENTRIES = 24


def _has_choices(model: Model) -> bool:
    """Whether a run needs more than parameters: an ``anywhere`` choice."""
    from bootspec.lang import ast as A
    return any(isinstance(line, A.Place | A.Copy | A.Move)
               and any(isinstance(p, A.Anywhere) for p in line.policies)
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
        first = p.first
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
    """One complete run found by plain evaluation (no solver), or None: for each of a
    few parameter picks and each path in turn, every ``anywhere`` choice at its lowest
    valid start, each in order (:func:`~bootspec.engine.concrete.greedy_choices`; a
    choice the run never gets to is 0)."""
    if any(m.symbolic for m in model.maps.values()):
        return None
    choices = _has_choices(model)
    for picked in _param_picks(model):
        for path in paths:
            try:
                inputs = picked
                if choices:
                    inputs = (dict.fromkeys(choice_keys(path), 0) | picked
                              | concrete.greedy_choices(model, path, picked))
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


def sample_limits(limits: Limits | None) -> Limits:
    """The limits of a sample's query: :data:`SAMPLE_LIMITS`, or the run's where lower."""
    if limits is None:
        return SAMPLE_LIMITS
    return Limits(min(limits.rlimit, SAMPLE_LIMITS.rlimit),
                  min(limits.timeout_ms, SAMPLE_LIMITS.timeout_ms))
