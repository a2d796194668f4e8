"""--output: written atomically, never over a file without --force, never half."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import cli

from bootspec.diagnostics import BootspecError
from bootspec.report import files
from bootspec.report.files import write_atomic

FW = Path(__file__).parent / "fixtures" / "fw"


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    write_atomic(str(target), "one\n", force=False)
    assert target.read_text() == "one\n"
    assert os.listdir(tmp_path) == ["r.txt"]


def test_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("keep")
    with pytest.raises(BootspecError) as e:
        write_atomic(str(target), "new", force=False)
    (d,) = e.value.diagnostics
    assert d.code == "BS004" and "--force" in (d.hint or "")
    assert target.read_text() == "keep"
    write_atomic(str(target), "new", force=True)
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["r.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(BootspecError) as e:
        write_atomic(str(target), "x" * 100_000, force=True)
    assert e.value.diagnostics[0].code == "BS004"
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["r.txt"]


def test_a_missing_folder_or_a_folder_target_is_a_clear_error(tmp_path: Path) -> None:
    for bad in (tmp_path / "no" / "r.txt", tmp_path):
        with pytest.raises(BootspecError) as e:
            write_atomic(str(bad), "x", force=True)
        assert e.value.diagnostics[0].code == "BS004"


def test_cli_output_and_force(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    status, stdout, err = cli("check", "--no-timing", "--format", "md", "-o", str(out), cwd=FW)
    assert (status, stdout, err) == (1, "", "")  # the verdicts decide the status
    assert out.read_text().startswith("### bootspec check")
    status, _, err = cli("check", "--no-timing", "-o", str(out), cwd=FW)
    assert status == 2 and "error[BS004]" in err and "--force" in err
    assert out.read_text().startswith("### bootspec check")
    status, _, err = cli("check", "--no-timing", "--format", "text", "-o", str(out), "--force",
                         cwd=FW)  # --format wins over the extension
    assert status == 1 and out.read_text().startswith("bootspec ")


def test_an_existing_output_is_refused_before_diff_checks_anything(tmp_path: Path) -> None:
    out = tmp_path / "diff.txt"
    out.write_text("keep")
    status, _, err = cli("diff", "no/such/base", "no/such/head", "-o", str(out))
    assert status == 2 and "error[BS004]" in err and "BS005" not in err
    assert out.read_text() == "keep"


def test_a_device_is_no_output_even_with_force(tmp_path: Path) -> None:
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    status, _, err = cli("check", "--no-cache", "-o", "/dev/null", "--force", cwd=FW)
    assert status == 2 and "/dev/null:1:1: error[BS004]" in err and "not a regular file" in err
