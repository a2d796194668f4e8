"""The commands read their command lines alike: paths are arguments everywhere they are
taken (the older ``--path`` still works, with a note), ``diff BASE`` compares with the
working tree, ``-o FILE``'s extension chooses the format, and the solver limits are one
option group with one validation on every command that solves."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO, cli

from bootspec.cli import build_parser

MODEL = str(REPO / "models" / "hvmloader_ovmf.boot")
PROOF = str(REPO / "proofs" / "firmware.proof")
DIFF = REPO / "tests" / "report" / "fixtures" / "diff"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

#: every command that runs the solver, with the arguments it needs to get to its options
SOLVING = {"check": ["check"], "explain": ["explain", "wellformed"], "diff": ["diff", "HEAD"],
           "memmap check": ["memmap", "check", "maps", "-m", "layout"]}


# -- paths -------------------------------------------------------------------------------

def test_explain_paths_as_arguments_or_as_the_old_option() -> None:
    argv = ["explain", "firmware_vs_shared_info", "-m", "hvmloader_ovmf_2008"]
    new = cli(*argv, MODEL, PROOF)
    old = cli(*argv, "--path", MODEL, "--path", PROOF)
    assert new[0] == old[0] == 0 and new[2] == ""
    assert new[1] == old[1] and "violated: firmware_vs_shared_info" in new[1]
    assert "--path is deprecated" in old[2]


def test_graph_paths_as_arguments_or_as_the_old_option() -> None:
    new = cli("graph", "-m", "hvmloader_ovmf_2011", MODEL)
    old = cli("graph", "hvmloader_ovmf_2011", "--path", MODEL)
    assert new[0] == old[0] == 0 and new[2] == ""
    assert new[1] == old[1] and new[1].startswith("digraph")
    assert "--path is deprecated" in old[2] and "graph -m hvmloader_ovmf_2011" in old[2]


def test_diff_paths_as_arguments_or_after_the_double_dash() -> None:
    new = cli("diff", "diff/base", "diff/head", "models", "proofs", cwd=DIFF.parent)
    old = cli("diff", "diff/base", "diff/head", "--", "models", "proofs", cwd=DIFF.parent)
    assert new[0] == old[0] == 1 and new[2] == old[2] == ""
    assert new[1] == old[1] and "worse    layout / fw_vs_info" in new[1]


def _help(command: str) -> str:
    parser = build_parser()
    for word in command.split():
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[word]
    return parser.format_help()


def test_memmap_check_keeps_path_as_an_option_and_says_why() -> None:
    out = " ".join(_help("memmap check").split())
    assert "--path PATH" in out and "arguments are the machine maps" in out


# -- diff BASE: the working tree ---------------------------------------------------------

def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """Two commits of the base layout, then the head layout in the working tree only."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q", "-b", "main")
    for sub in ("models", "proofs"):
        shutil.copytree(DIFF / "base" / sub, tmp_path / sub)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "base")
    (tmp_path / "NOTES").write_text("a commit that changes no model\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "notes")
    for sub in ("models", "proofs"):  # the uncommitted change
        shutil.rmtree(tmp_path / sub)
        shutil.copytree(DIFF / "head" / sub, tmp_path / sub)
    return tmp_path


def test_diff_with_one_revision_compares_it_with_the_working_tree(repo: Path) -> None:
    status, out, err = cli("diff", "HEAD~1", cwd=repo)
    assert (status, err) == (1, "")
    assert "  base: HEAD~1, commit " in out and "  head: ., folder" in out
    assert "worse    layout / fw_vs_info" in out
    assert cli("diff", "HEAD~1", ".", cwd=repo)[1] == out
    committed = cli("diff", "HEAD~1", "HEAD", cwd=repo)  # the commits change no verdict
    assert committed[0] == 0 and "no verdict changed" in committed[1]


def test_diff_with_one_revision_and_paths(repo: Path) -> None:
    status, out, err = cli("diff", "HEAD~1", "models", "proofs", cwd=repo)
    assert (status, err) == (1, "") and "  head: ., folder" in out
    assert out == cli("diff", "HEAD~1", ".", "--", "models", "proofs", cwd=repo)[1]


# -- -o FILE: the format from the extension ----------------------------------------------

@pytest.mark.parametrize(("name", "argv", "looks"), [
    ("x.html", [], "<!DOCTYPE html>"),
    ("x.sarif", [], '"version": "2.1.0"'),
    ("x.sarif.json", [], '"version": "2.1.0"'),
    ("x.junit.xml", [], "<testsuites"),
    ("x.md", [], "| model"),
    ("x.html", ["--format", "text"], "model / property"),
    ("x.report", [], "model / property"),  # an unknown extension keeps text
])
def test_check_output_format_from_the_extension(tmp_path: Path, name: str, argv: list[str],
                                                looks: str) -> None:
    status, out, err = cli("check", "--no-cache", "--no-timing", *argv, "-o",
                           str(tmp_path / name), MODEL, PROOF)
    assert (status, out, err) == (0, "", "")
    text = (tmp_path / name).read_text()
    assert looks in text
    if name.endswith(".sarif"):
        assert json.loads(text)["version"] == "2.1.0"


def test_every_command_with_output_infers_the_format(tmp_path: Path) -> None:
    assert cli("explain", "firmware_vs_shared_info", "-m", "hvmloader_ovmf_2008", MODEL,
               PROOF, "-o", str(tmp_path / "e.html"))[0] == 0
    assert (tmp_path / "e.html").read_text().startswith("<!DOCTYPE html>")
    assert cli("diff", "diff/base", "diff/head", "-o", str(tmp_path / "d.json"),
               cwd=DIFF.parent)[0] == 1
    assert json.loads((tmp_path / "d.json").read_text())["kind"] == "diff"
    assert cli("graph", MODEL, "-o", str(tmp_path / "g.dot"))[0] == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


# -- the solver limits -------------------------------------------------------------------

@pytest.mark.parametrize("command", list(SOLVING))
@pytest.mark.parametrize("value", ["-5", "0", "nan", "soon"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(command: str, value: str) -> None:
    status, out, err = cli(*SOLVING[command], "--timeout", value)
    assert (status, out) == (2, "")
    assert f"error[BS001]: argument --timeout: expected a positive number, not '{value}'" \
        in err and f"'bootspec {command} --help'" in err


@pytest.mark.parametrize("command", list(SOLVING))
def test_a_zero_rlimit_is_refused(command: str) -> None:
    status, _, err = cli(*SOLVING[command], "--rlimit", "0")
    assert status == 2 and "argument --rlimit: expected a positive number" in err


def _limits_section(command: str) -> str:
    return _help(command).split("solver limits:\n", 1)[1].split("\n\n", 1)[0]


def test_every_solving_command_shows_the_same_limit_options() -> None:
    sections = {c: _limits_section(c) for c in SOLVING}
    assert "--timeout SECONDS" in sections["check"] and "--rlimit N" in sections["check"]
    assert len(set(sections.values())) == 1, sections


def test_every_report_command_declares_the_same_output_options() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in ("check", "explain", "diff", "graph"):
        p = sub.choices[command]  # type: ignore[index]
        flags = {s for a in p._actions for s in a.option_strings}
        assert {"--format", "--output", "-o", "--force"} <= flags, command


def test_memmap_check_output_format_from_the_extension(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "memmap" / "fixtures" / "bios" / "ebda-9fc00.txt"
    out = tmp_path / "sweep.junit.xml"
    status, _, err = cli("memmap", "check", str(fixture), "-m", "xen_trampoline_bios",
                         "--no-cache", "-o", str(out), cwd=REPO)
    assert status == 0, err
    assert out.read_text().startswith("<?xml")
