"""The report-format registry is the one list: the CLI's choices, every renderer table
and the docs agree with it, and every format renders every command's report."""

from __future__ import annotations

import argparse
from pathlib import Path

from bootspec.cli import build_parser
from bootspec.report import formats
from bootspec.report.registry import FORMATS, TABLE, help_text

ROOT = Path(__file__).resolve().parents[2]


def _choices(parser: argparse.ArgumentParser, command: str) -> tuple[str, ...]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cmd = sub.choices[command]
    fmt = next(a for a in cmd._actions if "--format" in a.option_strings)
    assert fmt.choices is not None
    return tuple(fmt.choices)


def test_every_command_offers_exactly_the_registered_formats() -> None:
    parser = build_parser()
    for command in ("check", "explain", "diff"):
        assert _choices(parser, command) == FORMATS, command


def test_every_format_has_a_renderer_for_every_report() -> None:
    assert tuple(formats._CHECK) == FORMATS
    assert tuple(formats._DIFF) == FORMATS


def test_help_and_docs_name_every_format() -> None:
    text = help_text()
    readme = (ROOT / "README.md").read_text()
    for f in TABLE:
        assert f.name in text
        assert f"`{f.name}`" in readme or f"--format {f.name}" in readme, f.name
    assert len({f.extension for f in TABLE}) == len(TABLE)
