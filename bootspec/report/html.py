"""The HTML report: one self-contained file (inline CSS, SVG and a few lines of
inline script; nothing is fetched).

It holds the summary (links to each violation, a filter by verdict and model, and
the table of verdicts), then each counterexample (its SVG memory map with a
legend that says what every colour means, the path of stages with what each
placed, the memory and map tables), then what each proof that holds depends on
(its unsat core, each line with its source text). ``bootspec diff`` gets the
same page around a table of the changes, and its maps show where a region that
moved was before the change.

The filter is the only script. Without it (script off) the page shows
everything and the filter's controls stay hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bootspec.report import svg
from bootspec.report.diffview import DiffView
from bootspec.report.text import addr_digits
from bootspec.report.view import CexView, CheckView, Item, Meta
from bootspec.units import counted, human_size

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;
 margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid
 #ddd;padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
code,.mono{font:12px ui-monospace,Menlo,Consolas,monospace}
.meta{color:#555;margin:0}.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:bold}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 8px;
 text-align:left;vertical-align:top}th{background:#f4f4f4}
td.n{text-align:right;font:12px ui-monospace,Menlo,Consolas,monospace}
tr.fail td{background:#fff0f0}tr.marked td{font-weight:bold;background:#fff3f5}
.verdict-violated{color:#cf222e}.verdict-holds{color:#1a7f37}
.verdict-unknown,.verdict-vacuous{color:#9a6700}
article{border:1px solid #e3e3e3;border-radius:6px;padding:4px 16px 12px;margin:14px 0}
ol.path{padding-left:22px}ol.path li.failing{color:#cf222e}
figure{margin:10px 0;overflow-x:auto}summary{cursor:pointer}
figcaption ul.legend{list-style:none;padding:0;margin:6px 0;font-size:13px}
ul.legend li{display:flex;align-items:center;gap:8px;margin:2px 0}
ul.legend svg.swatch{flex:none}
table.core td pre{margin:0;white-space:pre-wrap;font:12px ui-monospace,Menlo,Consolas,monospace}
nav.jump ul{margin:4px 0}form.filter{margin:8px 0;display:flex;gap:14px;align-items:center;
 flex-wrap:wrap}[hidden]{display:none !important}
"""

#: the filter of the check page: shows the table rows and the articles whose
#: data-verdict/data-model match the chosen values; the form is hidden until it runs
_JS = """(function(){
var f=document.getElementById('filter');if(!f)return;f.hidden=false;
var v=document.getElementById('f-verdict'),m=document.getElementById('f-model'),
n=document.getElementById('f-count');
function go(){var shown=0,total=0;
document.querySelectorAll('[data-verdict]').forEach(function(e){
var ok=(!v.value||(v.value==='FAIL'?e.dataset.result==='FAIL':e.dataset.verdict===v.value))
&&(!m.value||e.dataset.model===m.value);e.hidden=!ok;
if(e.tagName==='TR'){total++;if(ok)shown++;}});
n.textContent=shown+' of '+total+' shown';}
v.addEventListener('change',go);m.addEventListener('change',go);go();})();"""


def _e(s: object) -> str:
    return escape(str(s))


def _page(title: str, meta: Meta, body: Sequence[str], script: bool = False) -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<header><h1>{_e(title)}</h1><p class=\"meta\">{_e(meta.line)}</p></header>",
        *body, *([f"<script>{_JS}</script>"] if script else []), "</body>", "</html>"]) + "\n"


def _data(it: Item) -> str:
    """The attributes the filter reads."""
    return (f' data-model="{_e(it.model)}" data-verdict="{_e(it.verdict)}" '
            f'data-result="{"ok" if it.ok else "FAIL"}"')


def _table(headers: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]],
           cls: str = "", attrs: Sequence[str] = ()) -> str:
    """``rows`` are (tr class, cells as HTML); ``attrs`` more attributes of each row."""
    t = f' class="{cls}"' if cls else ""
    out = [f"<table{t}>", "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers)
           + "</tr></thead>", "<tbody>"]
    for k, (rc, cells) in enumerate(rows):
        c = (f' class="{rc}"' if rc else "") + (attrs[k] if k < len(attrs) else "")
        out.append(f"<tr{c}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _verdict(v: str) -> str:
    return f'<span class="verdict-{_e(v)}">{_e(v)}</span>'


def _anchor(it: Item) -> str:
    return f"r-{it.model}-{it.property}".replace(" ", "_")


def _loc(span: object) -> str:
    return f'<span class="mono">{_e(span)}</span>' if span else ""


def cex_html(it: Item, cex: CexView, ident: str) -> list[str]:
    out = [f"<p>at: {_e(cex.step)} {_loc(cex.step_span)}</p>"]
    out += [f"<p>finding: {_e(f)}</p>" for f in cex.findings]
    d = addr_digits([v for r in cex.regions for v in (r.start, r.end)], cex.width)
    for o in cex.overlaps:
        out.append(f'<p class="bad">overlap: <code>[0x{o.start:0{d}X}, 0x{o.end:0{d}X})</code> '
                   f"{_e(human_size(o.end - o.start))}, {_e(o.between[0])} and "
                   f"{_e(o.between[1])}</p>")
    if cex.params:
        out.append("<p>parameters: " + ", ".join(f"<code>{_e(n)} = {_e(v)}</code>"
                                                 for n, v in cex.params) + "</p>")
    if cex.state:
        out.append("<p>state: " + ", ".join(f"<code>{_e(n)} = {_e(v)}</code>"
                                            for n, v in cex.state) + "</p>")
    out.append("<p>path (each stage and the live regions it placed):</p>")
    out.append('<ol class="path">')
    for st in cex.stages:
        placed = (", ".join(f"<code>{_e(p)}</code>" for p in st.placed) or "nothing live") \
            if st.reached else "not reached"
        cls = ' class="failing"' if st.failing else ""
        out.append(f"<li{cls}><b>{_e(st.stage)}</b>: {placed}"
                   + (" &larr; fails here" if st.failing else "") + "</li>")
    out.append("</ol>")
    for b in cex.before:
        now = next((r for r in cex.regions if r.name == b.name), None)
        if now is not None:
            out.append(f"<p>moved by the change: <b>{_e(b.name)}</b> was at "
                       f"<code>[0x{b.start:0{d}X}, 0x{b.end:0{d}X})</code> (the dashed "
                       f"outline), is now at <code>[0x{now.start:0{d}X}, 0x{now.end:0{d}X})"
                       "</code></p>")
    title = f"{it.model} / {it.property}: {cex.step}"
    out.append(f"<figure>{svg.render(cex, title, ident)}{legend_html(cex)}</figure>")
    rows = [("marked" if r.marked else "",
             [f"<code>0x{r.start:0{d}X}</code>", f"<code>0x{r.end:0{d}X}</code>",
              _e(human_size(r.size)), _e(r.name), _e(r.owner or "-"), _e(r.type or "-")])
            for r in cex.regions]
    out.append("<details open><summary>memory at that step (bold: named by the property; "
               "ranges are [start, end))</summary>")
    out.append(_table(["start", "end", "size", "region", "stage", "type"], rows))
    out.append("</details>")
    for m in cex.maps:
        dm = addr_digits([v for s, e, _ in m.entries for v in (s, e)], cex.width)
        out.append(f"<details><summary>map {_e(m.name)} ({_e(m.kind)})</summary>")
        out.append(_table(["start", "end", "size", "type"],
                          [("", [f"<code>0x{s:0{dm}X}</code>", f"<code>0x{e:0{dm}X}</code>",
                                 _e(human_size(e - s)), _e(t)]) for s, e, t in m.entries]))
        out.append("</details>")
    return out


def legend_html(cex: CexView) -> str:
    """What each colour and outline of the map means, each swatch drawn as its boxes are."""
    keys = "".join(f'<li data-key="{_e(k.kind)}">{svg.swatch(k.look)}<span>{_e(k.words)}'
                   "</span></li>" for k in svg.legend(cex))
    return f'<figcaption><ul class="legend">{keys}</ul></figcaption>'


def item_html(it: Item, ident: str) -> list[str]:
    head = f"{it.model} / {it.property}: {_verdict(it.verdict)}"
    if not it.ok:
        head += f' <span class="bad">(expected {_e(it.expected)})</span>'
    out = [f'<article id="{_e(_anchor(it))}"{_data(it)}>', f"<h3>{head}</h3>"]
    if it.property_text:
        out.append(f"<p>property: <code>{_e(it.property_text)}</code> "
                   f"{_loc(it.property_span)}</p>")
    if it.cite:
        out.append(f"<p>cite: {_e(it.cite)}</p>")
    if it.reason:
        out.append(f"<p>reason: {_e(it.reason)}</p>")
    if it.cex is not None:
        out += cex_html(it, it.cex, ident)
    elif it.verdict == "holds":
        out += core_html(it)
    out.append("</article>")
    return out


def core_html(it: Item) -> list[str]:
    why = it.why()
    if not why:
        return ["<p>the proof reads no line of the model: it holds whatever the model "
                "does</p>"]
    rows = []
    for w in why:
        what = _e("; ".join(w.labels))
        if w.changed_by:
            what += f"<br><strong>changed by {_e(w.changed_by)}</strong>"
        rows.append(("", [_loc(w.span.short), what,
                          f"<pre>{_e(w.source)}</pre>" if w.source else "-"]))
    return ([f"<p>{_e(it.why_intro(len(why)))}</p>",
             _table(["where", "what", "source"], rows, "core")])


def _summary(items: Sequence[Item]) -> str:
    counts: dict[str, int] = {}
    for i in items:
        counts[i.verdict] = counts.get(i.verdict, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in ("holds", "violated", "vacuous", "unknown")
                      if k in counts)
    bad = sum(1 for i in items if not i.ok)
    if not bad:
        return (f'<p class="ok">{counted(len(items), "obligation")}, every verdict as '
                f"expected ({parts})</p>")
    return (f'<p class="bad">{bad} of {len(items)} verdicts differ from their expectation '
            f"({_e(parts)})</p>")


def _jump(items: Sequence[Item], shown: set[tuple[str, str]]) -> list[str]:
    """Links to each violation and to each verdict that differs from its expectation."""
    bad = [i for i in items if i.key in shown and (i.verdict == "violated" or not i.ok)]
    if not bad:
        return []
    bad.sort(key=lambda i: (i.ok, i.model, i.property))
    links = []
    for i in bad:
        what = _verdict(i.verdict) + (f', <span class="bad">expected {_e(i.expected)}</span>'
                                      if not i.ok else ", as expected")
        links.append(f'<li><a href="#{_e(_anchor(i))}">{_e(i.model)} / {_e(i.property)}</a>'
                     f": {what}</li>")
    return ['<nav class="jump" aria-label="violations"><p>jump to:</p><ul>', *links,
            "</ul></nav>"]


def _filter(items: Sequence[Item]) -> str:
    verdicts = [v for v in ("holds", "violated", "vacuous", "unknown")
                if any(i.verdict == v for i in items)]
    vopts = "".join(f'<option value="{v}">{v}</option>' for v in verdicts)
    if any(not i.ok for i in items):
        vopts += '<option value="FAIL">differs from its expectation</option>'
    mopts = "".join(f'<option value="{_e(m)}">{_e(m)}</option>'
                    for m in sorted({i.model for i in items}))
    return ('<form class="filter" id="filter" hidden>'
            '<label>verdict <select id="f-verdict"><option value="">any</option>'
            f"{vopts}</select></label>"
            '<label>model <select id="f-model"><option value="">any</option>'
            f'{mopts}</select></label><span id="f-count" aria-live="polite"></span></form>')


def check_report(view: CheckView, title: str = "bootspec check") -> str:
    """The HTML report of ``bootspec check`` (or of one ``explain``)."""
    timing = any(i.seconds is not None for i in view.items)
    cexs = sorted((i for i in view.items if i.cex is not None), key=lambda i: i.ok)
    others = [i for i in view.items if i.cex is None and (i.core or not i.ok
                                                          or len(view.items) == 1)]
    detailed = {i.key for i in cexs + others}  # the items that have an article
    rows = []
    for i in view.items:
        name = _e(i.property)
        if i.key in detailed:
            name = f'<a href="#{_e(_anchor(i))}">{name}</a>'
        cells = [_e(i.model), name, _verdict(i.verdict), _e(i.expected),
                 '<span class="ok">ok</span>' if i.ok else '<span class="bad">FAIL</span>']
        if timing:
            cells.append(f"{i.seconds or 0:.2f} s")
        rows.append(("" if i.ok else "fail", cells))
    body = ([f'<p class="bad"><strong>PARTIAL REPORT</strong>: {_e(view.partial)}</p>']
            if view.partial is not None else [])
    many = len(view.items) > 1
    body += ["<h2>Summary</h2>", _summary(view.items),
             *(_jump(view.items, detailed) if many else []),
             *([_filter(view.items)] if many else []),
             _table(["model", "property", "verdict", "expected", "result"]
                    + (["time"] if timing else []), rows,
                    attrs=[_data(i) for i in view.items] if many else ())]
    if cexs:
        body.append("<h2>Counterexamples</h2>")
        for n, it in enumerate(cexs):
            body += item_html(it, f"m{n}")
    if others:
        body.append("<h2>What each proof depends on</h2>")
        for n, it in enumerate(others):
            body += item_html(it, f"c{n}")
    return _page(title, view.meta, body, script=many)


def diff_report(view: DiffView) -> str:
    """The HTML report of ``bootspec diff``."""
    title = f"bootspec diff {view.base.label} {view.head.label}"
    counts = ", ".join(f"{view.count(k)} {k}" for k in ("worse", "new", "better", "changed",
                                                         "removed") if view.count(k))
    regress = view.regressions
    status = (f'<p class="bad">{len(regress)} regression{"s" if len(regress) != 1 else ""}</p>'
              if regress else '<p class="ok">nothing got worse</p>')
    versions = _table(["", "revision or folder", "commit", "sources sha256"], [
        ("", [side, f"<code>{_e(v.label)}</code>", f"<code>{_e((v.commit or '-')[:12])}</code>",
              f"<code>{_e(v.meta.short)}</code>"])
        for side, v in (("base", view.base), ("head", view.head))])
    rows = []
    for c in view.changes:
        cells = [_e(c.kind), _e(c.model), _e(c.property), _e(c.arrow),
                 '<span class="bad">yes</span>' if c.regression else "no"]
        rows.append(("fail" if c.regression else "", cells))
    body = ["<h2>Versions</h2>", versions, "<h2>Changes</h2>", status,
            f"<p>{_e(counts or 'no verdict changed')}; {view.unchanged} unchanged</p>"]
    if rows:
        body.append(_table(["change", "model", "property", "verdict", "regression"], rows))
    shown = [c for c in view.changes if c.head is not None and c.head.cex is not None
             and c.kind in ("worse", "new", "changed")]
    if shown:
        body.append("<h2>Counterexamples of the new violations</h2>")
        for n, c in enumerate(shown):
            assert c.head is not None
            body += item_html(c.head, f"d{n}")
    return _page(title, view.head.meta, body)
