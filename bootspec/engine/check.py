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

from bootspec.diagnostics import InternalError, Span
from bootspec.engine import concrete
from bootspec.engine.encode import Labeled, PathEncoding, encode_path
from bootspec.engine.paths import Path, in_scope, regions_in
from bootspec.engine.solver import Limits, check, make_solver, minimize, model_value
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation, Proof

VERDICTS = ("holds", "violated", "unknown", "vacuous")


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


@dataclasses.dataclass(frozen=True)
class Verdict:
    status: str  # holds | violated | unknown | vacuous
    reason: str = ""
    counterexample: Counterexample | None = None
    core: tuple[tuple[str, Span], ...] = ()  # for holds: the constraints the proof used
    queries: int = 0


@dataclasses.dataclass(frozen=True)
class Result:
    obligation: Obligation
    verdict: Verdict
    seconds: float

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
    """Decides the obligations of one model. Path encodings are built once and shared."""

    def __init__(self, model: Model, paths: list[Path], limits: Limits | None = None):
        self.model, self.paths = model, paths
        self.limits = limits or Limits()
        self._enc: dict[int, PathEncoding] = {}

    def encoding(self, i: int) -> PathEncoding:
        if i not in self._enc:
            self._enc[i] = encode_path(self.model, self.paths[i])
        return self._enc[i]

    # -- the property of an obligation
    def _target(self, ob: Obligation, proof: Proof | None
                ) -> tuple[str, str | None, A.Expr | None, A.AssertLine | None]:
        if ob.kind == "proof":
            assert proof is not None
            return proof.scope, proof.stage, proof.pred, None
        if ob.kind == "assert":
            line = next(a[2] for a in self.model.asserts if a[0] == ob.name)
            return "assert", None, line.pred, line
        return "wellformed", None, None, None

    def decide(self, ob: Obligation, proof: Proof | None = None, want_core: bool = False
               ) -> Verdict:
        scope, stage, pred, assert_line = self._target(ob, proof)
        needed = regions_in(pred, self.model) if pred is not None else set()
        seen: set[tuple[object, ...]] = set()
        unknown_reason = ""
        queries = 0
        first_in_scope: list[tuple[int, int]] = []
        core: dict[str, tuple[str, Span]] = {}
        for pi, path in enumerate(self.paths):
            enc = self.encoding(pi)
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
                out = check(solver, *tracks, lit, want_core=want_core)
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
                break
            if out.status == "unknown":
                return Verdict("unknown", f"reachability: {out.reason}", queries=queries)
        if not reachable:
            why = ("no boot path reaches the property's scope with its regions live"
                   if not first_in_scope else
                   "the assumptions (domains, assume, guards) are contradictory where the "
                   "property applies")
            return Verdict("vacuous", why, queries=queries)
        return Verdict("holds", core=tuple(sorted(core.values(), key=lambda x: (x[1], x[0]))),
                       queries=queries)

    # -- counterexamples
    def _violation(self, ob: Obligation, pi: int, i: int, zmodel: z3.ModelRef,
                   pred: A.Expr | None, enc: PathEncoding, solver: z3.Solver,
                   assumptions: list[z3.BoolRef]) -> Verdict:
        path = self.paths[pi]
        # prefer the smallest parameters, then the smallest free choices
        objectives = [z3.If(v, 1, 0) if z3.is_bool(v) else v  # type: ignore[arg-type]
                      for name, v in enc.inputs.items() if name.startswith("p:")]
        objectives += [v for name, v in sorted(enc.inputs.items()) if name.startswith("c:")]
        if objectives:
            zmodel = minimize(solver, assumptions, objectives, self.limits) or zmodel
        inputs = {name: model_value(zmodel, var) for name, var in sorted(enc.inputs.items())}
        cex = self.recheck(ob, path, i, inputs, pred)
        return Verdict("violated", counterexample=cex)

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
                              tuple(sorted(inputs.items())), state_vars)


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
