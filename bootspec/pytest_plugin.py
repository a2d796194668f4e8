"""A pytest plugin: ``.proof`` files are collected as tests, one item per obligation.

Registered through the ``pytest11`` entry point ``bootspec``, so pytest loads it
wherever bootspec is installed, but it collects nothing until a project opts in:

* ``python -m pytest -p bootspec`` (also with ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``), or
* ``bootspec = true`` under ``[tool.pytest.ini_options]`` (or ``[pytest]``).

Each ``for MODEL expect VERDICT`` of each proof in a collected ``.proof`` file is one
item, ``PROOF[MODEL]``; it passes when bootspec decides the verdict expected, and a
failure shows what ``bootspec explain`` shows (the counterexample of a violation).
The models come from the ini option ``bootspec_paths`` (files or folders, relative
to the rootdir; default: a ``models`` folder beside the proof's folder, else the
proof's own folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bootspec.errors import BootspecException

PLUGIN = "bootspec"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("bootspec", "collect .proof files as bootspec tests (the bootspec plugin)",
                  type="bool", default=False)
    parser.addini("bootspec_paths", "model files or folders loaded with each .proof file "
                  "(default: models/ beside the proof's folder)", type="linelist", default=[])


def active(config: pytest.Config) -> bool:
    """Whether the project opted in (``-p bootspec`` or ``bootspec = true``)."""
    given = getattr(config.option, "plugins", None) or []
    return PLUGIN in given or bool(config.getini("bootspec"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".proof" and active(parent.config):
        return ProofFile.from_parent(parent, path=file_path)
    return None


def _model_paths(config: pytest.Config, proof: Path) -> list[str]:
    given = config.getini("bootspec_paths")
    if given:
        return [str(Path(config.rootpath) / p) for p in given]
    beside = proof.parent.parent / "models"
    return [str(beside)] if beside.is_dir() else [str(proof.parent)]


class ProofFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from bootspec.diagnostics import BootspecError, render_all
        from bootspec.pipeline import discover, load

        paths = sorted({*_model_paths(self.config, self.path), str(self.path)})
        try:
            project = load(discover(paths))
        except BootspecError as e:
            raise self.CollectError(render_all(e.diagnostics)) from None
        mine = {p.name for p in project.proofs if Path(p.span.path).resolve() == self.path}
        for ob in project.obligations():
            if ob.kind == "proof" and ob.name in mine:
                yield ProofItem.from_parent(self, name=f"{ob.name}[{ob.model}]",
                                            project=project, obligation=ob)


class ObligationFailed(BootspecException):
    def __init__(self, report: str):
        super().__init__(report)
        self.report = report


class ProofItem(pytest.Item):
    def __init__(self, *, project: Any, obligation: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.project, self.obligation = project, obligation

    def runtest(self) -> None:
        from bootspec.engine.check import ModelChecker
        from bootspec.report.formats import render_explain

        ob, project = self.obligation, self.project
        checker = ModelChecker(project.models[ob.model], project.paths[ob.model])
        verdict = checker.decide(ob, project.proof_of(ob))
        if verdict.status != ob.expected:
            raise ObligationFailed(render_explain(ob, verdict, project, "text"))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ObligationFailed):
            return excinfo.value.report
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        ob = self.obligation
        return self.path, max(0, ob.span.line - 1), f"{ob.name} on {ob.model}, expect {ob.expected}"
