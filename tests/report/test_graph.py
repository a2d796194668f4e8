"""bootspec graph: DOT always, SVG through Graphviz when it is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import cli

GRAPH = Path(__file__).parent / "fixtures" / "graph"


def test_unknown_model() -> None:
    status, out, err = cli("graph", "entyr", cwd=GRAPH)
    assert status == 2 and out == "" and "error[BS007]" in err and "'entry'" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_svg_with_graphviz() -> None:
    status, out, err = cli("graph", "entry", "--format", "svg", cwd=GRAPH)
    assert status == 0 and not err
    assert "<svg" in out and "when boot == bios" in out


def test_svg_without_graphviz_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    status, out, err = cli("graph", "--format", "svg", cwd=GRAPH)
    assert status == 2 and out == ""
    assert "error[BS009]" in err and "graphviz" in err.lower() and "--format dot" in err
