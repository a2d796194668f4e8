"""The commands registered on every start whose work lives in a module of its own:
``bench``, ``cite check`` and ``elf show``. Building the command line imports only this
module; each command's module (the benchmark harness, the cite checker, the image
reader, with their dataclasses and regular expressions) is imported when it runs,
so that ``bootspec check`` and ``--version`` do not pay for them
(tests/cli/test_startup.py)."""

from __future__ import annotations

import argparse
from typing import TextIO

from bootspec.argtypes import Subparsers, jobs_count


def run_bench(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec import bench
    return bench.run(args, stdout, stderr)


def run_cite_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec import cite
    return cite.run_check(args, stdout, stderr)


def run_elf_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec import elf
    return elf.run_show(args, stdout, stderr)


def add_bench(subparsers: Subparsers) -> None:
    sp = subparsers.add_parser(
        "bench", help="measure bootspec against the naive encodings (prints figures)")
    sp.add_argument("--quick", action="store_true", help="small sizes only (a smoke test)")
    sp.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    sp.add_argument("-j", "--jobs", type=jobs_count, default=2,
                    help="processes for the corpus sweep figures (default 2)")
    sp.add_argument("--corpus", default="../shared/data/memmaps",
                    help="folder of real machine maps (default: ../shared/data/memmaps)")
    sp.add_argument("--anchors", default="../shared/design/anchors",
                    help="folder of the hand-built anchor encodings (cell.py) measured "
                         "beside bootspec (default: ../shared/design/anchors)")
    sp.set_defaults(func=run_bench)


def add_cite(subparsers: Subparsers) -> None:
    c = subparsers.add_parser("cite", help="check the models' cites against the code they cite")
    csub = c.add_subparsers(dest="cite_command", metavar="SUBCOMMAND", required=True,
                            parser_class=type(c))
    k = csub.add_parser(
        "check", help="check every cite against local git checkouts",
        description="Read every 'cite' of the models and proofs. A cite of the form "
        "'REPO@COMMIT:PATH (l.N | SYMBOL) 'QUOTE'' is looked up in a local checkout of "
        "REPO: the commit, the file at that commit, the quote there, and drift (the quote "
        "gone at the checkout's HEAD or --rev). Exit 1 when a cite is wrong (missing "
        "commit, file, symbol or quote), and with --strict also on drift; 2 on bad usage.")
    k.add_argument("paths", nargs="*", help="model/proof files or folders (default: models/ "
                   "and proofs/)")
    k.add_argument("--source", action="append", default=[], metavar="NAME=DIR",
                   help="a git checkout of a repository the cites name (NAME is the "
                   "repository's name or owner/name, e.g. xen=../xen); repeat for several")
    k.add_argument("--rev", action="append", default=[], metavar="[NAME=]REV",
                   help="the revision drift is measured against: REV for every checkout, "
                   "NAME=REV for one (default: each checkout's HEAD); repeat for several")
    k.add_argument("--posts", metavar="DIR", help="a folder of saved mailing-list posts for "
                   "the 'LIST post DATE' cites")
    k.add_argument("--strict", action="store_true", help="exit 1 on drift too")
    k.add_argument("--format", choices=("text", "json"), default="text")
    k.add_argument("--all", action="store_true", help="list every part, not only those "
                   "that are not plain 'ok'")
    k.set_defaults(func=run_cite_check)


def add_elf(subparsers: Subparsers) -> None:
    e = subparsers.add_parser("elf", help="read built images (ELF, and PE such as xen.efi)")
    esub = e.add_subparsers(dest="elf_command", metavar="SUBCOMMAND", required=True,
                            parser_class=type(e))
    s = esub.add_parser("show", help="the header, program headers, sections, notes and "
                        "asked-for symbols of an image",
                        description="Print an ELF image's header, program headers (type, "
                        "offset, vaddr, paddr, filesz, memsz, align, flags), section headers, "
                        "notes (Xen's decoded by name) and the symbols asked for; for a PE "
                        "image (xen.efi) its headers and section table.")
    s.add_argument("file")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--symbol", "-s", action="append", default=[], metavar="NAME",
                   help="a symbol to show (repeat for several); an unknown one is an error")
    s.add_argument("--all-symbols", action="store_true", help="every symbol of the symbol table")
    s.set_defaults(func=run_elf_show)
