"""The one direction, read from the source: each module's ``import`` and ``from`` lines
(every one, those under ``if TYPE_CHECKING:`` and inside functions included), parsed
with :mod:`ast`; nothing of bootspec is imported here. ARCHITECTURE.md says why.

    memmap/   importers, writers, binding, BIOS rules: never the pipeline, the sweep
              or the CLI above them
    lang/     the front end: never the engine, the reports, memmap or the sweep
    engine/   never the reports, the sweep, the CLI or the test oracle
    oracle/   the test oracle: imported only by itself and the CLI's soak and fuzz
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "bootspec"
MODULES = sorted(PKG.rglob("*.py"))
MAX_LINES = 650
LONG_ON_PURPOSE = {"oracle/reference.py"}  # one plain file written from the docs
# where `import z3` may appear (ARCHITECTURE.md, "Invariants worth knowing")
Z3_MODULES = {"engine/terms.py", "engine/encode_expr.py", "engine/encode_maps.py",
              "engine/encode.py", "engine/solver.py", "engine/check.py", "engine/batch.py",
              "engine/why.py"}


def rel(path: Path) -> str:
    return path.relative_to(PKG).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` names in an import: ``from a.b import c`` gives both
    ``a.b`` and ``a.b.c`` (c may be a module); relative imports resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path) if path.name == "__init__.py" else \
        module_name(path).rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def reaches(names: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names for b in banned if n == b or n.startswith(b + "."))


RULES = [
    ("memmap/", ("bootspec.pipeline", "bootspec.sweep", "bootspec.cli")),
    ("lang/", ("bootspec.engine", "bootspec.report", "bootspec.memmap", "bootspec.sweep")),
    ("engine/", ("bootspec.report", "bootspec.sweep", "bootspec.cli", "bootspec.oracle")),
]


def test_the_modules_are_found() -> None:
    names = {rel(p) for p in MODULES}
    assert {"pipeline.py", "memmap/bind.py", "lang/resolve.py", "engine/check.py",
            "sweep/run.py", "oracle/reference.py"} <= names


@pytest.mark.parametrize(("folder", "banned"), RULES, ids=[r[0] for r in RULES])
def test_no_layer_imports_one_above_it(folder: str, banned: tuple[str, ...]) -> None:
    wrong = {rel(p): reaches(imports(p), banned) for p in MODULES
             if rel(p).startswith(folder)}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_only_the_soak_and_fuzz_commands_import_the_oracle() -> None:
    wrong = {}
    for p in MODULES:
        if rel(p).startswith("oracle/"):
            continue
        found = reaches(imports(p), ("bootspec.oracle",))
        if rel(p) == "cli.py":  # `bootspec soak` and `bootspec fuzz` live in oracle/soak.py
            found = [n for n in found if n not in ("bootspec.oracle", "bootspec.oracle.soak",
                                                   "bootspec.oracle.commands")]
        if found:
            wrong[rel(p)] = found
    assert wrong == {}


def test_z3_only_in_the_listed_engine_modules() -> None:
    users = {rel(p) for p in MODULES if reaches(imports(p), ("z3",))}
    assert users <= Z3_MODULES, sorted(users - Z3_MODULES)


def test_no_module_much_over_600_lines() -> None:
    long = {rel(p): n for p in MODULES
            if (n := len(p.read_text().splitlines())) > MAX_LINES
            and rel(p) not in LONG_ON_PURPOSE}
    assert long == {}


def test_the_rules_see_a_real_import() -> None:
    """The reader is not blind: the pipeline's own imports are found, relative ones too."""
    assert "bootspec.memmap.bind" in imports(PKG / "pipeline.py")
    assert reaches(imports(PKG / "sweep" / "run.py"), ("bootspec.pipeline",))
