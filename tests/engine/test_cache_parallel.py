"""Proof cache and parallel runs: same verdicts, stable order, only edited models re-run."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import cli, load_text, reseal

from bootspec.cache import MAX_ENTRY_BYTES, Cache
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


def _edit_verdicts(folder: Path, change: Callable[[dict[str, Any]], object]) -> int:
    n = 0
    for f in folder.rglob("*.json"):
        doc = json.loads(f.read_text(encoding="utf-8"))
        if "verdict" in doc:
            change(doc)
            f.write_text(json.dumps(doc), encoding="utf-8")
            reseal(f)  # the validator must refuse it, not only the checksum
            n += 1
    return n


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *keys, last = path.split(".")
        node = doc
        for k in keys:
            node = node[k]
        node[last] = value
    return change


@pytest.mark.parametrize("change", [
    _set("verdict.status", None),  # crashed the report with a TypeError
    _set("verdict.status", "bogus"),  # was printed as a verdict
    _set("verdict.status", "unknown"),  # never written: a time-out may not recur
    lambda doc: doc["verdict"].update(status="violated", counterexample=None),  # no cex
    _set("verdict.queries", True),
    _set("verdict.queries", -1),
    _set("verdict.reason", 7),
    _set("verdict.core", [["x", {"path": "p", "line": "1", "col": 1, "end_line": 0,
                                  "end_col": 0}]]),
    _set("verdict.witness", [0, 0, [["p:a", "4096"]]]),
    _set("verdict.extra", 1),
    _set("seconds", "fast"),
    _set("seconds", -1.0),
    lambda doc: doc["verdict"].pop("reason"),
    lambda doc: doc.__setitem__("verdict", [1, 2, 3]),
], ids=["status-null", "status-bogus", "status-unknown", "no-cex", "queries-bool",
        "queries-negative", "reason-int", "core-span-str", "witness-str", "extra-field",
        "seconds-str", "seconds-negative", "no-reason", "verdict-list"])
def test_a_hand_edited_verdict_is_a_miss(tmp_path: Path, change: Callable[..., object]) -> None:
    project = load_text(TWO)
    first = check_project(project, cache=Cache(tmp_path))
    assert _edit_verdicts(tmp_path, change) == len(first)
    cache = Cache(tmp_path)
    again = check_project(project, cache=cache)
    assert cache.hits == 0 and not any(r.cached for r in again)
    assert _summary(again) == _summary(first)
    assert check_project(project, cache=Cache(tmp_path))[0].cached  # rewritten, good again


def test_a_bad_counterexample_field_is_a_miss(tmp_path: Path) -> None:
    project = load_text(TWO)
    check_project(project, cache=Cache(tmp_path))

    def change(doc: dict[str, Any]) -> None:
        cex = doc["verdict"]["counterexample"]
        if cex is not None:
            cex["regions"][0]["start"] = "0x1000"

    _edit_verdicts(tmp_path, change)
    cache = Cache(tmp_path)
    again = check_project(project, cache=cache)
    violated = [r for r in again if r.verdict.status == "violated"]
    assert violated and not any(r.cached for r in violated)
    assert cache.misses == len(violated)


def test_a_cache_entry_that_is_a_fifo_huge_or_a_deep_number_is_a_miss(tmp_path: Path) -> None:
    project = load_text(TWO)
    check_project(project, cache=Cache(tmp_path))
    files = sorted(tmp_path.rglob("*.json"))
    files[0].write_text('{"schema": 1, "key": "' + files[0].stem + '", "seconds": '
                        + "9" * 5000 + "}")  # Python refuses to read such an int
    with files[1].open("r+b") as f:
        f.truncate(MAX_ENTRY_BYTES + 1)  # sparse: refused from its size
    if hasattr(os, "mkfifo"):
        files[2].unlink()
        os.mkfifo(files[2])  # not waited on
    cache = Cache(tmp_path)
    again = check_project(project, cache=cache)
    assert cache.misses >= 2 and _summary(again) == _summary(check_project(project))


def test_a_corrupt_cache_never_changes_the_cli_report(tmp_path: Path) -> None:
    cwd = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "fw"
    clean = cli("check", "--no-timing", "--no-cache", cwd=cwd)
    cache = tmp_path / "c"
    cli("check", "--no-timing", "--cache-dir", str(cache), cwd=cwd)
    _edit_verdicts(cache, _set("verdict.status", "bogus"))
    assert cli("check", "--no-timing", "--cache-dir", str(cache), cwd=cwd) == clean


def test_a_flipped_byte_that_leaves_a_well_formed_entry_is_a_miss(tmp_path: Path) -> None:
    """The fuzz found it: a byte flipped inside a string ('line' -> 'l*ne') leaves valid
    JSON and a well-formed verdict, believed until entries carried a checksum."""
    project = load_text(TWO)
    first = check_project(project, cache=Cache(tmp_path))
    for f in tmp_path.rglob("*.json"):
        text = f.read_text(encoding="utf-8")
        f.write_text(text.replace('"holds"', '"hol*s"').replace("line", "l*ne")
                     .replace('"queries": 1', '"queries": 2'), encoding="utf-8")
    cache = Cache(tmp_path)
    again = check_project(project, cache=cache)
    assert cache.hits == 0 and _summary(again) == _summary(first)
