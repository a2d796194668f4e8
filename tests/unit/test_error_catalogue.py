"""Every error code bootspec can emit has a catalogue entry whose example triggers it."""

from __future__ import annotations

import re

import pytest
from helpers import REPO, cli, errors_of

from bootspec.codes import CORE, catalogue

SOURCE_CODES = sorted({m for f in (REPO / "bootspec").rglob("*.py")
                       for m in re.findall(r'"(BS\d{3})"', f.read_text(encoding="utf-8"))})


def test_every_emitted_code_has_an_entry() -> None:
    missing = [c for c in SOURCE_CODES if c not in catalogue()]
    assert missing == []


@pytest.mark.parametrize("entry", [e for e in CORE if e.code != "BS115"], ids=lambda e: e.code)
def test_core_example_triggers_its_code(entry: object) -> None:
    example = entry.example  # type: ignore[attr-defined]
    code = entry.code  # type: ignore[attr-defined]
    if example.startswith("argv:"):
        status, _out, err = cli(*example[5:].split(), cwd=REPO)
        assert status == 2 and f"error[{code}]" in err, err
        return
    assert code in {c for c, _, _ in errors_of(example)}


def test_too_many_paths() -> None:
    stages = ["stage s0"]
    for i in range(13):  # 2^13 = 8192 paths > MAX_PATHS
        stages += [f"stage a{i} after {'s' + str(i)}", f"stage b{i} after {'s' + str(i)}",
                   f"stage s{i + 1} after a{i}, b{i}"]
    codes = {c for c, _, _ in errors_of("model m\n  width 32\n" + "\n".join(stages) + "\n")}
    assert "BS115" in codes


def test_explain_error_cli() -> None:
    status, out, _ = cli("explain-error", "BS104")
    assert status == 0 and "used before it is placed" in out and "example:" in out
    status, _, err = cli("explain-error", "BS999")
    assert status == 2 and "BS001" in err
