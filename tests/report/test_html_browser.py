"""The HTML report as a person sees it: opened in headless Chromium, screenshot
taken, and the picture checked to hold the memory map with its highlighted overlap.

Skips (with the reason) where no Chromium is installed; Debian's package is
``chromium``.
"""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from helpers import cli

from bootspec.report.svg import HIGHLIGHT

FW = Path(__file__).parent / "fixtures" / "fw"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def _browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into rows."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = depth = ctype = 0
    while pos < len(png):
        n = int.from_bytes(png[pos:pos + 4], "big")
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
            depth, ctype = data[8], data[9]
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6), (depth, ctype)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(
            v for j in range(0, stride, 4) for v in line[j:j + 3]))
        prev = line
    return width, height, rows


@pytest.mark.skipif(_browser() is None, reason="no Chromium installed (Debian: apt-get install "
                    "chromium); the HTML screenshot test needs a browser")
def test_html_report_shows_the_map_in_a_browser(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    status, _, err = cli("check", "--no-timing", "--format", "html", "-o", str(page), cwd=FW)
    assert status == 1 and not err
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org/2000/svg", "")  # self-contained: nothing to fetch
    shot = tmp_path / "shot.png"
    browser = _browser()
    assert browser is not None
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1200,2000", page.as_uri()],
                   check=True, capture_output=True, timeout=90)
    width, height, rows = _pixels(shot.read_bytes())
    assert (width, height) == (1200, 2000)
    colours = {row[i:i + 3] for row in rows[::7] for i in range(0, len(row), 21)}
    assert len(colours) > 20, "the page is blank"
    want = bytes(int(HIGHLIGHT[k:k + 2], 16) for k in (1, 3, 5))
    hits = sum(1 for row in rows for i in range(0, len(row), 3)
               if all(abs(row[i + k] - want[k]) <= 6 for k in range(3)))
    assert hits > 300, f"only {hits} pixels of the overlap colour {HIGHLIGHT}"
