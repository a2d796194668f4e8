"""The shipped models and proofs: every expectation (from the cited boot-code history,
written beside each proof) drives one parametrized test."""

from __future__ import annotations

import functools

import pytest
from helpers import REPO

from bootspec.engine.check import ModelChecker
from bootspec.lang.ir import Obligation
from bootspec.pipeline import Project, discover, load


@functools.lru_cache(maxsize=1)
def _project() -> Project:
    return load(discover([str(REPO / "models"), str(REPO / "proofs")]))


def _obligations() -> list[Obligation]:
    return _project().obligations()


@functools.cache
def _checker(model: str) -> ModelChecker:
    p = _project()
    return ModelChecker(p.models[model], p.paths[model])


@pytest.mark.parametrize("ob", _obligations(), ids=lambda o: f"{o.model}/{o.name}")
def test_verdict_matches_expectation(ob: Obligation) -> None:
    p = _project()
    verdict = _checker(ob.model).decide(ob, p.proof_of(ob))
    assert verdict.status == ob.expected, (verdict.reason, verdict.counterexample)


def test_every_seed_scenario_is_modelled() -> None:
    names = set(_project().models)
    for prefix in ("hvmloader_ovmf", "ovmf_pvh", "xen_early_alloc", "xen_reloc",
                   "entry_paths", "xen_trampoline", "xen_kdump", "xen_pvh_dom0",
                   "hvmloader_relocate", "xen_efi_memmap",
                   "ovmf_pei_memory"):
        assert any(n.startswith(prefix) for n in names), prefix


def test_every_violated_expectation_and_model_cites_its_source() -> None:
    p = _project()
    for model in p.models.values():
        assert model.cites or "cite" in p.sources[model.path], model.name
    for proof in p.proofs:
        text = p.sources[proof.path]
        assert "cite" in text, proof.name
