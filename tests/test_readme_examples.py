"""The README's examples run clean: every line that starts with ``$ bootspec`` in a code
block (fenced or indented) is run in the repository, and its exit status must be the
one the example shows (``exit N`` in the output it shows, else 0). A block preceded
by ``<!-- not run: REASON -->`` is left out; an example that reads the shared corpus
skips, saying so, where ``../shared/data/memmaps`` is absent (and runs in the second
tier, ``-m long``)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from helpers import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".." / "shared" / "data" / "memmaps"


def examples() -> list[tuple[str, int, bool]]:
    """(command after 'bootspec', expected status, reads the corpus) for each example."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    out: list[tuple[str, int, bool]] = []
    for i, line in enumerate(lines):
        m = re.match(r"^(?:    )?\$ bootspec (.*)$", line)
        if m is None:
            continue
        before = [ln for ln in lines[max(0, i - 3):i] if ln.strip()]
        if any(ln.startswith("<!-- not run:") for ln in before):
            continue
        shown: list[str] = []
        for ln in lines[i + 1:]:
            if not ln.strip() or ln.startswith(("```", "    $ ")) or ln.startswith("$ "):
                break
            shown.append(ln)
        status = re.findall(r"\bexit (\d+)\b", "\n".join(shown))
        out.append((m.group(1), int(status[-1]) if status else 0, "../shared/" in m.group(1)))
    return out


def test_the_readme_has_runnable_examples() -> None:
    commands = [c for c, _, _ in examples()]
    assert any(c.startswith("check") for c in commands)
    assert any(c.startswith("memmap check ../shared/data/memmaps") for c in commands)
    assert not any(c.startswith("diff HEAD") for c in commands)  # marked not run


# each example runs into an empty cache (the corpus ones sweep 135 machines): the
# second tier (-m long), which the test command and CI run after the first
@pytest.mark.long
@pytest.mark.parametrize(("command", "status", "corpus"), [
    pytest.param(c, s, k, id=c) for c, s, k in examples()])
def test_readme_example(command: str, status: int, corpus: bool, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    if corpus and not CORPUS.is_dir():
        pytest.skip(f"shared memory-map corpus not found at {CORPUS.resolve()} "
                    "(expected shared/data/memmaps beside the repository checkout)")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the user's cache stays as it is
    code, out, err = cli(*shlex.split(command), cwd=ROOT)
    assert code == status, f"bootspec {command}: exit {code}, the README shows {status}\n" \
        f"{out[-2000:]}\n{err[-2000:]}"
