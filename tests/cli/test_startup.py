"""Start-up: what the command line imports before it does anything.

Each check runs in a fresh interpreter (``sys.modules`` of this one holds everything
the other tests imported). The heavy modules (Z3, the parser generator,
the engine, the report formats, the oracles) are imported by the commands that use
them, never to build the parser: ARCHITECTURE.md, "Start-up and the warm path"."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO

#: never needed to start, to print --version or --help, or to parse a command line
HEAVY = ("z3", "lark", "tabulate", "elftools", "pefile", "shtab", "tqdm", "pygls",
         "bootspec.engine.check", "bootspec.engine.solver", "bootspec.engine.paths",
         "bootspec.lang.parser", "bootspec.lang.ast", "bootspec.lang.ir", "bootspec.pipeline",
         "bootspec.report.formats", "bootspec.report.view", "bootspec.report.diffview",
         "bootspec.oracle.soak", "bootspec.oracle.hostile", "bootspec.memmap.machines",
         "bootspec.lsp", "bootspec.bench", "bootspec.cite", "bootspec.citeparse", "bootspec.elf",
         "bootspec.memmap.model", "bootspec.memmap.parse", "bootspec.memmap.show")


def _imported(code: str) -> set[str]:
    """The HEAVY modules imported once ``code`` has run in a fresh interpreter."""
    script = (f"import io, json, sys\n{code}\n"
              f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert _imported("import bootspec.cli") == set()


def test_version_and_help_import_nothing_heavy() -> None:
    code = ("from bootspec.cli import run\n"
            "for argv in (['--version'], ['--help'], ['check', '--help'], ['diff', '--help'],\n"
            "             ['memmap', 'check', '--help'], ['fuzz', '--help'],\n"
            "             ['completion', '--help'], ['lsp', '--help'], ['bench', '--help'],\n"
            "             ['cite', 'check', '--help'], ['elf', 'show', '--help']):\n"
            "    try:\n"
            "        run(argv, io.StringIO(), io.StringIO())\n"
            "    except SystemExit:\n"
            "        pass")
    assert _imported(code) == set()


def test_version_prints_the_version() -> None:
    from bootspec import __version__
    done = subprocess.run([sys.executable, "-c", "from bootspec.cli import main; main()",
                           "--version"], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, f"bootspec {__version__}\n")


def test_a_warm_check_imports_nothing_heavy(tmp_path: Path) -> None:
    """The second run of an unchanged project prints from the warm path: no parser, no
    engine, no Z3 (the first run, parsing and solving, leaves the run entry)."""
    for sub, name in (("models", "entry_paths.boot"), ("proofs", "entry_paths.proof")):
        (tmp_path / sub).mkdir()
        shutil.copy(REPO / sub / name, tmp_path / sub)
    cache = str(tmp_path / "cache")
    argv = ["check", str(tmp_path / "models"), str(tmp_path / "proofs"), "--cache-dir", cache]
    code = (f"from bootspec.cli import run\n"
            f"out = io.StringIO()\n"
            f"assert run({argv!r}, out, io.StringIO()) == 0, out.getvalue()")
    assert "z3" in _imported(code)  # the first run decides
    assert _imported(code) == set()


def test_a_warm_memmap_check_imports_nothing_heavy(tmp_path: Path) -> None:
    """Likewise for ``memmap check``: once a run read every machine's report from the
    cache, the next prints from the warm path without the importers or the engine."""
    fixtures = REPO / "tests" / "memmap" / "fixtures"
    shutil.copytree(fixtures / "models", tmp_path / "models")
    shutil.copytree(fixtures / "machines", tmp_path / "machines")
    argv = ["memmap", "check", str(tmp_path / "machines"), "--path", str(tmp_path / "models"),
            "-m", "low_alloc", "--cache-dir", str(tmp_path / "cache")]
    code = (f"from bootspec.cli import run\n"
            f"out = io.StringIO()\n"
            f"assert run({argv!r}, out, io.StringIO()) in (0, 1), out.getvalue()")
    assert "bootspec.memmap.parse" in _imported(code)  # checks, caches each report
    assert "bootspec.memmap.parse" in _imported(code)  # reads them all, leaves the entry
    assert _imported(code) == set()
