"""The ASCII bar of the address space: one lane per region on a segmented axis.

Plain ASCII, at most 72 columns, for terminals and mails::

    hex addresses; not to scale: each boundary gets a band, ~ is a gap
                     0      C0000         F0000000          FFFFF000
                     |       |   100000   |     FEFF0000    |
                     +------+-+--+~+------+---+-+~-+---+----+--+
      ram_below_vga  =======
    * ovmf                                          #########
    * shared_info                                           ###
    ! overlap                                               XXX

``=`` a region, ``#`` a region the violated property names, ``X`` where the
violating regions intersect. Exact addresses are in the table beside it.
"""

from __future__ import annotations

from bootspec.report.axis import Band, bands, columns
from bootspec.report.view import CexView

WIDTH = 72
FILL, MARKED, OVERLAP, GAP = "=", "#", "X", "~"


def short_hex(v: int) -> str:
    """A compact hex address for axis labels.

    >>> short_hex(0), short_hex(0xA0000), short_hex(1 << 32)
    ('0', 'A0000', '100000000')
    """
    return f"{v:X}"


def map_bands(cex: CexView) -> tuple[Band, ...]:
    ivs = [(r.start, r.end) for r in cex.regions] + [(o.start, o.end) for o in cex.overlaps]
    return bands(ivs, 0, cex.top)


def _labels(points: list[tuple[int, str]], width: int) -> list[str]:
    """Two staggered rows of labels, each starting at its column; a label that fits on
    neither row is left out (the table has every address)."""
    rows = [[" "] * width, [" "] * width]
    free = [0, 0]
    for col, text in points:
        start = min(col, width - len(text))
        for r in (0, 1):
            if start >= free[r] and start >= 0:
                rows[r][start:start + len(text)] = list(text)
                free[r] = start + len(text) + 1
                break
    return ["".join(r).rstrip() for r in rows]


def render(cex: CexView, width: int = WIDTH) -> list[str]:
    """The bar as lines (no trailing newline), or [] when there is nothing to draw."""
    bs = map_bands(cex)
    drawn = [r for r in cex.regions if r.end > r.start]
    if not drawn or not bs:
        return []
    label_w = min(16, max([len(r.name) for r in drawn] + [7 if cex.overlaps else 0]))
    lead = 2 + label_w + 2  # mark, space, name, two spaces
    room = width - lead
    ext = columns(bs, room)

    points = [(c0, short_hex(b.start)) for b, (c0, _) in zip(bs, ext, strict=True)]
    end_col = ext[-1][1]
    points.append((end_col - len(short_hex(bs[-1].end)), short_hex(bs[-1].end)))
    ticks = [" "] * room
    ruler = ["-"] * end_col + [" "] * (room - end_col)
    for b, (c0, c1) in zip(bs, ext, strict=True):
        ruler[c0] = "+"
        ticks[c0] = "|"
        if b.gap:
            for c in range(c0, c1):
                ruler[c] = GAP
            ruler[c0] = GAP
    if end_col - 1 < room and ruler[end_col - 1] != GAP:
        ruler[end_col - 1] = "+"
    pad = " " * lead
    top, bottom = _labels(points, room)
    out = ["hex addresses; not to scale: each boundary gets a band, ~ is a gap"]
    out += [pad + top, pad + (bottom or "".join(ticks).rstrip()), pad + "".join(ruler).rstrip()]

    def lane(start: int, end: int, ch: str) -> str:
        cells = [" "] * room
        for b, (c0, c1) in zip(bs, ext, strict=True):
            if start <= b.start and b.end <= end:
                for c in range(c0, c1):
                    cells[c] = ch
        return "".join(cells).rstrip()

    for r in drawn:
        name = r.name if len(r.name) <= label_w else r.name[:label_w - 1] + "~"
        mark = "*" if r.marked else " "
        out.append(f"{mark} {name:<{label_w}}  " + lane(r.start, r.end, MARKED if r.marked
                                                          else FILL))
    for o in cex.overlaps:
        out.append(f"! {'overlap':<{label_w}}  " + lane(o.start, o.end, OVERLAP))
    return [line.rstrip() for line in out]
