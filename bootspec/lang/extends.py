"""Design changes: ``model B extends A`` flattened into one standalone model.

Part of pass 2 (*resolve*). A declaration in B with the name of one in A replaces
it; under ``stage S`` of A, ``replace ACTION`` swaps A's action of the same kind
on the same name, ``delete KIND NAME`` removes one, other lines are appended, and
``after``/``when`` on B's stage header replace A's edges; ``delete stage S``
splices S out of the graph. Errors: BS106 (unknown base), BS110 (extends
cycle), BS111 (nothing to replace or delete).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from bootspec.diagnostics import Collector, did_you_mean
from bootspec.lang import ast as A


def _target_of(line: A.Line) -> tuple[str, str]:
    """The key (keyword, name) identifying an action for ``replace``, ``delete`` and
    ``insert`` (docs/language.md, "Design changes"); an unnamed assert or assume has
    the name ''."""
    kinds = {A.Place: ("place", "region"), A.Free: ("free", "region"),
             A.Reserve: ("reserve", "region"), A.Copy: ("copy", "dst"), A.Move: ("move", "region"),
             A.SetVar: ("set", "name"), A.AssertLine: ("assert", "name"),
             A.Assume: ("assume", "name"), A.PoolDecl: ("pool", "name")}
    if type(line) in kinds:
        kind, attr = kinds[type(line)]
        return kind, str(getattr(line, attr) or "")
    return type(line).__name__.lower(), ""


def _decl_name(d: A.Line) -> str | None:
    return getattr(d, "name", None)


def _same_kind(a: A.Line, b: A.Line) -> bool:
    """Whether a child's declaration replaces a base's of the same name: the same kind of
    line (a parameter replaces a parameter, whatever their domains)."""
    return type(a) is type(b) or (isinstance(a, A.Param) and isinstance(b, A.Param))


def flatten(models: dict[str, A.ModelAst], errors: Collector,
            unparsed: Collection[str] = ()) -> dict[str, A.ModelAst]:
    """Apply ``extends`` so each model stands alone. A model whose base is in
    ``unparsed`` (its file has a syntax error, already reported) is left out silently."""
    done: dict[str, A.ModelAst] = {}

    def get(name: str, chain: tuple[str, ...]) -> A.ModelAst | None:
        if name in done:
            return done[name]
        m = models[name]
        if m.base is None:
            done[name] = m
            return m
        if m.base not in models:
            if m.base in unparsed:
                return None
            errors.error("BS106", f"model '{name}' extends unknown model '{m.base}'", m.span,
                         did_you_mean(m.base, models))
            return None
        if m.base in chain:
            errors.error("BS110", f"model '{name}' extends itself through {' -> '.join(chain)}",
                         m.span)
            return None
        base = get(m.base, (*chain, name))
        if base is None:
            return None
        done[name] = _merge(base, m, errors)
        return done[name]

    for name in models:
        get(name, ())
    return done


def _merge(base: A.ModelAst, child: A.ModelAst, errors: Collector) -> A.ModelAst:
    decls = list(base.decls)
    dropped = {d.name for d in child.decls if isinstance(d, A.Delete) and d.kind == "stage"}
    # the base's expectations are inherited; the child's own override them by name
    decls = [dataclasses.replace(d, inherited=True) if isinstance(d, A.ExpectLine) else d
             for d in decls]
    for d in child.decls:
        if isinstance(d, A.Delete):
            if d.name not in {s.name for s in base.stages}:
                errors.error("BS111", f"nothing to delete: '{base.name}' has no stage "
                             f"'{d.name}'", d.span)
            continue
        name = _decl_name(d)
        idx = next((i for i, b in enumerate(decls)
                    if name is not None and _decl_name(b) == name and _same_kind(b, d)), None)
        if idx is None:
            decls.append(d)
        else:
            decls[idx] = d
    maps = {m.hdr.name: m for m in base.maps}
    for m in child.maps:
        maps[m.hdr.name] = m
    stages = {s.name: s for s in base.stages}
    for s in child.stages:
        if s.name not in stages:
            stages[s.name] = dataclasses.replace(s, body=tuple(
                b for b in s.body if not isinstance(b, A.Replace | A.Delete | A.Insert)))
            for b in s.body:
                if isinstance(b, A.Replace | A.Delete | A.Insert):
                    errors.error("BS111", f"'{kw_of(b)}' in stage '{s.name}', which the base model "
                                 f"'{base.name}' does not have", b.span)
            continue
        old = stages[s.name]
        body = list(old.body)
        for b in s.body:
            if isinstance(b, A.Replace):
                key = _target_of(b.action)
                idx = _one(body, key, b, s.name, base.name, errors)
                if idx is not None:
                    body[idx] = b.action
            elif isinstance(b, A.Delete) and b.kind == "stage":
                errors.error("BS111", "'delete stage' goes on its own line, outside a stage",
                             b.span)
            elif isinstance(b, A.Delete):
                idx = _one(body, (b.kind, b.name), b, s.name, base.name, errors)
                if idx is not None:
                    del body[idx]
            elif isinstance(b, A.Insert):
                idx = _one(body, (b.kind, b.name), b, s.name, base.name, errors)
                if idx is not None:
                    body.insert(idx if b.before else idx + 1, b.action)
            else:
                body.append(b)
        # each part of the header B gives replaces A's; a part B leaves out is A's
        after = s.after or old.after
        guard = s.guard if s.guard is not None else old.guard
        cite = "; ".join(c for c in (old.cite, s.cite) if c) or None
        stages[s.name] = A.StageAst(s.name, old.span, after, guard, tuple(body), cite, True)
    def splice(after: tuple[str, ...], seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        # a deleted stage's successors now come after its predecessors
        out: list[str] = []
        for a in after:
            if a in dropped and a in stages and a not in seen:
                out.extend(splice(stages[a].after, seen | {a}))
            elif a not in dropped:
                out.append(a)
        return tuple(dict.fromkeys(out))

    kept = [dataclasses.replace(s, after=splice(s.after))
            for s in stages.values() if s.name not in dropped]
    return A.ModelAst(child.name, child.base, child.span, child.width or base.width,
                      base.cites + child.cites, tuple(decls), tuple(maps.values()), tuple(kept))


def _one(body: list[A.Line], key: tuple[str, str], edit: A.Line, stage: str, base: str,
         errors: Collector) -> int | None:
    """The index of the one action of ``body`` with ``key``; BS111 when there is none,
    BS128 (naming every match) when there are several."""
    kind, name = key
    what = f"{kind} {name}".strip()
    if not name and kind in ("assert", "assume"):
        errors.error("BS111", f"an unnamed {kind} cannot be edited", edit.span,
                     f"name it in the base ('{kind} NAME: ...') and use that name")
        return None
    hits = [i for i, x in enumerate(body) if _target_of(x) == key]
    if not hits:
        errors.error("BS111", f"nothing to {kw_of(edit)}: stage '{stage}' of '{base}' has no "
                     f"'{what}'", edit.span)
        return None
    if len(hits) > 1:
        lines = ", ".join(str(body[i].span.line) for i in hits)
        errors.error("BS128", f"'{kw_of(edit)} {what}' is ambiguous: stage '{stage}' of "
                     f"'{base}' has {len(hits)} such actions (lines {lines})", edit.span,
                     "name the assert or assume, or edit the base so the actions differ",
                     notes=[(body[i].span, f"'{what}' here") for i in hits])
        return None
    return hits[0]


def kw_of(line: A.Line) -> str:
    if isinstance(line, A.Insert):
        return "insert"
    return "replace" if isinstance(line, A.Replace) else "delete"
