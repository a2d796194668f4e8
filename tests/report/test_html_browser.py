"""The HTML pages as a reviewer sees them: each opened in headless Chromium, a
screenshot taken and what can be checked automatically checked. The page loads
with no console error; every legend swatch is drawn as the boxes it explains
(colours and outlines read back from the browser's computed styles); every link
within the page lands on an element; the filter of the check page shows exactly
the rows it should, and with scripts off the page still shows everything; the
all-models stage graph is not one wide row.

The check page runs in the fast tier; the explain, diff and graph pages in the
long one. Set BOOTSPEC_SCREENSHOTS=DIR to keep the PNGs for a person to look at.
Skips (with the reason) where no Chromium is installed; Debian's package is
``chromium``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, cli

from bootspec.report.svg import HIGHLIGHT

FIXTURES = Path(__file__).parent / "fixtures"
FW = FIXTURES / "fw"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
GRAPH_MAX_PT = 2000  # the all-models graph was one row of 8,751 pt

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


NO_BROWSER = pytest.mark.skipif(_browser() is None, reason="no Chromium installed (Debian: "
                                "apt-get install chromium); the browser tests need one")
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars")

#: run in the page (injected after it): what the checks read back, as JSON in <pre id=probe>
_PROBE = r"""<script>(function(){
function look(e){var c=getComputedStyle(e);return [c.fill,c.stroke,c.strokeWidth,c.opacity,
c.strokeDasharray];}
function all(q){return Array.prototype.slice.call(document.querySelectorAll(q));}
var r={errors:window.__errors};
r.boxes=all('svg.memmap rect.region, svg.memmap rect.entry').map(look);
r.washes=all('svg.memmap rect.wash').map(look);
r.before=all('svg.memmap rect.before').map(look);
r.keys=all('ul.legend li').map(function(li){return [li.dataset.key,
 look(li.querySelector('rect')),li.textContent];});
r.links=all('a[href^="#"]').map(function(a){var id=decodeURIComponent(
 a.getAttribute('href').slice(1));return [id,!!document.getElementById(id)];});
var f=document.getElementById('filter');r.filter=null;
if(f){r.filter={hidden:f.hidden,runs:[]};
 var v=document.getElementById('f-verdict'),m=document.getElementById('f-model');
 [['violated',''],['','fw_old'],['FAIL',''],['','']].forEach(function(c){
  v.value=c[0];m.value=c[1];v.dispatchEvent(new Event('change'));
  r.filter.runs.push([c,all('tr[data-verdict]').filter(function(t){return !t.hidden;})
   .map(function(t){return [t.dataset.verdict,t.dataset.model,t.dataset.result];}),
   all('article[data-verdict]').filter(function(t){return !t.hidden;}).length,
   document.getElementById('f-count').textContent]);});}
r.scrollWidth=document.documentElement.scrollWidth;
var p=document.createElement('pre');p.id='probe';p.textContent=JSON.stringify(r);
document.body.appendChild(p);})();</script>"""
_CATCH = ("<script>window.__errors=[];window.addEventListener('error',function(e){"
          "window.__errors.push(String(e.message));});</script>")


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = _browser()
    assert browser is not None
    return subprocess.run([browser, *_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          check=True, capture_output=True, text=True, timeout=120)


def _screenshot(tmp: Path, url: str, name: str, size: str = "1200,2000",
                *more: str) -> tuple[int, int, list[bytes]]:
    shot = tmp / f"{name}.png"
    _chromium(tmp, f"--screenshot={shot}", f"--window-size={size}", *more, url)
    keep = os.environ.get("BOOTSPEC_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    width, height, rows = _pixels(shot.read_bytes())
    colours = {row[i:i + 3] for row in rows[::7] for i in range(0, len(row), 21)}
    assert len(colours) > 20, f"{name}: the page is blank"
    return width, height, rows


def _probe(tmp: Path, page: Path) -> dict[str, Any]:
    """Load the page (with the probe) and read back what it found; no console output
    of the page's own is allowed (an error or a warning is a fault)."""
    text = page.read_text(encoding="utf-8")
    probed = tmp / f"probe-{page.name}"
    probed.write_text(text.replace("<head>", "<head>" + _CATCH, 1)
                      .replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
    done = _chromium(tmp, "--enable-logging=stderr", "--v=0", "--dump-dom", probed.as_uri())
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, f"{page.name}: console output {console}"
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"{page.name}: the probe did not run"
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert result["errors"] == [], result["errors"]
    return result


def _page(tmp: Path, name: str, *argv: str, cwd: Path = FW, status: int = 0) -> Path:
    page = tmp / f"{name}.html"
    got, _, err = cli(*argv, "--format", "html", "-o", str(page), cwd=cwd)
    assert got == status and not err, err
    text = page.read_text(encoding="utf-8")
    # self-contained: nothing to fetch, no script from elsewhere
    assert "<script src" not in text and "http://" not in text.replace(
        "http://www.w3.org/2000/svg", "") and "https://" not in text
    return page


def _legend_matches_the_boxes(r: dict[str, Any]) -> None:
    """Every swatch is drawn as the boxes it explains, and every box has its swatch."""
    fills = {tuple(k[1][:3]) for k in r["keys"] if k[0] == "fill"}
    boxes = r["boxes"]
    assert boxes and fills
    assert {b[0] for b in boxes} == {f[0] for f in fills}, (boxes, fills)
    for kind, look, words in r["keys"]:
        assert re.match(r"^[a-z ]+: \S", words) or kind != "fill", words  # a colour, in words
        if kind == "marked":  # the red outline of the regions the property names
            assert any(b[1:3] == look[1:3] for b in boxes), (look, boxes)
        elif kind == "wash":
            assert [look[0], look[3]] in [[w[0], w[3]] for w in r["washes"]]
        elif kind == "before":
            assert r["before"] and all(b[1:5:3] == look[1:5:3] for b in r["before"])
            assert look[4] not in ("", "none")  # dashed
    kinds = [k[0] for k in r["keys"]]
    assert ("before" in kinds) == bool(r["before"])
    assert ("wash" in kinds) == bool(r["washes"])


def _links_resolve(r: dict[str, Any]) -> None:
    assert r["links"] and all(ok for _, ok in r["links"]), r["links"]


@NO_BROWSER
@pytest.mark.long
def test_check_page_in_a_browser(tmp_path: Path) -> None:
    page = _page(tmp_path, "check", "check", "--no-timing", status=1)
    width, height, rows = _screenshot(tmp_path, page.as_uri(), "check")
    assert (width, height) == (1200, 2000)
    want = bytes(int(HIGHLIGHT[k:k + 2], 16) for k in (1, 3, 5))
    hits = sum(1 for row in rows for i in range(0, len(row), 3)
               if all(abs(row[i + k] - want[k]) <= 6 for k in range(3)))
    assert hits > 300, f"only {hits} pixels of the overlap colour {HIGHLIGHT}"
    r = _probe(tmp_path, page)
    _legend_matches_the_boxes(r)
    _links_resolve(r)
    # the summary links every violation and every verdict that differs from its expectation
    jumps = {i for i, _ in r["links"]}
    assert {"r-fw_old-fw_vs_info", "r-fw_old-info_below_top_64k", "r-fw_new-info_backed",
            "r-fw_old-stack_low"} <= jumps
    f = r["filter"]
    assert f is not None and f["hidden"] is False  # the script shows it
    (_, violated, arts, count), (_, old, _, _), (_, fail, _, _), (_, every, _, _) = f["runs"]
    assert violated and {v for v, _, _ in violated} == {"violated"} and len(violated) == 3
    assert arts == 3 and count == "3 of 9 shown"
    assert {m for _, m, _ in old} == {"fw_old"} and len(old) == 5
    assert {x for _, _, x in fail} == {"FAIL"} and len(fail) == 2
    assert len(every) == 9
    assert r["scrollWidth"] <= 1200  # nothing runs off the side


@NO_BROWSER
@pytest.mark.long
def test_check_page_without_scripts(tmp_path: Path) -> None:
    """Scripts off (a content security policy that allows none): no filter, since it
    could not work, and every row and article shown."""
    page = _page(tmp_path, "check", "check", "--no-timing", status=1)
    off = tmp_path / "check-noscript.html"
    off.write_text(page.read_text(encoding="utf-8").replace(
        "<head>", '<head><meta http-equiv="Content-Security-Policy" '
        "content=\"script-src 'none'\">", 1), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", off.as_uri()).stdout
    assert re.search(r'<form class="filter" id="filter" hidden="?"?>', dom)
    assert not re.search(r"<(tr|article|table|nav|figure)\b[^>]*\bhidden", dom)
    assert dom.count("<article") == 9 and len(re.findall(r"<tr[^>]* data-verdict=", dom)) == 9
    _screenshot(tmp_path, off.as_uri(), "check-noscript", "1200,900")


@NO_BROWSER
@pytest.mark.long
def test_explain_pages_in_a_browser(tmp_path: Path) -> None:
    bad = _page(tmp_path, "explain-violated", "explain", "fw_vs_info", "-m", "fw_old")
    _screenshot(tmp_path, bad.as_uri(), "explain-violated")
    r = _probe(tmp_path, bad)
    _legend_matches_the_boxes(r)
    _links_resolve(r)
    assert r["filter"] is None  # one result: nothing to filter
    good = _page(tmp_path, "explain-holds", "explain", "fw_vs_info", "-m", "fw_new")
    _screenshot(tmp_path, good.as_uri(), "explain-holds", "1200,700")
    r = _probe(tmp_path, good)
    assert r["boxes"] == [] and r["keys"] == []
    text = good.read_text(encoding="utf-8")
    # what the proof depends on, with the line as written
    assert '<table class="core">' in text and "<pre>param fw_size in {1MiB, 2MiB}</pre>" in text


@NO_BROWSER
@pytest.mark.long
def test_diff_page_in_a_browser(tmp_path: Path) -> None:
    page = _page(tmp_path, "diff", "diff", "diff/base", "diff/head", cwd=FIXTURES, status=1)
    _screenshot(tmp_path, page.as_uri(), "diff")
    r = _probe(tmp_path, page)
    _legend_matches_the_boxes(r)
    assert len(r["before"]) == 1  # info moved: its old place is a dashed outline
    text = page.read_text(encoding="utf-8")
    assert "<b>info</b> was at <code>[0xFFDFF000, 0xFFE00000)</code>" in text


@NO_BROWSER
@pytest.mark.long
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_all_models_graph_wraps(tmp_path: Path) -> None:
    svg = tmp_path / "graph.svg"
    status, _, err = cli("graph", "--format", "svg", "-o", str(svg), cwd=REPO)
    assert status == 0 and not err
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    width = float(root.get("width", "0").removesuffix("pt"))
    height = float(root.get("height", "0").removesuffix("pt"))
    assert 0 < width <= GRAPH_MAX_PT and height > width, (width, height)
    _screenshot(tmp_path, svg.as_uri(), "graph", f"{int(width * 4 / 3) + 20},1400")
