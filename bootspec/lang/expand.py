"""Part of pass 2 (*resolve*): repetition written once, expanded into the lines it stands for.

Needs: a flattened model (``extends`` applied) and its constants.
Guarantees: no ``for`` block, ``use`` line or integer quantifier is left; loop
variables are replaced by their values, indexed names (``stack[cpu]``) by the
names of one repetition (``stack[3]``), fragment parameters by their arguments;
every repeated line keeps its span and records which repetition it is
(``Line.rep``) (docs/language.md, "Repetition: for and fragments").
Errors: BS101 (unknown fragment), BS108 (a bound or an index that is not
constant), BS110 (a fragment that uses itself), BS117 (arity, too many repetitions).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from bootspec.diagnostics import Collector, Span, did_you_mean
from bootspec.lang import ast as A

MAX_REPEAT = 4096
#: lines every loop and fragment of one model write out together (nested loops and
#: fragments that use fragments multiply: 39 levels of two uses each are 2^39 lines)
MAX_WRITTEN = 50_000
_INDEXED = re.compile(r"\A([A-Za-z_][A-Za-z0-9_]*)\[(.+)\]\Z")

# fields that hold a name a fragment argument or an index can stand for
_NAME_FIELDS: dict[type, tuple[str, ...]] = {
    A.Place: ("region",), A.Free: ("region",), A.Reserve: ("region", "map"),
    A.Copy: ("src", "dst"), A.Move: ("region",), A.SetVar: ("name",), A.PoolDecl: ("name",),
    A.FromPool: ("pool",), A.Within: ("region",), A.InMap: ("map",), A.Convert: ("map",),
    A.Translate: ("src", "dst"),
    A.Name: ("id",), A.Attr: ("base",), A.MapTypes: ("map",), A.Quant: ("map",),
    A.Aggregate: ("map",),
}

Fold = Callable[[A.Expr], "int | None"]


class Expander:
    """Expands one model. ``fold`` folds a constant expression (numbers and consts)."""

    def __init__(self, fold: Fold, fragments: Mapping[str, A.FragmentDecl], errors: Collector):
        self.fold, self.fragments, self.errors = fold, fragments, errors
        self.uses = 0  # each use of a fragment is a repetition of its own
        self.written = 0  # lines written out so far (MAX_WRITTEN)

    # -- values
    def const(self, e: A.Expr, env: Mapping[str, int], what: str,
              args: Mapping[str, A.Expr] | None = None) -> int | None:
        """``e`` folded to a number once the variables of the enclosing loops (``env``)
        and the fragment's parameters (``args``) are replaced."""
        v = self.fold(self.subst_expr(e, env, args or {}))
        if v is None:
            self.errors.error("BS108", f"{what} must be a constant expression", e.span,
                              "use numbers, consts, the variables of enclosing 'for' loops "
                              "and the parameters of a fragment")
        return v

    def bounds(self, rng: A.RangeLit, env: Mapping[str, int], span: Span) -> range | None:
        lo = self.const(rng.lo, env, "a loop bound")
        hi = self.const(rng.hi, env, "a loop bound")
        if lo is None or hi is None:
            return None
        if rng.inclusive:
            hi += 1
        if hi - lo > MAX_REPEAT:
            self.errors.error("BS117", f"{hi - lo} repetitions; at most {MAX_REPEAT}", span,
                              "a loop stands for its lines written out: keep it small")
            return None
        return range(lo, max(lo, hi))

    def name(self, s: str, env: Mapping[str, int], args: Mapping[str, A.Expr], span: Span
             ) -> str:
        """A name after substitution: a fragment parameter -> its argument's name; an
        indexed name -> the name of one repetition."""
        if s in args:
            arg = args[s]
            if isinstance(arg, A.Name):
                return arg.id
            self.errors.error("BS103", f"'{s}' is used as a name here, so its argument must be "
                              "a name", arg.span)
            return s
        m = _INDEXED.match(s)
        if m is None:
            return s
        from bootspec.lang.parser import parse_expr

        try:
            index = parse_expr(m.group(2), span)
        except ValueError:
            self.errors.error("BS100", f"cannot read the index of '{s}'", span)
            return s
        v = self.const(index, env, f"the index of '{s}'", args)
        return f"{m.group(1)}[{v}]" if v is not None else s

    # -- substitution
    def subst_expr(self, e: A.Expr, env: Mapping[str, int], args: Mapping[str, A.Expr]
                   ) -> A.Expr:
        out = self.subst(e, env, args)
        assert not isinstance(out, tuple)
        return out  # type: ignore[no-any-return]

    def subst(self, node: Any, env: Mapping[str, int], args: Mapping[str, A.Expr]) -> Any:
        if isinstance(node, tuple):
            return tuple(self.subst(x, env, args) for x in node)
        if isinstance(node, A.Name):
            if node.id in env:
                return A.Num(node.span, env[node.id])
            if node.id in args:
                return args[node.id]
            return dataclasses.replace(node, id=self.name(node.id, env, args, node.span))
        if isinstance(node, A.Quant) and node.range is not None:
            return self.quant(node, env, args)
        if isinstance(node, A.Quant | A.Aggregate):  # a bound variable shadows
            inner = {k: v for k, v in env.items() if k != node.var}
            inner_args = {k: v for k, v in args.items() if k != node.var}
            return self._fields(node, inner, inner_args)
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            return self._fields(node, env, args)
        return node

    def _fields(self, node: Any, env: Mapping[str, int], args: Mapping[str, A.Expr]) -> Any:
        names = _NAME_FIELDS.get(type(node), ())
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(node):
            if f.name in ("span", "cite", "rep"):
                continue
            v = getattr(node, f.name)
            if f.name in names and isinstance(v, str):
                nv: Any = self.name(v, env, args, node.span)
            elif isinstance(node, A.Avoid) and f.name == "names":
                nv = tuple(self.name(x, env, args, node.span) for x in v)
            else:
                nv = self.subst(v, env, args)
            if nv is not v:
                changes[f.name] = nv
        return dataclasses.replace(node, **changes) if changes else node

    def quant(self, q: A.Quant, env: Mapping[str, int], args: Mapping[str, A.Expr]) -> A.Expr:
        """``forall i in [A, B): p`` -> the conjunction of p for each i (``exists``: the
        disjunction); an empty range gives true (false)."""
        assert q.range is not None
        vals = self.bounds(q.range, env, q.span)
        if vals is None:
            return A.BoolLit(q.span, q.kind == "forall")
        parts = [self.subst_expr(q.body, {**env, q.var: v}, args) for v in vals]
        if not parts:
            return A.BoolLit(q.span, q.kind == "forall")
        if len(parts) == 1:
            return parts[0]
        return A.BoolOp(q.span, "and" if q.kind == "forall" else "or", tuple(parts))

    # -- lines
    def body(self, lines: tuple[A.Line, ...], env: Mapping[str, int],
             args: Mapping[str, A.Expr], rep: tuple[int, ...], chain: tuple[str, ...]
             ) -> list[A.Line]:
        out: list[A.Line] = []
        for ln in lines:
            if self.written > MAX_WRITTEN:
                return out  # said once, where the count went over (below)
            if isinstance(ln, A.ForBlock):
                vals = self.bounds(ln.range, env, ln.span)
                for v in vals or ():
                    out += self.body(ln.body, {**env, ln.var: v}, args, (*rep, v), chain)
            elif isinstance(ln, A.Use):
                out += self.use(ln, env, args, rep, chain)
            else:
                new = self.subst(ln, env, args)
                if rep:
                    new = dataclasses.replace(new, rep=rep)
                    if isinstance(new, A.AssertLine | A.Assume) and new.name:
                        # a named assert or assume repeated: one name per repetition
                        new = dataclasses.replace(new, name=new.name + "".join(
                            f"[{v}]" for v in rep))
                out.append(new)
                self.written += 1
                if self.written > MAX_WRITTEN:
                    self.errors.error(
                        "BS117", f"the loops and fragments write out more than {MAX_WRITTEN:,} "
                        "lines", ln.span, "nested loops and fragments multiply: keep the "
                        "repetitions small, or model a representative few")
        return out

    def use(self, u: A.Use, env: Mapping[str, int], args: Mapping[str, A.Expr],
            rep: tuple[int, ...], chain: tuple[str, ...]) -> list[A.Line]:
        frag = self.fragments.get(u.name)
        if frag is None:
            self.errors.error("BS101", f"unknown fragment '{u.name}'", u.span,
                              did_you_mean(u.name, self.fragments))
            return []
        if u.name in chain:
            self.errors.error("BS110", f"fragment '{u.name}' uses itself through "
                              f"{' -> '.join((*chain, u.name))}", u.span)
            return []
        if len(u.args) != len(frag.params):
            self.errors.error("BS117", f"fragment '{u.name}' takes {len(frag.params)} "
                              f"argument(s), not {len(u.args)}", u.span,
                              f"its parameters: {', '.join(frag.params) or 'none'}")
            return []
        given = {p: self.subst_expr(a, env, args) for p, a in zip(frag.params, u.args,
                                                                  strict=True)}
        self.uses += 1
        return self.body(frag.body, {}, given, (*rep, self.uses), (*chain, u.name))


def expand_model(m: A.ModelAst, fold: Fold, errors: Collector) -> A.ModelAst:
    """The model with every stage's ``for`` blocks and ``use`` lines written out and every
    integer quantifier and indexed name expanded (stages and declarations)."""
    fragments: dict[str, A.FragmentDecl] = {}
    for d in m.decls:
        if isinstance(d, A.FragmentDecl):
            if d.name in fragments:
                errors.error("BS102", f"fragment '{d.name}' is defined twice", d.span)
            fragments[d.name] = d
    ex = Expander(fold, fragments, errors)
    stages = []
    for st in m.stages:
        body = tuple(ex.body(st.body, {}, {}, (), ()))
        guard = ex.subst_expr(st.guard, {}, {}) if st.guard is not None else None
        stages.append(dataclasses.replace(st, body=body, guard=guard))
    decls = tuple(d if isinstance(d, A.FragmentDecl | A.Const | A.Delete | A.ExpectLine)
                  else ex.subst(d, {}, {}) for d in m.decls)
    return dataclasses.replace(m, stages=tuple(stages), decls=decls)


def expand_pred(e: A.Expr, fold: Fold, errors: Collector) -> A.Expr:
    """A property with its integer quantifiers and indexed names expanded."""
    return Expander(fold, {}, errors).subst_expr(e, {}, {})
