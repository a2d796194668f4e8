"""A segmented address axis: how a 4 KiB page beside a 4 GiB hole stays visible.

A linear axis of a 32-bit (let alone 64-bit) address space shows a page as
nothing. Here every distinct boundary (a region's start or end, an overlap, a
map entry) starts a *band*; a band that nothing covers is a *gap*, drawn narrow
with a break mark. The other bands share the room by a weight that grows with
the logarithm of their size: a 256 MiB band is wider than a 4 KiB one, but only
a few times wider. The ASCII bar (columns) and the SVG map (pixels) both lay
out bands with :func:`allocate`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence


@dataclasses.dataclass(frozen=True)
class Band:
    start: int
    end: int
    gap: bool  # nothing drawn covers it

    @property
    def size(self) -> int:
        return self.end - self.start


def bands(intervals: Iterable[tuple[int, int]], lo: int, hi: int) -> tuple[Band, ...]:
    """The bands of ``[lo, hi)`` cut at every boundary of the (non-empty) intervals.

    Leading and trailing gaps are dropped: the map starts and ends with what is drawn.

    >>> [(b.start, b.end, b.gap) for b in bands([(4, 8), (12, 16)], 0, 16)]
    [(4, 8, False), (8, 12, True), (12, 16, False)]
    """
    ivs = [(max(lo, a), min(hi, b)) for a, b in intervals if b > a]
    ivs = [(a, b) for a, b in ivs if b > a]
    points = sorted({lo, hi, *(a for a, _ in ivs), *(b for _, b in ivs)})
    out = []
    for a, b in itertools.pairwise(points):
        covered = any(s <= a and b <= e for s, e in ivs)
        out.append(Band(a, b, not covered))
    return tuple(_trim(out))


def _trim(bs: list[Band]) -> list[Band]:
    """Drop the leading and trailing gaps: the map starts and ends with what is drawn."""
    while len(bs) > 1 and bs[0].gap:
        bs.pop(0)
    while len(bs) > 1 and bs[-1].gap:
        bs.pop()
    return bs


def weight(b: Band) -> float:
    """A band's share of the room: 1 for a byte, about 2.5 for a page, 5 for 4 GiB."""
    return 1.0 + math.log2(max(1, b.size)) / 8.0


def allocate(bs: Sequence[Band], total: int, gap: int = 1, least: int = 1) -> list[int]:
    """Integer extents (columns or pixels) for each band, summing to ``total`` when it can.

    Gaps get ``gap``; the others at least ``least`` and the rest by :func:`weight`.
    When there is not room for that, every band gets ``least`` (the caller may then
    share columns, see :func:`columns`).

    >>> allocate([Band(0, 4096, False), Band(4096, 1 << 32, True), Band(1 << 32, 1 << 33,
    ...           False)], 20)
    [6, 1, 13]
    """
    n_gap = sum(1 for b in bs if b.gap)
    solid = [i for i, b in enumerate(bs) if not b.gap]
    room = total - n_gap * gap
    out = [gap if b.gap else least for b in bs]
    if not solid or room < least * len(solid):
        return out
    ws = [weight(bs[i]) for i in solid]
    share = [w / sum(ws) * room for w in ws]
    ext = [max(least, math.floor(s)) for s in share]
    # hand out what rounding left, to the largest remainders; take back from the widest
    left = room - sum(ext)
    order = sorted(range(len(solid)), key=lambda k: (share[k] - math.floor(share[k])),
                   reverse=True)
    k = 0
    while left > 0 and order:
        ext[order[k % len(order)]] += 1
        left -= 1
        k += 1
    while left < 0:
        widest = max(range(len(ext)), key=lambda j: ext[j])
        if ext[widest] <= least:
            break
        ext[widest] -= 1
        left += 1
    for j, i in enumerate(solid):
        out[i] = ext[j]
    return out


def columns(bs: Sequence[Band], total: int) -> list[tuple[int, int]]:
    """Each band's column range ``[c0, c1)`` in a bar ``total`` columns wide. With more
    bands than columns, neighbouring bands share a column.

    >>> columns([Band(0, 1, False), Band(1, 2, True), Band(2, 3, False)], 9)
    [(0, 4), (4, 5), (5, 9)]
    """
    n = len(bs)
    if n == 0:
        return []
    if n > total:
        return [(i * total // n, max(i * total // n + 1, (i + 1) * total // n))
                for i in range(n)]
    widths = allocate(bs, total)
    out, c = [], 0
    for w in widths:
        out.append((c, c + w))
        c += w
    return out
