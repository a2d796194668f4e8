"""The error catalogue: every code bootspec can emit, what it means, how to fix it.

``bootspec explain-error CODE`` prints an entry. Each entry carries a minimal
example that triggers the code: model text for the language codes, a command
line for the CLI codes (``argv:`` prefix). A test runs every example and checks
it raises exactly its code, and that every code in the source has an entry.
Memory-map import codes (BS5xx) live in :mod:`bootspec.memmap.codes`; report
codes beside their modules; this module gathers them all.
"""

from __future__ import annotations

import dataclasses
import importlib

from bootspec.argtypes import Subparsers


@dataclasses.dataclass(frozen=True)
class Entry:
    code: str
    title: str
    meaning: str
    example: str  # model text, or "argv: ..." for a command line
    fix: str


_M = "model m\n  width 32\n"

CORE: tuple[Entry, ...] = (
    Entry("BS001", "bad command-line usage",
          "A flag or argument is unknown, missing or malformed.",
          "argv: check --frob", "Run 'bootspec COMMAND --help' for the flags."),
    Entry("BS002", "no model files",
          "The paths given name no .boot/.proof file, or do not exist.",
          "argv: check does/not/exist.boot",
          "Name existing files or folders, or run in a folder with models/ and proofs/."),
    Entry("BS003", "unknown property for explain",
          "explain was asked about a property no loaded proof or model has, or one that "
          "applies to several models without --model.",
          "argv: explain no_such_property", "Use a name from 'bootspec check' output."),
    Entry("BS006", "bad executor",
          "--executor names no known executor, or its Dask scheduler cannot be reached, or "
          "the 'distributed' package is missing.", "argv: check --executor nope",
          "Use 'local' or dask://HOST:PORT with a running scheduler."),
    Entry("BS007", "bad cite check source",
          "A --source of 'cite check' is not NAME=DIR, its DIR is not a git checkout, "
          "--rev is not a commit of a checkout, or --posts is not a folder.",
          "argv: cite check --source xen=/no/such/checkout",
          "Clone the repository (a bare clone or its .git folder will do) and name it "
          "NAME=DIR; NAME is the repository's name as the cites write it (xen, edk2)."),
    Entry("BS008", "cannot read an image",
          "'elf show' was given a file that cannot be read, is neither ELF nor PE, is cut "
          "short, or lacks a symbol asked for with --symbol (PE images have none here).",
          "argv: elf show no/such/image.elf",
          "Name the built image (xen-syms, vmlinux, xen.efi); 'elf show FILE --all-symbols' "
          "lists the symbols an ELF image has."),
    Entry("BS009", "nothing to emit",
          "explain --emit-memmap was asked for a property that has no counterexample "
          "(it holds, is vacuous or unknown), or whose model has no memory map.",
          "argv: explain trampoline_bios_below_1mib -m xen_trampoline_bios --emit-memmap "
          "cx.json",
          "Emit a map for a violated property; --emit-test works for any verdict."),
    Entry("BS100", "syntax error",
          "A line does not follow the grammar (docs/language.md).",
          _M + "stage s\n  place x size at 3\n",
          "Compare with the statement forms in docs/language.md; the hint lists what the "
          "parser expected."),
    Entry("BS101", "unknown name",
          "A name is used that the model does not define (param, const, region, map, "
          "stage, function or field).", _M + "stage s\n  place x size sz at 0\n",
          "Define it, or fix the spelling (the hint suggests the closest name)."),
    Entry("BS102", "defined twice",
          "Two declarations share a name in one model, or two models/proofs share a name.",
          _M + "param a in {1}\nparam a in {2}\nstage s\n",
          "Rename one; in a model that extends another, redeclaring replaces the base's."),
    Entry("BS103", "type mismatch",
          "An expression has the wrong type for its position (a region where a number is "
          "needed, a number where a condition is needed...).",
          _M + "assume 1 + 2\nstage s\n", "Use a comparison or predicate where a condition "
          "is needed, and R.start/R.end/R.size to get numbers from a region."),
    Entry("BS104", "region used before it is placed",
          "On some boot path the region is not live where it is used (never placed, freed, "
          "or placed twice).", _M + "stage s\n  place a size 1 at b.end\n  place b size 1 at 0\n",
          "Place it earlier on every path that reaches the use, or reorder the actions."),
    Entry("BS105", "empty parameter domain",
          "No value satisfies the parameter's bounds and alignment.",
          _M + "param a in [10, 20] align 64\nstage s\n",
          "Widen the bounds or relax the alignment."),
    Entry("BS106", "unknown model",
          "A proof's 'for' line or an 'extends' names a model that no loaded file defines.",
          _M + "stage s\nproof p\n  for nosuch expect holds\n  always true\n",
          "Load the file that defines it, or fix the name."),
    Entry("BS107", "value out of range",
          "A constant, width or entry count is outside what bootspec accepts.",
          "model m\n  width 80\nstage s\n", "Width is 1..64; constants fit in 64 bits."),
    Entry("BS108", "not a constant",
          "A constant expression was required (a const, a loop bound, an index of a "
          "repeated name), or a shift count is neither a constant nor a parameter with a "
          "small finite domain.",
          _M + "param a in [0, 9]\nconst C = a + 1\nstage s\n",
          "Use numbers and consts (and loop variables inside a 'for'); a shift count may "
          "also be a parameter with at most 256 values."),
    Entry("BS109", "bad alignment",
          "An alignment is zero, negative, or symbolic with an unbounded domain.",
          _M + "param a in [0, 9]\nassume align_up(8, a) == 8\nstage s\n",
          "Use a positive constant or a parameter with a finite set of positive values."),
    Entry("BS110", "cycle",
          "The stage graph (or a chain of extends) loops.",
          _M + "stage a after b\nstage b after a\n", "Boot stages run once: break the loop."),
    Entry("BS111", "nothing to replace or delete",
          "A replace/delete names an action or stage the base model does not have, or is "
          "used in a model that extends nothing.",
          _M + "stage s\nmodel n extends m\nstage s\n  delete free x\n",
          "Name an action of the base stage by kind and target, e.g. 'replace place x ...'."),
    Entry("BS112", "missing width",
          "A model has no 'width' line.", "model m\nstage s\n",
          "Add 'width 32' or 'width 64' under the model header."),
    Entry("BS115", "too many paths",
          "The stage graph has more boot paths than bootspec enumerates.",
          "",  # built by the test: 13 diamonds in a row
          "Merge stages, or guard them so fewer combinations exist."),
    Entry("BS116", "inclusive range for a region",
          "Regions and map entries are half-open [start, end); '[a, b]' is only for "
          "parameter domains.", _M + "region r = [0, 10]\nstage s\n",
          "Write [start, last + 1)."),
    Entry("BS117", "statement in the wrong place",
          "A line appears where it does not belong: a stage action outside a stage, an "
          "entry outside a concrete map, a property inside a model, a model with no stage.",
          _M + "free x\n", "Move it under the right header (see docs/language.md)."),
    Entry("BS118", "bad file or proof shape",
          "A file cannot be a model (binary, too large, unreadable), or a proof has no "
          "property, several properties, or no 'for' line.",
          _M + "stage s\nproof p\n  for m expect holds\n",
          "Give each proof one property line and at least one 'for MODEL expect ...'."),
    Entry("BS119", "bad concrete map",
          "A concrete map's entries are empty, inverted, unsorted or overlapping.",
          _M + "map mm : e820\n  entry [8, 4) usable\nstage s\n",
          "List entries sorted by address, each [start, end) with start <= end."),
    Entry("BS120", "unknown memory type",
          "A type name is not one of the map kind's canonical types, or the kind is not "
          "e820/efi.", _M + "map mm : e820 symbolic 2 types {ram}\nstage s\n",
          "Use the names in docs/language.md (e820: usable, reserved, ...; efi: "
          "conventional, bs_code, ...)."),
    Entry("BS126", "formula over regions with different lifetimes",
          "Inside one conjunct of a property, 'or', 'not', 'implies' or 'if' combine "
          "predicates whose regions are not live at the same steps, so it is not clear what "
          "the formula says where only some of them exist.",
          _M + "stage s\n  place a size 16 at 0\n  place b size 16 at 32\n"
          "proof p\n  for m expect holds\n  always disjoint(a, b) or below(a, 64)\n",
          "Split it: 'always A and B' checks A and B each where its own regions live; or "
          "narrow the scope with 'during S' / 'after S'."),
    Entry("BS127", "bad expected finding",
          "An 'expect' names a finding site the model does not have, or says 'expect "
          "wellformed violated', which would hide every finding but the known one.",
          _M + "stage s\n  place a size 16 topdown below 8\nexpect wellformed violated\n",
          "Name the site that fails: 'expect fits@L4 violated' (the error lists the model's "
          "sites; 'bootspec explain wellformed -m MODEL' names the failing one)."),
    Entry("BS128", "ambiguous edit in a design change",
          "A 'replace', 'delete' or 'insert' in a model that extends another matches more than "
          "one action of the base stage.",
          _M + "stage s\n  place a size 16 at 0\n  free a\n  place a size 16 at 64\n"
          "model n extends m\nstage s\n  replace place a size 16 at 128\n",
          "Name the assert or assume you mean, or change the base so the actions differ."),
    Entry("BS131", "a file with nothing to check (warning)",
          "A .boot or .proof file holds no model and no proof (it is empty, or only "
          "comments), so nothing in it is checked. A warning: the run goes on.",
          "# a model file whose content was lost\n",
          "Start it with 'model NAME' or 'proof NAME', or stop naming it."),
    Entry("BS133", "a slow idiom: many regions placed anywhere, avoiding each other (warning)",
          "Six or more regions of a model are placed 'anywhere' with 'avoid all' (or avoid "
          "lists) and no chain. A proof about them (that they fit, that one more does not) "
          "is a pigeonhole problem for the solver: its time grows exponentially with their "
          "number (minutes from about 8 regions). A warning: the run goes on.",
          _M + "stage s\n" + "".join(f"  place r{i} size 4KiB anywhere within [0, 1MiB) "
                                     "align 4KiB avoid all\n" for i in range(6)),
          "Place them as a chain: each 'above' the previous one's end (then 'avoid' is not "
          "needed between them); the proof is then linear."),
    Entry("BS132", "expression too deep",
          "An expression nests more than 200 levels: parentheses, 'not', 'if' and each "
          "operator of a chain (a + b + c is two levels) count. bootspec evaluates "
          "expressions recursively and refuses one this deep rather than run out of stack.",
          _M + "var v = " + " + ".join(["1"] * 202) + "\nstage s\n",
          "Name the parts with 'var' or 'const' lines, or write a long list with 'sum' over "
          "a map or a 'for' loop."),
    Entry("BS121", "unknown enum value",
          "An enum parameter is compared with a value it does not have.",
          _M + "param boot : enum {bios, efi}\nassume boot == pvh\nstage s\n",
          "Compare with one of the listed values, or add the value to the enum."),
    Entry("BS130", "cannot take an image",
          "An 'image NAME from elf \"FILE\"' line names a file that cannot be read, is not an "
          "ELF image (a PE image such as xen.efi included), asks for a symbol the image's "
          "symbol table does not have, or names a format other than elf.",
          _M + 'image x from elf "no-such-file"\nstage s\n',
          "Point the path (relative to the model file) at the ELF image, e.g. xen-syms; list "
          "with 'bootspec elf show FILE --all-symbols' the symbols it has."),
)

_OTHERS = ("bootspec.memmap.codes", "bootspec.report.codes")


def catalogue() -> dict[str, Entry]:
    """Every entry, from the core and from the modules that keep their own codes."""
    out = {e.code: e for e in CORE}
    for mod_name in _OTHERS:
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        for code, value in getattr(mod, "CODES", {}).items():
            if isinstance(value, Entry):
                out[code] = value
            else:
                meaning, example, fix = value
                out[code] = Entry(code, meaning, meaning, example, fix)
    return dict(sorted(out.items()))


def render(entry: Entry) -> str:
    lines = [f"{entry.code}: {entry.title}", "", entry.meaning, "", "example:"]
    lines += ["    " + ln for ln in (entry.example or "(see the tests)").splitlines()]
    lines += ["", f"fix: {entry.fix}"]
    return "\n".join(lines)


def add_parser(subparsers: Subparsers) -> None:
    """Register ``bootspec explain-error [CODE]``."""
    sp = subparsers.add_parser(
        "explain-error", help="what an error code means, an example that triggers it, and "
        "how to fix it (no CODE: list every code)")
    sp.add_argument("code", nargs="?", help="e.g. BS104")
    sp.set_defaults(func=run_explain_error)


def run_explain_error(args: object, stdout: object, stderr: object) -> int:
    entries = catalogue()
    code = getattr(args, "code", None)
    if code is None:
        for e in entries.values():
            stdout.write(f"{e.code}  {e.title}\n")  # type: ignore[attr-defined]
        return 0
    entry = entries.get(code.upper())
    if entry is None:
        stderr.write(f"bootspec: error[BS001]: no error code '{code}' "  # type: ignore[attr-defined]
                     "(run 'bootspec explain-error' for the list)\n")
        return 2
    stdout.write(render(entry) + "\n")  # type: ignore[attr-defined]
    return 0
