"""Deciding an obligation by enumerating every input and running each concretely.

Used by the engine's fast path (concrete maps, few parameter values, no free
choice: no solver needed) and by the brute-force oracle at 8-bit widths, where
every parameter value, symbolic-map content and ``anywhere`` choice can be
enumerated. Every run is the concrete evaluator's; verdicts follow the
definitions of docs/language.md ("Verdicts").
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator

from bootspec import memtypes
from bootspec.engine import concrete
from bootspec.engine.cex import failing, fails
from bootspec.engine.paths import Path, Target, conjunct_points, points
from bootspec.errors import BootspecException
from bootspec.lang import ast as A
from bootspec.lang.ir import MapIR, Model
from bootspec.lang.vocab import Status

MAX_ASSIGNMENTS = 2_000_000


class TooLarge(BootspecException):
    """The input space is too large to enumerate; pick a smaller model."""


def _map_assignments(m: MapIR) -> Iterator[dict[str, int]]:
    grid = list(range(m.lo - m.lo % m.align + (m.align if m.lo % m.align else 0), m.hi + 1,
                      m.align))
    kinds = memtypes.TYPES_BY_KIND[m.kind]
    allowed = [kinds.index(t) for t in m.types]
    words = _subsets(m.attrs)
    for bounds in itertools.combinations_with_replacement(grid, 2 * m.count):
        for types in itertools.product(allowed, repeat=m.count):
            for attrs in itertools.product(words, repeat=m.count if m.attrs else 0):
                out: dict[str, int] = {}
                for i in range(m.count):
                    out[f"m:{m.name}:{i}:s"] = bounds[2 * i]
                    out[f"m:{m.name}:{i}:e"] = bounds[2 * i + 1]
                    out[f"m:{m.name}:{i}:t"] = types[i]
                    if m.attrs:
                        out[f"m:{m.name}:{i}:a"] = attrs[i]
                yield out


def _subsets(mask: int) -> list[int]:
    """Every attribute word whose bits are among ``mask``'s.

    >>> _subsets(0b101)
    [0, 1, 4, 5]
    """
    bits = [1 << k for k in range(mask.bit_length()) if mask >> k & 1]
    return sorted(sum(c) for n in range(len(bits) + 1) for c in itertools.combinations(bits, n))


def choice_keys(path: Path, events: slice = slice(None)) -> list[str]:
    """The ``anywhere`` choices a path (its ``events``) can read, in canonical order."""
    keys = []
    for ev in path.events[events]:
        if ev.kind == "act" and ev.action is not None:
            for k, p in enumerate(getattr(ev.action, "policies", ())):
                if isinstance(p, A.Anywhere):
                    keys.append(concrete.choice_key(ev.action, k))
    return sorted(keys, key=concrete.choice_order)


def late_choices(path: Path, i: int) -> set[str]:
    """The choices a path makes only after event i."""
    return set(choice_keys(path, slice(i + 1, None))) - set(choice_keys(path, slice(i + 1)))


def greedy_run(model: Model, path: Path, i: int, target: Target, inputs: dict[str, int],
               late: set[str]) -> dict[str, int] | None:
    """``inputs`` with every ``anywhere`` choice at its lowest valid start, each in turn
    (:func:`~bootspec.engine.concrete.greedy_choices`), and the choices made only after
    event i (``late``: :func:`late_choices`) at their lowest value, 0: when that run
    fails ``target`` at event i concretely, a start for the smallest counterexample's
    search (one probe per input then shows it is the smallest), else None."""
    trial = inputs | concrete.greedy_choices(model, path, inputs) | dict.fromkeys(late, 0)
    return trial if fails(model, path, i, target, trial) else None


def lowest_failure(model: Model, paths: list[Path], at: Iterable[tuple[int, int]],
                   target: Target) -> tuple[int, int, dict[str, int]] | None:
    """The first of the events ``at`` (path index, event index; in that order) at which
    the *lowest configuration* fails ``target``, concretely: every parameter at its
    lowest value and every ``anywhere`` choice at its lowest valid start, in turn
    (docs/language.md, "Verdicts", unknown). None when it fails none of them, or when
    the model has a symbolic map (its contents have no lowest)."""
    if any(m.symbolic for m in model.maps.values()):
        return None
    low: dict[str, int] = {}
    for prm in model.params:
        v = prm.lowest()
        if v is None:
            return None
        low[f"p:{prm.name}"] = v
    if not concrete.inputs_valid(model, low):
        return None
    runs: dict[int, tuple[dict[str, int], concrete.Trace | None]] = {}
    for pi, i in sorted(at):
        if pi not in runs:
            path = paths[pi]
            inputs = dict.fromkeys(choice_keys(path), 0) | low
            try:  # the greedy run is a run too: what stops one stops both
                inputs |= concrete.greedy_choices(model, path, inputs)
                runs[pi] = inputs, concrete.run_path(model, path, inputs)
            except (KeyError, ValueError, ZeroDivisionError):
                runs[pi] = inputs, None
        inputs, trace = runs[pi]
        if trace is not None and failing(model, paths[pi], trace, i, target, inputs) is not None:
            return pi, i, inputs
    return None


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
            if len(_subsets(m.attrs)) ** m.count > MAX_ASSIGNMENTS:
                raise TooLarge(f"map {m.name} has too many attribute words")
            maps = list(_map_assignments(m))
            spaces.append(maps)
            size *= max(1, len(maps))
    for key in choice_keys(path):
        spaces.append([{key: v} for v in range(model.top + 1)])
        size *= model.top + 1
    if size > MAX_ASSIGNMENTS:
        raise TooLarge(f"{size} assignments")
    for combo in itertools.product(*spaces):
        out: dict[str, int] = {}
        for part in combo:
            out.update(part)
        yield out


def objective_key(model: Model, inputs: dict[str, int]) -> tuple[int, ...]:
    """The order in which counterexamples are minimised: parameters as declared, then
    ``anywhere`` choices by line, column and policy (map entries are not ordered)."""
    return tuple(inputs[f"p:{p.name}"] for p in model.params) + tuple(
        inputs[k] for k in sorted((k for k in inputs if k.startswith("c:")),
                                  key=concrete.choice_order))


@dataclasses.dataclass(frozen=True)
class Search:
    """What enumerating every input found: the verdict, the canonical violation (path
    index, event index, inputs), and for a vacuous one which part was never reached
    (a conjunct's index, or -1 for the whole obligation) and whether it is in scope
    statically anywhere; how many runs it took."""

    status: Status  # never "unknown": every input is enumerated
    violation: tuple[int, int, dict[str, int]] | None
    unreached: int
    in_scope: bool
    runs: int


class Runs:
    """Every valid input assignment of each path with its run. Kept (``keep``), they
    are made once and then read by every obligation of a model, each reading the same
    runs in the same order that enumerating afresh would make (the fast path: a few
    hundred runs); otherwise each is made as it is read and dropped (the brute-force
    oracle: up to millions)."""

    def __init__(self, model: Model, paths: list[Path], keep: bool = True):
        self.model, self.paths, self.keep = model, paths, keep
        self._made: dict[int, list[tuple[dict[str, int], concrete.Trace]]] = {}

    def _make(self, pi: int) -> Iterator[tuple[dict[str, int], concrete.Trace]]:
        model, path = self.model, self.paths[pi]
        for inputs in assignments(model, path):
            if concrete.inputs_valid(model, inputs):
                yield inputs, concrete.run_path(model, path, inputs)

    def of(self, pi: int) -> Iterable[tuple[dict[str, int], concrete.Trace]]:
        if not self.keep:
            return self._make(pi)
        if pi not in self._made:
            self._made[pi] = list(self._make(pi))
        return self._made[pi]


def search(model: Model, paths: list[Path], target: Target, runs: Runs | None = None
           ) -> Search:
    """Decide an obligation by running every input assignment with the concrete
    evaluator, straight from the definitions: the first failing event (paths in order,
    an event shared with an earlier path counting there), the smallest inputs there.
    ``runs``: the model's runs, shared with other obligations (made here otherwise)."""
    runs = runs if runs is not None else Runs(model, paths, keep=False)
    assert runs.model is model and runs.paths is paths
    seen: set[object] = set()
    count = 0
    parts = len(target.conjuncts) if target.kind == "proof" else 1
    reached = [False] * parts
    in_scope = [False] * parts
    for pi, path in enumerate(paths):
        at = [i for i in points(path, target) if path.events[i].key not in seen]
        part_points = ([set(conjunct_points(path, target, k)) for k in range(parts)]
                       if target.kind == "proof" else [set(points(path, target))])
        for k in range(parts):
            in_scope[k] = in_scope[k] or bool(part_points[k])
        if not any(part_points):
            continue
        best: dict[int, tuple[tuple[int, ...], dict[str, int]]] = {}
        for inputs, trace in runs.of(pi):
            count += 1
            for k in range(parts):
                if not reached[k]:
                    reached[k] = _reaches(trace, part_points[k], target)
            for i in at:
                if failing(model, path, trace, i, target, inputs) is not None:
                    key = objective_key(model, inputs)
                    if i not in best or key < best[i][0]:
                        best[i] = (key, dict(inputs))
        for i in at:
            if i in best:
                return Search("violated", (pi, i, best[i][1]), -1, True, count)
        seen.update(path.events[i].key for i in at)
    if all(reached):
        return Search("holds", None, -1, True, count)
    k = reached.index(False)
    return Search("vacuous", None, k if target.kind == "proof" else -1, in_scope[k], count)


def _reaches(trace: concrete.Trace, at: set[int], target: Target) -> bool:
    """Whether a run reaches an event in ``at``: gets past it for a property (its state
    exists), gets to it for a site or an assert; for ``wellformed``, the run exists."""
    if target.kind == "wellformed":
        return trace.valid_before[0]
    if target.finds:
        return any(trace.valid_before[i] for i in at)
    return any(trace.states[i] is not None for i in at)
