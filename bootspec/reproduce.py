"""Taking a counterexample home: ``explain --assume``, ``--emit-memmap``, ``--emit-test``.

* :func:`with_assumptions` adds model-level assumptions to one model of a loaded
  project without editing its files: the expressions are parsed and resolved as
  ``assume`` lines of a model that extends it (so every name, type and rule of a
  model-level ``assume`` applies, and a mistake is reported at ``<--assume>``),
  then appended to the model's own assumptions.
* :func:`memmap_of` is the counterexample's memory map: each of the model's maps as
  the run started with it (a symbolic map's entries are inputs of the run; empty
  entries stand for "fewer" and are left out), in bootspec's JSON, which
  ``memmap show`` and ``check --memmap`` read.
* :func:`test_source` is a pytest module that pins the counterexample's inputs: one
  test re-runs them concretely and expects the obligation to fail there, the other
  decides the obligation again and expects the verdict (see :mod:`bootspec.testing`).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

from bootspec import __version__
from bootspec.engine import concrete
from bootspec.engine.verdicts import Counterexample
from bootspec.lang.ir import Model
from bootspec.memmap.model import MapEntry, ParsedMap
from bootspec.pipeline import Project, load

ASSUME_FILE = "<--assume>"


def with_assumptions(project: Project, model: str, exprs: Sequence[str]) -> Project:
    """``project`` with ``assume`` EXPR (each of ``exprs``) added to ``model``.

    Raises BootspecError (located in ``<--assume>``) for an expression a model-level
    ``assume`` of that model could not have."""
    if not exprs:
        return project
    name = f"{model}__assumed"
    while name in project.models:
        name += "_"
    text = f"model {name} extends {model}\n" + "".join(
        f"assume explain_assume_{i + 1}: {e}\n" for i, e in enumerate(exprs))
    derived = load([], [*sorted(project.sources.items()), (ASSUME_FILE, text)])
    extra = tuple(a for a in derived.models[name].assumes if a.span.path == ASSUME_FILE)
    base = project.models[model]
    models = {**project.models, model: dataclasses.replace(base, assumes=base.assumes + extra)}
    return dataclasses.replace(project, models=models, sources={**project.sources,
                                                                ASSUME_FILE: text})


def memmap_of(model: Model, cx: Counterexample, label: str) -> list[ParsedMap]:
    """The model's maps as the counterexample's run started with them."""
    from bootspec.diagnostics import NO_SPAN
    inputs = dict(cx.inputs)
    out = []
    for name, m in sorted(model.maps.items()):
        entries = [MapEntry(s, e, t, _attrs(m.kind, w, bool(m.attrs or m.entry_attrs)), NO_SPAN)
                   for s, e, t, w in concrete.map_entries(model, m, inputs) if e > s]
        out.append(ParsedMap(m.kind, tuple(entries), f"{label}, map {name}", None, "json",
                             NO_SPAN))
    return out


def _attrs(kind: str, word: int, exact: bool) -> tuple[str, ...]:
    """An entry's attribute names as a log prints them: the model's word, or WB for an
    EFI entry of a map that says nothing about attributes (a log line always has
    some). A map whose entries carry attributes (``exact``) gets its word as it is:
    binding the map back must give the run's words, 0 included."""
    if kind != "efi":
        return ()
    from bootspec.memmap.names import attrs_from_int
    return attrs_from_int(word) if word or exact else ("WB",)


def write_memmap(path: str, maps: Sequence[ParsedMap], force: bool = False) -> None:
    from bootspec.memmap.write import to_json
    from bootspec.report.files import write_atomic
    write_atomic(path, to_json(maps), force=force)


_IDENT = re.compile(r"[^A-Za-z0-9_]+")


def test_source(*, test_file: str, paths: Sequence[str], model: str, prop: str,
                cx: Counterexample | None, verdict: str, memmap: str | None,
                assume: Sequence[str], bios: dict[str, int], header: str) -> str:
    """A pytest module pinning ``cx``; ``paths`` and ``memmap`` are written relative
    to the folder of ``test_file`` so the test runs from anywhere."""
    here = Path(os.path.abspath(test_file)).parent

    def rel(p: str) -> str:
        return os.path.relpath(os.path.abspath(p), here)

    ident = _IDENT.sub("_", f"{model}_{prop}").strip("_").lower()
    args = "PATHS, MODEL, PROPERTY, memmap=MEMMAP, assume=ASSUME, bios=BIOS"
    if cx is None:
        pinned = ""
        what = f"It decides the obligation again and expects '{verdict}'."
    else:
        inputs = ",\n".join(f"    {k!r}: {v:#x}" for k, v in cx.inputs)
        pinned = f'''BOOT_PATH = {tuple(cx.path)!r}
EVENT = {cx.event}
INPUTS = {{
{inputs}
}}


def test_{ident}_counterexample_still_fails() -> None:
    failing = replay(PATHS, MODEL, PROPERTY, INPUTS, BOOT_PATH, EVENT, memmap=MEMMAP,
                     assume=ASSUME, bios=BIOS)
    assert failing, "these inputs no longer fail {prop} on {model}"
'''
        what = ("It pins the inputs of the counterexample found then: the first test runs "
                "them again\nconcretely and expects the obligation to fail at the same step "
                "of the same boot\npath; the second decides the obligation again and "
                f"expects '{verdict}'.")
    return f'''"""Regression test written by bootspec {__version__}:
    bootspec explain {prop} -m {model} --emit-test ...
({header}).

{what}
When the model changes so that this no longer holds, the test fails: look at the
change, then delete this file or write it again.
"""

from pathlib import Path

from bootspec.testing import decide, replay

HERE = Path(__file__).resolve().parent
PATHS = [str(HERE / p) for p in {[rel(p) for p in paths]!r}]
MEMMAP = {None if memmap is None else "str(HERE / " + repr(rel(memmap)) + ")"}
ASSUME = {list(assume)!r}
BIOS = {bios!r}
MODEL = {model!r}
PROPERTY = {prop!r}
{pinned}

def test_{ident}_verdict() -> None:
    assert decide({args}) == {verdict!r}
'''


def emit(args: object, ob: object, verdict: object, project: Project, header: str) -> list[str]:
    """``--emit-memmap`` and ``--emit-test`` of ``explain``: write the files, return notes
    for stderr. Raises BootspecError (BS009) when there is no counterexample to write a
    memory map of, or the model has no map."""
    from bootspec.diagnostics import BootspecError, Diagnostic, Span
    from bootspec.engine.verdicts import Verdict
    from bootspec.lang.ir import Obligation
    assert isinstance(ob, Obligation) and isinstance(verdict, Verdict)
    notes = []
    cx = verdict.counterexample
    mm = getattr(args, "emit_memmap", None)
    if mm:
        model = project.models[ob.model]
        why = None
        if cx is None:
            why = f"'{ob.name}' is {verdict.status} on {ob.model}: there is no counterexample"
        elif not model.maps:
            why = f"model '{ob.model}' has no memory map"
        if why is not None:
            raise BootspecError([Diagnostic("BS009", f"--emit-memmap: {why}",
                                            Span("<command line>", 0, 0))])
        assert cx is not None
        maps = memmap_of(model, cx, f"counterexample of {ob.name} on {ob.model}")
        write_memmap(mm, maps, bool(getattr(args, "force", False)))
        notes.append(f"wrote the counterexample's memory map ({', '.join(sorted(model.maps))}) "
                     f"to {mm}")
    tf = getattr(args, "emit_test", None)
    if tf:
        from bootspec.report.files import write_atomic
        given = {k: getattr(args, k) for k in ("mem_lower", "ebda_seg", "base_mem")
                 if getattr(args, k, None) is not None}
        paths = list(getattr(args, "paths", None) or ["models", "proofs"])
        text = test_source(test_file=tf, paths=paths, model=ob.model, prop=ob.name, cx=cx,
                           verdict=verdict.status, memmap=getattr(args, "memmap", None),
                           assume=list(getattr(args, "assume", None) or []), bios=given,
                           header=header)
        write_atomic(tf, text, force=bool(getattr(args, "force", False)))
        notes.append(f"wrote a regression test to {tf} (python -m pytest {tf})")
    return notes
