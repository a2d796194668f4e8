"""A counterexample carried from an earlier machine (``Carry.hints``) that fails the
first point an obligation is checked at settles where it first fails without asking
the solver whether any point fails (bootspec/engine/batch.py); the verdict, the
reason and the counterexample are what deciding the obligation alone gives."""

from __future__ import annotations

from helpers import decided_alone, load_text

from bootspec.engine import batch as batch_mod
from bootspec.engine.check import Carry, ModelChecker

# 'buf' anywhere below 640 KiB (a choice: the solver decides this model), checked at
# the end and after the stage; two "machines", maps differing in their reserved entry
TEXT = """model m
  width 32
param len in [1KiB, 64KiB] align 1KiB
param gap in [0, 256KiB] align 4KiB
map fw : efi
  entry [0x0, 0x1000) reserved
  entry [0x1000, LOW) conventional
  entry [LOW, 0x100000) bs_data
stage carve
  place buf size len anywhere below 640KiB align 1KiB
  place tail size 4KiB at buf.end + gap
proof clear
  for m expect violated
  always disjoint(buf, fw types {bs_data})
proof after_tail
  for m expect violated
  at end below(tail, LOW)
"""


def machines() -> list[str]:
    return [TEXT.replace("LOW", low) for low in ("0x80000", "0x60000", "0x40000")]


def test_a_carried_counterexample_settles_the_first_point_as_deciding_alone_does(
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pinned = []
    real = batch_mod.PathBatch._pinned

    def counting(self, *a):  # type: ignore[no-untyped-def]
        out = real(self, *a)
        pinned.append(out.status)
        return out

    monkeypatch.setattr(batch_mod.PathBatch, "_pinned", counting)
    carry = Carry()
    for text in machines():
        project = load_text(text)
        obs = [ob for ob in project.obligations() if ob.model == "m"]
        checker = ModelChecker(project.models["m"], project.paths["m"])
        got = checker.decide_all([(ob, project.proof_of(ob)) for ob in obs], carry)
        for ob, (v, _) in zip(obs, got, strict=True):
            assert (v.status, v.reason, v.counterexample) == decided_alone(project, ob), \
                ob.name
        assert {ob.name for ob in obs if ob.kind == "proof"} <= set(carry.hints)
    assert pinned and set(pinned) == {"sat"}  # the second and third machines used it
