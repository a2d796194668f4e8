"""Shared fixtures of the report tests: the fixture projects, a cached CLI runner
(each command runs once per session, however many tests read its output) and the
golden-file comparison (``--update-goldens`` rewrites them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import cli

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
SCHEMAS = HERE / "schemas"
FW = FIXTURES / "fw"  # models/ and proofs/ of a small 32-bit project

_cache: dict[tuple[str, tuple[str, ...]], tuple[int, str, str]] = {}

Runner = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="session")
def run() -> Runner:
    """``run(*argv, cwd=FW)``: the CLI's (status, stdout, stderr), computed once."""

    def go(*argv: str, cwd: Path = FW) -> tuple[int, str, str]:
        key = (str(cwd), argv)
        if key not in _cache:
            _cache[key] = cli(*argv, cwd=cwd)
        return _cache[key]

    return go


Golden = Callable[[str, str], None]


@pytest.fixture
def golden(update_goldens: bool) -> Golden:
    """``golden(name, text)``: compare with tests/report/golden/NAME, or rewrite it."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update_goldens or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            if not update_goldens:
                pytest.fail(f"golden {name} was missing and has been written; review it")
            return
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs from its golden (--update-goldens rewrites)"

    return check
