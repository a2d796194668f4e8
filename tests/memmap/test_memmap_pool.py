"""The local ``-j`` pool: how its workers start (forked before any query, else
spawned), and the proofs ``memmap check``'s pool makes once and hands to every
worker."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bootspec.cache import Cache
from bootspec.engine import solver
from bootspec.engine.check import ModelChecker
from bootspec.memmap.bios import BiosOptions
from bootspec.pipeline import discover, load
from bootspec.sweep import run as sweep_run
from bootspec.sweep.reuse import Reuse
from bootspec.sweep.run import check_machine, check_machines, screen

FIX = Path(__file__).resolve().parent / "fixtures"
MACHINES = FIX / "machines"


def no_proving(*_a: object) -> bool:
    raise AssertionError("proved again")


def test_workers_fork_only_from_a_process_that_has_run_no_query(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import z3

    from bootspec import runner
    from bootspec.engine import limits

    monkeypatch.setattr(limits, "_QUERIED", threading.Event())
    monkeypatch.setattr(solver, "_QUERIED", limits._QUERIED)
    monkeypatch.setattr(runner.sys, "platform", "linux")
    assert solver.fork_safe() and runner.start_method() == "fork"
    monkeypatch.setattr(runner.sys, "platform", "darwin")
    assert runner.start_method() == "spawn"
    monkeypatch.setattr(runner.sys, "platform", "linux")
    s = solver.make_solver(solver.Limits())
    s.add(z3.Int("x") > 0)
    assert solver.check(s).status == "sat"
    # Z3 may keep a query's timer threads, which a forked child would not have
    assert not solver.fork_safe() and runner.start_method() == "spawn"
    with runner.process_pool(1) as pool:  # a pool made now is spawned, and works
        assert pool._mp_context.get_start_method() == "spawn"  # type: ignore[attr-defined]
        assert pool.submit(abs, -3).result() == 3


def test_a_worker_takes_the_pools_proofs_and_gives_the_report_it_would_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = load(discover([str(FIX / "models")]))
    models = ["low_alloc", "low_alloc_trusting", "low_tramp"]
    machines = [screen(project, models, str(MACHINES / n))
                for n in ("r820-like-efi.txt", "clean-efi.txt")]
    alone = [check_machine(project, models, m, sample=False) for m in machines]
    monkeypatch.setattr(sweep_run, "_worker", None)
    sweep_run._worker_init(project, models, solver.Limits(), False, None, BiosOptions())
    proved = dict(sweep_run._worker_prove(n) for n in models)
    assert proved == {n: Reuse(project).prove(n) for n in models}
    assert any(p[1] for p in proved.values())
    monkeypatch.setattr(sweep_run, "_worker", None)
    sweep_run._worker_init(project, models, solver.Limits(), False, None, BiosOptions())
    with monkeypatch.context() as mp:  # its second machine would prove them itself
        mp.setattr(ModelChecker, "proved_for_every_map", no_proving)
        shared = [sweep_run._worker_check(m, proved) for m in machines]
    assert [[dataclasses.replace(r, seconds=0.0) for r in rep.rows] for rep in shared] == \
        [[dataclasses.replace(r, seconds=0.0) for r in rep.rows] for rep in alone]


def test_proofs_are_read_from_the_models_note_when_the_cache_has_one(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:
    project = load(discover([str(FIX / "models")]))
    models = ["low_alloc", "low_alloc_trusting", "low_tramp"]
    inputs = [(str(MACHINES / "r820-like-efi.txt"), True), (str(MACHINES / "clean-efi.txt"), True)]
    check_machines(project, models, inputs, sample=False, cache=Cache(tmp_path))
    made = {n: Reuse(project).prove(n) for n in models}
    monkeypatch.setattr(ModelChecker, "proved_for_every_map", no_proving)
    reuse = Reuse(project, cache=Cache(tmp_path))
    assert {n: reuse.proofs(n) for n in models} == made
    with pytest.raises(AssertionError, match="proved again"):
        Reuse(project).proofs(models[0])  # no cache: made
