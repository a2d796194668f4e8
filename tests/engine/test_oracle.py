"""The engine against two oracles: generated 8-bit models, every input enumerated.

Every obligation of every generated model is decided three times: by bootspec (Z3
on the path encoding, counterexamples re-run concretely), by exhaustive
enumeration through the concrete evaluator (bootspec.oracle.brute), and by the
reference interpreter written from docs/language.md alone
(bootspec.oracle.reference). Verdicts and canonical counterexamples must agree.
The fast tier runs a slice of seeds; ``-m slow`` and ``bootspec soak`` run many
more.
"""

from __future__ import annotations

import pytest
from helpers import REPO, decided_alone

from bootspec.engine.check import ModelChecker
from bootspec.oracle import soak
from bootspec.oracle.brute import brute_verdict
from bootspec.oracle.gen import generate
from bootspec.pipeline import Project, discover, load


def _compare(seed: int, use_reference: bool = True) -> list[str]:
    text = generate(seed)
    _, bad, _, msgs = soak.compare(text, use_reference)  # the engine vs the oracles
    return [f"seed {seed}: {m}\n{text}" for m in msgs] if bad else []


@pytest.mark.parametrize("seed", range(14))
def test_agrees_with_both_oracles(seed: int) -> None:
    assert _compare(seed) == []


# seeds the soak once found in disagreement, each kept as a regression:
# 60014: Z3's probes for the smallest counterexample ran out of budget (nonlinear
# sizes); on a model evaluation can enumerate, the engine now enumerates instead;
# 53401: the same with a symbolic map (not enumerable): the parameters' value tuples
# are tried in order, each query with all of them fixed
@pytest.mark.parametrize("seed", [60014, 53401])
def test_agrees_with_both_oracles_where_the_soak_once_did_not(seed: int) -> None:
    assert _compare(seed) == []


@pytest.mark.slow
def test_agrees_with_both_oracles_many() -> None:
    problems = [p for seed in range(14, 400) for p in _compare(seed)]
    assert problems == []


def test_generator_covers_every_verdict() -> None:
    """The oracle is only worth something if generated models reach every verdict."""
    seen: set[str] = set()
    for seed in range(40):
        project = load([], [(f"g{seed}.boot", generate(seed))])
        for ob in project.obligations():
            model = project.models[ob.model]
            proof = project.proof_of(ob)
            seen.add(brute_verdict(model, project.paths[ob.model], ob, proof))
        if seen == {"holds", "violated", "vacuous"}:
            break
    assert seen == {"holds", "violated", "vacuous"}


SHAPES = {  # what the generator must produce (the shapes behind past false proofs)
    "conjunction over regions with different lifetimes": r"always disjoint\(\w+, \w+, \w+\)"
                                                         r"|always disjoint\(\w+, \w+\) and",
    "a region freed and placed again": r"free (r\d+)\n  place \1 ",
    "reserve, then allocate from the map": r"reserve \w+ in mm as \w+\n  place r\d+ size 16 "
                                           r"(topdown|bottomup) in mm",
    "a where on the map's segment": r"where entry\.",
    "an anywhere that may not fit": r"anywhere .*(below b - 16|size 96|size a \+ 16)",
    "a size that may wrap": r"size (b - a|a - 32)",
    "a guarded subtraction": r"if \w+ > \w+ then \w+ - \w+|implies cur - 16|and cur - b",
    "an expected finding site": r"expect fits@L\d+",
    "insert in a design change": r"insert (before|after) place",
    "replace in a design change": r"replace place",
    "a named assume": r"assume ok\d+:",
    "C bitwise arithmetic": r"& ~15",
    "bitwise or and exclusive or": r"\(cur \| 8\) \^ a",
    "a left shift inside a wider modulus, a remainder": r"u16\(cur << 9\) % 200",
    "a 32-bit wrap shifted down": r"u32\(a - cur\) >> 28",
    "a shift by a parameter": r"1 << sh",
    "modular arithmetic": r"u8\(",
    "a division that may be by 0": r"/ \(b - 16\)",
    "a product of two parameters": r"a \* b",
    "a quantifier over a map": r"forall e in mm|exists e in mm",
    "an aggregate over a map": r"count\(e in mm|sum\(e\.size for e in mm",
    "a map predicate negated or assumed": r"not within\(\w+, mm types",
    "a region set": r" minus | union ",
    "attributes in a where": r"entry\.attrs",
    "convert": r"convert mm types",
    "translate into a derived map": r"translate mm to dd",
    "a for loop": r"for i in \[0, 2\)",
    "a fragment used": r"use bump\(",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_generator_produces_the_shapes(shape: str) -> None:
    import re
    assert any(re.search(SHAPES[shape], generate(seed)) for seed in range(300)), shape


MAP_SEEDS = [s for s in range(80) if "symbolic" in generate(s)][:6]


@pytest.mark.parametrize("seed", MAP_SEEDS)
def test_big_map_strategy_agrees_with_brute_force(seed: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat the generated 2-entry maps as 'big': the abstract proof, the small-map
    counterexample search with padding and the exact fallback must still agree."""
    import bootspec.engine.check as check_mod
    monkeypatch.setattr(check_mod, "SMALL_MAP", 1)
    assert _compare(seed, use_reference=False) == []


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


@pytest.mark.long
def test_deciding_together_is_deciding_alone_on_the_shipped_models() -> None:
    project = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
    assert _batch_vs_single(project, fast=True) == []
