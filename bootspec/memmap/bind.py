"""Bind a real machine's memory map to the models' symbolic maps.

A model states its properties over a *symbolic* firmware map (``map fw : efi
symbolic 6 ...``): every map of N sorted, disjoint entries of the allowed types.
Binding replaces such a map by the concrete map of one machine, imported from a
log, a bootspec JSON map or a sysfs directory (:mod:`bootspec.memmap.parse`), so
that the same obligations are decided for that machine alone.

Entry points:

* :func:`bind_project` -- what ``bootspec check --memmap FILE [--bind MAP]`` calls.
* :func:`bind` -- the same, returning a :class:`Binding` with the notes (what was
  clipped, merged, or lies outside what the symbolic map admits).
* :func:`resolve_file_maps` -- loads ``map NAME : e820 from "path"`` maps.
* :func:`machine_ok` -- whether a verdict is acceptable on a real machine.

How a machine's map becomes a model's concrete map (:func:`model_entries`):

1. Sorted by address. Two entries that overlap are an error (BS523) naming both
   lines: a real map must say one thing about each address.
2. Clipped to the model's address space ``[0, 2^width)``; what falls outside is
   dropped and said in a note (BS526).
3. Adjacent entries of the same type *and the same attributes* merged. A log may
   print one run of RAM in pieces, and EDK2 coalesces free descriptors only when
   type and attributes agree, so such pieces are one allocation unit. Descriptors
   whose attributes differ stay apart: firmware allocates inside one descriptor at
   a time (EDK2's AllocatePages searches its free-memory list entry by entry; Xen's
   EFI fallback in ``efi_arch_process_memory_map`` walks descriptors one by one), so
   a placement ``topdown in fw types {conventional}`` may not straddle two of them.
   e820 logs carry no attributes: their adjacent same-type entries are merged.
   Pointwise predicates (``within(x, fw types {..})``) do not change under merging.
   ``merge=False`` on :func:`bind` keeps every descriptor apart.
4. Types outside the model map's allowed ``types`` are kept: they are what the
   machine has. A note (BS527) says where the machine lies outside what the
   symbolic map admits (more entries, other types, outside its ``within``
   window, unaligned ends).

Verdicts on a machine (:func:`machine_ok`): a property that *holds* for every
map the symbolic map admits still holds on a machine whose map it admits; one
expected ``violated`` (a known-buggy variant) may hold on a given machine, which
simply does not trigger the bug. So a result is acceptable on a machine unless it
is expected ``holds`` and is not ``holds``, with one exception: a ``vacuous`` verdict
whose only cause is a placement that finds no room, where that placement's ``fits@``
site is a known finding of the model (``expect fits@LN violated``). On such a machine
the known bug fires first (Xen stops with "No memory for trampoline"), so the
property is never reached there; the row still says ``vacuous`` and why. Where the
machine lies outside the symbolic map's assumptions (note BS527), such a failure is a
finding about the
model's assumptions as much as about the code.

Nothing here mutates its input: models and maps are frozen values and a new
:class:`~bootspec.project.Project` is returned.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from bootspec import memtypes, safeio
from bootspec.diagnostics import BootspecError, Diagnostic, Span
from bootspec.lang.ir import MapIR, Model
from bootspec.memmap.model import ParsedMap, ParseResult
from bootspec.memmap.parse import parse_path
from bootspec.units import counted, human_size

if TYPE_CHECKING:  # names for types only: the pipeline imports this module
    from bootspec.engine.verdicts import Result
    from bootspec.project import Project

Entry = tuple[int, int, str, Span]

#: Formats that show a guest's pseudo-physical view rather than the machine's map:
#: bound only when the file has no other map of the kind.
_GUEST_VIEW_FORMATS = frozenset({"linux-xen-pv"})

_MACHINE_RX = re.compile(r"machine:\s*(.*?)\s*$")


@dataclasses.dataclass(frozen=True)
class Machine:
    """One imported map file: its maps (file order) and what describes the machine."""

    path: str
    maps: tuple[ParsedMap, ...]
    description: str | None  # the DMI string of a '# source: ... machine: ...' line
    notes: tuple[Diagnostic, ...] = ()
    sources: dict[str, str] = dataclasses.field(default_factory=dict, compare=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The map kinds present, in file order, each once."""
        return tuple(dict.fromkeys(m.kind for m in self.maps))

    def map_of(self, kind: str) -> ParsedMap | None:
        """The map of ``kind`` to bind: the first one that is not a guest's view."""
        of_kind = [m for m in self.maps if m.kind == kind]
        real = [m for m in of_kind if m.fmt not in _GUEST_VIEW_FORMATS]
        return (real or of_kind)[0] if of_kind else None


@dataclasses.dataclass(frozen=True)
class BoundMap:
    """One model map replaced by a machine's map."""

    model: str
    map: str
    kind: str
    source: ParsedMap  # the machine's map, as imported
    entries: tuple[Entry, ...]  # what the model now has


@dataclasses.dataclass(frozen=True)
class Binding:
    """The result of :func:`bind`: the new project, what was bound, and notes."""

    project: Project
    machine: Machine
    bound: tuple[BoundMap, ...]
    notes: tuple[Diagnostic, ...]  # severity "note"

    def bound_models(self) -> list[str]:
        return sorted({b.model for b in self.bound})


# -- reading a machine ---------------------------------------------------------------

def describe_machine(path: str) -> str | None:
    """The DMI string of the corpus's first line ``# source: ... machine: DMI``, if any."""
    if os.path.isdir(path):
        return None
    try:
        with safeio.open_regular(path) as f:
            first = f.readline(4096).decode("utf-8", "replace")
    except (OSError, safeio.Refused):
        return None
    if not first.startswith("#"):
        return None
    m = _MACHINE_RX.search(first.rstrip("\n"))
    return (m.group(1) or None) if m else None


def load_machine(path: str, result: ParseResult | None = None) -> Machine:
    """Import one map file; raise BootspecError with the importer's diagnostics when it
    has errors or holds no map (BS501-BS511, located at file:line:col)."""
    result = result if result is not None else parse_path(path)
    if result.errors or not result.maps:
        diags = result.errors or result.diagnostics
        if not diags:  # pragma: no cover - the importer always says why
            diags = [Diagnostic("BS506", "no memory map found", Span(path, 1, 1))]
        raise _error(diags, result.sources)
    notes = tuple(d for d in result.diagnostics if d.severity != "error")
    return Machine(path, tuple(result.maps), describe_machine(path), notes,
                   dict(result.sources))


def _error(diags: Sequence[Diagnostic], sources: dict[str, str] | None = None) -> BootspecError:
    """A BootspecError; ``sources`` (excerpt texts) ride along for the renderer."""
    return BootspecError(diags, sources)


# -- one map -> concrete entries -----------------------------------------------------

def sorted_entries(pm: ParsedMap) -> list[Entry]:
    """The map's non-empty entries sorted by address; BS523 (with both lines) when two
    entries overlap, BS524 when an entry's type has no canonical name."""
    known = memtypes.TYPES_BY_KIND.get(pm.kind, ())
    diags: list[Diagnostic] = []
    out: list[Entry] = []
    for e in pm.entries:
        if e.type not in known:
            diags.append(Diagnostic(
                "BS524", f"entry type '{e.type}' has no canonical {pm.kind} name, so models "
                "cannot name it", e.span,
                hint=f"canonical {pm.kind} types: {', '.join(known)}; add the number to "
                     "bootspec.memtypes if it is a new one"))
        if e.end > e.start:
            out.append((e.start, e.end, e.type, e.span))
    out.sort(key=lambda x: (x[0], x[1], x[3]))
    reach: Entry | None = None
    for cur in out:
        if reach is not None and cur[0] < reach[1]:
            same = " (same type)" if cur[2] == reach[2] else ""
            diags.append(Diagnostic(
                "BS523", f"map entries overlap in [{cur[0]:#x}, {min(cur[1], reach[1]):#x})"
                f"{same}: [{cur[0]:#x}, {cur[1]:#x}) {cur[2]} and [{reach[0]:#x}, "
                f"{reach[1]:#x}) {reach[2]}", cur[3],
                notes=((reach[3], f"the other entry: [{reach[0]:#x}, {reach[1]:#x}) "
                                  f"{reach[2]}"),),
                hint="a machine's map must give each address one type; fix the log (a "
                     "copy error?) or remove the entry the firmware got wrong"))
        if reach is None or cur[1] > reach[1]:
            reach = cur
    if diags:
        raise _error(diags)
    return out


def model_entries(pm: ParsedMap, width: int, merge: bool = True
                  ) -> tuple[tuple[Entry, ...], list[Diagnostic]]:
    """Concrete entries for a model of ``width`` bits, and notes (BS526) on what was
    clipped. See the module docstring for the steps and why merging is right."""
    top = 1 << width
    notes: list[Diagnostic] = []
    kept: list[Entry] = []
    dropped: list[Entry] = []
    clipped: list[Entry] = []
    for s, e, t, sp in sorted_entries(pm):
        if s >= top:
            dropped.append((s, e, t, sp))
            continue
        if e > top:
            clipped.append((s, e, t, sp))
            e = top
        kept.append((s, e, t, sp))
    if dropped or clipped:
        parts = []
        if dropped:
            size = sum(e - s for s, e, _, _ in dropped)
            parts.append(f"dropped {counted(len(dropped), 'entry', 'entries')} "
                         f"at or above {top:#x} ({human_size(size)}: "
                         f"{_list_ranges(dropped)})")
        if clipped:
            parts.append("cut " + ", ".join(f"[{s:#x}, {e:#x}) {t} to end at {top:#x}"
                                             for s, e, t, _ in clipped))
        notes.append(Diagnostic(
            "BS526", f"the model's address space is [0, 2^{width}): "
            + "; ".join(parts), (dropped or clipped)[0][3], severity="note"))
    if merge:
        attrs = {e.span: e.attrs for e in pm.entries}
        kept = merge_adjacent(kept, attrs)
    return tuple(kept), notes


def attr_words(pm: ParsedMap, entries: Sequence[Entry]) -> tuple[int, ...]:
    """Each kept entry's attribute word, from the attribute names the machine's line
    gives (merged entries have equal attributes, so the first line's stand for them).

    >>> from bootspec.memmap.model import MapEntry
    >>> sp = Span("m", 1, 1)
    >>> pm = ParsedMap("efi", (MapEntry(0, 4096, "conventional", ("RUN", "WB"), sp),),
    ...                "m", None, "json", sp)
    >>> hex(attr_words(pm, [(0, 4096, "conventional", sp)])[0])
    '0x8000000000000008'
    """
    names = {e.span: e.attrs for e in pm.entries}
    words = []
    for _, _, _, sp in entries:
        bits = (memtypes.attr_bit(n) for n in names.get(sp, ()))
        words.append(sum(1 << b for b in bits if b is not None))
    return tuple(words)


def merge_adjacent(entries: Iterable[Entry],
                   attrs: dict[Span, tuple[str, ...]] | None = None) -> list[Entry]:
    """Merge entries that touch and have the same type and the same attributes (input
    sorted, disjoint; ``attrs`` by entry span, none when absent).

    >>> from bootspec.diagnostics import Span
    >>> a, b, c, d = (Span("m", i, 1) for i in range(1, 5))
    >>> [(x, y, t) for x, y, t, _ in merge_adjacent(
    ...     [(0, 4, "usable", a), (4, 8, "usable", b), (8, 9, "nvs", c), (10, 12, "nvs", d)])]
    [(0, 8, 'usable'), (8, 9, 'nvs'), (10, 12, 'nvs')]
    >>> [(x, y) for x, y, _, _ in merge_adjacent(
    ...     [(0, 4, "conventional", a), (4, 8, "conventional", b)], {a: ("WB",), b: ("UC",)})]
    [(0, 4), (4, 8)]
    """
    attrs = attrs or {}
    out: list[Entry] = []
    last_attrs: tuple[str, ...] = ()
    for s, e, t, sp in entries:
        mine = attrs.get(sp, ())
        if out and out[-1][1] == s and out[-1][2] == t and mine == last_attrs:
            out[-1] = (out[-1][0], e, t, out[-1][3])
        else:
            out.append((s, e, t, sp))
            last_attrs = mine
    return out


def _list_ranges(entries: Sequence[Entry], limit: int = 3) -> str:
    shown = ", ".join(f"[{s:#x}, {e:#x}) {t}" for s, e, t, _ in entries[:limit])
    return shown + (f" and {len(entries) - limit} more" if len(entries) > limit else "")


def assumption_notes(m: MapIR, entries: Sequence[Entry]) -> list[Diagnostic]:
    """BS527 notes: where the machine's map lies outside what the symbolic ``m`` admits."""
    parts: list[str] = []
    inside = [x for x in entries if x[0] < m.hi and x[1] > m.lo]
    if len(inside) > m.count:
        parts.append(f"{len(inside)} entries in [{m.lo:#x}, {m.hi:#x}) (the symbolic map has "
                     f"{m.count})")
    outside = [x for x in entries if not (m.lo <= x[0] and x[1] <= m.hi)]
    if outside:
        parts.append(f"{counted(len(outside), 'entry', 'entries')} outside [{m.lo:#x}, "
                     f"{m.hi:#x}), where it has none")
    other = sorted({t for _, _, t, _ in inside} - set(m.types))
    if other:
        parts.append(f"types not in the model's list: {', '.join(other)}")
    if m.align > 1:
        odd = [x for x in inside if x[0] % m.align or x[1] % m.align]
        if odd:
            parts.append(f"{len(odd)} entr{'y' if len(odd) == 1 else 'ies'} not "
                         f"{human_size(m.align)}-aligned (e.g. {_list_ranges(odd, 1)})")
    if not parts:
        return []
    return [Diagnostic(
        "BS527", "the machine's map is not one the symbolic map admits: "
        + "; ".join(parts), m.span, severity="note",
        hint="the entries are kept as they are (they are real); a property proven for the "
             "symbolic map may fail here, which questions the model's assumptions")]


def admits(symbolic: Model, bound: Model) -> bool:
    """Whether ``bound`` is ``symbolic`` with each symbolic map replaced by a map it
    admits (any number of entries: sorted, disjoint, inside its ``within`` window,
    aligned, of its types), perhaps parameters pinned to one of their values
    (:func:`~bootspec.memmap.bios.pin_models`), and nothing else changed. A proof for every map of
    ``symbolic`` (:meth:`~bootspec.engine.check.ModelChecker.proved_for_every_map`)
    then covers ``bound``."""
    if set(symbolic.maps) != set(bound.maps) or len(symbolic.params) != len(bound.params) or \
            dataclasses.replace(bound, maps=symbolic.maps, params=symbolic.params) != symbolic:
        return False
    for sp, bp in zip(symbolic.params, bound.params, strict=True):
        # a parameter pinned to one of its values (a machine's BIOS inputs) narrows the
        # configurations: what holds for all of them holds for that one
        if bp != sp and (bp.name != sp.name or (v := bp.pinned_to()) is None or
                         not sp.takes(v)):
            return False
    for name, sm in symbolic.maps.items():
        bm = bound.maps[name]
        if not sm.symbolic or bm.symbolic:
            if bm != sm:
                return False
            continue
        prev = sm.lo
        for s, e, t, _ in bm.entries:
            if not (prev <= s <= e <= sm.hi) or t not in sm.types or \
                    s % sm.align or e % sm.align:
                return False
            prev = e
    return True


# -- binding ------------------------------------------------------------------------

def symbolic_maps(project: Project, models: Iterable[str] | None = None
                  ) -> list[tuple[str, MapIR]]:
    """(model, map) for every symbolic map of the (selected) models, sorted."""
    names = sorted(project.models) if models is None else sorted(models)
    return [(n, m) for n in names for m in sorted(project.models[n].maps.values(),
                                                  key=lambda m: m.name) if m.symbolic]


def bind(project: Project, path: str | Machine, map_name: str | None = None, *,
         models: Iterable[str] | None = None, merge: bool = True,
         require: bool = True) -> Binding:
    """Bind the machine map in ``path`` to every symbolic model map of a matching kind
    (only maps named ``map_name`` when given; only ``models`` when given).

    Raises BootspecError on an unreadable or erroneous map file, on overlapping
    entries (BS523), on a ``map_name`` that names no symbolic map (BS522), and,
    when ``require``, when nothing could be bound (BS521). Models with no matching
    map are left as they are.
    """
    machine = path if isinstance(path, Machine) else load_machine(path)
    candidates = symbolic_maps(project, models)
    if map_name is not None:
        _check_map_name(project, candidates, map_name, models)
        candidates = [(n, m) for n, m in candidates if m.name == map_name]
    notes: list[Diagnostic] = list(machine.notes)
    chosen: dict[str, ParsedMap] = {}
    for kind in machine.kinds:
        pm = machine.map_of(kind)
        assert pm is not None
        chosen[kind] = pm
        several = [m for m in machine.maps if m.kind == kind]
        if len(several) > 1 and any(mp.kind == kind for _, mp in candidates):
            notes.append(Diagnostic(
                "BS528", f"{len(several)} {kind} maps in {machine.path}; bound the one at line "
                f"{pm.span.line} ({pm.fmt}, {len(pm.entries)} entries)", pm.span,
                severity="note", hint="cut the file to the map you mean to bind"))
    bound: list[BoundMap] = []
    new_models = dict(project.models)
    sorted_cache: dict[int, None] = {}
    per_map: dict[tuple[str, str, Span, str], list[str]] = {}  # one note for models alike
    for model_name, mir in candidates:
        pm = chosen.get(mir.kind)
        if pm is None:
            continue
        if id(pm) not in sorted_cache:  # overlap / type errors once per map, not per model
            sorted_entries(pm)
            sorted_cache[id(pm)] = None
        model = new_models[model_name]
        entries, clip_notes = model_entries(pm, model.width, merge)
        for d in clip_notes + assumption_notes(mir, entries):
            per_map.setdefault((d.code, d.message, d.span, d.hint or ""), []).append(
                f"{model_name}.{mir.name}")
        new_map = dataclasses.replace(mir, symbolic=False, count=len(entries), entries=entries,
                                      entry_attrs=attr_words(pm, entries), path=machine.path)
        new_models[model_name] = _with_map(model, new_map)
        bound.append(BoundMap(model_name, mir.name, mir.kind, pm, entries))
    for (code, message, span, hint), where in per_map.items():
        notes.append(Diagnostic(code, f"{', '.join(where)}: {message}", span, "note",
                                hint or None))
    if require and not bound:
        raise _no_match(project, candidates, machine, models)
    new_project = dataclasses.replace(project, files=list(project.files),
                                      sources=dict(project.sources), models=new_models,
                                      proofs=list(project.proofs), paths=dict(project.paths))
    return Binding(new_project, machine, tuple(bound), tuple(notes))


def bind_project(project: Project, path: str, map_name: str | None) -> Project:
    """``check --memmap FILE [--bind MAP]``: the project with the machine's map bound.

    See :func:`bind` (which also returns the notes) for the rules and errors.
    """
    return bind(project, path, map_name).project


def _with_map(model: Model, new_map: MapIR) -> Model:
    maps = dict(model.maps)
    maps[new_map.name] = new_map
    return dataclasses.replace(model, maps=maps)


def _map_list(project: Project, models: Iterable[str] | None) -> str:
    names = sorted(project.models) if models is None else sorted(models)
    rows = [f"{n}.{m.name} ({m.kind}, {'symbolic' if m.symbolic else 'concrete'})"
            for n in names for m in sorted(project.models[n].maps.values(), key=lambda m: m.name)]
    return ", ".join(rows) if rows else "none (the models declare no map)"


def _check_map_name(project: Project, candidates: list[tuple[str, MapIR]], name: str,
                    models: Iterable[str] | None) -> None:
    if any(m.name == name for _, m in candidates):
        return
    names = sorted(project.models) if models is None else sorted(models)
    concrete = [n for n in names if name in project.models[n].maps]
    if concrete:
        msg = (f"--bind {name}: map '{name}' of model '{concrete[0]}' is concrete (it already "
               "has entries); only symbolic maps can be bound")
    else:
        msg = f"--bind {name}: no model has a map named '{name}'"
    raise _error([Diagnostic("BS522", msg, Span("<command line>", 0, 0),
                             hint="model maps: " + _map_list(project, models))])


def _no_match(project: Project, candidates: list[tuple[str, MapIR]], machine: Machine,
              models: Iterable[str] | None) -> BootspecError:
    kinds = ", ".join(f"{m.kind} ({len(m.entries)} entries, line {m.span.line})"
                      for m in machine.maps)
    want = sorted({m.kind for _, m in candidates})
    msg = (f"{machine.path} has {kinds}; no symbolic model map of "
           f"{'that kind' if len(machine.kinds) == 1 else 'those kinds'} to bind"
           + (f" (the symbolic maps are {', '.join(want)})" if want else ""))
    return _error([Diagnostic.about_file("BS521", msg, machine.path,
                                         hint="model maps: " + _map_list(project, models))])


# -- map NAME : KIND from "path" ----------------------------------------------------

def resolve_file_maps(project: Project, scope: safeio.Scope | None = None) -> Project:
    """Load every ``map NAME : KIND from "path"`` map (MapIR.path set, no entries).

    The path is relative to the file holding the ``map`` line (the model's file;
    for a map inherited through ``extends``, the base model's file), and must lie
    inside that file's project (``scope``, :class:`bootspec.safeio.Scope`; by default
    the model file's own folder): an absolute path or one that leaves the project is
    refused (BS531) unless the user allowed a folder it lies in. The file is imported
    and turned into entries exactly as :func:`bind` does (sorted, overlap check,
    clipped to the model's width, adjacent same-type entries merged). A file that
    holds no map contributes no excerpt to the errors: nothing of its content is
    shown. All problems are raised together as one BootspecError. Returns ``project``
    itself when no model has such a map.
    """
    scope = scope or safeio.Scope()
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    cache: dict[str, Machine | None] = {}
    new_models: dict[str, Model] = {}
    for name, model in sorted(project.models.items()):
        new = model
        for mir in sorted(model.maps.values(), key=lambda m: m.name):
            if mir.symbolic or mir.entries or mir.path is None:
                continue
            try:
                full = scope.resolve(mir.path, mir.span.path)
            except safeio.Refused as e:
                diags.append(Diagnostic(
                    "BS531", f"map '{mir.name}' may not read \"{mir.path}\": {e.reason}",
                    mir.span, hint="keep machine maps inside the model's project; to read "
                    "one elsewhere, allow its folder with --allow-path DIR (or widen the "
                    "project with --root DIR)"))
                continue
            if full not in cache:
                result = parse_path(full)
                if result.maps:  # a file that is no map shows nothing of itself
                    sources.update(result.sources)
                if result.errors or not result.maps:
                    diags.extend(result.errors or result.diagnostics)
                    diags.append(Diagnostic(
                        "BS525", f"cannot load map '{mir.name}' from \"{mir.path}\" "
                        f"(resolved to {full})", mir.span,
                        hint="the path is relative to the model file"))
                    cache[full] = None
                else:
                    cache[full] = Machine(full, tuple(result.maps), None)
            machine = cache[full]
            if machine is None:
                continue
            pm = machine.map_of(mir.kind)
            if pm is None:
                diags.append(Diagnostic(
                    "BS525", f"map '{mir.name}' is {mir.kind}, but {full} has only "
                    f"{', '.join(machine.kinds)} maps", mir.span,
                    hint=f"point the map at a file with a {mir.kind} map, or change its kind"))
                continue
            try:
                entries, _ = model_entries(pm, model.width)
            except BootspecError as e:
                diags.extend(e.diagnostics)
                continue
            if not entries:
                diags.append(Diagnostic(
                    "BS525", f"map '{mir.name}': {full} has no entry inside the model's "
                    f"{model.width}-bit address space", mir.span))
                continue
            new = _with_map(new, dataclasses.replace(mir, count=len(entries), entries=entries,
                                                     entry_attrs=attr_words(pm, entries)))
        if new is not model:
            new_models[name] = new
    if diags:
        raise _error(sorted(set(diags), key=lambda d: (d.span, d.code)), sources)
    if not new_models:
        return project
    models = dict(project.models)
    models.update(new_models)
    from bootspec.image import digest
    inputs = {**project.inputs, **{f: digest(f) for f, m in cache.items() if m is not None}}
    return dataclasses.replace(project, files=list(project.files),
                               sources=dict(project.sources), models=models,
                               proofs=list(project.proofs), paths=dict(project.paths),
                               inputs=inputs)


# -- verdicts on a machine -----------------------------------------------------------

#: the reason :func:`bootspec.engine.cex.vacuous_cause` gives when the only cause is a
#: placement that never fits
_BLOCKED = re.compile(r"nothing in scope is reached: no run gets past the placement on "
                      r"lines? ([0-9, ]+) \(it finds no room on every run that reaches it\)")


def blocked_by_known_finding(result: Result, model: Model | None) -> list[str]:
    """The known finding sites (``fits@LN`` expected violated in ``model``) that make a
    vacuous ``result`` vacuous, when they are its only cause; else []."""
    m = _BLOCKED.fullmatch(result.verdict.reason)
    if result.verdict.status != "vacuous" or m is None or model is None:
        return []
    sites = [f"fits@L{n.strip()}" for n in m.group(1).split(",")]
    known = all(model.expects.get(s, ("holds",))[0] == "violated" for s in sites)
    return sites if known else []


def machine_ok(result: Result, model: Model | None = None) -> bool:
    """Whether a verdict is acceptable on a real machine.

    A property expected to *hold* must hold on the machine (a machine the symbolic
    map admits cannot break it; one it does not admit shows the model assumed too
    much), or be vacuous only because a known finding of ``model`` stops every run
    before it (:func:`blocked_by_known_finding`). A property expected *violated* (a
    known-buggy variant) or *vacuous* is acceptable whatever the machine gives: a
    given machine may simply not trigger the bug. ``unknown`` is never a pass for a
    property expected to hold.
    """
    return (result.obligation.expected != "holds" or result.verdict.status == "holds"
            or bool(blocked_by_known_finding(result, model)))
