"""Functions for tests written by ``bootspec explain --emit-test`` (and for anyone who
wants to pin a model's behaviour from pytest).

:func:`replay` re-runs pinned inputs with the concrete evaluator (plain integers, no
solver) and says whether they still fail the obligation at the pinned event of the
pinned boot path. :func:`decide` decides the obligation again and returns its verdict.
Both load the models and proofs from ``paths``; ``memmap`` binds a machine's map as
``check --memmap`` does (with the BIOS inputs a log does not print pinned by their
rules); ``assume`` adds assumptions as ``explain --assume`` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from bootspec.engine import cex as cexmod
from bootspec.engine.check import ModelChecker
from bootspec.engine.paths import target_of
from bootspec.lang.ir import Obligation
from bootspec.pipeline import Project, discover, load


def project_for(paths: Sequence[str], model: str, memmap: str | None = None,
                assume: Sequence[str] = (), bios: Mapping[str, int] | None = None) -> Project:
    """The project as ``explain`` sees it with these arguments (``bios``: the values of
    --mem-lower, --ebda-seg, --base-mem, by flag name without dashes)."""
    from bootspec.reproduce import with_assumptions
    project = with_assumptions(load(discover(list(paths))), model, assume)
    if memmap is not None:
        from bootspec.memmap import bios as b
        from bootspec.memmap.bind import bind
        binding = bind(project, memmap)
        given = dict(bios or {})
        options = b.BiosOptions(given.get("mem_lower"), given.get("ebda_seg"),
                                given.get("base_mem"))
        models, _ = b.pin_models(binding.project.models,
                                 [n for n in binding.bound_models() if n == model],
                                 b.machine_entries(binding.machine), options,
                                 binding.machine.path, project.models)
        project = dataclasses.replace(binding.project, models=models)
    return project


def obligation(project: Project, model: str, prop: str) -> Obligation:
    for ob in project.obligations():
        if ob.model == model and ob.name == prop:
            return ob
    raise LookupError(f"no obligation {prop!r} on model {model!r}")


def replay(paths: Sequence[str], model: str, prop: str, inputs: Mapping[str, int],
           boot_path: Sequence[str], event: int, memmap: str | None = None,
           assume: Sequence[str] = (), bios: Mapping[str, int] | None = None) -> bool:
    """Whether ``inputs`` still fail the obligation at ``event`` of ``boot_path``."""
    project = project_for(paths, model, memmap, assume, bios)
    ob = obligation(project, model, prop)
    m = project.models[model]
    matching = [p for p in project.paths[model] if p.stages == tuple(boot_path)]
    if not matching:
        return False
    target = target_of(m, ob, project.proof_of(ob))
    return cexmod.fails(m, matching[0], event, target, dict(inputs))


def decide(paths: Sequence[str], model: str, prop: str, memmap: str | None = None,
           assume: Sequence[str] = (), bios: Mapping[str, int] | None = None) -> str:
    """The obligation's verdict, decided again."""
    project = project_for(paths, model, memmap, assume, bios)
    ob = obligation(project, model, prop)
    checker = ModelChecker(project.models[model], project.paths[model])
    return checker.decide(ob, project.proof_of(ob)).status
