"""Each supported syntax and its quirks, on small fixtures written for the tests."""

from __future__ import annotations

import os
from pathlib import Path

from bootspec.memmap import parse_path, parse_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shape(result):
    return [(m.kind, m.fmt, m.header, [(e.start, e.end, e.type) for e in m.entries])
            for m in result.maps]


def test_linux_e820_legacy_exclusive_ends_and_type_n() -> None:
    r = parse_path(FIXTURES / "linux-e820-legacy.txt")
    assert r.diagnostics == []
    [(kind, fmt, header, entries)] = shape(r)
    assert (kind, fmt, header) == ("e820", "linux-e820-legacy", "BIOS-provided physical RAM map:")
    assert entries[0] == (0, 0x9FC00, "usable")
    assert entries[4] == (0x7FEE0000, 0x7FEFF000, "acpi")
    assert entries[5] == (0x7FEFF000, 0x7FF00000, "nvs")
    assert entries[-1] == (0xFFFE0000, 0x100000000, "type20")
    assert len(entries) == 9
    assert r.maps[0].span.line == 3  # the header line


def test_xen_host_log_gives_e820_and_efi_maps_and_ignores_other_xen_lines() -> None:
    r = parse_path(FIXTURES / "xen-efi-host.txt")
    assert r.diagnostics == []
    e820, efi = shape(r)
    assert e820[:3] == ("e820", "xen-e820-incl", "EFI RAM map:")
    assert e820[3][0] == (0, 0x9F000, "usable")
    assert e820[3][-1] == (0x100000000, 0x480000000, "usable")
    assert efi[:3] == ("efi", "xen-efi", "EFI memory map:")
    assert efi[3][0] == (0, 0x9F000, "conventional")
    assert efi[3][3] == (0x75A8E000, 0x75B8E000, "acpi_nvs")
    assert efi[3][-1] == (0x100000000, 0x480000000, "conventional")
    assert len(efi[3]) == 7
    mmio = r.maps[1].entries[5]
    assert (mmio.type, mmio.attrs) == ("mmio", ("RUN", "UC"))


def test_xen_console_timestamps() -> None:
    r = parse_path(FIXTURES / "xen-timestamps.txt")
    assert r.diagnostics == []
    [(kind, fmt, header, entries)] = shape(r)
    assert (kind, fmt, header, len(entries)) == ("e820", "xen-e820", "Xen-e820 RAM map:", 4)
    assert entries[-1] == (0xFEF00000, 0x100000000, "type20")


def test_efi_index_restart_starts_a_new_map() -> None:
    r = parse_path(FIXTURES / "efi-restart.txt")
    assert r.diagnostics == []
    assert [len(m.entries) for m in r.maps] == [3, 2]
    assert [m.span.line for m in r.maps] == [2, 6]


def test_efi_column_short_names_attr_word_and_unaccepted() -> None:
    r = parse_path(FIXTURES / "efi-column-variants.txt")
    assert r.diagnostics == []
    [m] = r.maps
    assert [e.type for e in m.entries] == [
        "bs_code", "conventional", "acpi_nvs", "unaccepted", "rt_data", "reserved", "mmio"]
    assert m.entries[4].attrs == ("RUN", "XP", "WB", "WT", "WC", "UC")
    assert m.entries[5].attrs == ("UC", "bit62")  # |attr=0x4000000000000001]
    assert m.entries[6].attrs == ("RUN", "UC")
    assert (m.entries[0].start, m.entries[0].end) == (0, 0x1000)  # ']' is inclusive


def test_efi_column_with_exclusive_end() -> None:
    r = parse_path(FIXTURES / "efi-column-exclusive.txt")
    assert r.diagnostics == []
    [(kind, fmt, header, entries)] = shape(r)
    assert (kind, fmt, header) == ("efi", "linux-efi", None)
    assert entries == [(0, 0x1000, "bs_code"), (0x1000, 0xA0000, "conventional"),
                       (0x100000, 0x300000, "loader_data")]


def test_prefixes_crlf_tabs_and_mail_quotes() -> None:
    r = parse_path(FIXTURES / "prefixes-crlf.txt")
    assert r.diagnostics == []
    [(kind, fmt, header, entries)] = shape(r)
    assert (kind, fmt, header) == ("e820", "linux-e820", None)
    assert [t for _, _, t in entries] == ["usable", "reserved", "usable", "type16", "reserved"]
    assert entries[-1] == (0xFFFC0000, 0x100000000, "reserved")
    assert r.maps[0].entries[1].span.col == len("<6>[    0.000000] ") + 1


def test_linux_pv_dom0_lines() -> None:
    r = parse_path(FIXTURES / "xen-pv.txt")
    assert r.diagnostics == []
    [(kind, fmt, header, entries)] = shape(r)
    assert (kind, fmt, header, len(entries)) == (
        "e820", "linux-xen-pv", "BIOS-provided physical RAM map:", 4)


def test_newer_e820_type_names_and_unrelated_e820_lines() -> None:
    r = parse_path(FIXTURES / "e820-newer-types.txt")
    assert r.diagnostics == []
    [m] = r.maps
    assert [e.type for e in m.entries] == [
        "usable", "usable", "soft_reserved", "pmem", "pram", "unusable", "type9"]


def test_upper_case_efi_prefix() -> None:
    r = parse_text("EFI: mem00: type=7, attr=0xf, "
                   "range=[0x0000000000000000-0x00000000000a0000) (0MB)\n")
    assert r.diagnostics == [] and r.maps[0].fmt == "linux-efi-legacy"
    assert r.maps[0].entries[0].type == "conventional"


def test_format_change_splits_maps_and_keeps_file_order() -> None:
    text = (
        "BIOS-e820: [mem 0x0000000000100000-0x00000000001fffff] usable\n"
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n"
        "efi: mem00: type=7, attr=0xf, range=[0x0000000000001000-0x0000000000002000) (0MB)\n"
        "efi: mem01: type=7, attr=0xf, range=[0x0000000000000000-0x0000000000001000) (0MB)\n"
    )
    r = parse_text(text, "order.txt")
    assert [m.kind for m in r.maps] == ["e820", "efi"]
    assert [e.start for e in r.maps[0].entries] == [0x100000, 0]  # not sorted
    assert [e.start for e in r.maps[1].entries] == [0x1000, 0]


def test_sysfs_directory_in_numeric_order() -> None:
    r = parse_path(FIXTURES / "sysfs-qemu")
    assert r.diagnostics == []
    [m] = r.maps
    assert (m.kind, m.fmt, len(m.entries)) == ("e820", "sysfs", 11)
    assert (m.entries[0].start, m.entries[0].end, m.entries[0].type) == (0, 0x9FC00, "usable")
    assert (m.entries[9].start, m.entries[9].end) == (0x100000000, 0x280000000)
    assert m.entries[10].type == "acpi"  # directory "10" comes after "9"
    assert m.entries[10].span.path == os.path.join(str(FIXTURES / "sysfs-qemu"), "10", "start")


def test_json_two_maps() -> None:
    r = parse_path(FIXTURES / "two-maps.json")
    assert r.diagnostics == []
    e820, efi = r.maps
    assert (e820.kind, e820.fmt, e820.header) == ("e820", "json", "BIOS-provided physical RAM map:")
    assert e820.entries[-1].end == 1 << 64
    assert e820.entries[1].span.line == 4
    assert efi.entries[0].attrs == ("WB", "WT", "WC", "UC")  # canonical order
    assert (efi.entries[2].start, efi.entries[2].attrs) == (0x100000, ("RUN", "WB", "bit62"))
