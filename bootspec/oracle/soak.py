"""``bootspec soak`` and ``bootspec fuzz``: the figures behind "trustworthy under abuse".

soak: generated 8-bit models (every construct; see :mod:`bootspec.oracle.gen`)
decided three ways: by bootspec's Z3 engine, by enumerating every input through
the concrete evaluator (:mod:`bootspec.engine.enumerate`), and by the reference
interpreter written from docs/language.md alone (:mod:`bootspec.oracle.reference`).
Verdicts and, for violations, the canonical counterexample (path, event,
smallest inputs) must agree. It prints models, obligations, disagreements and
re-validated counterexamples. A disagreement is shrunk (lines deleted while it
persists) and written to ``--keep DIR`` as a regression input.

fuzz: generated and byte-mutated model/proof files and mutated memory-map logs
fed to the front ends; prints files, rejections (each must be a located error
with a code), tracebacks and hangs, which must all be zero. Then the hostile
families of :mod:`bootspec.oracle.hostile` (device files, path escapes, deep and
long expressions, huge literals, corrupted caches, signals during solving), with
unbounded reads, leaks, missed refusals, cache lies and workers left behind,
which must be zero too.
"""

from __future__ import annotations

import dataclasses
import random
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bootspec.diagnostics import BootspecError
from bootspec.engine import concrete
from bootspec.engine.check import ModelChecker
from bootspec.engine.enumerate import TooLarge, search
from bootspec.engine.paths import target_of
from bootspec.engine.solver import Limits
from bootspec.lang import ast as A
from bootspec.lang.ir import Model
from bootspec.oracle import FAMILIES, reference
from bootspec.oracle import hostile as hostile_mod
from bootspec.oracle.commands import add_parsers as add_parsers  # its old home
from bootspec.oracle.gen import generate
from bootspec.pipeline import check_project, load
from bootspec.runner import process_pool


@dataclasses.dataclass
class Tally:
    """What one comparison found."""

    obligations: int = 0
    disagreements: int = 0
    counterexamples: int = 0  # re-validated concretely by the engine
    reference: int = 0  # obligations the reference interpreter also decided
    messages: list[str] = dataclasses.field(default_factory=list)


def _all_choices(model: Model) -> list[str]:
    keys = [concrete.choice_key(b, k) for st in model.stages.values() for b in st.body
            for k, p in enumerate(getattr(b, "policies", ())) if isinstance(p, A.Anywhere)]
    return sorted(set(keys), key=concrete.choice_order)


def _key(model: Model, inputs: dict[str, int]) -> tuple[int, ...]:
    """Parameters as declared, then every anywhere choice of the model (0 where the
    path has none): the order of canonical counterexamples, as the reference gives it."""
    return tuple(inputs[f"p:{p.name}"] for p in model.params) + tuple(
        inputs.get(k, 0) for k in _all_choices(model))


def compare(text: str, use_reference: bool = True) -> tuple[int, int, int, list[str]]:
    """(obligations, disagreements, counterexamples re-validated, messages) for one model."""
    t = compare_all(text, use_reference)
    return t.obligations, t.disagreements, t.counterexamples, t.messages


def compare_all(text: str, use_reference: bool = True) -> Tally:
    """Every obligation of one generated model decided by the engine, by enumeration
    and by the reference interpreter; verdicts and canonical counterexamples compared."""
    project = load([], [("soak.boot", text)])
    tally = Tally()
    for ob in project.obligations():
        model, paths = project.models[ob.model], project.paths[ob.model]
        proof = project.proof_of(ob)
        try:
            found = search(model, paths, target_of(model, ob, proof))
        except TooLarge:
            continue
        checker = ModelChecker(model, paths, fast=False)
        got = checker.decide(ob, proof)
        tally.obligations += 1
        name = f"{ob.model}/{ob.name}"
        cx = got.counterexample
        if cx is not None:
            tally.counterexamples += 1  # decide() re-ran it concretely, or raised InternalError
        View = tuple[str, tuple[tuple[str, ...] | None, int | None, tuple[int, ...] | None]
                     | None]
        views: dict[str, View] = {"bootspec": (got.status, None if cx is None else
                              (cx.path, cx.event, _key(model, dict(cx.inputs))))}
        views["enumeration"] = (found.status, None if found.violation is None else
                                (paths[found.violation[0]].stages, found.violation[1],
                                 _key(model, found.violation[2])))
        if use_reference:
            try:
                ref = reference.decide(model, ob.name, proof)
                views["reference"] = (ref.status, None if ref.status != "violated" else
                                      (ref.path, ref.event, ref.key))
                tally.reference += 1
            except reference.TooLarge:
                pass
        if checker.big:  # counterexamples of big maps are searched on smaller maps
            views = {k: (v[0], None) for k, v in views.items()}
        if len(set(views.values())) > 1:
            tally.disagreements += 1
            tally.messages.append(f"{name}: " + "; ".join(
                f"{who} {status}{'' if at is None else f' at {at}'}"
                for who, (status, at) in views.items()))
    return tally


def _soak_one(seed: int) -> tuple[int, int, int, int, list[str], str]:
    text = generate(seed)
    try:
        n, bad, cex, msgs = compare(text)
    except Exception as e:
        return seed, 0, 1, 0, [f"crash: {e!r}"], text
    return seed, n, bad, cex, msgs, text


def shrink(text: str) -> str:
    """Delete lines while the model still loads and still disagrees."""
    lines = text.splitlines()
    changed = True
    while changed:
        changed = False
        for i in range(len(lines)):
            trial = lines[:i] + lines[i + 1:]
            try:
                _, bad, _, _ = compare("\n".join(trial) + "\n")
            except Exception:
                continue
            if bad:
                lines, changed = trial, True
                break
    return "\n".join(lines) + "\n"


def soak(start: int, count: int, jobs: int, keep: Path | None, out: TextIO) -> int:
    t0 = time.perf_counter()
    models = obligations = bad = cex = 0
    with process_pool(jobs) as pool:
        for seed, n, b, c, msgs, text in pool.map(_soak_one, range(start, start + count),
                                                  chunksize=8):
            models += 1
            obligations += n
            bad += b
            cex += c
            for m in msgs:
                out.write(f"seed {seed}: {m}\n")
            if b and keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"seed_{seed}.boot").write_text(shrink(text), encoding="utf-8")
            if models % 500 == 0:
                out.write(f"  ... {models} models, {obligations} obligations, {bad} "
                          f"disagreements ({time.perf_counter() - t0:.0f} s)\n")
                out.flush()
    out.write(f"soak: {models} models, {obligations} obligations decided three ways "
              f"(Z3 engine, enumeration, reference interpreter), {bad} disagreements, "
              f"{cex} counterexamples re-validated concretely, "
              f"{time.perf_counter() - t0:.1f} s\n")
    return 1 if bad else 0


# -- fuzzing

def _mutate(rnd: random.Random, text: str) -> str:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rnd.randint(1, 6)):
        op = rnd.random()
        pos = rnd.randrange(len(data) + 1)
        if op < 0.3 and data:
            del data[pos:pos + rnd.randint(1, 8)]
        elif op < 0.55:
            data[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 4)))
        elif op < 0.75:
            data[pos:pos] = rnd.choice([b"(", b")", b"[", b"]", b"{", b"}", b",", b"\n",
                                        b" place ", b" within ", b"0x", b"GiB", b" and ",
                                        b"extends ", b"\\\n", b"#", b"\"", b"9" * 30])
        elif data:
            lines = bytes(data).split(b"\n")
            i = rnd.randrange(len(lines))
            j = rnd.randrange(len(lines))
            lines.insert(j, lines[i])
            data = bytearray(b"\n".join(lines))
    return bytes(data).decode("utf-8", errors="replace")


class _Hang(Exception):
    pass


def _alarm(_sig: int, _frame: object) -> None:
    raise _Hang


def _fuzz_models(seeds: Iterator[int], shipped: list[str]) -> tuple[int, int, int, list[str]]:
    files = rejected = hangs = 0
    problems = []
    signal.signal(signal.SIGALRM, _alarm)
    for seed in seeds:
        rnd = random.Random(seed)
        base = generate(seed) if seed % 2 else rnd.choice(shipped)
        text = _mutate(rnd, base)
        files += 1
        signal.alarm(10)
        try:
            project = load([], [(f"fuzz{seed}.boot", text)])
            if seed % 97 == 0:  # now and then, run the engine on what loaded
                check_project(project, Limits(rlimit=2_000_000, timeout_ms=5_000))
        except BootspecError as e:
            rejected += 1
            if not all(d.code.startswith("BS") and d.span.line >= 0 for d in e.diagnostics):
                problems.append(f"seed {seed}: a rejection without a code or location")
        except _Hang:
            hangs += 1
            problems.append(f"seed {seed}: no answer in 10 s")
        except Exception as e:
            problems.append(f"seed {seed}: traceback {e!r}")
        finally:
            signal.alarm(0)
    return files, rejected, hangs, problems


def _fuzz_maps(seeds: Iterator[int], lines: list[str]) -> tuple[int, int, int, list[str]]:
    from bootspec.memmap import parse_text
    files = rejected = 0
    problems = []
    for seed in seeds:
        rnd = random.Random(seed)
        chunk = "\n".join(rnd.sample(lines, min(len(lines), rnd.randint(1, 40))))
        text = _mutate(rnd, chunk)
        files += 1
        try:
            result = parse_text(text, f"fuzz{seed}.log")
            if any(d.severity == "error" for d in result.diagnostics):
                rejected += 1
        except Exception as e:
            problems.append(f"map seed {seed}: traceback {e!r}")
    return files, rejected, 0, problems


def fuzz(models: int, maps: int, jobs: int, repo: Path, corpus: Path, out: TextIO,
         hostile: int = 0, signals: int = 0, families: tuple[str, ...] = FAMILIES) -> int:
    """Mutated models and maps, then ``hostile`` cases of the hostile families and
    ``signals`` signalled runs (:mod:`bootspec.oracle.hostile`); 1 when anything failed."""
    t0 = time.perf_counter()
    shipped = [p.read_text(encoding="utf-8") for p in sorted(repo.glob("models/*.boot"))]
    shipped += [p.read_text(encoding="utf-8") for p in sorted(repo.glob("proofs/*.proof"))]
    shipped = shipped or [generate(0)]
    map_lines = [ln for p in sorted(corpus.glob("*.txt"))
                 for ln in p.read_text(encoding="utf-8", errors="replace").splitlines()]
    chunks = [range(i, min(models, i + 500)) for i in range(0, models, 500)]
    files = rejected = hangs = 0
    problems: list[str] = []
    tally = hostile_mod.Tally()
    with process_pool(jobs) as pool, tempfile.TemporaryDirectory(prefix="bootspec-fuzz-") as tmp:
        for f, r, h, p in pool.map(_fuzz_models, (iter(c) for c in chunks),
                                   [shipped] * len(chunks)):
            files, rejected, hangs = files + f, rejected + r, hangs + h
            problems += p
        mfiles = mrejected = 0
        if map_lines and maps:
            mchunks = [range(i, min(maps, i + 500)) for i in range(0, maps, 500)]
            for f, r, _h, p in pool.map(_fuzz_maps, (iter(c) for c in mchunks),
                                        [map_lines] * len(mchunks)):
                mfiles, mrejected = mfiles + f, mrejected + r
                problems += p
        if hostile:
            hchunks = list(hostile_mod.chunks(0, hostile))
            for part in pool.map(hostile_mod.run_chunk, hchunks, [tmp] * len(hchunks),
                                 [shipped] * len(hchunks), [families] * len(hchunks)):
                tally.add(part)
        if signals:
            tally.add(hostile_mod.signals(signals, repo, Path(tmp)))
    problems += tally.problems
    shown: dict[str, int] = {}
    for problem in problems:  # the first ten of each kind, so one kind cannot hide another
        kind = problem.split(":", 1)[0].rsplit(" ", 1)[0]
        shown[kind] = shown.get(kind, 0) + 1
        if shown[kind] <= 10:
            out.write(problem + "\n")
    tracebacks = sum("traceback" in p for p in problems[:len(problems) - len(tally.problems)])
    out.write(f"fuzz: {files} model/proof files ({rejected} rejected with located, coded "
              f"errors), {mfiles} memory-map logs ({mrejected} with errors); "
              f"{tracebacks} tracebacks, {hangs} hangs\n")
    if hostile or signals:
        out.write(f"fuzz: {tally.summary()}\n")
    out.write(f"fuzz: in all {tracebacks + tally.tracebacks} tracebacks, "
              f"{hangs + tally.hangs} hangs, {tally.unbounded} unbounded reads, "
              f"{tally.leaks + tally.missed} path problems, {tally.lies} cache lies, "
              f"{tally.workers_left} workers left behind, {time.perf_counter() - t0:.1f} s\n")
    return 1 if problems else 0


__all__ = ["add_parsers", "compare", "fuzz", "shrink", "soak"]
