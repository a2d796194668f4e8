"""Pass 5, *solve*: decide obligations and return verdicts (values; nothing is printed here).

The proof rule, stated once: a property **holds** on a model exactly when, on
every boot path and at every event in the property's scope, the constraints up
to that event together with the property's negation are unsatisfiable, and at
least one in-scope state is reachable. Otherwise it is **violated** (with a
counterexample that the concrete evaluator has re-checked), **unknown** (the
solver gave up on some query and none was satisfiable; never a pass) or
**vacuous** (no in-scope state is reachable: contradictory assumptions, or a
scope no path reaches).

Implicit obligations of every model: ``wellformed`` (no arithmetic leaves
[0, 2^width], every region has 0 <= start <= end <= 2^width, every
deterministic placement fits) and each stage ``assert``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import z3

from bootspec import memtypes
from bootspec.diagnostics import InternalError, Span
from bootspec.engine import concrete
from bootspec.engine.encode import Labeled, PathEncoding, encode_path
from bootspec.engine.paths import Path, regions_in, target_of
from bootspec.engine.paths import points as paths_points
from bootspec.engine.solver import (
    Limits,
    Objective,
    check,
    fresh_context,
    lexmin,
    make_solver,
    model_value,
)
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation, Proof

VERDICTS = ("holds", "violated", "unknown", "vacuous")
SMALL_MAP = 8  # symbolic maps with more entries are first decided abstractly
VACUOUS_UNREACHED = "no boot path reaches the property's scope with its regions live"
VACUOUS_CONTRADICTORY = ("the assumptions (domains, assume, guards) are contradictory where the "
                         "property applies")
WITNESSES = 8  # known runs tried before asking the solver whether an event is reachable
FAST_COMBOS = 256  # concrete maps, no free choice, at most this many parameter combinations:
# decide by evaluation, without the solver


@dataclasses.dataclass(frozen=True)
class RegionRow:
    name: str
    start: int
    end: int
    owner: str | None
    type: str | None
    marked: bool


@dataclasses.dataclass(frozen=True)
class Counterexample:
    path: tuple[str, ...]
    stage: str | None
    step: str  # what happened at the failing event
    span: Span | None  # the action or stage the failing event comes from
    params: tuple[tuple[str, str], ...]  # (name, value as written)
    regions: tuple[RegionRow, ...]  # sorted by address
    maps: tuple[tuple[str, tuple[tuple[int, int, str], ...]], ...]
    findings: tuple[str, ...]
    inputs: tuple[tuple[str, int], ...]  # every free input, for reproduction
    vars: tuple[tuple[str, str], ...] = ()  # state variables, flags and pool cursors
    event: int = -1  # index of the failing event on the path


@dataclasses.dataclass(frozen=True)
class Verdict:
    status: str  # holds | violated | unknown | vacuous
    reason: str = ""
    counterexample: Counterexample | None = None
    core: tuple[tuple[str, Span], ...] = ()  # for holds: the constraints the proof used
    queries: int = 0
    witness: tuple[int, int, tuple[tuple[str, int], ...]] | None = None  # a reachable state


@dataclasses.dataclass(frozen=True)
class Result:
    obligation: Obligation
    verdict: Verdict
    seconds: float
    cached: bool = False  # taken from the proof cache (seconds is the original run's)

    @property
    def ok(self) -> bool:
        return self.verdict.status == self.obligation.expected


def obligations(models: dict[str, Model], proofs: Sequence[Proof]) -> list[Obligation]:
    """Every obligation, in a stable order: by model, then implicit ones, then proofs."""
    out: list[Obligation] = []
    by_model: dict[str, list[Obligation]] = {m: [] for m in sorted(models)}
    for name in sorted(models):
        m = models[name]
        exp, span = m.expects.get("wellformed", ("holds", m.span))
        by_model[name].append(Obligation(name, "wellformed", "wellformed", exp, span))
        for oname, _stage, line in m.asserts:
            exp, span = m.expects.get(oname, ("holds", line.span))
            by_model[name].append(Obligation(name, oname, "assert", exp, line.span, line.cite))
    for p in sorted(proofs, key=lambda p: p.name):
        for t in p.targets:
            if t.model in by_model:
                by_model[t.model].append(Obligation(t.model, p.name, "proof", t.verdict, t.span,
                                                    t.cite))
    for name in sorted(by_model):
        out.extend(by_model[name])
    return out


@dataclasses.dataclass
class Carry:
    """What a sweep over many machines carries, for one model, from one machine to
    the next (:meth:`ModelChecker.decide_all`). None of it changes a verdict or a
    counterexample, only how fast they are found.

    ``proved``: obligations whose negation is known unsatisfiable at every event on
    this machine (proved for every map of the model as written, which admits this
    machine's map); only their reachability is left. ``witnesses``: inputs of runs
    found on earlier machines, tried concretely before the solver is asked whether
    an event is reachable; every run the solver finds is added. ``hints``: per
    obligation, the last counterexample's inputs; when they fail here too, the
    minimisation starts from them (the canonical counterexample is the same from
    any start; it is just found with fewer queries)."""

    proved: frozenset[str] = frozenset()
    witnesses: list[dict[str, int]] = dataclasses.field(default_factory=list)
    hints: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)


class ModelChecker:
    """Decides the obligations of one model. Each obligation starts from a fresh Z3
    context; its path encodings are built once and shared by all of its queries."""

    def __init__(self, model: Model, paths: list[Path], limits: Limits | None = None,
                 fast: bool = True):
        self.model, self.paths = model, paths
        self.limits = limits or Limits()
        self.fast = fast  # False: always use the solver (the oracle tests the encoding)
        self._enc: dict[tuple[int, bool], PathEncoding] = {}
        # symbolic maps too large to unroll cheaply get the abstract treatment first
        self.big = frozenset(n for n, m in model.maps.items() if m.symbolic and m.count > SMALL_MAP)

    def encoding(self, i: int, abstract: bool = False) -> PathEncoding:
        key = (i, abstract)
        if key not in self._enc:
            self._enc[key] = encode_path(self.model, self.paths[i],
                                         self.big if abstract else frozenset())
        return self._enc[key]

    # -- the property of an obligation
    def decide(self, ob: Obligation, proof: Proof | None = None, want_core: bool = False
               ) -> Verdict:
        """The verdict of one obligation (see the proof rule in this module's docstring).

        A model with a large symbolic map is decided in three steps, each sound:
        1. the abstract encoding (only the entries the property touches): unsatisfiable
           everywhere, plus an in-scope state shown reachable on a small map and re-run
           concretely on a full-size one, means *holds* for every map of N entries;
        2. otherwise a counterexample is searched on maps of 1, 2, 4... entries, padded
           to N with empty entries and re-run concretely on the real model;
        3. otherwise the exact encoding over all N entries decides.
        """
        if self.fast and not want_core and self._enumerable():
            return self._decide_concrete(ob, proof)
        fresh_context()  # the same obligation gets the same counterexample in any run
        self._enc.clear()
        if not self.big:
            return self._decide(ob, proof, want_core, abstract=False)
        v = self._decide(ob, proof, want_core, abstract=True)
        if v.status == "holds" and self._reachable_small(ob, proof):
            return dataclasses.replace(v, reason=f"proved for every map of up to "
                                       f"{self._big_count()} entries (abstract map)")
        found = self._search_small(ob, proof)
        if found is not None:
            return found
        return self._decide(ob, proof, want_core, abstract=False)

    # -- many obligations at once
    def decide_all(self, items: Sequence[tuple[Obligation, Proof | None]],
                   carry: Carry | None = None) -> list[tuple[Verdict, float]]:
        """The verdicts :meth:`decide` gives each obligation, with the seconds each took,
        found together: one Z3 context and one encoding per path for all of them, and
        one query per path that asks whether *any* of them can fail there.

        That query is unsatisfiable in the common case, and then every obligation in
        it holds on that path (each single query is one of its disjuncts). When it is
        satisfiable, the model names obligations that do fail; they leave, and the
        query is asked again for the rest. A failing obligation's counterexample is
        found as :meth:`decide` finds it (its first failing event in order, then the
        smallest inputs there), which is canonical when every free input is a
        parameter or a choice, so it does not matter that the context is shared.
        Whatever the batch cannot settle exactly as :meth:`decide` would (a solver
        limit, a minimisation cut short, a symbolic map's entries in a
        counterexample) is decided again by :meth:`decide`, alone, in a fresh context.
        Models with large symbolic maps and those the concrete fast path decides go
        to :meth:`decide` directly.

        ``carry`` (a sweep over machines, see :class:`Carry`) only changes how fast the
        verdicts are found, never what they are."""
        t0 = time.perf_counter()
        carry = carry or Carry()
        proved, witnesses = carry.proved, carry.witnesses
        if self.big or (self.fast and self._enumerable()) or (len(items) <= 1 and not proved):
            return [self._timed(ob, proof) for ob, proof in items]
        fresh_context()
        self._enc.clear()
        out: dict[int, Verdict] = {}
        extra: dict[int, float] = {}
        redo: list[int] = []
        plans = [self._plan(ob, proof, points=ob.name not in proved) for ob, proof in items]
        canonical = not any(m.symbolic for m in self.model.maps.values())
        undecided = set(range(len(items)))
        # (path, first event, wellformed?) -> sat | unsat | unknown
        reach: dict[tuple[int, int, bool], str] = {}
        for pi in range(len(self.paths)):
            mine = sorted(k for k in undecided if any(p == pi for p, _ in plans[k].points))
            firsts = sorted({(pi, f, plans[k].scope == "wellformed") for k in undecided
                             for p, f in plans[k].firsts if p == pi})
            firsts = [x for x in firsts if x not in reach]
            for x in firsts:
                if self._witnessed(*x, witnesses):
                    reach[x] = "sat"
            firsts = [x for x in firsts if x not in reach]
            if not mine and not firsts:
                continue
            batch = _PathBatch(self, pi, items, plans, mine)
            for x in firsts:
                reach[x] = batch.reachable(x[1], x[2])
                if batch.run is not None:
                    witnesses.append(batch.run)
                    del witnesses[:-WITNESSES]
                    batch.run = None
            left = list(mine)
            while left:
                status, failing = batch.any_fails(left)
                if status == "unsat":  # none of them fails on this path
                    break
                if status == "unknown" or not failing:
                    redo.extend(left)
                    undecided.difference_update(left)
                    break
                for k in failing:
                    t1 = time.perf_counter()
                    v = batch.counterexample(k, canonical, carry.hints)
                    extra[k] = time.perf_counter() - t1
                    if v is None:
                        redo.append(k)
                    else:
                        out[k] = v
                    undecided.discard(k)
                    left.remove(k)
        for k in sorted(undecided):
            wf = plans[k].scope == "wellformed"
            firsts_k = [(p, f, wf) for p, f in plans[k].firsts]
            # as _decide: the first path whose query is not unsatisfiable decides
            state = next((reach[x] for x in firsts_k if reach[x] != "unsat"), "unsat")
            if state == "sat":
                out[k] = Verdict("holds", queries=len(plans[k].points))
            elif state == "unknown":
                redo.append(k)
            else:
                out[k] = Verdict("vacuous", VACUOUS_CONTRADICTORY if firsts_k
                                 else VACUOUS_UNREACHED, queries=len(plans[k].points))
        shared = (time.perf_counter() - t0 - sum(extra.values())) / max(1, len(items))
        result = [(out.get(k, Verdict("unknown")), shared + extra.get(k, 0.0))
                  for k in range(len(items))]
        for k in sorted(set(redo)):
            result[k] = self._timed(*items[k])
        return result

    def _witnessed(self, pi: int, first: int, wellformed: bool,
                   witnesses: list[dict[str, int]]) -> bool:
        """Whether a known run reaches event ``first`` of path ``pi`` (re-run concretely)."""
        for w in reversed(witnesses[-WITNESSES:]):
            try:
                if not concrete.inputs_valid(self.model, w):
                    continue
                trace = concrete.run_path(self.model, self.paths[pi], w)
            except Exception:  # noqa: BLE001 - a witness of another path lacks inputs
                continue
            if trace.valid_before[0] if wellformed else trace.states[first] is not None:
                return True
        return False

    def proved_for_every_map(self, ob: Obligation, proof: Proof | None) -> bool:
        """Whether the abstract encoding of every symbolic map refutes the obligation's
        negation at every event: then it holds on every map those maps admit, of any
        number of entries, wherever an in-scope state is reachable (step 1 of
        :meth:`decide`). A model without symbolic maps: False."""
        sym = frozenset(n for n, m in self.model.maps.items() if m.symbolic)
        if not sym:
            return False
        saved, self.big = self.big, sym
        try:
            fresh_context()
            self._enc.clear()
            return self._decide(ob, proof, False, abstract=True).status == "holds"
        finally:
            self.big = saved
            self._enc.clear()

    def _timed(self, ob: Obligation, proof: Proof | None) -> tuple[Verdict, float]:
        t0 = time.perf_counter()
        v = self.decide(ob, proof)
        return v, time.perf_counter() - t0

    def _plan(self, ob: Obligation, proof: Proof | None, points: bool = True) -> _Plan:
        """The queries :meth:`_decide` makes for ``ob``, in its order: the events checked
        (an event already checked on an earlier path is not checked again), and the
        first event in scope on each path (for reachability)."""
        scope, stage, pred, assert_line = target_of(self.model, ob, proof)
        needed = regions_in(pred, self.model) if pred is not None else set()
        seen: set[tuple[object, ...]] = set()
        pts: list[tuple[int, int]] = []
        firsts: list[tuple[int, int]] = []
        for pi, path in enumerate(self.paths):
            at = paths_points(path, scope, stage, needed, assert_line)
            if not at:
                continue
            firsts.append((pi, 0 if scope == "wellformed" else at[0]))
            for i in at if points else ():
                if scope == "wellformed" and not self.encoding(pi).obligations[i]:
                    continue
                if path.events[i].key not in seen:
                    seen.add(path.events[i].key)
                    pts.append((pi, i))
        return _Plan(scope, pred, tuple(pts), tuple(firsts))

    def _enumerable(self) -> bool:
        """Every input concrete or nearly so: concrete maps, no free choices, and few
        parameter combinations. Such obligations are decided by evaluation alone."""
        if any(m.symbolic for m in self.model.maps.values()):
            return False
        if any(p.kind == "anywhere" for s in self.model.stages.values() for b in s.body
               for p in getattr(b, "policies", ())):
            return False
        combos = 1
        for prm in self.model.params:
            dom = prm.domain()
            if dom is None:
                return False
            combos *= max(1, len(dom))
            if combos > FAST_COMBOS:
                return False
        return True

    def _decide_concrete(self, ob: Obligation, proof: Proof | None) -> Verdict:
        """The concrete fast path: run every parameter combination on every path with the
        concrete evaluator (no solver). Same verdicts, rules and counterexample as the
        solver path (the first violating event; the smallest inputs there)."""
        from bootspec.oracle.brute import (  # noqa: PLC0415 - the shared enumerator
            canonical_violation,
            search,
        )
        found = search(self.model, self.paths, ob, proof)
        if found.violation is not None:
            # the same counterexample the solver path reports (first event, smallest inputs)
            canon = canonical_violation(self.model, self.paths, ob, proof)
            assert canon is not None
            pi, i, inputs = canon
            pred = target_of(self.model, ob, proof)[2]
            return Verdict("violated", counterexample=self.recheck(ob, self.paths[pi], i, inputs,
                                                                   pred),
                           reason="decided by evaluation")
        if found.status == "vacuous":
            return Verdict("vacuous", VACUOUS_CONTRADICTORY if found.any_in_scope
                           else VACUOUS_UNREACHED)
        return Verdict("holds", f"decided by evaluation ({found.runs} concrete runs)")

    def _big_count(self) -> int:
        return max(self.model.maps[n].count for n in self.big)

    def _shrunk(self, n: int) -> ModelChecker:
        maps = {k: (dataclasses.replace(m, count=min(m.count, n)) if k in self.big else m)
                for k, m in self.model.maps.items()}
        return ModelChecker(dataclasses.replace(self.model, maps=maps), self.paths, self.limits,
                            fast=False)

    def _lift(self, inputs: dict[str, int], n: int) -> dict[str, int]:
        """Pad a small map's entries to the real count with empty entries at its end."""
        out = dict(inputs)
        for name in sorted(self.big):
            m = self.model.maps[name]
            k = min(m.count, n)
            last = inputs[f"m:{name}:{k - 1}:e"] if k else m.lo
            t = memtypes.TYPES_BY_KIND[m.kind].index(m.types[0])
            for i in range(k, m.count):
                out.update({f"m:{name}:{i}:s": last, f"m:{name}:{i}:e": last,
                            f"m:{name}:{i}:t": t})
        return out

    def _search_small(self, ob: Obligation, proof: Proof | None) -> Verdict | None:
        n = 1
        while n < self._big_count():
            v = self._shrunk(n)._decide(ob, proof, False, abstract=False)
            cex = v.counterexample
            if v.status == "violated" and cex is not None:
                pi = next(i for i, p in enumerate(self.paths) if p.stages == cex.path)
                pred = target_of(self.model, ob, proof)[2]
                try:
                    full = self.recheck(ob, self.paths[pi], cex.event, self._lift(
                        dict(cex.inputs), n), pred)
                except InternalError:
                    full = None  # padding changed the run (a 0-size placement): go on
                if full is not None:
                    return Verdict("violated", counterexample=full, queries=v.queries)
            n *= 2
        return None

    def _reachable_small(self, ob: Obligation, proof: Proof | None) -> bool:
        """Some in-scope state exists on a full-size map: found on a 2-entry map, padded,
        and re-run concretely."""
        small = self._shrunk(2)
        found = small._decide(ob, proof, False, abstract=False, witness_only=True)
        if found.witness is None:
            return False
        pi, i, inputs = found.witness
        trace = concrete.run_path(self.model, self.paths[pi], self._lift(dict(inputs), 2))
        if not concrete.inputs_valid(self.model, self._lift(dict(inputs), 2)):
            return False
        return trace.valid_before[0] if i < 0 else trace.states[i] is not None

    def _decide(self, ob: Obligation, proof: Proof | None, want_core: bool, abstract: bool,
                witness_only: bool = False) -> Verdict:
        scope, stage, pred, assert_line = target_of(self.model, ob, proof)
        needed = regions_in(pred, self.model) if pred is not None else set()
        seen: set[tuple[object, ...]] = set()
        unknown_reason = ""
        queries = 0
        first_in_scope: list[tuple[int, int]] = []
        core: dict[str, tuple[str, Span]] = {}
        for pi, path in enumerate(self.paths):
            if witness_only:
                break
            at = set(paths_points(path, scope, stage, needed, assert_line))
            enc = self.encoding(pi, abstract)
            solver = make_solver(self.limits)
            tracks: list[z3.BoolRef] = []
            labels: dict[str, Labeled] = {}

            def add(items: list[Labeled]) -> None:
                for lab in items:
                    if want_core:
                        t = z3.Bool(f"t{len(tracks)}")
                        tracks.append(t)
                        labels[str(t)] = lab
                        solver.add(z3.Implies(t, lab.term))
                    else:
                        solver.add(lab.term)

            add(enc.base)
            first = -1
            for i, ev in enumerate(path.events):
                if scope == "wellformed":
                    obs = enc.obligations[i]
                    key = ev.key
                    if obs and key not in seen:
                        seen.add(key)
                        queries += 1
                        lit = z3.Bool(f"q{i}")
                        solver.add(z3.Implies(lit, z3.Or([z3.Not(o.term) for o in obs])))
                        out = check(solver, *tracks, lit, want_core=want_core)
                        if out.status == "sat" and abstract:
                            return Verdict("unknown", "the abstract map allows a violation")
                        if out.status == "sat":
                            return self._violation(ob, pi, i, out.model, None, enc,
                                                   solver, [*tracks, lit])
                        if out.status == "unknown":
                            unknown_reason = unknown_reason or out.reason
                        else:
                            _collect(out.core, labels, core)
                    add(enc.constraints[i])
                    continue
                add(enc.constraints[i])
                if i not in at:
                    continue
                if first < 0:
                    first = i
                if ev.key in seen:
                    continue
                seen.add(ev.key)
                state = enc.states[i]
                assert state is not None and pred is not None
                queries += 1
                lit = z3.Bool(f"q{i}")
                solver.add(z3.Implies(lit, z3.Not(enc.encoder.prop(pred, state))))
                add(enc.encoder.side)  # facts about fresh abstract entries of witnesses
                enc.encoder.side = []
                out = check(solver, *tracks, lit, want_core=want_core)
                if out.status == "sat" and abstract:
                    return Verdict("unknown", "the abstract map allows a violation")
                if out.status == "sat":
                    return self._violation(ob, pi, i, out.model, pred, enc,
                                           solver, [*tracks, lit])
                if out.status == "unknown":
                    unknown_reason = unknown_reason or out.reason
                else:
                    _collect(out.core, labels, core)
            if scope == "wellformed":
                first = 0
            if first >= 0:
                first_in_scope.append((pi, first))
        if unknown_reason:
            return Verdict("unknown", unknown_reason, queries=queries)
        if abstract:  # reachability is shown on a small concrete-size map by the caller
            return Verdict("holds", core=tuple(sorted(core.values(), key=lambda x: (x[1], x[0]))),
                           queries=queries)
        if witness_only:
            first_in_scope = list(self._plan(ob, proof, points=False).firsts)
        # vacuity: is any in-scope state reachable at all? Constraints only grow along a
        # path, so the first in-scope event of each path is the one to try. For
        # 'wellformed' the scope is every event, and its first obligations are checked
        # under the domains and global assumptions alone.
        reachable = False
        for pi, first in first_in_scope:
            enc = self.encoding(pi)
            solver = make_solver(self.limits)
            solver.add([lab.term for lab in enc.base])
            if scope != "wellformed":
                for i in range(first + 1):
                    solver.add([lab.term for lab in enc.constraints[i]])
            queries += 1
            out = check(solver)
            if out.status == "sat":
                reachable = True
                if witness_only:
                    assert out.model is not None
                    inputs = {n: model_value(out.model, v) for n, v in sorted(enc.inputs.items())}
                    return Verdict("holds", witness=(pi, -1 if scope == "wellformed" else first,
                                                     tuple(inputs.items())))
                break
            if out.status == "unknown":
                return Verdict("unknown", f"reachability: {out.reason}", queries=queries)
        if not reachable:
            why = VACUOUS_UNREACHED if not first_in_scope else VACUOUS_CONTRADICTORY
            return Verdict("vacuous", why, queries=queries)
        return Verdict("holds", core=tuple(sorted(core.values(), key=lambda x: (x[1], x[0]))),
                       queries=queries)

    # -- counterexamples
    def _violation(self, ob: Obligation, pi: int, i: int, zmodel: z3.ModelRef,
                   pred: A.Expr | None, enc: PathEncoding, solver: z3.Solver,
                   assumptions: list[z3.BoolRef]) -> Verdict:
        path = self.paths[pi]
        zmodel, _complete = lexmin(solver, assumptions, self.objectives(enc), zmodel,
                                   self.limits)
        inputs = {name: model_value(zmodel, var) for name, var in sorted(enc.inputs.items())}
        cex = self.recheck(ob, path, i, inputs, pred)
        return Verdict("violated", counterexample=cex)

    def objectives(self, enc: PathEncoding) -> list[Objective]:
        """What a counterexample minimises, in the order of :meth:`objective_names`; each
        with the values its domain allows (for the search)."""
        params = {f"p:{p.name}": p for p in self.model.params}
        out = []
        for name in self.objective_names(enc):
            v, p = enc.inputs[name], params.get(name)
            if p is None:  # an 'anywhere' choice
                out.append(Objective(v, 0, enc.encoder.choice_step.get(name, 1)))  # type: ignore[arg-type]
            elif p.kind == "bool":
                out.append(Objective(z3.If(v, 1, 0), values=(0, 1)))  # type: ignore[arg-type]
            elif p.kind == "range":
                out.append(Objective(v, -(-p.lo // p.align) * p.align, p.align))  # type: ignore[arg-type]
            else:
                out.append(Objective(v, values=tuple(sorted(p.values)) or (0,)))  # type: ignore[arg-type]
        return out

    def objective_names(self, enc: PathEncoding) -> list[str]:
        """The inputs a counterexample minimises, in order: the parameters as declared,
        then the ``anywhere`` choices by name."""
        return [f"p:{p.name}" for p in self.model.params] + sorted(
            n for n in enc.inputs if n.startswith("c:"))

    def fails_at(self, path: Path, i: int, inputs: dict[str, int], pred: A.Expr | None) -> bool:
        """Whether ``inputs`` (all of the path's) fail the property at event i, concretely."""
        try:
            if not concrete.inputs_valid(self.model, inputs):
                return False
            trace = concrete.run_path(self.model, path, inputs)
        except Exception:  # noqa: BLE001 - inputs of another model or path
            return False
        return concrete.fails(trace, i, pred, concrete.Evaluator(self.model, inputs))

    def recheck(self, ob: Obligation, path: Path, i: int, inputs: dict[str, int],
                pred: A.Expr | None) -> Counterexample:
        """Re-run a counterexample with the concrete evaluator; refuse one that does not
        violate concretely (that would be a bootspec bug, never a finding)."""
        model = self.model
        if not concrete.inputs_valid(model, inputs):
            raise InternalError(f"{model.name}/{ob.name}: the solver's counterexample breaks a "
                                f"parameter domain or map rule: {inputs}")
        trace = concrete.run_path(model, path, inputs)
        ev = path.events[i]
        if pred is None:  # wellformed
            if not (trace.valid_before[i] and trace.findings[i]):
                raise InternalError(f"{model.name}/wellformed: counterexample at event {i} of "
                                    f"{path.label} does not re-check concretely: {inputs}")
            findings = tuple(trace.findings[i])
            state = next((s for s in reversed(trace.states[:i + 1]) if s is not None),
                         concrete.State({}, {}, {}, {}))
            marked: set[str] = set()
        else:
            state_or_none = trace.states[i]
            evaluator = concrete.Evaluator(model, inputs)
            if state_or_none is None or evaluator.prop(pred, state_or_none):
                raise InternalError(f"{model.name}/{ob.name}: counterexample at event {i} of "
                                    f"{path.label} does not re-check concretely: {inputs}")
            state = state_or_none
            findings = ()
            marked = _marked(pred, state, model)
        rows = tuple(sorted((RegionRow(n, r.start, r.end, r.owner, r.type, n in marked)
                             for n, r in state.regions.items()),
                            key=lambda r: (r.start, r.end, r.name)))
        maps = tuple((n, tuple(concrete.effective_segments(concrete.map_entries(model, m, inputs),
                                                           state.overlays.get(n, []))))
                     for n, m in sorted(model.maps.items()))
        params = tuple((p.name, _show_param(p, inputs[f"p:{p.name}"])) for p in model.params)
        if ev.kind == "act" and ev.action is not None:
            step = f"{_describe(ev.action)} (stage {ev.stage}, line {ev.action.span.line})"
            span: Span | None = ev.action.span
        elif ev.kind == "enter":
            step = f"entering stage {ev.stage}"
            span = model.stages[ev.stage].span if ev.stage else None
        elif ev.kind == "end":
            step = f"end of boot after stage {ev.stage}"
            span = None
        else:
            step = "initial state"
            span = None
        state_vars = tuple((n, _show_value(v)) for n, v in state.vars.items()) + tuple(
            (f"{n}.cursor", _show_value(v)) for n, v in sorted(state.cursors.items()))
        return Counterexample(path.stages, ev.stage, step, span, params, rows, maps, findings,
                              tuple(sorted(inputs.items())), state_vars, i)


@dataclasses.dataclass(frozen=True)
class _Plan:
    scope: str
    pred: A.Expr | None
    points: tuple[tuple[int, int], ...]  # (path, event) queried, in order
    firsts: tuple[tuple[int, int], ...]  # (path, first event in scope) per path


class _PathBatch:
    """One path's solver for :meth:`ModelChecker.decide_all`. Every constraint and
    every query is behind a literal: ``g{i}`` stands for "the run got past event i"
    (the constraints of events 0..i), ``q{k}_{i}`` for "obligation k fails at event
    i", ``b{k}`` for "obligation k fails somewhere on this path"; a query is a check
    under literals, so nothing asserted has to be taken back."""

    def __init__(self, checker: ModelChecker, pi: int,
                 items: Sequence[tuple[Obligation, Proof | None]], plans: list[_Plan],
                 mine: list[int]):
        self.checker, self.pi, self.items, self.plans = checker, pi, items, plans
        self.enc = enc = checker.encoding(pi)
        self.solver = solver = make_solver(checker.limits)
        solver.add([lab.term for lab in enc.base])
        self.g: list[z3.BoolRef] = []
        prev: z3.BoolRef = z3.BoolVal(True)
        for i, cons in enumerate(enc.constraints):
            g = z3.Bool(f"g{i}")
            solver.add(z3.Implies(g, z3.And(prev, *[lab.term for lab in cons])))
            self.g.append(g)
            prev = g
        self.q: dict[int, list[tuple[int, z3.BoolRef]]] = {}
        self.b: dict[int, z3.BoolRef] = {}
        self.rounds = 0
        self.run: dict[str, int] | None = None  # inputs of a whole run, once one is found
        for k in mine:
            lits = []
            for p, i in plans[k].points:
                if p != pi:
                    continue
                q = z3.Bool(f"q{k}_{i}")
                if plans[k].scope == "wellformed":
                    before = self.g[i - 1] if i > 0 else z3.BoolVal(True)
                    fails = z3.Or([z3.Not(o.term) for o in enc.obligations[i]])
                else:
                    state = enc.states[i]
                    assert state is not None and plans[k].pred is not None
                    before = self.g[i]
                    fails = z3.Not(enc.encoder.prop(plans[k].pred, state))
                    solver.add([lab.term for lab in enc.encoder.side])
                    enc.encoder.side = []
                solver.add(z3.Implies(q, z3.And(before, fails)))
                lits.append((i, q))
            b = z3.Bool(f"b{k}")
            solver.add(z3.Implies(b, z3.Or([q for _, q in lits])))
            self.q[k], self.b[k] = lits, b

    def any_fails(self, ks: list[int]) -> tuple[str, list[int]]:
        """Can any of obligations ``ks`` fail on this path? (status, those that do)."""
        sel = z3.Bool(f"any{self.rounds}")
        self.rounds += 1
        self.solver.add(z3.Implies(sel, z3.Or([self.b[k] for k in ks])))
        out = check(self.solver, sel)
        if out.status != "sat":
            return out.status, []
        assert out.model is not None
        return "sat", [k for k in ks if z3.is_true(out.model.eval(self.b[k],
                                                                  model_completion=True))]

    def reachable(self, first: int, wellformed: bool) -> str:
        """Is an in-scope state reachable (:meth:`ModelChecker._decide`'s vacuity query)?"""
        last = check(self.solver, self.g[-1])  # the whole path runs: every event is reached
        if last.status == "sat":
            assert last.model is not None
            self.run = {n: model_value(last.model, v) for n, v in sorted(self.enc.inputs.items())}
            return "sat"
        if wellformed:  # the domains and global assumptions alone
            return check(self.solver).status
        return check(self.solver, self.g[first]).status

    def counterexample(self, k: int, canonical: bool, hints: dict[str, dict[str, int]]
                       ) -> Verdict | None:
        """Obligation k's verdict, known to fail on this path: the first failing event,
        the smallest inputs there; None when that cannot be settled exactly here.
        ``hints``: see :class:`Carry` (read and updated)."""
        if not canonical:
            return None
        ob, _proof = self.items[k]
        checker, path = self.checker, self.checker.paths[self.pi]
        for i, q in self.q[k]:
            out = check(self.solver, q)
            if out.status == "unknown":
                return None
            if out.status == "sat":
                assert out.model is not None
                objectives = checker.objectives(self.enc)
                hint = hints.get(ob.name)
                names = checker.objective_names(self.enc)
                start = None
                if hint is not None and all(n in hint for n in names) and \
                        checker.fails_at(path, i, hint, self.plans[k].pred):
                    start = [hint[n] for n in names]
                model, complete = lexmin(self.solver, [q], objectives, out.model,
                                         checker.limits, start)
                if not complete:
                    return None
                inputs = {n: model_value(model, v) for n, v in sorted(self.enc.inputs.items())}
                cex = checker.recheck(ob, path, i, inputs, self.plans[k].pred)
                hints[ob.name] = inputs
                return Verdict("violated", counterexample=cex)
        return None


def _collect(core: tuple[str, ...], labels: dict[str, Labeled],
             out: dict[str, tuple[str, Span]]) -> None:
    for name in core:
        lab = labels.get(name)
        if lab is not None:
            key = f"{lab.span}:{lab.label}"
            out[key] = (lab.label, lab.span)  # type: ignore[assignment]


def _show_param(p: object, v: int) -> str:
    kind = getattr(p, "kind", "")
    if kind == "bool":
        return "true" if v else "false"
    if kind == "enum":
        return str(p.enum[v])  # type: ignore[attr-defined]
    return f"{v:#x}" if v >= 4096 else str(v)


def _show_value(v: int | bool) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return f"{v:#x}" if v >= 4096 else str(v)


def _describe(line: A.Line) -> str:
    names = {A.Place: "place", A.Free: "free", A.Reserve: "reserve", A.Copy: "copy",
             A.Move: "move", A.SetVar: "set", A.Assume: "assume", A.AssertLine: "assert",
             A.PoolDecl: "pool"}
    target = getattr(line, "region", None) or getattr(line, "dst", None) or \
        getattr(line, "name", None) or ""
    return f"{names.get(type(line), 'action')} {target}".strip()


def _marked(pred: A.Expr, state: concrete.State, model: Model) -> set[str]:
    """The regions to mark in a counterexample: those the violated atoms name."""
    names = regions_in(pred, model)
    overl = set()
    if isinstance(pred, A.Call) and pred.fn == "disjoint":
        rs = [(a.id, state.regions[a.id]) for a in pred.args if isinstance(a, A.Name)
              and a.id in state.regions]
        for i in range(len(rs)):
            for j in range(i + 1, len(rs)):
                a, b = rs[i][1], rs[j][1]
                if a.start < b.end and b.start < a.end:
                    overl |= {rs[i][0], rs[j][0]}
        if overl:
            return overl
    return {n for n in names if n in state.regions}
