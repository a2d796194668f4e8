"""The closed vocabularies of bootspec: every kind a field can take, as a ``Literal``.

A field typed with one of these can only hold a listed word, a comparison with a word
that is not listed is a type error (``mypy --strict`` has strict equality), and a
dispatch over one ends in ``typing.assert_never`` so a forgotten branch is a type error
too. JSON output writes the same words as before: they are plain strings at run time.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, TypeGuard, TypeVar, get_args

#: what an obligation can come out as (docs/language.md, "Verdicts")
Status: TypeAlias = Literal["holds", "violated", "unknown", "vacuous"]
#: what a single solver query answers
Answer: TypeAlias = Literal["sat", "unsat", "unknown"]
#: the four kinds of obligation (docs/language.md, "Findings", "Proofs")
ObligationKind: TypeAlias = Literal["proof", "wellformed", "site", "assert"]
#: a proof's scope as written; a finding site is checked at its own line ("sites")
Scope: TypeAlias = Literal["always", "during", "after", "end"]
TargetScope: TypeAlias = Literal["always", "during", "after", "end", "sites"]
#: the events of a path
EventKind: TypeAlias = Literal["init", "enter", "act", "end"]
#: a parameter's domain
ParamKind: TypeAlias = Literal["range", "set", "bool", "enum"]
#: how a map's entries are given
MapSource: TypeAlias = Literal["symbolic", "concrete", "file", "derived"]
#: the memory-map kinds (their type names: bootspec.memtypes)
MapKind: TypeAlias = Literal["e820", "efi"]
#: what a name stands for in a model
SymbolKind: TypeAlias = Literal["const", "param", "var", "region", "pool", "map", "stage",
                                "enumval"]
#: the finding sites (docs/language.md, "Findings")
SiteKind: TypeAlias = Literal["wrap", "region", "fits"]

STATUSES: tuple[Status, ...] = get_args(Status)
SCOPES: tuple[Scope, ...] = get_args(Scope)
PARAM_KINDS: tuple[ParamKind, ...] = get_args(ParamKind)
MAP_KINDS: tuple[MapKind, ...] = get_args(MapKind)
SITE_KINDS: tuple[SiteKind, ...] = get_args(SiteKind)

W = TypeVar("W", bound=str)


def one_of(word: str, words: tuple[W, ...]) -> TypeGuard[W]:
    """Whether ``word`` is one of ``words`` (narrows it to that vocabulary)."""
    return word in words


def as_status(word: str) -> Status:
    """A verdict word the grammar has already restricted (``VERDICT`` token)."""
    if one_of(word, STATUSES):
        return word
    raise ValueError(f"not a verdict: {word!r}")
