"""The 'soak' and 'fuzz' commands' parsers: registered on every start, so this module
imports nothing of the engine; :mod:`bootspec.oracle.soak` is imported when one runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from bootspec.argtypes import Subparsers, count, jobs_count, positive
from bootspec.oracle import FAMILIES


def run_soak(a: argparse.Namespace, o: TextIO, _e: TextIO) -> int:
    from bootspec.oracle.soak import soak
    return soak(a.start, a.models, a.jobs, Path(a.keep) if a.keep else None, o)


def run_fuzz(a: argparse.Namespace, o: TextIO, _e: TextIO) -> int:
    project = Path(a.project)
    if not any(project.glob("models/*.boot")):
        # the fuzz mutates this project's models and signals runs of its check: with none
        # it would test nothing and count every signalled run's BS002 as a failure
        from bootspec.diagnostics import BootspecError, Diagnostic, Span
        raise BootspecError([Diagnostic(
            "BS002", f"bootspec fuzz needs a project: no models/*.boot in '{project}'",
            Span("<command line>", 0, 0),
            hint="run it in bootspec's repository or a project with models/ and proofs/, "
                 "or give --project DIR")])
    from bootspec.oracle.soak import fuzz
    return fuzz(a.models, a.maps, a.jobs, project, Path(a.corpus), o,
                a.models // 10 if a.hostile is None else a.hostile, a.signals,
                tuple(a.families or FAMILIES))


def add_parsers(subparsers: Subparsers) -> None:
    sp = subparsers.add_parser(
        "soak", help="generated models decided by bootspec, by enumeration and by the "
        "reference interpreter")
    sp.add_argument("--models", type=positive(int), default=1000)
    sp.add_argument("--start", type=int, default=0, help="first seed")
    sp.add_argument("-j", "--jobs", type=jobs_count, default=2)
    sp.add_argument("--keep", metavar="DIR", help="write shrunk disagreements here")
    sp.set_defaults(func=run_soak)
    fz = subparsers.add_parser(
        "fuzz", help="mutated models, proofs and memory-map logs against the front ends")
    fz.add_argument("--models", type=count, default=10000, help="model/proof files")
    fz.add_argument("--maps", type=count, default=1000, help="memory-map logs")
    fz.add_argument("-j", "--jobs", type=jobs_count, default=2)
    fz.add_argument("--corpus", default="../shared/data/memmaps")
    fz.add_argument("--project", default=".", metavar="DIR",
                    help="the project whose models are mutated and whose check is "
                    "signalled (default: the working folder)")
    fz.add_argument("--hostile", type=int, default=None, metavar="N",
                    help="hostile cases: device files, path escapes, deep and long "
                    "expressions, huge literals, corrupted caches (default: models / 10)")
    fz.add_argument("--signals", type=count, default=20, metavar="N",
                    help="runs of bootspec signalled (SIGINT, SIGTERM) while it solves "
                    "(default 20)")
    fz.add_argument("--family", dest="families", action="append", choices=FAMILIES,
                    help="only these hostile families (repeatable; default all)")
    fz.set_defaults(func=run_fuzz)
