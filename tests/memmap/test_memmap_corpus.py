"""Every real map in the shared corpus imports cleanly and matches an independent reader.

The reader here (``reference_entries``) is deliberately simple: one regex per line
style, written from the corpus README, sharing no code with the parser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bootspec.memmap import check_map, parse_path

# The corpus is not copied into the repository: it is read in place from
# shared/data/memmaps beside the checkout (/work/shared next to /work/main; CI
# clones the repository with shared/ beside it).
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "memmaps"


def corpus_files() -> list[Path]:
    """Corpus map files, or [] when the shared corpus is not beside the checkout."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.txt"))


def need_corpus() -> list[Path]:
    files = corpus_files()
    if not files:
        pytest.skip(f"shared memory-map corpus not found at {CORPUS.resolve()} "
                    "(expected shared/data/memmaps beside the repository checkout)")
    return files


# --- an independent, deliberately simple reader of the corpus -----------------
# One regex per line style, written from the README's examples, not from the
# parser: used to check the parser's counts and first/last entries.

_E820_NAMES = {"usable": "usable", "reserved": "reserved", "ACPI data": "acpi",
               "ACPI NVS": "nvs", "unusable": "unusable", "type 20": "type20",
               "type 16": "type16", "type 9": "type9"}
_EFI_NUMBERS = ["reserved", "loader_code", "loader_data", "bs_code", "bs_data", "rt_code",
                "rt_data", "conventional", "unusable", "acpi_reclaim", "acpi_nvs", "mmio"]
_EFI_COLUMN_NAMES = {"Boot Code": "bs_code", "Boot Data": "bs_data",
                     "Conventional Memory": "conventional", "ACPI Memory NVS": "acpi_nvs",
                     "ACPI Reclaim Memory": "acpi_reclaim", "Loader Code": "loader_code",
                     "Loader Data": "loader_data", "Runtime Code": "rt_code",
                     "Runtime Data": "rt_data", "Reserved": "reserved",
                     "Memory Mapped I/O": "mmio"}

_ORACLE = [
    ("e820", re.compile(r"(?:BIOS-e820|Xen): \[mem 0x([0-9a-f]{16})-0x([0-9a-f]{16})\] (.+)$"),
     lambda m: (int(m[1], 16), int(m[2], 16) + 1, _E820_NAMES[m[3]])),
    ("e820", re.compile(r"\(XEN\)  ([0-9a-f]{16}) - ([0-9a-f]{16}) \((.+)\)$"),
     lambda m: (int(m[1], 16), int(m[2], 16), _E820_NAMES[m[3]])),
    ("e820", re.compile(r"\(XEN\)  \[([0-9a-f]{16}), ([0-9a-f]{16})\] \((.+)\)$"),
     lambda m: (int(m[1], 16), int(m[2], 16) + 1, _E820_NAMES[m[3]])),
    ("efi", re.compile(r"(?i:efi): mem\d+: type=(\d+), attr=0x[0-9a-f]+, "
                       r"range=\[0x([0-9a-f]+)-0x([0-9a-f]+)\) \(\d+MB\)$"),
     lambda m: (int(m[2], 16), int(m[3], 16), _EFI_NUMBERS[int(m[1])])),
    ("efi", re.compile(r"efi: mem\d+: \[([A-Za-z/ ]+?) *\|.*\] "
                       r"range=\[0x([0-9a-f]+)-0x([0-9a-f]+)([\])]) \(\d+MB\)$"),
     lambda m: (int(m[2], 16), int(m[3], 16) + (m[4] == "]"), _EFI_COLUMN_NAMES[m[1]])),
]


def reference_entries(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Entries per kind, in file order: {"e820": [(start, end_excl, type)...], "efi": [...]}."""
    out: dict[str, list[tuple[int, int, str]]] = {"e820": [], "efi": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        for kind, rx, convert in _ORACLE:
            m = rx.search(line)
            if m:
                out[kind].append(convert(m))
                break
    return out

FILES = corpus_files()
IDS = [p.name for p in FILES]


def test_corpus_present_or_skipped() -> None:
    files = need_corpus()
    assert len(files) >= 100, f"expected the 135-file corpus, found {len(files)} in {CORPUS}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_corpus_file_parses_without_errors(path) -> None:
    result = parse_path(path)
    assert result.diagnostics == [], [d.render() for d in result.diagnostics]
    assert result.maps, "every corpus file holds at least one map"
    for m in result.maps:
        assert m.source == str(path)
        assert len(m.entries) >= 5
        check_map(m)  # must not raise on any real map


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_corpus_file_matches_reference_reader(path) -> None:
    expected = reference_entries(path)
    result = parse_path(path)
    for kind in ("e820", "efi"):
        got = [(e.start, e.end, e.type) for m in result.maps if m.kind == kind
               for e in m.entries]
        want = expected[kind]
        assert len(got) == len(want), f"{kind} entry count"
        if want:
            assert got[0] == want[0], f"first {kind} entry"
            assert got[-1] == want[-1], f"last {kind} entry"
            assert got == want


def test_corpus_entry_lines_are_all_consumed() -> None:
    """No line with a map marker is silently ignored anywhere in the corpus."""
    for path in need_corpus():
        lines = path.read_text(encoding="utf-8").splitlines()
        marked = [i + 1 for i, line in enumerate(lines)
                  if ("BIOS-e820:" in line or "efi: mem" in line or "EFI: mem" in line
                      or "Xen: [mem" in line or line.startswith("(XEN)  "))]
        result = parse_path(path)
        seen = sorted(e.span.line for m in result.maps for e in m.entries)
        assert seen == marked, path.name


# Pinned by hand: values read from the files themselves.
PINNED = {
    # file: [(kind, fmt, header, count, first (start, end_excl, type), last ...)]
    "idx-xen-4608581199.txt": [
        ("e820", "xen-e820", "Xen-e820 RAM map:", 15,
         (0x0, 0x9AC00, "usable"), (0x100000000, 0x280000000, "usable"))],
    "idx-xen-12573707647.txt": [
        ("e820", "xen-e820-incl", "Xen-e820 RAM map:", 6,
         (0x0, 0x9FC00, "usable"), (0xFFFC0000, 0x100000000, "reserved"))],
    "idx-56673800654.txt": [
        ("e820", "linux-e820", "BIOS-provided physical RAM map:", 24,
         (0x0, 0x88000, "usable"), (0x100000000, 0x25F600000, "usable")),
        ("efi", "linux-efi-legacy", None, 72,
         (0x0, 0x1000, "bs_code"), (0xFFF40000, 0x100000000, "mmio"))],
    "idx-19683767939.txt": [
        ("efi", "linux-efi", None, 46,
         (0x0, 0x1000, "bs_code"), (0xFFC00000, 0x100000000, "mmio"))],
    "ml-linux-ide-3fc1b590cd.txt": [
        ("e820", "linux-xen-pv", "BIOS-provided physical RAM map:", 17,
         (0x0, 0x80000, "usable"), (0x100000000, 0x178481000, "usable"))],
    "ml-kexec-1a1de111d5-b.txt": [
        ("efi", "linux-efi", None, 30,
         (0xFF000000, 0x100000000, "mmio"), (0x5D62B000, 0x5D66B000, "bs_data"))],
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_files(name: str) -> None:
    need_corpus()
    result = parse_path(CORPUS / name)
    assert result.diagnostics == []
    shape = []
    for m in result.maps:
        first, last = m.entries[0], m.entries[-1]
        shape.append((m.kind, m.fmt, m.header, len(m.entries),
                      (first.start, first.end, first.type), (last.start, last.end, last.type)))
    assert shape == PINNED[name]


def test_pinned_attributes_and_spans() -> None:
    need_corpus()
    efi = parse_path(CORPUS / "idx-56673800654.txt").maps[1]
    assert efi.entries[0].attrs == ("WB", "WT", "WC", "UC")
    assert efi.entries[4].attrs == ("RUN", "WB", "WT", "WC", "UC")  # type=6 attr=0x800000000000000f
    assert efi.entries[-1].attrs == ("RUN",)  # attr=0x8000000000000000
    assert efi.entries[0].span.line == 27
    mmio = parse_path(CORPUS / "ml-kexec-1a1de111d5-b.txt").maps[0].entries[0]
    assert mmio.attrs == ("RUN", "WP", "WB", "WT", "UC")
