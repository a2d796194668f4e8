"""Verdicts, counterexamples and the obligations of a project: the values the engine returns.

An obligation is one (model, property) pair: the unit bootspec decides, caches and
reports. Every model has ``wellformed`` (every finding site but the expected ones),
one obligation per ``expect SITE`` line, one per stage ``assert``; every proof adds
one per model it names (docs/language.md, "Findings", "Verdicts").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bootspec.diagnostics import Span
from bootspec.lang.ir import Model, Obligation, Proof
from bootspec.lang.vocab import Status

VACUOUS_UNREACHED = "no boot path reaches the property's scope with its regions live"


@dataclasses.dataclass(frozen=True)
class RegionRow:
    name: str
    start: int
    end: int
    owner: str | None
    type: str | None
    marked: bool


@dataclasses.dataclass(frozen=True)
class Counterexample:
    path: tuple[str, ...]
    stage: str | None
    step: str  # what happened at the failing event
    span: Span | None  # the action or stage the failing event comes from
    params: tuple[tuple[str, str], ...]  # (name, value as written)
    regions: tuple[RegionRow, ...]  # sorted by address
    maps: tuple[tuple[str, tuple[tuple[int, int, str], ...]], ...]
    findings: tuple[str, ...]
    inputs: tuple[tuple[str, int], ...]  # every free input, for reproduction
    vars: tuple[tuple[str, str], ...] = ()  # state variables, flags and pool cursors
    event: int = -1  # index of the failing event on the path


#: the reason a violation carries when the search for its smallest counterexample ran out
#: of budget (docs/language.md, "Verdicts"): the map shown is a real failure, and the same
#: on every run, but a smaller one may exist
NOT_SMALLEST = ("the search for the smallest counterexample ran out of its resource budget: "
                "this one fails, a smaller one may exist")
#: the reason a violation carries when the check of an earlier step gave up: the
#: failure shown is real, but it may not be at the first failing step
NOT_FIRST = ("the check of an earlier step gave up: this failure is real, an earlier "
             "one may exist")
#: the reason of an unknown whose failing run, found through a bitwise operation on a
#: value outside 66 bits' range (docs/language.md, "C arithmetic"), does not re-run
INEXACT = ("a failure found through '&', '|' or '^' of a value outside [-2^65, 2^65) "
           "(a tainted value, after a wrap) did not re-run concretely; no exact one was found")
#: the reason a violation carries when the solver gave up and the lowest configuration,
#: run concretely, fails (docs/language.md, "Verdicts", unknown)
LOWEST = ("the solver gave up; the lowest configuration (every parameter at its lowest "
          "value, every anywhere choice at its lowest valid start) fails here: this failure "
          "is real, an earlier or smaller one may exist")


@dataclasses.dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str = ""
    counterexample: Counterexample | None = None
    core: tuple[tuple[str, Span], ...] = ()  # for holds: the constraints the proof used
    queries: int = 0
    witness: tuple[int, int, tuple[tuple[str, int], ...]] | None = None  # a reachable state
    core_minimal: bool = False  # no line of ``core`` can be left out (bootspec explain)


@dataclasses.dataclass(frozen=True)
class Result:
    obligation: Obligation
    verdict: Verdict
    seconds: float
    cached: bool = False  # taken from the proof cache (seconds is the original run's)

    @property
    def ok(self) -> bool:
        return self.verdict.status == self.obligation.expected


def obligations(models: dict[str, Model], proofs: Sequence[Proof]) -> list[Obligation]:
    """Every obligation, in a stable order: by model, then ``wellformed``, the expected
    sites (in the order of their ``expect`` lines), the asserts, then proofs by name."""
    out: list[Obligation] = []
    by_model: dict[str, list[Obligation]] = {m: [] for m in sorted(models)}
    for name in sorted(models):
        m = models[name]
        exp, span = m.expects.get("wellformed", ("holds", m.span))
        by_model[name].append(Obligation(name, "wellformed", "wellformed", exp, span))
        for site, (exp, span) in m.expects.items():
            if "@" in site:
                by_model[name].append(Obligation(name, site, "site", exp, span,
                                                 m.expect_cites.get(site)))
        for oname, _stage, line in m.asserts:
            exp, span = m.expects.get(oname, ("holds", line.span))
            by_model[name].append(Obligation(name, oname, "assert", exp, line.span, line.cite))
    for p in sorted(proofs, key=lambda p: p.name):
        for t in p.targets:
            if t.model in by_model:
                by_model[t.model].append(Obligation(t.model, p.name, "proof", t.verdict, t.span,
                                                    t.cite))
    for name in sorted(by_model):
        out.extend(by_model[name])
    return out
