"""The engine against brute force: generated 8-bit models, every input enumerated.

Every obligation of every generated model is decided twice: by bootspec (Z3 on
the path encoding, counterexamples re-run concretely) and by exhaustive
enumeration (bootspec.oracle.brute). The verdicts must agree. The fast tier runs
a slice of seeds; ``-m slow`` runs many more.
"""

from __future__ import annotations

import pytest
from helpers import REPO, decided_alone

from bootspec.engine.check import ModelChecker
from bootspec.oracle import soak
from bootspec.oracle.brute import brute_verdict
from bootspec.oracle.gen import generate
from bootspec.pipeline import Project, discover, load


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
            proof = project.proof_of(ob)
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


def _batch_vs_single(project: Project, fast: bool) -> list[str]:
    """decide_all (one context, one query for many obligations) must give exactly what
    decide gives each obligation alone: verdict, reason and counterexample."""
    out = []
    for name, model in sorted(project.models.items()):
        items = [(ob, project.proof_of(ob))
                 for ob in project.obligations() if ob.model == name]
        together = ModelChecker(model, project.paths[name], fast=fast).decide_all(items)
        for (ob, _), (v, _) in zip(items, together, strict=True):
            alone = decided_alone(project, ob, fast)
            if (v.status, v.reason, v.counterexample) != alone:
                out.append(f"{name}/{ob.name}: together {v.status} {v.counterexample}, "
                           f"alone {alone[0]} {alone[2]}")
    return out


@pytest.mark.parametrize("seed", range(0, 40, 2))
def test_deciding_together_is_deciding_alone(seed: int) -> None:
    assert _batch_vs_single(load([], [("g.boot", generate(seed))]), fast=False) == []


def test_deciding_together_is_deciding_alone_on_the_shipped_models() -> None:
    project = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
    assert _batch_vs_single(project, fast=True) == []
