"""bootspec diff on git revisions: the same report as on folders, errors as BS codes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import cli

FIXTURES = Path(__file__).parent / "fixtures"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with two commits: diff/base, then diff/head."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q", "-b", "main")
    for side in ("base", "head"):
        for sub in ("models", "proofs"):
            shutil.rmtree(root / sub, ignore_errors=True)
            shutil.copytree(FIXTURES / "diff" / side / sub, root / sub)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", side)
    return root


def _body(report: str) -> str:
    """The report after the version lines (which name the versions)."""
    return report.split("\n\n", 1)[1]


def test_revisions_give_the_folder_report(repo: Path) -> None:
    status, out, err = cli("diff", "HEAD~1", "HEAD", cwd=repo)
    assert (status, err) == (1, "")
    assert "  base: HEAD~1, commit " in out and "  head: HEAD, commit " in out
    folders = cli("diff", "diff/base", "diff/head", cwd=FIXTURES)[1]
    assert _body(out) == _body(folders)
    # each side's hash is the one 'bootspec check' prints in that version
    assert out.splitlines()[2].strip() in folders and out.splitlines()[4].strip() in folders


def test_working_tree_against_head(repo: Path) -> None:
    status, out, _ = cli("diff", "HEAD", ".", cwd=repo)
    assert status == 0 and "nothing got worse: no verdict changed; 4 unchanged" in out
    status, out, _ = cli("diff", "HEAD", "HEAD~1", cwd=repo)  # the change undone
    assert status == 1 and "better   layout / fw_vs_info" in out
    assert "worse    layout / stack_below_16m" in out


def test_paths_after_the_double_dash(repo: Path) -> None:
    status, _, err = cli("diff", "HEAD~1", "HEAD", "--", "models", "proofs", cwd=repo)
    assert status == 1 and not err
    status, _, err = cli("diff", "HEAD~1", "HEAD", "--", "nowhere", cwd=repo)
    assert status == 2 and "error[BS005]" in err and "nowhere" in err


@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~9", "HEAD:models"])
def test_an_unknown_revision_is_a_clear_error(repo: Path, rev: str) -> None:
    status, out, err = cli("diff", rev, "HEAD", cwd=repo)
    assert status == 2 and out == ""
    assert "error[BS005]" in err and "Traceback" not in err


def test_outside_a_repository(tmp_path: Path) -> None:
    status, _, err = cli("diff", "main", "HEAD", cwd=tmp_path)
    assert status == 2 and "error[BS005]" in err and "not in a git repository" in err


def test_a_version_that_does_not_load_names_its_files(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "diff" / "base", tmp_path / "a")
    shutil.copytree(FIXTURES / "diff" / "base", tmp_path / "b")
    (tmp_path / "b" / "models" / "layout.boot").write_text("model broken\n  widht 32\n")
    status, _, err = cli("diff", "a", "b", cwd=tmp_path)
    assert status == 2 and "b/models/layout.boot" in err


def test_nothing_to_compare(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    status, _, err = cli("diff", "a", "b", cwd=tmp_path)
    assert status == 2 and "error[BS008]" in err
