"""``bootspec bench``: the speed figures, each beside the naive encoding run alongside.

Not a test: it prints measurements (median of ``--repeat`` runs) and, for the
workloads that grow with N, the fitted exponent k of time ~ N^k. ``--quick``
runs small sizes only (CI uses it as a smoke test).

Workloads:
- the shipped suite cold, warm (proof cache), and with one model edited;
- a symbolic EFI map of N entries with a top-down allocator in conventional
  memory below 1 MiB; the proof that it never touches boot-services memory, and
  the buggy variant (allocation not restricted to the map) whose counterexample
  must be found; naive = the exact encoding over all N entries;
- N regions placed anywhere, pairwise disjoint, and the proof that two of them do
  not overlap: written as a chain (each above the previous end), against the
  naive 'avoid all' (every pair);
- one real machine map against every shipped model, and the whole shared corpus.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bootspec.engine.limits import Limits
from bootspec.sources import discover

if TYPE_CHECKING:  # the engine is imported when a figure is measured, not to register
    from bootspec.cache import Cache
    from bootspec.pipeline import Project


def _cache(folder: Path) -> Cache:
    from bootspec.cache import Cache
    return Cache(folder)

NAIVE_LIMIT = Limits(rlimit=200_000_000, timeout_ms=20_000)


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def map_model(n: int, buggy: bool) -> str:
    where = "below 1MiB align 4KiB" if buggy else "in fw types {conventional} below 1MiB align 4KiB"
    return f"""model alloc
  width 64
param sz in [4KiB, 64KiB] align 4KiB
map fw : efi symbolic {n} types {{conventional, bs_code, bs_data, loader_data}} align 4KiB
stage s
  place x size sz topdown {where}
expect fits@L6 violated  # maps with no room below 1 MiB: Xen panics there
proof no_boot_services
  for alloc expect {'violated' if buggy else 'holds'}
  always disjoint(x, fw types {{bs_code, bs_data}})
"""


def regions_model(n: int, chained: bool) -> str:
    """N regions of 4 KiB placed anywhere below 4 GiB, pairwise disjoint: written as a
    chain (each above the previous one's end: linear) or with 'avoid all' (every pair:
    the naive encoding)."""
    lines = ["model many", "  width 64", "stage s"]
    for i in range(n):
        rule = f"above r{i - 1}.end" if chained and i else ("avoid all" if i else "")
        lines.append(f"  place r{i} size 4KiB anywhere within [0, 4GiB) align 4KiB {rule}")
    lines += ["proof apart", "  for many expect holds",
              f"  at end disjoint(r0, r{n - 1}) and disjoint(r{n // 2}, r{n - 1})"]
    return "\n".join(lines) + "\n"


def _decide(text: str, proof: str, naive: bool) -> tuple[str, float]:
    from bootspec.engine import check as check_mod
    from bootspec.engine.check import ModelChecker
    from bootspec.pipeline import load
    project = load([], [("bench.boot", text)])
    ob = next(o for o in project.obligations() if o.name == proof)
    saved = check_mod.SMALL_MAP
    if naive:
        check_mod.SMALL_MAP = 1 << 30  # never abstract: unroll every entry
    try:
        checker = ModelChecker(project.models[ob.model], project.paths[ob.model],
                               NAIVE_LIMIT if naive else None)
        t0 = time.perf_counter()
        v = checker.decide(ob, project.proof(proof))
        return v.status, time.perf_counter() - t0
    finally:
        check_mod.SMALL_MAP = saved


def _fit(points: list[tuple[int, float]]) -> str:
    pts = [(math.log(n), math.log(max(t, 1e-4))) for n, t in points if t > 0]
    if len(pts) < 2:
        return "-"
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    k = sum((x - mx) * (y - my) for x, y in pts) / den if den else 0.0
    return f"time ~ N^{k:.2f}"


def _row(out: TextIO, name: str, ours: float, naive: float | None, note: str = "") -> None:
    ratio = f"{naive / ours:8.1f}x" if naive is not None and ours > 0 else "       -"
    nv = f"{naive:9.3f} s" if naive is not None else "          -"
    out.write(f"  {name:<44} {ours:9.3f} s {nv} {ratio}  {note}\n")


def bench_scaling(out: TextIO, sizes: list[int], naive_max: int) -> None:
    for title, buggy in (("allocator vs boot services, proof", False),
                         ("buggy allocator, counterexample", True)):
        out.write(f"\n{title} (symbolic EFI map of N entries)\n")
        out.write(f"  {'N':<44} {'bootspec':>11} {'naive':>11} {'ratio':>9}\n")
        ours_pts, naive_pts = [], []
        for n in sizes:
            status, t = _decide(map_model(n, buggy), "no_boot_services", naive=False)
            nv: float | None = None
            note = status
            if n <= naive_max:
                nstatus, nv = _decide(map_model(n, buggy), "no_boot_services", naive=True)
                naive_pts.append((n, nv))
                note += f" (naive: {nstatus})"
            ours_pts.append((n, t))
            _row(out, f"N = {n}", t, nv, note)
        out.write(f"  fit: bootspec {_fit(ours_pts)}; naive {_fit(naive_pts)}\n")


def bench_regions(out: TextIO, sizes: list[int], naive_max: int) -> None:
    out.write("\nN regions placed anywhere, pairwise disjoint; proof that two are apart\n"
              "(bootspec: written as a chain; naive: 'avoid all', every pair)\n")
    ours_pts, naive_pts = [], []
    for n in sizes:
        status, t = _decide(regions_model(n, chained=True), "apart", naive=False)
        ours_pts.append((n, t))
        nv = None
        note = status
        if n <= naive_max:
            nstatus, nv = _decide(regions_model(n, chained=False), "apart", naive=True)
            naive_pts.append((n, nv))
            note += f" (naive: {nstatus})"
        _row(out, f"N = {n}", t, nv, note)
    out.write(f"  fit: bootspec {_fit(ours_pts)}; naive {_fit(naive_pts)}\n")


def bench_suite(out: TextIO, repeat: int) -> None:
    from bootspec.pipeline import check_project, load
    files = discover([])
    project = load(files)
    n = len(project.obligations())
    out.write(f"\nshipped suite ({n} obligations)\n")
    t_cold, _ = _time(lambda: check_project(project), repeat)
    _row(out, "cold (no cache)", t_cold, None)
    tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
    try:
        check_project(project, cache=_cache(tmp))
        t_warm, _ = _time(lambda: check_project(load(files), cache=_cache(tmp)), repeat)
        _row(out, "again, nothing changed (cache; incl. loading)", t_warm, t_cold)
        name = sorted(project.models)[0]
        m = project.models[name]
        edited = dict(project.models)
        edited[name] = dataclasses.replace(m, cites=(*m.cites, "bench edit"))
        p2 = dataclasses.replace(project, models=edited)
        results = check_project(p2, cache=_cache(tmp))
        rerun = sum(not r.cached for r in results)
        mine = sum(1 for o in project.obligations() if o.model == name)
        _row(out, f"one model edited ({name})", sum(r.seconds for r in results
                                                   if not r.cached), None,
             f"re-ran {rerun} obligations; the model has {mine}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cpu(argv: list[str], cwd: Path | None = None) -> float:
    """CPU seconds (user + system) of one whole process: ``python ARGV``."""
    import resource  # POSIX only, and only where the bench measures
    import subprocess
    import sys
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, env=_installed_env())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _wall(argv: list[str]) -> float:
    """Wall-clock seconds of one whole process: ``python ARGV`` (its exit status ignored:
    a corpus with a machine that is not acceptable exits 1)."""
    import subprocess
    import sys
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *argv], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=_installed_env())
    return time.perf_counter() - t0


_CLI = ["-c", "from bootspec.cli import main; main()"]


def _in_turn(ours: list[str], floor: list[str], repeat: int) -> tuple[float, float]:
    """Two whole processes run in turn ``repeat`` times: their CPU-second medians."""
    a, b = [], []
    for _ in range(repeat):
        a.append(_cpu(ours))
        b.append(_cpu(floor))
    return statistics.median(a), statistics.median(b)


def _installed_env() -> dict[str, str]:
    """The environment of a measured process: this one's, except that Python may keep
    compiled bytecode, as in an installed package (pip compiles it at install). With
    PYTHONDONTWRITEBYTECODE set, every process compiles bootspec's modules again:
    about 0.3 s of CPU that is the machine's setting, not bootspec's."""
    import os
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def bench_efi_process(out: TextIO, sizes: list[int], repeat: int) -> None:
    """``bootspec check`` of the allocator proof over a symbolic EFI map of N entries
    (both obligations: the proof and ``wellformed``) as a whole process beside
    ``python -c "import z3"`` (the floor: the interpreter and the solver's bindings),
    runs in turn, CPU-second medians."""
    out.write("\nallocator vs boot services, symbolic EFI map, whole process (CPU seconds; "
              "naive = python -c 'import z3')\n")
    tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
    try:
        for n in sizes:
            model = tmp / f"efi{n}.boot"
            model.write_text(map_model(n, buggy=False))
            argv = [*_CLI, "check", "--no-cache", "--quiet", str(model)]
            _cpu(argv)  # bytecode written once, as after an install
            ours, floor = _in_turn(argv, ["-c", "import z3"], repeat)
            _row(out, f"N = {n}", ours, floor, "target <= 0.2 s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_startup(out: TextIO, repeat: int) -> None:
    """``bootspec --version`` as a whole process beside ``python -c pass`` (the floor:
    the interpreter's own start), runs in turn, CPU-second medians."""
    out.write("\nstart-up (whole process, CPU seconds; naive = python -c pass)\n")
    ours, floor = _in_turn([*_CLI, "--version"], ["-c", "pass"], repeat)
    _row(out, "bootspec --version", ours, floor, "target <= 0.15 s")


def bench_warm_suite(out: TextIO, repeat: int, paths: list[str] | None = None) -> None:
    """``bootspec check`` of an unchanged project, again, as a whole process: the warm
    path (the run entry, bootspec/warm.py) beside the normal warm path (the same cache
    without the run entry: parse, key, read every verdict), runs in turn, CPU-second
    medians. ``paths``: the models and proofs (default: models/ and proofs/ here)."""
    tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
    argv = [*_CLI, "check", *(paths or []), "--cache-dir", str(tmp)]
    try:
        _cpu(argv)  # decide and cache every verdict; leaves the run entry
        ours, normal = [], []
        for _ in range(repeat):
            ours.append(_cpu(argv))
            for f in tmp.rglob("*.json"):  # the run entry only: notes of no other kind
                if b'"note"' in f.read_bytes():
                    f.unlink()
            normal.append(_cpu(argv))
        out.write("\nshipped suite again, nothing changed (whole process, CPU seconds; "
                  "naive = the normal warm path)\n")
        _row(out, "bootspec check, warm cache", statistics.median(ours),
             statistics.median(normal), "target <= 0.3 s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_LOG_MAP = """(XEN) Xen-e820 RAM map:
(XEN)  [0000000000000000, 000000000009fbff] (usable)
(XEN)  [000000000009fc00, 000000000009ffff] (reserved)
(XEN)  [00000000000f0000, 00000000000fffff] (reserved)
(XEN)  [0000000000100000, 000000007ffdffff] (usable)
(XEN)  [000000007ffe0000, 000000007fffffff] (reserved)
(XEN)  [00000000fffc0000, 00000000ffffffff] (reserved)
"""


def _cpu_mem(argv: list[str]) -> tuple[float, int]:
    """CPU seconds and peak resident memory (bytes) of one whole process: ``python
    ARGV`` (its own rusage, from wait4)."""
    import os
    import subprocess
    import sys
    p = subprocess.Popen([sys.executable, *argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=_installed_env())
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{argv} exited {p.returncode}")
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024  # Linux: KiB


def bench_log(out: TextIO, sizes: list[int], repeat: int) -> None:
    """A hypervisor's boot log of N lines (a 6-entry map, then N lines of '(XEN)'
    messages, the lines the map reader must look at most closely) through ``memmap
    check -m xen_trampoline`` as a whole process: CPU seconds and peak memory, and
    the growth in N."""
    out.write("\na boot log of N lines through memmap check (whole process, CPU seconds "
              "and peak memory)\n")
    tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
    pts = []
    try:
        for n in sizes:
            log = tmp / f"xen-{n}.log"
            with log.open("w", encoding="utf-8") as f:
                f.write(_LOG_MAP)
                for i in range(n - _LOG_MAP.count("\n")):
                    f.write(f"(XEN) [   12.{i:06d}] d0v1 message {i}: nothing about memory\n")
            argv = [*_CLI, "memmap", "check", str(log), "-m", "xen_trampoline", "--no-cache"]
            runs = [_cpu_mem(argv) for _ in range(repeat)]
            cpu = statistics.median(c for c, _ in runs)
            mem = max(m for _, m in runs)
            pts.append((n, cpu))
            target = "  target <= 10 s, <= 500 MB" if n >= 1_000_000 else ""
            _row(out, f"N = {n:,} lines", cpu, None, f"{mem / 2**20:.0f} MB peak{target}")
            log.unlink()
        out.write(f"  fit: bootspec {_fit(pts)}\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_machines(out: TextIO, corpus: Path, limit: int | None, jobs: int = 2) -> None:
    """Real machine maps against every shipped model with a symbolic map, as
    ``bootspec memmap check`` runs them: verdicts only (no sample runs), then the
    whole command's work with samples. 'Alone' checks each machine as if it were the
    only one (nothing carried); a sweep carries proofs for every map and known runs
    from machine to machine (verdicts identical either way)."""
    from bootspec.pipeline import load
    from bootspec.sweep.cli import expand_inputs
    from bootspec.sweep.run import check_machine, check_machines
    if not corpus.is_dir():
        out.write(f"\nreal maps: {corpus} not found, skipped\n")
        return
    project = load(discover([]))
    models = [n for n, m in sorted(project.models.items())
              if any(x.symbolic for x in m.maps.values())]
    inputs = expand_inputs([str(corpus)])[0][:limit]
    out.write(f"\nreal machine maps ({len(inputs)} files) against {len(models)} models\n")
    alone = [r.seconds for r in (check_machine(project, models, f, sample=False, explicit=e)
                                 for f, e in inputs) if r.checked]
    t0 = time.perf_counter()
    swept = [r.seconds for r in check_machines(project, models, inputs, sample=False)
             if r.checked]
    serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    check_machines(project, models, inputs, jobs=jobs, sample=False)
    parallel = time.perf_counter() - t0
    t0 = time.perf_counter()
    check_machines(project, models, inputs, jobs=jobs, sample=True)
    with_samples = time.perf_counter() - t0
    if not swept:
        return
    kept = _alone_after_other_runs(project, models, inputs)
    first = _alone_first_run(project, models, inputs[:5])
    again = _corpus_again(project, models, inputs, jobs)
    _row(out, "one map, every model, alone (median)", statistics.median(alone), None,
         f"max {max(alone):.3f} s; empty cache")
    _row(out, "one map alone, cache of runs on other maps", statistics.median(kept),
         statistics.median(alone), f"median, max {max(kept):.3f} s; naive = empty cache")
    if first:
        _row(out, "one map alone, first run into an empty cache", statistics.median(first),
             None, f"median of {len(first)}; makes and keeps the models' proofs")
    _row(out, "one map, every model, in a sweep (median)", statistics.median(swept), None,
         f"max {max(swept):.3f} s")
    _row(out, f"the whole corpus, every model ({len(swept)} maps)", serial, sum(alone),
         "serial; naive = each map alone")
    _row(out, f"the whole corpus, -j {jobs}", parallel, None, "incl. starting the workers")
    _row(out, f"the whole corpus, -j {jobs}, with sample runs", with_samples, None,
         "what 'memmap check' does by default")
    _row(out, f"the whole corpus again, -j {jobs} (cache)", again, with_samples,
         "nothing changed; naive = the first run")
    bench_corpus_process(out, corpus if limit is None else [Path(f) for f, _ in inputs],
                         models, jobs, 1 if limit is not None else 3)
    bench_one_map_process(out, Path(inputs[0][0]), models, 5)


def bench_corpus_process(out: TextIO, maps: Path | list[Path], models: list[str], jobs: int,
                         repeat: int) -> None:
    """``bootspec memmap check`` of the corpus (a folder, or its first files) against
    ``models``, cold, as a user runs it: a whole process with ``-j jobs`` beside the
    same with ``-j 1``, in turn, wall-clock medians (what the user waits for; the
    workers' CPU adds up)."""
    files = [str(maps)] if isinstance(maps, Path) else [str(m) for m in maps]
    argv = [*_CLI, "memmap", "check", *files, *(f"--model={m}" for m in models),
            "--quiet", "--no-cache"]
    _wall(argv)  # bytecode written, as after an install
    wide, one = [], []
    for _ in range(repeat):
        wide.append(_wall([*argv, "-j", str(jobs)]))
        one.append(_wall([*argv, "-j", "1"]))
    _row(out, f"the whole corpus, whole process, -j {jobs} (wall)", statistics.median(wide),
         statistics.median(one), "target <= 5 s; naive = -j 1")


def bench_one_map_process(out: TextIO, corpus_map: Path, models: list[str],
                          repeat: int) -> None:
    """``bootspec memmap check MAP -m M...`` of one real map against ``models`` as a
    whole process, warm (a first run filled the cache: the warm path) and cold
    (``--no-cache``), runs in turn, CPU-second medians."""
    tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
    try:
        flags = [f"--model={m}" for m in models]
        warm = [*_CLI, "memmap", "check", str(corpus_map), *flags, "--quiet",
                "--cache-dir", str(tmp)]
        cold = [*_CLI, "memmap", "check", str(corpus_map), *flags, "--quiet", "--no-cache"]
        _cpu(warm)  # bytecode written, every machine report cached
        _cpu(warm)  # the run that reads them all leaves the run entry
        ours, normal = _in_turn(warm, cold, repeat)
        _row(out, f"one map ({corpus_map.name}), every model, whole process, warm", ours,
             normal, "target <= 0.3 s; naive = the same with --no-cache")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _alone_after_other_runs(project: Project, models: list[str],
                            inputs: list[tuple[str, bool]]) -> list[float]:
    """Each map checked as a run of its own after runs on *other* maps filled the
    cache: the corpus is split in two halves, each sweeps into a cache of its own,
    and the maps of the other half are then checked one by one against it."""
    from bootspec.sweep.run import check_machines
    times: list[float] = []
    halves = (inputs[0::2], inputs[1::2])
    for seen, new in (halves, halves[::-1]):
        tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
        try:
            check_machines(project, models, seen, sample=False, cache=_cache(tmp))
            for f, explicit in new:
                t = _run_of_its_own(project, models, f, explicit, tmp)
                if t is not None:
                    times.append(t)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return times


def _alone_first_run(project: Project, models: list[str],
                     inputs: list[tuple[str, bool]]) -> list[float]:
    """Each map as the first run into an empty cache: the CLI default on a fresh
    checkout, which also makes the proofs for every map that later runs read."""
    times: list[float] = []
    for f, explicit in inputs:
        tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
        try:
            t = _run_of_its_own(project, models, f, explicit, tmp)
            if t is not None:
                times.append(t)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return times


def _run_of_its_own(project: Project, models: list[str], f: str, explicit: bool,
                    folder: Path) -> float | None:
    """Seconds of checking one map as 'memmap check FILE' does (a new Reuse, notes and
    the report read from and written to the cache in ``folder``); None if the file
    is not a machine for these models."""
    from bootspec.sweep.reuse import Reuse
    from bootspec.sweep.run import check_machine
    cache = _cache(folder)
    r = check_machine(project, models, f, sample=False, explicit=explicit,
                      reuse=Reuse(project, cache=cache), cache=cache)
    return r.seconds if r.checked else None


def _corpus_again(project: Project, models: list[str], inputs: list[tuple[str, bool]],
                  jobs: int) -> float:
    """The whole corpus with sample runs, again, with the cache of a first run."""
    from bootspec.sweep.run import check_machines
    tmp = Path(tempfile.mkdtemp(prefix="bootspec-bench-"))
    try:
        check_machines(project, models, inputs, jobs=jobs, sample=True,
                       cache=_cache(tmp))
        t0 = time.perf_counter()
        check_machines(project, models, inputs, jobs=jobs, sample=True,
                       cache=_cache(tmp))
        return time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    quick = args.quick
    stdout.write(f"bootspec bench (median of {args.repeat}; seconds; "
                 "ratio = naive / bootspec)\n")
    sizes = [16, 64] if quick else [16, 64, 256, 1024]
    bench_scaling(stdout, sizes, naive_max=16 if quick else 64)
    bench_regions(stdout, [8, 32] if quick else [64, 256, 1024], naive_max=32 if quick else 256)
    bench_startup(stdout, max(args.repeat, 5))
    bench_efi_process(stdout, [16] if quick else [16, 256, 1024], max(args.repeat, 5))
    bench_suite(stdout, args.repeat)
    bench_warm_suite(stdout, max(args.repeat, 5))
    bench_machines(stdout, Path(args.corpus), 5 if quick else None, args.jobs)
    bench_log(stdout, [1_000, 10_000] if quick else [10_000, 100_000, 1_000_000], args.repeat)
    from bootspec.bench_anchor import bench_anchor_chain, bench_anchor_stages
    bench_anchor_chain(stdout, Path(args.anchors), [16] if quick else [16, 64, 256, 1024],
                       args.repeat)
    bench_anchor_stages(stdout, Path(args.anchors), [5] if quick else [5, 10, 20],
                        args.repeat)
    return 0


