"""Hostile inputs for ``bootspec fuzz``: device files, path escapes, deep and long
expressions, huge literals, corrupted caches, and signals during solving.

Every case must end in a located error (a :class:`BootspecError` whose diagnostics carry
a code and a place) or a correct run. Per case the fuzzer counts, and reports:

* a *traceback*: any other exception;
* a *hang*: no answer within 10 s (SIGALRM);
* an *unbounded read*: more than 64 MiB read by the process for one case (Linux
  ``/proc/self/io`` ``rchar``, which counts every ``read``, a device's included), or
  its peak resident size growing by more than 512 MiB;
* a *leak*: a rendered error that shows a line of a file outside the model's project
  (a marker is planted in such a file, on a line that even looks like a map line);
* a *refusal missed*: a path that leaves the project, not allowed, yet not refused
  with BS531;
* a *cache lie*: a verdict read from a corrupted cache that differs from the verdict
  decided without one (the corruptions all make an entry malformed: a well-formed
  hand-edited verdict is trusted by design, see :mod:`bootspec.cache`).

Signals run bootspec in a subprocess and send SIGINT (to the process group, as a
terminal does) or SIGTERM (to bootspec) at a random moment, with ``-j 1`` or ``-j 2``:
the run must end within 20 s of the signal, with no traceback, a status among 0, 1,
130 and 143, a report marked PARTIAL when interrupted, and no worker left behind.
Where the repository's ``tests/cli/hard_query.py`` exists, half the runs are stuck
in a minutes-long Z3 query when the signal comes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bootspec import safeio
from bootspec.cache import Cache
from bootspec.diagnostics import BootspecError, Diagnostic, Span, render_all
from bootspec.engine.solver import Limits
from bootspec.lang.parser import read_source
from bootspec.memmap.bind import load_machine
from bootspec.memmap.parse import parse_path
from bootspec.oracle import FAMILIES as FAMILIES
from bootspec.oracle.gen import generate
from bootspec.pipeline import check_project, discover, load

MARKER = "SECRET-7f3a-NEVER-PRINTED"
READ_LIMIT = 64 << 20
RSS_LIMIT_KB = 512 << 10
CASE_SECONDS = 10  # of CPU: a case that computes this long without answering hangs
BLOCKED_SECONDS = 60  # of wall clock: a case blocked this long (a FIFO, a lock) hangs
LIMITS = Limits(rlimit=2_000_000, timeout_ms=5_000)
MAP = ("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
       "BIOS-e820: [mem 0x0000000000100000-0x00000000dfffffff] usable\n")
HEAD = "model h\n  width 32\n"
TAIL = "stage s\n  place a size 4KiB at 0x1000\n"


@dataclasses.dataclass
class Tally:
    cases: dict[str, int] = dataclasses.field(default_factory=dict)
    rejected: int = 0  # ended in a located error (the expected end of most cases)
    tracebacks: int = 0
    failed: dict[str, int] = dataclasses.field(default_factory=dict)  # tracebacks by family
    hangs: int = 0
    unbounded: int = 0
    leaks: int = 0
    missed: int = 0  # escapes not refused
    lies: int = 0  # cache verdicts that differ
    signal_runs: int = 0
    interrupted: int = 0  # signal runs that ended as interrupted (the rest had finished)
    workers_left: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    def add(self, other: Tally) -> None:
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                for k, v in theirs.items():
                    mine[k] = mine.get(k, 0) + v
            else:
                setattr(self, f.name, mine + theirs)

    @property
    def failures(self) -> int:
        return (self.tracebacks + self.hangs + self.unbounded + self.leaks + self.missed
                + self.lies + self.workers_left)

    def summary(self) -> str:
        kinds = ", ".join(f"{self.cases.get(k, 0)} {k}" for k in (*FAMILIES, "signal"))
        where = ", ".join(f"{n} {k}" for k, n in sorted(self.failed.items()))
        return (f"{sum(self.cases.values())} hostile cases ({kinds}; {self.rejected} ended "
                f"in a located error, {self.interrupted} of {self.signal_runs} signalled runs "
                f"stopped with a PARTIAL report): {self.tracebacks} tracebacks"
                f"{f' ({where})' if where else ''}, {self.hangs} "
                f"hangs, {self.unbounded} unbounded reads, {self.leaks} leaks, {self.missed} "
                f"escapes not refused, {self.lies} cache lies, {self.workers_left} workers "
                "left behind")


# -- the scratch project each worker plays in -----------------------------------------

@dataclasses.dataclass(frozen=True)
class Scratch:
    root: Path
    proj: Path  # the model's project
    secret: Path  # outside it: must never be read through a model, nor printed
    targets: dict[str, Path]  # hostile files, by name


def scratch(base: Path) -> Scratch:
    """The worker's scratch folder under ``base``: made once per process."""
    root = base / f"w{os.getpid()}"
    proj, outside = root / "proj", root / "outside"
    machines = proj / "machines"
    targets = {"fifo": machines / "pipe.txt", "sparse": machines / "sparse.txt",
               "link_out": machines / "link.txt", "link_dev": machines / "zero.txt",
               "boot_dev": proj / "zero.boot", "boot_fifo": proj / "pipe.boot",
               "boot_sparse": proj / "sparse.boot", "folder": machines,
               "missing": machines / "missing.txt", "desk": machines / "desk.txt"}
    secret = outside / "secret.txt"
    if not root.exists():
        machines.mkdir(parents=True)
        outside.mkdir()
        (machines / "desk.txt").write_text(MAP)
        # looks like a map line, so a careless importer would quote it in its error
        secret.write_text(f"root:{MARKER}:19000:0\nBIOS-e820: [mem {MARKER}] usable\n")
        for name in ("sparse", "boot_sparse"):
            with open(targets[name], "wb") as f:
                f.truncate(2 << 30)  # 2 GB of holes: costs no disk, must cost no read
        targets["link_out"].symlink_to(secret)
        if os.path.exists("/dev/zero"):
            targets["link_dev"].symlink_to("/dev/zero")
            targets["boot_dev"].symlink_to("/dev/zero")
        if hasattr(os, "mkfifo"):
            os.mkfifo(targets["fifo"])
            os.mkfifo(targets["boot_fifo"])
    return Scratch(root, proj, secret, targets)


# -- measuring one case -----------------------------------------------------------------

def _peak_kib() -> int:
    """The process's peak resident size (KiB on Linux); 0 where it cannot be known."""
    try:
        import resource
    except ImportError:  # not on every platform
        return 0
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _rchar() -> int | None:
    try:
        with open("/proc/self/io", "rb") as f:
            for line in f:
                if line.startswith(b"rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class _Hang(Exception):
    pass


def _alarm(_sig: int, _frame: object) -> None:
    raise _Hang


def _case(t: Tally, family: str, seed: int, run: Callable[[], str]) -> None:
    """Run one case: ``run`` returns the text it rendered (errors included) or raises."""
    t.cases[family] = t.cases.get(family, 0) + 1
    before, rss = _rchar(), _peak_kib()
    # CPU time decides, so a busy machine does not turn a slow case into a hang; the
    # wall clock stays as the backstop for a case that blocks without computing
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, CASE_SECONDS)
    signal.alarm(BLOCKED_SECONDS)
    shown = ""
    try:
        shown = run()
    except _Hang:
        t.hangs += 1
        t.problems.append(f"{family} seed {seed}: no answer within {CASE_SECONDS} s of CPU "
                          f"or {BLOCKED_SECONDS} s")
    except BootspecError as e:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.alarm(0)
        t.rejected += 1
        if not all(d.code.startswith("BS") and d.span.line >= 0 for d in e.diagnostics):
            t.tracebacks += 1
            t.failed[family] = t.failed.get(family, 0) + 1
            t.problems.append(f"{family} seed {seed}: a rejection without a code or place")
        shown = render_all(e.diagnostics, e.sources)
    except Exception as e:
        t.tracebacks += 1
        t.failed[family] = t.failed.get(family, 0) + 1
        why = " ".join(str(e).split())[:200]
        t.problems.append(f"{family} seed {seed}: traceback {type(e).__name__}: {why}")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.alarm(0)
    after = _rchar()
    grew = _peak_kib() - rss
    if (before is not None and after is not None and after - before > READ_LIMIT) or \
            grew > RSS_LIMIT_KB:
        t.unbounded += 1
        t.problems.append(f"{family} seed {seed}: read {((after or 0) - (before or 0)) >> 20}"
                          f" MiB, resident size +{grew >> 10} MiB")
    if MARKER in shown:
        t.leaks += 1
        t.problems.append(f"{family} seed {seed}: an error printed a line of a file "
                          "outside the project")


def _rendered(result: object) -> str:
    diags = getattr(result, "diagnostics", [])
    return render_all(diags, getattr(result, "sources", {})) if diags else ""


# -- the families ---------------------------------------------------------------------

def _device(t: Tally, seed: int, s: Scratch) -> None:
    rnd = random.Random(seed)
    names = ["/dev/zero", "/dev/urandom", "fifo", "sparse", "link_dev", "link_out", "folder",
             "missing", "desk"]
    name = rnd.choice(names)
    target = Path(name) if name.startswith("/") else s.targets[name]
    if name.startswith("/") and not target.exists():
        target = s.targets["missing"]
    mode = rnd.choice(["model-from", "memmap-bind", "memmap-show", "model-file", "printer"])

    def run() -> str:
        if mode == "model-from":
            written = str(target) if rnd.random() < 0.5 else os.path.relpath(target, s.proj)
            text = f'{HEAD}map ram : e820 from "{written}"\n{TAIL}'
            allow = rnd.choice([(), ("/dev", str(s.proj))])
            load([], [(str(s.proj / "m.boot"), text)],
                 scope=safeio.Scope(root=str(s.proj), allow=allow))
            return ""
        if mode == "memmap-bind":
            load_machine(str(target))
            return ""
        if mode == "memmap-show":
            return _rendered(parse_path(target))
        if mode == "model-file":
            discover([str(target)])
            read_source(target)
            return ""
        boot = s.targets[rnd.choice(["boot_dev", "boot_fifo", "boot_sparse"])]
        line = rnd.choice([1, 2, 1000, 10**6])
        return render_all([Diagnostic("BS100", "x", Span(str(boot), line, 1)),
                           Diagnostic("BS506", "x", Span(str(s.secret), 2, 1))])

    _case(t, "device", seed, run)


def _escape(rnd: random.Random, s: Scratch) -> tuple[str, bool]:
    """(a path as a model writes it, whether it leaves the project)."""
    up = "../" * rnd.randint(1, 12)
    return rnd.choice([
        (up + "outside/secret.txt", True), (up + "etc/passwd", True),
        ("/etc/passwd", True), (str(s.secret), True), ("machines/link.txt", True),
        ("machines/../../outside/secret.txt", True), ("machines/../" + up + "x", True),
        (str(s.targets["desk"]), True),  # absolute, even inside: refused unless allowed
        ("machines/desk.txt", False), ("./machines/desk.txt", False),
        ("machines//desk.txt", False), ("machines/./../machines/desk.txt", False),
        ("machines/missing.txt", False), ("machines", False),
    ])


def _path(t: Tally, seed: int, s: Scratch) -> None:
    rnd = random.Random(seed)
    written, escapes = _escape(rnd, s)
    allowed = rnd.random() < 0.3
    scope = safeio.Scope(root=str(s.proj),
                         allow=(str(s.root), "/etc") if allowed else ())

    def run() -> str:
        text = f'{HEAD}map ram : e820 from "{written}"\n{TAIL}'
        try:
            load([], [(str(s.proj / "m.boot"), text)], scope=scope)
        except BootspecError as e:
            codes = {d.code for d in e.diagnostics}
            if escapes and not allowed and "BS531" not in codes:
                t.missed += 1
                t.problems.append(f"path seed {seed}: '{written}' not refused ({codes})")
            raise
        if escapes and not allowed:
            t.missed += 1
            t.problems.append(f"path seed {seed}: '{written}' was read")
        return ""

    _case(t, "path", seed, run)


def _expression(rnd: random.Random) -> str:
    n = rnd.choice([2, 10, 100, 500, 1000, 3000, 10_000, 12_000, rnd.randint(2, 12_000)])
    depth = rnd.choice([1, 10, 90, 200, 500, 1000, 1500, rnd.randint(1, 1500)])
    kind = rnd.choice(["sum", "parens", "if", "not", "mixed", "product"])
    if kind == "sum":
        return " + ".join(str(rnd.randint(0, 9)) for _ in range(n))
    if kind == "product":
        return " * ".join("1" for _ in range(min(n, 2000)))
    if kind == "parens":
        return "(" * depth + "1" + ")" * depth
    if kind == "if":
        return "if true then " * depth + "1" + " else 0" * depth
    if kind == "not":
        return "not " * depth + "true"
    inner = "(" * (depth % 50) + "1" + ")" * (depth % 50)
    return " + ".join(f"({inner} * 2)" for _ in range(n // 10 + 1))


def _expressions(t: Tally, seed: int, s: Scratch) -> None:
    rnd = random.Random(seed)
    e = _expression(rnd)
    is_bool = e.startswith("not")
    where = rnd.choice(["const", "var", "assume", "size", "proof"])
    if is_bool:
        where = rnd.choice(["assume", "proof", "flag"])
    lines = {
        "const": f"{HEAD}const C = {e}\n{TAIL}",
        "var": f"{HEAD}var v = {e}\n{TAIL}",
        "flag": f"{HEAD}flag f = {e}\n{TAIL}",
        "assume": f"{HEAD}assume {e if is_bool else f'{e} >= 0'}\n{TAIL}",
        "size": f"{HEAD}stage s\n  place a size {e} at 0x1000\n",
        "proof": f"{HEAD}{TAIL}proof p\n  for h expect holds\n  always "
                 f"{e if is_bool else f'a.start <= {e}'}\n",
    }

    def run() -> str:
        project = load([], [(f"expr{seed}.boot", lines[where])])
        if seed % 5 == 0:
            check_project(project, LIMITS)
        return ""

    _case(t, "expression", seed, run)


_NUMBER = re.compile(r"(?<![\w.])(0x[0-9a-fA-F_]+|\d[\d_]*)(?![\w.])")


def _huge(rnd: random.Random) -> str:
    digits = rnd.choice([17, 20, 64, 100, 1000, 3600, 4400, 6000])
    return rnd.choice([
        "0x" + "".join(rnd.choice("0123456789abcdef") for _ in range(digits)),
        str(rnd.randint(1, 9)) + "".join(rnd.choice("0123456789") for _ in range(digits)),
        "0x1_0000_0000_0000_0000", "0x1_0000_0000_0000_0001", "0xffff_ffff_ffff_ffff",
        "18446744073709551616", "0x" + "f" * digits + "GiB"])


def _literal(t: Tally, seed: int, s: Scratch, shipped: list[str]) -> None:
    rnd = random.Random(seed)
    base = generate(seed) if seed % 2 else rnd.choice(shipped)
    spots = list(_NUMBER.finditer(base))
    text = base
    for m in sorted(rnd.sample(spots, min(len(spots), rnd.randint(1, 3))),
                    key=lambda m: -m.start()):
        text = text[:m.start()] + _huge(rnd) + text[m.end():]

    def run() -> str:
        project = load([], [(f"lit{seed}.boot", text)])
        if seed % 3 == 0:
            check_project(project, LIMITS)
        return ""

    _case(t, "literal", seed, run)


#: values no field of a verdict or a counterexample may hold (a float, a mapping, a bool
#: where JSON needs an int): each makes the entry malformed wherever it lands
_MALFORMED: list[object] = [1e308, {}, True, -1.5]


def _corrupt(rnd: random.Random, f: Path) -> None:
    """Make one cache entry malformed (never a well-formed verdict: those are trusted)."""
    how = rnd.choice(["field", "status", "drop", "truncate", "bytes", "fifo", "sparse",
                      "folder", "deep", "number", "cex"])
    if how in ("field", "status", "drop", "cex"):
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        v = doc.get("verdict")
        if not isinstance(v, dict):
            doc["note"] = rnd.choice(_MALFORMED)  # a note: its reader checks its shape
        elif how == "drop":
            v.pop(rnd.choice(sorted(v)), None)
        elif how == "status":
            v["status"] = rnd.choice([None, "bogus", "unknown", "HOLDS", 1, []])
        elif how == "cex" and isinstance(v.get("counterexample"), dict):
            cex = v["counterexample"]
            cex[rnd.choice(sorted(cex))] = rnd.choice(_MALFORMED)
        else:
            v[rnd.choice(sorted(v))] = rnd.choice(_MALFORMED)
        f.write_text(json.dumps(doc), encoding="utf-8")
    elif how == "truncate":
        data = f.read_bytes()
        f.write_bytes(data[:rnd.randrange(max(1, len(data)))])
    elif how == "bytes":
        flipped = bytearray(f.read_bytes())
        for _ in range(rnd.randint(1, 8)):
            if flipped:
                flipped[rnd.randrange(len(flipped))] = rnd.randrange(256)
        f.write_bytes(bytes(flipped))
    elif how == "fifo" and hasattr(os, "mkfifo"):
        f.unlink()
        os.mkfifo(f)
    elif how == "sparse":
        with open(f, "r+b") as fh:
            fh.truncate(1 << 30)
    elif how == "folder":
        f.unlink()
        f.mkdir()
    elif how == "deep":
        f.write_text("[" * 100_000 + "]" * 100_000)
    else:
        doc_text = f.read_text(encoding="utf-8")
        f.write_text(re.sub(r'"queries": \d+', '"queries": ' + "9" * 5000, doc_text))


def _cache(t: Tally, seed: int, s: Scratch) -> None:
    rnd = random.Random(seed)
    folder = s.root / f"cache{seed}"

    def run() -> str:
        project = load([], [(f"cache{seed}.boot", generate(seed))])
        first = check_project(project, LIMITS, cache=Cache(folder))
        entries = sorted(p for p in folder.rglob("*.json") if p.is_file())
        for f in entries:
            if rnd.random() < 0.6:
                _corrupt(rnd, f)
        again = check_project(project, LIMITS, cache=Cache(folder))
        for a, b in zip(first, again, strict=True):
            if a.verdict.status == "unknown" or b.verdict.status == "unknown":
                continue  # a limit may fall differently; never cached anyway
            # decided again, a counterexample may differ where it is not canonical (a
            # symbolic map's entries; docs: "Verdicts"); from the cache, it may not
            if a.verdict.status != b.verdict.status or \
                    (b.cached and a.verdict.counterexample != b.verdict.counterexample):
                t.lies += 1
                t.problems.append(f"cache seed {seed}: {a.obligation.model}/"
                                  f"{a.obligation.name} {a.verdict.status} became "
                                  f"{b.verdict.status} through a corrupt cache")
        return ""

    try:
        _case(t, "cache", seed, run)
    finally:
        import shutil
        shutil.rmtree(folder, ignore_errors=True)


def run_chunk(seeds: list[int], base: str, shipped: list[str],
              families: tuple[str, ...] = FAMILIES) -> Tally:
    """One worker's share: seed i runs family ``families[i % len(families)]``."""
    s = scratch(Path(base))
    t = Tally()
    for seed in seeds:
        fam = families[seed % len(families)]
        if fam == "device":
            _device(t, seed, s)
        elif fam == "path":
            _path(t, seed, s)
        elif fam == "expression":
            _expressions(t, seed, s)
        elif fam == "literal":
            _literal(t, seed, s, shipped)
        elif fam == "cache":
            _cache(t, seed, s)
    return t


# -- signals during solving (subprocesses, from the parent) -------------------------------

def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _threads(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(r"^Threads:\s*(\d+)", status, re.M)
    return int(m.group(1)) if m else 0


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(pid)
    return out


def signals(count: int, repo: Path, base: Path, seed0: int = 0) -> Tally:
    t = Tally()
    hard = repo / "tests" / "cli" / "hard_query.py"
    for seed in range(seed0, seed0 + count):
        rnd = random.Random(seed)
        t.cases["signal"] = t.cases.get("signal", 0) + 1
        _signal_case(t, rnd, seed, repo, base, hard if hard.exists() else None)
    return t


def _signal_case(t: Tally, rnd: random.Random, seed: int, repo: Path, base: Path,
                 hard: Path | None) -> None:
    sig = rnd.choice([signal.SIGINT, signal.SIGTERM])
    jobs = rnd.choice(["1", "2"])
    fmt = rnd.choice(["text", "json", "junit", "sarif", "md", "html"])
    out = base / f"signal{seed}.{fmt}"
    args = ["check", "--no-cache", "--no-timing", "-j", jobs, "--format", fmt, "-o", str(out),
            str(repo / "models"), str(repo / "proofs")]
    slow = hard is not None and rnd.random() < 0.5
    cmd = [sys.executable, str(hard), *args] if slow else \
        [sys.executable, "-m", "bootspec.cli", *args]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=repo, start_new_session=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stderr is not None
    if slow:
        p.stderr.readline()  # "solving": the query is running
        time.sleep(rnd.uniform(0, 1.0))
    else:  # once bootspec handles signals (its watcher thread runs): before, Python's do
        while _threads(p.pid) < 2 and p.poll() is None:
            time.sleep(0.01)
        time.sleep(rnd.uniform(0, 2.0))
    workers = _children(p.pid)
    running = p.poll() is None
    with contextlib.suppress(ProcessLookupError):
        if sig == signal.SIGINT:
            os.killpg(p.pid, sig)  # a terminal's Ctrl-C reaches every process of the job
        else:
            p.send_signal(sig)
    t.signal_runs += 1
    try:
        _, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        t.hangs += 1
        t.problems.append(f"signal seed {seed}: bootspec still running 20 s after "
                          f"{signal.Signals(sig).name}")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return
    rc = p.returncode
    if "Traceback" in err or rc not in (0, 1, 130, 143) or (slow and running and rc in (0, 1)):
        t.tracebacks += 1  # (stuck in a query, it cannot have finished: a swallowed signal)
        t.failed["signal"] = t.failed.get("signal", 0) + 1
        t.problems.append(f"signal seed {seed}: exit {rc}: {err[-300:]!r}")
    if rc in (130, 143):
        t.interrupted += 1
    if "PARTIAL report" in err:  # bootspec says it wrote one: the file must say so too
        report = out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""
        if "PARTIAL" not in report and '"partial"' not in report:
            t.tracebacks += 1
            t.failed["signal"] = t.failed.get("signal", 0) + 1
            t.problems.append(f"signal seed {seed}: the {fmt} report of an interrupted "
                              "run does not say PARTIAL")
    deadline = time.monotonic() + 5
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _alive(workers)
    if left:
        t.workers_left += len(left)
        t.problems.append(f"signal seed {seed}: {len(left)} workers alive after their "
                          "parent ended")
        for w in left:
            with contextlib.suppress(OSError):
                os.kill(w, signal.SIGKILL)
    with contextlib.suppress(OSError):
        out.unlink()


def chunks(start: int, count: int, size: int = 100) -> Iterator[list[int]]:
    for i in range(start, start + count, size):
        yield list(range(i, min(start + count, i + size)))
