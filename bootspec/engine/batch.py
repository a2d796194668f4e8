"""A model's obligations decided together: one Z3 context and one encoding per path.

:func:`decide_all` gives every obligation the verdict
:meth:`~bootspec.engine.check.ModelChecker.decide` gives it alone, save that a query
that gives up alone may be answered here (the shared solver has learnt from the
other obligations' queries); what the batch cannot answer is decided alone, and a
definite verdict never differs. Per path, one query
asks whether *any* of the obligations can fail there. That query is unsatisfiable
in the common case, and then every obligation in it holds on that path (each single
query is one of its disjuncts). When it is satisfiable, the model names
obligations that do fail; they leave, and the query is asked again for the rest.
A failing obligation's counterexample is found as ``decide`` finds it (its first
failing event in order, then the smallest inputs there), which is canonical when
every free input is a parameter or a choice, so sharing the context does not
matter. Whatever the batch cannot settle exactly as ``decide`` would (a solver
limit, a minimisation cut short, a symbolic map's entries in a counterexample, a
vacuous verdict, whose cause is named alone) is decided again by ``decide``, alone,
in a fresh context.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import z3

from bootspec.engine.check import WITNESSES, Carry, ModelChecker, Plan, run_inputs
from bootspec.engine.solver import Outcome, check, fresh_context, make_solver
from bootspec.engine.terms import Seen
from bootspec.engine.verdicts import Verdict
from bootspec.lang.ir import Obligation, Proof

#: the units a counterexample's minimisation may spend in the batch's solver, every
#: probe together, before the obligation is decided alone: a probe here weighs every
#: other obligation's formula too (hvmloader_relocate_2015: 9.7M units, 8.2 s, against
#: 0.9 s for the whole decision alone; the shared corpus's costliest: 0.32M)
MINIMIZE = 2_000_000

#: above this many points on a path, its obligations are queried a point at a time
#: from the start, not first all at once: one query over hundreds of steps is the
#: one that gives up (the anchors' K-stage problem: a literal per step is fastest)
POINTWISE = 64


def decide_all(checker: ModelChecker, items: Sequence[tuple[Obligation, Proof | None]],
               carry: Carry) -> list[tuple[Verdict, float]]:
    t0 = time.perf_counter()
    proved, witnesses = carry.proved, carry.witnesses
    fresh_context()
    checker._enc.clear()
    out: dict[int, Verdict] = {}
    extra: dict[int, float] = {}
    redo: list[int] = []
    plans = [checker.plan(checker.target(ob, proof), with_points=ob.name not in proved)
             for ob, proof in items]
    canonical = not any(m.symbolic for m in checker.model.maps.values())
    undecided = set(range(len(items)))

    def settle(batch: PathBatch, k: int) -> None:
        """Obligation k, known to fail on this path: its counterexample, or decided
        again alone when the batch cannot settle it as ``decide`` would."""
        t1 = time.perf_counter()
        v = batch.counterexample(k, items[k][0], canonical, carry.hints)
        extra[k] = time.perf_counter() - t1
        if v is None:
            redo.append(k)
        else:
            out[k] = v
        undecided.discard(k)

    # (path, first event, inclusive?) -> sat | unsat | unknown
    reach: dict[tuple[int, int, bool], str] = {}
    for pi in range(len(checker.paths)):
        mine = sorted(k for k in undecided if any(p == pi for p, _ in plans[k].points))
        firsts = sorted({(pi, f, plans[k].inclusive) for k in undecided
                         for part in plans[k].parts for p, f in part if p == pi})
        firsts = [x for x in firsts if x not in reach]
        for x in firsts:
            if checker.witnessed(*x, witnesses):
                reach[x] = "sat"
        firsts = [x for x in firsts if x not in reach]
        if not mine and not firsts:
            continue
        batch = PathBatch(checker, pi, plans, mine)
        for x in firsts:
            reach[x] = batch.reachable(x[1], x[2])
            if batch.run is not None:
                witnesses.append(batch.run)
                del witnesses[:-WITNESSES]
                batch.run = None
        left = list(mine)
        if canonical:  # a known run that fails an obligation's first point here settles it
            for k in [k for k in left if batch.hint_fails_first(k, items[k][0], carry.hints)]:
                settle(batch, k)
                left.remove(k)
        while left:
            many = sum(len(batch.q[k]) for k in left) > POINTWISE
            status, failing = ("unknown", []) if many else batch.any_fails(left)
            if status == "unsat":  # none of them fails on this path
                break
            if status == "unknown":  # each in turn, one point at a time: smaller queries
                for k in left:
                    each = batch.pointwise(k)
                    if each == "sat":
                        settle(batch, k)
                    elif each == "unknown":
                        redo.append(k)
                        undecided.discard(k)
                    # unsat: it cannot fail on this path (as after "unsat")
                break
            if not failing:
                redo.extend(left)
                undecided.difference_update(left)
                break
            for k in failing:
                settle(batch, k)
                left.remove(k)
    for k in sorted(undecided):
        plan = plans[k]
        states = []
        for part in plan.parts:
            # as decide: the first path whose query is not unsatisfiable decides
            states.append(next((reach[(p, f, plan.inclusive)] for p, f in part
                                if reach[(p, f, plan.inclusive)] != "unsat"), "unsat"))
        if "unknown" in states or "unsat" in states:
            redo.append(k)  # unknown, or vacuous: its cause is named by decide
        else:
            out[k] = Verdict("holds", queries=len(plan.points))
    shared = (time.perf_counter() - t0 - sum(extra.values())) / max(1, len(items))
    result = [(out.get(k, Verdict("unknown")), shared + extra.get(k, 0.0))
              for k in range(len(items))]
    for k in sorted(set(redo)):
        t1 = time.perf_counter()
        v = checker.decide(*items[k])
        result[k] = (v, time.perf_counter() - t1)
    return result


class PathBatch:
    """One path's solver for :func:`decide_all`. Every constraint and every query is
    behind a literal: ``g{i}`` stands for "the run got past event i" (the constraints
    of events 0..i), ``q{k}_{i}`` for "obligation k fails at event i", ``b{k}`` for
    "obligation k fails somewhere on this path"; a query is a check under literals, so
    nothing asserted has to be taken back."""

    def __init__(self, checker: ModelChecker, pi: int, plans: list[Plan], mine: list[int]):
        self.checker, self.pi, self.plans = checker, pi, plans
        self.enc = enc = checker.encoding(pi)
        self.solver = solver = make_solver(checker.limits)
        solver.add([lab.term for lab in enc.base])
        self.g: list[z3.BoolRef] = []
        prev: z3.BoolRef = z3.BoolVal(True)
        for i, cons in enumerate(enc.constraints):
            g = z3.Bool(f"g{i}")
            solver.add(z3.Implies(g, z3.And(prev, *[lab.term for lab in cons])))
            self.g.append(g)
            prev = g
        self.q: dict[int, list[tuple[int, z3.BoolRef]]] = {}
        self.b: dict[int, z3.BoolRef] = {}
        self.point_status: dict[int, str] = {}  # see pointwise
        self.unsat_before: dict[int, int] = {}  # k: its first points that cannot fail
        self.found: dict[int, Outcome] = {}  # k: the model of its first failing point
        self.hint_fails: dict[int, bool] = {}  # k: see hint_fails_first
        # events whose deferred literals' definitions are asserted (see need)
        self.defined: set[int] = set()
        self.rounds = 0
        self.run: dict[str, int] | None = None  # inputs of a whole run, once one is found
        for k in mine:
            plan, lits = plans[k], []
            seen: Seen = {}
            for p, i in sorted(plan.points):
                if p != pi:
                    continue
                q = z3.Bool(f"q{k}_{i}")
                fails = checker.fails_term(enc, pi, i, plan.target, seen, define=False)
                if fails is None:  # nothing here that an earlier point does not check
                    continue
                solver.add([lab.term for lab in enc.encoder.side])
                enc.encoder.side = []
                solver.add(z3.Implies(q, z3.And(self.before(i, plan.inclusive), fails)))
                lits.append((i, q))
            b = z3.Bool(f"b{k}")
            solver.add(z3.Implies(b, z3.Or([q for _, q in lits])))
            self.q[k], self.b[k] = lits, b

    def need(self, k: int, n: int | None = None) -> None:
        """What the deferred literals (``Encoder.definitions``) of obligation k's points
        up to its n-th (None: all of them) stand for, asserted before a query reads
        them, and only then: a first fit's formula is quadratic in the obstacles, with
        a 'mod' per candidate whose axioms hold whether or not its literal matters, and
        it slows every query beside it (the whole path of a chain of 256 runs in
        0.04 s alone, and gave up after 300 s beside them). Every point's own formula
        is asserted from the start, as it is made: Z3's search depends on the order
        terms are made and asserted in, and building them all before asserting any,
        or asserting them after the first queries, made the K-stage problem 5-10x
        slower."""
        for i, _ in self.q[k][:None if n is None else n + 1]:
            if i not in self.defined:
                self.defined.add(i)
                self.solver.add([lab.term for lab in self.enc.encoder.definitions(i)])

    def pointwise(self, k: int) -> str:
        """Obligation k's points on this path queried one at a time, in order (the
        strategy of a literal per step): sat at the first that can fail, unsat when
        none can, unknown when one gives up before any fails. Remembered."""
        if k not in self.point_status:
            self.point_status[k] = "unsat"
            for n, (_, q) in enumerate(self.q[k]):
                self.need(k, n)
                got = check(self.solver, q)
                if got.status != "unsat":
                    self.point_status[k] = got.status
                    self.unsat_before[k] = n  # the first failing step's search starts here
                    if got.status == "sat":
                        self.found[k] = got  # that step's model, for the counterexample
                    break
        return self.point_status[k]

    def before(self, i: int, inclusive: bool) -> z3.BoolRef:
        """The run reaches event i (exclusive) or gets past it (inclusive)."""
        if inclusive:
            return self.g[i]
        return self.g[i - 1] if i > 0 else z3.BoolVal(True)

    def any_fails(self, ks: list[int]) -> tuple[str, list[int]]:
        """Can any of obligations ``ks`` fail on this path? (status, those that do)."""
        sel = z3.Bool(f"any{self.rounds}")
        self.rounds += 1
        for k in ks:
            self.need(k)
        self.solver.add(z3.Implies(sel, z3.Or([self.b[k] for k in ks])))
        out = check(self.solver, sel)
        if out.status != "sat":
            return out.status, []
        assert out.model is not None
        return "sat", [k for k in ks if z3.is_true(out.model.eval(self.b[k],
                                                                  model_completion=True))]

    def reachable(self, first: int, inclusive: bool) -> str:
        """Is event ``first`` reached (the vacuity query of ``decide``)?"""
        last = check(self.solver, self.g[-1])  # the whole path runs: every event is reached
        if last.status == "sat":
            assert last.model is not None
            self.run = run_inputs(self.enc, last.model)
            return "sat"
        # in a solver of its own with the events up to there only: this one carries
        # every later event too (guarded, but Z3 still weighs them: a formula
        # quadratic in 256 obstacles took 11 s to say that event 0 is reached)
        return self.checker._reach(self.pi, first, inclusive).status

    def hint_fails_first(self, k: int, ob: Obligation, hints: dict[str, dict[str, int]]
                         ) -> bool:
        """Whether the known run ``hints`` holds for obligation k (a counterexample found
        on an earlier machine) fails, concretely, the first point k is checked at on
        this path: then that point is where k first fails here, as asking the solver
        whether any point fails and then which would find."""
        if k not in self.hint_fails:  # one concrete run, asked by decide_all and here
            hint = hints.get(ob.name)
            self.hint_fails[k] = (
                hint is not None and bool(self.q.get(k)) and self.unsat_before.get(k, 0) == 0
                and all(n in hint for n in self.enc.inputs)
                and self.checker.fails_at(self.checker.paths[self.pi], self.q[k][0][0], hint,
                                          self.plans[k].target))
        return self.hint_fails[k]

    def _pinned(self, q: z3.BoolRef, inputs: dict[str, int]) -> Outcome:
        """The query of ``q`` with every input fixed to ``inputs`` (a run that fails
        there concretely): a model of ``q`` found by propagation, not search."""
        self.solver.push()
        try:
            self.solver.add([v == inputs[n] for n, v in sorted(self.enc.inputs.items())])
            return check(self.solver, q)
        finally:
            self.solver.pop()

    def counterexample(self, k: int, ob: Obligation, canonical: bool,
                       hints: dict[str, dict[str, int]]) -> Verdict | None:
        """Obligation k's verdict, known to fail on this path: the first failing event,
        the smallest inputs there; None when that cannot be settled exactly here.
        ``hints``: see :class:`~bootspec.engine.check.Carry` (read and updated)."""
        if not canonical:
            return None
        checker, path = self.checker, self.checker.paths[self.pi]
        target = self.plans[k].target
        first = self.unsat_before.get(k, 0)
        hint = hints.get(ob.name)
        for at, (i, q) in enumerate(self.q[k][first:], first):
            self.need(k, at)
            out = self.found.pop(k, None) if at == first else None
            if out is None and at == 0 and hint is not None and \
                    self.hint_fails_first(k, ob, hints):
                pinned = self._pinned(q, hint)
                out = pinned if pinned.status == "sat" else None
            out = out or check(self.solver, q)
            if out.status == "unknown":
                return None
            if out.status == "sat":
                assert out.model is not None
                names = checker.objective_names(self.enc)
                start = None
                # the hint fails here too, concretely (at the first point: known already)
                if hint is not None and (self.hint_fails_first(k, ob, hints) if at == 0 else
                                         all(n in hint for n in names)
                                         and checker.fails_at(path, i, hint, target)):
                    start = [hint[n] for n in names]
                inputs, complete = checker.smallest(self.enc, self.solver, [q], out.model,
                                                    start, out.used, i, target, MINIMIZE)
                if not complete:
                    return None
                verdict = checker.violated(ob, self.pi, i, inputs, target)
                hints[ob.name] = inputs
                return verdict
        return None
