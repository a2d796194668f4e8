"""``python hard_query.py ARGS``: the bootspec CLI, with the second model's obligations
stuck in a Z3 query that takes many minutes (a pigeonhole problem), so that a test can
signal it while Z3, not Python, runs. It writes ``solving`` to stderr just before the
query starts. Used by test_interrupt_and_limits.py only."""

from __future__ import annotations

import sys


def main() -> None:
    import z3

    from bootspec import cli
    from bootspec.engine import check as check_mod
    from bootspec.engine import solver

    real = check_mod.ModelChecker.decide_all
    calls = {"n": 0}

    def decide_all(self, *a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            s = solver.make_solver(solver.Limits(rlimit=10**12, timeout_ms=10**8))
            n = 13  # 13 pigeons, 12 holes: unsat, and hard for resolution
            p = [[z3.Bool(f"p{i}_{j}") for j in range(n - 1)] for i in range(n)]
            for i in range(n):
                s.add(z3.Or(p[i]))
            for j in range(n - 1):
                for i in range(n):
                    for k2 in range(i + 1, n):
                        s.add(z3.Not(z3.And(p[i][j], p[k2][j])))
            sys.stderr.write("solving\n")
            sys.stderr.flush()
            out = solver.check(s)
            sys.stderr.write(f"query answered: {out.status} {out.reason}\n")
        return real(self, *a, **k)

    check_mod.ModelChecker.decide_all = decide_all  # type: ignore[method-assign]
    cli.main()


if __name__ == "__main__":
    main()
