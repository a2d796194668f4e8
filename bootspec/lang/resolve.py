"""Pass 2, *resolve*: FileAsts -> :class:`bootspec.lang.ir.Model` / ``Proof``.

Needs: parsed files (pass 1).
Guarantees: ``extends`` is flattened (a child's declaration replaces its
parent's of the same name; ``replace``/``delete`` edit the parent's stage
actions); every name is defined; every expression has the type its position
wants; constants are folded; parameter domains are non-empty; the stage graph
is acyclic; proofs name models that exist.
Errors: BS102-BS116, BS119-BS125 (see ``bootspec explain-error``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import assert_never

from bootspec import memtypes
from bootspec.diagnostics import Collector, Span, did_you_mean, show_int
from bootspec.lang import ast as A
from bootspec.lang.expand import expand_model, expand_pred
from bootspec.lang.extends import flatten, kw_of
from bootspec.lang.ir import MapIR, Model, ParamIR, Proof, StageIR, Symbol, Target
from bootspec.lang.sites import model_sites
from bootspec.lang.stagegraph import StageGraph
from bootspec.lang.typecheck import ExprChecker
from bootspec.lang.vocab import MAP_KINDS, Status, one_of
from bootspec.memtypes import EFI_ATTR_BITS, attr_bit


class _ModelResolver(ExprChecker):
    """One model's declarations, stages and actions resolved into a :class:`Model`."""

    def resolve(self) -> Model | None:
        m = self.m
        n_before = len(self.errors.items)
        if m.width is None:
            self.errors.error("BS112", f"model '{m.name}' has no 'width' line", m.span,
                              "add 'width 32' (or 64) under the model header")
            width = 32
        else:
            width = m.width.bits
            if not 1 <= width <= 64:
                self.errors.error("BS107", f"width must be between 1 and 64, not {show_int(width)}",
                                  m.width.span)
                width = 32
        self.width = width
        top = 1 << width
        self.params = {}
        # consts first: loop bounds and indices are constant expressions over them
        for d in m.decls:
            if isinstance(d, A.Const):
                n_errors = len(self.errors.items)
                v = self.const_value(d.value, "a const")
                if v is not None and not 0 <= v <= max(top, 1 << 64) and \
                        len(self.errors.items) == n_errors:  # a step already said why
                    self.errors.error("BS107", f"const {d.name} = {show_int(v)} is out of range",
                                      d.span)
                self.define(d.name, "const", "int", d.span, v if v is not None else 0)
        # repetition written once ('for', 'use', integer quantifiers) -> the lines it is
        m = self.m = expand_model(m, self.fold, self.errors)
        # region names first, so any order of declaration works; stage names live in a
        # namespace of their own (stage efi when boot == efi is fine)
        for mp in m.maps:
            if mp.hdr.kind not in memtypes.TYPES_BY_KIND:
                self.errors.error("BS120", f"unknown map kind '{mp.hdr.kind}'", mp.hdr.span,
                                  "use e820 or efi")
                continue
            self.define(mp.hdr.name, "map", f"map:{mp.hdr.kind}", mp.hdr.span)
        for d in m.decls:
            if isinstance(d, A.RegionDecl):
                self.define(d.name, "region", "region", d.span)
            elif isinstance(d, A.PoolDecl):
                self.define(d.name, "pool", "region", d.span)
        for s in m.stages:
            for b in s.body:
                if isinstance(b, A.Place):
                    self.define(b.region, "region", "region", b.span)
                elif isinstance(b, A.Copy):
                    self.define(b.dst, "region", "region", b.span)
                elif isinstance(b, A.PoolDecl):
                    self.define(b.name, "pool", "region", b.span)
        # params, vars in order
        for d in m.decls:
            if isinstance(d, A.Param):
                self._param(d)
            elif isinstance(d, A.VarDecl):
                t = self.check(d.value, "bool" if d.is_flag else "int")
                self.define(d.name, "var", "bool" if d.is_flag else t, d.span)
        maps = {}
        for mp in m.maps:
            ir = self._map(mp, top)
            if ir is not None:
                maps[ir.name] = ir
        for d in m.decls:
            if isinstance(d, A.Assume):
                self.check(d.pred, "bool", polarity=0)
            elif isinstance(d, A.RegionDecl):
                self._region_decl(d)
            elif isinstance(d, A.PoolDecl):
                self.check(d.range, "region")
        stages = self._stages()
        if m.base is None:
            self.check_decl_deletes()
        expects: dict[str, tuple[Status, Span]] = {}
        asserts: list[tuple[str, str, A.AssertLine]] = []
        for sir in stages.values():
            for b in sir.body:
                if isinstance(b, A.AssertLine):
                    # a repeated unnamed assert: one obligation per repetition, as named ones
                    name = b.name or f"assert@{sir.name}:{b.span.line}" + "".join(
                        f"[{v}]" for v in b.rep)
                    asserts.append((name, sir.name, b))
        names = {"wellformed"} | {a[0] for a in asserts}
        sites = model_sites(
            tuple(d for d in m.decls if isinstance(d, A.RegionDecl)),
            tuple(d for d in m.decls if isinstance(d, A.PoolDecl)),
            tuple(d for d in m.decls if isinstance(d, A.VarDecl)),
            tuple(d for d in m.decls if isinstance(d, A.Assume)),
            ((st.guard, st.span, st.body) for st in stages.values()), self.path)
        expect_cites: dict[str, str | None] = {}
        for d in m.decls:
            if not isinstance(d, A.ExpectLine):
                continue
            if d.name == "wellformed" and d.verdict == "violated":
                listed = ", ".join(sites) or "none"
                self.errors.error("BS127", "'expect wellformed violated' would hide every "
                                  "finding but the known one: name the finding site instead",
                                  d.span, f"this model's sites: {listed} (the counterexample "
                                  "of 'bootspec explain wellformed -m MODEL' names the one "
                                  "that fails)")
                continue
            if "@" in d.name:
                if d.name not in sites:
                    if d.inherited:
                        continue  # the base's line is gone from this model: so is its expect
                    self.errors.error("BS127", f"'expect {d.name}': the model has no finding "
                                      f"site '{d.name}'", d.span,
                                      did_you_mean(d.name, sites) or
                                      f"its sites: {', '.join(sites) or 'none'}")
                    continue
                if d.verdict == "unknown":
                    self.errors.error("BS127", "a finding site is expected to hold, be "
                                      "violated or be vacuous", d.span)
            elif d.name not in names:
                self.errors.error("BS101", f"'expect {d.name}': the model has no obligation "
                                  f"'{d.name}'", d.span, did_you_mean(d.name, names))
            expects[d.name] = (d.verdict, d.span)
            expect_cites[d.name] = d.cite
        if len(self.errors.items) > n_before:
            return None
        return Model(m.name, m.span, width, m.base, m.cites, self.symbols,
                     tuple(self.params.values()),
                     tuple(d for d in m.decls if isinstance(d, A.Assume)),
                     tuple(d for d in m.decls if isinstance(d, A.RegionDecl)),
                     tuple(d for d in m.decls if isinstance(d, A.PoolDecl)),
                     tuple(d for d in m.decls if isinstance(d, A.VarDecl)),
                     maps, stages, expects, tuple(asserts), self.path, expect_cites)

    def _param(self, d: A.Param) -> None:
        if isinstance(d, A.BoolParam):
            self.params[d.name] = ParamIR(d.name, "bool", d.span, 0, 1, 1, (0, 1), cite=d.cite)
            self.define(d.name, "param", "bool", d.span)
            return
        if isinstance(d, A.EnumParam):
            if len(set(d.words)) != len(d.words):
                self.errors.error("BS102", "an enum lists a value twice", d.span)
            self.params[d.name] = ParamIR(d.name, "enum", d.span, 0, len(d.words) - 1, 1,
                                          tuple(range(len(d.words))), d.words, cite=d.cite)
            self.define(d.name, "param", f"enum:{d.name}", d.span)
            for i, word in enumerate(d.words):
                self.define(word, "enumval", f"enum:{d.name}", d.span, i)
            return
        if isinstance(d, A.SetParam):
            vals = [self.const_value(v, "a value in a parameter's set") for v in d.values]
            for v, x in zip(vals, d.values, strict=True):
                if v is not None and v < 0:
                    self.errors.error("BS105", f"parameter '{d.name}' lists {show_int(v)}; "
                                      "values are "
                                      "addresses and sizes, never negative", x.span)
            ints = tuple(sorted({v for v in vals if v is not None and v >= 0}))
            self.params[d.name] = ParamIR(d.name, "set", d.span, min(ints, default=0),
                                          max(ints, default=0), 1, ints, cite=d.cite)
            self.define(d.name, "param", "int", d.span)
            return
        if not isinstance(d, A.RangeParam):
            assert_never(d)
        lo = self.const_value(d.range.lo, "a parameter bound")
        hi = self.const_value(d.range.hi, "a parameter bound")
        align = self.const_value(d.align, "an alignment") if d.align is not None else 1
        if lo is None or hi is None or align is None:
            self.define(d.name, "param", "int", d.span)
            return
        if not d.range.inclusive:
            hi -= 1
        if align <= 0:
            self.errors.error("BS109", "alignment must be positive", d.span)
            align = 1
        first = -(-lo // align) * align
        if first > hi or lo < 0:
            self.errors.error("BS105", f"parameter '{d.name}' has an empty domain", d.span,
                              "no value lies between the bounds with that alignment")
        self.params[d.name] = ParamIR(d.name, "range", d.span, lo, hi, align, cite=d.cite)
        self.define(d.name, "param", "int", d.span)

    def _map(self, mp: A.MapAst, top: int) -> MapIR | None:
        h = mp.hdr
        kind = h.kind
        if not one_of(kind, MAP_KINDS):
            return None
        if h.source == "symbolic":
            assert h.count is not None
            n = self.const_value(h.count, "an entry count")
            if n is not None and not 1 <= n <= 100_000:
                self.errors.error("BS107", "a symbolic map has 1 to 100000 entries, not "
                                  f"{show_int(n)}", h.span)
            types = h.types or memtypes.TYPES_BY_KIND[h.kind]
            self.check_types(h.kind, types, h.span)
            lo, hi = 0, top
            if h.within is not None:
                self.check(h.within, "region")
                lo = self.const_value(h.within.lo, "a map bound") or 0
                hi_v = self.const_value(h.within.hi, "a map bound")
                hi = hi_v if hi_v is not None else top
            align = self.const_value(h.align, "an alignment") if h.align is not None else 1
            return MapIR(h.name, kind, h.span, True, n or 1, tuple(types), lo, hi,
                         max(1, align or 1), cite=h.cite,
                         attrs=self._attrs(h.kind, h.attrs, h.span))
        if h.source == "file":
            return MapIR(h.name, kind, h.span, False, path=h.path, cite=h.cite)
        if h.source == "derived":
            return MapIR(h.name, kind, h.span, False, cite=h.cite, derived=True)
        entries: list[tuple[int, int, str, Span]] = []
        words: list[int] = []
        for ent in mp.entries:
            self.check(ent.range, "region")
            a = self.const_value(ent.range.lo, "an entry bound")
            b = self.const_value(ent.range.hi, "an entry bound")
            self.check_types(h.kind, [ent.type], ent.span)
            if a is None or b is None:
                continue
            if not 0 <= a <= b <= top:
                self.errors.error("BS119", f"entry [{a:#x}, {b:#x}) is inverted or outside the "
                                  f"{self.width}-bit address space", ent.span)
            if entries and a < entries[-1][1]:
                self.errors.error("BS119", "map entries must be sorted and must not overlap",
                                  ent.span, notes=[(entries[-1][3], "previous entry")])
            entries.append((a, b, ent.type, ent.span))
            words.append(self._attrs(h.kind, ent.attrs, ent.span))
        if not entries:
            self.errors.error("BS119", f"map '{h.name}' has no entries", h.span,
                              "list 'entry [start, end) TYPE' lines under it, or make it "
                              "'symbolic N'")
        return MapIR(h.name, kind, h.span, False, len(entries), entries=tuple(entries),
                     cite=h.cite, entry_attrs=tuple(words))

    def _attrs(self, kind: str, names: tuple[str, ...], span: Span) -> int:
        """The attribute word of ``attrs {...}`` (EFI names, or bitN for any kind)."""
        word = 0
        for n in names:
            bit = attr_bit(n) if kind == "efi" else (int(n[3:]) if re.fullmatch(
                r"bit\d{1,2}", n) and int(n[3:]) < 64 else None)
            if bit is None:
                known = ", ".join(x for x, _ in EFI_ATTR_BITS) if kind == "efi" else "bit0..bit63"
                self.errors.error("BS120", f"'{n}' is not an attribute of {kind} memory", span,
                                  f"attributes: {known}")
                continue
            word |= 1 << bit
        return word

    def _region_decl(self, d: A.RegionDecl) -> None:
        if d.range is not None:
            self.check(d.range, "region")
        else:
            assert d.size is not None and d.at is not None
            self.check(d.size, "int")
            self.check(d.at, "int")

    def _stages(self) -> dict[str, StageIR]:
        m = self.m
        stages: dict[str, StageIR] = {}
        g = StageGraph()
        for s in m.stages:
            if s.name in stages:
                self.errors.error("BS102", f"stage '{s.name}' is defined twice", s.span)
                continue
            g.add_node(s.name)
            for a in s.after:
                if a not in {x.name for x in m.stages}:
                    self.errors.error("BS101", f"stage '{s.name}' comes after unknown stage '{a}'",
                                      s.span, did_you_mean(a, [x.name for x in m.stages]))
                else:
                    g.add_edge(a, s.name)
            if s.guard is not None:
                self.check(s.guard, "bool", polarity=0)
            for b in s.body:
                self._action(b)
            body = tuple(b for b in s.body if isinstance(b, A.Action))  # the rest: BS111 above
            stages[s.name] = StageIR(s.name, s.span, s.after, s.guard, body, s.cite)
        cycle = g.find_cycle()
        if cycle is not None:
            self.errors.error("BS110", "the stage graph has a cycle: "
                              + " -> ".join([c[0] for c in cycle] + [cycle[0][0]]),
                              stages[cycle[0][0]].span, "boot stages run once; break the loop")
        if not stages:
            self.errors.error("BS117", f"model '{m.name}' has no stage", m.span,
                              "add at least one 'stage NAME' with its actions")
        return stages

    def _action(self, b: A.Line) -> None:
        if isinstance(b, A.Place):
            if b.range is not None:
                self.check(b.range, "region")
            else:
                assert b.size is not None
                self.check(b.size, "int")
                self._policies(b.policies)
        elif isinstance(b, A.Copy):
            self._need(b.src, "region", b.span)
            self._policies(b.policies)
        elif isinstance(b, A.Move):
            self._need(b.region, "region", b.span)
            self._policies(b.policies)
        elif isinstance(b, A.Free):
            self._need(b.region, "region", b.span)
        elif isinstance(b, A.Reserve):
            self._need(b.region, "region", b.span)
            s = self._need(b.map, "map", b.span)
            if s is not None:
                self.check_types(s.type.split(":")[1], [b.type], b.span)
                self._attrs(s.type.split(":")[1], b.attrs, b.span)
        elif isinstance(b, A.Convert):
            s = self._need(b.map, "map", b.span)
            if s is not None:
                self.check_types(s.type.split(":")[1], [*b.types, b.to], b.span)
        elif isinstance(b, A.Translate):
            src, dst = self._need(b.src, "map", b.span), self._need(b.dst, "map", b.span)
            if src is not None and dst is not None:
                self.check_types(src.type.split(":")[1], [a for a, _ in b.table], b.span)
                self.check_types(dst.type.split(":")[1], [d for _, d in b.table], b.span)
                seen = [a for a, _ in b.table]
                if len(set(seen)) != len(seen):
                    self.errors.error("BS102", "a type is mapped twice", b.span)
        elif isinstance(b, A.SetVar):
            s = self._need(b.name, "var", b.span)
            if s is not None:
                self.check(b.value, s.type)
        elif isinstance(b, A.Assume):
            self.check(b.pred, "bool", polarity=0)
        elif isinstance(b, A.AssertLine):
            self.check(b.pred, "bool")
        elif isinstance(b, A.PoolDecl):
            self.check(b.range, "region")
        elif isinstance(b, A.Replace | A.Delete | A.Insert):
            self.errors.error("BS111", f"'{kw_of(b)}' only makes sense in a model that extends "
                              "another", b.span)

    def check_decl_deletes(self) -> None:
        for d in self.m.decls:
            if isinstance(d, A.Delete):
                self.errors.error("BS111", "'delete stage' only makes sense in a model that "
                                  "extends another", d.span)

    def _need(self, name: str, kind: str, span: Span) -> Symbol | None:
        s = self.symbols.get(name)
        ok = s is not None and (s.kind == kind or (kind == "region" and s.type == "region"))
        if not ok:
            cands = [k for k, v in self.symbols.items() if v.kind == kind or
                     (kind == "region" and v.type == "region")]
            self.errors.error("BS101", f"unknown {kind} '{name}'", span, did_you_mean(name, cands))
            return None
        return s

    def _policies(self, policies: tuple[A.Policy, ...]) -> None:
        for i, p in enumerate(policies):
            if isinstance(p, A.NoneFallback) and i == 0:
                self.errors.error("BS103", "'none' is a fallback: write 'place R size S "
                                  "POLICY else none'", p.span)
            if i + 1 < len(policies) and not isinstance(p, A.Fit):
                self.errors.error("BS103", f"nothing can follow '{p.kind}' with 'else': only "
                                  "topdown, bottomup and anywhere can fail to find room", p.span,
                                  "put the fallback after a topdown, bottomup or anywhere "
                                  "policy")
            match p:
                case A.At():
                    self.check(p.at, "int")
                case A.FromPool():
                    self._need(p.pool, "pool", p.span)
                    if p.align is not None:
                        self.check(p.align, "int")
                        self._check_divisor(p.align, "an alignment")
                case A.Anywhere() | A.TopDown() | A.BottomUp():
                    for c in p.clauses:
                        self._clause(c, p)
                case A.NoneFallback():
                    pass
                case _:
                    assert_never(p)

    def _clause(self, c: A.Clause, p: A.Fit) -> None:
        match c:
            case A.Within():
                if isinstance(c.region, A.RangeLit):
                    self.check(c.region, "region")
                else:
                    self._need(c.region, "region", c.span)
            case A.InMap():
                s = self._need(c.map, "map", c.span)
                if s is not None:
                    self.check_types(s.type.split(":")[1], c.types, c.span)
                if c.where is not None:
                    self.in_where = True
                    try:
                        self.check(c.where, "bool", polarity=0)
                    finally:
                        self.in_where = False
                if isinstance(p, A.Anywhere):
                    self.errors.error("BS103", "'in MAP types' goes with topdown or bottomup",
                                      c.span, "for a nondeterministic choice inside a map, use "
                                      "topdown/bottomup or constrain with an assume")
            case A.Below() | A.Above():
                self.check(c.expr, "int")
            case A.Align():
                self.check(c.expr, "int")
                self._check_divisor(c.expr, "an alignment")
            case A.Avoid():
                for n in c.names:
                    self._need(n, "region", c.span)
            case _:
                assert_never(c)
        kinds = [x.kind for x in p.clauses]
        if kinds.count(c.kind) > 1 and c is p.clauses[kinds.index(c.kind)]:
            self.errors.error("BS102", f"'{c.kind}' given twice in one placement", c.span)


def resolve_models(files: list[A.FileAst], errors: Collector,
                   unparsed: Collection[str] = ()) -> dict[str, Model]:
    """Every model, flattened and resolved; ``unparsed`` names models of files that did
    not parse (already reported): a model extending one is left out without a word."""
    by_name: dict[str, A.ModelAst] = {}
    paths: dict[str, str] = {}
    twice: set[str] = set()
    for f in files:
        for m in f.models:
            if m.name in by_name:
                errors.error("BS102", f"model '{m.name}' is defined twice", m.span,
                             notes=[(by_name[m.name].span, "first defined here")])
                twice.add(m.name)
                continue
            by_name[m.name] = m
            paths[m.name] = f.path
    flat = flatten(by_name, errors, unparsed)
    out: dict[str, Model] = {}
    for name, m in flat.items():
        r = _ModelResolver(m, paths[name], errors)
        model = r.resolve()
        if model is not None and name not in twice:  # which one a proof means is unclear:
            out[name] = model  # its proofs are not checked against either (no false BS101)
    _inherit_deleted_regions(by_name, out)
    return out


def _inherit_deleted_regions(asts: dict[str, A.ModelAst], models: dict[str, Model]) -> None:
    """A region of a base model that the extending model no longer places is a region
    never live there: a proof naming it is vacuous on that model (docs/language.md,
    "Conjuncts and lifetimes"), not an unknown name."""
    for name, model in models.items():
        base, seen = asts[name].base, {name}
        while base in models and base not in seen:
            seen.add(base)
            for sym in models[base].symbols.values():
                if sym.kind == "region" and sym.name not in model.symbols:
                    model.symbols[sym.name] = sym
            base = asts[base].base


def resolve_proofs(files: list[A.FileAst], models: dict[str, Model], known_models: set[str],
                   errors: Collector) -> list[Proof]:
    """Resolve proofs; a proof's property is type-checked against each model it names."""
    proofs: list[Proof] = []
    seen: dict[str, Span] = {}
    for f in files:
        for p in f.proofs:
            if p.name in seen:
                errors.error("BS102", f"proof '{p.name}' is defined twice", p.span,
                             notes=[(seen[p.name], "first defined here")])
                continue
            seen[p.name] = p.span
            if p.name == "wellformed":
                errors.error("BS102", "'wellformed' is the name of every model's built-in "
                             "obligation; give this proof another name", p.span)
                continue
            if p.property is None:
                errors.error("BS118", f"proof '{p.name}' states no property", p.span,
                             "add a line such as 'always disjoint(a, b)'")
                continue
            for extra in p.extra_properties:
                errors.error("BS118", "a proof states one property; start a new 'proof NAME' for "
                             "this one", extra.span)
            if not p.targets:
                errors.error("BS118", f"proof '{p.name}' names no model", p.span,
                             "add 'for MODEL expect holds' (or violated)")
            targets = []
            preds: dict[str, A.Expr] = {}
            named: dict[str, Span] = {}
            for t in p.targets:
                if t.model in named:
                    errors.error("BS102", f"proof '{p.name}' names model '{t.model}' twice",
                                 t.span, notes=[(named[t.model], "first named here")])
                    continue
                named[t.model] = t.span
                if t.model not in known_models:
                    errors.error("BS106", f"unknown model '{t.model}'", t.span,
                                 did_you_mean(t.model, known_models))
                    continue
                if t.model not in models:
                    continue  # the model itself has errors, already reported
                model = models[t.model]
                r = _ModelResolver(A.ModelAst(model.name, None, model.span, None, (), (), (), ()),
                                   model.path, errors)
                r.symbols = model.symbols
                r.params = {x.name: x for x in model.params}
                r.width = model.width
                pred = expand_pred(p.property.pred, r.fold, errors)
                r.check(pred, "bool")
                preds[t.model] = pred
                prop = p.property
                if prop.stage is not None and prop.stage not in model.stages:
                    errors.error("BS101", f"model '{t.model}' has no stage '{prop.stage}'",
                                 prop.span, did_you_mean(prop.stage, model.stages))
                targets.append(Target(t.model, t.verdict, t.span, t.cite))
            proofs.append(Proof(p.name, p.span, p.cites, tuple(targets), p.property.scope,
                                p.property.stage, p.property.pred, f.path, preds))
    return proofs
