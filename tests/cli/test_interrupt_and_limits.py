"""Behaviour under limits and faults, as a user meets it on the command line."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, cli

from bootspec.engine import check as check_mod
from bootspec.engine import solver
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


# -- signals while Z3 runs ---------------------------------------------------------------

HARD = Path(__file__).with_name("hard_query.py")
GUARD = 120  # seconds: only against a hang (the query takes many minutes); no speed is tested
needs_posix = pytest.mark.skipif(os.name != "posix" or not hasattr(signal, "SIGKILL"),
                                 reason="needs POSIX signals")


def _start(*argv: str) -> subprocess.Popen[str]:
    """bootspec with its second model stuck in a long Z3 query; returns once it is there."""
    p = subprocess.Popen(
        [sys.executable, str(HARD), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=REPO,
        # a shell may start us with SIGINT ignored (a background job): bootspec obeys that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stderr is not None
    line = p.stderr.readline()
    assert line == "solving\n", line + p.stderr.read()
    return p


def _workers(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        pytest.skip("needs /proc/PID/task/PID/children (Linux) to find the workers")
    return [int(x) for x in text.split()]


def _gone(pids: list[int]) -> bool:
    """Whether every pid has ended (a zombie waiting for init counts as ended)."""
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.05)
    return False


@needs_posix
def test_sigint_during_a_z3_query_stops_it_and_writes_a_partial_report(tmp_path: Path
                                                                      ) -> None:
    """Z3 used to swallow Ctrl-C (its own handler cancelled the query, the run went on)."""
    out = tmp_path / "report.json"
    p = _start("check", "--no-cache", "--no-timing", "--format", "json", "-o", str(out),
               *FILES)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=GUARD)
    assert p.returncode == 130, err
    assert "PARTIAL report" in err and "query answered" not in err
    doc = json.loads(out.read_text())
    assert doc["ok"] is False and "interrupted" in doc["partial"]["reason"]
    project = load(discover(FILES))
    first = sorted(project.models)[0]
    assert {r["model"] for r in doc["results"]} == {first}  # the first model, decided


@needs_posix
def test_sigterm_with_two_jobs_ends_the_workers_too() -> None:
    p = _start("check", "--no-cache", "--no-timing", "-j", "2", str(REPO / "models"),
               str(REPO / "proofs"))
    workers = _workers(p.pid)
    assert workers
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=GUARD)
    assert p.returncode == 143, err
    assert out.startswith("bootspec ") and "PARTIAL REPORT" in out
    assert _gone(workers)


@needs_posix
def test_workers_end_when_their_parent_is_killed() -> None:
    p = _start("check", "--no-cache", "--no-timing", "-j", "2", str(REPO / "models"),
               str(REPO / "proofs"))
    workers = _workers(p.pid)
    assert workers
    p.kill()  # no handler runs: the workers notice on their own
    p.wait(timeout=GUARD)
    try:
        assert _gone(workers)
    finally:
        for w in workers:
            with contextlib.suppress(OSError):
                os.kill(w, signal.SIGKILL)
        p.communicate(timeout=GUARD)


def test_an_interrupted_query_is_unknown_never_holds() -> None:
    project = load(discover(FILES))
    ob = next(o for o in project.obligations() if o.expected == "holds")
    checker = check_mod.ModelChecker(project.models[ob.model], project.paths[ob.model],
                                     fast=False)
    solver.interrupt()
    try:
        verdict = checker.decide(ob, project.proof_of(ob))
    finally:
        solver.resume()
    assert verdict.status == "unknown" and "interrupted" in verdict.reason
    assert check_mod.ModelChecker(project.models[ob.model], project.paths[ob.model],
                                  fast=False).decide(ob, project.proof_of(ob)).status == "holds"


def test_a_lost_keyboard_interrupt_still_ends_the_run_as_interrupted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Python only prints an exception raised in a destructor: a Ctrl-C landing there is
    lost, but the solver was interrupted and the run must say so (not exit 0 or 1)."""
    real = check_mod.ModelChecker.decide_all
    calls = {"n": 0}

    def decide_all(self, *a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            solver.interrupt()  # what the signal watcher does; no KeyboardInterrupt follows
        return real(self, *a, **k)

    monkeypatch.setattr(check_mod.ModelChecker, "decide_all", decide_all)
    status, out, err = cli("check", "--no-cache", "--no-timing", *FILES)
    assert status == 130 and "PARTIAL" in err and "PARTIAL REPORT" in out
    assert "unknown" not in out  # an interrupted obligation is left out, not reported
    assert not solver.interrupted()  # the next run starts afresh


def test_an_existing_output_is_refused_before_any_work(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    out = tmp_path / "report.txt"
    out.write_text("an earlier report")

    def no_work(*a: object, **k: object) -> None:
        raise AssertionError("checked before refusing the output")

    monkeypatch.setattr(check_mod.ModelChecker, "decide_all", no_work)
    monkeypatch.setattr(check_mod.ModelChecker, "decide", no_work)
    for argv in (["check", "--no-cache", *FILES], ["explain", "wellformed", "-m",
                                                   "hvmloader_ovmf_2008", FILES[0]]):
        status, _, err = cli(*argv, "-o", str(out))
        assert status == 2 and f"{out}:1:1: error[BS004]" in err, err
    assert out.read_text() == "an earlier report"


def test_an_interrupt_wrapped_by_ctypes_is_still_an_interrupt(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """ctypes turns a KeyboardInterrupt raised while it converts the arguments of a Z3
    call into ArgumentError; the fuzz saw it reported as an internal error (exit 3)."""
    import ctypes

    from bootspec import signals
    real = check_mod.ModelChecker.decide_all
    calls = {"n": 0}

    def decide_all(self, *a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            signals._seen.append(signal.SIGINT)  # what the handler records before raising
            raise ctypes.ArgumentError("argument 1: KeyboardInterrupt: ")
        return real(self, *a, **k)

    monkeypatch.setattr(check_mod.ModelChecker, "decide_all", decide_all)
    status, out, err = cli("check", "--no-cache", "--no-timing", *FILES)
    assert status == 130 and "PARTIAL report" in err and "internal error" not in err
    assert "PARTIAL REPORT" in out
