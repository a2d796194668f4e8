"""Error codes of the memory-map importers (range BS5xx).

``CODES[code] = (meaning, example input that triggers it, how to fix it)``.
Examples are complete inputs for ``parse_text``; two limits are too large to show
literally, so their examples trigger the code under the small
:data:`EXAMPLE_LIMITS` given for them (the tests check every example).
"""

from __future__ import annotations

from bootspec.memmap.model import Limits

CODES: dict[str, tuple[str, str, str]] = {
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
    if code not in CODES:
        return None
    meaning, example, fix = CODES[code]
    shown = example if len(example) < 300 else example[:300] + "..."
    if not all(ch.isprintable() or ch == "\n" for ch in shown):
        shown = repr(shown)
    return f"{code}: {meaning}\n\nexample input:\n{shown.rstrip()}\n\nfix: {fix}"
