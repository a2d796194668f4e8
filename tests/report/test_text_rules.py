"""What the text format promises a mail reader, checked on every text output:
plain ASCII, at most 72 columns, the tool version and the sources hash, no
absolute path and no date."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bootspec import __version__
from bootspec.report.text import WIDTH

FIXTURES = Path(__file__).parent / "fixtures"
Runner = Callable[..., tuple[int, str, str]]

CASES = {
    "check": (("check", "--no-timing"), FIXTURES / "fw"),
    "check-timed": (("check",), FIXTURES / "fw"),
    "explain": (("explain", "fw_vs_info", "-m", "fw_old"), FIXTURES / "fw"),
    "explain-stale": (("explain", "info_backed", "-m", "fw_new"), FIXTURES / "fw"),
    "holds": (("explain", "fw_vs_info", "-m", "fw_new"), FIXTURES / "fw"),
    "diff": (("diff", "diff/base", "diff/head"), FIXTURES),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_text_is_mail_ready(case: str, run: Runner) -> None:
    argv, cwd = CASES[case]
    status, out, err = run(*argv, cwd=cwd)
    assert status in (0, 1) and not err, err
    assert out.isascii()
    long = [line for line in out.splitlines() if len(line) > WIDTH]
    assert not long, long
    assert re.search(rf"^bootspec {re.escape(__version__)}\b", out, re.M)
    assert re.search(r"sources sha256:[0-9a-f]{12} \(\d+ files?\)", out)
    assert str(FIXTURES) not in out and "/tmp" not in out
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", out)


def test_timing_is_shown_unless_asked_not_to(run: Runner) -> None:
    timed = run("check", cwd=FIXTURES / "fw")[1]
    assert re.search(r"\d+\.\d\d s$", timed, re.M)
    assert not re.search(r"\d+\.\d\d s$", run("check", "--no-timing", cwd=FIXTURES / "fw")[1],
                         re.M)


def test_the_hash_names_the_sources(run: Runner, tmp_path: Path) -> None:
    """Same files, same hash; one byte changed, another hash."""
    import shutil

    from helpers import cli

    shutil.copytree(FIXTURES / "fw", tmp_path / "fw")
    first = cli("check", "--no-timing", cwd=tmp_path / "fw")[1].splitlines()[0]
    assert first == run("check", "--no-timing", cwd=FIXTURES / "fw")[1].splitlines()[0]
    proof = tmp_path / "fw" / "proofs" / "fw.proof"
    proof.write_text(proof.read_text() + "\n", encoding="utf-8")
    assert cli("check", "--no-timing", cwd=tmp_path / "fw")[1].splitlines()[0] != first


def test_unexpected_violations_are_explained_in_the_check_report(run: Runner) -> None:
    out = run("check", "--no-timing", cwd=FIXTURES / "fw")[1]
    assert "violated: info_backed on model fw_new (expected holds)" in out
    assert "2. runtime: info   <- fails here" in out
    # the expected violation is in the table only
    assert "violated: fw_vs_info on model fw_old" not in out
