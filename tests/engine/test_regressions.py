"""Every shrunk disagreement ever found (``bootspec soak --keep``) stays a test: bootspec
and brute force must agree on it, and its written expectations must hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import load_text

from bootspec.engine.check import ModelChecker
from bootspec.oracle import soak

CASES = sorted((Path(__file__).parent / "regressions").glob("*.boot"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_regression_input(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    _, bad, _, msgs = soak.compare(text)
    assert bad == 0, msgs
    project = load_text(text, case.name)
    for ob in project.obligations():
        v = ModelChecker(project.models[ob.model], project.paths[ob.model], fast=False).decide(
            ob, project.proof_of(ob))
        assert v.status == ob.expected, (ob.name, v)
