"""What ``memmap check`` finds, as plain data (it crosses process boundaries and is
kept in the cache as JSON): a :class:`MachineReport` per map file, a :class:`Row`
per obligation decided on it."""

from __future__ import annotations

import dataclasses
import os
import types
import typing


@dataclasses.dataclass(frozen=True)
class Placed:
    name: str
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.name} [{self.start:#x}, {self.end:#x})"


@dataclasses.dataclass(frozen=True)
class Row:
    """One obligation decided on one machine."""

    model: str
    property: str
    kind: str  # wellformed | assert | proof
    expected: str
    verdict: str
    acceptable: bool
    placement: tuple[Placed, ...]  # the counterexample's marked regions, or a sample run's
    placement_from: str  # counterexample | run | none
    violation: str | None  # what the counterexample does, for a violation
    reason: str  # the verdict's reason (unknown, vacuous)
    params: tuple[tuple[str, str], ...]  # the counterexample's parameters
    seconds: float
    # the configuration the placement was computed for: the run's path and parameters
    path: tuple[str, ...] = ()
    config: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class BoundInfo:
    model: str
    map: str
    kind: str
    fmt: str
    line: int
    log_entries: int
    entries: int


@dataclasses.dataclass(frozen=True)
class MachineReport:
    """Everything found for one map file; ``error`` or ``skipped`` when it was not checked."""

    file: str
    description: str | None
    kinds: tuple[str, ...] = ()
    bound: tuple[BoundInfo, ...] = ()
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str | None = None  # rendered diagnostics of a bad input
    skipped: str | None = None  # why the file is not a machine for these models
    inputs: tuple[str, ...] = ()  # BIOS inputs pinned on this machine, with their rules

    @property
    def name(self) -> str:
        return os.path.basename(self.file.rstrip("/")) or self.file

    @property
    def checked(self) -> bool:
        return self.error is None and self.skipped is None

    @property
    def acceptable(self) -> bool:
        return self.checked and all(r.acceptable for r in self.rows)



def report_from_json(note: object) -> MachineReport | None:
    """A report kept by :func:`~bootspec.sweep.run.check_machine`, or None for no note or
    a foreign one."""
    try:
        d = dict(note)  # type: ignore[call-overload]
        rep = MachineReport(
            d["file"], d["description"], tuple(d["kinds"]),
            tuple(BoundInfo(**b) for b in d["bound"]),
            tuple(Row(**{**r, "placement": tuple(Placed(**p) for p in r["placement"]),
                         "params": tuple((a, b) for a, b in r["params"]),
                         "path": tuple(r["path"]),
                         "config": tuple((a, b) for a, b in r["config"])})
                  for r in d["rows"]),
            tuple(d["notes"]), d["seconds"], inputs=tuple(d["inputs"]))
    except (KeyError, TypeError, ValueError):
        return None
    parts = [rep, *rep.bound, *rep.rows, *(p for r in rep.rows for p in r.placement)]
    ok = all(_typed(x) for x in parts) and all(isinstance(x, str) for x in rep.kinds) and \
        all(isinstance(x, str) for x in rep.notes) and \
        all(isinstance(x, str) for r in rep.rows for pair in r.params for x in pair) and \
        all(isinstance(x, str) for r in rep.rows for pair in r.config for x in pair) and \
        all(isinstance(x, str) for r in rep.rows for x in r.path) and \
        all(isinstance(x, str) for x in rep.inputs)
    return rep if ok else None


def _typed(obj: object) -> bool:
    """Whether each field of a dataclass holds a value of its declared type (a tuple
    field: a tuple, whose items the caller checks; a float field may hold an int)."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        want = hints[f.name]
        origin = typing.get_origin(want)
        if origin is not None and origin not in (types.UnionType, typing.Union):
            want = origin  # tuple[...] -> tuple
        elif want is float:
            want = float | int
        v = getattr(obj, f.name)
        if not isinstance(v, want) or (isinstance(v, bool) and want is int):
            return False
    return True


