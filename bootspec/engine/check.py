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
from bootspec.engine.paths import Path, in_scope, points, regions_in, target_of
from bootspec.engine.solver import (
    Limits,
    check,
    Objective,
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
                if scope == "assert":
                    hit = ev.kind == "act" and ev.action is assert_line
                else:
                    hit = in_scope(ev, scope, stage, needed, path, i)
                if not hit:
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
            first_in_scope = self._first_in_scope(scope, stage, needed, assert_line)
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

    def _first_in_scope(self, scope: str, stage: str | None, needed: set[str],
                        assert_line: A.AssertLine | None) -> list[tuple[int, int]]:
        out = []
        for pi, path in enumerate(self.paths):
            at = points(path, scope, stage, needed, assert_line)
            if at:
                out.append((pi, 0 if scope == "wellformed" else at[0]))
        return out

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
        """What a counterexample minimises, in order: the parameters as declared, then the
        ``anywhere`` choices; each with the values its domain allows (for the search)."""
        out = []
        for p in self.model.params:
            v = enc.inputs[f"p:{p.name}"]
            if p.kind == "bool":
                out.append(Objective(z3.If(v, 1, 0), values=(0, 1)))  # type: ignore[arg-type]
            elif p.kind == "range":
                out.append(Objective(v, -(-p.lo // p.align) * p.align, p.align))  # type: ignore[arg-type]
            else:
                out.append(Objective(v, values=tuple(sorted(p.values)) or (0,)))  # type: ignore[arg-type]
        out += [Objective(v, 0, enc.encoder.choice_step.get(name, 1))  # type: ignore[arg-type]
                for name, v in sorted(enc.inputs.items()) if name.startswith("c:")]
        return out

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


def run_obligation(checker: ModelChecker, ob: Obligation, proof: Proof | None,
                   want_core: bool = False) -> Result:
    t0 = time.perf_counter()
    verdict = checker.decide(ob, proof, want_core)
    return Result(ob, verdict, time.perf_counter() - t0)
