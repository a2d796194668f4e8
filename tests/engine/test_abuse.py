"""Slices of the abuse runs: fuzzed inputs never crash, runs are byte-identical."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, load_text
from hypothesis import given, settings
from hypothesis import strategies as st

from bootspec.diagnostics import BootspecError
from bootspec.oracle import hostile, soak

CORPUS = REPO.parent / "shared" / "data" / "memmaps"


def test_fuzz_slice_has_no_traceback_and_no_hang() -> None:
    out = io.StringIO()
    status = soak.fuzz(150, 60, 1, REPO, CORPUS, out)
    assert status == 0, out.getvalue()
    assert "0 tracebacks, 0 hangs" in out.getvalue()


HOSTILE = tuple(hostile.FAMILIES)


@pytest.mark.long
def test_hostile_slice_ends_every_case_in_a_located_error_or_a_correct_run() -> None:
    out = io.StringIO()
    status = soak.fuzz(0, 0, 1, REPO, CORPUS, out, hostile=len(HOSTILE) * 20, signals=2,
                       families=HOSTILE)
    assert status == 0, out.getvalue()
    assert "in all 0 tracebacks, 0 hangs, 0 unbounded reads, 0 path problems, 0 cache " \
        "lies, 0 workers left behind" in out.getvalue()
    assert "102 hostile cases (20 device, 20 path, 20 expression, 20 literal, 20 cache, " \
        "2 signal" in out.getvalue()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_is_a_model_or_a_located_error(text: str) -> None:
    try:
        load_text("model m\n  width 32\nstage s\n" + text)
    except BootspecError as e:
        assert all(d.code.startswith("BS") for d in e.diagnostics)


def test_shrink_keeps_a_disagreement_and_drops_the_rest(monkeypatch: object) -> None:
    calls = {"n": 0}

    def fake_compare(text: str) -> tuple[int, int, int, list[str]]:
        calls["n"] += 1
        load_text(text)  # must still load
        return 1, int("place bad" in text), 0, []

    monkeypatch.setattr(soak, "compare", fake_compare)  # type: ignore[attr-defined]
    text = "model m\n  width 8\nparam a in [0, 9]\nstage s\n  place ok size 1 at 0\n" \
           "  place bad size 1 at 2\n"
    small = soak.shrink(text)
    assert "place bad" in small and "place ok" not in small and "param a" not in small


def _run_check(cwd: Path, seed: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-m", "bootspec.cli", "check", "--no-timing",
                           "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          check=False).stdout


@pytest.mark.long
def test_same_input_same_report_in_another_folder_and_hash_seed(tmp_path: Path) -> None:
    for d in ("models", "proofs"):
        shutil.copytree(REPO / d, tmp_path / d)
    first = _run_check(REPO, "0")
    assert first and b"every verdict as expected" in first
    assert _run_check(tmp_path, "12345") == first
