"""The command line: the only place that prints and exits.

Each command function takes the parsed arguments and ``stdout``/``stderr`` and
returns an exit status; :func:`main` alone calls ``sys.exit``.

Exit status: 0 every verdict as expected; 1 some verdict differs from its
expectation; 2 a mistake in the input or the flags; 3 an internal error in
bootspec; 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

# only what builds the parser is imported here: the engine, Z3, the parser generator and
# the report formats are imported by the commands that use them ('bootspec --version'
# and a warm 'check' need none of them; tests/cli/test_startup.py holds this)
from bootspec import __version__, codes, commands, completion, diffing, signals
from bootspec.argtypes import (
    Options,
    add_cache_options,
    add_limit_options,
    add_output_options,
    add_path_options,
    add_paths_argument,
    finish,
    jobs_count,
    options_of,
    scope_of,
)
from bootspec.diagnostics import (
    BootspecError,
    Diagnostic,
    InternalError,
    Span,
    did_you_mean,
    render_all,
)
from bootspec.memmap.bios import add_flags as add_bios_flags
from bootspec.oracle import commands as oracle_commands
from bootspec.report import graph
from bootspec.report.files import check_not_inputs, check_writable, emit, emit_summarised
from bootspec.sweep import commands as memmap_commands
from bootspec.units import counted

if TYPE_CHECKING:
    from bootspec.engine.check import Result
    from bootspec.memmap.bind import Binding
    from bootspec.pipeline import Project



class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    _inside = False

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{message} (see '{self.prog} --help')")

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        """A command's options may come between its arguments (``explain P -m M PATH``):
        a parser without sub-commands reads them intermixed."""
        if self._subparsers is not None or self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bootspec", description="A formal model checker of early-boot memory "
                "layouts: proves placement properties with Z3 or returns a counterexample "
                "memory map.")
    p.add_argument("--version", action="version", version=f"bootspec {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("check", help="check models and proofs; exit 0 when every verdict "
                       "matches its expectation")
    add_paths_argument(c, alias=False)
    c.add_argument("--no-timing", action="store_true", help="leave out times (stable output)")
    c.add_argument("--quiet", "-q", action="store_true",
                   help="print only a one-line summary on stdout (the verdict counts and "
                   "what the exit status means; same exit status); with --output the "
                   "report still goes to FILE")
    c.add_argument("--memmap", metavar="FILE",
                   help="bind a real machine's memory map (a log, JSON or sysfs folder) to "
                   "the models' symbolic maps of the same kind, and check that machine")
    c.add_argument("--bind", metavar="MAP", help="with --memmap: the model map to bind "
                   "(default: every symbolic map whose kind matches)")
    c.add_argument("-j", "--jobs", type=jobs_count, default=1, metavar="N",
                   help="decide obligations in N processes (results keep their order)")
    c.add_argument("--executor", metavar="URL",
                   help="run on an executor instead: 'local' (a process pool of --jobs) or "
                   "dask://HOST:PORT (a Dask distributed scheduler)")
    add_cache_options(c)
    add_bios_flags(c)
    add_path_options(c)
    add_limit_options(c)
    add_output_options(c)

    e = sub.add_parser("explain", help="show the counterexample of a violation, or what a "
                       "proof depends on")
    e.add_argument("property", help="a proof name, 'wellformed', or an assert's name")
    add_paths_argument(e)
    e.add_argument("--model", "-m", help="the model (needed when the property has several)")
    e.add_argument("--memmap", metavar="FILE", help="as for check")
    e.add_argument("--bind", metavar="MAP", help="as for check")
    e.add_argument("--assume", action="append", default=[], metavar="EXPR",
                   help="ask for a counterexample that also satisfies EXPR (a model-level "
                   "'assume' of the property's model, added for this run only); repeat for "
                   "several")
    e.add_argument("--emit-memmap", metavar="FILE", help="write the counterexample's memory "
                   "map (bootspec JSON, which memmap show and check --memmap read)")
    e.add_argument("--emit-test", metavar="FILE", help="write a pytest regression test that "
                   "pins the counterexample's inputs and expects the verdict")
    add_bios_flags(e)
    add_path_options(e)
    add_limit_options(e)
    add_output_options(e)
    memmap_commands.add_parser(sub)
    diffing.add_parser(sub)
    graph.add_parser(sub)
    codes.add_parser(sub)
    commands.add_bench(sub)
    oracle_commands.add_parsers(sub)
    commands.add_cite(sub)
    commands.add_elf(sub)
    completion.add_parser(sub)
    ls = sub.add_parser("lsp", help="a language server on stdin/stdout: bootspec's "
                        "diagnostics in the editor as you type (needs 'bootspec[lsp]')",
                        description="Speak the Language Server Protocol on stdin/stdout: on "
                        "every change of a .boot or .proof document, publish the parse and "
                        "name errors of its project (models/ and proofs/ above it), the "
                        "edited text replacing the file on disk.")
    ls.set_defaults(func=cmd_lsp)
    return p


def _load(args: argparse.Namespace) -> Project:
    return _load_bound(args)[0]


def _load_bound(args: argparse.Namespace) -> tuple[Project, Binding | None, Project]:
    """(the project to check, the binding of --memmap if given, the models as written)."""
    from bootspec.pipeline import discover, load
    files = discover(args.paths)
    check_not_inputs({f: getattr(args, a, None) for f, a in (
        ("--output", "output"), ("--emit-memmap", "emit_memmap"), ("--emit-test", "emit_test"))},
        [str(f) for f in files])
    written = project = load(files, scope=scope_of(args, files))
    if project.warnings and getattr(args, "stderr", None) is not None:
        args.stderr.write(render_all(project.warnings, project.sources) + "\n")
    if getattr(args, "assume_model", None):
        from bootspec.reproduce import with_assumptions
        written = project = with_assumptions(project, args.assume_model, args.assume)
    binding = None
    if getattr(args, "memmap", None):
        from bootspec.memmap.bind import bind
        binding = bind(project, args.memmap, args.bind)
        if binding.notes and getattr(args, "stderr", None) is not None:
            args.stderr.write(render_all(binding.notes).rsplit("\n", 1)[0] + "\n")
        from bootspec.image import digest
        project = dataclasses.replace(binding.project, inputs={
            **binding.project.inputs, binding.machine.path: digest(binding.machine.path)})
        from bootspec.memmap import bios
        names = binding.bound_models()
        if getattr(args, "property", None) is not None:  # explain: the model explained only
            names = [n for n in names if args.model in (None, n) and any(
                o.model == n and o.name == args.property for o in project.obligations())]
        models, inputs = bios.pin_models(project.models, names,
                                         bios.machine_entries(binding.machine),
                                         bios.options_of(args), binding.machine.path,
                                         written.models)
        if inputs:
            project = dataclasses.replace(project, models=models)
            if getattr(args, "stderr", None) is not None:
                args.stderr.write("".join(f"note: BIOS input: {b}\n" for b in inputs))
    elif getattr(args, "bind", None):
        raise BootspecError([Diagnostic("BS001", "--bind goes with --memmap",
                                        Span("<command line>", 0, 0))])
    return project, binding, written


def _emit(opts: Options, report: str, stdout: TextIO) -> None:
    """Write a report to stdout, or atomically to --output (never over a file without
    --force, never leaving a half-written file)."""
    emit(report, opts.output, opts.force, stdout)


def _emit_check(opts: Options, report: str, line: str, stdout: TextIO) -> None:
    """A check's report as :func:`_emit` writes it; with --quiet only ``line`` on stdout
    (and the report in --output's file)."""
    emit_summarised(report, line, opts.output, opts.force, opts.quiet, stdout)


def cmd_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec import warm
    from bootspec.cache import Cache
    opts = options_of(args)
    check_writable(opts.output, opts.force)  # before the work, not after it
    # the warm path: nothing changed since a run that found every verdict cached
    inputs = warm.inputs_of(args)
    if inputs is not None:
        hit = warm.replay(inputs, Cache(args.cache_dir))
        if hit is not None:
            report, line, warnings, status = hit
            stderr.write(warnings)
            _emit_check(opts, report, line, stdout)
            return status
    from bootspec.pipeline import check_project
    from bootspec.report.formats import render_check, with_cores
    from bootspec.runner import Progress, make_executor
    args.stderr = stderr
    project, binding, written = _load_bound(args)
    limits = opts.limits
    cache: Cache | None = None
    if opts.cache_dir is not None:
        cache = warm.KeyLog(opts.cache_dir) if inputs is not None else Cache(opts.cache_dir)
    reuse, carry = None, None
    if binding is not None and cache is not None and opts.jobs <= 1 and not opts.executor:
        # a machine's map: the models' proofs for every map and known runs, from earlier
        # runs (a serial run only, as for memmap check's sweeps)
        from bootspec.sweep.reuse import Reuse
        reuse = Reuse(written, limits, cache=cache)
        carry = reuse.for_binding(binding)
    done: list[Result] = []
    progress = Progress(len(project.obligations()), stderr)
    try:  # from here on, an interrupt (run() handles the signals) gives a PARTIAL report
        with make_executor(opts.executor, opts.jobs) as executor:
            results = check_project(project, limits, cache=cache, jobs=opts.jobs,
                                    executor=executor, progress=progress.step,
                                    on_result=done.append, carry=carry)
        if signals.was_interrupted():  # the interrupt itself was lost on the way
            raise KeyboardInterrupt
        if reuse is not None:
            reuse.save(force=True)
        progress.close()
        if opts.format in ("html", "json"):  # the full reports also show what each proof used
            results = with_cores(project, results, limits)
            if signals.was_interrupted():
                raise KeyboardInterrupt
        if binding is not None:  # on a machine, 'ok' is what is acceptable there
            from bootspec.memmap.bind import machine_ok
            report = render_check(results, project, opts.format, timing=opts.timing,
                                  machine=opts.memmap,
                                  accept=lambda r: machine_ok(r, project.models[
                                      r.obligation.model]))
        else:
            report = render_check(results, project, opts.format, timing=opts.timing)
    except Exception:
        if not signals.was_interrupted():
            raise
        # the interrupt came wrapped (ctypes turns an exception raised while it converts
        # a Z3 call's arguments into ArgumentError): an interrupt all the same
        progress.close()
        return _partial(opts, project, done, stdout, stderr, signals.status())
    except KeyboardInterrupt:
        progress.close()
        return _partial(opts, project, done, stdout, stderr, signals.status())
    if opts.memmap:
        # on one machine a known-buggy variant may simply not be triggered: only a
        # property expected to hold that does not is a failure there
        from bootspec.memmap.bind import machine_ok
        bad = [r for r in results if not machine_ok(r, project.models[r.obligation.model])]
        quiet = sum(1 for r in results if r.obligation.expected == "violated"
                    and r.verdict.status == "holds")
        status = 0 if not bad else 1
        meaning = ("every property expected to hold does" if not bad
                   else "some property expected to hold does not")
        failing = counted(len(bad), "property", "properties")
        do_not = "does not" if len(bad) == 1 else "do not"
        known = counted(quiet, "known violation", "known violations")
        _emit_check(opts, report, f"bootspec: on this machine ({opts.memmap}): "
                    f"{failing} expected to hold {do_not}, {known} not triggered: "
                    f"exit {status}, {meaning}\n", stdout)
        if opts.format == "text" and not opts.output and not opts.quiet:
            stdout.write(f"on this machine ({opts.memmap}):\n"
                         f"  {failing} expected to hold {do_not} (FAIL);\n"
                         f"  {known} {'is' if quiet == 1 else 'are'} not triggered by "
                         f"this map\n"
                         f"exit {status}\n")
        return status
    from bootspec.report.text import quiet_line
    _emit_check(opts, report, quiet_line(results), stdout)
    if isinstance(cache, warm.KeyLog):
        warnings = (render_all(project.warnings, project.sources) + "\n"
                    if project.warnings else "")
        warm.remember(args, inputs, project, cache, results, report, warnings)
    return 0 if all(r.ok for r in results) else 1


def _partial(opts: Options, project: Project, done: list[Result], stdout: TextIO,
             stderr: TextIO, status: int) -> int:
    """The report of an interrupted check: what was decided (an obligation whose query was
    interrupted is left out, never shown as a verdict), marked PARTIAL in its content."""
    from bootspec.report.formats import render_check
    order = {(o.model, o.name): i for i, o in enumerate(project.obligations())}
    decided = sorted((r for r in done if r.verdict.reason != "interrupted"),
                     key=lambda r: order[(r.obligation.model, r.obligation.name)])
    what = "SIGTERM" if status == 143 else "interrupted (Ctrl-C)"
    note = (f"{what}; {len(decided)} of {len(order)} obligations decided, the others are "
            "not in this report")
    report = render_check(decided, project, opts.format, timing=opts.timing, partial=note)
    if not opts.quiet or opts.output:
        _emit(opts, report, stdout)  # --quiet: the line on stderr says it all
    stderr.write(f"bootspec: {what}: PARTIAL report, {len(decided)} of {len(order)} "
                 "obligations decided\n")
    return status


def cmd_explain(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec.engine.check import ModelChecker
    from bootspec.report.formats import render_explain
    args.stderr = stderr
    opts = options_of(args)
    for path in (opts.output, args.emit_memmap, args.emit_test):  # before the work
        check_writable(path, opts.force)
    project = _load(args)
    if args.model is not None and args.model not in project.models:
        raise BootspecError([Diagnostic(
            "BS003", f"no model '{args.model}'", Span("<command line>", 0, 0),
            hint=did_you_mean(args.model, project.models)
            or "'bootspec check' lists the models")])
    obs = [o for o in project.obligations() if o.name == args.property
           and (args.model is None or o.model == args.model)]
    if not obs:
        names = {o.name for o in project.obligations()
                 if args.model is None or o.model == args.model}
        elsewhere = sorted({o.model for o in project.obligations()
                            if o.name == args.property})
        hint = (f"it is a property of {', '.join(elsewhere)}" if elsewhere
                else did_you_mean(args.property, names)
                or "'bootspec check' lists the properties")
        raise BootspecError([Diagnostic(
            "BS003", f"no property '{args.property}'"
            + (f" on model '{args.model}'" if args.model else ""), Span("<command line>", 0, 0),
            hint=hint)])
    if len(obs) > 1 and args.model is None:
        raise BootspecError([Diagnostic(
            "BS003", f"'{args.property}' applies to several models; choose one with --model",
            Span("<command line>", 0, 0), hint="models: " + ", ".join(o.model for o in obs))])
    ob = obs[0]
    if args.assume:
        args.assume_model = ob.model
        project = _load(args)
        stderr.write("".join(f"note: {ob.model} assumes, for this run: {a}\n"
                             for a in args.assume))
    model = project.models[ob.model]
    checker = ModelChecker(model, project.paths[ob.model], opts.limits)
    proof = project.proof_of(ob)
    verdict = checker.decide(ob, proof, want_core=True)
    if signals.was_interrupted():  # never a verdict from an interrupted query
        raise KeyboardInterrupt
    report = render_explain(ob, verdict, project, opts.format)
    _emit(opts, report, stdout)
    if args.emit_memmap or args.emit_test:
        from bootspec.report.view import meta_of
        from bootspec.reproduce import emit
        header = meta_of(project.sources, project.inputs).line
        stderr.write("".join(f"note: {n}\n" for n in emit(args, ob, verdict, project, header)))
    return 0 if verdict.status == ob.expected else 1


def cmd_lsp(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from bootspec import lsp
    except ImportError as e:
        stderr.write(f"bootspec: 'bootspec lsp' needs pygls ({e}): pip install "
                     "'bootspec[lsp]'\n")
        return 2
    return lsp.serve(getattr(sys.stdin, "buffer", None), getattr(stdout, "buffer", None))


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
    stderr.write("".join(f"bootspec: {n}\n" for n in finish(args)))
    if args.command == "diff" and "--" in argv:  # argparse drops it: diff needs to know
        args.after_dashdash = len(argv) - argv.index("--") - 1
    try:
        func = getattr(args, "func", None) or COMMANDS[args.command]
        with signals.handling():
            return int(func(args, stdout, stderr))
    except BootspecError as e:
        stderr.write(render_all(e.diagnostics, e.sources) + "\n")
        return 2
    except InternalError as e:
        stderr.write(f"bootspec: internal error (a bug in bootspec, please report it): {e}\n")
        return 3
    except KeyboardInterrupt as e:
        stderr.write("bootspec: interrupted\n")
        return 143 if isinstance(e, signals.Terminated) or signals.status() == 143 else 130
    except Exception as e:
        if signals.was_interrupted():  # an interrupt that came wrapped (see cmd_check)
            stderr.write("bootspec: interrupted\n")
            return signals.status()
        stderr.write(f"bootspec: internal error (a bug in bootspec, please report it with "
                     f"the input): {_where(e)}\n")
        return 3


def _where(e: BaseException) -> str:
    """``TypeError: ... (at bootspec/x.py:12 in f)``: the innermost frame in bootspec."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if "bootspec" in f.filename]
    text = f"{type(e).__name__}: {str(e)[:300]}"
    if frames:
        f = frames[-1]
        text += f" (at bootspec/{f.filename.rsplit('bootspec/', 1)[-1]}:{f.lineno} in {f.name})"
    return text


def main() -> None:
    try:
        status = run(sys.argv[1:], sys.stdout, sys.stderr)
    except KeyboardInterrupt as e:  # a signal just as run() handed its handlers back
        status = 143 if isinstance(e, signals.Terminated) else 130
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)  # the run is over: a late signal changes nothing
    if status in (130, 143):
        # An interrupted run ends here, without the interpreter's finalization: a
        # KeyboardInterrupt that Python raised inside code it runs through exec (a
        # dataclass's generated __init__ while a module is imported lazily) marks the
        # process, and the finalization of CPython 3.11 then kills it with SIGINT
        # (status -2) although bootspec caught the interrupt and reported it. The
        # report and the cache are written by now; workers end with their parent.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    main()
