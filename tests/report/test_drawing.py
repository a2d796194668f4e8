"""The segmented axis, the ASCII bar and the SVG map: a 4 KiB page beside a 4 GiB
hole stays visible, the overlap is highlighted, and the SVG is well-formed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bootspec.report import bar, svg
from bootspec.report.axis import Band, bands, columns
from bootspec.report.view import CexView, MapView, Overlap, RegionView, StageStep

PAGE, GIB = 4096, 1 << 30


def _cex(width: int = 64) -> CexView:
    top = 1 << width
    regions = (
        RegionView("low", 0, PAGE, "s1", "ram", False, None),
        RegionView("image", 4 * GIB, 8 * GIB, "s1", "ram", True, None),
        RegionView("page", 8 * GIB - PAGE, 8 * GIB, "s2", "shared", True, None),
        RegionView("all", 0, top, None, None, False, None),
    )
    return CexView(width, ("s1", "s2"), "s2", "place page", None, (), (),
                   tuple(sorted(regions, key=lambda r: (r.start, r.end))),
                   (Overlap(8 * GIB - PAGE, 8 * GIB, ("image", "page")),),
                   (MapView("e820", "e820", ((0, PAGE, "usable"), (4 * GIB, 8 * GIB,
                                                                     "reserved"))),),
                   (), (), (StageStep("s1", ("low", "image"), None, False),
                            StageStep("s2", ("page",), None, True)))


def test_every_band_gets_room_however_small() -> None:
    bs = bands([(0, PAGE), (4 * GIB, 8 * GIB), (8 * GIB - PAGE, 8 * GIB)], 0, 1 << 64)
    assert [b.gap for b in bs] == [False, True, False, False]
    cols = columns(bs, 50)
    assert all(c1 > c0 for c0, c1 in cols)
    assert cols[-1][1] == 50
    page_w = cols[2][1] - cols[2][0]
    assert page_w >= 1 and cols[1][1] - cols[1][0] == 1  # the hole is one column


def test_more_bands_than_columns_share_columns() -> None:
    many = [Band(i, i + 1, False) for i in range(100)]
    cols = columns(many, 30)
    assert len(cols) == 100 and cols[0][0] == 0 and cols[-1][1] == 30


def test_ascii_bar_marks_the_overlap_and_fits_72_columns() -> None:
    lines = bar.render(_cex())
    assert all(len(line) <= 72 and line.isascii() for line in lines)
    page = next(line for line in lines if line.startswith("* page"))
    overlap = next(line for line in lines if line.startswith("! overlap"))
    assert "#" in page and "X" in overlap
    assert overlap.index("X") == page.index("#")  # the overlap sits under the page


def test_svg_is_well_formed_and_highlights_the_overlap() -> None:
    doc = svg.render(_cex(), "a title & <escapes>", "t")
    root = ET.fromstring(doc)
    assert root.tag.endswith("svg")
    ns = "{http://www.w3.org/2000/svg}"
    boxes = [g.find(f"{ns}rect") for g in root.iter(f"{ns}g") if g.get("class") == "overlap"]
    filled = [r for r in boxes if r is not None and r.get("fill") == svg.HIGHLIGHT]
    assert filled, "the overlap box"
    heights = [float(r.get("height", 0)) for r in filled]
    assert min(heights) >= svg.MIN_H - 2  # a 4 KiB overlap is a readable box
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "a title & <escapes>" in texts
    assert any(t and t.startswith("0x") for t in texts)


def test_svg_of_a_32_bit_map_with_wrapped_region() -> None:
    cex = _cex(32)
    odd = RegionView("wrapped", -PAGE, PAGE, None, None, False, None)  # clamped, not drawn off
    cex = CexView(**{**cex.__dict__, "regions": (odd, *cex.regions[:1]), "overlaps": (),
                     "maps": ()})
    ET.fromstring(svg.render(cex))


def test_a_wide_memory_table_folds_stage_and_type_under_one_indent() -> None:
    from bootspec.report.text import WIDTH, memory_table

    cex = _cex(32)
    regions = tuple(RegionView(r.name + "_long", r.start % (1 << 32), r.end % (1 << 32) or
                               1 << 32, "a_stage_with_a_long_name" if r.owner else None,
                               "a_region_type" if r.type else None, r.marked, None)
                    for r in cex.regions[:1])
    lines = memory_table(CexView(**{**cex.__dict__, "regions": regions * 3}))
    assert all(len(line) <= WIDTH for line in lines)
    extra = [line for line in lines if line.lstrip().startswith("by ")]
    assert len(extra) == 3 and len({len(x) - len(x.lstrip()) for x in extra}) == 1


def test_a_table_too_wide_even_folded_becomes_cards() -> None:
    from bootspec.report.text import WIDTH, memory_table

    cex = _cex(64)
    long = tuple(RegionView(r.name + "_with_a_name_of_more_than_thirty_chars", r.start, r.end,
                            "a_stage_with_a_long_name" if r.owner else None,
                            "a_region_type_name" if r.type else None, r.marked, None)
                 for r in cex.regions)
    lines = memory_table(CexView(**{**cex.__dict__, "regions": long}))
    assert all(len(line) <= WIDTH for line in lines)
    assert "  * page_with_a_name_of_more_than_thirty_chars" in lines
    assert any("[0x000000000, 0x10000000000000000) 16 EiB" in line for line in lines)


def test_the_legend_has_a_swatch_for_every_box_and_names_its_colour() -> None:
    """One source for both: each fill the boxes use has its key, drawn with the same
    attributes, and no key stands for a fill no box uses."""
    cex = _cex(64)
    root = ET.fromstring(svg.render(cex))
    ns = "{http://www.w3.org/2000/svg}"
    boxes = {r.get("fill") for r in root.iter(f"{ns}rect")
             if r.get("class") in ("region", "entry")}
    keys = svg.legend(cex)
    assert {k.look.fill for k in keys if k.kind == "fill"} == boxes
    words = {k.words.split(":")[0] for k in keys if k.kind == "fill"}
    assert {"green", "grey", "light grey"} <= words  # ram/usable, reserved, no type
    assert [k.kind for k in keys if k.kind != "fill"] == ["marked", "wash", "overlap"]
    marked = next(k for k in keys if k.kind == "marked").look
    assert marked.attrs().split(" ", 1)[1] in {  # the outline, as the boxes draw it
        r.get("stroke") and f'stroke="{r.get("stroke")}" stroke-width="{r.get("stroke-width")}"'
        for r in root.iter(f"{ns}rect") if r.get("class") == "region"}


def test_a_moved_region_keeps_a_dashed_outline_where_it_was() -> None:
    cex = _cex(64)
    was = RegionView("page", 2 * GIB, 2 * GIB + PAGE, "s2", "shared", True, None)
    moved = CexView(**{**cex.__dict__, "before": (was,)})
    root = ET.fromstring(svg.render(moved))
    ns = "{http://www.w3.org/2000/svg}"
    dashed = [r for r in root.iter(f"{ns}rect") if r.get("class") == "before"]
    assert len(dashed) == 1 and dashed[0].get("stroke-dasharray") == svg.BEFORE_DASH
    assert dashed[0].get("fill") == "none"
    assert svg.legend(moved)[-1].kind == "before" and svg.legend(cex)[-1].kind != "before"
