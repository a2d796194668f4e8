"""The warm path of ``memmap check`` (bootspec/warm.py): when neither the models nor the
maps nor the options changed since a run that read every machine's report from the
cache, that run's output is printed again without parsing or checking anything,
byte for byte; anything changed runs the normal path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import cli

import bootspec.sweep.cli
from bootspec import warm

FIX = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture models and machines in a folder of their own, and a cache folder of
    this test's own (the default one under ``$XDG_CACHE_HOME``)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shutil.copytree(FIX / "models", tmp_path / "models")
    shutil.copytree(FIX / "machines", tmp_path / "machines")
    return tmp_path


class Normal:
    """Counts the runs that took the normal path (the warm path never enters it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.n = 0
        real = bootspec.sweep.cli.run_check

        def counting(*a: object, **k: object) -> int:
            self.n += 1
            return real(*a, **k)  # type: ignore[arg-type]
        monkeypatch.setattr(bootspec.sweep.cli, "run_check", counting)


MODELS = ("--path", "models", "-m", "low_alloc", "-m", "low_alloc_trusting", "-m",
          "low_tramp")


def check(*argv: str, cwd: Path) -> tuple[int, str, str]:
    return cli("memmap", "check", *argv, *MODELS, cwd=cwd)


@pytest.mark.parametrize("extra", [(), ("--no-timing",), ("--format", "md"), ("-q",),
                                   ("--details",), ("--format", "junit")])
def test_a_run_with_every_report_cached_is_printed_again_as_it_was(
        work: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...]) -> None:
    normal = Normal(monkeypatch)
    first = check("machines", *extra, cwd=work)  # checks, caches each machine's report
    assert first[0] == 1, first[2]  # the R820-like machine is not acceptable
    second = check("machines", *extra, cwd=work)  # every report from the cache
    assert normal.n == 2
    third = check("machines", *extra, cwd=work)
    assert normal.n == 2, "nothing changed: the warm path"
    assert third == second
    fourth = check("machines", *extra, cwd=work)
    assert normal.n == 2 and fourth == second


def test_anything_changed_runs_the_normal_path(work: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    normal = Normal(monkeypatch)

    def warm_again() -> int:
        """Runs until the warm path serves (at most three); how many normal runs it took."""
        before = normal.n
        for _ in range(3):
            n = normal.n
            check("machines", cwd=work)
            if normal.n == n:
                return normal.n - before
        raise AssertionError("the warm path never served")

    assert warm_again() == 2
    # a map's bytes
    m = work / "machines" / "clean-efi.txt"
    m.write_bytes(m.read_bytes() + b"\n")
    assert warm_again() == 2  # the changed machine is checked again, then all cached
    # a model's bytes
    f = work / "models" / "low_alloc.boot"
    f.write_text(f.read_text() + "\n# edited\n")
    assert warm_again() == 1  # a comment: the reports (keyed by the models) are cached
    # a map more in the folder
    shutil.copy(work / "machines" / "clean-efi.txt", work / "machines" / "copy-efi.txt")
    assert warm_again() == 2  # the new machine is checked, then all cached
    # an option
    n = normal.n
    check("machines", "--no-sample", cwd=work)
    assert normal.n == n + 1
    # a machine's report changed in the cache: the entry no longer matches
    assert warm_again() == 0
    import json

    from bootspec.cache import Cache
    cache = Cache(work / "xdg" / "bootspec")
    notes = [json.loads(p.read_text()) for p in (work / "xdg" / "bootspec").rglob("*.json")]
    runs = [n["note"] for n in notes
            if isinstance(n.get("note"), dict) and set(n["note"]) >= {"report", "entries"}]
    assert runs
    for k, _ in (e for r in runs for e in r["entries"]):
        victim = cache.file_of(k)
        victim.write_text(victim.read_text() + " ")  # the same note, other bytes
    n = normal.n
    check("machines", cwd=work)
    assert normal.n == n + 1


def test_no_entry_from_a_worker_pool_or_a_bad_input(work: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    normal = Normal(monkeypatch)
    for _ in range(3):  # the workers read the reports: this process cannot vouch for them
        check("machines", "-j", "2", cwd=work)
    assert normal.n == 3
    # an input that is not a map: exit 2, whose message the normal path must give
    shutil.copy(FIX / "bad-entries.json", work / "bad.json")
    runs = [check("machines/clean-efi.txt", "bad.json", cwd=work) for _ in range(3)]
    assert normal.n == 6 and [r[0] for r in runs] == [2, 2, 2]
    assert all("BS511" in r[2] for r in runs)


def test_a_map_too_large_to_key_is_not_keyed(work: Path) -> None:
    import argparse
    args = argparse.Namespace(command="memmap", memmap_command="check", no_cache=False,
                              format="text", paths=[str(work / "models")],
                              inputs=[str(work / "machines")])
    assert warm.inputs_of(args) is not None
    big = work / "machines" / "big.txt"
    with big.open("wb") as f:
        f.truncate(warm.MAX_MAP_KEY_BYTES + 1)
    assert warm.inputs_of(args) is None
