"""The progress bar of ``check`` (tqdm's, bootspec/runner.py): drawn on stderr only
when stderr is a terminal, erased at the end; silent, and tqdm not even imported,
when stderr is captured or redirected."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, cli

from bootspec.runner import Progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    p = Progress(3, stream, delay=0.0)
    for _ in range(3):
        p.step()
    p.close()
    assert stream.getvalue() == "" and p.bar is None


def test_drawn_and_erased_on_a_terminal() -> None:
    stream = _Tty()
    p = Progress(3, stream, delay=0.0)
    for _ in range(3):
        p.step()
    drawn = stream.getvalue()
    assert "0/3" in drawn and "bootspec" in drawn and "obligation" in drawn
    p.close()
    p.close()  # twice is harmless (an interrupted run closes it on the way out)
    erased = stream.getvalue()[len(drawn):]
    assert erased.startswith("\r") and erased.endswith("\r") and not erased.strip()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for sub, name in (("models", "entry_paths.boot"), ("proofs", "entry_paths.proof")):
        (tmp_path / sub).mkdir()
        shutil.copy(REPO / sub / name, tmp_path / sub)
    return tmp_path


def test_nothing_in_captured_output(project: Path) -> None:
    status, out, err = cli("check", "--no-cache", cwd=project)
    assert status == 0 and "\r" not in out + err and "obligation/s" not in err


def test_a_redirected_run_imports_no_tqdm(project: Path) -> None:
    script = ("import sys\nfrom bootspec.cli import run\n"
              "status = run(['check', '--no-cache'], sys.stdout, sys.stderr)\n"
              "print('tqdm' in sys.modules, status)")
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True,
                          text=True, timeout=300, check=False, env=None)
    assert done.stdout.splitlines()[-1] == "False 0", done.stderr
    assert "\r" not in done.stderr
