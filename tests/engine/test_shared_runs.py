"""The concrete fast path runs each input of a model once and every obligation reads
those runs (bootspec/engine/enumerate.py, ``Runs``): each obligation must get what
enumerating afresh for it alone gives, and by the solver too, whatever obligations
read the runs before it.
"""

from __future__ import annotations

from helpers import decided_alone, load_text

from bootspec.engine import concrete
from bootspec.engine import enumerate as enum_mod
from bootspec.engine.check import ModelChecker
from bootspec.engine.enumerate import Runs, search
from bootspec.engine.paths import target_of

# two paths (a guard), a concrete map, obligations of every kind: holds, violated
# (at different events), vacuous, a finding
MODEL = """model m
  width 8
param k in [0, 48] align 16
param fast : bool
map ram : e820
  entry [0x0, 0x40) usable
  entry [0x40, 0x60) reserved
  entry [0x60, 0xF0) usable
stage a
  place x size 0x10 + k topdown in ram types {usable} else none
stage b after a when fast
  place y size 0x20 bottomup in ram types {usable} avoid x else none
stage c after a when not fast
  place z size 0x30 at 0xC0 + k
  assert inside_ram: z.end <= 0xF0
stage d after a when k == 5
  place w size 1 at 0
proof x_low
  for m expect violated
  at end below(x, 0xD0)
proof y_clear
  for m expect holds
  at end disjoint(x, y)
proof never
  for m expect vacuous
  after d below(x, 0x10)
"""


def _obligations(project):  # type: ignore[no-untyped-def]
    return [ob for ob in project.obligations() if ob.model == "m"]


def test_shared_runs_give_each_obligation_what_a_fresh_enumeration_gives() -> None:
    project = load_text(MODEL)
    model, paths = project.models["m"], project.paths["m"]
    obs = _obligations(project)
    assert {ob.kind for ob in obs} >= {"proof", "assert", "wellformed"}
    fresh = [search(model, paths, target_of(model, ob, project.proof_of(ob))) for ob in obs]
    assert {f.status for f in fresh} == {"holds", "violated", "vacuous"}
    for order in (obs, obs[::-1]):
        runs = Runs(model, paths)
        for ob in order:
            got = search(model, paths, target_of(model, ob, project.proof_of(ob)), runs)
            assert got == fresh[obs.index(ob)], ob.name


def test_a_checker_runs_each_input_once_and_agrees_with_the_solver(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project = load_text(MODEL)
    model, paths = project.models["m"], project.paths["m"]
    obs = _obligations(project)
    made = []
    real = concrete.run_path

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(enum_mod.concrete, "run_path", counted)
    checker = ModelChecker(model, paths)
    assert checker._enumerable()
    got = [checker.decide(ob, project.proof_of(ob)) for ob in obs]
    inputs = sum(1 for p in paths for i in enum_mod.assignments(model, p)
                 if concrete.inputs_valid(model, i))
    # each path and input run once (not once per obligation), plus one re-run of each
    # counterexample shown
    assert len(made) <= inputs + len(obs) < inputs * 2
    monkeypatch.setattr(enum_mod.concrete, "run_path", real)
    for ob, v in zip(obs, got, strict=True):
        status, _, cx = decided_alone(project, ob, fast=False)
        assert v.status == status, ob.name
        if cx is not None:
            assert v.counterexample is not None
            assert v.counterexample.params == cx.params, ob.name  # type: ignore[attr-defined]


def test_an_enumeration_of_its_own_keeps_no_run() -> None:
    """The brute-force oracle enumerates up to millions of inputs: without a shared
    ``Runs`` each run is made as it is read and dropped, none is kept."""
    project = load_text(MODEL)
    model, paths = project.models["m"], project.paths["m"]
    streamed = Runs(model, paths, keep=False)
    first = streamed.of(0)
    assert not isinstance(first, list) and not streamed._made
    assert [i for i, _ in first] == [i for i, _ in Runs(model, paths).of(0)]
