"""The run a machine's report shows where nothing is violated (bootspec/sweep/sample.py).

A sample is one reachable run: a courtesy that never changes a verdict, but what it
shows must be a run the model allows, complete and free of findings, and the same
each time. On a concrete map it is found by evaluation alone, ``anywhere`` choices
included (each at its lowest valid start, in order), without asking the solver.
"""

from __future__ import annotations

import pytest
from helpers import load_text

from bootspec.engine import concrete
from bootspec.engine.enumerate import assignments
from bootspec.sweep import sample as sample_mod
from bootspec.sweep.sample import sample_limits, sample_regions

# 'low' and 'buf' are choices ('buf' avoids 'low'); 'crash' goes top-down into the
# usable entry of the concrete map, clear of both
CHOICES = """model m
  width 16
param n in [0x40, 0x100] align 0x40
map ram : e820
  entry [0x0, 0x100) reserved
  entry [0x100, 0x800) usable
stage s
  place low size 0x80 anywhere above 0x100 below 0x800 align 0x80
  place buf size SIZE anywhere above 0x100 below 0x800 avoid low align 0x40
  place crash size 0x100 topdown in ram types {usable} avoid low, buf else none
proof apart
  for m expect holds
  at end disjoint(low, buf)
"""

# the same shape at width 6, small enough to enumerate every choice
SMALL = """model m
  width 6
param n in [4, 8] align 4
map ram : e820
  entry [0x0, 0x8) reserved
  entry [0x8, 0x40) usable
stage s
  place low size 4 anywhere above 0x8 below 0x40 align 4
  place buf size n anywhere above 0x8 below 0x40 avoid low align 4
  place crash size 8 topdown in ram types {usable} avoid low, buf else none
"""


def _no_solver(*args: object) -> None:
    raise AssertionError("the solver was asked for a sample that evaluation finds")


def test_a_model_with_choices_on_a_concrete_map_is_sampled_by_evaluation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = load_text(CHOICES.replace("SIZE", "n"))
    model, paths = project.models["m"], project.paths["m"]
    monkeypatch.setattr(sample_mod, "_solver_sample", _no_solver)
    got = sample_regions(model, paths, sample_limits(None))
    assert got is not None
    # the lowest parameter value, each choice at its lowest valid start in turn
    assert got.inputs["p:n"] == 0x40
    assert got.regions["low"] == (0x100, 0x180)
    assert got.regions["buf"] == (0x180, 0x1C0)
    assert got.regions["crash"] == (0x700, 0x800)
    # it is a run the model allows: re-run, it completes with no finding
    trace = concrete.run_path(model, paths[0], got.inputs)
    assert trace.valid_before[-1] and not any(trace.findings)
    assert {n: (r.start, r.end) for n, r in trace.states[-1].regions.items()} == got.regions
    # the same every time
    assert sample_regions(model, paths, sample_limits(None)) == got


def test_the_sampled_choices_are_the_lowest_of_every_run_with_those_parameters() -> None:
    """Independent of the greedy evaluator: enumerate every input with the lowest n and
    take the lexicographically least choices of a complete run without findings."""
    project = load_text(SMALL)
    model, paths = project.models["m"], project.paths["m"]
    got = sample_regions(model, paths, sample_limits(None))
    assert got is not None and got.inputs["p:n"] == 4
    keys = sorted((k for k in got.inputs if k.startswith("c:")), key=concrete.choice_order)
    best = None
    for inputs in assignments(model, paths[0]):
        if inputs["p:n"] != 4 or not concrete.inputs_valid(model, inputs):
            continue
        trace = concrete.run_path(model, paths[0], inputs)
        if trace.valid_before[-1] and not any(trace.findings):
            key = tuple(inputs[k] for k in keys)
            best = key if best is None or key < best else best
    assert best is not None
    assert tuple(got.inputs[k] for k in keys) == best


def test_no_room_at_the_first_pick_moves_on_to_the_next() -> None:
    """'buf' has no room when n is at its lowest (its size is 0x240 - n): the sample is
    the next pick's run (n at its highest), never a run with a finding."""
    project = load_text(CHOICES.replace("SIZE", "0x240 - n").replace(
        "above 0x100 below 0x800 avoid", "above 0x100 below 0x300 avoid"))
    model, paths = project.models["m"], project.paths["m"]
    got = sample_regions(model, paths, sample_limits(None))
    assert got is not None and got.inputs["p:n"] == 0x100
    assert got.regions["buf"] == (0x180, 0x2C0)
    trace = concrete.run_path(model, paths[0], got.inputs)
    assert trace.valid_before[-1] and not any(trace.findings)
