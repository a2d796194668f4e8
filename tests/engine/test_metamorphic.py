"""Metamorphic properties: relations between verdicts that need no oracle.

- ``always (A and B)`` is exactly ``always A`` and ``always B``;
- adding an unrelated (empty) region or an unused parameter changes no verdict;
- after ``reserve``, a first fit in the map lands where a plain Python interval set
  (one type per address) says the highest fitting block is, and ``within`` agrees
  with it (the map has one state);
- every value of a parameter's domain is either placed or reported (``fits@``).
"""

from __future__ import annotations

import pytest
from helpers import load_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootspec.engine.check import ModelChecker
from bootspec.oracle.gen import generate
from bootspec.pipeline import Project

ORDER = {"violated": 0, "unknown": 1, "vacuous": 2, "holds": 3}


def verdicts(p: Project) -> dict[str, str]:
    out = {}
    for ob in p.obligations():
        checker = ModelChecker(p.models[ob.model], p.paths[ob.model], fast=False)
        out[f"{ob.model}/{ob.name}"] = checker.decide(ob, p.proof_of(ob)).status
    return out


def _property(text: str) -> tuple[str, str, str]:
    """(text before the first proof's property line, its scope, its predicate)."""
    lines = text.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("proof q"))
    j = next(k for k in range(i + 1, len(lines)) if not lines[k].startswith("  for "))
    scope_pred = lines[j].strip()
    for scope in ("always", "at end", "after s0", "after s3", "during s0"):
        if scope_pred.startswith(scope + " "):
            return "\n".join(lines[:j]), scope, scope_pred[len(scope) + 1:]
    raise AssertionError(scope_pred)


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_always_a_and_b_is_always_a_and_always_b(seed: int) -> None:
    head, scope, pred = _property(generate(seed))
    other = "nowrap(g0) and within(g0, [0, 256))"
    both = load_text(f"{head}\n  {scope} ({pred}) and {other}\n")
    one = load_text(f"{head}\n  {scope} {pred}\n")
    two = load_text(f"{head}\n  {scope} {other}\n")
    vb, v1, v2 = verdicts(both), verdicts(one), verdicts(two)
    for name, status in vb.items():
        if "/q" not in name:
            continue
        assert status == min(v1[name], v2[name], key=ORDER.__getitem__), (name, pred)


@pytest.mark.parametrize("seed", range(1, 60, 3))
def test_an_unrelated_empty_region_or_unused_parameter_changes_no_verdict(seed: int) -> None:
    text = generate(seed)
    lines = text.splitlines()
    at = lines.index("")  # the end of the first model: no line before it moves
    extended = "\n".join([*lines[:at], "region unrelated = [0, 0)", "param unused in {0, 7}",
                          *lines[at:]]) + "\n"
    assert verdicts(load_text(extended)) == verdicts(load_text(text))


# -- reserve, then first fit, against a plain interval set ---------------------------

TYPES = ("usable", "reserved")


def _expected_top(entries: list[tuple[int, int, str]], reserves: list[tuple[int, int, str]],
                  size: int, want: str) -> int | None:
    """The highest start of a ``size`` block inside one segment of type ``want``, with the
    map as a per-address array of (segment id, type): plain, no interval arithmetic."""
    owner: list[tuple[int, str] | None] = [None] * 256
    for k, (s, e, t) in enumerate(entries):
        for a in range(s, e):
            owner[a] = (k, t)
    for k, (s, e, t) in enumerate(reserves):
        for a in range(s, e):
            owner[a] = (100 + k, t)
    # a base entry cut by a reservation is two segments: renumber maximal runs
    seg: list[tuple[int, str] | None] = [None] * 256
    n = 0
    for a in range(256):
        if owner[a] is None:
            continue
        if a == 0 or owner[a - 1] != owner[a]:
            n += 1
        seg[a] = (n, owner[a][1])  # type: ignore[index]
    best = None
    for c in range(0, 257 - size):
        block = [seg[a] for a in range(c, c + size)]
        if size and all(b is not None and b == block[0] and b[1] == want for b in block):
            best = c
    return best


@st.composite
def _maps(draw: st.DrawFn) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    cuts = sorted(draw(st.sets(st.integers(0, 16), min_size=2, max_size=6)))
    entries = [(cuts[i] * 16, cuts[i + 1] * 16, draw(st.sampled_from(TYPES)))
               for i in range(len(cuts) - 1) if draw(st.booleans())]
    reserves = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, 15)) * 16
        b = draw(st.integers(a // 16, 16)) * 16
        reserves.append((a, b, draw(st.sampled_from(TYPES))))
    return entries, reserves


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_maps(), st.sampled_from([16, 32, 48]), st.sampled_from(TYPES))
def test_reserve_then_first_fit_agrees_with_an_interval_set(
        m: tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]], size: int,
        want: str) -> None:
    entries, reserves = m
    if not entries:
        entries = [(0, 16, "reserved")]
    lines = ["model m", "  width 8", "map mm : e820"]
    lines += [f"  entry [{s}, {e}) {t}" for s, e, t in entries]
    lines.append("stage s")
    for k, (a, b, t) in enumerate(reserves):
        lines += [f"  place z{k} = [{a}, {b})", f"  reserve z{k} in mm as {t}"]
    place_line = len(lines) + 1
    lines.append(f"  place h size {size} topdown in mm types {{{want}}}")
    expected = _expected_top(entries, reserves, size, want)
    lines += ["proof where", "  for m expect holds"]
    if expected is None:
        lines[place_line - 1:place_line - 1] = []
        text = "\n".join(lines[:-2]) + f"\nexpect fits@L{place_line} violated\n"
        v = verdicts(load_text(text))
        assert v["m/fits@L" + str(place_line)] == "violated"
        return
    lines.append(f"  at end equal(h.start, {expected}) and within(h, mm types {{{want}}})")
    assert verdicts(load_text("\n".join(lines) + "\n"))["m/where"] == "holds"


# -- every value in a domain is placed or reported ------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(0, 12), st.integers(1, 12),
       st.sampled_from(["anywhere", "topdown", "bottomup"]))
def test_every_value_is_placed_or_reported(lo: int, span: int, window: int, policy: str) -> None:
    sizes = list(range(lo * 16, (lo + span) * 16 + 1, 16))
    text = f"""model m
  width 8
param s in [{sizes[0]}, {sizes[-1]}] align 16
stage st
  place a size s {policy} within [0, {min(256, window * 16 + 8)})
expect fits@L5 violated
"""
    fits = {v: v <= min(256, window * 16 + 8) for v in sizes}
    v = verdicts(load_text(text))
    assert v["m/fits@L5"] == ("holds" if all(fits.values()) else "violated")
    assert v["m/wellformed"] == "holds"
    for size, ok in fits.items():
        one = text.replace(f"[{sizes[0]}, {sizes[-1]}] align 16", f"{{{size}}}")
        assert verdicts(load_text(one))["m/fits@L5"] == ("holds" if ok else "violated")


# -- a range minus holes is the set of its addresses in no hole ----------------------


@settings(max_examples=300, deadline=None)
@given(st.integers(-4, 40), st.integers(-4, 40),
       st.lists(st.tuples(st.integers(-4, 44), st.integers(-4, 44)), max_size=8))
def test_free_space_is_the_addresses_in_no_hole(lo: int, hi: int,
                                                holes: list[tuple[int, int]]) -> None:
    """The free space first_fit searches (one sweep over sorted holes) is, address by
    address, [lo, hi) minus every non-empty hole, as maximal sorted intervals."""
    from bootspec.engine.concrete_expr import _subtract

    free = [x for x in range(lo, hi) if not any(a <= x < b for a, b in holes)]
    runs: list[tuple[int, int]] = []
    for x in free:
        if runs and runs[-1][1] == x:
            runs[-1] = (runs[-1][0], x + 1)
        else:
            runs.append((x, x + 1))
    assert _subtract(lo, hi, holes) == runs
