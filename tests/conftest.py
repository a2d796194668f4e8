"""Shared test switches: ``--update-goldens`` rewrites the golden CLI outputs.

Every test, and every process a test starts, caches into a folder of its own run:
``XDG_CACHE_HOME`` points into a temporary folder before any test runs (the
environment is inherited by subprocesses), so no test reads or writes the user's
``~/.cache/bootspec``."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHE_HOME = "bootspec_test_cache_home"


def pytest_configure(config: pytest.Config) -> None:
    folder = tempfile.mkdtemp(prefix="bootspec-test-cache-")
    setattr(config, _CACHE_HOME, (folder, os.environ.get("XDG_CACHE_HOME")))
    os.environ["XDG_CACHE_HOME"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder, before = getattr(config, _CACHE_HOME, (None, None))
    if folder is None:
        return
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before
    shutil.rmtree(folder, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/cli/golden/*.out from the current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
