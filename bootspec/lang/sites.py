"""Finding sites and property conjuncts: two syntax-level facts every later pass shares.

A *finding site* (docs/language.md, "Findings") is a place in a model where a run
can go wrong: ``wrap@L12`` (arithmetic on line 12 leaves [0, 2^width]),
``region@L12`` (a region made on line 12 is inverted or leaves the address space)
and ``fits@L12`` (the placement on line 12 finds no room). A line of another file
(inherited through ``extends``) is written ``KIND@FILE:L12``.

A property's *conjuncts* (docs/language.md, "Conjuncts and lifetimes") are the
parts checked on their own, each where its own regions are live.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import PurePath

from bootspec.diagnostics import Span
from bootspec.lang import ast as A
from bootspec.lang.vocab import SITE_KINDS as SITE_KINDS
from bootspec.lang.vocab import SiteKind


def site_name(kind: SiteKind, span: Span, model_path: str) -> str:
    """``wrap@L12``, or ``wrap@base.boot:L12`` for a line in another file than the model's.

    >>> site_name("fits", Span("m/a.boot", 12, 3), "m/a.boot")
    'fits@L12'
    >>> site_name("wrap", Span("m/a.boot", 7, 1), "m/b.boot")
    'wrap@a.boot:L7'
    """
    if span.path == model_path:
        return f"{kind}@L{span.line}"
    return f"{kind}@{PurePath(span.path).name}:L{span.line}"


def has_arith(e: object) -> bool:
    """Whether an expression (or clause, policy) holds an operation that can wrap."""
    if isinstance(e, A.BinOp | A.BitNot):
        return True
    if isinstance(e, A.Call) and e.fn == "align_up":
        return True
    if isinstance(e, A.Aggregate) and e.kind == "sum":
        return True
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        for f in dataclasses.fields(e):
            if f.name == "span":
                continue
            v = getattr(e, f.name)
            for item in v if isinstance(v, tuple) else (v,):
                if isinstance(item, A.Expr | A.Clause | A.Policy | A.RangeLit) and has_arith(item):
                    return True
    return False


def _fallible(policies: tuple[A.Policy, ...]) -> bool:
    return bool(policies) and isinstance(policies[-1], A.Fit)


def line_sites(line: A.Line) -> list[SiteKind]:
    """The kinds of finding site a model line carries (stage actions, global
    declarations, assumptions; not asserts: those are obligations of their own)."""
    kinds: list[SiteKind] = []
    if isinstance(line, A.AssertLine):
        return kinds
    pooled = isinstance(line, A.Place | A.Copy | A.Move) and \
        any(isinstance(p, A.FromPool) for p in line.policies)
    if isinstance(line, A.Place | A.Copy | A.Move | A.SetVar | A.Assume | A.PoolDecl |
                  A.RegionDecl | A.VarDecl) and (has_arith(line) or pooled):
        kinds.append("wrap")
    if isinstance(line, A.Place | A.Copy | A.Move | A.PoolDecl | A.RegionDecl):
        kinds.append("region")
    if isinstance(line, A.Place | A.Copy | A.Move) and _fallible(line.policies):
        kinds.append("fits")
    return kinds


def model_sites(regions: tuple[A.RegionDecl, ...], pools: tuple[A.PoolDecl, ...],
                vars_: tuple[A.VarDecl, ...], assumes: tuple[A.Assume, ...],
                stages: Iterator[tuple[A.Expr | None, Span, tuple[A.Line, ...]]],
                model_path: str) -> dict[str, Span]:
    """Every finding site of a model, with the span of the line it is on, in model order."""
    out: dict[str, Span] = {}
    for d in (*regions, *pools, *vars_, *assumes):
        for k in line_sites(d):
            out.setdefault(site_name(k, d.span, model_path), d.span)
    for guard, span, body in stages:
        if guard is not None and has_arith(guard):
            out.setdefault(site_name("wrap", span, model_path), span)
        for b in body:
            for k in line_sites(b):
                out.setdefault(site_name(k, b.span, model_path), b.span)
    return out


def describe_site(name: str, width: int) -> str:
    """What a finding site promises when it holds (for reports).

    >>> describe_site("fits@L12", 32)
    'the placement on line 12 finds room'
    >>> describe_site("wrap@base.boot:L3", 64)
    'no arithmetic on line 3 of base.boot leaves [0, 2^64]'
    """
    kind, where = name.split("@", 1)
    file, _, line = where.rpartition(":")
    at = f"line {line[1:]}" + (f" of {file}" if file else "")
    if kind == "fits":
        return f"the placement on {at} finds room"
    if kind == "wrap":
        return f"no arithmetic on {at} leaves [0, 2^{width}]"
    return f"the region made on {at} is in order inside the {width}-bit address space"


# ---------------------------------------------------------------- conjuncts


def conjuncts(e: A.Expr) -> list[A.Expr]:
    """A property split into the parts checked on their own: ``and`` splits, an n-ary
    ``disjoint`` of regions splits into its pairs, and an ``implies`` distributes over a
    consequent that splits.

    >>> from bootspec.lang.parser import parse_text
    >>> f = parse_text("proof p\\n  for m expect holds\\n"
    ...                "  always disjoint(a, b, c) and x > 1\\n", "p")
    >>> [type(c).__name__ for c in conjuncts(f.proofs[0].property.pred)]
    ['Call', 'Call', 'Call', 'Compare']
    """
    if isinstance(e, A.BoolOp) and e.op == "and":
        return [c for x in e.operands for c in conjuncts(x)]
    if isinstance(e, A.Call) and e.fn == "disjoint" and len(e.args) > 2 and \
            not any(isinstance(a, A.MapTypes) for a in e.args):
        return [A.Call(e.span, "disjoint", (e.args[i], e.args[j]))
                for i in range(len(e.args)) for j in range(i + 1, len(e.args))]
    if isinstance(e, A.BoolOp) and e.op == "implies":
        parts = conjuncts(e.operands[1])
        if len(parts) > 1:
            return [A.BoolOp(e.span, "implies", (e.operands[0], p)) for p in parts]
    return [e]


def atoms(e: A.Expr) -> list[A.Expr]:
    """The predicates and comparisons a formula combines with not/and/or/implies/if (an
    n-ary ``disjoint`` counts as its pairs)."""
    if isinstance(e, A.Not):
        return atoms(e.operand)
    if isinstance(e, A.BoolOp):
        return [a for x in e.operands for a in atoms(x)]
    if isinstance(e, A.Ite) and _is_boolish(e):
        return [*atoms(e.cond), *atoms(e.then), *atoms(e.other)]
    if isinstance(e, A.Call) and e.fn == "disjoint" and len(e.args) > 2 and \
            not any(isinstance(a, A.MapTypes) for a in e.args):
        return conjuncts(e)
    return [e]


def _is_boolish(e: A.Ite) -> bool:
    return any(isinstance(x, A.Compare | A.Call | A.BoolOp | A.Not | A.BoolLit)
               for x in (e.then, e.other))


def unparse(e: A.Expr, ctx: int = 0) -> str:
    """An expression as bootspec text (for messages), parenthesised only where needed.

    >>> from bootspec.lang.parser import parse_text
    >>> f = parse_text("proof p\\n  for m expect holds\\n"
    ...                "  always x + 1 <= 2 or not (f and g)\\n", "p")
    >>> unparse(f.proofs[0].property.pred)
    'x + 1 <= 2 or not (f and g)'
    """
    level, text = _unparse(e)
    return f"({text})" if level < ctx else text


_LEVEL = {"union": 1, "minus": 2, "implies": 3, "or": 4, "and": 5, "|": 7, "^": 8, "&": 9,
          "==": 10, "!=": 10, "<": 11, "<=": 11, ">": 11, ">=": 11, "<<": 12, ">>": 12,
          "+": 13, "-": 13, "*": 14, "/": 14, "%": 14}
_ATOM = 16


def _unparse(e: A.Expr) -> tuple[int, str]:
    if isinstance(e, A.Num):
        return _ATOM, f"{e.value:#x}" if e.value >= 4096 else str(e.value)
    if isinstance(e, A.BoolLit):
        return _ATOM, "true" if e.value else "false"
    if isinstance(e, A.Name):
        return _ATOM, e.id
    if isinstance(e, A.Attr):
        return _ATOM, f"{e.base}.{e.field}"
    if isinstance(e, A.BinOp | A.Compare):
        lv = _LEVEL[e.op]
        return lv, f"{unparse(e.left, lv)} {e.op} {unparse(e.right, lv + 1)}"
    if isinstance(e, A.Not):
        return 6, f"not {unparse(e.operand, 6)}"
    if isinstance(e, A.BitNot):
        return 15, f"~{unparse(e.operand, 15)}"
    if isinstance(e, A.BoolOp):
        lv = _LEVEL[e.op]
        return lv, f" {e.op} ".join(unparse(x, lv + 1) for x in e.operands)
    if isinstance(e, A.RegionSet):
        lv = _LEVEL[e.op]
        return lv, f"{unparse(e.left, lv)} {e.op} {unparse(e.right, lv + 1)}"
    if isinstance(e, A.Ite):
        return 0, f"if {unparse(e.cond)} then {unparse(e.then)} else {unparse(e.other)}"
    if isinstance(e, A.Quant):
        dom = (unparse(e.range) if e.range is not None else
               e.map or "") + (f" types {{{', '.join(e.types)}}}" if e.types else "")
        return 0, f"{e.kind} {e.var} in {dom}: {unparse(e.body)}"
    if isinstance(e, A.Aggregate):
        dom = e.map + (f" types {{{', '.join(e.types)}}}" if e.types else "")
        where = f" where {unparse(e.where)}" if e.where is not None else ""
        head = f"{unparse(e.value)} for " if e.value is not None else ""
        return _ATOM, f"{e.kind}({head}{e.var} in {dom}{where})"
    if isinstance(e, A.Call):
        return _ATOM, f"{e.fn}({', '.join(unparse(a) for a in e.args)})"
    if isinstance(e, A.RangeLit):
        return _ATOM, f"[{unparse(e.lo)}, {unparse(e.hi)}{']' if e.inclusive else ')'}"
    if isinstance(e, A.MapTypes):
        return _ATOM, f"{e.map} types {{{', '.join(e.types)}}}"
    return _ATOM, "?"
