"""Where users run bootspec: the GitLab CI job and the GitHub Actions workflow under
examples/ci/ and the pre-commit hook (.pre-commit-hooks.yaml).

Each bootspec command they run is read out of the YAML and parsed by bootspec's own
argparse parser, so a renamed command or option fails here, not in a user's pipeline;
then the commands run, as the CI would, in a git repository with a base commit and a
change, and the reports they publish (JUnit for GitLab, SARIF for GitHub) are the
files the publishing steps name."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO, cli

from bootspec.cli import build_parser

GITLAB = REPO / "examples" / "ci" / "gitlab-ci.yml"
GITHUB = REPO / "examples" / "ci" / "github-workflow.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
FIXTURES = REPO / "tests" / "report" / "fixtures" / "diff"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
_OPERATORS = {"||", "&&", ";", "|", ">", ">>", "<", "&"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _gitlab_lines() -> list[str]:
    lines = []
    for job in _load(GITLAB).values():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                lines += [str(x) for x in job.get(key, [])]
    return lines


def _github_steps() -> list[dict[str, Any]]:
    return [s for job in _load(GITHUB)["jobs"].values() for s in job["steps"]]


def _github_lines() -> list[str]:
    return [ln for s in _github_steps() if "run" in s for ln in s["run"].splitlines()]


def _bootspec_commands(lines: list[str]) -> list[list[str]]:
    """Every ``bootspec ...`` command in shell lines, as argv (up to a shell operator)."""
    commands = []
    for line in lines:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words, start = list(lexer), True
        for i, w in enumerate(words):
            if start and w == "bootspec":
                argv = []
                for x in words[i:]:
                    if x in _OPERATORS:
                        break
                    argv.append(x)
                commands.append(argv)
            start = w in _OPERATORS
    return commands


def _parse(argv: list[str]) -> Any:
    assert argv[0] == "bootspec"
    return build_parser().parse_args(argv[1:])  # raises on an unknown command or option


def _option(argv: list[str], *names: str) -> str:
    for i, w in enumerate(argv):
        if w in names:
            return argv[i + 1]
    raise AssertionError(f"{argv}: no {names}")


@pytest.mark.parametrize("source", ["gitlab", "github"])
def test_every_command_is_a_real_bootspec_command(source: str) -> None:
    lines = _gitlab_lines() if source == "gitlab" else _github_lines()
    commands = _bootspec_commands(lines)
    assert sum("bootspec " in ln for ln in lines) == len(commands)  # none missed
    parsed = [_parse(argv) for argv in commands]
    assert [a.command for a in parsed] == ["check", "diff"]
    check, diff = parsed
    assert check.format == ("junit" if source == "gitlab" else "sarif") and check.quiet
    assert diff.head == "." and diff.output and diff.format == "md"
    if shutil.which("bash"):  # and the lines are shell bash reads
        done = subprocess.run(["bash", "-n"], input="\n".join(lines), text=True,
                              capture_output=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr


def test_gitlab_publishes_the_junit_and_diffs_against_the_merge_request_base() -> None:
    jobs = _load(GITLAB)
    check = _bootspec_commands(jobs["bootspec-check"]["script"])[0]
    assert jobs["bootspec-check"]["artifacts"]["reports"]["junit"] == _option(check, "-o")
    assert jobs["bootspec-check"]["artifacts"]["when"] == "always"
    diff = _parse(_bootspec_commands(jobs["bootspec-diff"]["script"])[0])
    assert diff.base == "$CI_MERGE_REQUEST_DIFF_BASE_SHA"
    assert "merge_request_event" in jobs["bootspec-diff"]["rules"][0]["if"]
    assert jobs[".bootspec"]["variables"]["GIT_DEPTH"] == "0"  # the base is in the clone


def test_github_uploads_the_sarif_and_diffs_against_the_pull_request_base() -> None:
    steps = _github_steps()
    check = next(c for s in steps if "run" in s
                 for c in _bootspec_commands(s["run"].splitlines()) if c[1] == "check")
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == _option(check, "-o")
    assert upload["if"] == "always()"  # a failing check still publishes its findings
    diff_step = next(s for s in steps if "bootspec diff" in s.get("run", ""))
    assert diff_step["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert _parse(_bootspec_commands(diff_step["run"].splitlines())[0]).base == "$BASE"
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert _load(GITHUB)["permissions"]["security-events"] == "write"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A repository of models: a base commit, then a change that makes a verdict worse."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q", "-b", "main")
    base = ""
    for side in ("base", "head"):
        for sub in ("models", "proofs"):
            shutil.rmtree(tmp_path / sub, ignore_errors=True)
            shutil.copytree(FIXTURES / side / sub, tmp_path / sub)
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-q", "-m", side)
        base = base or _git(tmp_path, "rev-parse", "HEAD")
    return tmp_path, base


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    argv = [re.sub(r"\$\{?(\w+)\}?", lambda m: env[m.group(1)], w) for w in argv]
    return cli(*argv[1:], cwd=cwd)


@pytest.mark.parametrize("source", ["gitlab", "github"])
def test_the_commands_run_as_the_ci_runs_them(source: str, repo: tuple[Path, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder, base = repo
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder.parent / "cache"))
    lines = _gitlab_lines() if source == "gitlab" else _github_lines()
    env = {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "BASE": base}
    check, diff = _bootspec_commands(lines)
    status, out, _ = _run(check, folder, env)
    assert status in (0, 1) and out.count("\n") == 1  # --quiet: the summary line
    report = (folder / _option(check, "-o")).read_text()
    if source == "gitlab":
        assert ET.fromstring(report).tag == "testsuites"
    else:
        assert json.loads(report)["version"] == "2.1.0"
    status, _, err = _run(diff, folder, env)
    assert status == 1, err  # the change made a verdict worse: the job fails
    assert "1 regression: 1 worse" in (folder / _option(diff, "-o")).read_text()


# -- pre-commit ---------------------------------------------------------------------

def test_the_pre_commit_hook() -> None:
    hooks = _load(HOOKS)
    assert [h["id"] for h in hooks] == ["bootspec-check"]
    hook = hooks[0]
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["language"] == "python"  # pre-commit pip-installs this repository
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    argv = shlex.split(hook["entry"]) + hook.get("args", [])
    assert argv[0] in scripts
    args = _parse(argv)
    assert args.command == "check" and args.quiet
    files = re.compile(hook["files"])
    for name, matched in (("models/a.boot", True), ("proofs/b.proof", True),
                          ("README.md", False), ("a.boot.orig", False)):
        assert bool(files.search(name)) is matched, name
    assert hook["pass_filenames"] is False  # a model's proofs are in other files


def test_the_hook_runs_in_a_project(repo: tuple[Path, str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = repo
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder.parent / "cache"))
    argv = shlex.split(_load(HOOKS)[0]["entry"])
    status, out, _ = cli(*argv[1:], cwd=folder)
    assert status in (0, 1) and out.count("\n") == 1 and f"exit {status}" in out
