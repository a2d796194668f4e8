"""The benchmark runs (a smoke test at small sizes; figures are not asserted)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bootspec import bench


@pytest.mark.long
def test_scaling_workloads_run_and_agree_with_the_naive_encoding() -> None:
    out = io.StringIO()
    bench.bench_scaling(out, [4, 16], naive_max=16)
    text = out.getvalue()
    assert "holds (naive: holds)" in text
    assert "violated (naive: violated)" in text
    assert "time ~ N^" in text


@pytest.mark.long
def test_regions_workload_runs() -> None:
    out = io.StringIO()
    bench.bench_regions(out, [4], naive_max=4)
    assert "holds (naive: holds)" in out.getvalue()


def test_missing_corpus_is_reported_not_fatal(tmp_path: Path) -> None:
    out = io.StringIO()
    bench.bench_machines(out, tmp_path / "nope", 1)
    assert "not found" in out.getvalue()


@pytest.mark.long
def test_machines_workload_runs_on_two_real_maps(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from helpers import REPO

    # the project's own machine fixtures: no corpus needed beside the checkout
    fixtures = REPO / "tests" / "memmap" / "fixtures" / "machines"
    for name in ("clean-efi.txt", "e820-desktop.txt"):
        shutil.copy(fixtures / name, tmp_path / name)
    monkeypatch.chdir(REPO)  # the shipped models
    out = io.StringIO()
    bench.bench_machines(out, tmp_path, None, jobs=1)
    text = out.getvalue()
    assert "(2 files)" in text and "in a sweep (median)" in text and "with sample runs" in text
    assert "cache of runs on other maps" in text and "corpus again" in text
    assert "first run into an empty cache" in text


def test_startup_row_runs() -> None:
    out = io.StringIO()
    bench.bench_startup(out, 1)
    assert "bootspec --version" in out.getvalue()


def test_warm_suite_row_runs() -> None:
    """On one small model (the bench itself runs the shipped suite)."""
    root = Path(__file__).resolve().parents[2]
    out = io.StringIO()
    bench.bench_warm_suite(out, 1, [str(root / "models" / "entry_paths.boot"),
                                    str(root / "proofs" / "entry_paths.proof")])
    assert "bootspec check, warm cache" in out.getvalue()
