"""Why a proof holds (docs/language.md, "Verdicts"): the lines ``explain`` lists are
enough for the proof, none can be left out, and an extension's lines are marked.

The claims are checked by changing the model, not by reading the list back: a line
left out can be changed at will and the verdict stays holds; a listed line, changed,
breaks the proof."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import load_text

from bootspec.engine.check import ModelChecker, Verdict

ROOT = Path(__file__).resolve().parents[2]

MODEL = """model m
  width 32
  param s in [1, 16]
stage a
  place x size s at 0x1000
  place y size 16 at 0x2000
  place z size 16 at 0x3000
proof p
  for m expect holds
  always disjoint(x, z)
"""


def decide(text: str, model: str = "m", core: bool = True) -> Verdict:
    p = load_text(text)
    ob = next(o for o in p.obligations() if o.name == "p" and o.model == model)
    checker = ModelChecker(p.models[ob.model], p.paths[ob.model])
    return checker.decide(ob, p.proof_of(ob), want_core=core)


def test_the_listed_lines_are_the_ones_the_proof_needs() -> None:
    v = decide(MODEL)
    assert v.status == "holds"
    assert {span.line for _, span in v.core} == {3, 5, 7}  # s's domain, x and z; not y
    assert any(label == "the placement of 'x'" for label, _ in v.core)


def test_a_line_left_out_can_change_and_the_proof_stays() -> None:
    # y is not listed: put it anywhere, even on top of x and z
    assert decide(MODEL.replace("size 16 at 0x2000", "size 0x3000 at 0x1000"),
                  core=False).status == "holds"


def test_each_listed_line_changed_breaks_the_proof() -> None:
    for old, new in [("param s in [1, 16]", "param s in [1, 0x2001]"),
                     ("place x size s at 0x1000", "place x size s at 0x2FF8"),
                     ("place z size 16 at 0x3000", "place z size 16 at 0x1000")]:
        assert old in MODEL
        assert decide(MODEL.replace(old, new), core=False).status == "violated", new


def test_the_explanation_does_not_change_the_verdict() -> None:
    for text in [MODEL, MODEL.replace("at 0x3000", "at 0x1008")]:
        assert decide(text).status == decide(text, core=False).status


EXTENDED = MODEL.split("proof p")[0] + """
model m2 extends m
stage a
  replace place z size 32 at 0x4000
proof p
  for m expect holds
  for m2 expect holds
  always disjoint(x, z)
"""


def explained(text: str, model: str) -> str:
    """The text of ``explain p -m MODEL`` on a holds."""
    from bootspec.report.formats import render_explain
    p = load_text(text)
    ob = next(o for o in p.obligations() if o.name == "p" and o.model == model)
    v = ModelChecker(p.models[model], p.paths[model]).decide(ob, p.proof_of(ob),
                                                            want_core=True)
    assert v.status == "holds"
    return render_explain(ob, v, p, "text")


def test_an_extension_marks_the_lines_it_wrote() -> None:
    blocks = explained(EXTENDED, "m2").split("\n\n")
    z = next(b for b in blocks if "the placement of 'z'" in b)
    x = next(b for b in blocks if "the placement of 'x'" in b)
    assert "changed by m2 (extends m)" in z and "size 32 at 0x4000" in z
    assert "changed by" not in x and "| place x size s at 0x1000" in x


def test_explain_names_the_fix_of_a_shipped_model() -> None:
    """xen_kdump_slot's fix is its 'replace place crash ... avoid mod0, mod1, xen'
    (xen-project/xen e22e1c4795, 9589927e5b); its proof of disjoint(crash, xen) must
    name that line as the extension's."""
    import subprocess
    import sys
    src = (ROOT / "models" / "xen_kdump.boot").read_text(encoding="utf-8").splitlines()
    fix = next(i + 1 for i, line in enumerate(src) if "replace place crash" in line)
    r = subprocess.run([sys.executable, "-m", "bootspec", "explain", "kdump_clear_of_xen_image",
                        "-m", "xen_kdump_slot", "models", "proofs"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    block = next(b for b in r.stdout.split("\n\n") if f"models/xen_kdump.boot:{fix}:" in b)
    assert "the placement of 'crash'" in block
    assert "changed by xen_kdump_slot (extends xen_kdump_no_slot)" in block
    assert re.search(r"\| avoid mod0, mod1, xen", block)
    assert "cite" not in block  # the cite is shown once, under the verdict


def test_explaining_changes_no_verdict_on_generated_models() -> None:
    """Named definitions give the same runs: on generated models (every construct
    the soak writes), deciding with the explanation gives the verdict, reason and
    counterexample that deciding without it gives, and a holds lists lines."""
    from bootspec.oracle.gen import generate
    from bootspec.pipeline import load
    explained = 0
    for seed in range(0, 40, 2):
        project = load([], [("g.boot", generate(seed))])
        for ob in project.obligations():
            model = project.models[ob.model]
            proof = project.proof_of(ob)
            plain = ModelChecker(model, project.paths[ob.model], fast=False).decide(ob, proof)
            why = ModelChecker(model, project.paths[ob.model]).decide(ob, proof,
                                                                     want_core=True)
            assert (why.status, why.counterexample) == (plain.status, plain.counterexample), \
                f"seed {seed} {ob.model}/{ob.name}"
            if why.status == "holds":
                explained += 1
                assert why.core_minimal == (ob.kind in ("proof", "assert"))
    assert explained >= 10  # the check saw proofs, not only violations


def test_the_shape_of_the_runs_is_given_not_listed() -> None:
    """docs/language.md: a 'free' only changes which regions are live; the proof
    depends on it (deleted, y never fits: no run gets there) yet no listed line stands
    for it —
    which is what the explanation says ('given the shape of the runs')."""
    text = """model m
  width 32
stage a
  place x size 16 at 0x1000
  free x
  place y size 16 topdown within [0x1000, 0x1010) avoid all
proof p
  for m expect holds
  always within(y, [0x1000, 0x1010))
"""
    v = decide(text)
    assert v.status == "holds" and 5 not in {span.line for _, span in v.core}
    assert decide(text.replace("  free x\n", ""), core=False).status == "vacuous"


def _lines(text: str, model: str = "m") -> set[int]:
    return {span.line for _, span in decide(text, model).core}


POOL = """model m
  width 32
  pool heap = [0x1000, 0x2000) up
  region z = [0x1000, 0x1100)
stage a
  place a size 0x100 from heap
  place x size 0x100 from heap
proof p
  for m expect holds
  always disjoint(x, z)
"""


def test_a_pools_cursor_is_read_through_the_allocations_that_move_it() -> None:
    # x lands where a left the cursor: a's allocation (line 6) and the pool (line 3)
    # are read, and changing either breaks the proof
    assert {3, 6, 7} <= _lines(POOL)
    assert decide(POOL.replace("size 0x100 from heap\n  place x", "size 0x10 from heap\n"
                               "  place x"), core=False).status == "violated"
    assert decide(POOL.replace("[0x1000, 0x2000) up", "[0xF00, 0x2000) up"),
                  core=False).status == "violated"


def test_a_region_read_for_its_well_formedness_is_listed() -> None:
    text = """model m
  width 32
  param s in [1, 16]
stage a
  place x size s at 0x1000
  place y size 16 at (if x.end > 5 then 0x1000 else 0x1000)
proof p
  for m expect holds
  always below(y, 0x2000)
"""
    assert 5 in _lines(text)  # y reads x: a malformed x would taint y
    assert decide(text.replace("at 0x1000\n  place y", "at 0xFFFFFFFF\n  place y"),
                  core=False).status == "violated"


EXT_GUARD_CONST = """model m
  width 32
  const BASE = 0x2FF8
  const ZSTART = 0x3000
  param s in [0, 32]
  region z = [ZSTART, 0x3010)
stage a when s <= 32
  place x size s at BASE

model m2 extends m
  const BASE = 0x1000
stage a when s <= 16

proof p
  for m expect violated
  for m2 expect holds
  always disjoint(x, z)
"""


def test_an_extension_s_guard_and_constant_are_marked() -> None:
    out = explained(EXT_GUARD_CONST, "m2")
    x = next(b for b in out.split("\n\n") if "the placement of 'x'" in b)
    assert "changed by m2 (extends m), through BASE" in x
    z = next(b for b in out.split("\n\n") if "the region 'z'" in b)
    assert "changed by" not in z  # ZSTART is inherited as it was
    assert "guard of stage 'a'" not in out or "stage a when s <= 16" in out


def test_wellformed_lists_a_core_without_claiming_more() -> None:
    p = load_text(MODEL)
    ob = next(o for o in p.obligations() if o.name == "wellformed")
    v = ModelChecker(p.models["m"], p.paths["m"]).decide(ob, None, want_core=True)
    assert v.status == "holds" and not v.core_minimal
