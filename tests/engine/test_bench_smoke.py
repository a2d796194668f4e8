"""The benchmark runs (a smoke test at small sizes; figures are not asserted)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bootspec import bench, bench_anchor


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
    assert "whole process, warm" in text


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


def test_missing_anchors_are_reported_not_fatal(tmp_path: Path) -> None:
    out = io.StringIO()
    bench_anchor.bench_anchor_chain(out, tmp_path / "nope", [4], 1)
    assert "skipped: no anchor encodings" in out.getvalue()


@pytest.mark.long
def test_the_log_and_chain_workloads_run(tmp_path: Path) -> None:
    """The log row (whole processes) and the chain row: bootspec's answer for the
    anchor's instance, whatever the speed (the anchor itself runs only where the
    shared anchors are)."""
    out = io.StringIO()
    bench.bench_log(out, [200], 1)
    assert "N = 200 lines" in out.getvalue() and "MB peak" in out.getvalue()
    regs, x = [(0x1000, 0x1000), (0x2000, 0x10000)], (0x100000, 0x1000)
    lo = 0x1_0000_0000
    text = bench_anchor.chain_model(regs, x, lo, lo + 0x400000, "sat")
    status, _ = bench._decide(text, "q", naive=False)
    assert status == "violated"  # a placement of all three exists: the counterexample
    text = bench_anchor.chain_model(regs, x, lo, lo + 0x100000, "unsat")
    status, _ = bench._decide(text, "q", naive=False)
    assert status == "holds"  # the chain fits in 1 MiB, x never does: it stays empty


@pytest.mark.long
def test_the_stages_model_gives_the_anchors_answers() -> None:
    """The bench's bootspec model of the anchor's exp3 answers as the anchor's own
    formula does (anchors/cell.py, strategy 'assume', integers): the correct allocator
    keeps the invariant at every step; the buggy one keeps it for four steps and
    breaks it first at step 5."""
    verdicts, _ = bench_anchor.decide_all(bench_anchor.stages_model(5, buggy=False))
    assert verdicts == {"wellformed": "holds", "inv": "holds"}
    verdicts, _ = bench_anchor.decide_all(bench_anchor.stages_model(4, buggy=True))
    assert verdicts["inv"] == "holds"
    from bootspec.engine.check import ModelChecker
    from bootspec.pipeline import load
    project = load([], [("b.boot", bench_anchor.stages_model(5, buggy=True))])
    ob = next(o for o in project.obligations() if o.name == "inv")
    v = ModelChecker(project.models["bump"], project.paths["bump"]).decide(
        ob, project.proof_of(ob))
    assert v.status == "violated" and v.counterexample is not None
    assert v.counterexample.stage == "s5"


def test_missing_anchors_skip_the_stages_row(tmp_path: Path) -> None:
    out = io.StringIO()
    bench_anchor.bench_anchor_stages(out, tmp_path / "nope", [2], 1)
    assert "skipped: no anchor encodings" in out.getvalue()
