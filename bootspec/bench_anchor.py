"""``bootspec bench``: the rows measured beside the hand-built anchor encodings
(``../shared/design/anchors``, ``--anchors``): the same problem written as a user
writes it in bootspec, and the anchor's formula solved by the same Z3 in a process
of its own, in the same run (a figure on this shared machine means something only
beside the other).

- exp1: N regions of mixed sizes placed anywhere, in the chain idiom;
- exp3: K stages of a top-down bump allocator with frees, the invariant at every step.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bootspec.bench import _decide, _row


def _anchor(anchors: Path, params: dict[str, object]) -> tuple[str, float] | None:
    """One run of a hand-built anchor encoding (``anchors/cell.py``, a process of its
    own with the same Z3): its answer and its seconds (building plus solving)."""
    import json
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "cell.py", json.dumps(params)], cwd=anchors,
                       capture_output=True, text=True, timeout=900)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        return None
    doc = json.loads(line[len("RESULT "):])
    return str(doc.get("result")), float(doc.get("total_s", 0.0))


def chain_model(regs: list[tuple[int, int]], x: tuple[int, int], lo: int, hi: int,
                query: str) -> str:
    """The anchor's first problem (exp1) as a user writes it: regions of mixed sizes
    and alignments placed anywhere in a window as a chain (each above the previous
    one's end), and one more region that avoids them all. ``sat``: a placement of all
    of them (the counterexample of a property no placed region meets); ``unsat``:
    no run places them all (the anchor: unsat). In bootspec's words that is a
    property at the end that is *vacuous* (no run gets there, the cause named) or,
    when the chain itself fits, that holds because the last one stays empty."""
    lines = ["model chain", "  width 64", "stage s"]
    for i, (size, align) in enumerate(regs):
        after = f" above r{i - 1}.end" if i else ""
        lines.append(f"  place r{i} size {size:#x} anywhere within [{lo:#x}, {hi:#x}) "
                     f"align {align:#x}{after}")
    avoid = ", ".join(f"r{i}" for i in range(len(regs)))
    lines.append(f"  place x size {x[0]:#x} anywhere within [{lo:#x}, {hi:#x}) "
                 f"align {x[1]:#x} avoid {avoid}" + (" else none" if query == "unsat" else ""))
    if query == "sat":
        lines += ["proof q", "  for chain expect violated", "  at end below(x, 0)"]
    else:
        lines += ["proof q", "  for chain expect holds", "  at end x.size == 0"]
    return "\n".join(lines) + "\n"


def _opened(out: TextIO, anchors: Path, title: str) -> bool:
    """Print a section's title; False (and say so) when there are no anchors here."""
    out.write(title)
    if not (anchors / "cell.py").is_file():
        out.write(f"  skipped: no anchor encodings at {anchors}\n")
        return False
    return True


def _beside(out: TextIO, anchors: Path, name: str, repeat: int,
            ours: Callable[[], tuple[str, float]], params: dict[str, object]) -> None:
    """One row: ``ours`` (answer, seconds) and the anchor cell ``params``, run in
    turn ``repeat`` times, medians."""
    mine, theirs = [], []
    status, astatus = "", ""
    for _ in range(repeat):
        status, t = ours()
        mine.append(t)
        got = _anchor(anchors, params)
        if got is not None:
            astatus, at = got
            theirs.append(at)
    _row(out, name, statistics.median(mine), statistics.median(theirs) if theirs else None,
         f"{status} (anchor: {astatus or 'did not run'})")


def bench_anchor_chain(out: TextIO, anchors: Path, sizes: list[int], repeat: int) -> None:
    """N regions of mixed sizes in the chain idiom (the anchor's exp1 instance) beside
    the anchor's hand-built chain encoding, measured in the same run."""
    import sys
    if not _opened(out, anchors, "\nN regions of mixed sizes placed anywhere, chain idiom, "
                   "beside the anchor's hand-built chain\n(anchor: ../shared/design/anchors "
                   "exp1, same Z3, a process of its own; ratio = anchor / bootspec)\n"):
        return
    sys.path.insert(0, str(anchors))
    try:
        import problems  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    for query, what in (("sat", "a placement"), ("unsat", "one more than fits (proof)")):
        # one more than fits is a vacuous verdict whose cause (every region of the
        # chain) is minimised one line at a time: minutes at 1024 (see README)
        for n in sizes if query == "sat" else [n for n in sizes if n <= 256]:
            regs, x, lo, hi = problems.exp1_instance(n, query)
            text = chain_model(regs, x, lo, hi, query)
            _beside(out, anchors, f"{what}, N = {n}", repeat,
                    functools.partial(_decide, text, "q", naive=False),
                    {"exp": "exp1", "solver": "z3-default", "arith": "int", "n": n,
                     "enc": "chain", "query": query})


#: exp3's alignments, by step number modulo 3 (anchors/problems.py, ALIGNS3)
STAGE_ALIGNS = (0x1000, 0x10000, 0x200000)


def stages_model(k: int, buggy: bool) -> str:
    """The anchor's third problem (exp3) as a user writes it: K stages, each of which
    allocates top-down from a bump pointer ``top`` (size 4 KiB..1 MiB, the step's
    alignment), frees one earlier region, or does nothing (``op``: 0, 1, 2); the
    allocation is made only when it stays above ``floor`` (``buggy``: the check
    before rounding down only, as the anchor's buggy variant). A region not made is
    empty and not live (``live``); the invariant at every step: ``floor <= top``,
    live regions apart from each other and from the firmware. ``always`` checks it
    after every action (the anchor: after every stage), the same states and more."""
    lines = ["model bump", "  width 34",
             "param floor in [16MiB, 4GiB] align 4KiB",
             "param top0 in [16MiB, 4GiB] align 4KiB",
             "param fwb in [0, 4GiB] align 4KiB",
             "param fws in [4KiB, 16MiB] align 4KiB",
             "assume floor + 6MiB <= top0",
             "assume top0 <= fwb or fwb + fws <= floor",
             "region fw = [fwb, fwb + fws)",
             "var top = top0"]
    for t in range(1, k + 1):
        lines += [f"param op{t} in {{0, 1, 2}}", f"param sz{t} in [4KiB, 1MiB] align 4KiB",
                  f"flag live{t} = false"]
        if t > 1:
            lines.append(f"param f{t} in [1, {t - 1}]")
    for t in range(1, k + 1):
        a = STAGE_ALIGNS[t % 3]
        cand = f"align_down(top - sz{t}, {a:#x})"
        lines.append(f"stage s{t}" + (f" after s{t - 1}" if t > 1 else ""))
        lines += [f"  set live{j} = live{j} and not (op{t} == 1 and f{t} == {j})"
                  for j in range(1, t)]
        ok = f"op{t} == 0 and floor + sz{t} <= top" + ("" if buggy else f" and floor <= {cand}")
        lines += [f"  set live{t} = {ok}",
                  f"  place r{t} size (if live{t} then sz{t} else 0) "
                  f"at (if live{t} then {cand} else 0)",
                  f"  set top = if live{t} then r{t}.start else top"]
    parts = ["floor <= top"]
    for j in range(1, k + 1):
        parts.append(f"(live{j} implies disjoint(r{j}, fw))")
        parts += [f"(live{j} and live{i} implies disjoint(r{j}, r{i}))"
                  for i in range(j + 1, k + 1)]
    lines += ["proof inv", f"  for bump expect {'violated' if buggy else 'holds'}",
              "  always " + " and ".join(parts)]
    return "\n".join(lines) + "\n"


def decide_all(text: str) -> tuple[dict[str, str], float]:
    """Every obligation of a one-model text decided together, as ``bootspec check``
    does: the verdicts by name and the seconds the deciding took."""
    from bootspec.engine.check import ModelChecker
    from bootspec.pipeline import load
    project = load([], [("bench.boot", text)])
    obs = [(o, project.proof_of(o)) for o in project.obligations()]
    checker = ModelChecker(project.models[obs[0][0].model], project.paths[obs[0][0].model])
    t0 = time.perf_counter()
    got = checker.decide_all(obs)
    seconds = time.perf_counter() - t0
    return {o.name: v.status for (o, _), (v, _) in zip(obs, got, strict=True)}, seconds


def bench_anchor_stages(out: TextIO, anchors: Path, sizes: list[int], repeat: int) -> None:
    """K stages of a bump allocator with frees, the invariant at every step (the
    anchor's exp3, one solver with a literal per step), measured in the same run."""
    if not _opened(out, anchors, "\nK stages of a bump allocator with frees, invariant at "
                   "every step, beside the anchor's\n(anchor: ../shared/design/anchors exp3, "
                   "one solver, a literal per step; ratio = anchor / bootspec)\n"):
        return
    for buggy, what in ((False, "proof"), (True, "buggy, counterexample")):
        # the smallest counterexample over 3K parameters is what costs (see README):
        # the buggy rows stop at K = 10
        for k in sizes if not buggy else [k for k in sizes if k <= 10]:
            text = stages_model(k, buggy)

            def ours(text: str = text) -> tuple[str, float]:
                verdicts, t = decide_all(text)
                return verdicts.get("inv", "?"), t

            _beside(out, anchors, f"{what}, K = {k}", repeat, ours,
                    {"exp": "exp3", "solver": "z3-default", "arith": "int", "k": k,
                     "strategy": "assume", "variant": "buggy" if buggy else "correct"})
