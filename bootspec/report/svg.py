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
_PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
            "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#cab2d6")
_FIXED = {None: "#e4e4e4", "usable": "#c7e9c0", "conventional": "#c7e9c0", "ram": "#c7e9c0",
          "reserved": "#d0d0d0"}
PAD, LANE_W, MAP_W, OVER_W, HEAD_H, GAP_H, MIN_H = 12, 190, 130, 80, 22, 20, 24
CHAR_W = 6.7  # width of a character of the 11 px monospace font, for truncation


def colour(kind: str | None) -> str:
    """A stable fill for a region or entry type."""
    if kind in _FIXED:
        return _FIXED[kind]
    return _PALETTE[zlib.crc32(str(kind).encode()) % len(_PALETTE)]


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


def render(cex: CexView, title: str = "", ident: str = "m") -> str:
    """The SVG document (a string starting with ``<svg``)."""
    top = cex.top
    drawn = [dataclasses.replace(r, start=min(max(r.start, 0), top), end=min(max(r.end, 0), top))
             for r in cex.regions]
    drawn = [r for r in drawn if r.end > r.start]
    ivs = [(r.start, r.end) for r in drawn] + [(o.start, o.end) for o in cex.overlaps]
    ivs += [(s, e) for m in cex.maps for s, e, _ in m.entries]
    bs = bands(ivs, 0, cex.top)
    lane_of = lanes(drawn)
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
    height = bottom + 46

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
        stroke = (f'stroke="{HIGHLIGHT}" stroke-width="3"' if r.marked
                  else 'stroke="#555" stroke-width="1"')
        tip = f"{r.name} [{r.start:#x}, {r.end:#x}) {human_size(r.size)}" \
              f"{', ' + r.owner if r.owner else ''}{', ' + r.type if r.type else ''}"
        out.append(f'<rect x="{x}" y="{y0 + 1}" width="{w}" height="{max(1, y1 - y0 - 2)}" '
                   f'rx="3" fill="{colour(r.type)}" {stroke}><title>{escape(tip)}</title>'
                   "</rect>")
        cls = "b" if r.marked else ""
        if y1 - y0 >= 36:
            labels.append(_text(x + 6, y0 + 15, _fit(r.name, w - 12), cls))
            labels.append(_text(x + 6, y0 + 29, _fit(
                f"{human_size(r.size)}{'  ' + r.owner if r.owner else ''}", w - 12)))
        else:
            labels.append(_text(x + 6, (y0 + y1) / 2 + 4,
                                _fit(f"{r.name}  {human_size(r.size)}", w - 12), cls))
    # map entries
    for k, m in enumerate(cex.maps):
        x = x_maps + k * MAP_W + 3
        for s, e, t in m.entries:
            if e <= s:
                continue
            y0, y1 = y_top(e), y_bot(s)
            out.append(f'<rect x="{x}" y="{y0 + 1}" width="{MAP_W - 6}" '
                       f'height="{max(1, y1 - y0 - 2)}" fill="{colour(t)}" stroke="#888">'
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
                       f'height="{max(1, y1 - y0 - 2)}" fill="{HIGHLIGHT}" opacity="0.3">'
                       f"<title>{tip}</title></rect>")
        out.append(f'<g class="overlap"><title>{tip}</title>'
                   f'<rect x="{x_over + 3}" y="{y0 + 1}" width="{OVER_W - 6}" '
                   f'height="{max(1, y1 - y0 - 2)}" fill="{HIGHLIGHT}"/>'
                   + _text(x_over + OVER_W / 2, (y0 + y1) / 2 + 4,
                           _fit(human_size(o.end - o.start), OVER_W - 10), "w", "middle")
                   + "</g>")
    out += labels
    # legend
    ly = bottom + 16
    out.append(f'<rect x="{PAD}" y="{ly}" width="14" height="12" fill="{colour("x")}" '
               f'stroke="#555"/>' + _text(PAD + 20, ly + 10, "region"))
    out.append(f'<rect x="{PAD + 90}" y="{ly}" width="14" height="12" fill="#fff" '
               f'stroke="{HIGHLIGHT}" stroke-width="3"/>'
               + _text(PAD + 110, ly + 10, "named by the violated property"))
    out.append(f'<rect x="{PAD + 330}" y="{ly}" width="14" height="12" fill="{HIGHLIGHT}"/>'
               + _text(PAD + 350, ly + 10, "overlap"))
    out.append(_text(PAD, ly + 27, "not to scale: each boundary gets a band; ranges are "
                     "[start, end)", "g"))
    out.append("</svg>")
    return "\n".join(out) + "\n"
