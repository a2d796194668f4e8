"""bootspec graph: DOT always, SVG through Graphviz when it is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import cli

GRAPH = Path(__file__).parent / "fixtures" / "graph"


def test_unknown_model() -> None:
    status, out, err = cli("graph", "-m", "entyr", cwd=GRAPH)
    assert status == 2 and out == "" and "error[BS007]" in err and "'entry'" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_svg_with_graphviz() -> None:
    status, out, err = cli("graph", "-m", "entry", "--format", "svg", cwd=GRAPH)
    assert status == 0 and not err
    assert "<svg" in out and "when boot == bios" in out


def test_svg_without_graphviz_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    status, out, err = cli("graph", "--format", "svg", cwd=GRAPH)
    assert status == 2 and out == ""
    assert "error[BS009]" in err and "graphviz" in err.lower() and "--format dot" in err


def test_every_guard_is_on_an_edge() -> None:
    """A root's guard labels the edge from the start dot, never the root's box."""
    from helpers import load_text

    from bootspec.report.graph import dot_source
    project = load_text("model m\n  width 32\nparam boot : enum {bios, efi}\n"
                        "stage a when boot == bios\n  place x size 4KiB at 0x1000\n"
                        "stage b when boot == efi\n  place y size 4KiB at 0x2000\n"
                        "stage c after a, b\n")
    dot = dot_source(project, "m")
    assert '"(boot)" -> "a" [label="when boot == bios"];' in dot
    assert '"(boot)" -> "b" [label="when boot == efi"];' in dot
    nodes = [line for line in dot.splitlines() if "[label=" in line and "->" not in line]
    assert len(nodes) == 3 and not any("when" in n for n in nodes)


def test_all_models_wrap_three_to_a_row() -> None:
    """Each model hangs under the one three before it (an invisible edge from its last
    stages), so the picture grows down, not one row wide."""
    from helpers import load_text

    from bootspec.report.graph import COLUMNS, dot_source
    text = "".join(f"model m{i}\n  width 32\nstage s\n  place r size 4KiB at 0x1000\n"
                   f"stage t after s\n" for i in range(7))
    dot = dot_source(load_text(text))
    hung = [line.strip() for line in dot.splitlines() if "style=invis" in line]
    assert COLUMNS == 3 and hung == [f'"m{i}/t" -> "m{i + 3}/(boot)" [style=invis];'
                                     for i in range(4)]
