"""An SVG memory map of a counterexample: high addresses at the top, one lane per
region that overlaps another, one column per memory map.

The vertical axis is segmented (:mod:`bootspec.report.axis`): every distinct
boundary starts a band at least 24 px tall, growing with the logarithm of its
size, and a stretch that nothing covers is a 20 px band with a break mark. A
4 KiB page beside a 4 GiB hole is therefore a readable box. Regions the
violated property names have a thick outline in :data:`HIGHLIGHT`, and their
intersection is a solid :data:`HIGHLIGHT` box. The output is deterministic
(ids are prefixed by the caller so several maps can share one HTML page).
"""

from __future__ import annotations

import dataclasses
import zlib
from html import escape

from bootspec.report.axis import Band, bands, weight
from bootspec.report.view import CexView, RegionView
from bootspec.units import human_size

HIGHLIGHT = "#e8112d"
#: one fill per region or map-entry type, named so that a legend can say it in words;
#: the palette holds no green or grey (those mean usable RAM and reserved memory)
_PALETTE = (("#8dd3c7", "teal"), ("#ffffb3", "pale yellow"), ("#bebada", "lavender"),
            ("#80b1d3", "blue"), ("#fdb462", "orange"), ("#b3de69", "lime"),
            ("#fccde5", "pink"), ("#bc80bd", "purple"), ("#e5c494", "sand"),
            ("#ffed6f", "yellow"), ("#a6cee3", "light blue"), ("#cab2d6", "lilac"))
_RAM = ("#c7e9c0", "green")
_FIXED = {None: ("#e4e4e4", "light grey"), "usable": _RAM, "conventional": _RAM, "ram": _RAM,
          "reserved": ("#d0d0d0", "grey")}
#: what the fixed colours mean, beyond the type names they stand for
_MEANING = {"green": "memory the OS may use", "grey": "memory the OS must leave alone"}
BEFORE_DASH = "6,4"  # the outline of a region's place before the change (bootspec diff)
PAD, LANE_W, MAP_W, OVER_W, HEAD_H, GAP_H, MIN_H = 12, 190, 130, 80, 22, 20, 24
CHAR_W = 6.7  # width of a character of the 11 px monospace font, for truncation


def _named(kind: str | None) -> tuple[str, str]:
    if kind in _FIXED:
        return _FIXED[kind]
    return _PALETTE[zlib.crc32(str(kind).encode()) % len(_PALETTE)]


def colour(kind: str | None) -> str:
    """A stable fill for a region or entry type.

    >>> colour("usable") == colour("ram"), colour(None) != colour("reserved")
    (True, True)
    """
    return _named(kind)[0]


def colour_name(kind: str | None) -> str:
    """The colour of :func:`colour` in words (``"green"``)."""
    return _named(kind)[1]


@dataclasses.dataclass(frozen=True)
class Look:
    """How a box is drawn: the one source for the map's boxes and the legend's swatches."""

    fill: str
    stroke: str = "none"
    stroke_width: float = 1
    dash: str = ""
    opacity: float = 1

    def attrs(self) -> str:
        out = f'fill="{self.fill}" stroke="{self.stroke}"'
        if self.stroke != "none":
            out += f' stroke-width="{self.stroke_width:g}"'
        if self.dash:
            out += f' stroke-dasharray="{self.dash}"'
        if self.opacity != 1:
            out += f' opacity="{self.opacity:g}"'
        return out


def region_look(kind: str | None, marked: bool = False) -> Look:
    return Look(colour(kind), HIGHLIGHT, 3) if marked else Look(colour(kind), "#555")


def entry_look(kind: str) -> Look:
    return Look(colour(kind), "#888")


MARKED = Look("#ffffff", HIGHLIGHT, 3)
WASH = Look(HIGHLIGHT, opacity=0.3)
OVERLAP = Look(HIGHLIGHT)
BEFORE = Look("none", "#333", 1.5, BEFORE_DASH)


@dataclasses.dataclass(frozen=True)
class Key:
    """One line of a legend: a swatch drawn as the boxes it stands for, and its words."""

    look: Look
    words: str
    kind: str  # "fill" (a colour of a type), "marked", "overlap", "wash" or "before"


def legend(cex: CexView) -> list[Key]:
    """What every colour and pattern of :func:`render`'s picture of ``cex`` means: one key
    per fill the boxes use (with the types it stands for), then the outlines and
    highlights that appear."""
    regions = sorted({r.type for r in cex.regions if r.end > r.start}, key=str)
    entries = sorted({t for m in cex.maps for s, e, t in m.entries if e > s})
    by_fill: dict[str, list[str]] = {}
    for t in regions:
        by_fill.setdefault(colour(t), []).append(
            "regions with no type" if t is None else f"regions of type {t}")
    for t in entries:
        by_fill.setdefault(colour(t), []).append(f"map entries of type {t}")
    names = {colour(t): colour_name(t) for t in [*regions, *entries]}
    keys = []
    for fill, what in sorted(by_fill.items(), key=lambda kv: names[kv[0]]):
        name = names[fill]
        meaning = f" ({_MEANING[name]})" if name in _MEANING else ""
        keys.append(Key(Look(fill, "#555"), f"{name}: {', '.join(what)}{meaning}", "fill"))
    if any(r.marked for r in cex.regions):
        keys.append(Key(MARKED, "red outline: a region the violated property names", "marked"))
    if cex.overlaps:
        keys.append(Key(WASH, "pale red: where the named regions intersect, over their boxes",
                        "wash"))
        keys.append(Key(OVERLAP, "red: the intersection itself (the violation), in the "
                        "overlap column", "overlap"))
    if cex.before:
        keys.append(Key(BEFORE, "dashed outline: where the region was before the change",
                        "before"))
    return keys


def swatch(look: Look, width: int = 18, height: int = 12) -> str:
    """A small SVG of one box, drawn with the attributes the map's boxes use."""
    inset = look.stroke_width / 2 if look.stroke != "none" else 0
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" class="swatch" aria-hidden="true">'
            f'<rect x="{inset:g}" y="{inset:g}" width="{width - 2 * inset:g}" '
            f'height="{height - 2 * inset:g}" {look.attrs()}/></svg>')


def lanes(regions: list[RegionView]) -> dict[str, int]:
    """Interval partitioning: each region gets the first lane free at its start."""
    ends: list[int] = []
    out: dict[str, int] = {}
    for r in sorted(regions, key=lambda r: (r.start, -r.end, r.name)):
        for i, e in enumerate(ends):
            if e <= r.start:
                ends[i] = r.end
                out[r.name] = i
                break
        else:
            out[r.name] = len(ends)
            ends.append(r.end)
    return out


def _fit(text: str, width: float) -> str:
    n = max(1, int(width / CHAR_W))
    return text if len(text) <= n else text[:max(1, n - 1)] + "\u2026"


def _text(x: float, y: float, s: str, cls: str = "", anchor: str = "start") -> str:
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{c}>'
            f"{escape(s)}</text>")


def _heights(bs: tuple[Band, ...]) -> list[int]:
    return [GAP_H if b.gap else max(MIN_H, round(12 * weight(b))) for b in bs]


def _clamp(regions: tuple[RegionView, ...], top: int) -> list[RegionView]:
    drawn = [dataclasses.replace(r, start=min(max(r.start, 0), top), end=min(max(r.end, 0), top))
             for r in regions]
    return [r for r in drawn if r.end > r.start]


def _old(name: str) -> str:
    return name + "\0before"  # the lane key of a region's place before the change


def render(cex: CexView, title: str = "", ident: str = "m") -> str:
    """The SVG document (a string starting with ``<svg``). Its legend is :func:`legend`,
    which the page shows beside it."""
    top = cex.top
    drawn = _clamp(cex.regions, top)
    old = _clamp(cex.before, top)
    ivs = [(r.start, r.end) for r in drawn + old] + [(o.start, o.end) for o in cex.overlaps]
    ivs += [(s, e) for m in cex.maps for s, e, _ in m.entries]
    bs = bands(ivs, 0, cex.top)
    # a region's old place shares its lanes with the regions, so it never hides a box
    lane_of = lanes(drawn + [dataclasses.replace(r, name=_old(r.name)) for r in old])
    n_lanes = max(lane_of.values(), default=-1) + 1
    digits = max(8, *(len(f"{v:X}") for b in bs for v in (b.start, b.end) if v < cex.top))
    aw = round((digits + 3) * CHAR_W) + 10
    top_h = PAD + (HEAD_H if title else 0) + HEAD_H
    x_lanes = PAD + aw
    x_over = x_lanes + n_lanes * LANE_W
    x_maps = x_over + (OVER_W if cex.overlaps else 0)
    width = max(x_maps + len(cex.maps) * MAP_W + PAD, 480)
    hs = _heights(bs)
    # high addresses on top: the last band is drawn first
    y_of_band: dict[int, tuple[int, int]] = {}
    y = top_h
    for i in reversed(range(len(bs))):
        y_of_band[i] = (y, y + hs[i])
        y += hs[i]
    bottom = y
    height = bottom + 28

    def y_top(addr: int) -> int:  # y of an end address (top edge)
        return next(y0 for i, (y0, _) in y_of_band.items() if bs[i].end == addr)

    def y_bot(addr: int) -> int:  # y of a start address (bottom edge)
        return next(y1 for i, (_, y1) in y_of_band.items() if bs[i].start == addr)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-t" '
           f'class="memmap">',
           f'<title id="{ident}-t">{escape(title or "memory map")}</title>',
           "<style>text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#222}"
           ".h{font-weight:bold;font-size:12px}.b{font-weight:bold}.g{fill:#777;"
           "font-style:italic}.w{fill:#fff;font-weight:bold}</style>",
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>']
    if title:
        out.append(_text(PAD, PAD + 14, _fit(title, width - 2 * PAD), "h"))
    hy = top_h - 7
    if n_lanes:
        out.append(_text(x_lanes + 4, hy, "regions", "b"))
    if cex.overlaps:
        out.append(_text(x_over + 4, hy, "overlap", "b"))
    for k, m in enumerate(cex.maps):
        out.append(_text(x_maps + k * MAP_W + 4, hy, _fit(f"map {m.name} ({m.kind})",
                                                          MAP_W - 6), "b"))
    # bands: address ticks and gaps
    for i, b in enumerate(bs):
        y0, y1 = y_of_band[i]
        if b.gap:
            mid = (y0 + y1) / 2
            zig = " ".join(f"{x},{mid + (4 if j % 2 else -4):.1f}"
                           for j, x in enumerate(range(x_lanes, width - PAD + 1, 12)))
            out.append(f'<rect x="{x_lanes}" y="{y0}" width="{width - PAD - x_lanes}" '
                       f'height="{y1 - y0}" fill="#f6f6f6"/>')
            out.append(f'<polyline points="{zig}" fill="none" stroke="#999"/>')
            out.append(_text(x_lanes + 6, mid + 4, f"gap {human_size(b.size)}", "g"))
    for addr in sorted({b.start for b in bs} | {bs[-1].end}):
        ya = y_bot(addr) if addr != bs[-1].end else top_h
        out.append(f'<line x1="{PAD + aw - 4}" y1="{ya}" x2="{width - PAD}" y2="{ya}" '
                   f'stroke="#ccc" stroke-dasharray="3,3"/>')
        out.append(_text(PAD + aw - 8, ya + 4, f"0x{addr:0{digits}X}", anchor="end"))
    # regions: boxes first, then the wash over the overlaps, then the labels on top
    labels: list[str] = []
    for r in drawn:
        x = x_lanes + lane_of[r.name] * LANE_W + 3
        w = LANE_W - 6
        y0, y1 = y_top(r.end), y_bot(r.start)
        tip = f"{r.name} [{r.start:#x}, {r.end:#x}) {human_size(r.size)}" \
              f"{', ' + r.owner if r.owner else ''}{', ' + r.type if r.type else ''}"
        out.append(f'<rect x="{x}" y="{y0 + 1}" width="{w}" height="{max(1, y1 - y0 - 2)}" '
                   f'rx="3" class="region" {region_look(r.type, r.marked).attrs()}>'
                   f"<title>{escape(tip)}</title></rect>")
        cls = "b" if r.marked else ""
        if y1 - y0 >= 36:
            labels.append(_text(x + 6, y0 + 15, _fit(r.name, w - 12), cls))
            labels.append(_text(x + 6, y0 + 29, _fit(
                f"{human_size(r.size)}{'  ' + r.owner if r.owner else ''}", w - 12)))
        else:
            labels.append(_text(x + 6, (y0 + y1) / 2 + 4,
                                _fit(f"{r.name}  {human_size(r.size)}", w - 12), cls))
    # where the regions that moved were before the change: a dashed outline, no fill
    for r in old:
        x = x_lanes + lane_of[_old(r.name)] * LANE_W + 3
        w = LANE_W - 6
        y0, y1 = y_top(r.end), y_bot(r.start)
        tip = f"{r.name} before the change: [{r.start:#x}, {r.end:#x}) {human_size(r.size)}"
        out.append(f'<rect x="{x}" y="{y0 + 1}" width="{w}" height="{max(1, y1 - y0 - 2)}" '
                   f'rx="3" class="before" {BEFORE.attrs()}><title>{escape(tip)}</title></rect>')
        labels.append(_text(x + 6, (y0 + y1) / 2 + 4 if y1 - y0 < 36 else y0 + 15,
                            _fit(f"{r.name} before  {human_size(r.size)}", w - 12), "g"))
    # map entries
    for k, m in enumerate(cex.maps):
        x = x_maps + k * MAP_W + 3
        for s, e, t in m.entries:
            if e <= s:
                continue
            y0, y1 = y_top(e), y_bot(s)
            out.append(f'<rect x="{x}" y="{y0 + 1}" width="{MAP_W - 6}" '
                       f'height="{max(1, y1 - y0 - 2)}" class="entry" {entry_look(t).attrs()}>'
                       f'<title>{escape(f"{m.name}: {t} [{s:#x}, {e:#x})")}</title></rect>')
            labels.append(_text(x + 5, (y0 + y1) / 2 + 4, _fit(t, MAP_W - 16)))
    # the intersection of the violating regions: a wash across the lanes involved, and
    # a solid box in the overlap column
    for o in cex.overlaps:
        xs = []
        for name in o.between:
            if name in lane_of:
                xs.append(x_lanes + lane_of[name] * LANE_W)
            else:
                mi = next((k for k, m in enumerate(cex.maps)
                           if name.startswith(m.name + ":")), None)
                if mi is not None:
                    xs.append(x_maps + mi * MAP_W)
        y0, y1 = y_top(o.end), y_bot(o.start)
        tip = escape(f"overlap of {o.between[0]} and {o.between[1]}: "
                     f"[{o.start:#x}, {o.end:#x}) {human_size(o.end - o.start)}")
        if xs:
            x0, x1 = min(xs), max(xs) + (LANE_W if max(xs) < x_maps else MAP_W)
            out.append(f'<rect x="{x0 + 3}" y="{y0 + 1}" width="{x1 - x0 - 6}" '
                       f'height="{max(1, y1 - y0 - 2)}" class="wash" {WASH.attrs()}>'
                       f"<title>{tip}</title></rect>")
        out.append(f'<g class="overlap"><title>{tip}</title>'
                   f'<rect x="{x_over + 3}" y="{y0 + 1}" width="{OVER_W - 6}" '
                   f'height="{max(1, y1 - y0 - 2)}" {OVERLAP.attrs()}/>'
                   + _text(x_over + OVER_W / 2, (y0 + y1) / 2 + 4,
                           _fit(human_size(o.end - o.start), OVER_W - 10), "w", "middle")
                   + "</g>")
    out += labels
    out.append(_text(PAD, bottom + 19, "not to scale: each boundary gets a band; ranges are "
                     "[start, end)", "g"))
    out.append("</svg>")
    return "\n".join(out) + "\n"
