"""Property: any map written by any writer parses back to the same entries."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootspec.diagnostics import NO_SPAN
from bootspec.memmap import MapEntry, ParsedMap, formats, names, parse_path, parse_text
from bootspec.memmap.write import WRITERS, write_linux_efi, write_linux_efi_legacy, write_sysfs
from bootspec.memtypes import E820_TYPES, EFI_TYPES

TOP = 1 << 64
# every text format of the format table, by the kind of map it holds (JSON holds both)
E820_FMTS = [f.name for f in formats.TABLE if f.name in WRITERS and f.kind in ("e820", None)]
EFI_FMTS = [f.name for f in formats.TABLE if f.name in WRITERS and f.kind in ("efi", None)]


def test_every_format_of_the_table_has_a_writer() -> None:
    # sysfs is a folder of files (write_sysfs, round-tripped below), every other one text
    assert set(WRITERS) == set(formats.FORMATS) - {"sysfs"}
    assert {"linux-e820", "xen-e820-incl", "linux-efi-legacy", "json"} <= set(E820_FMTS
                                                                              + EFI_FMTS)

addresses = st.one_of(
    st.integers(0, TOP - 1),
    st.integers(0, 1 << 36).map(lambda n: n << 12),  # page-aligned, the common case
    st.sampled_from([0, 0x9FC00, 0xA0000, 0x100000, 0xFFFFF000, TOP - 0x1000, TOP - 1]),
)


@st.composite
def entries(draw, kind: str) -> MapEntry:
    start = draw(addresses)
    size = draw(st.one_of(st.integers(1, TOP - start),
                          st.sampled_from([1, 0x1000, 1 << 20, (1 << 20) - 1])
                          .filter(lambda s: start + s <= TOP)))
    if kind == "e820":
        return MapEntry(start, start + size, draw(st.sampled_from(E820_TYPES)), (), NO_SPAN)
    word = draw(st.one_of(st.sampled_from([0xF, 0x800000000000000F, 0x8000000000000001, 0]),
                          st.integers(0, TOP - 1)))
    return MapEntry(start, start + size, draw(st.sampled_from(EFI_TYPES)),
                    names.attrs_from_int(word), NO_SPAN)


@st.composite
def maps(draw, kind: str | None = None) -> ParsedMap:
    kind = kind or draw(st.sampled_from(["e820", "efi"]))
    es = tuple(draw(st.lists(entries(kind), min_size=1, max_size=12)))
    return ParsedMap(kind, es, "gen", None, "gen", NO_SPAN)


def _key(m: ParsedMap) -> tuple:
    return (m.kind, [(e.start, e.end, e.type, e.attrs) for e in m.entries])


def _check(text: str, m: ParsedMap, fmt: str) -> None:
    result = parse_text(text, f"rt.{fmt}")
    assert result.diagnostics == [], [d.render(text) for d in result.diagnostics]
    # several maps only where the EFI index or format would split; writers emit one block
    assert len(result.maps) == 1, text
    [back] = result.maps
    assert back.fmt == fmt
    assert _key(back) == _key(m)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps(), st.data())
def test_every_text_writer_round_trips(m: ParsedMap, data: st.DataObject) -> None:
    fmts = E820_FMTS if m.kind == "e820" else EFI_FMTS
    for fmt in fmts:
        _check(WRITERS[fmt](m), m, fmt)
    if m.kind == "efi":
        _check(write_linux_efi(m, inclusive=False, short=True), m, "linux-efi")
        _check(write_linux_efi_legacy(m, prefix="EFI"), m, "linux-efi-legacy")


sysfs_entries = st.builds(
    lambda start, size, t: MapEntry(start, start + size, t, (), NO_SPAN),
    st.integers(0, 1 << 40), st.integers(1, 1 << 40),
    st.sampled_from(sorted(names.SYSFS_BY_CANONICAL)))


@settings(max_examples=25, deadline=None)
@given(st.lists(sysfs_entries, min_size=1, max_size=12))
def test_sysfs_writer_round_trips(es: list[MapEntry]) -> None:
    m = ParsedMap("e820", tuple(es), "gen", None, "gen", NO_SPAN)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "memmap"
        write_sysfs(m, out)
        result = parse_path(out)
    assert result.diagnostics == []
    assert _key(result.maps[0]) == _key(m)


@settings(max_examples=30, deadline=None)
@given(st.lists(maps(), min_size=1, max_size=4))
def test_json_with_several_maps_round_trips(ms: list[ParsedMap]) -> None:
    from bootspec.memmap.write import to_json

    result = parse_text(to_json(ms), "several.json")
    assert result.diagnostics == []
    assert [_key(m) for m in result.maps] == [_key(m) for m in ms]
    # spans point at each entry's own line
    lines = to_json(ms).splitlines()
    for back in result.maps:
        for e in back.entries:
            assert f'"start": "{e.start:#x}"' in lines[e.span.line - 1]


def test_concatenated_writer_outputs_split_into_maps() -> None:
    e820 = ParsedMap("e820", (MapEntry(0, 0x9FC00, "usable", (), NO_SPAN),), "g", None, "g",
                     NO_SPAN)
    efi = ParsedMap("efi", (MapEntry(0, 0x1000, "bs_code", ("WB",), NO_SPAN),), "g", None, "g",
                    NO_SPAN)
    text = (WRITERS["linux-e820"](e820) + WRITERS["linux-efi"](efi) + WRITERS["xen-e820"](e820)
            + WRITERS["xen-efi"](efi) + WRITERS["linux-efi"](efi))
    result = parse_text(text)
    assert [(m.fmt, m.header) for m in result.maps] == [
        ("linux-e820", "BIOS-provided physical RAM map:"), ("linux-efi", None),
        ("xen-e820", "Xen-e820 RAM map:"), ("xen-efi", "EFI memory map:"), ("linux-efi", None)]
