"""The report's view of a run: plain, frozen values that every output format renders.

The engine hands back :class:`~bootspec.engine.check.Result` and
:class:`~bootspec.engine.check.Verdict` values; this module joins them with what
a reader needs beside them (the property's source text, where each region was
placed, the intersection of the violating regions, what each stage of the path
placed, the tool version and a hash of the sources) so that the text, Markdown,
JSON, JUnit, SARIF and HTML renderers are pure functions of one value.

Nothing here prints, reads files or calls the solver.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from bootspec import __version__
from bootspec.diagnostics import Span
from bootspec.engine import concrete
from bootspec.engine.check import Counterexample, Result, Verdict
from bootspec.engine.verdicts import LOWEST, NOT_FIRST, NOT_SMALLEST
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation
from bootspec.lang.sites import describe_site, model_sites
from bootspec.lang.vocab import ObligationKind, Status
from bootspec.pipeline import Project

TOOL = "bootspec"


@dataclasses.dataclass(frozen=True)
class Meta:
    """What makes a report reproducible: the tool version and a hash of the sources."""

    version: str
    sha256: str  # over the sorted (path, text) pairs of the sources; see source_hash
    files: tuple[str, ...]

    @builtins.property
    def short(self) -> str:
        return self.sha256[:12]

    @builtins.property
    def line(self) -> str:
        """``bootspec 0.1.0, sources sha256:0123456789ab (3 files)``."""
        n = len(self.files)
        return (f"{TOOL} {self.version}, sources sha256:{self.short} "
                f"({n} file{'s' if n != 1 else ''})")


def source_hash(sources: Mapping[str, str]) -> str:
    """sha256 over the sources sorted by path: for each, the UTF-8 path, a NUL byte, the
    UTF-8 text and a NUL byte. Paths are as bootspec names them (as the user gave them).

    >>> source_hash({"a.boot": "x"}) == source_hash({"a.boot": "x"})
    True
    >>> source_hash({"a.boot": "x"}) != source_hash({"b.boot": "x"})
    True
    """
    h = hashlib.sha256()
    for path, text in sorted(sources.items()):
        h.update(path.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


def meta_of(sources: Mapping[str, str], inputs: Mapping[str, str] | None = None) -> Meta:
    """The tool version and the hash of the sources and of every other file read
    (``inputs``: path -> the digest of its bytes, see :func:`bootspec.image.digest`).

    >>> meta_of({"a.boot": "x"}) == meta_of({"a.boot": "x"}, {})
    True
    >>> meta_of({"a.boot": "x"}).sha256 != meta_of({"a.boot": "x"}, {"m.txt": "sha256:0"}).sha256
    True
    """
    inputs = dict(inputs or {})
    if not inputs:
        return Meta(__version__, source_hash(sources), tuple(sorted(sources)))
    both = {**sources, **{p: f"<input {d}>" for p, d in inputs.items() if p not in sources}}
    return Meta(__version__, source_hash(both), tuple(sorted(both)))


@dataclasses.dataclass(frozen=True)
class RegionView:
    name: str
    start: int
    end: int
    owner: str | None  # the stage that placed it; None for a global region
    type: str | None
    marked: bool  # named by the violated property
    span: Span | None  # where it is declared or placed

    @builtins.property
    def size(self) -> int:
        return self.end - self.start


@dataclasses.dataclass(frozen=True)
class Overlap:
    """The intersection ``[start, end)`` of two violating regions (or of a region and the
    map memory a property keeps it out of)."""

    start: int
    end: int
    between: tuple[str, str]


@dataclasses.dataclass(frozen=True)
class StageStep:
    """One stage of the counterexample's path and the live regions it placed."""

    stage: str
    placed: tuple[str, ...]
    span: Span | None
    failing: bool  # the counterexample's failing event is in this stage
    reached: bool = True  # False for the stages of the path after the failing step


@dataclasses.dataclass(frozen=True)
class MapView:
    name: str
    kind: str
    entries: tuple[tuple[int, int, str], ...]


@dataclasses.dataclass(frozen=True)
class CexView:
    """A counterexample as a concrete memory map at the failing step."""

    width: int
    path: tuple[str, ...]
    stage: str | None
    step: str
    step_span: Span | None
    params: tuple[tuple[str, str], ...]
    state: tuple[tuple[str, str], ...]  # state variables, flags and pool cursors
    regions: tuple[RegionView, ...]  # sorted by address
    overlaps: tuple[Overlap, ...]
    maps: tuple[MapView, ...]
    findings: tuple[str, ...]
    inputs: tuple[tuple[str, int], ...]
    stages: tuple[StageStep, ...]
    #: for ``bootspec diff``: where the regions that moved were in the base version, with
    #: the same inputs on the same path (empty when nothing moved or the base differs)
    before: tuple[RegionView, ...] = ()

    @builtins.property
    def top(self) -> int:
        return 1 << self.width


_INLINE_CITE = re.compile(r'\s+cite\s+".*$', re.M)  # shown once, under the verdict
_MAP_ENTRY = re.compile(r"^(map '[^']+') entry \d+ is")
_PLACEMENT_PARTS = ("an anywhere choice is an address", "the anywhere placement's rules",
                    "the placement fitted")


@dataclasses.dataclass(frozen=True)
class WhyLine:
    """One source line a proof reads (:meth:`Item.why`)."""

    span: Span
    labels: tuple[str, ...]  # what the line contributes, e.g. "the placement of 'crash'"
    source: str  # the line(s) as written
    changed_by: str  # "" or 'MODEL (extends BASE)': the extension wrote this line


@dataclasses.dataclass(frozen=True)
class Item:
    """One (model, property) pair and its verdict, ready to render."""

    model: str
    property: str
    kind: ObligationKind
    expected: Status
    verdict: Status
    reason: str
    span: Span  # the expectation (``for M expect ...``) or the model/assert line
    property_span: Span | None  # the predicate
    property_text: str  # e.g. "always disjoint(ovmf, shared_info)"
    cite: str | None
    seconds: float | None
    cex: CexView | None
    core: tuple[tuple[str, Span], ...]
    #: the source line(s) of each core entry, as written (same order as ``core``)
    core_source: tuple[str, ...] = ()
    #: for a model that extends another: the extension that wrote each core entry's
    #: line ("" for a line it inherited; same order as ``core``)
    core_changed: tuple[str, ...] = ()
    #: no line of the core can be left out (explain); else it is Z3's unsat core
    core_minimal: bool = False
    #: on a real machine (``check --memmap``): whether the verdict is acceptable there
    #: (:func:`bootspec.memmap.bind.machine_ok`), which is then what ``ok`` says
    accepted: bool | None = None

    def why(self) -> list[WhyLine]:
        """The core of a proof grouped by source line, in order: each line once, with
        what it contributes (its labels), its source text and the extension that
        wrote it."""
        out: list[WhyLine] = []
        for k, (raw, span) in enumerate(self.core):
            label = _MAP_ENTRY.sub(r"\1 entries are", raw)
            if out and (out[-1].span.path, out[-1].span.line) == (span.path, span.line):
                if label not in out[-1].labels:
                    out[-1] = dataclasses.replace(out[-1], labels=(*out[-1].labels, label))
                continue
            source = self.core_source[k] if k < len(self.core_source) else ""
            source = "\n".join(ln.rstrip("\\").rstrip()
                               for ln in _INLINE_CITE.sub("", source).splitlines())
            out.append(WhyLine(span, (label,), source,
                               self.core_changed[k] if k < len(self.core_changed) else ""))
        # a placement's parts (a valid choice, that it fits) are said by its name
        return [dataclasses.replace(w, labels=tuple(
            x for x in w.labels if x not in _PLACEMENT_PARTS)) if any(
            x.startswith("the placement of") for x in w.labels) else w for w in out]

    def why_intro(self, n: int) -> str:
        """What the list of :meth:`why` lines claims (``n`` of them)."""
        these = "this line" if n == 1 else f"these {n} lines"
        them = "it" if n == 1 else "them"
        if self.kind in ("wellformed", "site"):
            return f"the proof used {these} (Z3's unsat core); the finding sites it " \
                "checks are each on its own line, read where it is"
        shape = " (given the shape of the runs and the maps' entries: see 'Why a " \
            "proof holds' in docs/language.md)"
        if self.core_minimal:
            return f"the proof reads {these}: with only {them}{shape} it still holds, " \
                "and none can be left out"
        return f"the proof reads {these}: with only {them}{shape} it still holds (an " \
            "unsat core; 'bootspec explain' leaves out the lines it does not need)"

    @builtins.property
    def ok(self) -> bool:
        if self.accepted is not None:
            return self.accepted
        return self.verdict == self.expected

    @builtins.property
    def key(self) -> tuple[str, str]:
        return (self.model, self.property)


@dataclasses.dataclass(frozen=True)
class CheckView:
    meta: Meta
    items: tuple[Item, ...]
    #: set when the run stopped before deciding everything (Ctrl-C, SIGTERM): what
    #: happened and how much was decided; every format says so in its own content
    partial: str | None = None
    #: set for ``check --memmap``: the machine's map file; each item's ``ok`` is then
    #: whether its verdict is acceptable on that machine
    machine: str | None = None

    @builtins.property
    def ok(self) -> bool:
        return self.partial is None and all(i.ok for i in self.items)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.items:
            out[i.verdict] = out.get(i.verdict, 0) + 1
        return out


# ------------------------------------------------------------------ building views

class SourceText:
    """Looks up the source text of a span in the project's sources."""

    def __init__(self, sources: Mapping[str, str]):
        self._lines = {p: t.splitlines() for p, t in sources.items()}

    def lines(self, span: Span | None, most: int = 3) -> str:
        """The whole source line(s) a span is on, each stripped, joined by newlines; at
        most ``most`` lines (then an ellipsis)."""
        if span is None or span.line <= 0:
            return ""
        lines = self._lines.get(span.path) or []
        last = min(max(span.end_line or span.line, span.line), len(lines))
        while last < len(lines) and lines[last - 1].rstrip().endswith("\\") and \
                not lines[last].strip().startswith("cite "):
            last += 1  # the rest of a line continued with a backslash (but not its cite)
        got = [line.strip() for line in lines[span.line - 1:last]]
        return "\n".join(got[:most] + (["\u2026"] if len(got) > most else []))

    def text(self, span: Span | None) -> str:
        if span is None or span.line <= 0:
            return ""
        lines = self._lines.get(span.path)
        if not lines or span.line > len(lines):
            return ""
        end_line = span.end_line or span.line
        if end_line == span.line:
            line = lines[span.line - 1]
            end = span.end_col - 1 if span.end_col > span.col else len(line)
            return line[span.col - 1:end].strip()
        parts = [lines[span.line - 1][span.col - 1:]]
        parts += lines[span.line:end_line - 1]
        if end_line <= len(lines):
            parts.append(lines[end_line - 1][:max(0, span.end_col - 1)])
        text = " ".join(p.strip().rstrip("\\").strip() for p in parts)
        return " ".join(text.split())


def _property(project: Project, ob: Obligation, src: SourceText
              ) -> tuple[Span | None, str, A.Expr | None]:
    model = project.models[ob.model]
    if ob.kind == "proof":
        proof = project.proof(ob.name)
        if proof is None:
            return None, "", None
        scope: str = proof.scope if proof.scope != "end" else "at end"
        if proof.stage:
            scope += f" {proof.stage}"
        return proof.pred.span, f"{scope} {src.text(proof.pred.span)}".strip(), proof.pred
    if ob.kind == "assert":
        for name, stage, line in model.asserts:
            if name == ob.name:
                return line.pred.span, f"assert in stage {stage}: {src.text(line.pred.span)}", \
                    line.pred
    if ob.kind == "site":
        span = model_sites(model.regions, model.pools, model.vars, model.assumes,
                           ((st.guard, st.span, st.body) for st in model.stages.values()),
                           model.path).get(ob.name)
        return span, describe_site(ob.name, model.width), None
    expected = sorted(n for n in model.expects if "@" in n)
    also = f" (but {', '.join(expected)}, expected apart)" if expected else ""
    return None, ("every computation stays in range, every region is in order and every "
                  f"placement finds room{also}"), None


def region_span(model: Model, name: str, owner: str | None) -> Span | None:
    """Where region ``name`` is declared (global) or placed by stage ``owner``."""
    if owner is not None and owner in model.stages:
        for line in model.stages[owner].body:
            if _defines(line) == name:
                return line.span
    for r in model.regions:
        if r.name == name:
            return r.span
    for stage in model.stages.values():
        for line in stage.body:
            if _defines(line) == name:
                return line.span
    return None


def _defines(line: A.Line) -> str | None:
    if isinstance(line, A.Place | A.Move):
        return line.region
    if isinstance(line, A.Copy):
        return line.dst
    return None


_Group = tuple[list[str], list[A.MapTypes], list[A.RangeLit]]


def _disjoint_groups(pred: A.Expr | None) -> list[_Group]:
    """The argument lists of every ``disjoint``/``outside`` call in a predicate: region
    names, map memory and literal ranges."""
    out: list[_Group] = []

    def walk(x: object) -> None:
        if isinstance(x, A.Call) and x.fn in ("disjoint", "outside"):
            out.append(([a.id for a in x.args if isinstance(a, A.Name)],
                        [a for a in x.args if isinstance(a, A.MapTypes)],
                        [a for a in x.args if isinstance(a, A.RangeLit)]))
        if dataclasses.is_dataclass(x):
            for f in dataclasses.fields(x):
                if f.name == "span":
                    continue
                v = getattr(x, f.name)
                for item in v if isinstance(v, tuple) else (v,):
                    if isinstance(item, A.Expr):
                        walk(item)

    walk(pred)
    return out


RangeOf = Callable[[A.RangeLit], "tuple[int, int, str] | None"]


def overlaps_of(regions: Sequence[RegionView], maps: Sequence[MapView],
                pred: A.Expr | None, range_of: RangeOf | None = None) -> tuple[Overlap, ...]:
    """Where the violating regions intersect each other, a literal range, or the map
    memory that a ``disjoint``/``outside`` keeps them out of. ``range_of`` gives a
    literal range's bounds and text at the failing step (None when unknown)."""
    by_name = {r.name: r for r in regions if r.marked}
    seen: set[tuple[int, int, tuple[str, str]]] = set()
    for names, maptypes, ranges in _disjoint_groups(pred):
        live = [by_name[n] for n in names if n in by_name]
        fixed = [x for x in (range_of(r) for r in ranges) if x] if range_of else []
        for i, a in enumerate(live):
            for b in live[i + 1:]:
                lo, hi = max(a.start, b.start), min(a.end, b.end)
                if lo < hi:
                    seen.add((lo, hi, (a.name, b.name)))
            for s, e, label in fixed:
                lo, hi = max(a.start, s), min(a.end, e)
                if lo < hi:
                    seen.add((lo, hi, (a.name, label)))
            for mt in maptypes:
                for m in maps:
                    if m.name != mt.map:
                        continue
                    for s, e, t in m.entries:
                        lo, hi = max(a.start, s), min(a.end, e)
                        if t in mt.types and lo < hi:
                            seen.add((lo, hi, (a.name, f"{m.name}:{t}")))
    return tuple(Overlap(lo, hi, names) for lo, hi, names in sorted(seen))


def _range_evaluator(cex: Counterexample, model: Model, src: SourceText) -> RangeOf:
    """Evaluates a literal range of the property in the counterexample's state."""
    regions = {r.name: concrete.RegionVal(r.start, r.end, r.owner, r.type, True)
               for r in cex.regions}
    values: dict[str, int | bool] = {}
    for name, text in getattr(cex, "vars", ()):
        if text in ("true", "false"):
            values[name] = text == "true"
        else:
            with contextlib.suppress(ValueError):
                values[name] = int(text, 0)
    cursors = {n.split(".")[0]: int(v) for n, v in values.items()
               if n.endswith(".cursor") and not isinstance(v, bool)}
    state = concrete.State(regions, values, cursors, {})

    def get(e: A.RangeLit) -> tuple[int, int, str] | None:
        try:
            lo, hi = concrete.Evaluator(model, dict(cex.inputs)).rng(e, state)
        except (KeyError, AssertionError, ValueError, TypeError, ZeroDivisionError):
            return None  # it reads something the counterexample does not show
        return lo, hi, src.text(e.span) or f"[{lo:#x}, {hi:#x})"

    return get


def cex_view(cex: Counterexample, model: Model, pred: A.Expr | None,
             src: SourceText | None = None) -> CexView:
    regions = tuple(RegionView(r.name, r.start, r.end, r.owner, r.type, r.marked,
                               region_span(model, r.name, r.owner)) for r in cex.regions)
    maps = tuple(MapView(name, model.maps[name].kind if name in model.maps else "?", segs)
                 for name, segs in cex.maps)
    steps = []
    reached = cex.stage is not None or cex.step != "initial state"
    for stage in cex.path:
        placed = tuple(r.name for r in regions if r.owner == stage) if reached else ()
        span = model.stages[stage].span if stage in model.stages else None
        steps.append(StageStep(stage, placed, span, stage == cex.stage, reached))
        if stage == cex.stage:
            reached = False
    return CexView(model.width, cex.path, cex.stage, cex.step, cex.span, cex.params,
                   tuple(getattr(cex, "vars", ())), regions,
                   overlaps_of(regions, maps, pred,
                               _range_evaluator(cex, model, src or SourceText({}))),
                   maps, cex.findings, cex.inputs,
                   tuple(steps))


def before_of(cex: CexView, model: Model) -> tuple[RegionView, ...]:
    """Where the regions of ``cex`` (a counterexample of another version) were in
    ``model``: run with the same inputs along the same stages, up to the end of the
    failing stage, the regions whose bounds differ. Empty when that run does not exist
    (the base has other inputs or stages, or the inputs break a base domain)."""
    from bootspec.diagnostics import Collector
    from bootspec.engine.paths import enumerate_paths
    path = next((p for p in enumerate_paths(model, Collector()) if p.stages == cex.path), None)
    if path is None:
        return ()
    inputs = dict(cex.inputs)
    try:
        if not concrete.inputs_valid(model, inputs):
            return ()
        trace = concrete.run_path(model, path, inputs)
    except (KeyError, ValueError, TypeError, AssertionError, ZeroDivisionError):
        return ()  # the base reads an input the head does not have
    upto = max((i for i, e in enumerate(path.events) if e.stage == cex.stage),
               default=len(path.events) - 1)
    state = next((st for st in reversed(trace.states[:upto + 1]) if st is not None), None)
    if state is None:
        return ()
    out = []
    for r in cex.regions:
        was = state.regions.get(r.name)
        if was is not None and was.ok and (was.start, was.end) != (r.start, r.end):
            out.append(RegionView(r.name, was.start, was.end, was.owner, was.type, r.marked,
                                  region_span(model, r.name, was.owner)))
    return tuple(out)


def item_of(ob: Obligation, verdict: Verdict, project: Project,
            seconds: float | None = None, src: SourceText | None = None) -> Item:
    src = src or SourceText(project.sources)
    pspan, ptext, pred = _property(project, ob, src)
    model = project.models[ob.model]
    cex = (cex_view(verdict.counterexample, model, pred, src)
           if verdict.counterexample else None)
    # a reason explains an unknown or vacuous verdict; for the others it names the
    # engine's strategy, which is no part of the result (and would churn reports)
    # (and a violation's counterexample that is not the smallest says so)
    reason = verdict.reason if verdict.status in ("unknown", "vacuous") or \
        verdict.reason in (NOT_SMALLEST, NOT_FIRST, LOWEST) else ""
    # which lines an extension wrote: only worth finding for a proof that lists lines
    changed = _changed_by(project, model, src) if verdict.core else None
    return Item(ob.model, ob.name, ob.kind, ob.expected, verdict.status, reason,
                ob.span, pspan, ptext, ob.cite, seconds, cex, verdict.core,
                tuple(src.lines(span, most=4) for _, span in verdict.core),
                tuple(changed(span) for _, span in verdict.core) if changed else (),
                verdict.core_minimal)


def model_lines(model: Model) -> set[tuple[str, int]]:
    """Every (file, line) a resolved model's declarations and actions come from."""
    spans = [model.span, *(p.span for p in model.params), *(a.span for a in model.assumes),
             *(r.span for r in model.regions), *(p.span for p in model.pools),
             *(v.span for v in model.vars), *(m.span for m in model.maps.values()),
             *(e[3] for m in model.maps.values() for e in m.entries),
             *(s.span for s in model.stages.values()),
             *(a.span for s in model.stages.values() for a in s.body)]
    return {(sp.path, sp.line) for sp in spans}


def _changed_by(project: Project, model: Model, src: SourceText) -> Callable[[Span], str]:
    """For a model that extends another: which lines the extension wrote (replaced,
    inserted, added or redeclared), named as 'MODEL (extends BASE)'; and an inherited
    line that uses a constant the extension redeclared (constants are folded into
    the lines that use them), named with the constant."""
    base = project.models.get(model.base) if model.base is not None else None
    if base is None:
        return lambda span: ""
    inherited = model_lines(base)
    what = f"{model.name} (extends {base.name})"
    consts = sorted(n for n, sym in model.symbols.items() if sym.kind == "const"
                    and (was := base.symbols.get(n)) is not None and was.span != sym.span)

    def changed(span: Span) -> str:
        if (span.path, span.line) not in inherited:
            return what
        text = _INLINE_CITE.sub("", src.lines(span, most=4))
        used = [n for n in consts if re.search(rf"\b{re.escape(n)}\b", text)]
        return f"{what}, through {', '.join(used)}" if used else ""
    return changed


def check_view(results: Iterable[Result], project: Project, timing: bool = True,
               partial: str | None = None, machine: str | None = None,
               accept: Callable[[Result], bool] | None = None) -> CheckView:
    """``machine`` and ``accept``: a run on a real machine's map, and what is acceptable
    there (each item's ``ok``)."""
    src = SourceText(project.sources)
    items = tuple(dataclasses.replace(
        item_of(r.obligation, r.verdict, project, r.seconds if timing else None, src),
        accepted=None if accept is None else accept(r)) for r in results)
    return CheckView(meta_of(project.sources, project.inputs), items, partial, machine)
