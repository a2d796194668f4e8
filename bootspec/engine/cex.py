"""Counterexamples re-run concretely, and what a vacuous verdict blames.

:func:`recheck` turns the inputs of a failing run into the :class:`Counterexample`
a report shows, after re-running them with the concrete evaluator: one that does
not fail there is a bootspec bug (``InternalError``), never a finding.
:func:`vacuous_cause` turns the constraints an unsat core names into the reason a
user can act on (docs/language.md, "Verdicts").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bootspec.diagnostics import InternalError, Span
from bootspec.engine import concrete
from bootspec.engine.paths import Path, Target, regions_in
from bootspec.engine.verdicts import Counterexample, RegionRow
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation, ParamIR


def fails(model: Model, path: Path, i: int, target: Target, inputs: dict[str, int]) -> bool:
    """Whether ``inputs`` fail ``target`` at event i of ``path``, concretely."""
    try:
        if not concrete.inputs_valid(model, inputs):
            return False
        trace = concrete.run_path(model, path, inputs)
    except (KeyError, ValueError, ZeroDivisionError):  # inputs of another model or path
        return False
    return failing(model, path, trace, i, target, inputs) is not None


def failing(model: Model, path: Path, trace: concrete.Trace, i: int, target: Target,
            inputs: dict[str, int]) -> tuple[A.Expr, ...] | None:
    """What fails ``target`` at event i of a run: the failing conjuncts (or the assert's
    predicate), () for a finding; None when nothing fails there."""
    if target.finds:
        if trace.valid_before[i] and any(target.counts(f.site) for f in trace.findings[i]):
            return ()
        return None
    st = trace.states[i]
    if st is None:
        return None
    ev = concrete.Evaluator(model, inputs)
    bad = tuple(p for p in target.at(path, i) if not ev.prop(p, st))
    return bad or None


def recheck(model: Model, ob: Obligation, path: Path, i: int, inputs: dict[str, int],
            target: Target) -> Counterexample:
    """Re-run a counterexample with the concrete evaluator; refuse one that does not
    violate concretely (that would be a bootspec bug, never a finding)."""
    if not concrete.inputs_valid(model, inputs):
        raise InternalError(f"{model.name}/{ob.name}: the solver's counterexample breaks a "
                            f"parameter domain or map rule: {inputs}")
    trace = concrete.run_path(model, path, inputs)
    ev = path.events[i]
    bad = failing(model, path, trace, i, target, inputs)
    if bad is None:
        raise InternalError(f"{model.name}/{ob.name}: counterexample at event {i} of "
                            f"{path.label} does not re-check concretely: {inputs}")
    if target.finds:
        findings = tuple(f"{f.site}: {f.message}" for f in trace.findings[i]
                         if target.counts(f.site))
        state = next((s for s in reversed(trace.states[:i + 1]) if s is not None),
                     concrete.State({}, {}, {}, {}))
        marked: set[str] = set()
    else:
        state = trace.states[i]  # type: ignore[assignment]
        assert state is not None
        findings = tuple(_why(p, state, model) for p in bad if _why(p, state, model))
        marked = set().union(*(_marked(p, state, model) for p in bad))
    rows = tuple(sorted((RegionRow(n, r.start, r.end, r.owner, r.type, n in marked)
                         for n, r in state.regions.items()),
                        key=lambda r: (r.start, r.end, r.name)))
    maps = tuple((n, tuple(x[:3] for x in concrete.current_segments(
        concrete.map_entries(model, m, inputs), state, n)))
                 for n, m in sorted(model.maps.items()))
    params = tuple((p.name, show_param(p, inputs[f"p:{p.name}"])) for p in model.params)
    if ev.kind == "act" and ev.action is not None:
        step = f"{describe(ev.action)} (stage {ev.stage}, line {ev.action.span.line})"
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
    state_vars = tuple((n, show_value(v)) for n, v in state.vars.items()) + tuple(
        (f"{n}.cursor", show_value(v)) for n, v in sorted(state.cursors.items()))
    return Counterexample(path.stages, ev.stage, step, span, params, rows, maps, findings,
                          tuple(sorted(inputs.items())), state_vars, i)


def _why(pred: A.Expr, state: concrete.State, model: Model) -> str:
    """A note when a failing conjunct reads a region that is not well-formed (it is then
    false whatever it says)."""
    bad = sorted(n for n in regions_in(pred, model) if n in state.regions
                 and not state.regions[n].ok)
    if not bad:
        return ""
    names = ", ".join(f"'{n}'" for n in bad)
    return (f"the property reads {names}, which is not well-formed (a wrap in what it was "
            "computed from, or bounds out of order), so it is false there")


def show_param(p: ParamIR, v: int) -> str:
    if p.kind == "bool":
        return "true" if v else "false"
    if p.kind == "enum":
        return str(p.enum[v])
    return f"{v:#x}" if v >= 4096 else str(v)


def show_value(v: int | bool) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return f"{v:#x}" if v >= 4096 else str(v)


def describe(line: A.Line) -> str:
    names = {A.Place: "place", A.Free: "free", A.Reserve: "reserve", A.Copy: "copy",
             A.Move: "move", A.SetVar: "set", A.Assume: "assume", A.AssertLine: "assert",
             A.PoolDecl: "pool"}
    target = getattr(line, "region", None) or getattr(line, "dst", None) or \
        getattr(line, "name", None) or ""
    return f"{names.get(type(line), 'action')} {target}".strip()


def _marked(pred: A.Expr, state: concrete.State, model: Model) -> set[str]:
    """The regions to mark in a counterexample: those the violated predicate names (for
    ``disjoint``, the ones that overlap)."""
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


# ---------------------------------------------------------------- vacuity


#: the labels :func:`vacuous_cause` reads: what a user wrote that can stop every run
CAUSE_LABELS = ("assume", "guard of stage", "the boot ends before stage",
                "the placement fitted", "the anywhere placement's rules", "domain of parameter")


def is_cause(label: str) -> bool:
    return label.startswith(CAUSE_LABELS)


def vacuous_cause(core: Iterable[tuple[str, Span]]) -> str:
    """Why nothing in scope is reached, from the labelled constraints of an unsat core:
    the assumptions that contradict each other, a guard no run satisfies, or a
    placement no run gets past (docs/language.md, "Verdicts")."""
    assumes: set[int] = set()
    guards: dict[str, int] = {}
    ends: dict[str, int] = {}
    fits: set[int] = set()
    choices: set[int] = set()
    domains: set[str] = set()
    for label, span in core:
        if label == "assume":
            assumes.add(span.line)
        elif label.startswith("guard of stage"):
            guards[label.split("'")[1]] = span.line
        elif label.startswith("the boot ends before stage"):
            ends[label.split("'")[1]] = span.line
        elif label == "the placement fitted":
            fits.add(span.line)
        elif label == "the anywhere placement's rules":
            choices.add(span.line)
        elif label.startswith("domain of parameter"):
            m = re.search(r"'([^']+)'", label)
            if m:
                domains.add(m.group(1))
    parts = []
    if fits:
        parts.append(f"no run gets past the placement on {_lines(fits)} (it finds no room on "
                     "every run that reaches it)")
    if choices:
        parts.append(f"no start satisfies the anywhere placement on {_lines(choices)}")
    for stage, line in sorted(guards.items()):
        parts.append(f"the guard of stage '{stage}' (line {line}) is never true there")
    for stage, line in sorted(ends.items()):
        parts.append(f"the boot never ends before stage '{stage}' (its guard, line {line}, "
                     "always holds there)")
    with_domains = f" (with the domains of {', '.join(sorted(domains))})" if domains else ""
    if assumes and parts:  # the rest fails given the assumptions, not on its own
        return ("; ".join(parts) + f", given the assumption{'s' if len(assumes) > 1 else ''}"
                f" on {_lines(assumes)}{with_domains}")
    if assumes:
        parts.append((f"the assumption on line {min(assumes)} is never true"
                      if len(assumes) == 1
                      else f"the assumptions on {_lines(assumes)} contradict each other")
                     + with_domains)
    elif domains and not parts:
        parts.append(f"the domains of {', '.join(sorted(domains))} admit no configuration")
    if not parts:
        return "no configuration reaches the scope"
    return "; ".join(parts)


def _lines(lines: set[int]) -> str:
    xs = sorted(lines)
    return f"line {xs[0]}" if len(xs) == 1 else "lines " + ", ".join(str(x) for x in xs)
