"""Behaviour under limits and faults, as a user meets it on the command line."""

from __future__ import annotations

import pytest
from helpers import REPO, cli

from bootspec.engine import check as check_mod
from bootspec.pipeline import discover, load

FILES = [str(REPO / "models" / "hvmloader_ovmf.boot"), str(REPO / "proofs" / "firmware.proof")]


def test_ctrl_c_prints_the_partial_verdicts_and_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    real = check_mod.ModelChecker.decide_all
    calls = {"n": 0}

    def decide_all(self, *a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # a model's obligations are decided together: stop in the second
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(check_mod.ModelChecker, "decide_all", decide_all)
    project = load(discover(FILES))
    first = sorted(project.models)[0]
    done = sum(1 for ob in project.obligations() if ob.model == first)
    status, out, err = cli("check", "--no-cache", "--no-timing", *FILES)
    assert status == 130
    assert "PARTIAL" in err and f"{done} of {len(project.obligations())}" in err
    assert "wellformed" in out  # what was decided before the interrupt is shown


def test_a_tiny_resource_limit_is_unknown_and_fails_check_but_the_run_goes_on() -> None:
    status, out, _ = cli("check", "--no-cache", "--no-timing", "--rlimit", "1", *FILES)
    assert status == 1
    assert "unknown" in out
    assert "every verdict as expected" not in out


@pytest.mark.parametrize("flag", [["--rlimit", "0"], ["--timeout", "-1"], ["-j", "zero"],
                                  ["--format", "pdf"]])
def test_bad_flag_values_are_usage_errors(flag: list[str]) -> None:
    status, _, err = cli("check", *flag, *FILES)
    assert status == 2 and "error[BS001]" in err
