"""Every construct the language gained for real boot code (map reasoning, C arithmetic,
repetition) has at least one use in the shipped models and proofs, found in their parsed
syntax trees (not by searching the text), so that removing the last use fails here.

Each entry of CONSTRUCTS names a construct and a test of one syntax node (or, for the
few that need context, of the line holding it). A construct listed in LEFT_OUT has no
shipped use, with the reason; it must really have none (so the list stays honest)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from helpers import REPO

from bootspec.lang import ast as A
from bootspec.lang.parser import parse_text, read_source
from bootspec.pipeline import discover

FILES = discover([str(REPO / "models"), str(REPO / "proofs")])
TREES = [parse_text(read_source(f), str(f)) for f in FILES]


def _nodes(value: object) -> Iterator[object]:
    """Every dataclass node below ``value`` (itself included), depth first."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for f in dataclasses.fields(value):
            yield from _nodes(getattr(value, f.name))
    elif isinstance(value, tuple):
        for v in value:
            yield from _nodes(v)


def _all() -> list[object]:
    return [n for t in TREES for n in _nodes(t)]


NODES = _all()
# the names declared by 'const' lines: an operand that reads only these (and numbers)
# is a constant; one that reads anything else (a parameter, a variable, a region's
# bounds, an entry's fields) is symbolic
CONSTS = {n.name for n in NODES if isinstance(n, A.Const)}


def _symbolic(e: object) -> bool:
    return any((isinstance(n, A.Name) and n.id not in CONSTS) or isinstance(n, A.Attr)
               for n in _nodes(e))


def _over_map(n: object) -> bool:
    """A predicate that reads a map's contents."""
    return (isinstance(n, A.MapTypes) or (isinstance(n, A.Quant) and n.map is not None)
            or isinstance(n, A.Aggregate))


def _holds_map_predicate(n: object, container: type) -> bool:
    return isinstance(n, container) and any(_over_map(m) for m in _nodes(n))


def _binop(op: str) -> Callable[[object], bool]:
    return lambda n: isinstance(n, A.BinOp) and n.op == op


CONSTRUCTS: dict[str, Callable[[object], bool]] = {
    # (1) assumptions about a symbolic map's contents
    "map predicate in an assume": lambda n: _holds_map_predicate(n, A.Assume),
    "map predicate under implies": lambda n: (
        isinstance(n, A.BoolOp) and n.op == "implies" and any(_over_map(m) for m in _nodes(n))),
    # (2) quantifiers and aggregates over map entries
    "forall over a map": lambda n: isinstance(n, A.Quant) and n.kind == "forall"
    and n.map is not None,
    "exists over a map": lambda n: isinstance(n, A.Quant) and n.kind == "exists"
    and n.map is not None,
    "count(...)": lambda n: isinstance(n, A.Aggregate) and n.kind == "count",
    "sum(...)": lambda n: isinstance(n, A.Aggregate) and n.kind == "sum",
    # (3) per-entry first-fit conditions
    "in MAP types {..} where PRED": lambda n: isinstance(n, A.InMap) and n.where is not None,
    # (4) whole-map transformations and region sets
    "convert": lambda n: isinstance(n, A.Convert),
    "translate": lambda n: isinstance(n, A.Translate),
    "derived map": lambda n: isinstance(n, A.MapHdr) and n.source == "derived",
    "union": lambda n: isinstance(n, A.RegionSet) and n.op == "union",
    "minus": lambda n: isinstance(n, A.RegionSet) and n.op == "minus",
    # (5) entry attributes
    "attrs on a symbolic map": lambda n: isinstance(n, A.MapHdr) and n.source == "symbolic"
    and bool(n.attrs),
    "an entry's attrs read": lambda n: isinstance(n, A.Attr) and n.field == "attrs",
    # (6) C arithmetic
    "&": _binop("&"),
    "|": _binop("|"),
    "^": _binop("^"),
    "~": lambda n: isinstance(n, A.BitNot),
    "<<": _binop("<<"),
    ">>": _binop(">>"),
    "u8..u64()": lambda n: isinstance(n, A.Call) and n.fn in ("u8", "u16", "u32", "u64"),
    "symbolic * or / symbolic": lambda n: isinstance(n, A.BinOp) and n.op in ("*", "/")
    and _symbolic(n.left) and _symbolic(n.right),
    # (7) repetition
    "for loop in a stage": lambda n: isinstance(n, A.ForBlock),
    "fragment": lambda n: isinstance(n, A.FragmentDecl),
    "use": lambda n: isinstance(n, A.Use),
}

# Constructs with no shipped use, and why. Every other construct must have one.
LEFT_OUT = {
    "^": "none of the boot code modelled computes a layout with exclusive or (Xen's "
         "setup.c, efi-boot.h, dom0_build.c and hvmloader, EDK2's PEI and DXE memory code "
         "use it only for version and flag checks)",
}


@pytest.mark.parametrize("construct", sorted(CONSTRUCTS))
def test_every_construct_has_a_shipped_use(construct: str) -> None:
    used = any(CONSTRUCTS[construct](n) for n in NODES)
    if construct in LEFT_OUT:
        assert not used, f"'{construct}' has a shipped use now: take it out of LEFT_OUT"
        pytest.skip(f"no shipped use of '{construct}': {LEFT_OUT[construct]}")
    assert used, (f"no shipped model or proof uses '{construct}' any more; every construct "
                  "needs one use in real, cited boot code (or a reason in LEFT_OUT)")


def test_the_walk_sees_the_whole_tree() -> None:
    # a construct nested in a stage, a loop, a fragment, a proof property and an
    # extends edit is reached: the walk is not limited to one level
    assert TREES and all(isinstance(t, A.FileAst) for t in TREES)
    kinds = {type(n) for n in NODES}
    assert {A.ForBlock, A.FragmentDecl, A.Property, A.Replace, A.InMap} <= kinds


def test_left_out_names_only_known_constructs() -> None:
    assert set(LEFT_OUT) <= set(CONSTRUCTS)
