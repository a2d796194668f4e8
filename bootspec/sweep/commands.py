"""The 'memmap' command group ('memmap show', 'memmap check'): registered on every
start, so this module imports neither the map importers nor the engine; each
command's module is imported when it runs. It sits in the sweep package because
'memmap check' is the sweep (above the pipeline); 'memmap show' is the importers'."""

from __future__ import annotations

import argparse
from typing import TextIO

from bootspec.argtypes import (
    Subparsers,
    add_cache_options,
    add_limit_options,
    add_output_options,
    add_path_options,
    jobs_count,
)
from bootspec.memmap.bios import add_flags as add_bios_flags
from bootspec.report.registry import help_text


def run_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec.memmap import show
    return show.run_show(args, stdout, stderr)


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec import warm
    from bootspec.cache import Cache
    # the warm path: nothing changed since a run that read every machine's report
    # from the cache (bootspec/warm.py); nothing heavy is imported for it
    inputs = warm.inputs_of(args)
    if inputs is not None:
        from bootspec.report.files import check_writable, emit_summarised
        check_writable(args.output, args.force)
        hit = warm.replay(inputs, Cache(args.cache_dir))
        if hit is not None:
            report, summary, errors, status = hit
            emit_summarised(report, summary, args.output, args.force, args.quiet, stdout)
            stderr.write(errors)
            return status
    from bootspec.sweep import cli
    return cli.run_check(args, stdout, stderr, inputs)


def add_parser(subparsers: Subparsers) -> None:
    """Register ``memmap show FILE... [--format text|json]`` (``func=run_show``) and
    ``memmap check`` (:mod:`bootspec.sweep.cli`)."""
    memmap = subparsers.add_parser(
        "memmap", help="import real machine memory maps (e820, EFI, Xen, sysfs, JSON)",
        description="Import and inspect real machine memory maps.")
    sub = memmap.add_subparsers(dest="memmap_command", metavar="COMMAND", required=True)
    show = sub.add_parser(
        "show", help="print maps found in logs as a table with a sanity report",
        description="Read boot logs (dmesg, xl dmesg, serial captures), bootspec JSON maps "
                    "or /sys/firmware/memmap directories and print every map found.")
    show.add_argument("files", nargs="+", metavar="FILE", help="log file, JSON map or directory")
    show.add_argument("--format", choices=("text", "json"), default="text",
                      help="text table (default) or bootspec JSON with findings")
    show.set_defaults(func=run_show)
    add_check_parser(sub)



def add_check_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``memmap check`` on the ``memmap`` sub-command group."""
    c = sub.add_parser(
        "check", help="check models against real machine maps (a corpus folder or files)",
        description="Bind each machine's memory map to the models' symbolic maps of the "
                    "same kind and decide every obligation of the models on that machine. "
                    "Exit 0 when every machine is acceptable (no property expected to hold "
                    "fails), 1 when the report shows a machine that is not, 2 on bad "
                    "input.")
    c.add_argument("inputs", nargs="+", metavar="DIR_OR_FILE",
                   help="map files (logs, JSON, sysfs folders) or folders of them")
    c.add_argument("--model", "-m", dest="models", action="append", required=True,
                   metavar="M", help="a model, or a model file's stem (all its models); "
                   "repeat for several")
    c.add_argument("--path", dest="paths", action="append", default=[], metavar="PATH",
                   help="a model/proof file or folder (default: models/ and proofs/); "
                   "repeat for several. An option here, not an argument as in check, "
                   "because this command's arguments are the machine maps")
    c.add_argument("-j", "--jobs", type=jobs_count, default=1, metavar="N",
                   help="check N machines in parallel (processes; default 1)")
    add_output_options(c, format_help=help_text() + "; text and md: the summary, then "
                       "only what is not acceptable (--details for every machine)")
    c.add_argument("--details", action="store_true",
                   help="text and md: every machine's verdicts, placements and inputs")
    c.add_argument("--quiet", "-q", action="store_true",
                   help="print only the summary (machines acceptable or not, the exit "
                   "status and what it means), on stdout; with -o the report still goes "
                   "to FILE")
    c.add_argument("--no-timing", action="store_true", help="leave out times (stable output)")
    c.add_argument("--executor", metavar="URL",
                   help="check the machines on an executor: 'local' (a process pool of "
                   "--jobs) or dask://HOST:PORT (a Dask distributed scheduler)")
    c.add_argument("--no-sample", action="store_true",
                   help="do not look for a reachable run to show where nothing is violated")
    add_limit_options(c)
    add_cache_options(c)
    add_bios_flags(c)
    add_path_options(c)
    c.set_defaults(func=run_check)
