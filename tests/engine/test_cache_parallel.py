"""Proof cache and parallel runs: same verdicts, stable order, only edited models re-run."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from helpers import load_text

from bootspec.cache import Cache
from bootspec.pipeline import check_project

TWO = """model a
  width 32
param s in {4KiB, 8KiB}
stage st
  place x size s at 0xFFFFF000
model b
  width 32
stage st
  place y size 4KiB at 0x1000
proof pa
  for a expect violated
  always below(x, 4GiB)
proof pb
  for b expect holds
  always below(y, 1MiB)
"""


def _summary(results: list) -> list[tuple[str, str, str]]:
    return [(r.obligation.model, r.obligation.name, r.verdict.status) for r in results]


def test_warm_run_comes_from_the_cache(tmp_path: Path) -> None:
    project = load_text(TWO)
    cold = check_project(project, cache=Cache(tmp_path))
    assert not any(r.cached for r in cold)
    warm = check_project(project, cache=Cache(tmp_path))
    assert all(r.cached for r in warm)
    assert _summary(warm) == _summary(cold)
    assert [r.verdict.counterexample for r in warm] == [r.verdict.counterexample for r in cold]


def test_editing_one_model_reruns_only_its_obligations(tmp_path: Path) -> None:
    check_project(load_text(TWO), cache=Cache(tmp_path))
    edited = load_text(TWO.replace("place y size 4KiB at 0x1000", "place y size 4KiB at 0x2000"))
    results = check_project(edited, cache=Cache(tmp_path))
    rerun = {r.obligation.model for r in results if not r.cached}
    assert rerun == {"b"}


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    project = load_text(TWO)
    check_project(project, cache=Cache(tmp_path))
    for f in tmp_path.rglob("*.json"):
        f.write_text("{not json", encoding="utf-8")
    again = check_project(project, cache=Cache(tmp_path))
    assert not any(r.cached for r in again)
    assert _summary(again) == _summary(check_project(project))


def test_parallel_runs_keep_the_order_and_the_verdicts() -> None:
    project = load_text(TWO)
    serial = check_project(project)
    with ProcessPoolExecutor(max_workers=2) as pool:  # any concurrent.futures executor
        par = check_project(project, executor=pool)
    assert _summary(par) == _summary(serial)
    assert _summary(check_project(project, jobs=2)) == _summary(serial)
