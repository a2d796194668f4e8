"""The lines a proof reads, for ``bootspec explain`` (docs/language.md, "Why a proof holds").

Needs: a :class:`~bootspec.engine.check.ModelChecker` that has just proved an
obligation with named definitions (``decide(want_core=True)``: every region a line
places, every variable it sets and every range it reserves is a constant defined by
a constraint labelled with that line), the plan it proved, and Z3's unsat cores.
Guarantees: a set of source lines whose labelled constraints alone, with the
negated property, are unsatisfiable at every point the plan checks — so the
property holds whatever the lines left out do — from which no single line can be
removed (each removal was tried; a query that came back unknown keeps its line,
marked :data:`UNDECIDED`).

Z3's cores are sufficient but rarely minimal: a placement that avoids three regions
reads all three, yet a disjointness proof usually needs only the avoiding line.
Deletion over *lines* (not over the many constraints one line makes) is what turns
the core into the answer a reviewer wants: which lines make the patch work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import z3

from bootspec.diagnostics import Span
from bootspec.engine.encode import MEANING
from bootspec.engine.solver import MINIMIZE_RLIMIT, check, make_solver, set_rlimit
from bootspec.engine.terms import Labeled, Seen

if TYPE_CHECKING:
    from bootspec.engine.check import ModelChecker, Plan

Line = tuple[str, int]  # (file, line)
#: said of a line kept because whether the proof needs it was not decided in budget
UNDECIDED = " (perhaps not needed: the query without it ran out of its budget)"


def line_of(span: Span) -> Line:
    return (span.path, span.line)


class _PathQueries:
    """One path's points as queries over literals, one literal per labelled constraint."""

    def __init__(self, checker: ModelChecker, plan: Plan, pi: int, want: set[int],
                 abstract: bool):
        enc = checker.encoding(pi, abstract)
        self.solver = make_solver(checker.limits)
        set_rlimit(self.solver, min(checker.limits.rlimit, 4 * MINIMIZE_RLIMIT))
        self.lits: list[tuple[z3.BoolRef, int, Line]] = []  # literal, event (-1: base), line
        self.inclusive = plan.inclusive
        for lab in enc.base:
            self._track(lab.term, -1, line_of(lab.span), lab.label)
        for i in range(max(want) + 1):
            for lab in enc.constraints[i]:
                self._track(lab.term, i, line_of(lab.span), lab.label)
        self.points: list[tuple[int, z3.BoolRef]] = []
        self.failed = 0  # the index of the point that failed last
        self.gave_up = False
        seen: Seen = {}
        for i in sorted(want):
            fails = checker.fails_term(enc, pi, i, plan.target, seen)
            if fails is None:
                continue
            q = z3.Bool(f"why:q{i}")
            self.solver.add(z3.Implies(q, fails))
            self.points.append((i, q))
        # facts about fresh witness entries: no user's line, always present
        self.solver.add([lab.term for lab in enc.encoder.side])
        enc.encoder.side = []

    def _track(self, term: z3.BoolRef, event: int, line: Line, label: str = "") -> None:
        if label == MEANING:  # true in every run, whatever line is left out
            self.solver.add(term)
            return
        t = z3.Bool(f"why:{len(self.lits)}")
        self.solver.add(z3.Implies(t, term))
        self.lits.append((t, event, line))

    def proves(self, lines: set[Line]) -> set[Line] | None:
        """The lines of the cores when ``lines`` prove every point, else None (and
        ``self.gave_up`` when a query came back unknown rather than satisfiable)."""
        used: set[Line] = set()
        # the point that failed last is the likeliest to fail again: it goes first
        order = self.points[self.failed:] + self.points[:self.failed]
        for k, (i, q) in enumerate(order):
            on = {t.get_id(): (t, ln) for t, ev, ln in self.lits if ln in lines
                  and (ev < i or (ev == i and self.inclusive))}
            out = check(self.solver, *(t for t, _ in on.values()), q, want_core=True)
            if out.status != "unsat":
                self.failed = (self.failed + k) % len(self.points)
                self.gave_up = out.status == "unknown"
                return None
            names = set(out.core)
            used |= {ln for t, ln in on.values() if str(t) in names}
        return used


def minimal_lines(checker: ModelChecker, plan: Plan, abstract: bool,
                  core: Iterable[tuple[str, Span]]) -> tuple[tuple[str, Span], ...]:
    """The entries of ``core`` on a minimal set of lines that still prove ``plan``
    (the whole core when even it does not, e.g. a query came back unknown)."""
    core = tuple(core)
    by_path: dict[int, set[int]] = {}
    for pi, i in plan.points:
        by_path.setdefault(pi, set()).add(i)
    paths = [_PathQueries(checker, plan, pi, by_path[pi], abstract) for pi in sorted(by_path)]
    keep = {line_of(span) for _, span in core}
    undecided: set[Line] = set()  # kept because dropping it was not decided in budget
    proved = False  # keep is the union of the cores of a proof found here
    for ln in sorted(keep):  # in source order; each proof found shrinks what is left
        if ln not in keep:
            continue
        used = _proves_all(paths, keep - {ln})
        if used is not None:
            keep, proved = used, True
        elif paths[0].gave_up:
            undecided.add(ln)
    if not proved and _proves_all(paths, keep) is None:
        return core
    return tuple((label + UNDECIDED if line_of(span) in undecided else label, span)
                 for label, span in core if line_of(span) in keep)


def _proves_all(paths: list[_PathQueries], lines: set[Line]) -> set[Line] | None:
    used: set[Line] = set()
    for k, p in enumerate(paths):
        got = p.proves(lines)
        if got is None:
            paths.insert(0, paths.pop(k))  # the path that failed goes first next time
            return None
        used |= got
    return used


class Tracked:
    """A solver whose constraints are asserted behind literals when an unsat core is
    wanted (each literal names its labelled constraint), else plainly."""

    def __init__(self, solver: z3.Solver, want_core: bool, prefix: str):
        self.solver, self.want_core, self.prefix = solver, want_core, prefix
        self.tracks: list[z3.BoolRef] = []
        self.labels: dict[str, Labeled] = {}

    def add(self, items: list[Labeled]) -> None:
        for lab in items:
            if self.want_core:
                t = z3.Bool(f"{self.prefix}{len(self.tracks)}")
                self.tracks.append(t)
                self.labels[str(t)] = lab
                self.solver.add(z3.Implies(t, lab.term))
            else:
                self.solver.add(lab.term)


def collect(core: tuple[str, ...], labels: dict[str, Labeled],
            out: dict[str, tuple[str, Span]]) -> None:
    """Add the labelled constraints of an unsat core to ``out`` (by span and label)."""
    for name in core:
        lab = labels.get(name)
        if lab is not None and lab.label != MEANING:  # a fact, no line's
            key = f"{lab.span}:{lab.label}"
            out[key] = (lab.label, lab.span)
