"""Pass 5, *solve*: decide obligations and return verdicts (values; nothing is printed here).

The proof rule, stated once (docs/language.md, "Verdicts"): an obligation **holds**
on a model exactly when, on every boot path and at every event it checks, the
constraints up to that event together with its failure are unsatisfiable, and it
is not vacuous. Otherwise it is **violated** (with a counterexample that the
concrete evaluator has re-checked), **unknown** (the solver gave up on some query
and none was satisfiable; never a pass) or **vacuous** (something it checks is
never reached: a conjunct never in scope, a site no run reaches, no configuration
at all), with the cause named.

What an obligation checks is its :class:`~bootspec.engine.paths.Target`: the finding
sites of ``wellformed`` or of one expected site, an assert at its line, or a
proof's conjuncts, each where its regions are live.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import z3

from bootspec import memtypes
from bootspec.diagnostics import InternalError, Span
from bootspec.engine import cex as cexmod
from bootspec.engine import concrete
from bootspec.engine.encode import PathEncoding, encode_path, objectives
from bootspec.engine.encode_maps import concrete_uses, property_uses
from bootspec.engine.enumerate import Runs, greedy_run, late_choices, lowest_failure, search
from bootspec.engine.paths import Path, Target, conjunct_points, points, target_of
from bootspec.engine.solver import (
    MINIMIZE_RLIMIT,
    Limits,
    Outcome,
    check,
    fresh_context,
    lexmin,
    make_solver,
    model_value,
    set_rlimit,
)
from bootspec.engine.terms import Labeled, Seen
from bootspec.engine.verdicts import (
    INEXACT,
    LOWEST,
    NOT_FIRST,
    NOT_SMALLEST,
    VACUOUS_UNREACHED,
    Counterexample,
    RegionRow,
    Result,
    Verdict,
    obligations,
)
from bootspec.engine.why import Tracked, collect, minimal_lines
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation, Proof
from bootspec.lang.sites import unparse

__all__ = ["Carry", "Counterexample", "ModelChecker", "RegionRow", "Result",
           "Verdict", "obligations"]

SMALL_MAP = 8  # symbolic maps with more entries are first decided abstractly
WITNESSES = 8  # known runs tried before asking the solver whether an event is reachable
FAST_COMBOS = 256  # concrete maps, no free choice, at most this many parameter combinations:
# decide by evaluation, without the solver


@dataclasses.dataclass
class Carry:
    """What a sweep over many machines carries, for one model, from one machine to
    the next (:meth:`ModelChecker.decide_all`). None of it changes a verdict or a
    counterexample, only how fast they are found.

    ``proved``: obligations whose failure is known unsatisfiable at every event on
    this machine (proved for every map of the model as written, which admits this
    machine's map); only their reachability is left. ``witnesses``: inputs of runs
    found on earlier machines, tried concretely before the solver is asked whether
    an event is reachable; every run the solver finds is added. ``hints``: per
    obligation, the last counterexample's inputs; when they fail here too, the
    minimisation starts from them (the canonical counterexample is the same from
    any start; it is just found with fewer queries), and when they fail the first
    point the obligation is checked at on a path, that point is known to be where
    it first fails there without asking (:mod:`bootspec.engine.batch`)."""

    proved: frozenset[str] = frozenset()
    witnesses: list[dict[str, int]] = dataclasses.field(default_factory=list)
    hints: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Plan:
    """The queries deciding one obligation makes, in order.

    ``points``: the (path, event) pairs whose failure is asked, in the canonical order
    (an event already checked on an earlier path is not checked again). ``parts``: what
    must be reached for it not to be vacuous (one part, or one per conjunct of a
    proof), each the first event of each path where it is in scope. ``inclusive``:
    reaching an event means getting past it (properties: its state exists) rather
    than getting to it (sites, asserts)."""

    target: Target
    points: tuple[tuple[int, int], ...]
    parts: tuple[tuple[tuple[int, int], ...], ...]
    names: tuple[str, ...]  # what each part is, for a vacuous verdict
    inclusive: bool


class ModelChecker:
    """Decides the obligations of one model. Each obligation starts from a fresh Z3
    context; its path encodings are built once and shared by all of its queries."""

    def __init__(self, model: Model, paths: list[Path], limits: Limits | None = None,
                 fast: bool = True):
        self.model, self.paths = model, paths
        self.limits = limits or Limits()
        self.fast = fast  # False: always use the solver (the oracle tests the encoding)
        self._enc: dict[tuple[int, bool], PathEncoding] = {}
        self._runs: Runs | None = None  # the concrete fast path's runs
        self._naming = False  # encode with named definitions (decide(want_core=True))
        self._minimal = True
        # symbolic maps too large to unroll cheaply get the abstract treatment first, when
        # the model only reads them in ways the abstraction covers
        self.exact_only = concrete_uses(model)
        self.big = frozenset(n for n, m in model.maps.items()
                             if m.symbolic and m.count > SMALL_MAP and n not in self.exact_only)

    def encoding(self, i: int, abstract: bool = False) -> PathEncoding:
        key = (i, abstract)
        if key not in self._enc:
            self._enc[key] = encode_path(self.model, self.paths[i],
                                         self.big if abstract else frozenset(),
                                         name_defs=self._naming)
        return self._enc[key]

    def target(self, ob: Obligation, proof: Proof | None) -> Target:
        return target_of(self.model, ob, proof)

    # -- the property of an obligation
    def decide(self, ob: Obligation, proof: Proof | None = None, want_core: bool = False,
               minimal_core: bool = True) -> Verdict:
        """The verdict of one obligation (see the proof rule in this module's docstring).
        ``want_core``: a holds lists the lines it reads (:mod:`bootspec.engine.why`),
        a minimal set of them unless ``minimal_core`` is False (then Z3's cores).

        A model with a large symbolic map is decided in three steps, each sound:
        1. the abstract encoding (only the entries the property touches): unsatisfiable
           everywhere, plus every part shown reachable on a small map and re-run
           concretely on a full-size one, means *holds* for every map of N entries;
        2. otherwise a counterexample is searched on maps of 1, 2, 4... entries, padded
           to N with empty entries and re-run concretely on the real model;
        3. otherwise the exact encoding over all N entries decides.

        The verdict (and counterexample) is the one deciding without ``want_core``
        gives; the lines of a holds come from a second decision over named
        definitions, which allow the same runs but may show another of a symbolic
        map's failing contents, so its counterexample is never the one shown.
        """
        v = self._decide_top(ob, proof, False, minimal_core)
        if not want_core or v.status != "holds":
            return v
        return self.with_lines(ob, proof, v, minimal_core)

    def with_lines(self, ob: Obligation, proof: Proof | None, v: Verdict,
                   minimal: bool = True) -> Verdict:
        """A holds ``v`` of ``ob`` with the lines its proof reads (a minimal set of
        them unless ``minimal`` is False: then Z3's cores); ``v`` itself when that
        second decision does not come back holds (e.g. a query gave up)."""
        why = self._decide_top(ob, proof, True, minimal)
        if why.status != "holds":
            return v
        return dataclasses.replace(v, core=why.core, core_minimal=why.core_minimal)

    def _decide_top(self, ob: Obligation, proof: Proof | None, want_core: bool,
                    minimal_core: bool) -> Verdict:
        if self.fast and not want_core and self._enumerable():
            return self._decide_concrete(ob, proof)
        fresh_context()  # the same obligation gets the same counterexample in any run
        self._enc.clear()
        # an explanation names the lines a proof reads (encode_path's name_defs)
        self._naming = want_core
        self._minimal = minimal_core
        model_big = self.big
        if proof is not None:
            self.big = self.big - property_uses(proof.pred_for(self.model.name))
        try:
            return self._decide_big(ob, proof, want_core)
        finally:
            self.big = model_big
            self._naming = False
            self._enc.clear()

    def _decide_big(self, ob: Obligation, proof: Proof | None, want_core: bool) -> Verdict:
        if not self.big:
            self._enc.clear()
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
        found together (see :mod:`bootspec.engine.batch`). ``carry`` (a sweep over
        machines, see :class:`Carry`) only changes how fast they are found."""
        from bootspec.engine.batch import decide_all

        if self.big or (self.fast and self._enumerable()) or \
                (len(items) <= 1 and not (carry and carry.proved)):
            return [self._timed(ob, proof) for ob, proof in items]
        return decide_all(self, items, carry or Carry())

    def witnessed(self, pi: int, first: int, inclusive: bool,
                  witnesses: list[dict[str, int]]) -> bool:
        """Whether a known run reaches event ``first`` of path ``pi`` (re-run concretely)."""
        for w in reversed(witnesses[-WITNESSES:]):
            try:
                if not concrete.inputs_valid(self.model, w):
                    continue
                trace = concrete.run_path(self.model, self.paths[pi], w)
            except (KeyError, ValueError):  # a witness of another path lacks inputs
                continue
            if trace.states[first] is not None if inclusive else trace.valid_before[first]:
                return True
        return False

    def proved_for_every_map(self, ob: Obligation, proof: Proof | None) -> bool:
        """Whether the abstract encoding of every symbolic map refutes the obligation's
        failure at every event: then it holds on every map those maps admit, of any
        number of entries, wherever it is reached (step 1 of :meth:`decide`). A model
        without symbolic maps: False."""
        sym = frozenset(n for n, m in self.model.maps.items() if m.symbolic)
        unsupported = self.exact_only | (property_uses(proof.pred_for(self.model.name))
                                         if proof is not None else frozenset())
        if not sym or sym & unsupported:
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

    def plan(self, target: Target, abstract: bool = False, with_points: bool = True) -> Plan:
        """See :class:`Plan`."""
        seen: set[tuple[object, ...]] = set()
        pts: list[tuple[int, int]] = []
        nparts = len(target.conjuncts) if target.kind == "proof" else 1
        firsts: list[list[tuple[int, int]]] = [[] for _ in range(nparts)]
        for pi, path in enumerate(self.paths):
            at = points(path, target)
            if target.kind == "proof":
                for k in range(nparts):
                    cp = conjunct_points(path, target, k)
                    if cp:
                        firsts[k].append((pi, cp[0]))
            elif at:
                firsts[0].append((pi, 0 if target.kind == "wellformed" else at[0]))
            for i in at if with_points else ():
                if target.finds and not any(target.counts(o.site) for o in
                                            self.encoding(pi, abstract).obligations[i]):
                    continue
                if path.events[i].key not in seen:
                    seen.add(path.events[i].key)
                    pts.append((pi, i))
        if target.kind == "proof":
            names = tuple(f"'{unparse(c.expr)}'" for c in target.conjuncts)
        else:
            names = (target.kind,)
        inclusive = target.kind == "proof"
        return Plan(target, tuple(pts), tuple(tuple(f) for f in firsts), names, inclusive)

    def _enumerable(self) -> bool:
        """Every input concrete or nearly so: concrete maps, no free choices, and few
        parameter combinations. Such obligations are decided by evaluation alone."""
        if any(m.symbolic for m in self.model.maps.values()):
            return False
        if any(isinstance(p, A.Anywhere) for s in self.model.stages.values() for b in s.body
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
        if self._runs is None:  # made once, read by each obligation in turn
            self._runs = Runs(self.model, self.paths)
        target = self.target(ob, proof)
        found = search(self.model, self.paths, target, self._runs)
        if found.violation is not None:
            pi, i, inputs = found.violation
            return self.violated(ob, pi, i, inputs, target, "decided by evaluation")
        if found.status == "vacuous":
            plan = self.plan(target, with_points=False)
            fresh_context()
            self._enc.clear()
            return Verdict("vacuous", self._vacuous_reason(plan, max(found.unreached, 0)))
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
        target = self.target(ob, proof)
        while n < self._big_count():
            v = self._shrunk(n)._decide(ob, proof, False, abstract=False)
            cx = v.counterexample
            if v.status == "violated" and cx is not None:
                pi = next(i for i, p in enumerate(self.paths) if p.stages == cx.path)
                try:
                    full = self.recheck(ob, self.paths[pi], cx.event,
                                        self._lift(dict(cx.inputs), n), target)
                except InternalError:
                    full = None  # padding changed the run (a 0-size placement): go on
                if full is not None:
                    return Verdict("violated", counterexample=full, queries=v.queries)
            n *= 2
        return None

    def _reachable_small(self, ob: Obligation, proof: Proof | None) -> bool:
        """Every part is reached on a full-size map: each found on a 2-entry map, padded,
        and re-run concretely."""
        small = self._shrunk(2)
        fresh_context()
        plan = small.plan(small.target(ob, proof), with_points=False)
        for part in plan.parts:
            for pi, first in part:
                found = small.reach_inputs(pi, first, plan.inclusive)
                if found is None:
                    continue
                lifted = self._lift(found, 2)
                if not concrete.inputs_valid(self.model, lifted):
                    continue
                trace = concrete.run_path(self.model, self.paths[pi], lifted)
                if (trace.states[first] is not None if plan.inclusive
                        else trace.valid_before[first]):
                    break
            else:
                return False
        return True

    def fails_term(self, enc: PathEncoding, pi: int, i: int, target: Target,
                   seen: Seen | None = None, define: bool = True) -> z3.BoolRef | None:
        """The failure of ``target`` at event i of path ``pi`` (None: nothing checked).
        ``seen`` (one per path, events in increasing order) leaves out a conjunct whose
        formula is the very term (Z3 builds each once; ``seen`` keeps it alive) it was at
        an earlier event: a run past event i got past that one, where it failed too.
        The event's definitions (``Encoder.definitions``) go to the encoder's side
        facts, unless ``define`` is false: then the caller asserts them with the term."""
        if target.finds:
            obs = [o.term for o in enc.obligations[i] if target.counts(o.site)]
            if obs and define:
                enc.encoder.side += enc.encoder.definitions(i)
            return z3.Or([z3.Not(t) for t in obs]) if obs else None
        preds = target.at(self.paths[pi], i)
        state, fails = enc.states[i], []
        for p in preds:
            t = enc.encoder.prop(p, state)  # type: ignore[arg-type]  # in scope: it exists
            if seen is None or seen.setdefault((id(p), t.as_ast().value), t) is t:
                fails.append(z3.Not(t))
        return z3.Or(fails) if fails else None

    def _decide(self, ob: Obligation, proof: Proof | None, want_core: bool,
                abstract: bool) -> Verdict:
        target = self.target(ob, proof)
        plan = self.plan(target, abstract)
        unknown_reason = ""
        queries = 0
        core: dict[str, tuple[str, Span]] = {}
        by_path: dict[int, set[int]] = {}
        for pi, i in plan.points:
            by_path.setdefault(pi, set()).add(i)
        for pi in sorted(by_path):
            want = by_path[pi]
            enc = self.encoding(pi, abstract)
            tracked = Tracked(make_solver(self.limits), want_core, "t")
            solver, tracks, labels, add = tracked.solver, tracked.tracks, tracked.labels, \
                tracked.add
            add(enc.base)
            seen: Seen = {}
            for i in range(max(want) + 1):
                if plan.inclusive:  # a property: checked in the state after the event
                    add(enc.constraints[i])
                fails = self.fails_term(enc, pi, i, target, seen) if i in want else None
                if fails is not None:
                    add(enc.encoder.side)  # facts about fresh abstract entries of witnesses
                    enc.encoder.side = []
                    queries += 1
                    lit = z3.Bool(f"q{i}")
                    solver.add(z3.Implies(lit, fails))
                    out = check(solver, *tracks, lit, want_core=want_core)
                    if out.status == "sat" and abstract:
                        return Verdict("unknown", "the abstract map allows a violation")
                    if out.status == "sat":
                        assert out.model is not None
                        v = self._violation(ob, pi, i, out.model, target, enc, solver,
                                            [*tracks, lit], out.used, proof)
                        if unknown_reason and not v.reason.startswith("decided by"):
                            # the canonical counterexample is at the first failing step,
                            # which an earlier query that gave up may have been
                            v = dataclasses.replace(v, reason=NOT_FIRST)
                        return v
                    if out.status == "unknown":
                        unknown_reason = unknown_reason or out.reason
                    else:
                        collect(out.core, labels, core)
                if not plan.inclusive:  # a site or an assert: where the run gets to it
                    add(enc.constraints[i])
        if unknown_reason:  # unless the lowest configuration, run concretely, fails
            found = lowest_failure(self.model, self.paths, plan.points, target)
            return Verdict("unknown", unknown_reason, queries=queries) if found is None \
                else self.violated(ob, *found, target, LOWEST)
        cores = tuple(sorted(core.values(), key=lambda x: (x[1], x[0])))
        # the lines it needs, not all Z3 used; not for 'wellformed' or one site, whose
        # obligation is made of the findings of the lines themselves
        minimal = want_core and self._minimal and ob.kind in ("proof", "assert")
        if abstract:  # reachability is shown on a small concrete-size map by the caller
            if minimal:
                cores = minimal_lines(self, plan, abstract, cores)
            return Verdict("holds", core=cores, queries=queries, core_minimal=minimal)
        for k, part in enumerate(plan.parts):
            state = "unsat"
            for pi, first in part:
                queries += 1
                out = self._reach(pi, first, plan.inclusive)
                if out.status != "unsat":
                    state = out.status
                    if out.status == "unknown":
                        return Verdict("unknown", f"reachability: {out.reason}", queries=queries)
                    break
            if state == "unsat":
                return Verdict("vacuous", self._vacuous_reason(plan, k), queries=queries)
        if minimal:
            cores = minimal_lines(self, plan, abstract, cores)
        return Verdict("holds", core=cores, queries=queries, core_minimal=minimal)

    # -- reachability and vacuity
    def _reach_solver(self, pi: int, first: int, inclusive: bool, want_core: bool = False
                      ) -> tuple[z3.Solver, list[z3.BoolRef], dict[str, Labeled]]:
        enc = self.encoding(pi)
        tracked = Tracked(make_solver(self.limits), want_core, "r")
        upto = first + 1 if inclusive else first
        tracked.add([*enc.base, *(c for cs in enc.constraints[:upto] for c in cs)])
        return tracked.solver, tracked.tracks, tracked.labels

    def _first_unreachable(self, pi: int, first: int, inclusive: bool) -> int:
        """The first event of path ``pi`` (up to ``first``) that no run gets past."""
        last = first if inclusive else first - 1
        enc = self.encoding(pi)
        solver = make_solver(self.limits)
        solver.add([lab.term for lab in enc.base])
        for i in range(max(last, 0) + 1):
            solver.add([lab.term for lab in enc.constraints[i]])
            if check(solver).status == "unsat":
                return i
        return max(last, 0)

    def _reach(self, pi: int, first: int, inclusive: bool) -> Outcome:
        """Does a run reach event ``first`` of path ``pi`` (get past it: ``inclusive``)?"""
        solver, _, _ = self._reach_solver(pi, first, inclusive)
        return check(solver)

    def reach_inputs(self, pi: int, first: int, inclusive: bool) -> dict[str, int] | None:
        """The inputs of a run that reaches event ``first`` of path ``pi``, or None."""
        out = self._reach(pi, first, inclusive)
        if out.status != "sat" or out.model is None:
            return None
        return run_inputs(self.encoding(pi), out.model)

    def _cause_core(self, pi: int, stop: int) -> list[Labeled]:
        """A minimal set of the user's causes (assumptions, guards, placements, domains:
        :func:`cex.is_cause`) that stop every run of path ``pi`` by event ``stop``.

        Only causes are tracked; the rest (map well-formedness, attribute bits) is
        asserted plainly, and the core is made minimal by deletion, one cheap query per
        cause. Z3's own ``core.minimize`` over every labelled constraint took seconds on
        a 9-entry map for what this finds in a fraction of one; a query that comes back
        unknown keeps its cause, so the answer never depends on machine speed."""
        enc = self.encoding(pi)
        solver = make_solver(self.limits)
        tracks: list[tuple[z3.BoolRef, Labeled]] = []
        for lab in [*enc.base, *(c for cs in enc.constraints[:stop + 1] for c in cs)]:
            if cexmod.is_cause(lab.label):
                t = z3.Bool(f"r{len(tracks)}")
                tracks.append((t, lab))
                solver.add(z3.Implies(t, lab.term))
            else:
                solver.add(lab.term)
        out = check(solver, *(t for t, _ in tracks), want_core=True)
        if out.status != "unsat":
            return []
        core = [(t, lab) for t, lab in tracks if str(t) in out.core]
        set_rlimit(solver, min(self.limits.rlimit, MINIMIZE_RLIMIT))
        k = 0
        while k < len(core):
            rest = core[:k] + core[k + 1:]
            out = check(solver, *(t for t, _ in rest), want_core=True)
            if out.status == "unsat":
                core = [(t, lab) for t, lab in rest if str(t) in out.core]
            else:
                k += 1
        return [lab for _, lab in core]

    def _vacuous_reason(self, plan: Plan, k: int) -> str:
        """Why part k of an obligation is never reached (docs/language.md, "Verdicts")."""
        target, part = plan.target, plan.parts[k]
        if not part:
            if target.kind == "proof":
                c = target.conjuncts[k]
                regs = ", ".join(sorted(c.regions))
                scope = {"always": "in any state", "end": "at the end of any path"}.get(
                    target.scope, f"{target.scope} stage {target.stage}")
                together = f"{regs} live together" if len(c.regions) > 1 else f"{regs} live"
                return (f"the part {plan.names[k]} is never in scope: no path has "
                        f"{together} {scope}")
            return VACUOUS_UNREACHED
        blamed: list[tuple[str, Span]] = []
        for pi, first in part:
            # the earliest event no run gets past is the cause: blame what stops runs
            # there (and what before it that needs), not something later
            stop = self._first_unreachable(pi, first, plan.inclusive)
            for lab in self._cause_core(pi, stop):
                if (lab.label, lab.span) not in blamed:
                    blamed.append((lab.label, lab.span))
        why = cexmod.vacuous_cause(blamed)
        if target.kind == "proof" and len(plan.parts) > 1:
            return f"the part {plan.names[k]} is never reached: {why}"
        return f"nothing in scope is reached: {why}"

    # -- counterexamples
    def _violation(self, ob: Obligation, pi: int, i: int, zmodel: z3.ModelRef,
                   target: Target, enc: PathEncoding, solver: z3.Solver,
                   assumptions: list[z3.BoolRef], found_cost: int = 0,
                   proof: Proof | None = None) -> Verdict:
        inputs, complete = self.smallest(enc, solver, assumptions, zmodel,
                                         found_cost=found_cost, upto=i, target=target)
        if not complete and self._enumerable():
            # the probes ran out where evaluation settles it: every configuration is
            # run, and the canonical counterexample is the smallest failing one
            return self._decide_concrete(ob, proof)
        return self.violated(ob, pi, i, inputs, target, "" if complete else NOT_SMALLEST)

    def smallest(self, enc: PathEncoding, solver: z3.Solver, assumptions: list[z3.BoolRef],
                 zmodel: z3.ModelRef, start: list[int] | None = None, found_cost: int = 0,
                 upto: int | None = None, target: Target | None = None,
                 budget: int | None = None) -> tuple[dict[str, int], bool]:
        """The inputs of the failing run that is smallest on :meth:`objectives`, found
        from ``zmodel`` (one failing run; ``start``: a known failing run's objective
        values, to start from); and whether the minimisation finished (else the smallest
        found within the limits, or ``budget``: see :func:`lexmin`). ``upto``: the failing
        event (of ``target``); a choice first made after it is not guessed (most often
        its lowest). Without ``start``, a greedy run that fails is the start."""
        names = self.objective_names(enc)
        greedy: dict[str, int] | None = None
        late = set() if upto is None else late_choices(enc.path, upto)
        if start is None and upto is not None and target is not None:
            given = run_inputs(enc, zmodel)
            trial = greedy_run(self.model, enc.path, upto, target, given, late)
            if trial is not None and any(trial[n] != given[n] for n in names):
                start = [trial[n] for n in names]

        def guess(j: int, current: z3.ModelRef) -> int | None:
            """An 'anywhere' choice's lowest valid start when every choice before it
            took its own (one greedy concrete run, once the parameters are fixed)."""
            nonlocal greedy
            if not names[j].startswith("c:") or names[j] in late:
                return None
            if greedy is None:
                greedy = concrete.greedy_choices(self.model, enc.path,
                                                 run_inputs(enc, current))
            return greedy.get(names[j])

        zmodel, complete = lexmin(solver, assumptions, objectives(self.model, enc, names),
                                  zmodel, self.limits, start, found_cost, guess, budget)
        return run_inputs(enc, zmodel), complete

    def violated(self, ob: Obligation, pi: int, i: int, inputs: dict[str, int],
                 target: Target, reason: str = "") -> Verdict:
        """A violation at event i of path ``pi`` by ``inputs``, re-run (:meth:`recheck`)."""
        try:
            cx = self.recheck(ob, self.paths[pi], i, inputs, target)
            return Verdict("violated", reason, counterexample=cx)
        except InternalError:  # unknown where a bitwise result was left free (_bitwise)
            if not self.encoding(pi).encoder.inexact:
                raise
            return Verdict("unknown", INEXACT)

    def objective_names(self, enc: PathEncoding) -> list[str]:
        """The inputs a counterexample minimises, in order: the parameters as declared,
        then the ``anywhere`` choices by line, column and policy."""
        return [f"p:{p.name}" for p in self.model.params] + sorted(
            (n for n in enc.inputs if n.startswith("c:")), key=concrete.choice_order)

    def fails_at(self, path: Path, i: int, inputs: dict[str, int], target: Target) -> bool:
        """Whether ``inputs`` (all of the path's) fail the target at event i, concretely."""
        return cexmod.fails(self.model, path, i, target, inputs)

    def recheck(self, ob: Obligation, path: Path, i: int, inputs: dict[str, int],
                target: Target) -> Counterexample:
        return cexmod.recheck(self.model, ob, path, i, inputs, target)


def run_inputs(enc: PathEncoding, zmodel: z3.ModelRef) -> dict[str, int]:
    """The inputs of the run a Z3 model of ``enc`` describes, by name in sorted order."""
    return {n: model_value(zmodel, v) for n, v in sorted(enc.inputs.items())}
