"""Golden outputs of every report format, on the small fixture projects.

Each case runs the CLI as a user would (in the fixture folder, ``--no-timing``)
and compares the output byte for byte with ``tests/report/golden``; run
``pytest --update-goldens`` after an intended change and review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bootspec.report.registry import TABLE

FIXTURES = Path(__file__).parent / "fixtures"
FW = FIXTURES / "fw"
Runner = Callable[..., tuple[int, str, str]]
Golden = Callable[[str, str], None]

EXT = {f.name: f.extension for f in TABLE}
FORMATS = tuple(EXT)


@pytest.mark.parametrize("fmt", FORMATS)
def test_check(fmt: str, run: Runner, golden: Golden) -> None:
    status, out, err = run("check", "--no-timing", "--format", fmt)
    assert (status, err) == (1, ""), err  # the fixture has two stale expectations
    golden(f"check.{EXT[fmt]}", out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_explain_violated(fmt: str, run: Runner, golden: Golden) -> None:
    status, out, err = run("explain", "fw_vs_info", "-m", "fw_old", "--format", fmt)
    assert (status, err) == (0, ""), err  # violated, as expected
    golden(f"explain-violated.{EXT[fmt]}", out)


@pytest.mark.parametrize("fmt", ["text", "md", "json", "html"])
def test_explain_holds_shows_the_core(fmt: str, run: Runner, golden: Golden) -> None:
    status, out, err = run("explain", "fw_vs_info", "-m", "fw_new", "--format", fmt)
    assert (status, err) == (0, ""), err
    assert "the proof reads" in out.lower() or "\"core\": [" in out
    golden(f"explain-holds.{EXT[fmt]}", out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_diff_folders(fmt: str, run: Runner, golden: Golden) -> None:
    status, out, err = run("diff", "diff/base", "diff/head", "--format", fmt, cwd=FIXTURES)
    assert (status, err) == (1, ""), err  # fw_vs_info went from holds to violated
    golden(f"diff.{EXT[fmt]}", out)


def test_graph_dot(run: Runner, golden: Golden) -> None:
    status, out, err = run("graph", cwd=FIXTURES / "graph")
    assert (status, err) == (0, ""), err
    assert '[label="when boot == bios"]' in out  # an edge carries its target's guard
    golden("graph.dot", out)
    status, one, err = run("graph", "-m", "fw_new", cwd=FW)
    assert status == 0 and 'label="model fw_new"' in one and "cluster" not in one
    golden("graph-fw_new.dot", one)
