"""``check --quiet``: one line on stdout (the verdict counts and what the exit status
means), the same exit status as without it, cold or from the warm path; with
``--output`` the report still goes to the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import REPO, cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for sub, name in (("models", "entry_paths.boot"), ("proofs", "entry_paths.proof")):
        (tmp_path / sub).mkdir()
        shutil.copy(REPO / sub / name, tmp_path / sub)
    return tmp_path


def test_quiet_prints_one_line_with_the_same_status(project: Path) -> None:
    full = cli("check", cwd=project)
    for _ in range(2):  # cold (the verdicts cached, no run entry yet), then warm
        status, out, err = cli("check", "--quiet", cwd=project)
        assert status == full[0] == 0 and err == full[2]
        assert out.count("\n") == 1 and out.endswith("every verdict as expected: exit 0\n")
        n = full[1].count("  ok")
        assert out.startswith(f"bootspec: {n} obligations (")
    assert cli("check", "-q", cwd=project)[1] == out


def test_quiet_says_a_failure_and_exits_1(project: Path) -> None:
    proof = project / "proofs" / "entry_paths.proof"
    proof.write_text(proof.read_text().replace("expect violated", "expect holds", 1))
    full = cli("check", cwd=project)
    for _ in range(2):
        status, out, _ = cli("check", "-q", cwd=project)
        assert status == full[0] == 1 and out.count("\n") == 1
        assert "1 verdict differs from the expectation: exit 1" in out


@pytest.mark.parametrize("fmt", ["junit", "sarif", "text"])
def test_quiet_with_output_writes_the_report(project: Path, fmt: str) -> None:
    out_file = project / f"report.{fmt}"
    status, out, _ = cli("check", "-q", "--no-timing", "--format", fmt, "-o", str(out_file),
                         cwd=project)
    assert status == 0 and out.count("\n") == 1 and out.startswith("bootspec: ")
    plain = cli("check", "--no-timing", "--format", fmt, cwd=project)[1]
    assert out_file.read_text() == plain


def test_memmap_check_quiet_prints_the_summary_and_keeps_the_status(tmp_path: Path) -> None:
    fixtures = REPO / "tests" / "memmap" / "fixtures" / "bios"
    loud = cli("memmap", "check", str(fixtures), "-m", "xen_trampoline_bios", "--no-cache",
               cwd=REPO)
    out = tmp_path / "sweep.json"
    quiet = cli("memmap", "check", str(fixtures), "-m", "xen_trampoline_bios", "--no-cache",
                "-q", "-o", str(out), cwd=REPO)
    assert quiet[0] == loud[0] == 0
    lines = quiet[1].splitlines()
    assert lines[0].startswith("bootspec: 4 machines: 4 acceptable")
    assert lines[-1].startswith("bootspec: exit 0:") and len(lines) == 3
    assert out.read_text().lstrip().startswith("{")  # -o still gets the whole report
