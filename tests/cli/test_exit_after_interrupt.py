"""An interrupted run exits 130 even when the KeyboardInterrupt was raised inside code
Python ran through exec (a dataclass's generated __init__ during a lazy import): run
as ``python -m``, CPython 3.11 would otherwise kill the process with SIGINT (-2) at
exit although bootspec caught the interrupt and reported it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import REPO

SCRIPT = '''
import bootspec.cli as cli

def interrupted_inside_exec(args, stdout, stderr):
    exec("raise KeyboardInterrupt")

cli.COMMANDS["check"] = interrupted_inside_exec
cli.main()
'''


def test_an_interrupt_raised_in_exec_still_exits_130(tmp_path: Path) -> None:
    (tmp_path / "kbi_cli.py").write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    p = subprocess.run([sys.executable, "-m", "kbi_cli", "check", "--no-cache"],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 130, (p.returncode, p.stderr)
    assert "bootspec: interrupted" in p.stderr
