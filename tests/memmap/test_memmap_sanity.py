"""Sanity findings: overlaps, order, gaps, empty/inverted entries, legacy hole, 2^64."""

from __future__ import annotations

from bootspec.diagnostics import NO_SPAN
from bootspec.memmap import MapEntry, ParsedMap, check_map, parse_text
from bootspec.memmap.sanity import human_size


def _map(kind: str, *spec: tuple[int, int, str]) -> ParsedMap:
    es = tuple(MapEntry(s, e, t, (), NO_SPAN) for s, e, t in spec)
    return ParsedMap(kind, es, "t", None, "gen", NO_SPAN)


def _kinds(m: ParsedMap) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(f.kind, f.severity, f.entries) for f in check_map(m)]


def test_clean_sorted_contiguous_map_has_no_findings() -> None:
    m = _map("e820", (0, 0x9FC00, "usable"), (0x9FC00, 0xA0000, "reserved"),
             (0xA0000, 0x100000, "reserved"), (0x100000, 0x80000000, "usable"))
    assert check_map(m) == []


def test_overlap_unsorted_and_gap() -> None:
    m = _map("e820", (0x100000, 0x200000, "usable"), (0, 0x9F000, "usable"),
             (0x1F0000, 0x300000, "reserved"), (0x400000, 0x500000, "usable"))
    assert _kinds(m) == [
        ("unsorted", "warning", (0, 1)),
        ("overlap", "warning", (0, 2)),
        ("gap", "info", (1, 0)),
        ("gap", "info", (2, 3)),
    ]
    overlap = next(f for f in check_map(m) if f.kind == "overlap")
    assert "[0x1f0000, 0x200000)" in overlap.message


def test_unsorted_efi_is_only_informational() -> None:
    m = _map("efi", (0x1000, 0x2000, "bs_code"), (0, 0x1000, "bs_code"))
    assert _kinds(m) == [("unsorted", "info", (0, 1))]


def test_contained_entry_overlaps_its_container_only() -> None:
    m = _map("e820", (0, 0x1000000, "reserved"), (0x1000, 0x2000, "reserved"),
             (0x3000, 0x4000, "reserved"))
    assert [f.entries for f in check_map(m) if f.kind == "overlap"] == [(0, 1), (0, 2)]


def test_empty_and_inverted_entries() -> None:
    m = _map("e820", (0x1000, 0x1000, "usable"), (0x3000, 0x2000, "usable"))
    kinds = _kinds(m)
    assert ("empty", "warning", (0,)) in kinds
    assert ("inverted", "error", (1,)) in kinds
    assert not [k for k in kinds if k[0] in ("overlap", "gap")]


def test_ram_in_legacy_hole() -> None:
    e820 = _map("e820", (0, 0x100000, "usable"))
    assert _kinds(e820) == [("legacy-hole-ram", "warning", (0,))]
    efi = _map("efi", (0xA0000, 0xC0000, "bs_data"), (0xC0000, 0x100000, "reserved"))
    assert _kinds(efi) == [("legacy-hole-ram", "warning", (0,))]


def test_past_64_bit_and_unmodelled_type() -> None:
    m = _map("e820", (1 << 64, (1 << 64) + 1, "usable"), (0, 0x1000, "ram"))
    kinds = [k[0] for k in _kinds(m)]
    assert "past-64-bit" in kinds and "unmodelled-type" in kinds


def test_findings_on_parsed_inverted_entry() -> None:
    r = parse_text("BIOS-e820: [mem 0x0000000000100000-0x000000000009ffff] usable\n")
    assert [d.code for d in r.diagnostics] == ["BS503"]
    assert [f.kind for f in check_map(r.maps[0])] == ["inverted"]


def test_human_size() -> None:
    assert human_size(0) == "0 B"
    assert human_size(639 * 1024) == "639 KiB"
    assert human_size(1 << 30) == "1 GiB"
    assert human_size(0x180000) == "1.5 MiB"
