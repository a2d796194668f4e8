"""Small helpers shared by the tests: load model text, run the CLI in-process."""

from __future__ import annotations

import io
import os
from pathlib import Path

from bootspec.cli import run
from bootspec.diagnostics import BootspecError
from bootspec.lang.ir import Obligation
from bootspec.pipeline import Project, load

REPO = Path(__file__).resolve().parents[1]


def load_text(text: str, name: str = "t.boot") -> Project:
    return load([], [(name, text)])


def errors_of(text: str, name: str = "t.boot") -> list[tuple[str, int, int]]:
    """(code, line, col) of every diagnostic the text raises, or of its warnings when
    it loads ([] when it loads cleanly)."""
    try:
        project = load_text(text, name)
    except BootspecError as e:
        return [(d.code, d.span.line, d.span.col) for d in e.diagnostics]
    return [(d.code, d.span.line, d.span.col) for d in project.warnings]


def reseal(path: Path) -> None:
    """Make a hand-edited cache entry's checksum match again, so that what reads it is
    tested, not the checksum (which alone would turn every edit into a miss)."""
    import json

    from bootspec.cache import _digest

    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("sha256", None)
    path.write_text(json.dumps({**data, "sha256": _digest(data)}), encoding="utf-8")


def cli(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = run(list(argv), out, err)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def decided_alone(project: Project, ob: Obligation, fast: bool = True
                  ) -> tuple[str, str, object]:
    """(verdict, reason, counterexample) of one obligation decided on its own, in a
    fresh Z3 context: what deciding it together with others must reproduce."""
    from bootspec.engine.check import ModelChecker

    v = ModelChecker(project.models[ob.model], project.paths[ob.model], fast=fast).decide(
        ob, project.proof_of(ob))
    return v.status, v.reason, v.counterexample

