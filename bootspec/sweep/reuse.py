"""What a sweep carries from one machine to the next, and with a cache from run to
run (:class:`Reuse`): never a verdict or a counterexample, only how fast they are
found."""

from __future__ import annotations

import dataclasses
import json
import time

from bootspec.cache import Cache, note_key
from bootspec.engine.check import WITNESSES, Carry, ModelChecker
from bootspec.engine.solver import Limits
from bootspec.lang.ir import Model, Obligation, Proof
from bootspec.memmap.bind import Binding, admits
from bootspec.pipeline import Project


@dataclasses.dataclass
class Reuse:
    """What a sweep carries from one machine to the next (per model, a
    :class:`~bootspec.engine.check.Carry`); it never changes a verdict or a
    counterexample, only how fast they are found.

    ``proved``: per model, the obligations the abstract encoding proves for every map
    its symbolic maps admit, of any number of entries (computed once, on the models
    as written, when a second machine binds the model). On a machine whose map the
    symbolic map admits (:func:`~bootspec.memmap.bind.admits`) they hold wherever an
    in-scope state is reachable, so only reachability is asked there. Runs and
    counterexamples found on earlier machines are kept per model, tried first on
    the next.

    With a ``cache``, all of it also lasts from run to run: each model's note
    (:func:`~bootspec.cache.note_key`, keyed by the model as written, its proofs and
    the limits) is read when a machine first binds the model, and written back after
    machines that learnt something (at most once a second, and at the end of a
    sweep or when a worker process exits). The proofs are then made on the first
    machine already: they are kept."""

    project: Project  # the models as written
    limits: Limits | None = None
    proved: dict[str, tuple[frozenset[str], frozenset[str]]] = dataclasses.field(
        default_factory=dict)  # per model: (for any map, for the maps it admits)
    carried: dict[str, Carry] = dataclasses.field(default_factory=dict)
    cache: Cache | None = None
    _noted: dict[str, str] = dataclasses.field(  # model -> its note as last read or written
        default_factory=dict, init=False, repr=False)
    _saved_at: float = dataclasses.field(default=0.0, init=False, repr=False)

    def prove(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """Prove what can be proved once (from the second machine that binds the model
        on, or the first with a cache, see :meth:`for_binding`): first for *any* map
        (each symbolic map relaxed to every type, any alignment, the whole address
        space; real maps often have entries the model's map does not admit), then for
        the maps the model admits."""
        if name not in self.proved:
            project, model = self.project, self.project.models[name]
            items = model_items(self.project, name)
            loose = ModelChecker(relaxed(model), project.paths[name], self.limits)
            anymap = frozenset(ob.name for ob, p in items if loose.proved_for_every_map(ob, p))
            checker = ModelChecker(model, project.paths[name], self.limits)
            admitted = anymap | frozenset(ob.name for ob, p in items if ob.name not in anymap
                                          and checker.proved_for_every_map(ob, p))
            self.proved[name] = (anymap, admitted)
        return self.proved[name]

    def proofs(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """:meth:`prove`, taking up the model's note first (as a machine that binds it
        would): with a cache that holds its proofs they are read, not made."""
        if name not in self.carried:
            self._load(name)
        return self.prove(name)

    def for_binding(self, binding: Binding) -> dict[str, Carry]:
        """What to carry into this machine: the proofs that cover its map."""
        bound = binding.project.models
        out = {}
        for name in binding.bound_models():
            # without a cache, proofs pay off from the second machine on; with one, they
            # are kept for later runs
            first = name not in self.carried
            if first:
                self._load(name)
            c = self.carried.setdefault(name, Carry())
            model = self.project.models[name]
            proved: frozenset[str]
            if first and name not in self.proved and self.cache is None:
                proved = frozenset()
            elif admits(model, bound[name]):
                proved = self.prove(name)[1]
            elif admits(relaxed(model), bound[name]):
                proved = self.prove(name)[0]
            else:
                proved = frozenset()
            out[name] = Carry(proved, c.witnesses, c.hints)
        return out

    # -- from run to run
    def _key(self, name: str) -> str:
        return note_key("reuse", self.project.models[name], model_items(self.project, name),
                        self.limits or Limits())

    def _load(self, name: str) -> None:
        """Take up the model's note from the cache, if it holds a readable one."""
        if self.cache is None:
            return
        note = self.cache.get_note(self._key(name))
        try:
            witnesses = [_ints(w) for w in note["witnesses"]]
            hints = {o: _ints(h) for o, h in note["hints"].items() if isinstance(o, str)}
            proved = note["proved"]
            if proved is not None:
                anymap, admitted = (_names(p) for p in proved)
        except (AttributeError, KeyError, TypeError, ValueError):
            return  # no note, or a foreign one: start afresh
        if proved is not None and name not in self.proved:
            mine = frozenset(ob.name for ob, _ in model_items(self.project, name))
            anymap = (anymap & mine) - frozenset(hints)  # a counterexample refutes it
            self.proved[name] = (anymap, anymap | (admitted & mine))
        self.carried[name] = Carry(frozenset(), witnesses[-WITNESSES:], hints)
        self._noted[name] = self._note_json(name)

    def _note_json(self, name: str) -> str:
        """The model's note, as written to the cache."""
        c = self.carried.get(name, Carry())
        proved = self.proved.get(name)
        return json.dumps({"proved": [sorted(p) for p in proved] if proved else None,
                           "witnesses": c.witnesses[-WITNESSES:], "hints": c.hints},
                          sort_keys=True)

    def save(self, force: bool = False) -> None:
        """Write back the notes of models that learnt something since they were read
        (with ``force``, now; else at most once a second)."""
        if self.cache is None or (not force and time.monotonic() - self._saved_at < 1.0):
            return
        for name in sorted(self.carried):
            text = self._note_json(name)
            if self._noted.get(name) != text:
                self.cache.put_note(self._key(name), json.loads(text))
                self._noted[name] = text
        self._saved_at = time.monotonic()


def _ints(d: object) -> dict[str, int]:
    """A run's inputs read from a note: names to integers, else ValueError."""
    if not isinstance(d, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in d.items()):
        raise ValueError("not a run")
    return dict(d)


def _names(xs: object) -> frozenset[str]:
    if not isinstance(xs, list) or not all(isinstance(x, str) for x in xs):
        raise ValueError("not a list of names")
    return frozenset(xs)


def model_items(project: Project, name: str) -> list[tuple[Obligation, Proof | None]]:
    """A model's obligations with their proofs."""
    return [(ob, project.proof_of(ob)) for ob in project.obligations() if ob.model == name]


def relaxed(model: Model) -> Model:
    """``model`` with every symbolic map admitting any map of its kind: every type, no
    alignment, anywhere in the address space. A proof for every map of the relaxed
    model covers every real machine's map."""
    from bootspec import memtypes
    maps = {n: dataclasses.replace(m, lo=0, hi=model.top, align=1,
                                   types=tuple(memtypes.TYPES_BY_KIND[m.kind]))
            if m.symbolic else m for n, m in model.maps.items()}
    return dataclasses.replace(model, maps=maps)
