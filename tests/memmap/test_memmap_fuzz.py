"""Fuzz-ish: random bytes and mutated real lines never raise, only diagnose."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bootspec.diagnostics import render_all
from bootspec.memmap import Limits, check_map, parse_path, parse_text
from bootspec.memmap.model import ParseResult

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "memmaps"
SMALL = Limits(max_line_chars=512, max_entries=200, max_diagnostics=50)


def _seed_lines() -> list[str]:
    files = sorted(FIXTURES.glob("*.txt"))
    if CORPUS.is_dir():
        files += sorted(CORPUS.glob("*.txt"))[::7]
    lines = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        lines.extend(ln for ln in text.splitlines() if not ln.startswith("#"))
    return lines


SEED = _seed_lines()


def _exercise(result: ParseResult) -> None:
    """Everything downstream of parsing must cope with whatever the parser returned."""
    for d in result.diagnostics:
        assert d.code.startswith("BS5") and d.span.line >= 0
    render_all(result.diagnostics, result.sources)
    for m in result.maps:
        assert m.entries or m.fmt == "json"
        check_map(m)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_raise(data: bytes) -> None:
    _exercise(parse_text(data.decode("utf-8", "replace"), "fuzz.bin", SMALL))


_ALPHABET = "0123456789abcdefxX[]()-,|:= \t\x00\ufffd\n" + "BIOS-e820memfiXEN"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEED), st.lists(st.tuples(st.integers(0, 300), st.integers(0, 3),
                                                  st.text(_ALPHABET, max_size=6)), max_size=4))
def test_mutated_real_lines_never_raise(line: str, edits) -> None:
    for pos, op, text in edits:
        pos = min(pos, len(line))
        if op == 0:
            line = line[:pos] + text + line[pos:]  # insert
        elif op == 1:
            line = line[:pos] + line[pos + len(text) + 1:]  # delete
        elif op == 2:
            line = line[:pos] + text + line[pos + len(text):]  # overwrite
        else:
            line = line[:pos]  # truncate
    result = parse_text(line + "\n" + line, "mutant.log", SMALL)
    _exercise(result)
    # a line either parses, is reported, or has no marker at all: never half-silently
    entries = sum(len(m.entries) for m in result.maps)
    assert entries in (0, 2) or result.diagnostics


def test_random_files_on_disk_never_raise(tmp_path: Path) -> None:
    rng = random.Random(1234)
    for i in range(40):
        blob = bytearray(rng.randbytes(rng.randrange(0, 4096)))
        for _ in range(rng.randrange(0, 6)):  # splice in real lines now and then
            at = rng.randrange(0, len(blob) + 1)
            blob[at:at] = (rng.choice(SEED) + "\n").encode()
        p = tmp_path / f"blob{i}"
        p.write_bytes(bytes(blob))
        _exercise(parse_path(p, SMALL))
        j = tmp_path / f"blob{i}.json"
        j.write_bytes(b'{"bootspec_memmap": 1, ' + bytes(blob))
        _exercise(parse_path(j, SMALL))
