"""Where the cache lives: one per-user folder, ``$XDG_CACHE_HOME/bootspec`` (else
``~/.cache/bootspec``), never a folder in whatever directory the user stands in;
``--cache-dir`` overrides it. A shared folder is sound: entries are keyed by
content (a run entry by its working folder too), so projects never see each
other's reports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import REPO, cli

from bootspec.cache import default_dir


def test_the_tests_never_cache_into_the_home_folder() -> None:
    """tests/conftest.py points XDG_CACHE_HOME at a temporary folder for the whole run
    (and every subprocess inherits it)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    assert xdg and os.path.isabs(xdg)
    assert not Path(xdg).resolve().is_relative_to(Path.home().resolve() / ".cache")
    assert default_dir() == Path(xdg) / "bootspec"


def test_default_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert default_dir() == tmp_path / "c" / "bootspec"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for ignored in ("", "relative/cache"):  # the XDG rules: only an absolute path counts
        monkeypatch.setenv("XDG_CACHE_HOME", ignored)
        assert default_dir() == tmp_path / "home" / ".cache" / "bootspec"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir() == tmp_path / "home" / ".cache" / "bootspec"


def _project(folder: Path) -> Path:
    for sub, name in (("models", "entry_paths.boot"), ("proofs", "entry_paths.proof")):
        (folder / sub).mkdir(parents=True)
        shutil.copy(REPO / sub / name, folder / sub)
    return folder


def test_check_caches_in_the_user_folder_not_the_working_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = _project(tmp_path / "p")
    assert cli("check", cwd=project)[0] == 0
    assert any((tmp_path / "xdg" / "bootspec").rglob("*.json"))
    assert sorted(p.name for p in project.iterdir()) == ["models", "proofs"]
    # --cache-dir still overrides it
    other = tmp_path / "other"
    assert cli("check", "--cache-dir", str(other), cwd=project)[0] == 0
    assert any(other.rglob("*.json"))
    with pytest.raises(SystemExit):
        cli("check", "--help")
    assert "$XDG_CACHE_HOME/bootspec" in capsys.readouterr().out


def test_one_shared_folder_keeps_projects_apart(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Two copies of a project, one with a changed expectation, share the cache: each
    keeps its own report and status, warm or cold, in any order."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    a, b = _project(tmp_path / "a"), _project(tmp_path / "b")
    proof = b / "proofs" / "entry_paths.proof"
    proof.write_text(proof.read_text().replace("expect violated", "expect holds", 1))
    first = {name: cli("check", "--no-timing", cwd=folder)
             for name, folder in (("a", a), ("b", b))}
    assert (first["a"][0], first["b"][0]) == (0, 1)
    for _ in range(2):  # warm now: each run entry is its own project's
        for name, folder in (("b", b), ("a", a)):
            assert cli("check", "--no-timing", cwd=folder) == first[name]
    # the same files in another folder: the verdicts are shared, the report is the same
    c = tmp_path / "c"
    shutil.copytree(a, c)
    assert cli("check", "--no-timing", cwd=c) == first["a"]
