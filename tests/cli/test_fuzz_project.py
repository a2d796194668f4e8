"""`bootspec fuzz` outside a project says so instead of testing nothing."""

from __future__ import annotations

from pathlib import Path

from helpers import cli


def test_fuzz_without_a_project_is_a_located_error(tmp_path: Path) -> None:
    status, out, err = cli("fuzz", "--models", "1", "--maps", "0", "--signals", "0",
                           cwd=tmp_path)
    assert status == 2 and out == ""
    assert "error[BS002]" in err and "no models/*.boot" in err and "--project" in err
