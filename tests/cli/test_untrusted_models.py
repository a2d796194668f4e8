"""A model from someone else (a merge request, a bug report) cannot read out of its
project nor run away with the machine.

README, "Paths in a model": a model from an untrusted merge request cannot make a
CI job read, or print, a file outside its project. That held for 'map ... from';
a link checked in as models/leak.boot -> /etc/passwd was read as a model, and every
line of it quoted in the syntax errors. And fragments that use fragments wrote out
lines without a bound.
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers import REPO, cli

SECRET = "root:x:0:0:the secret line:/root:/bin/sh\n"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "proofs").mkdir()
    (tmp_path / "models" / "entry_paths.boot").write_text(
        (REPO / "models" / "entry_paths.boot").read_text())
    (tmp_path / "proofs" / "entry_paths.proof").write_text(
        (REPO / "proofs" / "entry_paths.proof").read_text())
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text(SECRET)
    os.symlink(secret, tmp_path / "models" / "leak.boot")
    return tmp_path


def test_a_link_out_of_the_project_is_refused_unread(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for argv in ([], ["models", "proofs"], ["models/leak.boot"]):
        code, out, err = cli("check", "--no-cache", *argv, cwd=project)
        assert code == 2, (argv, out, err)
        assert "models/leak.boot:1:1: error[BS002]" in err and "it is not read" in err
        assert "secret" not in out + err.replace(f"{tmp_path.name}-secret", "")


def test_a_link_inside_the_project_is_read(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "models" / "leak.boot").unlink()
    (project / "models" / "entry_paths.boot").rename(project / "models" / "real.txt")
    os.symlink("real.txt", project / "models" / "entry_paths.boot")
    code, out, err = cli("check", "--no-cache", cwd=project)
    assert code == 0, (out, err)


def test_loops_and_fragments_that_multiply_are_refused_where_they_pass_the_limit(
        tmp_path: Path) -> None:
    # 39 fragments each using the one before twice: 2^39 lines, which grew past 3 GB
    # before; docs/language.md: "together, the loops and fragments of one model write
    # out at most 50,000 lines (BS117 beyond)"
    lines = ["model blow", "  width 32", "fragment f0(x)", "  set v = v + x", "end"]
    for i in range(1, 40):
        lines += [f"fragment f{i}(x)", f"  use f{i - 1}(x)", f"  use f{i - 1}(x)", "end"]
    lines += ["var v = 0", "stage s", "  use f39(1)"]
    model = tmp_path / "blow.boot"
    model.write_text("\n".join(lines) + "\n")
    code, _out, err = cli("check", "--no-cache", str(model), cwd=tmp_path)
    assert code == 2
    assert "blow.boot:4:3: error[BS117]: the loops and fragments write out more than 50,000" \
        in err
