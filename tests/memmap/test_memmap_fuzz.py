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


def _same_marker(line: str) -> None:
    from bootspec.memmap.lineformats import MARKER, find_marker
    want, got = MARKER.search(line), find_marker(line)
    assert (want is None) == (got is None), line
    if want is not None and got is not None:
        assert (want.span(), want.lastgroup) == (got.span(), got.lastgroup), line


def test_the_marker_prefilter_finds_what_the_full_search_finds() -> None:
    """find_marker matches MARKER's alternatives only where their literals are; on
    every real line (and each with its text cut, doubled or prefixed) it must find
    exactly what MARKER.search finds."""
    rnd = random.Random(7)
    for line in SEED:
        for variant in (line, line[: rnd.randint(0, len(line))], line + " " + line,
                        "(XEN) " + line, line.replace("(XEN)", "(XEN) (XEN)")):
            _same_marker(variant)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["(XEN)", " ", "[", "]", ",", "-", "0000000012345678",
                                 "ffffffff", "mem", "BIOS-e820:", "map:", "x", "1.0",
                                 "efi: mem01", "Xen: [mem", "EFI:", "efi:", "mem0",
                                 "EFI RAM map:", "EFI memory map:", "Xen-e820 RAM map:",
                                 "BIOS-provided physical RAM map:", "Xen:", "\t"]),
                max_size=12))
def test_the_marker_prefilter_on_generated_lines(parts: list[str]) -> None:
    _same_marker("".join(parts))


def _reference_lines(data: bytes, cap: int, max_bytes: int) -> list[tuple[int, str, bool]]:
    """What the line reader means, line by line with readline (the reader before it read
    in blocks): each line's first ``cap`` characters, overlong when it has ``cap`` or
    more, and no line starts after ``max_bytes``."""
    import io
    stream, out, read, lineno = io.BytesIO(data), [], 0, 0
    while read <= max_bytes:
        chunk = stream.readline(cap)
        if not chunk:
            break
        read += len(chunk)
        lineno += 1
        overlong = False
        if len(chunk) >= cap and chunk[-1:] != b"\n":
            overlong = True
            while read <= max_bytes:
                more = stream.readline(cap)
                read += len(more)
                if not more or more[-1:] == b"\n":
                    break
        text = chunk.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
        out.append((lineno, text, overlong))
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "bc", "\n", "\r\n", "é", "\n\n", "x" * 9]), max_size=40),
       st.integers(2, 12), st.integers(1, 9), st.integers(0, 200))
def test_the_block_reader_reads_the_lines_readline_reads(parts: list[str], cap: int,
                                                         block: int, max_bytes: int) -> None:
    import io

    import bootspec.memmap.parse as parse_mod
    data = "".join(parts).encode()
    saved = parse_mod.BLOCK
    parse_mod.BLOCK = block  # lines across block boundaries, many times over
    try:
        got = list(parse_mod._lines(io.BytesIO(data), Limits(max_line_chars=cap,
                                                             max_bytes=max_bytes), {"read": 0}))
    finally:
        parse_mod.BLOCK = saved
    assert got == _reference_lines(data, cap, max_bytes)
