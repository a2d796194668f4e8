"""``bootspec completion bash|zsh``: the script shtab writes from bootspec's own
argparse parser; bash accepts it, and completing in a real bash offers the commands,
the options and the choices the parser has."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from helpers import cli

from bootspec.cli import build_parser

bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_the_bash_script_names_every_command() -> None:
    status, out, err = cli("completion", "bash")
    assert (status, err) == (0, "")
    assert "complete -o bashdefault -F _shtab_bootspec bootspec" in out
    for command in _commands():
        assert command in out, command
    assert {"check", "explain", "diff", "memmap", "completion"} <= set(_commands())


@bash
def test_bash_accepts_the_script() -> None:
    out = cli("completion", "bash")[1]
    done = subprocess.run(["bash", "-n"], input=out, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


@bash
@pytest.mark.parametrize(("line", "offered"), [
    ("bootspec ch", {"check"}),
    ("bootspec check --qu", {"--quiet"}),
    ("bootspec check --format ", {"text", "junit", "sarif"}),
    ("bootspec memmap ", {"show", "check"}),
    ("bootspec completion ", {"bash", "zsh"}),
])
def test_bash_completes_from_the_parser(line: str, offered: set[str]) -> None:
    script = cli("completion", "bash")[1]
    words = line.split(" ")
    driver = (f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
              f"COMP_CWORD={len(words) - 1}\nCOMP_LINE={line!r}\nCOMP_POINT=${{#COMP_LINE}}\n"
              "_shtab_bootspec\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "-c", driver], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert offered <= set(done.stdout.split()), done.stdout


def test_the_zsh_script() -> None:
    status, out, _ = cli("completion", "zsh")
    assert status == 0 and out.startswith("#compdef bootspec")
    assert all(command in out for command in _commands())
    if shutil.which("zsh"):
        done = subprocess.run(["zsh", "-n"], input=out, capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr


def test_an_unknown_shell_is_a_usage_error() -> None:
    status, out, err = cli("completion", "fish")
    assert status == 2 and "invalid choice" in err and out == ""
