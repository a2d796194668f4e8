"""The command line: the only place that prints and exits.

Each command function takes the parsed arguments and ``stdout``/``stderr`` and
returns an exit status; :func:`main` alone calls ``sys.exit``.

Exit status: 0 every verdict as expected; 1 some verdict differs from its
expectation; 2 a mistake in the input or the flags; 3 an internal error in
bootspec; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bootspec import __version__
from bootspec.diagnostics import BootspecError, Diagnostic, InternalError, Span, render_all
from bootspec.engine.check import ModelChecker
from bootspec.engine.solver import DEFAULT_RLIMIT, Limits
from bootspec.pipeline import Project, check_project, discover, load
from bootspec.report import text


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _positive(kind: type) -> object:
    def conv(s: str) -> object:
        try:
            v = kind(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {s!r}") from None
        if v <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, not {s!r}")
        return v
    return conv


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bootspec", description="A formal model checker of early-boot memory "
                "layouts: proves placement properties with Z3 or returns a counterexample "
                "memory map.")
    p.add_argument("--version", action="version", version=f"bootspec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def limits(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--timeout", type=_positive(float), default=60.0, metavar="SECONDS",
                        help="wall-clock backstop per solver query (default 60); a query that "
                        "hits it is 'unknown', never a pass")
        sp.add_argument("--rlimit", type=_positive(int), default=DEFAULT_RLIMIT, metavar="N",
                        help="deterministic Z3 resource limit per query (default %(default)s)")

    c = sub.add_parser("check", help="check models and proofs; exit 0 when every verdict "
                       "matches its expectation")
    c.add_argument("paths", nargs="*", help="files or folders (default: models/ and proofs/)")
    c.add_argument("--no-timing", action="store_true", help="leave out times (stable output)")
    limits(c)

    e = sub.add_parser("explain", help="show the counterexample of a violation, or what a "
                       "proof depends on")
    e.add_argument("property", help="a proof name, 'wellformed', or an assert's name")
    e.add_argument("--model", "-m", help="the model (needed when the property has several)")
    e.add_argument("--path", dest="paths", action="append", default=[],
                   help="model/proof files or folders (default: models/ and proofs/)")
    limits(e)
    return p


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(rlimit=args.rlimit, timeout_ms=int(args.timeout * 1000))


def _load(paths: list[str]) -> Project:
    return load(discover(paths))


def cmd_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    project = _load(args.paths)
    results = check_project(project, _limits(args))
    stdout.write(text.results_table(results, timing=not args.no_timing) + "\n\n")
    stdout.write(text.summary(results) + "\n")
    return 0 if all(r.ok for r in results) else 1


def cmd_explain(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    project = _load(args.paths)
    obs = [o for o in project.obligations() if o.name == args.property
           and (args.model is None or o.model == args.model)]
    if not obs:
        known = sorted({o.name for o in project.obligations()})
        raise BootspecError([Diagnostic(
            "BS003", f"no property '{args.property}'"
            + (f" on model '{args.model}'" if args.model else ""), Span("<command line>", 0, 0),
            hint="known: " + ", ".join(known))])
    if len(obs) > 1 and args.model is None:
        raise BootspecError([Diagnostic(
            "BS003", f"'{args.property}' applies to several models; choose one with --model",
            Span("<command line>", 0, 0), hint="models: " + ", ".join(o.model for o in obs))])
    ob = obs[0]
    model = project.models[ob.model]
    checker = ModelChecker(model, project.paths[ob.model], _limits(args))
    proof = project.proof(ob.name) if ob.kind == "proof" else None
    verdict = checker.decide(ob, proof, want_core=True)
    note = ""
    if proof is not None:
        note = f"{proof.scope}{' ' + proof.stage if proof.stage else ''} " \
               f"[{proof.pred.span}]"
    stdout.write(text.explain(ob, verdict, model, note) + "\n")
    return 0 if verdict.status == ob.expected else 1


COMMANDS = {"check": cmd_check, "explain": cmd_explain}


def run(argv: list[str], stdout: TextIO, stderr: TextIO) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as e:
        stderr.write(f"bootspec: error[BS001]: {e}\n")
        return 2
    if args.command is None:
        parser.print_help(stdout)
        return 2
    try:
        return COMMANDS[args.command](args, stdout, stderr)
    except BootspecError as e:
        stderr.write(render_all(e.diagnostics) + "\n")
        return 2
    except InternalError as e:
        stderr.write(f"bootspec: internal error (a bug in bootspec, please report it): {e}\n")
        return 3
    except KeyboardInterrupt:
        stderr.write("bootspec: interrupted\n")
        return 130


def main() -> None:
    sys.exit(run(sys.argv[1:], sys.stdout, sys.stderr))


if __name__ == "__main__":
    main()
