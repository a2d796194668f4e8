"""``memmap show``: argparse wiring and run_show with StringIO streams."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from bootspec.memmap.show import render_map, run_show
from bootspec.sweep.commands import add_parser

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="bootspec")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["memmap", "show", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.func(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_show_text_table_and_sanity_report() -> None:
    code, out, err = _run(str(FIXTURES / "linux-e820-legacy.txt"))
    assert (code, err) == (0, "")
    assert "e820 map, 9 entries" in out and "BIOS-provided physical RAM map:" in out
    assert "0x000000000009fc00" in out and "639 KiB" in out and "type20" in out
    assert "sanity:" in out and "gap" in out


def test_show_several_inputs_kinds_and_attrs() -> None:
    code, out, err = _run(str(FIXTURES / "xen-efi-host.txt"), str(FIXTURES / "sysfs-qemu"))
    assert code == 0 and err == ""
    assert out.count("entries (") == 3
    assert "RUN UC" in out and "sysfs firmware memmap" in out


def test_show_json_is_reimportable(tmp_path: Path) -> None:
    code, out, err = _run("--format", "json", str(FIXTURES / "efi-column-variants.txt"))
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["bootspec_memmap"] == 1
    [m] = doc["maps"]
    assert m["kind"] == "efi" and len(m["entries"]) == 7
    assert isinstance(m["findings"], list)
    saved = tmp_path / "saved.json"
    saved.write_text(out)
    code2, out2, _ = _run("--format", "json", str(saved))
    assert code2 == 0
    assert json.loads(out2)["maps"][0]["entries"] == m["entries"]


def test_bad_input_exits_2_with_rendered_diagnostics(tmp_path: Path) -> None:
    code, out, err = _run(str(FIXTURES / "malformed-lines.txt"), str(tmp_path / "missing.log"))
    assert code == 2
    assert "e820 map" in out  # the good entries are still shown
    assert "malformed-lines.txt:6:69: error[BS501]" in err
    assert "^" in err and "hint:" in err
    assert "error[BS507]" in err and "missing.log" in err
    assert err.rstrip().endswith("errors")


def test_no_map_exits_2(tmp_path: Path) -> None:
    p = tmp_path / "dmesg.txt"
    p.write_text("Linux version 6.1\n")
    code, out, err = _run(str(p))
    assert code == 2 and out == "" and "error[BS506]: no memory map found" in err


def test_show_never_writes_to_inputs(tmp_path: Path) -> None:
    p = tmp_path / "in.log"
    p.write_text("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n")
    before = p.read_bytes(), p.stat().st_mtime_ns
    _run(str(p))
    _run("--format", "json", str(p))
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in.log"]


def test_usage_errors_are_argparse_errors() -> None:
    with pytest.raises(SystemExit):
        _run()  # FILE is required
    with pytest.raises(SystemExit):
        _run("--format", "yaml", "x")


def test_run_show_with_plain_namespace() -> None:
    out, err = io.StringIO(), io.StringIO()
    ns = argparse.Namespace(files=[str(FIXTURES / "xen-pv.txt")], format="text")
    assert run_show(ns, out, err) == 0
    assert err.getvalue() == "" and "Linux PV e820 under Xen" in out.getvalue()


def test_render_map_empty_findings_line() -> None:
    from bootspec.memmap import parse_path

    m = parse_path(FIXTURES / "xen-pv.txt").maps[0]
    text = render_map(m, [])
    assert text.endswith("sanity: no findings\n")


def test_parser_bug_surfaces_as_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from bootspec.diagnostics import InternalError
    from bootspec.memmap import show

    def boom(path: str) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(show, "parse_path", boom)
    ns = argparse.Namespace(files=["x.log"], format="text")
    with pytest.raises(InternalError, match=r"x\.log"):
        run_show(ns, io.StringIO(), io.StringIO())
