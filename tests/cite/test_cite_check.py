"""``bootspec cite check`` on a small git repository the test makes: a line that moves,
a quote that changes, a file that is deleted, and cites that are wrong from the start."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import cli

from bootspec.citeparse import parse_cite, scan

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

F_V1 = """\
/* head of f.c */
int lower = 0x100;
#define TRAMPOLINE_SIZE KB(64)
static void setup(void)
{
    if ( seg >= 0xa000 )
        seg = base;
}
"""
# v2: two lines above push everything down; the 0xa000 check changes; g.c is deleted
F_V2 = """\
/* head of f.c */
/* a new comment */
/* and another */
int lower = 0x100;
#define TRAMPOLINE_SIZE KB(64)
static void setup(void)
{
    if ( seg >= 0x9fc0 )
        seg = base;
}
"""


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_AUTHOR_DATE": "2020-01-01T00:00:00", "GIT_COMMITTER_DATE": "2020-01-01T00:00:00",
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(repo)}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


@pytest.fixture
def fw(tmp_path: Path) -> dict[str, str]:
    repo = tmp_path / "fw"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "f.c").write_text(F_V1)
    (repo / "g.c").write_text("int gone_soon = 1;\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first: set up the trampoline\n\nThe EBDA can sit "
         "as low as 0x7c000.")
    v1 = _git(repo, "rev-parse", "HEAD")
    (repo / "f.c").write_text(F_V2)
    _git(repo, "rm", "-q", "g.c")
    _git(repo, "commit", "-q", "-am", "second")
    v2 = _git(repo, "rev-parse", "HEAD")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "p1.html").write_text("Re: [Xen-devel] Trampoline below the EBDA\n"
                                   "> quoted reply text\nwe need to ensure it is\n"
                                   "  below 1 MiB\n")
    return {"repo": str(repo), "v1": v1, "v2": v2, "posts": str(posts),
            "root": str(tmp_path)}


def _model(fw: dict[str, str], cites: list[str]) -> str:
    lines = ["model m", "  width 32"]
    lines += [f'  cite "{c}"' for c in cites]
    lines += ["stage s"]
    path = Path(fw["root"]) / "m.boot"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _check(fw: dict[str, str], cites: list[str], *extra: str) -> tuple[int, dict[str, object]]:
    path = _model(fw, cites)
    status, out, err = cli("cite", "check", path, "--source", f"fw={fw['repo']}",
                           "--posts", fw["posts"], "--format", "json", *extra)
    assert err == ""
    return status, json.loads(out)


def _statuses(doc: dict[str, object]) -> list[str]:
    return [p["status"] for p in doc["parts"]]  # type: ignore[index,union-attr]


def test_each_outcome(fw: dict[str, str]) -> None:
    c = fw["v1"][:10]
    cites = [
        f"acme/fw@{c}:f.c (l.3) 'TRAMPOLINE_SIZE KB(64)'",  # moved down by two lines
        f"acme/fw@{c}:f.c (setup) 'seg >= 0xa000'",  # changed at HEAD: drift
        f"acme/fw@{c}:g.c (l.1) 'int gone_soon = 1;'",  # file deleted at HEAD: drift
        f"acme/fw@{c}:f.c (l.1) 'head of f.c'",  # unchanged
        "acme/fw@0123456789:f.c (l.1) 'head'",  # no such commit
        f"acme/fw@{c}:h.c (l.1) 'x'",  # no such file at that commit
        f"acme/fw@{c}:f.c (l.2) 'int lower = 0x200;'",  # not what the file says
        f"acme/fw@{c}:f.c (l.7) 'seg = base;'",  # there; at HEAD two lines lower
        f"acme/fw@{c}:f.c (l.2) 'seg = base;'",  # there, but not at l.2
        f"acme/fw@{c}:f.c (no_such_fn) 'seg = base;'",  # symbol not in the file
        f"acme/fw@{c} 'as low as 0x7c000'",  # the commit message
        f"acme/fw@{c} '+int gone_soon = 1;'",  # the patch
        f"acme/fw@{c} 'never said'",
        f"acme/fw@{c}:f.c (l.6) 'seg >= 0xa000' [historical]",  # drift expected
        "xen-devel post 2012-06-11 'Trampoline below the EBDA': 'we need to ensure it is below 1 MiB'",
        "xen-devel post 2012-06-11 'Trampoline below the EBDA': 'not in the post'",
        "xen-devel post 2012-06-11 'No such subject': 'x'",
        "the EBDA ends at 640 KiB [inferred]",
        "head.S",
        "other/repo@abcdef1234:x.c (l.1) 'x'",  # no checkout given for it
        f"acme/fw@{c}:f.c (l.1)",  # no quote
    ]
    status, doc = _check(fw, cites)
    assert _statuses(doc) == [
        "moved", "drift", "drift", "ok", "commit-missing", "file-missing", "quote-missing",
        "moved", "misplaced", "symbol-missing", "ok", "ok", "quote-missing", "historical", "ok",
        "quote-missing", "post-missing", "inferred", "unchecked", "no-source", "no-quote"]
    parts = doc["parts"]  # type: ignore[index]
    assert "now l.5" in parts[0]["detail"]
    assert "no longer in f.c" in parts[1]["detail"]
    assert "g.c is gone" in parts[2]["detail"]
    assert status == 1  # wrong cites fail whatever --strict says


def test_strict_fails_on_drift_only_with_strict(fw: dict[str, str]) -> None:
    c = fw["v1"][:10]
    drifting = [f"acme/fw@{c}:f.c (l.6) 'seg >= 0xa000'", "free text is listed, not failed"]
    assert _check(fw, drifting)[0] == 0
    status, doc = _check(fw, drifting, "--strict")
    assert status == 1 and _statuses(doc) == ["drift", "unchecked"]
    # drift is measured against --rev: at v1 itself nothing drifted
    status, doc = _check(fw, drifting, "--strict", "--rev", fw["v1"])
    assert status == 0 and _statuses(doc)[0] == "ok"
    status, doc = _check(fw, drifting, "--strict", "--rev", f"fw={fw['v1']}")
    assert status == 0 and _statuses(doc)[0] == "ok" and doc["revs"] == {"fw": fw["v1"]}
    # a historical cite's drift is expected
    assert _check(fw, [drifting[0] + " [historical]"], "--strict")[0] == 0


def test_text_report_names_file_line_and_reason(fw: dict[str, str]) -> None:
    c = fw["v1"][:10]
    path = _model(fw, [f"acme/fw@{c}:g.c (l.1) 'int gone_soon = 1;'", "head.S"])
    status, out, _ = cli("cite", "check", path, "--source", f"fw={fw['repo']}")
    assert status == 0
    assert out.splitlines()[0] == "2 cites, 2 parts: 1 drift, 1 unchecked"
    assert f"{path}:3: drift: acme/fw@{c}:g.c" in out and "g.c is gone" in out
    assert f"{path}:4: unchecked: head.S" in out


def test_bad_source_is_a_usage_error(fw: dict[str, str], tmp_path: Path) -> None:
    path = _model(fw, ["x"])
    status, _, err = cli("cite", "check", path, "--source", f"fw={tmp_path / 'nope'}")
    assert status == 2 and "error[BS007]" in err
    status, _, err = cli("cite", "check", path, "--source", "fw")
    assert status == 2 and "error[BS007]" in err
    status, _, err = cli("cite", "check", path, "--source", f"fw={fw['repo']}",
                         "--rev", "no-such-rev")
    assert status == 2 and "error[BS007]" in err
    status, _, err = cli("cite", "check", path, "--source", f"fw={fw['repo']}",
                         "--rev", "other=HEAD")
    assert status == 2 and "no --source named 'other'" in err


def test_scan_skips_comments_and_strings() -> None:
    text = ('model m  # cite "not this"\n'
            '  const A = 1  cite "a \\"q\\" b"\n'
            '  region cite_me = [0, 1)\n')
    cites = scan("m.boot", text)
    assert [(c.line, c.text) for c in cites] == [(2, 'a "q" b')]


def test_parts_split_on_semicolons_outside_quotes() -> None:
    parts = parse_cite("acme/fw@0123456:f.c (l.3) 'a; b'; acme/fw@0123456 'msg'; free")
    assert [(p.kind, p.quotes) for p in parts] == [
        ("source", ("a; b",)), ("commit", ("msg",)), ("free", ())]
