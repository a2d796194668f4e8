"""Error codes of the memory-map importers and binding (range BS5xx).

``PARSE_CODES[code] = (meaning, example input that triggers it, how to fix it)``
for the importers: examples are complete inputs for ``parse_text``; two limits are
too large to show literally, so their examples trigger the code under the small
:data:`EXAMPLE_LIMITS` given for them (the tests check every example).
:data:`BIND_CODES` are those of binding a map to models (examples are situations).
:data:`CODES` is both, as ``bootspec explain-error`` reads it.
"""

from __future__ import annotations

from bootspec.memmap.model import Limits

PARSE_CODES: dict[str, tuple[str, str, str]] = {
    "BS501": (
        "malformed map line: it has a map marker (BIOS-e820:, efi: memNN:, (XEN) range...) "
        "but does not parse",
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff usable\n",
        "Complete or delete the line; the caret shows the first token that did not fit "
        "(often a line truncated by the mailer or terminal).",
    ),
    "BS502": (
        "a number does not fit in 64 bits",
        "BIOS-e820: [mem 0x0000000000000000-0x1ffffffffffffffff] usable\n",
        "Physical addresses are 64-bit: look for an extra digit or two numbers run together.",
    ),
    "BS503": (
        "inverted range: the end lies before the start (the entry is kept and flagged)",
        "BIOS-e820: [mem 0x0000000000100000-0x000000000009ffff] usable\n",
        "Swap or correct the two addresses.",
    ),
    "BS504": (
        "unknown type or attribute name (or a type number with no canonical name)",
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usabel\n",
        "Use a name the kernel prints (usable, reserved, ACPI data, ACPI NVS, type N; "
        "EFI: Conventional Memory, Boot Data...); add new numbers to bootspec.memtypes.",
    ),
    "BS505": (
        "EFI size field (NMB) disagrees with the range (it must equal size >> 20)",
        "efi: mem00: type=7, attr=0xf, range=[0x0000000000100000-0x0000000000300000) (1MB)\n",
        "One of the addresses or the size was mis-copied; compare with the original log.",
    ),
    "BS506": (
        "no memory map found in the input",
        "Linux version 6.1.0 (gcc 12.2.0)\nCommand line: quiet\n",
        "Pass a log with the boot-time map (dmesg from boot, xl dmesg, a serial capture), "
        "a bootspec JSON map, or a /sys/firmware/memmap directory.",
    ),
    "BS507": (
        "input cannot be read: missing, unreadable, not a regular file, binary or too large",
        "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        "Check the path and permissions; pass text, not a binary; cut a huge log down "
        "to its boot part.",
    ),
    "BS508": (
        "a line that looks like a map line is too long to read (over 64 KiB)",
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable and much more text\n",
        "Split or trim the line; two log lines may have run together.",
    ),
    "BS509": (
        "a limit was reached: too many entries (1,000,000) or too many problems (1000)",
        "BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable\n"
        "BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] usable\n"
        "BIOS-e820: [mem 0x0000000000002000-0x0000000000002fff] usable\n",
        "Check this is the file you meant; real maps have a few hundred entries at most.",
    ),
    "BS510": (
        "malformed JSON in a bootspec JSON map",
        '{"bootspec_memmap": 1, "maps": [\n',
        "Fix the JSON syntax, or regenerate with `bootspec memmap show --format json`.",
    ),
    "BS511": (
        "JSON does not follow the bootspec_memmap schema (version, keys, value types)",
        '{"bootspec_memmap": 2, "maps": []}\n',
        "Follow schema version 1: {\"bootspec_memmap\": 1, \"maps\": [{\"kind\": \"e820\", "
        "\"entries\": [{\"start\": \"0x0\", \"end\": \"0x9fc00\", \"type\": \"usable\"}]}]}.",
    ),
}

#: Codes of binding a machine map to models (``bootspec.memmap.bind``, ``memmap check``):
#: ``(meaning, example situation, how to fix it)``. Their examples are situations, not
#: parse inputs (tests/memmap/test_memmap_bind.py triggers each one).
BIND_CODES: dict[str, tuple[str, str, str]] = {
    "BS521": (
        "nothing to bind: no selected model has a symbolic map of a kind the file has",
        "check --memmap e820.log on models whose only symbolic maps are efi",
        "Pass a map of the kind the models use (see the hint's list of model maps), or "
        "check models that have a symbolic map of that kind.",
    ),
    "BS522": (
        "--bind names no symbolic model map (unknown, or a concrete map)",
        "check --memmap m.log --bind fww (the model map is 'fw')",
        "Use one of the symbolic maps listed in the hint.",
    ),
    "BS523": (
        "two entries of the machine's map overlap (both lines are shown)",
        "efi: mem03 [0x9f000-0x9ffff] Boot Data and efi: mem04 [0x9e000-0xa0fff] Reserved",
        "A real map gives each address one type: fix the copy error, or drop the entry "
        "the firmware got wrong.",
    ),
    "BS524": (
        "an entry's type has no canonical name, so no model can name it",
        "a JSON map entry of type 'weird'",
        "Use a canonical type of the kind (bootspec.memtypes); add new numbers there.",
    ),
    "BS525": (
        "a 'map NAME : KIND from \"path\"' file cannot be loaded or has no map of that kind",
        'map fw : efi from "e820-only.log"',
        "The path is relative to the model file; point it at a file with a map of the "
        "model map's kind.",
    ),
    "BS526": (
        "note: entries outside the model's address space [0, 2^width) were dropped or cut",
        "a 32-bit model bound to a map with RAM above 4 GiB",
        "Nothing to fix: the model cannot address them. Widen the model if they matter.",
    ),
    "BS527": (
        "note: the machine's map is not one the symbolic map admits (more entries, other "
        "types, outside its 'within' window, unaligned)",
        "map fw : efi symbolic 6 ... bound to a map with 40 entries below 4 GiB",
        "Nothing to fix: the real entries are kept. A property proven for the symbolic map "
        "that fails on this machine questions those assumptions.",
    ),
    "BS528": (
        "note: the file has several maps of one kind; the first real one was bound",
        "a log with two boots, or a Xen log with the PV dom0 view as well",
        "Cut the file down to the map you mean.",
    ),
    "BS529": (
        "memmap check --model names no model and no model file",
        "memmap check corpus/ --model xen_trampline",
        "Use a model name or a model file's stem (see the hint's lists).",
    ),
    "BS530": (
        "a BIOS input derived from the machine's map (or given with a flag) lies outside "
        "the domain of the model's parameter, so the machine cannot be checked as that model",
        "memmap check m.txt --model xen_trampoline_bios, where m.txt has only "
        "'BIOS-e820: [mem 0x0000000000000000-0x000000000001ffff] usable' below 640 KiB: base "
        "memory 128 KiB, outside basemem_kib in [256, 640]",
        "Give the value the machine really has with --mem-lower, --ebda-seg or --base-mem, "
        "or check the map (a truncated log can lose the low entries).",
    ),
    "BS531": (
        "a 'map NAME : KIND from \"path\"' names a file outside the model's project (an "
        "absolute path, or one whose '..' or symbolic links lead out of it); nothing is read",
        'map ram : e820 from "../../../../etc/shadow"',
        "Keep machine maps inside the project (the folder named on the command line, the "
        "folder of a model file named directly, the working folder by default, or --root "
        "DIR); to read one elsewhere, allow its folder with --allow-path DIR.",
    ),
}

#: Every code of the package (what ``bootspec explain-error`` lists).
CODES: dict[str, tuple[str, str, str]] = {**PARSE_CODES, **BIND_CODES}

#: Limits under which an example triggers its code (defaults otherwise).
EXAMPLE_LIMITS: dict[str, Limits] = {
    "BS508": Limits(max_line_chars=64),
    "BS509": Limits(max_entries=2),
}


def explain(code: str) -> str | None:
    """A short multi-line explanation of a BS5xx code, or None if it is not ours.

    >>> print(explain("BS503").splitlines()[0])
    BS503: inverted range: the end lies before the start (the entry is kept and flagged)
    """
    if code in BIND_CODES:
        meaning, situation, fix = BIND_CODES[code]
        return f"{code}: {meaning}\n\nexample: {situation}\n\nfix: {fix}"
    if code not in PARSE_CODES:
        return None
    meaning, example, fix = PARSE_CODES[code]
    shown = example if len(example) < 300 else example[:300] + "..."
    if not all(ch.isprintable() or ch == "\n" for ch in shown):
        shown = repr(shown)
    return f"{code}: {meaning}\n\nexample input:\n{shown.rstrip()}\n\nfix: {fix}"
