"""What ``bootspec diff`` reports: how each (model, property) verdict moved between two
versions of the models and proofs. Pure values and one pure function,
:func:`compare`; loading the versions and running the checks is
:mod:`bootspec.diffing`.

Kinds of change, in the order they are reported:

=========  ==============================================================
worse      the base verdict was ``holds``, the head one is ``violated``,
           ``unknown`` or ``vacuous`` (a proof of nothing)
new        the property (or the model) exists only in the head
better     the base verdict was ``violated`` (or unknown), the head one ``holds``
changed    any other verdict change (e.g. ``violated`` -> ``vacuous``)
removed    the property (or the model) exists only in the base
=========  ==============================================================

A change is a **regression** (``bootspec diff`` exits 1) when it is *worse*, or
when it is *new* and its verdict is ``violated`` or ``unknown`` against its
expectation. Everything else exits 0: a diff that only fixes, adds passing
properties or removes properties does not fail a pipeline.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Sequence

from bootspec.report.view import Item, Meta

KINDS = ("worse", "new", "better", "changed", "removed")


@dataclasses.dataclass(frozen=True)
class Version:
    """One side of a diff: what the user named, the commit it resolved to (for a git
    revision) and the sources' hash."""

    label: str
    commit: str | None
    meta: Meta


@dataclasses.dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    model: str
    property: str
    base: Item | None
    head: Item | None

    @builtins.property
    def regression(self) -> bool:
        if self.kind == "worse":
            return True
        return (self.kind == "new" and self.head is not None
                and self.head.verdict in ("violated", "unknown")
                and self.head.verdict != self.head.expected)

    @builtins.property
    def arrow(self) -> str:
        """``holds -> violated``, ``(new) -> violated``, ``holds -> (removed)``."""
        a = self.base.verdict if self.base else "(new)"
        b = self.head.verdict if self.head else "(removed)"
        return f"{a} -> {b}"


@dataclasses.dataclass(frozen=True)
class DiffView:
    base: Version
    head: Version
    changes: tuple[Change, ...]
    unchanged: int

    @builtins.property
    def regressions(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.regression)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def _kind(base: Item, head: Item) -> str | None:
    if base.verdict == head.verdict:
        return None
    if base.verdict == "holds" and head.verdict in ("violated", "unknown", "vacuous"):
        return "worse"  # a vacuous proof proves nothing: losing a real proof is worse
    if head.verdict == "holds" and base.verdict in ("violated", "unknown"):
        return "better"
    return "changed"


def compare(base: Version, head: Version, base_items: Sequence[Item],
            head_items: Sequence[Item]) -> DiffView:
    """Pair the items by (model, property) and classify every verdict that moved."""
    b = {i.key: i for i in base_items}
    h = {i.key: i for i in head_items}
    changes: list[Change] = []
    unchanged = 0
    for key in sorted(set(b) | set(h)):
        bi, hi = b.get(key), h.get(key)
        if bi is None:
            kind: str | None = "new"
        elif hi is None:
            kind = "removed"
        else:
            kind = _kind(bi, hi)
        if kind is None:
            unchanged += 1
            continue
        changes.append(Change(kind, key[0], key[1], bi, hi))
    changes.sort(key=lambda c: (KINDS.index(c.kind), c.model, c.property))
    return DiffView(base, head, tuple(changes), unchanged)
