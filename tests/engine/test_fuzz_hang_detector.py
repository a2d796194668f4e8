"""The fuzz's hang detector counts CPU time, so a slow case on a busy machine is not a
hang, and keeps a wall-clock backstop for a case that blocks without computing."""

from __future__ import annotations

import time

import pytest

from bootspec.oracle import hostile


@pytest.fixture
def short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hostile, "CASE_SECONDS", 1)
    monkeypatch.setattr(hostile, "BLOCKED_SECONDS", 3)


def _one(run: object) -> hostile.Tally:
    t = hostile.Tally()
    hostile._case(t, "expression", 0, run)  # type: ignore[arg-type]
    return t


def test_spinning_past_the_cpu_budget_is_a_hang(short: None) -> None:
    def spin() -> str:
        while True:
            sum(range(1000))
    t = _one(spin)
    assert t.hangs == 1 and "of CPU" in t.problems[0]


@pytest.mark.long  # waits for the wall-clock backstop
def test_waiting_without_computing_is_not_a_hang_until_the_backstop(short: None) -> None:
    def wait() -> str:
        time.sleep(1.5)  # past the CPU budget in wall time, but idle
        return ""
    assert _one(wait).hangs == 0

    def blocked() -> str:
        time.sleep(10)
        return ""
    start = time.monotonic()
    assert _one(blocked).hangs == 1
    assert time.monotonic() - start < 6
