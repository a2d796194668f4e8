"""The engine against brute force: generated 8-bit models, every input enumerated.

Every obligation of every generated model is decided twice: by bootspec (Z3 on
the path encoding, counterexamples re-run concretely) and by exhaustive
enumeration (bootspec.oracle.brute). The verdicts must agree. The fast tier runs
a slice of seeds; ``-m slow`` runs many more.
"""

from __future__ import annotations

import pytest

from bootspec.oracle import soak
from bootspec.oracle.brute import brute_verdict
from bootspec.oracle.gen import generate
from bootspec.pipeline import load


def _compare(seed: int) -> list[str]:
    text = generate(seed)
    _, bad, _, msgs = soak.compare(text)  # bootspec (solver path) vs brute force
    return [f"seed {seed}: {m}\n{text}" for m in msgs] if bad else []


@pytest.mark.parametrize("seed", range(24))
def test_agrees_with_brute_force(seed: int) -> None:
    assert _compare(seed) == []


@pytest.mark.slow
def test_agrees_with_brute_force_many() -> None:
    problems = [p for seed in range(24, 400) for p in _compare(seed)]
    assert problems == []


def test_generator_covers_every_verdict() -> None:
    """The oracle is only worth something if generated models reach every verdict."""
    seen = set()
    for seed in range(10):
        project = load([], [(f"g{seed}.boot", generate(seed))])
        for ob in project.obligations():
            model = project.models[ob.model]
            proof = project.proof(ob.name) if ob.kind == "proof" else None
            seen.add(brute_verdict(model, project.paths[ob.model], ob, proof))
    assert seen == {"holds", "violated", "vacuous"}


MAP_SEEDS = [s for s in range(80) if "symbolic" in generate(s)][:16]


@pytest.mark.parametrize("seed", MAP_SEEDS)
def test_big_map_strategy_agrees_with_brute_force(seed: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat the generated 2-entry maps as 'big': the abstract proof, the small-map
    counterexample search with padding and the exact fallback must still agree."""
    import bootspec.engine.check as check_mod
    monkeypatch.setattr(check_mod, "SMALL_MAP", 1)
    assert _compare(seed) == []
