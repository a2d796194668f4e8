"""The one solver factory, and the boundary where Z3's answers become bootspec's.

Every solver is made here: fixed random seeds and a deterministic resource limit
(``rlimit``), with a wall-clock timeout only as a backstop, so the same input
gives the same verdict and the same counterexample run after run. Z3 exceptions
are translated here; nothing above this module sees ``z3.Z3Exception``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import z3

# the limits and the stop flag live in a module without Z3; re-exported from their old home
from bootspec.engine.limits import _QUERIED, _STOP
from bootspec.engine.limits import DEFAULT_RLIMIT as DEFAULT_RLIMIT
from bootspec.engine.limits import DEFAULT_TIMEOUT_MS as DEFAULT_TIMEOUT_MS
from bootspec.engine.limits import Limits as Limits
from bootspec.engine.limits import fork_safe as fork_safe
from bootspec.engine.limits import interrupt as interrupt
from bootspec.engine.limits import interrupted as interrupted
from bootspec.engine.limits import resume as resume
from bootspec.engine.terms import conj, forget_literals
from bootspec.errors import BootspecException
from bootspec.lang.vocab import Answer

# budget of each probe that makes a counterexample small; past it the best model so far is shown
MINIMIZE_RLIMIT = 1_000_000
#: Bytes the C heap keeps at its top when memory is freed (glibc's M_TOP_PAD).
HEAP_TOP_PAD = 64 << 20


def keep_heap(pad: int = HEAP_TOP_PAD) -> bool:
    """Ask the C allocator to keep ``pad`` bytes at the top of its heap instead of
    handing freed memory back to the system at once. Every obligation gets a fresh Z3
    context (:func:`fresh_context`); a context allocates a few MB and frees them when
    it goes, and by default glibc returns that memory each time, so the next context
    faults it in again: 7 ms a context instead of 1 ms, and a sweep over 135 machines
    spent ~1.3 s of system time on it. Peak memory grows by at most ``pad`` once.
    Linux with glibc only (elsewhere, and when it fails, nothing changes); True
    when applied."""
    import ctypes
    import sys
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    M_TOP_PAD = -2
    return bool(mallopt(M_TOP_PAD, pad))


keep_heap()


@dataclasses.dataclass(frozen=True)
class Outcome:
    """``sat`` / ``unsat`` / ``unknown`` of one query, with Z3's reason when unknown."""

    status: Answer
    reason: str = ""
    model: z3.ModelRef | None = None
    core: tuple[str, ...] = ()
    used: int = 0  # Z3 resource units the query spent (deterministic, unlike its time)


def make_solver(limits: Limits) -> z3.Solver:
    s = z3.Solver()
    s.set("ctrl_c", False)  # Z3 would swallow Ctrl-C: signals are handled by interrupt()
    s.set("random_seed", 0)
    s.set("timeout", limits.timeout_ms)
    s.bootspec_rlimit = limits.rlimit
    set_rlimit(s, limits.rlimit)
    return s


def set_rlimit(solver: z3.Solver, n: int) -> None:
    """The resource budget of each following query of ``solver`` (Z3 counts it from
    the query's start)."""
    solver.set("rlimit", n)
    solver.bootspec_budget = n


def _spent(solver: z3.Solver) -> int:
    """The resource units the solver has spent ("rlimit count" of its statistics; 0
    before its first query). Read through the C API in one pass from the end, where
    Z3 keeps it: z3py's Statistics listed every key, then searched them again (twice
    per query: 2% of a sweep of real maps)."""
    ctx = solver.ctx.ref()
    st = z3.Z3_solver_get_statistics(ctx, solver.solver)
    z3.Z3_stats_inc_ref(ctx, st)
    try:
        for i in reversed(range(z3.Z3_stats_size(ctx, st))):
            if z3.Z3_stats_get_key(ctx, st, i) == "rlimit count":
                if z3.Z3_stats_is_uint(ctx, st, i):
                    return int(z3.Z3_stats_get_uint_value(ctx, st, i))
                return int(z3.Z3_stats_get_double_value(ctx, st, i))
        return 0
    finally:
        z3.Z3_stats_dec_ref(ctx, st)


def z3_version() -> str:
    return str(z3.get_version_string())


def fresh_context() -> None:
    """Give Z3 a new main context, so an obligation's counterexample does not depend on
    what the process solved before it.

    Verdicts never depend on it, but Z3 keeps term ids and learnt state in its
    context, and the model it returns (one witness among many) does: without this,
    'explain P' and 'check' could show different maps for the same obligation, and a
    report would change with the order of the run. Seeds are global parameters, which
    the new context takes; old terms keep their own context alive until freed.
    """
    z3.z3._main_ctx = None  # z3.main_ctx() makes a new context on its next call
    forget_literals()  # nothing of bootspec's own keeps the old one alive (it is costly)


def set_global_determinism() -> None:
    z3.set_param("smt.random_seed", 0)
    z3.set_param("sat.random_seed", 0)


def check(solver: z3.Solver, *assumptions: z3.BoolRef, want_core: bool = False) -> Outcome:
    """One query. Without assumptions a free literal is passed anyway: that keeps Z3
    on its incremental kernel, where a plain check would first run its whole
    preprocessing on the formula (10-100x slower on bootspec's encodings).
    After :func:`interrupt` every query is ``unknown``, reason "interrupted"."""
    if _STOP.is_set():
        return Outcome("unknown", "interrupted")
    _QUERIED.set()
    before = _spent(solver)
    try:
        r = solver.check(*(assumptions or (z3.Bool("bootspec:query"),)))
    except z3.Z3Exception as e:  # translated at the boundary
        return Outcome("unknown", "interrupted" if _STOP.is_set() else f"solver error: {e}")
    used = _spent(solver) - before
    if r == z3.sat:
        return Outcome("sat", model=solver.model(), used=used)
    if r == z3.unsat:
        core = tuple(sorted(str(c) for c in solver.unsat_core())) if want_core else ()
        return Outcome("unsat", core=core, used=used)
    reason = solver.reason_unknown()
    budget = getattr(solver, "bootspec_budget", 0)
    # Z3 says "canceled" for both limits: the units spent tell them apart
    if _STOP.is_set():
        reason = "interrupted"
    elif "resource" in reason or (budget and used >= budget):
        reason = f"resource limit reached (rlimit {budget})"
    elif "timeout" in reason or "canceled" in reason:
        reason = "timeout (wall clock)"
    return Outcome("unknown", reason, used=used)


@dataclasses.dataclass(frozen=True)
class Objective:
    """A term to make small, with the values its domain constraints (already asserted)
    allow: ``lo + k * step`` for k >= 0, or one of ``values`` (sorted) when given."""

    term: z3.ArithRef
    lo: int = 0
    step: int = 1
    values: tuple[int, ...] = ()
    #: every value it may take, ascending, when few (a parameter's domain): lets a
    #: search whose probes give up enumerate instead (:func:`lexmin`)
    domain: tuple[int, ...] = ()

    def value(self, k: int) -> int:
        return self.values[k] if self.values else self.lo + k * self.step

    def index(self, v: int) -> int:
        """The smallest k with value(k) >= v."""
        if self.values:
            return next((k for k, x in enumerate(self.values) if x >= v), len(self.values) - 1)
        return max(0, -(-(v - self.lo) // self.step))


class _OverBudget(BootspecException):
    """:func:`lexmin`'s probes spent their ``budget``."""


def lexmin(solver: z3.Solver, assumptions: list[z3.BoolRef], objectives: list[Objective],
           model: z3.ModelRef, limits: Limits, start: list[int] | None = None,
           found_cost: int = 0, guess: Callable[[int, z3.ModelRef], int | None] | None = None,
           budget: int | None = None) -> tuple[z3.ModelRef, bool]:
    """The model of ``solver``'s assertions and ``assumptions`` that is lexicographically
    smallest on ``objectives``, starting from ``model`` (one such model); and whether
    the search finished (else the best model found so far).

    Each objective in turn is driven down over its domain's values (galloping up
    from the lowest, which is most often the answer, then bisecting), probing ``term <= v`` as an
    extra assumption of the same incremental solver, then fixed. When every free
    input is an objective the answer is unique: the counterexample is the same
    whatever the solver did before, which is what lets a run share one Z3 context
    across obligations (see ``engine.check``). Counterexamples read best with the
    smallest parameters and addresses the model allows: the bug without the noise.

    ``start``: values of the objectives that satisfy the query too (a counterexample
    found before, re-checked concretely), used instead of ``model``'s until a probe
    finds smaller ones; the search then begins just below each value.

    Each probe may spend ``MINIMIZE_RLIMIT`` units, or four times what the query that
    found ``model`` spent (``found_cost``) when that is more: a probe is that query
    with one more bound, and a budget below its cost would leave the counterexample
    unminimised on exactly the models where it matters.

    ``guess(j, model)``: a value objective j's minimum may have (``model``: the
    current one, the objectives before j fixed), e.g. an ``anywhere`` choice's lowest
    valid start from a greedy concrete run. Two probes test it (``term <= guess``
    sat, ``term < guess`` unsat); a wrong guess only costs them, as the search then
    goes on as without it: the answer never depends on a guess.

    ``budget``: the units every probe together may spend, else none; past it the
    search stops, unfinished (the caller decides the obligation another way).
    """
    spent = 0

    def probe(bound: z3.BoolRef) -> Outcome:
        nonlocal spent
        if budget is not None and spent > budget:
            raise _OverBudget
        out = check(solver, bound)
        spent += out.used
        return out

    solver.push()
    set_rlimit(solver, min(limits.rlimit, max(MINIMIZE_RLIMIT, 4 * found_cost)))
    complete = True
    try:
        for a in assumptions:
            solver.add(a)
        if start is not None:
            found = _is_least(solver, objectives, start)
            if found is not None:
                return found, True
        fixed = 0  # objectives before this are fixed already (by an enumeration)
        for j, ob in enumerate(objectives):
            if j < fixed:
                continue
            cur = start[j] if start is not None else model_value(model, ob.term)
            lo_k, hi_k = 0, ob.index(cur)
            step = 1  # galloping up from the lowest value: the minimum is most often near it
            g = guess(j, model) if guess is not None and start is None else None
            if g is not None and 0 < (kg := ob.index(g)) <= hi_k \
                    and ob.value(kg) == g:
                if kg < hi_k:  # is there a run with term <= g?
                    out = probe(ob.term <= g)
                    if out.status == "sat" and out.model is not None:
                        model = out.model
                        cur = model_value(model, ob.term)
                        hi_k = min(kg, ob.index(cur))
                    elif out.status == "unsat":
                        lo_k = kg + 1
                    else:
                        return model, False
                if hi_k == kg and lo_k < kg:  # it is g: is there none with term < g?
                    out = probe(ob.term <= ob.value(kg - 1))
                    if out.status == "unsat":
                        lo_k = kg
                    elif out.status == "sat" and out.model is not None:
                        model = out.model
                        cur = model_value(model, ob.term)
                        hi_k = min(kg - 1, ob.index(cur))
                        step = 0
                    else:
                        return model, False
            while lo_k < hi_k:
                mid = min(lo_k + step - 1, (lo_k + hi_k) // 2) if step else (lo_k + hi_k) // 2
                if start is not None:
                    mid = hi_k - 1  # a hint is most often the minimum already
                out = probe(ob.term <= ob.value(mid))
                if out.status == "sat" and out.model is not None:
                    model, start = out.model, None
                    cur = model_value(model, ob.term)
                    hi_k = min(mid, ob.index(cur))
                    step = 0  # bracketed: plain bisection from here
                elif out.status == "unsat":
                    lo_k = mid + 1
                    step *= 2
                else:  # the probe gave up: enumerate what has a small domain, else stop
                    status, found, fixed = _first_feasible(
                        solver, objectives, j, model, start[j:] if start is not None else None)
                    if status != "sat" or found is None:
                        return model, False
                    model, start = found, None
                    break
            else:
                solver.add(ob.term == cur)
        if start is not None:  # every value came from the start: a model that has them
            out = check(solver)
            if out.status != "sat" or out.model is None:
                return model, False
            model = out.model
        return model, complete
    except _OverBudget:
        return model, False
    finally:
        solver.pop()
        set_rlimit(solver, getattr(solver, "bootspec_rlimit", limits.rlimit))


#: objectives per query when showing that no model is lexicographically smaller, and
#: the fewest a block that gave up is split into
LEAST_BLOCK = 128
LEAST_BLOCK_MIN = 16


def _is_least(solver: z3.Solver, objectives: list[Objective], start: list[int]
              ) -> z3.ModelRef | None:
    """A model with the objectives at ``start`` when no model is lexicographically
    smaller: is there a model whose first j - 1 objectives equal start's and whose
    j-th is smaller, for some j (asked for :data:`LEAST_BLOCK` values of j at a
    time, a block that gives up in halves)? Then one query for the model. (None:
    there is, or a query gave up within the budget of one probe; the search then
    probes one input at a time.)"""
    solver.push()
    budget = getattr(solver, "bootspec_budget", 0)
    set_rlimit(solver, min(budget, MINIMIZE_RLIMIT) if budget else MINIMIZE_RLIMIT)
    try:
        same: z3.BoolRef = z3.BoolVal(True)  # the objectives before j equal start's
        less = []
        for j, (ob, v) in enumerate(zip(objectives, start, strict=True)):
            less.append(conj([same, ob.term < v]))
            prefix = z3.Bool(f"bootspec:same:{j}")
            solver.add(prefix == conj([same, ob.term == v]))  # one level deep each
            same = prefix
        def refuted(lo: int, hi: int) -> bool:
            """No model is smaller at one of objectives lo..hi-1 (a block that gives up
            is asked again in halves, down to LEAST_BLOCK_MIN objectives)."""
            out = check(solver, z3.Or(less[lo:hi]))
            if out.status == "unknown" and hi - lo > LEAST_BLOCK_MIN:
                mid = (lo + hi) // 2
                return refuted(lo, mid) and refuted(mid, hi)
            return out.status == "unsat"

        # in blocks: one disjunction over 1,024 inputs (or four over 256 each) gave up
        # within the budget where eight over 128 each were refuted in 0.08 s apiece
        for b in range(0, len(less), LEAST_BLOCK):
            if not refuted(b, min(b + LEAST_BLOCK, len(less))):
                return None
        out = check(solver, same)
        return out.model if out.status == "sat" else None
    finally:
        solver.pop()
        set_rlimit(solver, budget)


#: at most this many value tuples are enumerated when a probe gives up
MAX_TUPLES = 256


def _first_feasible(solver: z3.Solver, objectives: list[Objective], j: int,
                    model: z3.ModelRef, start: list[int] | None = None
                    ) -> tuple[str, z3.ModelRef | None, int]:
    """Objectives j, j+1, ... that have a small domain (the parameters), fixed to their
    lexicographically smallest values with a run: their value tuples are tried in
    order (each query with all of them fixed, which a solver that gave up on a bound
    often settles at once), up to the one ``model`` has (or ``start``, a known run's
    values of objectives j, ..., while the search follows it). ("sat", a model, the index
    after them) when every tuple before the one found was unsat; "unknown" when a
    query gave up or there is nothing to enumerate."""
    run: list[Objective] = []
    total = 1
    for ob in objectives[j:]:
        if not ob.domain or total * len(ob.domain) > MAX_TUPLES:
            break
        total *= len(ob.domain)
        run.append(ob)
    if not run:
        return "unknown", None, j
    current = tuple(start[:len(run)]) if start is not None else \
        tuple(model_value(model, ob.term) for ob in run)
    for values in itertools.product(*(ob.domain for ob in run)):  # lexicographic order
        if values > current:
            break
        out = check(solver, *(ob.term == v for ob, v in zip(run, values, strict=True)))
        if out.status == "unsat":
            continue
        if out.status != "sat" or out.model is None:
            return "unknown", None, j
        for ob, v in zip(run, values, strict=True):
            solver.add(ob.term == v)
        return "sat", out.model, j + len(run)
    return "unknown", None, j


def model_value(model: z3.ModelRef, term: z3.ExprRef) -> int:
    v = model.eval(term, model_completion=True)
    if z3.is_true(v):
        return 1
    if z3.is_false(v):
        return 0
    try:
        return int(v.as_long())
    except (AttributeError, z3.Z3Exception) as e:  # pragma: no cover - a non-numeral
        raise ValueError(f"not a numeral: {v}") from e


set_global_determinism()
