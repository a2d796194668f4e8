"""The README's set-up commands are the ones CI runs: `.ci/run` ends with exactly the
README's test command, so a change to one that forgets the other fails here."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [ln.strip() for ln in lines[:20] if ln.startswith("    python3 -m venv")]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert main_job.endswith("bootspec check")
    last = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")][-1]
    assert last == tests


def test_the_test_command_gates_on_lint_and_types_before_the_tests() -> None:
    tests = _readme_commands()[1]
    steps = [s.strip() for s in tests.split("&&")]
    assert steps.index(".venv/bin/ruff check -q") < steps.index(".venv/bin/python -m pytest")
    assert steps.index(".venv/bin/mypy") < steps.index(".venv/bin/python -m pytest")
    # the second tier (determinism, Dask, bench smoke) runs too, after the first
    assert steps[-1] == ".venv/bin/python -m pytest -m long"
