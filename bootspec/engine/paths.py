"""Pass 3, *paths*: a model's stage graph -> the list of boot paths and their events.

Needs: a resolved :class:`~bootspec.lang.ir.Model`.
Guarantees: paths are enumerated in a stable order (declaration order of
stages); each path is a list of :class:`Event`; which regions are live after
each event is computed statically, and every use of a region that is not live
is reported (BS104) with the path that reaches it.

A path starts at a root (a stage with no ``after``) and follows edges whose
target's ``when`` guard holds. When no successor of a stage is enabled the boot
ends there: such an end is a path of its own, closed by an ``end`` event whose
condition is that every successor's guard is false.
Errors: BS104 (used before placed / placed twice), BS115 (too many paths).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import assert_never

from bootspec.diagnostics import Collector, Span
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation, Proof
from bootspec.lang.sites import atoms, conjuncts, has_arith, line_sites, site_name, unparse
from bootspec.lang.stagegraph import StageGraph
from bootspec.lang.vocab import EventKind, ObligationKind, TargetScope

MAX_PATHS = 4096


@dataclasses.dataclass(frozen=True)
class Event:
    """One event on a path. A *state* is observed after ``init`` and ``act`` events."""

    kind: EventKind
    stage: str | None
    action: A.Action | None
    live: frozenset[str]  # regions live after the event
    key: tuple[object, ...]  # identical for the same prefix on different paths
    end_guards: tuple[str, ...] = ()  # for 'end': successors whose guards must all be false


@dataclasses.dataclass(frozen=True)
class Path:
    stages: tuple[str, ...]
    events: tuple[Event, ...]

    @property
    def label(self) -> str:
        return " > ".join(self.stages)


def stage_graph(model: Model) -> StageGraph:
    g = StageGraph()
    for s in model.stages.values():
        g.add_node(s.name)
        for a in s.after:
            g.add_edge(a, s.name)
    return g


def _walks(model: Model, g: StageGraph) -> Iterator[tuple[tuple[str, ...], bool]]:
    """(stages, ends_early): every root-to-sink walk, and every early end at a stage whose
    successors are all guarded."""
    order = {name: i for i, name in enumerate(model.stages)}
    roots = sorted((n for n in g if g.in_degree(n) == 0), key=order.__getitem__)

    def go(prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], bool]]:
        succ = sorted(g.successors(prefix[-1]), key=order.__getitem__)
        if not succ:
            yield prefix, False
            return
        if all(model.stages[s].guard is not None for s in succ):
            yield prefix, True
        for s in succ:
            yield from go((*prefix, s))

    for r in roots:
        yield from go((r,))


def regions_in(e: A.Expr | None, model: Model) -> set[str]:
    """Names of regions an expression reads (not the segment variables of quantifiers,
    aggregates and ``where``)."""
    out: set[str] = set()

    def walk(x: object, bound: frozenset[str]) -> None:
        if isinstance(x, A.Attr):
            if x.base not in bound and (x.base != "entry" or x.base in model.symbols):
                out.add(x.base)
        elif isinstance(x, A.Name):
            s = model.symbols.get(x.id)
            if s is not None and s.type == "region" and x.id not in bound:
                out.add(x.id)
        elif isinstance(x, A.MapTypes):
            return
        elif isinstance(x, A.Quant | A.Aggregate):
            bound = bound | {x.var}
        if dataclasses.is_dataclass(x):
            for f in dataclasses.fields(x):
                if f.name != "span":
                    v = getattr(x, f.name)
                    for item in v if isinstance(v, tuple) else (v,):
                        if isinstance(item, A.Expr | A.Clause | A.Policy):
                            walk(item, bound)

    walk(e, frozenset())
    return out


def _action_reads(line: A.Line, model: Model) -> list[tuple[str, Span]]:
    reads: list[tuple[str, Span]] = []

    def expr(e: A.Expr | None) -> None:
        if e is not None:
            reads.extend((r, e.span) for r in sorted(regions_in(e, model)))

    def clauses(cs: tuple[A.Clause, ...]) -> None:
        for c in cs:
            match c:
                case A.Within():
                    if isinstance(c.region, A.RangeLit):
                        expr(c.region)
                    else:
                        reads.append((c.region, c.span))
                case A.InMap():
                    expr(c.where)
                case A.Below() | A.Above() | A.Align():
                    expr(c.expr)
                case A.Avoid():
                    reads.extend((n, c.span) for n in c.names)
                case _:
                    assert_never(c)

    def policies(ps: tuple[A.Policy, ...]) -> None:
        for p in ps:
            match p:
                case A.At():
                    expr(p.at)
                case A.FromPool():
                    expr(p.align)
                    reads.append((p.pool, p.span))
                case A.Anywhere() | A.TopDown() | A.BottomUp():
                    clauses(p.clauses)
                case A.NoneFallback():
                    pass
                case _:
                    assert_never(p)

    if isinstance(line, A.Place):
        expr(line.size)
        expr(line.range)
        policies(line.policies)
    elif isinstance(line, A.Copy):
        reads.append((line.src, line.span))
        policies(line.policies)
    elif isinstance(line, A.Move):
        reads.append((line.region, line.span))
        policies(line.policies)
    elif isinstance(line, A.Free | A.Reserve):
        reads.append((line.region, line.span))
    elif isinstance(line, A.SetVar):
        expr(line.value)
    elif isinstance(line, A.Assume | A.AssertLine):
        expr(line.pred)
    elif isinstance(line, A.PoolDecl):
        expr(line.range)
    return reads


def _defines(line: A.Line) -> str | None:
    if isinstance(line, A.Place):
        return line.region
    if isinstance(line, A.Copy):
        return line.dst
    if isinstance(line, A.PoolDecl):
        return line.name
    return None


def enumerate_paths(model: Model, errors: Collector) -> list[Path]:
    """All boot paths of a model, with static liveness; BS104 for each bad use (once)."""
    g = stage_graph(model)
    # the initial state is built in order: global regions, then pools, then variables;
    # global assumptions are read in it
    made: set[str] = set()
    declared: list[A.RegionDecl | A.PoolDecl] = [*model.regions, *model.pools]
    for d in declared:
        rng = getattr(d, "range", None)
        exprs = [rng] if rng is not None else [getattr(d, "at", None), getattr(d, "size", None)]
        for e in exprs:
            for r in sorted(regions_in(e, model)):
                if r not in made:
                    errors.error("BS104", f"region '{r}' is used before it is placed",
                                 e.span if e is not None else d.span,
                                 "a global region may only read global regions declared "
                                 "before it")
        made.add(d.name)
    initial = frozenset(made)
    for e in [v.value for v in model.vars] + [a.pred for a in model.assumes]:
        for r in sorted(regions_in(e, model)):
            if r not in initial:
                errors.error("BS104", f"region '{r}' is used before it is placed", e.span,
                             "a global assume or variable sees only global regions; "
                             "state it with 'assume' inside the stage that places the "
                             "region")
    reported: set[tuple[str, Span]] = set()
    paths: list[Path] = []
    for stages, early in _walks(model, g):
        if len(paths) >= MAX_PATHS:
            errors.error("BS115", f"model '{model.name}' has more than {MAX_PATHS} boot paths",
                         model.span, "merge stages or guard them more tightly")
            break
        live = set(initial)
        events = [Event("init", None, None, frozenset(live), ())]
        for i, s in enumerate(stages):
            stage = model.stages[s]
            prefix = stages[: i + 1]
            for r in sorted(regions_in(stage.guard, model)):
                if r not in live and (r, stage.span) not in reported:
                    reported.add((r, stage.span))
                    errors.error("BS104", f"the guard of stage '{s}' reads region '{r}', which is "
                                 f"not placed on path {' > '.join(prefix)}", stage.span)
            events.append(Event("enter", s, None, frozenset(live), (prefix, "enter")))
            for j, line in enumerate(stage.body):
                for r, span in _action_reads(line, model):
                    if r not in live and (r, span) not in reported:
                        reported.add((r, span))
                        errors.error("BS104", f"region '{r}' is used before it is placed "
                                     f"(path {' > '.join(prefix)})", span,
                                     "place it in an earlier stage, or reorder the actions")
                defined = _defines(line)
                if defined is not None:
                    if defined in live and (defined, line.span) not in reported:
                        reported.add((defined, line.span))
                        errors.error("BS104", f"region '{defined}' is already placed here "
                                     f"(path {' > '.join(prefix)})", line.span,
                                     "use 'move' to relocate it, or 'free' it first")
                    live.add(defined)
                if isinstance(line, A.Free):
                    live.discard(line.region)
                events.append(Event("act", s, line, frozenset(live), (prefix, j)))
        if early:
            succ = tuple(sorted(g.successors(stages[-1])))
            events.append(Event("end", stages[-1], None, frozenset(live), (stages, "end"), succ))
        else:
            events.append(Event("end", stages[-1], None, frozenset(live), (stages, "end")))
        paths.append(Path(stages, tuple(events)))
    return paths


def _scope_event(event: Event, scope: str, stage: str | None, path: Path, index: int) -> bool:
    """Whether a property with this scope looks at the state after ``event`` (liveness
    aside): ``always``: the initial state and after every action; ``during S``: after
    each action of S (or S's entry state if S has none); ``after S``: the state S leaves
    behind; ``end``: the state a path ends in."""
    if scope == "always":
        return event.kind in ("init", "act")
    if scope == "end":
        return event.kind == "end"
    if event.stage != stage or event.kind not in ("act", "enter"):
        return False
    nxt = path.events[index + 1] if index + 1 < len(path.events) else None
    last = nxt is None or nxt.kind in ("enter", "end")
    if scope == "after":
        return last
    return event.kind == "act" or last  # during


@dataclasses.dataclass(frozen=True)
class Conjunct:
    """One part of a property, checked wherever its regions are live."""

    expr: A.Expr
    regions: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Target:
    """What an obligation checks and where (docs/language.md, "Findings", "Proofs").

    ``kind``: ``wellformed`` (every finding site but those in ``sites``), ``site`` (the
    one site in ``sites``), ``assert`` (``assert_line``'s predicate at its line) or
    ``proof`` (``conjuncts`` under ``scope``/``stage``)."""

    kind: ObligationKind
    scope: TargetScope = "sites"
    stage: str | None = None
    conjuncts: tuple[Conjunct, ...] = ()
    assert_line: A.AssertLine | None = None
    sites: frozenset[str] = frozenset()
    # a site: where its line is evaluated ('init', None), ('enter', S), ('end', S) for a
    # path that ends before S, ('act', LINE)
    where: frozenset[tuple[str, object]] = frozenset()

    def evaluates(self, ev: Event) -> bool:
        """Whether event ``ev`` evaluates this site's line."""
        if ev.kind == "act":
            return ("act", ev.action) in self.where
        if ev.kind == "end":
            return any(("end", s) in self.where for s in ev.end_guards)
        return (ev.kind, ev.stage) in self.where

    @property
    def finds(self) -> bool:
        """Whether it is about finding sites (``wellformed`` or one site)."""
        return self.kind in ("wellformed", "site")

    def counts(self, site: str | None) -> bool:
        """Whether a finding of ``site`` violates this obligation."""
        if self.kind == "site":
            return site in self.sites
        return self.kind == "wellformed" and site not in self.sites

    def at(self, path: Path, index: int) -> tuple[A.Expr, ...]:
        """The conjuncts in scope at event ``index`` of ``path`` (a proof), or the
        assert's predicate at its own line; () where nothing is checked."""
        ev = path.events[index]
        if self.kind == "assert":
            return (self.assert_line.pred,) if ev.action is self.assert_line else ()  # type: ignore[union-attr]
        if self.kind != "proof" or not _scope_event(ev, self.scope, self.stage, path, index):
            return ()
        return tuple(c.expr for c in self.conjuncts if c.regions <= ev.live)


def target_of(model: Model, ob: Obligation, proof: Proof | None) -> Target:
    """What obligation ``ob`` checks."""
    if ob.kind == "proof":
        assert proof is not None
        parts = tuple(Conjunct(c, frozenset(regions_in(c, model)))
                      for c in conjuncts(proof.pred_for(model.name)))
        return Target("proof", proof.scope, proof.stage, parts)
    if ob.kind == "assert":
        line = next(a[2] for a in model.asserts if a[0] == ob.name)
        return Target("assert", assert_line=line)
    if ob.kind == "site":
        return Target("site", sites=frozenset({ob.name}), where=_site_where(model, ob.name))
    return Target("wellformed", sites=frozenset(n for n in model.expects if "@" in n))


def _site_where(model: Model, site: str) -> frozenset[tuple[str, object]]:
    def named(line: A.Line) -> bool:
        return any(site_name(k, line.span, model.path) == site for k in line_sites(line))

    out: set[tuple[str, object]] = set()
    if any(named(d) for d in (*model.regions, *model.pools, *model.vars, *model.assumes)):
        out.add(("init", None))
    for st in model.stages.values():
        if st.guard is not None and has_arith(st.guard) and \
                site_name("wrap", st.span, model.path) == site:
            out |= {("enter", st.name), ("end", st.name)}
        out |= {("act", b) for b in st.body if named(b)}
    return frozenset(out)


def points(path: Path, target: Target) -> list[int]:
    """The events of a path an obligation is checked at: the states a property or an
    assert looks at; the events that evaluate a site's line; for ``wellformed``, every
    event."""
    if target.kind == "wellformed":
        return list(range(len(path.events)))
    if target.kind == "site":
        return [i for i, ev in enumerate(path.events) if target.evaluates(ev)]
    return [i for i in range(len(path.events)) if target.at(path, i)]


def conjunct_points(path: Path, target: Target, k: int) -> list[int]:
    """The events at which conjunct k of a proof is in scope."""
    c = target.conjuncts[k]
    return [i for i, ev in enumerate(path.events)
            if _scope_event(ev, target.scope, target.stage, path, i) and c.regions <= ev.live]


def check_lifetimes(model: Model, paths: list[Path], proof: Proof, errors: Collector) -> None:
    """BS126: inside one conjunct, predicates that name regions must name regions live at
    the same states of the scope (docs/language.md, "Conjuncts and lifetimes")."""
    for conj in conjuncts(proof.pred_for(model.name)):
        named = [(a, frozenset(regions_in(a, model))) for a in atoms(conj)]
        named = [(a, r) for a, r in named if r]
        if len(named) < 2 or len({r for _, r in named}) < 2:
            continue
        for path in paths:
            for i, ev in enumerate(path.events):
                if not _scope_event(ev, proof.scope, proof.stage, path, i):
                    continue
                live = [r <= ev.live for _, r in named]
                if any(live) and not all(live):
                    a = next(x for (x, _), v in zip(named, live, strict=True) if v)
                    b = next(x for (x, _), v in zip(named, live, strict=True) if not v)
                    dead = sorted(next(r for (x, r) in named if x is b) - ev.live)
                    where = _describe_event(ev, path)
                    errors.error(
                        "BS126", "this formula combines predicates over regions that are not "
                        f"live at the same steps: {where} on path {path.label}, "
                        f"{_text(a)} is in scope but {_text(b)} is not "
                        f"({', '.join(dead)} not live)", conj.span,
                        "split it into conjuncts ('and') or separate proofs whose regions "
                        "live together, or narrow the scope with 'during'/'after'")
                    break
            else:
                continue
            break


def _describe_event(ev: Event, path: Path) -> str:
    if ev.kind == "init":
        return "in the initial state"
    if ev.kind == "end":
        return "at the end"
    if ev.action is not None:
        return f"after line {ev.action.span.line} (stage {ev.stage})"
    return f"on entry to stage {ev.stage}"


def _text(e: A.Expr) -> str:
    return f"'{unparse(e)}'"
