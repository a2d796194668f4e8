"""The brute-force oracle: decide an obligation by enumerating every input.

At a small address width (8 bits) every parameter value, every symbolic-map
entry and every ``anywhere`` choice can be enumerated; each assignment is run by
the concrete evaluator and the verdict follows directly from the definitions
(docs/language.md, "Verdicts"). It shares no code with the Z3 encoding, so a
disagreement between the two is a bug in one of them.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

from bootspec import memtypes
from bootspec.engine import concrete
from bootspec.engine.paths import Path, points, regions_in, target_of
from bootspec.lang.ir import MapIR, Model, Obligation, Proof

MAX_ASSIGNMENTS = 2_000_000


class TooLarge(Exception):
    """The input space is too large to enumerate; pick a smaller model."""


def _map_assignments(m: MapIR) -> Iterator[dict[str, int]]:
    grid = list(range(m.lo - m.lo % m.align + (m.align if m.lo % m.align else 0), m.hi + 1,
                      m.align))
    kinds = memtypes.TYPES_BY_KIND[m.kind]
    allowed = [kinds.index(t) for t in m.types]
    for bounds in itertools.combinations_with_replacement(grid, 2 * m.count):
        for types in itertools.product(allowed, repeat=m.count):
            out: dict[str, int] = {}
            for i in range(m.count):
                out[f"m:{m.name}:{i}:s"] = bounds[2 * i]
                out[f"m:{m.name}:{i}:e"] = bounds[2 * i + 1]
                out[f"m:{m.name}:{i}:t"] = types[i]
            yield out


def _choice_keys(model: Model, path: Path) -> list[str]:
    keys = []
    for ev in path.events:
        if ev.kind == "act" and ev.action is not None:
            for k, p in enumerate(getattr(ev.action, "policies", ())):
                if p.kind == "anywhere":
                    keys.append(concrete.choice_key(ev.action, k))
    return keys


def assignments(model: Model, path: Path) -> Iterator[dict[str, int]]:
    """Every assignment of the inputs one path reads (parameters, maps, choices)."""
    spaces: list[list[dict[str, int]]] = []
    size = 1
    for p in model.params:
        dom = p.domain()
        if dom is None:
            raise TooLarge(f"parameter {p.name} has too many values")
        spaces.append([{f"p:{p.name}": v} for v in dom])
        size *= max(1, len(dom))
    for m in model.maps.values():
        if m.symbolic:
            maps = list(_map_assignments(m))
            spaces.append(maps)
            size *= max(1, len(maps))
    for key in _choice_keys(model, path):
        spaces.append([{key: v} for v in range(model.top + 1)])
        size *= model.top + 1
    if size > MAX_ASSIGNMENTS:
        raise TooLarge(f"{size} assignments")
    for combo in itertools.product(*spaces):
        out: dict[str, int] = {}
        for part in combo:
            out.update(part)
        yield out


@dataclasses.dataclass(frozen=True)
class Search:
    """What enumerating every input found: the verdict, the first violation (path,
    event index, inputs) in path and input order, whether any event was in scope, and
    how many runs it took."""

    status: str  # holds | violated | vacuous
    violation: tuple[Path, int, dict[str, int]] | None
    any_in_scope: bool
    runs: int


def search(model: Model, paths: list[Path], ob: Obligation, proof: Proof | None) -> Search:
    """Decide an obligation by running every input assignment with the concrete
    evaluator, straight from the definitions in docs/language.md ("Verdicts")."""
    scope, stage, pred, assert_line = target_of(model, ob, proof)
    needed = regions_in(pred, model) if pred is not None else set()
    reachable = any_points = False
    runs = 0
    for path in paths:
        at = points(path, scope, stage, needed, assert_line)
        if not at:
            continue
        any_points = True
        for inputs in assignments(model, path):
            if not concrete.inputs_valid(model, inputs):
                continue
            runs += 1
            trace = concrete.run_path(model, path, inputs)
            if scope == "wellformed":
                reachable = reachable or trace.valid_before[0]
                bad = next((i for i in at if trace.valid_before[i] and trace.findings[i]), None)
                if bad is not None:
                    return Search("violated", (path, bad, inputs), True, runs)
                continue
            ev = concrete.Evaluator(model, inputs)
            for i in at:
                st = trace.states[i]
                if st is None:
                    continue
                reachable = True
                assert pred is not None
                if not ev.prop(pred, st):
                    return Search("violated", (path, i, inputs), True, runs)
    return Search("holds" if reachable else "vacuous", None, any_points, runs)


def brute_verdict(model: Model, paths: list[Path], ob: Obligation, proof: Proof | None) -> str:
    """holds | violated | vacuous, by exhaustive enumeration."""
    return search(model, paths, ob, proof).status


def objective_key(model: Model, inputs: dict[str, int]) -> tuple[int, ...]:
    """The order in which counterexamples are minimised: parameters as declared, then
    ``anywhere`` choices by input name (symbolic map entries are not ordered)."""
    return tuple(inputs[f"p:{p.name}"] for p in model.params) + tuple(
        inputs[k] for k in sorted(k for k in inputs if k.startswith("c:")))


def canonical_violation(model: Model, paths: list[Path], ob: Obligation, proof: Proof | None
                        ) -> tuple[int, int, dict[str, int]] | None:
    """The counterexample bootspec must report, by enumeration: the first event in scope
    (paths in order, then events; an event shared with an earlier path counts there)
    at which some input violates the property, and of those inputs the one smallest
    by :func:`objective_key`. (path index, event index, inputs), or None."""
    scope, stage, pred, assert_line = target_of(model, ob, proof)
    needed = regions_in(pred, model) if pred is not None else set()
    seen: set[object] = set()
    for pi, path in enumerate(paths):
        at = [i for i in points(path, scope, stage, needed, assert_line)
              if path.events[i].key not in seen]
        best: dict[int, tuple[tuple[int, ...], dict[str, int]]] = {}
        for inputs in assignments(model, path):
            if not concrete.inputs_valid(model, inputs):
                continue
            trace = concrete.run_path(model, path, inputs)
            ev = concrete.Evaluator(model, inputs)
            for i in at:
                if concrete.fails(trace, i, pred, ev):
                    k = objective_key(model, inputs)
                    if i not in best or k < best[i][0]:
                        best[i] = (k, inputs)
        for i in at:
            if i in best:
                return pi, i, best[i][1]
        seen.update(path.events[i].key for i in at)
    return None
