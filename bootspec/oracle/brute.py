"""The brute-force oracle: decide an obligation by enumerating every input.

At a small address width (8 bits) every parameter value, every symbolic-map
entry and every ``anywhere`` choice can be enumerated; each assignment is run by
the concrete evaluator and the verdict follows directly from the definitions
(docs/language.md, "Verdicts"). It shares no code with the Z3 encoding, so a
disagreement between the two is a bug in one of them. It does share the concrete
evaluator's semantics; the reference interpreter (:mod:`bootspec.oracle.reference`,
written from the docs alone) checks those.
"""

from __future__ import annotations

from bootspec.engine.enumerate import TooLarge, objective_key, search
from bootspec.engine.paths import Path, target_of
from bootspec.lang.ir import Model, Obligation, Proof

__all__ = ["TooLarge", "brute_verdict", "canonical_violation", "objective_key"]


def brute_verdict(model: Model, paths: list[Path], ob: Obligation, proof: Proof | None) -> str:
    """holds | violated | vacuous, by exhaustive enumeration."""
    return search(model, paths, target_of(model, ob, proof)).status


def canonical_violation(model: Model, paths: list[Path], ob: Obligation, proof: Proof | None
                        ) -> tuple[int, int, dict[str, int]] | None:
    """The counterexample bootspec must report, by enumeration: the first event
    (paths in order, then events; an event shared with an earlier path counts there)
    at which some input fails the obligation, and of those inputs the one smallest by
    :func:`objective_key`. (path index, event index, inputs), or None."""
    return search(model, paths, target_of(model, ob, proof)).violation
