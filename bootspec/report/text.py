"""Pass 6, *report* (plain text): verdict tables and explanations as strings.

Nothing here prints; the CLI writes what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from bootspec.engine.check import Counterexample, Result, Verdict
from bootspec.lang.ir import Model, Obligation

_UNITS = (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10))


def human_size(n: int) -> str:
    """A size in the largest binary unit that shows it exactly (or to two decimals).

    >>> human_size(4096), human_size(0x9FC00), human_size(3 << 29), human_size(100)
    ('4 KiB', '639 KiB', '1.5 GiB', '100 B')
    """
    if n < 0:
        return f"-{human_size(-n)}"
    for unit, scale in _UNITS:
        if n >= scale:
            if n % scale == 0:
                return f"{n // scale} {unit}"
            if n * 100 % scale == 0 or n >= 10 * scale:
                return f"{n / scale:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} B"


def hexaddr(v: int, width: int) -> str:
    """An address padded to the model's width; ``2^width`` itself shows one digit more.

    >>> hexaddr(0xF0000, 32), hexaddr(1 << 32, 32)
    ('0x000F0000', '0x100000000')
    """
    digits = max(1, (width + 3) // 4)
    return f"0x{v:0{digits}X}" if v >= 0 else f"-0x{-v:0{digits}X}"


def results_table(results: Sequence[Result], timing: bool = True) -> str:
    rows = []
    for r in results:
        ob = r.obligation
        row = [ob.model, ob.name, r.verdict.status, ob.expected, "ok" if r.ok else "FAIL"]
        if timing:
            row.append(f"{r.seconds:.2f} s")
        rows.append(row)
    headers = ["model", "property", "verdict", "expected", "result"] + (["time"] if timing else [])
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def summary(results: Sequence[Result]) -> str:
    bad = [r for r in results if not r.ok]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict.status] = counts.get(r.verdict.status, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in ("holds", "violated", "vacuous", "unknown")
                      if k in counts)
    if not bad:
        return f"{len(results)} obligations, every verdict as expected ({parts})"
    lines = [f"{len(bad)} of {len(results)} verdicts differ from their expectation ({parts}):"]
    for r in bad:
        why = f" - {r.verdict.reason}" if r.verdict.reason else ""
        lines.append(f"  {r.obligation.span}: {r.obligation.model} / {r.obligation.name}: "
                     f"{r.verdict.status}, expected {r.obligation.expected}{why}")
    return "\n".join(lines)


def memory_table(cex: Counterexample, width: int) -> str:
    rows = []
    for r in cex.regions:
        rows.append([hexaddr(r.start, width), hexaddr(r.end, width), human_size(r.end - r.start),
                     r.name, r.owner or "-", r.type or "-", "<- violates" if r.marked else ""])
    return tabulate(rows, headers=["start", "end", "size", "region", "stage", "type", ""],
                    tablefmt="simple", disable_numparse=True)


def explain(ob: Obligation, verdict: Verdict, model: Model, source_note: str = "") -> str:
    out = [f"{verdict.status}: {ob.name} on model {ob.model}"
           + (f" (expected {ob.expected})" if ob.expected != verdict.status else "")]
    if ob.cite:
        out.append(f"  cite: {ob.cite}")
    if source_note:
        out.append(f"  property: {source_note}")
    if verdict.reason:
        out.append(f"  reason: {verdict.reason}")
    cex = verdict.counterexample
    if cex is not None:
        out.append(f"  path: {' > '.join(cex.path)}")
        where = f"  at: {cex.step}"
        if cex.span is not None:
            where += f"   [{cex.span}]"
        out.append(where)
        for f in cex.findings:
            out.append(f"  finding: {f}")
        if cex.params:
            out.append("parameters:")
            out.extend(f"  {n} = {v}" for n, v in cex.params)
        out.append("memory at that step:")
        out.append(memory_table(cex, model.width))
        for name, segs in cex.maps:
            out.append(f"map {name} ({model.maps[name].kind}):")
            out.append(tabulate([[hexaddr(a, model.width), hexaddr(b, model.width),
                                  human_size(b - a), t] for a, b, t in segs],
                                headers=["start", "end", "size", "type"], tablefmt="simple",
                                disable_numparse=True))
    elif verdict.status == "holds":
        if verdict.core:
            out.append("the proof depends on:")
            out.extend(f"  {span.short}: {label}" for label, span in verdict.core)
        else:
            out.append("the proof depends on no assumption: it holds by the placements alone")
    return "\n".join(out)
