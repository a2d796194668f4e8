"""Pass 4, *encode*: one boot path -> Z3 terms, event by event (docs/language.md).

Needs: a resolved model and one :class:`~bootspec.engine.paths.Path`.
Guarantees: for every event i, ``constraints[i]`` (what must hold for the run to
get past it: guards, assumptions, ``anywhere`` choices, a placement that
fits), ``obligations[i]`` (the finding sites it evaluates, each labelled with its
site name and checked under the constraints of events before i) and
``states[i]`` (symbolic regions, variables, cursors and map states after it).

Encoding choices:
- unbounded integers with explicit bounds on every input, never bit-vectors, so
  nothing wraps silently (NOTE(ranges)): each arithmetic result carries a finding
  ``0 <= v <= 2^width`` and, when it fails, taints what is computed from it;
- lazy ``and``/``or``/``implies``/``if``: every finding and every taint is
  guarded by the *path condition* under which its operand is evaluated
  (``self.pc``), so an operand that is not evaluated neither wraps nor taints;
- taint is a condition per value: a region's ``ok``, a variable's and a cursor's
  ``*_ok``, a reservation's ``ok``; reading one adds it to ``self.taints``, and a
  property is true only when its value is and every taint it read holds;
- deterministic placements are *functions* of the state: the start of a
  top-down first fit is the largest valid candidate among ``floor(end - size)``
  of each segment and ``floor(obstacle.start - size)`` of each obstacle (and
  symmetrically bottom-up), which is complete (see ``MapEncoder.first_fit``) and linear;
- a map's state is its entries cut by reservations: each entry (and each
  reservation) contributes the pieces left of it, each a container of its own;
- an ``anywhere`` placement is a free choice constrained to be valid, and it
  fits exactly when a bottom-up first fit with the same clauses does;
- a property about memory of given map types is violated when one witness
  address inside the region has (or lacks) the type, so it needs no quantifier.

Expressions, C arithmetic and taint are :class:`~bootspec.engine.encode_expr.ExprEncoder`'s,
maps :class:`~bootspec.engine.encode_maps.MapEncoder`'s; placements and actions are
here. ``import z3`` appears only in the engine modules ARCHITECTURE.md lists.
"""

from __future__ import annotations

import dataclasses
from typing import assert_never

import z3

from bootspec.diagnostics import Span
from bootspec.engine.concrete import attrs_word, choice_key
from bootspec.engine.encode_expr import ExprEncoder
from bootspec.engine.encode_maps import Clauses, Container, Deferred
from bootspec.engine.paths import Path
from bootspec.engine.solver import MAX_TUPLES, Objective
from bootspec.engine.terms import (
    Cond,
    Conversion,
    Labeled,
    Reservation,
    SymRegion,
    SymState,
    Term,
    add,
    and_,
    conj,
    ge,
    implies,
    ite,
    le,
    max_,
    min_,
    not_,
    num,
    or_,
    overlap,
    val,
)
from bootspec.lang import ast as A
from bootspec.lang.ir import Model


@dataclasses.dataclass
class PathEncoding:
    path: Path
    inputs: dict[str, z3.ExprRef]  # the free variables, by concrete-input name
    base: list[Labeled]  # domains and map well-formedness
    constraints: list[list[Labeled]]
    obligations: list[list[Labeled]]
    states: list[SymState | None]
    encoder: Encoder


@dataclasses.dataclass(frozen=True)
class _Placed:
    cons: Cond  # the choices it made are valid (anywhere)
    fits: Cond  # some policy found room (or 'else none')
    start: Term
    found: Cond  # a policy before a final 'else none' found room
    pools: list[tuple[str, Cond, Term]]  # (pool, used, cursor after)


class Encoder(ExprEncoder):
    """Encodes one model's expressions and actions into Z3 terms.

    ``abstract`` names symbolic maps to encode *abstractly*: instead of N entries, only
    the entries the encoding touches exist (the one a placement lands in, the one a
    witness address lies in), each a fresh symbolic entry that is either the same as
    another or disjoint from it. Every real map of any size is one of these
    behaviours, so the abstraction over-approximates: an unsatisfiable query proves
    the property for every N; a satisfiable one proves nothing (the caller then
    searches small maps for a counterexample and falls back to the exact encoding).
    """

    #: set by a placement whose only policy is 'anywhere': the validity of its choice,
    #: the one constraint a run needs to get past it (see encode_path)
    lone_valid: Cond | None = None

    # -- placements
    def _clauses(self, p: A.Fit, st: SymState, exclude: str | None) -> Clauses:
        lo: Term = val(0)
        hi: Term = val(self.top)
        align: A.Expr | None = None
        obstacles: list[tuple[Term, Term]] = []
        in_map: A.InMap | None = None
        los: list[Term] = []
        his: list[Term] = []
        for c in p.clauses:
            match c:
                case A.Within():
                    w0, w1 = self.rng(c.region if isinstance(c.region, A.RangeLit)
                                      else A.Name(c.span, c.region), st)
                    lo, hi = max_(w0, lo), min_(w1, hi)
                    los.append(w0)
                    his.append(w1)
                case A.Below():
                    his.append(self.ev(c.expr, st))
                    hi = min_(his[-1], hi)
                case A.Above():
                    los.append(self.ev(c.expr, st))
                    lo = max_(los[-1], lo)
                case A.Align():
                    align = c.expr
                case A.Avoid():
                    inside = {x.region for x in p.clauses
                              if isinstance(x, A.Within) and isinstance(x.region, str)}
                    names = [n for n in sorted(st.regions) if n != exclude and n not in inside
                             ] if c.all else list(c.names)
                    for n in names:
                        r = st.regions[n]
                        self._read(r.ok)
                        obstacles.append((r.start, r.end))
                case A.InMap():
                    in_map = c
                case _:
                    assert_never(c)
        if in_map is None:
            return Clauses(lo, hi, align, [[Container(lo, hi, z3.BoolVal(True))]], [],
                           obstacles, False, tuple(los), tuple(his))
        groups, loose, abstract = self.map_containers(in_map, st)
        return Clauses(lo, hi, align, groups, loose, obstacles, abstract, tuple(los), tuple(his))

    def _valid_start(self, c: Term, size: Term, cl: Clauses, st: SymState,
                     align: A.Expr | None) -> list[Cond]:
        """A valid start ``c`` of a placement with clauses ``cl``, as separate
        constraints (``align``: None when ``c`` is aligned by construction)."""
        cons = [c >= 0, c <= self.top, c + size <= self.top]
        cons += [c >= lo for lo in cl.los] + [c + size <= hi for hi in cl.his]
        if align is not None:
            cases = self._cases(align, st)
            cons += [z3.Or([z3.And(cc, c % a == 0) if cc is not None else c % a == 0
                            for cc, a in cases])]
        cons += [z3.Not(overlap(c, c + size, o0, o1)) for o0, o1 in cl.obstacles]
        return cons

    def _deferred_fit(self, size: Term, cl: Clauses, st: SymState, span: Span) -> Cond:
        """Whether a lone 'anywhere' placement finds room, as a literal whose formula
        (the first fit's, quadratic in the obstacles) is built only when a query reads
        this event's findings (:meth:`definitions`): the run itself needs only its
        choice's validity. The alignment is evaluated now, its findings this event's."""
        lit = z3.Bool(f"fits:{next(self.witness_n)}")
        # what it needs, not a closure over the encoder: a cycle through the encoder
        # would keep its Z3 context alive until the garbage collector runs (a sweep of
        # 135 machines grew from 107 MB to 390 MB)
        self.deferred.append(Deferred(lit, size, cl, self.floor_ceil(cl.align, st), span))
        return lit

    def definitions(self, i: int) -> list[Labeled]:
        """The definitions of event i's deferred literals (built once): every query that
        reads the event's findings asserts them with it."""
        if i not in self.defined_at:
            self.defined_at[i] = [
                Labeled(d.lit == self.first_fit(d.size, d.clauses.align, d.clauses, False,
                                                None, d.rounding)[0],
                        "where a placement finds room", d.span)
                for d in self.deferred_at.get(i, [])]
        return self.defined_at[i]

    def place(self, line: A.Line, policies: tuple[A.Policy, ...], size: Term, st: SymState,
              exclude: str | None) -> _Placed:
        """Try the policies in order; a policy's clauses are evaluated only when every
        policy before it found no room (docs/language.md, "Placements")."""
        outcomes: list[tuple[Cond, Cond, Term]] = []  # (cons, fits, start) per policy
        pools: list[tuple[str, Cond, Term]] = []
        outer = self.pc
        tried: Cond = z3.BoolVal(True)  # no policy before this one found room
        for k, p in enumerate(policies):
            self.pc = and_(outer, tried)
            if isinstance(p, A.NoneFallback):  # optional: always "fits", as an empty region
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), val(0)))
                break
            if isinstance(p, A.At):
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), self.ev(p.at, st)))
                break
            if isinstance(p, A.FromPool):
                since = self.size_since
                self._read(st.cursor_ok[p.pool])
                cur = st.cursors[p.pool]
                one = A.Num(p.span, 1)
                if self.model.pool_direction(p.pool) == "down":
                    t = self._wrap(cur - size, line.span, f"pool '{p.pool}': cursor - size",
                                   since)
                    start = self._align(t, p.align or one, st, up=False)
                    after = start
                else:
                    start = self._wrap(self._align(cur, p.align or one, st, up=True), line.span,
                                       f"pool '{p.pool}': align_up(cursor)", since)
                    after = start + size
                pools.append((p.pool, tried, after))
                outcomes.append((z3.BoolVal(True), z3.BoolVal(True), start))
                break
            if not isinstance(p, A.Fit):
                assert_never(p)  # a policy this encoder does not know is a type error
            cl = self._clauses(p, st, exclude)
            if cl.abstract:
                # over-approximate the first fit: any fitting start in some segment of the
                # right type, or no fit at all
                k2 = next(self.witness_n)
                c = z3.Int(f"a:place:{k2}")
                fits_a = z3.Bool(f"a:fits:{k2}")
                cons = self._valid_start(c, size, cl, st, cl.align)
                inside = [z3.And(ct.exists, c >= ct.lo, c + size <= ct.hi)
                          for g in cl.groups for ct in g] + \
                         [z3.And(ct.exists, c >= ct.lo, c + size <= ct.hi) for ct in cl.loose]
                cons.append(z3.Or(inside))
                outcomes.append((z3.Implies(fits_a, conj(cons)), fits_a, c))
            elif isinstance(p, A.Anywhere):
                key = choice_key(line, k)
                cases = self._cases(cl.align, st) if cl.align is not None else []
                step = num(cases[0][1]) if len(cases) == 1 else None
                exact = step is not None and step > 1 and cases[0][0] is None
                if key in self.inputs:
                    c = self.inputs[key]
                elif exact:
                    # aligned by construction, a multiple of the constant alignment: the
                    # solver's incremental kernel does not eliminate 'c % a == 0' as its
                    # preprocessing would (a chain of 256: 27 s against 0.1 s). The value
                    # of a choice that is not valid is never read (the placement fails)
                    c = step * z3.Int(key)
                else:
                    c = z3.Int(key)
                if key not in self.inputs:
                    # an input like a parameter: an address, also when it is not read
                    self.base.append(Labeled(z3.And(c >= 0, c <= self.top),
                                             "an anywhere choice is an address", line.span))
                    if step is not None and step > 0:
                        self.choice_step[key] = step
                self.inputs[key] = c
                cons = self._valid_start(c, size, cl, st, None if exact else cl.align)
                # it fits exactly when some start is valid: when the lowest one exists;
                # then the choice must be one (a run is one valid choice)
                if len(policies) == 1:
                    fits = self._deferred_fit(size, cl, st, line.span)
                else:
                    fits, _ = self.first_fit(size, cl.align, cl, False, st)
                valid = conj(cons)
                outcomes.append((implies(fits, valid), fits, c))
                if len(policies) == 1:
                    # a run gets past exactly when its choice is valid: a valid start
                    # implies the first fit exists (it is complete), so the first fit's
                    # formula, quadratic in the obstacles, is needed only where the
                    # placement's own fits@ site is checked (see encode_path)
                    self.lone_valid = valid
            elif isinstance(p, A.TopDown | A.BottomUp):
                fits, start = self.first_fit(size, cl.align, cl, isinstance(p, A.TopDown), st)
                outcomes.append((z3.BoolVal(True), fits, start))
            else:
                assert_never(p)
            tried = and_(tried, not_(outcomes[-1][1]))
        self.pc = outer
        # fold the 'else' chain: the first policy that fits wins
        found = or_(*[f for _, f, _ in outcomes[:-1]]) if len(outcomes) > 1 \
            else z3.BoolVal(True)
        cons, fits, start = outcomes[-1]
        for c2, f2, s2 in reversed(outcomes[:-1]):
            cons, fits, start = (z3.If(f2, c2, cons), or_(f2, fits), z3.If(f2, s2, start))
        return _Placed(cons, fits, start, found, pools)

    # -- actions
    def _region(self, line: A.Line, name: str, start: Term, end: Term, owner: str | None,
                typ: str | None, placed: Cond, pool: str | None = None) -> SymRegion:
        """A region made on ``line``: well-formed when nothing it was computed from is
        tainted and its bounds are in order; a ``region@`` finding when they are not
        although nothing was tainted."""
        bounds = and_(ge(start, val(0)), le(start, end), le(end, val(self.top)))
        untainted = self.untainted()
        self._finding("region", implies(and_(placed, untainted), bounds),
                      f"region '{name}' is in order and inside the {self.model.width}-bit "
                      "address space", line.span)
        return SymRegion(start, end, owner, typ, z3.simplify(and_(untainted, bounds)), pool)

    def act(self, line: A.Action, stage: str, st: SymState) -> tuple[Cond, Cond]:
        """Apply one action to ``st``; (constraints, placement fits). Call :meth:`begin`
        first; the findings are left in ``self.findings``."""
        true = z3.BoolVal(True)
        if isinstance(line, A.Place):
            if line.range is not None:
                a, b = self.rng(line.range, st)
                st.regions[line.region] = self._region(line, line.region, a, b, stage,
                                                       line.type, true)
                return true, true
            assert line.size is not None
            self.size_since = len(self.taints)
            size = self.ev(line.size, st)
            return self._placed(line, line.region, line.policies, size, stage, line.type, st)
        if isinstance(line, A.Copy):
            self.size_since = len(self.taints)
            src = st.regions[line.src]
            self._read(src.ok)
            return self._placed(line, line.dst, line.policies, src.end - src.start, stage,
                                line.type or src.type, st)
        if isinstance(line, A.Move):
            self.size_since = len(self.taints)
            old = st.regions[line.region]
            self._read(old.ok)
            return self._placed(line, line.region, line.policies, old.end - old.start, stage,
                                old.type, st)
        if isinstance(line, A.Free):
            del st.regions[line.region]
        elif isinstance(line, A.Reserve):
            r = st.regions[line.region]
            st.ops.setdefault(line.map, []).append(
                Reservation(r.start, r.end, line.type, r.ok, attrs_word(
                    self.model.maps[line.map].kind, line.attrs)))
            st.map_ok[line.map] = and_(st.map_ok.get(line.map, z3.BoolVal(True)), r.ok)
        elif isinstance(line, A.Convert):
            st.ops.setdefault(line.map, []).append(Conversion(line.types, line.to))
        elif isinstance(line, A.Translate):
            self.translate(line, st)
        elif isinstance(line, A.SetVar):
            st.vars[line.name] = self.ev(line.value, st)
            st.var_ok[line.name] = self.untainted()
        elif isinstance(line, A.Assume):
            return self.ev(line.pred, st), true
        elif isinstance(line, A.PoolDecl):
            self._pool(line, stage, st)
        elif isinstance(line, A.AssertLine):
            pass  # checked as an obligation; the state does not change
        else:
            assert_never(line)
        return true, true

    def _placed(self, line: A.Place | A.Copy | A.Move, name: str, policies: tuple[A.Policy, ...],
                size: Term, owner: str | None, typ: str | None, st: SymState
                ) -> tuple[Cond, Cond]:
        pool = next((p.pool for p in policies if isinstance(p, A.FromPool)), None)
        pl = self.place(line, policies, size, st, name)
        end = add(pl.start, size)
        if isinstance(policies[-1], A.NoneFallback):  # empty when no earlier policy found room
            end = z3.If(pl.found, end, pl.start)
        if isinstance(policies[-1], A.Fit):
            self._finding("fits", pl.fits, "a placement fits", line.span)
        region = self._region(line, name, pl.start, end, owner, typ, and_(pl.cons, pl.fits), pool)
        if pl.pools:  # from the pool only when no policy before it found room
            region = dataclasses.replace(region, pooled=pl.pools[0][1])
        st.regions[name] = region
        for pname, used, after in pl.pools:
            st.cursors[pname] = ite(used, after, st.cursors[pname])
            st.cursor_ok[pname] = and_(st.cursor_ok[pname], implies(used, region.ok))
        return pl.cons, pl.fits

    def _pool(self, d: A.PoolDecl, owner: str | None, st: SymState) -> None:
        a, b = self.rng(d.range, st)
        r = self._region(d, d.name, a, b, owner, "pool", z3.BoolVal(True))
        st.regions[d.name] = r
        st.cursors[d.name] = b if d.direction == "down" else a
        st.cursor_ok[d.name] = r.ok

    def initial(self) -> tuple[SymState, list[Labeled], list[Labeled]]:
        """The initial state, the model-level assumptions (constraints) and the findings
        of the declarations (docs/language.md: regions, then pools, then variables)."""
        st = SymState({}, {}, {}, {}, {}, {})
        findings: list[Labeled] = []
        true = z3.BoolVal(True)
        for r in self.model.regions:
            self.begin()
            if r.range is not None:
                a, b = self.rng(r.range, st)
            else:
                assert r.at is not None and r.size is not None
                a = self.ev(r.at, st)
                b = add(a, self.ev(r.size, st))
            st.regions[r.name] = self._region(r, r.name, a, b, None, r.type, true)
            findings += self.findings
        for p in self.model.pools:
            self.begin()
            self._pool(p, None, st)
            findings += self.findings
        for v in self.model.vars:
            self.begin()
            st.vars[v.name] = self.ev(v.value, st)
            st.var_ok[v.name] = self.untainted()
            findings += self.findings
        assumes = []
        for a in self.model.assumes:
            self.begin()
            assumes.append(Labeled(self.ev(a.pred, st), "assume", a.span))
            findings += self.findings
        self.begin()
        return st, assumes, findings


def encode_path(model: Model, path: Path, abstract: frozenset[str] = frozenset(),
                name_defs: bool = False) -> PathEncoding:
    """``name_defs`` (for an explanation): every region a line defines, every variable
    it sets and every range it reserves is a fresh constant, equal to its value by a
    constraint labelled with that line, so an unsat core names the lines a proof reads
    (the same runs: each constant has exactly one value in each)."""
    enc = Encoder(model, abstract)
    n = len(path.events)
    constraints: list[list[Labeled]] = [[] for _ in range(n)]
    obligations: list[list[Labeled]] = [[] for _ in range(n)]
    states: list[SymState | None] = [None] * n
    st, assumes, findings = enc.initial()
    enc.base.extend(assumes)  # global assumptions hold from the start, for every event
    obligations[0] = findings
    states[0] = st
    if name_defs:
        for r in model.regions:
            _name_region(st, r.name, r.span, 0, enc.base, "the region", model.top)
        for pd in model.pools:
            _name_region(st, pd.name, pd.span, 0, enc.base, "the pool", model.top)
            _name_cursor(st, pd.name, pd.span, 0, enc.base)
        for v in model.vars:
            _name_var(st, v.name, v.span, 0, enc.base)
    for i in range(1, n):
        ev = path.events[i]
        enc.begin()
        nst = st.copy()
        if ev.kind == "enter":
            assert ev.stage is not None
            g = model.stages[ev.stage].guard
            if g is not None:
                # at the guard as written (an extension's 'when' is on its own line)
                constraints[i].append(Labeled(enc.ev(g, nst), f"guard of stage '{ev.stage}'",
                                              g.span))
        elif ev.kind == "end":
            for s in ev.end_guards:
                g = model.stages[s].guard
                assert g is not None
                enc.pc = z3.BoolVal(True)
                constraints[i].append(Labeled(z3.Not(enc.ev(g, nst)),
                                              f"the boot ends before stage '{s}'", g.span))
        else:
            assert ev.action is not None and ev.stage is not None
            enc.lone_valid = None
            cons, fits = enc.act(ev.action, ev.stage, nst)
            if enc.lone_valid is not None:  # fits and cons, which is valid's alone
                # (a core that holds it says no start satisfies the rules, which is
                # true whether there is no room at all or the rest rules every start out)
                constraints[i].append(Labeled(enc.lone_valid, _kind(ev.action),
                                              ev.action.span))
            elif not z3.is_true(fits):
                constraints[i].append(Labeled(fits, "the placement fitted", ev.action.span))
            if not z3.is_true(cons):
                if enc.lone_valid is None:
                    constraints[i].append(Labeled(cons, _kind(ev.action), ev.action.span))
                if not isinstance(ev.action, A.Assume):
                    # a configuration whose 'anywhere' choice is not a valid one is no
                    # run from this line on: its findings here do not count either. An
                    # 'assume' is evaluated by every run that reaches it, true or
                    # false: its findings count whether it holds or not
                    enc.findings = [dataclasses.replace(f, term=implies(cons, f.term))
                                    for f in enc.findings]
            if name_defs:
                _name_action(ev.action, nst, i, constraints[i], model.top)
        obligations[i] = enc.findings
        if enc.deferred:
            enc.deferred_at[i], enc.deferred = enc.deferred, []
        st = nst
        states[i] = st
    enc.begin()
    enc.base.extend(enc.side)  # facts about the fresh entries of abstract maps
    enc.side = []
    return PathEncoding(path, enc.inputs, enc.base, constraints, obligations, states, enc)


def _name_action(line: A.Action, st: SymState, i: int, out: list[Labeled], top: int
                 ) -> None:
    """Name what ``line`` defined in ``st`` (see :func:`encode_path`'s ``name_defs``)."""
    match line:
        case A.Place() | A.Move() | A.Copy():
            name = line.dst if isinstance(line, A.Copy) else line.region
            pool = st.regions[name].pool
            _name_region(st, name, line.span, i, out, "the placement of", top)
            if pool is not None:  # what it leaves of the pool, for the next allocation
                _name_cursor(st, pool, line.span, i, out)
        case A.PoolDecl():
            _name_region(st, line.name, line.span, i, out, "the pool", top)
            _name_cursor(st, line.name, line.span, i, out)
        case A.SetVar():
            _name_var(st, line.name, line.span, i, out)
        case A.Reserve():
            op = st.ops[line.map][-1]
            assert isinstance(op, Reservation)
            s, e = z3.Int(f"n{i}:reserve:{line.region}:start"), \
                z3.Int(f"n{i}:reserve:{line.region}:end")
            out.append(Labeled(z3.And(s == op.start, e == op.end),
                               f"the reservation of '{line.region}' in '{line.map}'",
                               line.span))
            st.ops[line.map][-1] = dataclasses.replace(op, start=s, end=e)
        case A.Free() | A.Convert() | A.Translate() | A.Assume() | A.AssertLine():
            pass  # defines no value (a convert or translate reads the named ones)
        case _:
            assert_never(line)


#: the label of a fact that holds in every run whatever a named value is: a
#: well-formed region lies in order inside the address space (engine/why.py keeps
#: these facts whatever lines it leaves out)
MEANING = "what a well-formed region is"


def _name_region(st: SymState, name: str, span: Span, i: int, out: list[Labeled],
                 what: str, top: int) -> None:
    """Name a region's bounds and its well-formedness (its taint and its order), so a
    line left out leaves any region, and only a well-formed one reads as such."""
    r = st.regions[name]
    s, e = z3.Int(f"n{i}:{name}:start"), z3.Int(f"n{i}:{name}:end")
    ok = z3.Bool(f"n{i}:{name}:ok")
    out.append(Labeled(z3.And(s == r.start, e == r.end, ok == r.ok), f"{what} '{name}'", span))
    out.append(Labeled(z3.Implies(ok, z3.And(s >= 0, s <= e, e <= top)), MEANING, span))
    st.regions[name] = dataclasses.replace(r, start=s, end=e, ok=ok)


def _name_cursor(st: SymState, pool: str, span: Span, i: int, out: list[Labeled]) -> None:
    c, ok = z3.Int(f"n{i}:cursor:{pool}"), z3.Bool(f"n{i}:cursor:{pool}:ok")
    out.append(Labeled(z3.And(c == st.cursors[pool], ok == st.cursor_ok[pool]),
                       f"the cursor of pool '{pool}'", span))
    st.cursors[pool], st.cursor_ok[pool] = c, ok


def _name_var(st: SymState, name: str, span: Span, i: int, out: list[Labeled]) -> None:
    v = st.vars[name]
    c = z3.Const(f"n{i}:var:{name}", v.sort())
    ok = z3.Bool(f"n{i}:var:{name}:ok")
    out.append(Labeled(z3.And(c == v, ok == st.var_ok[name]), f"the value of '{name}'", span))
    st.vars[name], st.var_ok[name] = c, ok


def _kind(line: A.Line) -> str:
    return "assume" if isinstance(line, A.Assume) else "the anywhere placement's rules"


def objectives(model: Model, enc: PathEncoding, names: list[str]) -> list[Objective]:
    """What a counterexample minimises: the inputs ``names`` (parameters and ``anywhere``
    choices, in that order), each with the values its domain allows (for the search)."""
    params = {f"p:{p.name}": p for p in model.params}
    out = []
    for name in names:
        v, p = enc.inputs[name], params.get(name)
        if p is None:  # an 'anywhere' choice
            out.append(Objective(v, 0, enc.encoder.choice_step.get(name, 1)))
        elif p.kind == "bool":
            out.append(Objective(z3.If(v, 1, 0), values=(0, 1), domain=(0, 1)))
        else:
            dom = p.domain()
            small = tuple(sorted(dom)) if dom is not None and len(dom) <= MAX_TUPLES else ()
            if p.kind == "range":
                out.append(Objective(v, p.first, p.align, domain=small))
            else:
                out.append(Objective(v, values=tuple(sorted(p.values)) or (0,), domain=small))
    return out
