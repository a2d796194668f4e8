"""Bad input: every malformed-line kind, every BS5xx code, and file-level failures."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bootspec.diagnostics import render_all
from bootspec.memmap import Limits, parse_path, parse_text
from bootspec.memmap.codes import BIND_CODES, CODES, EXAMPLE_LIMITS, PARSE_CODES, explain

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SRC = Path(__file__).resolve().parents[2] / "bootspec" / "memmap"
SWEEP = SRC.parent / "sweep"  # memmap check: its command-line errors are memmap codes too


def _cases() -> list[tuple[int, str, int, str]]:
    """(line number, code, column, description) from the annotated fixture."""
    lines = (FIXTURES / "malformed-lines.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("#! "):
            code, _, why = line[3:].partition(" ")
            caret = lines[i + 2]
            assert caret.startswith("#") and "^" in caret
            out.append((i + 2, code, caret.index("^") + 1, why))
    return out


CASES = _cases()


@pytest.mark.parametrize(("lineno", "code", "col", "why"), CASES,
                         ids=[f"{c[1]}-{c[3]}" for c in CASES])
def test_malformed_line_reported_at_its_column(lineno: int, code: str, col: int,
                                               why: str) -> None:
    result = parse_path(FIXTURES / "malformed-lines.txt")
    here = [d for d in result.diagnostics if d.span.line == lineno]
    assert [(d.code, d.span.col) for d in here] == [(code, col)], why
    rendered = here[0].render(result.sources[here[0].span.path])
    assert f"malformed-lines.txt:{lineno}:{col}: error[{code}]" in rendered
    assert "^" in rendered.splitlines()[2] and here[0].hint


def test_malformed_file_still_yields_its_good_and_kept_entries() -> None:
    result = parse_path(FIXTURES / "malformed-lines.txt")
    assert len(result.diagnostics) == len(CASES)
    kept = [(e.span.line, e.type) for m in result.maps for e in m.entries]
    # the good first line, the inverted ranges (kept, flagged) and the BS505 entry
    assert kept[0] == (4, "usable")
    kept_codes = {d.code for d in result.diagnostics if d.span.line in {ln for ln, _ in kept}}
    assert kept_codes == {"BS503", "BS505"}


def _emitted_codes() -> set[str]:
    files = [*SRC.glob("*.py"), *SWEEP.glob("*.py")]
    text = "".join(p.read_text(encoding="utf-8") for p in files if p.name != "codes.py")
    return set(re.findall(r'"(BS5\d\d)"', text))


def test_every_emitted_code_is_documented() -> None:
    emitted = _emitted_codes()
    assert emitted, "the scan found no codes: did the source layout change?"
    documented = set(CODES)
    assert documented == set(PARSE_CODES) | set(BIND_CODES)
    assert not set(PARSE_CODES) & set(BIND_CODES)
    assert emitted <= documented, emitted - documented
    assert documented <= emitted, documented - emitted  # no stale entries


def test_bind_codes_explained() -> None:
    for code in BIND_CODES:
        text = explain(code)
        assert text is not None and text.startswith(code) and "fix:" in text


@pytest.mark.parametrize("code", sorted(PARSE_CODES))
def test_code_example_triggers_the_code(code: str) -> None:
    meaning, example, fix = PARSE_CODES[code]
    assert meaning and fix
    limits = EXAMPLE_LIMITS.get(code, Limits())
    result = parse_text(example, "example.txt", limits)
    assert code in [d.code for d in result.diagnostics], [d.code for d in result.diagnostics]
    assert explain(code) is not None and explain(code).startswith(code)


def test_explain_unknown_code() -> None:
    assert explain("BS999") is None


def test_binary_example_is_shown_safely() -> None:
    assert "\x00" not in explain("BS507")


# --- file-level failures --------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    result = parse_path(tmp_path / "nope.log")
    assert [d.code for d in result.diagnostics] == ["BS507"]
    assert "No such file" in result.diagnostics[0].message
    render_all(result.diagnostics, result.sources)


def test_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "secret.log"
    p.write_text("BIOS-e820: [mem 0x0-0xfff] usable\n")
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        assert [d.code for d in parse_path(p).diagnostics] == ["BS507"]
    finally:
        p.chmod(0o600)


def test_device_is_refused_without_reading() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    result = parse_path("/dev/zero")
    assert [d.code for d in result.diagnostics] == ["BS507"]


def test_no_map_and_binary_are_told_apart(tmp_path: Path) -> None:
    text = tmp_path / "boot.log"
    text.write_text("Linux version 6.1\nno map here\n")
    assert [d.code for d in parse_path(text).diagnostics] == ["BS506"]
    binary = tmp_path / "vmlinuz"
    binary.write_bytes(b"MZ\x00\x00" + bytes(range(256)) * 10)
    assert [d.code for d in parse_path(binary).diagnostics] == ["BS507"]
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert [d.code for d in parse_path(empty).diagnostics] == ["BS506"]


def test_nul_bytes_and_invalid_utf8_inside_a_map(tmp_path: Path) -> None:
    p = tmp_path / "dirty.log"
    p.write_bytes(b"\x00\x00\xff\xfe junk\n"
                  b"[ 0.0] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
                  b"\xc3\x28 BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
                  b"BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] res\x00erved\n")
    result = parse_path(p)
    assert [len(m.entries) for m in result.maps] == [2]
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("BS504", 4)]
    rendered = render_all(result.diagnostics, result.sources)
    assert "\x00" not in rendered and "res?erved" in rendered


def test_overlong_lines(tmp_path: Path) -> None:
    p = tmp_path / "long.log"
    p.write_text("x" * 200 + "\n"  # unrelated: skipped silently
                 + "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable"
                 + " " * 200 + "\n"
                 + "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n")
    result = parse_path(p, Limits(max_line_chars=100))
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("BS508", 2)]
    assert [e.span.line for m in result.maps for e in m.entries] == [3]


def test_entry_limit_stops_reading() -> None:
    line = "BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable\n"
    result = parse_text(line * 10, "many.log", Limits(max_entries=3))
    assert [len(m.entries) for m in result.maps] == [3]
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("BS509", 4)]


def test_diagnostic_limit() -> None:
    bad = "BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usabel\n"
    result = parse_text(bad * 50, "noisy.log", Limits(max_diagnostics=5))
    assert [d.code for d in result.diagnostics] == ["BS504"] * 5 + ["BS509"]


def test_byte_limit(tmp_path: Path) -> None:
    """A file larger than the limit is refused from its size, before reading; text
    already in memory (or a file whose size says less than it holds) stops at it."""
    text = "BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable\n" \
        + "filler line\n" * 1000
    p = tmp_path / "huge.log"
    p.write_text(text)
    result = parse_path(p, Limits(max_bytes=200))
    assert [(d.code, d.span.line, d.excerpt) for d in result.diagnostics] == \
        [("BS507", 1, False)]
    assert "bytes, more than the 200 bytes" in result.diagnostics[0].message
    assert result.maps == []
    streamed = parse_text(text, "huge.log", Limits(max_bytes=200))
    assert [d.code for d in streamed.diagnostics] == ["BS507"]
    assert len(streamed.maps) == 1


def test_big_file_keeps_only_diagnosed_lines_for_excerpts(tmp_path: Path) -> None:
    p = tmp_path / "big.log"
    good = "BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable\n"
    p.write_text(good + "filler\n" * 5000 + "BIOS-e820: [mem 0x0-0x1] usabel\n")
    result = parse_path(p, Limits(keep_text_bytes=1000))
    [d] = result.diagnostics
    assert d.span.line == 5002
    source = result.sources[str(p)]
    assert source.splitlines()[5001] == "BIOS-e820: [mem 0x0-0x1] usabel"
    assert source.count("filler") == 0
    assert "usabel" in render_all(result.diagnostics, result.sources)


# --- sysfs and JSON -----------------------------------------------------------

def test_sysfs_problems() -> None:
    result = parse_path(FIXTURES / "sysfs-bad")
    got = sorted((Path(d.span.path).relative_to(FIXTURES / "sysfs-bad").as_posix(), d.code)
                 for d in result.diagnostics)
    assert got == [("1/start", "BS501"), ("2/type", "BS504"), ("3/type", "BS504"),
                   ("4/end", "BS507"), ("5/end", "BS503"), ("6/end", "BS502")]
    [m] = result.maps
    assert [e.span.path.split(os.sep)[-2] for e in m.entries] == ["0", "5"]
    hints = {Path(d.span.path).parent.name: d.hint for d in result.diagnostics}
    assert "dmesg" in hints["2"] and "System RAM" in hints["3"]


def test_sysfs_without_entries() -> None:
    assert [d.code for d in parse_path(FIXTURES / "sysfs-empty").diagnostics] == ["BS506"]


def test_json_entry_problems_are_located() -> None:
    result = parse_path(FIXTURES / "bad-entries.json")
    got = [(d.code, d.span.line) for d in result.diagnostics]
    assert got == [("BS504", 4), ("BS502", 5), ("BS503", 6), ("BS511", 7), ("BS504", 8),
                   ("BS511", 9), ("BS511", 11)]
    assert "did you mean 'reserved'" in (result.diagnostics[0].hint or "")
    [m] = result.maps
    assert len(m.entries) == 2  # the good one and the (flagged) inverted one


@pytest.mark.parametrize(("text", "code"), [
    ('{"bootspec_memmap": 1, "maps": [', "BS510"),
    ('{"bootspec_memmap": 1, "maps": {}}', "BS511"),
    ('{"bootspec_memmap": true, "maps": []}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": [], "extra": 0}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": [[]]}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": [{"kind": "e820", "entries": {}}]}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": [{"kind": "e820", "entries": [], "header": 3}]}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": [{"kind": "efi", "entries": [7]}]}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": [{"kind": "efi", "entries": [{"start": "0x0"}]}]}',
     "BS511"),
    ('{"bootspec_memmap": 1, "maps": [{"kind": "efi", "entries": [{"start": "0x0", '
     '"end": "0x1", "type": "conventional", "attrs": "WB"}]}]}', "BS511"),
    ('{"bootspec_memmap": 1, "maps": []}', "BS506"),
    ('{"bootspec_memmap": 1, "maps": ' + "[" * 100000 + "]" * 100000 + "}", "BS5"),
])
def test_json_document_problems(text: str, code: str) -> None:
    result = parse_text(text, "m.json")
    assert result.diagnostics and result.diagnostics[0].code.startswith(code)
