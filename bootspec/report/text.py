"""Pass 6, *report* (plain text): verdict tables and explanations as strings.

Plain ASCII, every line at most 72 columns, so a report can be pasted into a
mail under a patch as it is. Each report starts with the tool version and a
hash of the sources it was computed from (see :mod:`bootspec.report.view`).
Nothing here prints; the CLI writes what these functions return.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bootspec.report import bar
from bootspec.report.diffview import KINDS, DiffView, Version
from bootspec.report.view import CexView, CheckView, Item, Meta
from bootspec.units import counted, human_size

if TYPE_CHECKING:
    from bootspec.engine.check import Result

WIDTH = 72


def addr_digits(values: Sequence[int], width: int) -> int:
    """Hex digits to pad a table's addresses to: enough for the largest address below
    ``2^width`` and at least 8, so a 64-bit model's low addresses stay short.

    >>> addr_digits([0x1000, 1 << 64], 64), addr_digits([1 << 40], 64)
    (8, 11)
    """
    below = [v for v in values if 0 <= v < (1 << width)]
    return max(8, *(len(f"{v:X}") for v in below)) if below else 8


def fit(lines: Sequence[str], width: int = WIDTH) -> list[str]:
    """Hard-wrap any line longer than ``width``, continuing under its indentation + 4."""
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()) + 4)
        out.extend(textwrap.wrap(line, width, subsequent_indent=indent,
                                 break_on_hyphens=False) or [""])
    return out


def para(text: str, first: str, rest: str | None = None) -> list[str]:
    """``text`` wrapped to the width, the first line led by ``first``."""
    rest = " " * len(first) if rest is None else rest
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False) or [first.rstrip()]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ",
           right: Sequence[int] = ()) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return (indent + "  ".join(parts)).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


# ------------------------------------------------------------------ check

def results_table(view: CheckView, timing: bool = True) -> str:
    """Verdicts grouped by model: property, verdict, ok/FAIL (and the time)."""
    fixed = 2 + 2 + 8 + 2 + 4 + (9 if timing else 0)
    names = [i.property for i in view.items] or [""]
    pw = max(14, min(max(len(n) for n in names), WIDTH - fixed))
    out = [f"{'model / property':<{pw + 2}}  {'verdict':<8}  result"
           + ("     time" if timing else "")]
    model = None
    for it in view.items:
        if it.model != model:
            model = it.model
            out.append(model)
        cols = f"{it.verdict:<8}  {'ok' if it.ok else 'FAIL':<4}"
        if timing and it.seconds is not None:
            cols += f"  {it.seconds:5.2f} s"
        if len(it.property) > pw:
            out.append(f"  {it.property}")
            out.append(f"  {'':<{pw}}  {cols}".rstrip())
        else:
            out.append(f"  {it.property:<{pw}}  {cols}".rstrip())
    return "\n".join(fit(out))


def summary(view: CheckView) -> str:
    """One line when every verdict is as expected, else the differing ones and why."""
    counts = view.counts()
    parts = ", ".join(f"{counts[k]} {k}" for k in ("holds", "violated", "vacuous", "unknown")
                      if k in counts)
    bad = [i for i in view.items if not i.ok]
    n = len(view.items)
    if view.machine is not None:  # check --memmap: what is acceptable on that machine
        if not bad:
            return "\n".join(para(
                f"{counted(n, 'obligation')} on this machine ({parts}), every verdict "
                "acceptable here (only a property expected to hold must hold on a "
                "machine)", ""))
        out = para(f"{len(bad)} of {n} verdicts are not acceptable on this machine "
                   f"({parts}): expected to hold, they do not:", "")
    elif not bad:
        return "\n".join(para(f"{counted(n, 'obligation')}, every verdict as expected "
                              f"({parts})", ""))
    else:
        out = para(f"{len(bad)} of {n} verdicts differ from their expectation ({parts}):",
                   "")
    for it in bad:
        why = f" - {it.reason}" if it.reason else ""
        out += para(f"{it.span}: {it.model} / {it.property}: {it.verdict}, expected "
                    f"{it.expected}{why}", "  ", "      ")
    return "\n".join(fit(out))


def quiet_line(results: Sequence[Result]) -> str:
    """The one line ``check --quiet`` prints: the verdict counts and the exit status
    they give, with its meaning.

    >>> from types import SimpleNamespace as NS
    >>> quiet_line([NS(verdict=NS(status="holds"), ok=True)])
    'bootspec: 1 obligation (1 holds), every verdict as expected: exit 0\\n'
    """
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.status] = counts.get(r.verdict.status, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in ("holds", "violated", "vacuous", "unknown")
                      if k in counts)
    bad = sum(1 for r in results if not r.ok)
    head = f"bootspec: {counted(len(results), 'obligation')} ({parts or 'none'})"
    if not bad:
        return f"{head}, every verdict as expected: exit 0\n"
    differ = "verdict differs" if bad == 1 else "verdicts differ"
    return (f"{head}, {bad} {differ} from the expectation: exit 1 (run without --quiet "
            "to see which)\n")


def check_report(view: CheckView) -> str:
    """The text report of ``bootspec check``: header, table, summary, and the
    counterexample of every violation that was not expected."""
    timing = any(i.seconds is not None for i in view.items)
    parts = [view.meta.line, ""]
    if view.partial is not None:
        parts += [*fit(para(f"PARTIAL REPORT: {view.partial}", "")), ""]
    parts += [results_table(view, timing), "", summary(view)]
    for it in view.items:
        if not it.ok and it.cex is not None:
            parts += ["", "=" * WIDTH, explain_body(it)]
    if view.partial is not None:
        parts += ["", "PARTIAL REPORT: the run was stopped; see the top."]
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------------ explain

def memory_table(cex: CexView) -> list[str]:
    """Every live region by address: start, end, size, region, stage, type; ``*`` marks
    the regions the violated property names. Folds to two lines a row when one line
    would pass 72 columns."""
    d = addr_digits([v for r in cex.regions for v in (r.start, r.end)], cex.width)
    rows = [["*" if r.marked else " ", _hx(r.start, d), _hx(r.end, d), human_size(r.size),
             r.name, r.owner or "-", r.type or "-"] for r in cex.regions]
    headers = [" ", "start", "end", "size", "region", "stage", "type"]
    lines = _table(headers, rows)
    if all(len(line) <= WIDTH for line in lines):
        return lines
    narrow = _table(headers[:5], [r[:5] for r in rows])
    if any(len(line) > WIDTH for line in narrow):
        return _cards(rows)
    col = narrow[0].index("region")
    extras = [", ".join(x for x in (f"by {r[5]}" if r[5] != "-" else "",
                                    f"type {r[6]}" if r[6] != "-" else "") if x) for r in rows]
    # one indent for every continuation: under 'region' when they all fit there
    at = max(5, min(col, WIDTH - max(len(x) for x in extras)))
    out = narrow[:2]
    for line, extra in zip(narrow[2:], extras, strict=True):
        out.append(line)
        if extra:
            out += fit([" " * at + extra])
    return out


def _cards(rows: Sequence[Sequence[str]]) -> list[str]:
    """The last resort for a table too wide even without stage and type: two or more
    lines per region (a 64-bit map with long names)."""
    out: list[str] = []
    for mark, start, end, size, name, stage, typ in rows:
        out.append(f"  {mark} {name}")
        tail = "".join(x for x in (f", by {stage}" if stage != "-" else "",
                                   f", type {typ}" if typ != "-" else ""))
        out += para(f"[{start}, {end}) {size}{tail}", "      ")
    return out


def _hx(v: int, digits: int) -> str:
    return f"0x{v:0{digits}X}" if v >= 0 else f"-0x{-v:0{digits}X}"


def map_tables(cex: CexView) -> list[str]:
    out: list[str] = []
    for m in cex.maps:
        d = addr_digits([v for s, e, _ in m.entries for v in (s, e)], cex.width)
        out += ["", f"map {m.name} ({m.kind}):"]
        if not m.entries:
            out.append("  (no entries)")
            continue
        out += _table(["start", "end", "size", "type"],
                      [[_hx(s, d), _hx(e, d), human_size(e - s), t] for s, e, t in m.entries])
    return out


def path_lines(cex: CexView) -> list[str]:
    """The path of stages, each with the live regions it placed."""
    out = ["path (each stage, then the live regions it placed):"]
    for n, st in enumerate(cex.stages, 1):
        placed = (", ".join(st.placed) if st.placed else "(nothing live)") if st.reached \
            else "(not reached)"
        tail = "   <- fails here" if st.failing else ""
        out += para(f"{placed}{tail}", f"  {n}. {st.stage}: ", "       ")
    return out


def overlap_lines(cex: CexView) -> list[str]:
    d = addr_digits([v for o in cex.overlaps for v in (o.start, o.end)], cex.width)
    return [line for o in cex.overlaps for line in para(
        f"[{_hx(o.start, d)}, {_hx(o.end, d)}) {human_size(o.end - o.start)}, "
        f"{o.between[0]} and {o.between[1]}", "  overlap: ", "           ")]


def cex_lines(cex: CexView) -> list[str]:
    """The counterexample as a concrete memory map at the failing step."""
    out = para(cex.step, "  at: ", "      ")
    if cex.step_span is not None:
        out += para(f"[{cex.step_span}]", "      ")
    for f in cex.findings:
        out += para(f, "  finding: ", "           ")
    out += overlap_lines(cex)
    if cex.params:
        out += ["", "parameters:"]
        out += [line for n, v in cex.params for line in para(v, f"  {n} = ", "      ")]
    if cex.state:
        out += ["", "state at that step:"]
        out += [line for n, v in cex.state for line in para(v, f"  {n} = ", "      ")]
    out += ["", *path_lines(cex)]
    out += ["", "memory at that step (* marks the regions the property names;",
            "ranges are [start, end)):"]
    out += memory_table(cex)
    drawn = bar.render(cex, WIDTH)
    if drawn:
        out += ["", *drawn]
    out += map_tables(cex)
    return out


def explain_body(it: Item) -> str:
    """An item's verdict, property, and its counterexample or the proof's core."""
    head = f"{it.verdict}: {it.property} on model {it.model}"
    if it.verdict != it.expected:
        head += f" (expected {it.expected})"
    out = para(head, "", "  ")
    if it.property_text:
        out += para(it.property_text, "  property: ", "            ")
    if it.property_span is not None:
        out += para(f"[{it.property_span}]", "            ")
    if it.cite:
        out += para(it.cite, "  cite: ", "        ")
    if it.reason:
        out += para(it.reason, "  reason: ", "          ")
    if it.cex is not None:
        out += cex_lines(it.cex)
    elif it.verdict == "holds":
        out += ["", *core_lines(it)]
    return "\n".join(fit(out))


def core_lines(it: Item) -> list[str]:
    why = it.why()
    if not why:
        return ["the proof reads no line of the model: it holds whatever the model does"]
    out = para(it.why_intro(len(why)), "")
    for w in why:
        out += ["", *para(f"{w.span.short}: {'; '.join(w.labels)}", "  ", "      ")]
        if w.changed_by:
            out += para(f"changed by {w.changed_by}", "  * ", "    ")
        out += [f"    | {line}" for line in w.source.splitlines()]
    return out


def explain(it: Item, meta: Meta) -> str:
    """The text report of ``bootspec explain``."""
    return meta.line + "\n\n" + explain_body(it) + "\n"


# ------------------------------------------------------------------ diff

def _version_line(side: str, v: Version) -> list[str]:
    what = f"commit {v.commit[:12]}" if v.commit else "folder"
    return para(f"{v.label}, {what}", f"  {side}: ", "        ") + para(
        f"sources sha256:{v.meta.short} ({counted(len(v.meta.files), 'file')})", "        ")


def diff_summary(view: DiffView) -> str:
    parts = [f"{view.count(k)} {k}" for k in KINDS if view.count(k)]
    counts = ", ".join(parts) if parts else "no verdict changed"
    n = len(view.regressions)
    head = counted(n, "regression") if n else "nothing got worse"
    return f"{head}: {counts}; {view.unchanged} unchanged"


def diff_report(view: DiffView) -> str:
    """The text report of ``bootspec diff``: both versions, every change, and the
    counterexample of every new violation."""
    out = [f"{view.head.meta.line.split(',')[0]} diff"]
    out += _version_line("base", view.base) + _version_line("head", view.head)
    out += ["", *para(diff_summary(view), "")]
    for c in view.changes:
        out += para(f"{c.model} / {c.property}", f"  {c.kind:<8} ", " " * 11)
        out.append(" " * 11 + c.arrow + ("   REGRESSION" if c.regression else ""))
    text_out = "\n".join(fit(out))
    for c in view.changes:
        if c.head is not None and c.head.cex is not None and c.kind in ("worse", "new",
                                                                          "changed"):
            text_out += "\n\n" + "=" * WIDTH + "\n" + "\n".join(fit(para(
                f"{c.model} / {c.property}: {c.arrow}", ""))) + "\n\n" + explain_body(c.head)
    return text_out + "\n"
