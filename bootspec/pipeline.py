"""The pipeline, end to end: files -> parse -> resolve -> paths -> obligations -> verdicts.

This is where to start reading. Each pass lives in its own module and states
what it needs and guarantees:

    lang/parser.py   text -> FileAst             (BS100, BS101, BS117, BS118)
    lang/resolve.py  FileAst -> Model, Proof     (BS102-BS116, BS119-BS121, BS127, BS128)
    engine/paths.py  Model -> boot paths, liveness (BS104, BS115, BS126)
    engine/encode.py path -> Z3 terms per event
    engine/check.py  obligation -> Verdict (solver + concrete re-check)

The core returns values; only ``bootspec.cli`` prints and exits.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from pathlib import Path

from bootspec import safeio
from bootspec.cache import Cache
from bootspec.cache import key as cache_key
from bootspec.diagnostics import BootspecError, Collector, Diagnostic
from bootspec.engine.check import Carry, ModelChecker, Result
from bootspec.engine.paths import Path as BootPath
from bootspec.engine.paths import check_lifetimes, enumerate_paths
from bootspec.engine.solver import Limits
from bootspec.lang import ast as A
from bootspec.lang.ir import Model, Obligation, Proof
from bootspec.lang.parser import parse_text, read_source
from bootspec.lang.resolve import resolve_models, resolve_proofs
from bootspec.project import Project as Project  # where it always was, for importers
from bootspec.runner import process_pool
from bootspec.sources import SUFFIXES as SUFFIXES
from bootspec.sources import discover as discover

_MODEL_LINE = re.compile(r"^model[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.M)


#: this many 'anywhere' placements that avoid each other (and no chain) warn (BS133)
PIGEONHOLE = 6


def pigeonhole(model: Model) -> Diagnostic | None:
    """BS133 (a warning): many regions placed 'anywhere' that avoid each other without
    a chain: for the solver, a proof about them is a pigeonhole problem, exponential in
    their number. The idiom that is linear: each 'above' the previous one's end."""
    lines = []
    for stage in model.stages.values():
        for act in stage.body:
            if not isinstance(act, A.Place):
                continue
            for pol in act.policies:
                if isinstance(pol, A.Anywhere) and not any(
                        isinstance(c, A.Above) for c in pol.clauses) and any(
                        isinstance(c, A.Avoid) and (c.all or len(c.names) >= 2)
                        for c in pol.clauses):
                    lines.append(act.span)
    if len(lines) < PIGEONHOLE:
        return None
    shown = ", ".join(str(sp.line) for sp in lines[:8]) + (", ..." if len(lines) > 8 else "")
    return Diagnostic(
        "BS133", f"{len(lines)} regions of model '{model.name}' are placed anywhere, each "
        f"avoiding the others (lines {shown}): for the solver a proof about them is a "
        "pigeonhole problem, exponential in their number", lines[0], severity="warning",
        hint="place them as a chain, each 'above' the previous one's end "
             "(docs/language.md, 'Placements': many regions placed anywhere)")


def load(files: Iterable[Path], extra: Iterable[tuple[str, str]] = (),
         scope: safeio.Scope | None = None) -> Project:
    """Parse and resolve every file; raise one BootspecError with all the diagnostics
    (and the sources they point into). ``scope`` says where files a model names may
    lie (:class:`bootspec.safeio.Scope`; by default each model file's own folder)."""
    errors = Collector()
    warnings: list[Diagnostic] = []
    sources: dict[str, str] = {}
    asts: list[A.FileAst] = []
    unparsed: set[str] = set()
    file_list = list(files)
    named = [(str(f), None) for f in file_list] + [(p, t) for p, t in extra]
    for name, text in named:
        try:
            src = text if text is not None else read_source(Path(name))
            sources[name] = src
            ast = parse_text(src, name)
            asts.append(ast)
            if not ast.models and not ast.proofs:
                warnings.append(Diagnostic.about_file(
                    "BS131", "this file holds no model and no proof: nothing in it is "
                    "checked", name, severity="warning",
                    hint="start it with 'model NAME' or 'proof NAME', or leave it out"))
        except BootspecError as e:
            errors.extend(e.diagnostics)
            # the models of a file that does not parse are not lost to the rest: a proof
            # or a model that names one is not reported again (one error, not a cascade)
            unparsed.update(_MODEL_LINE.findall(sources.get(name, "")))
    known = {m.name for f in asts for m in f.models} | unparsed
    models = resolve_models(asts, errors, unparsed)
    proofs = resolve_proofs(asts, models, known, errors)
    paths = {name: enumerate_paths(m, errors) for name, m in sorted(models.items())}
    if not errors.items:
        for proof in proofs:
            for t in proof.targets:
                if t.model in models:
                    check_lifetimes(models[t.model], paths[t.model], proof, errors)
    if errors.items:
        errors.extend(warnings)
    errors.raise_if_any(sources)
    warnings += [w for _, m in sorted(models.items()) if (w := pigeonhole(m)) is not None]
    inputs = {p: d for f in asts for p, d in f.inputs}
    project = Project(file_list, sources, models, proofs, paths, inputs, tuple(warnings))
    if not any(m.path is not None for model in models.values() for m in model.maps.values()):
        return project  # no 'map ... from' file: the importers are not needed
    from bootspec.memmap.bind import resolve_file_maps
    try:
        return resolve_file_maps(project, scope)
    except BootspecError as e:
        raise BootspecError(e.diagnostics, {**sources, **e.sources}) from None


def _run_model(model: Model, paths: list[BootPath],
               items: list[tuple[Obligation, Proof | None]], limits: Limits | None,
               carry: Carry | None = None) -> list[Result]:
    """One model's obligations, decided together (:meth:`ModelChecker.decide_all`);
    top-level, so executors can pickle it."""
    checker = ModelChecker(model, paths, limits)
    verdicts = checker.decide_all(items, carry)
    return [Result(ob, v, t) for (ob, _), (v, t) in zip(items, verdicts, strict=True)]


def check_project(project: Project, limits: Limits | None = None,
                  select: Callable[[Obligation], bool] | None = None,
                  progress: Callable[[Obligation], None] | None = None,
                  cache: Cache | None = None, jobs: int = 1,
                  executor: Executor | None = None,
                  on_result: Callable[[Result], None] | None = None,
                  carry: dict[str, Carry] | None = None) -> list[Result]:
    """Decide every selected obligation; results come back in the stable order of
    :func:`obligations`, whatever ran in parallel or came from the cache.

    ``executor`` is any ``concurrent.futures.Executor`` (a process pool, a Dask
    client's executor...); without one, ``jobs > 1`` uses a local process pool.
    ``carry`` (per model) is what a sweep over machines carries from one machine to
    the next (:class:`~bootspec.engine.check.Carry`); only the serial run uses it.
    """
    carry = carry or {}
    obs = [ob for ob in project.obligations() if select is None or select(ob)]
    results: dict[int, Result] = {}
    todo: list[tuple[int, Obligation, str | None]] = []
    for idx, ob in enumerate(obs):
        k = None
        if cache is not None:
            k = cache_key(project.models[ob.model], project.proof_of(ob), ob, limits or Limits())
            hit = cache.get(k)
            if hit is not None:
                results[idx] = Result(ob, hit[0], hit[1], cached=True)
                if on_result is not None:
                    on_result(results[idx])
                if progress is not None:
                    progress(ob)
                continue
        todo.append((idx, ob, k))

    def done(idx: int, k: str | None, r: Result) -> None:
        results[idx] = r
        if on_result is not None:
            on_result(r)
        if cache is not None and k is not None:
            cache.put(k, r.verdict, r.seconds)
        if progress is not None:
            progress(r.obligation)

    by_model: dict[str, list[tuple[int, Obligation, str | None]]] = {}
    for item in todo:
        by_model.setdefault(item[1].model, []).append(item)
    if executor is None and jobs <= 1:
        for name, items in by_model.items():  # one model's obligations are decided together
            for (idx, _, k), r in zip(items, _run_model(
                    project.models[name], project.paths[name],
                    [(ob, project.proof_of(ob))
                     for _, ob, _ in items], limits, carry.get(name)), strict=True):
                done(idx, k, r)
    else:
        with contextlib.ExitStack() as stack:
            pool = executor or stack.enter_context(process_pool(jobs))
            futures = [(items, pool.submit(
                _run_model, project.models[name], project.paths[name],
                [(ob, project.proof_of(ob))
                 for _, ob, _ in items], limits))
                for name, items in by_model.items()]
            for items, fut in futures:
                for (idx, _, k), r in zip(items, fut.result(), strict=True):
                    done(idx, k, r)
    return [results[i] for i in range(len(obs))]
