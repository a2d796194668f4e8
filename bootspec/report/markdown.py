"""Markdown reports, for a merge-request comment (GitLab and GitHub flavours).

The summary comes first; the full verdict table and each counterexample sit in
``<details>`` blocks so a long report stays a short comment. Memory maps are
Markdown tables (violating regions in bold) plus the ASCII bar in a code block.
"""

from __future__ import annotations

from collections.abc import Sequence

from bootspec.report import bar
from bootspec.report.diffview import DiffView
from bootspec.report.text import addr_digits, diff_summary
from bootspec.report.view import CexView, CheckView, Item, Meta
from bootspec.units import counted, human_size


def esc(s: str) -> str:
    """Escape a table cell or inline text: pipes, backticks' neighbours, HTML brackets.

    >>> esc("a|b <c>")
    'a\\\\|b &lt;c&gt;'
    """
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\n", " "))


def code(s: str) -> str:
    """Inline code that survives backticks inside."""
    tick = "``" if "`" in s else "`"
    return f"{tick}{s}{tick}" if s else ""


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _meta(meta: Meta) -> str:
    return f"<sub>{esc(meta.line)}</sub>"


def _hx(v: int, d: int) -> str:
    return f"0x{v:0{d}X}"


def _status(it: Item) -> str:
    return "ok" if it.ok else "**FAIL**"


def check_report(view: CheckView) -> str:
    """The Markdown report of ``bootspec check``."""
    counts = view.counts()
    parts = ", ".join(f"{counts[k]} {k}" for k in ("holds", "violated", "vacuous", "unknown")
                      if k in counts)
    bad = [i for i in view.items if not i.ok]
    n = len(view.items)
    out = ["### bootspec check", ""]
    if view.partial is not None:
        out += [f"> **PARTIAL REPORT**: {esc(view.partial)}", ""]
    if view.machine is not None and not bad:
        out.append(f"**{counted(n, 'obligation')} on machine {code(view.machine)}, every "
                   f"verdict acceptable there** ({parts})")
    elif view.machine is not None:
        out.append(f"**{len(bad)} of {n} verdicts are not acceptable on machine "
                   f"{code(view.machine)}** ({parts})")
    elif not bad:
        out.append(f"**{counted(n, 'obligation')}, every verdict as expected** ({parts})")
    else:
        out.append(f"**{len(bad)} of {n} verdicts differ from their expectation** ({parts})")
    if bad:
        rows = [[code(i.model), code(i.property), f"**{i.verdict}**", i.expected,
                 code(str(i.span)), esc(i.reason)] for i in bad]
        out += ["", *table(["model", "property", "verdict", "expected", "where", "why"], rows)]
        for it in bad:
            if it.cex is not None:
                out += ["", f"<details><summary>{esc(it.model)} / {esc(it.property)}: "
                        "counterexample</summary>", "", *explain_lines(it), "", "</details>"]
    timing = any(i.seconds is not None for i in view.items)
    rows = []
    for i in view.items:
        row = [code(i.model), code(i.property), i.verdict, i.expected, _status(i)]
        if timing:
            row.append(f"{i.seconds or 0:.2f} s")
        rows.append(row)
    out += ["", f"<details><summary>All {n} verdicts</summary>", ""]
    out += table(["model", "property", "verdict", "expected", "result"]
                 + (["time"] if timing else []), rows)
    out += ["", "</details>", "", _meta(view.meta)]
    return "\n".join(out) + "\n"


def memory_table(cex: CexView) -> list[str]:
    d = addr_digits([v for r in cex.regions for v in (r.start, r.end)], cex.width)
    rows = []
    for r in cex.regions:
        name = f"**{esc(r.name)}**" if r.marked else esc(r.name)
        rows.append([_hx(r.start, d), _hx(r.end, d), human_size(r.size), name,
                     esc(r.owner or "-"), esc(r.type or "-")])
    return table(["start", "end", "size", "region", "stage", "type"], rows)


def cex_lines(cex: CexView) -> list[str]:
    out = [f"- at: {esc(cex.step)}" + (f" ({code(str(cex.step_span))})"
                                       if cex.step_span else "")]
    out += [f"- finding: {esc(f)}" for f in cex.findings]
    d = addr_digits([v for o in cex.overlaps for v in (o.start, o.end)], cex.width)
    out += [f"- overlap: `[{_hx(o.start, d)}, {_hx(o.end, d)})` {human_size(o.end - o.start)},"
            f" {code(o.between[0])} and {code(o.between[1])}" for o in cex.overlaps]
    if cex.params:
        out.append("- parameters: " + ", ".join(code(f"{n} = {v}") for n, v in cex.params))
    if cex.state:
        out.append("- state: " + ", ".join(code(f"{n} = {v}") for n, v in cex.state))
    out += ["", "Path (each stage and the live regions it placed):", ""]
    for n, st in enumerate(cex.stages, 1):
        placed = (", ".join(code(p) for p in st.placed) or "nothing live") if st.reached \
            else "not reached"
        out.append(f"{n}. {code(st.stage)}: {placed}" + (" **<- fails here**"
                                                          if st.failing else ""))
    out += ["", "Memory at that step (violating regions in bold; ranges are `[start, end)`):",
            "", *memory_table(cex)]
    drawn = bar.render(cex)
    if drawn:
        out += ["", "```text", *drawn, "```"]
    for m in cex.maps:
        dm = addr_digits([v for s, e, _ in m.entries for v in (s, e)], cex.width)
        out += ["", f"<details><summary>map {esc(m.name)} ({esc(m.kind)})</summary>", ""]
        out += table(["start", "end", "size", "type"],
                     [[_hx(s, dm), _hx(e, dm), human_size(e - s), esc(t)]
                      for s, e, t in m.entries])
        out += ["", "</details>"]
    return out


def explain_lines(it: Item) -> list[str]:
    head = f"**{it.verdict}**: {code(it.property)} on model {code(it.model)}"
    if not it.ok:
        head += f" (expected {it.expected})"
    out = [head, ""]
    if it.property_text:
        out.append(f"- property: {code(it.property_text)}"
                   + (f" ({code(str(it.property_span))})" if it.property_span else ""))
    if it.cite:
        out.append(f"- cite: {esc(it.cite)}")
    if it.reason:
        out.append(f"- reason: {esc(it.reason)}")
    if it.cex is not None:
        out += cex_lines(it.cex)
    elif it.verdict == "holds":
        why = it.why()
        if why:
            intro = it.why_intro(len(why))
            out += ["", f"{intro[0].upper()}{intro[1:]}:", ""]
            for w in why:
                changed = f" — **changed by {esc(w.changed_by)}**" if w.changed_by else ""
                out.append(f"- {code(w.span.short)}: {esc('; '.join(w.labels))}{changed}")
                out += [f"  {code(line)}" + ("  " if j < len(w.source.splitlines()) - 1
                                             else "")
                        for j, line in enumerate(w.source.splitlines())]
        else:
            out += ["", "The proof reads no line of the model: it holds whatever the model "
                    "does."]
    return out


def explain(it: Item, meta: Meta) -> str:
    """The Markdown report of ``bootspec explain``."""
    return "\n".join(["### bootspec explain", "", *explain_lines(it), "", _meta(meta)]) + "\n"


def diff_report(view: DiffView) -> str:
    """The Markdown report of ``bootspec diff``."""
    out = [f"### bootspec diff {code(view.base.label)} {code(view.head.label)}", ""]
    regress = view.regressions
    summary = diff_summary(view)
    out.append(f"**{esc(summary)}**" if regress else esc(summary))
    versions = [[side, code(v.label), code((v.commit or "-")[:12]), code(v.meta.short)]
                for side, v in (("base", view.base), ("head", view.head))]
    out += ["", *table(["", "revision or folder", "commit", "sources sha256"], versions)]
    if view.changes:
        rows = [[c.kind, code(c.model), code(c.property), esc(c.arrow),
                 "**yes**" if c.regression else "no"] for c in view.changes]
        out += ["", *table(["change", "model", "property", "verdict", "regression"], rows)]
    for c in view.changes:
        if c.head is not None and c.head.cex is not None and c.kind in ("worse", "new",
                                                                          "changed"):
            out += ["", f"<details{' open' if c.regression else ''}><summary>"
                    f"{esc(c.model)} / {esc(c.property)}: {esc(c.arrow)}</summary>", ""]
            out += [*explain_lines(c.head), "", "</details>"]
    out += ["", _meta(view.head.meta)]
    return "\n".join(out) + "\n"
