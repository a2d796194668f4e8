"""The warm path of ``check`` (bootspec/warm.py): when nothing changed since a run that
left every verdict in the cache, the run entry's report is printed without parsing,
byte for byte what the normal warm run prints; anything changed runs the normal path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import REPO, cli

import bootspec.pipeline
from bootspec import warm

PAIRS = ("entry_paths",)  # a small model with its proofs (0.2 s cold)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small project, and a cache folder of this test's own (the default one,
    ``$XDG_CACHE_HOME/bootspec``, moved into the project's folder)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for name in PAIRS:
        (tmp_path / "models").mkdir(exist_ok=True)
        (tmp_path / "proofs").mkdir(exist_ok=True)
        shutil.copy(REPO / "models" / f"{name}.boot", tmp_path / "models")
        shutil.copy(REPO / "proofs" / f"{name}.proof", tmp_path / "proofs")
    (tmp_path / "models" / "empty.boot").write_text("# nothing yet\n")  # a BS131 warning
    return tmp_path


class Loads:
    """Counts the projects parsed (the normal path parses, the warm path does not)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.n = 0
        real = bootspec.pipeline.load

        def counting(*a: object, **k: object) -> bootspec.pipeline.Project:
            self.n += 1
            return real(*a, **k)  # type: ignore[arg-type]
        monkeypatch.setattr(bootspec.pipeline, "load", counting)


def _normal(monkeypatch: pytest.MonkeyPatch, *argv: str, cwd: Path) -> tuple[int, str, str]:
    """The normal path with the same cache (the run entry not read)."""
    with monkeypatch.context() as m:
        m.setattr(warm, "replay", lambda inputs, cache: None)
        return cli(*argv, cwd=cwd)


def test_the_warm_report_is_the_normal_warm_report(project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    loads = Loads(monkeypatch)
    for i, extra in enumerate([(), ("--no-timing",), ("--format", "md"),
                               ("--format", "junit"), ("--format", "sarif")]):
        first = cli("check", *extra, cwd=project)  # verdicts cached by the first
        assert first[0] == 0 and "BS131" in first[2] and loads.n == 2 * i + 1
        fast = cli("check", *extra, cwd=project)
        assert loads.n == 2 * i + 1  # nothing parsed
        normal = _normal(monkeypatch, "check", *extra, cwd=project)
        assert loads.n == 2 * i + 2
        assert fast == normal  # status, report (cached timings included) and warnings
        assert fast == first  # here the first run's timings are those it cached
        if not extra:
            assert " s\n" in normal[1]


def test_a_failing_suite_replays_its_status(project: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    proof = project / "proofs" / "entry_paths.proof"
    text = proof.read_text()
    assert "expect violated" in text
    proof.write_text(text.replace("expect violated", "expect holds", 1))
    loads = Loads(monkeypatch)
    cold = cli("check", cwd=project)
    fast = cli("check", cwd=project)
    assert cold[0] == fast[0] == 1 and loads.n == 1
    assert fast == _normal(monkeypatch, "check", cwd=project)


def test_an_edited_file_misses_the_warm_path(project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cli("check", cwd=project)
    loads = Loads(monkeypatch)
    model = project / "models" / "entry_paths.boot"
    model.write_text(model.read_text() + "# an edit that changes no verdict\n")
    edited = cli("check", cwd=project)
    assert loads.n == 1  # parsed again
    assert edited == _normal(monkeypatch, "check", cwd=project)
    before = loads.n
    assert cli("check", cwd=project) == edited and loads.n == before  # warm again


def test_a_changed_expectation_is_never_replayed(project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("check", cwd=project)[0] == 0
    cli("check", cwd=project)
    proof = project / "proofs" / "entry_paths.proof"
    proof.write_text(proof.read_text().replace("expect violated", "expect holds", 1))
    assert cli("check", cwd=project)[0] == 1


@pytest.mark.parametrize("change", ["rlimit", "timeout", "paths", "cache entry", "run entry"])
def test_other_changes_miss_the_warm_path(project: Path, monkeypatch: pytest.MonkeyPatch,
                                          change: str) -> None:
    cold = cli("check", cwd=project)
    argv = ["check"]
    cache = project / "xdg" / "bootspec"
    if change == "rlimit":
        argv += ["--rlimit", "40000000"]
    elif change == "timeout":
        argv += ["--timeout", "30"]
    elif change == "paths":
        argv += ["models", "proofs"]
    else:
        entries = sorted(cache.rglob("*.json"))
        notes = [f for f in entries if '"note"' in f.read_text()]
        assert len(notes) == 1
        victim = notes[0] if change == "run entry" else next(
            f for f in entries if f not in notes)
        victim.write_bytes(victim.read_bytes().replace(b"holds", b"hodls", 1)
                           if change == "run entry" else b"{}")
    loads = Loads(monkeypatch)
    again = cli(*argv, cwd=project)
    assert loads.n == 1
    if change in ("cache entry", "run entry"):
        assert again[0] == cold[0] and again[1].splitlines()[0] == cold[1].splitlines()[0]


@pytest.mark.parametrize("extra", [("--format", "json"), ("--no-cache",),
                                   ("--executor", "local")])
def test_no_run_entry_where_it_could_differ(project: Path, extra: tuple[str, ...]) -> None:
    cli("check", *extra, cwd=project)
    cli("check", *extra, cwd=project)
    cache = project / "xdg" / "bootspec"
    assert not any('"note"' in f.read_text() for f in cache.rglob("*.json"))
