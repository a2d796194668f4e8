"""``bootspec cite check``: every ``cite`` of the models and proofs, checked against
local git checkouts of the repositories it names.

A model is a claim about code that keeps changing; a cite says which code. The
cites are read lexically, so it does not depend on the grammar, and parsed into
*parts* (``;`` separates them, outside quotes) by :mod:`bootspec.citeparse`; this
module checks each part.

The forms (README, "Citations"):

* **source**: ``REPO@COMMIT:PATH (LOCATOR) 'QUOTE'`` -- ``REPO`` is ``owner/name``,
  ``COMMIT`` 7 to 40 hex digits (a ``^`` or ``~N`` suffix names an ancestor),
  ``LOCATOR`` is ``l.N``, ``l.N-M``, a symbol, or several of them separated by
  commas; the quote is the code as written there (whitespace is not significant;
  `` ... `` stands for any text between two pieces, which must come in order).
* **commit**: ``REPO@COMMIT 'QUOTE'`` -- the quote is in the commit's message, or
  else in its patch.
* **post**: ``LIST post [DATE] 'SUBJECT' 'QUOTE'`` -- a mailing-list post, found in a
  folder of saved posts (``--posts DIR``) by its subject line.
* ``[inferred]`` marks a part that is the modeller's reading, not a quote; a
  reference in it is still checked. ``[historical]`` marks a part that describes
  code as it was at COMMIT on purpose (a model of the code before a fix): it is
  checked at COMMIT, and its drift is expected, so ``--strict`` ignores it.

Anything else is **free** text: listed as unchecked, never counted as passing.

A quote opens with ``'`` at the start of a part or after a space or ``(``, and
closes with ``'`` before a space, punctuation or the end (so ``Xen's`` is no
quote); ``\\"...\\"`` in the cite string works too.

For each source part: the commit must exist in the checkout, the file must exist
at that commit, the quote must be in that file (within the cited lines, when
lines are given) and each symbol of the locator must be in it. Then **drift**:
at the checkout's HEAD (or ``--rev``) the file must still hold the quote; if it
moved to other lines (or the whole quote moved to another file) that is reported
as *moved*, not as drift.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bootspec.citeparse import Cite, Part, parse_cite, scan, scan_files
from bootspec.diagnostics import BootspecError, Diagnostic, Span

#: Outcomes of one part, and whether each fails ``cite check`` (always / with --strict).
ERRORS = ("commit-missing", "file-missing", "quote-missing", "symbol-missing", "misplaced",
          "post-missing", "bad-source")
STATUSES = ("ok", "moved", "drift", "historical", *ERRORS, "no-source", "no-quote",
            "inferred", "unchecked")

_WS = re.compile(r"\s+")


# -- finding quotes ---------------------------------------------------------------------

def _normalised(text: str) -> tuple[str, list[int]]:
    """The text with every run of whitespace made one space, and for each character of
    it the line (from 1) it came from."""
    out: list[str] = []
    where: list[int] = []
    line, space = 1, False
    for ch in text:
        if ch.isspace():
            if ch == "\n":
                line += 1
            if not space and out:
                out.append(" ")
                where.append(line)
            space = True
            continue
        space = False
        out.append(ch)
        where.append(line)
    return "".join(out), where


def pieces(quote: str) -> list[str]:
    """A quote's pieces: `` ... `` (or ``...`` at either end) stands for any text.

    >>> pieces("place_string() ... gets memory chunks")
    ['place_string()', 'gets memory chunks']
    """
    norm = _WS.sub(" ", quote).strip()
    return [p.strip() for p in re.split(r"\s*\.\.\.\s*", norm) if p.strip()] or [norm]


def find_quote(text: str, quote: str, index: tuple[str, list[int]] | None = None
               ) -> list[tuple[int, int]]:
    """Every place (first line, last line) where the quote's pieces occur, in order.

    >>> find_quote("a\\n  b = 1;\\nc", "b =  1;")
    [(2, 2)]
    """
    norm, where = index or _normalised(text)
    ps = pieces(quote)
    out: list[tuple[int, int]] = []
    start = norm.find(ps[0])
    while start >= 0:
        pos, ok = start + len(ps[0]), True
        for p in ps[1:]:
            k = norm.find(p, pos)
            if k < 0:
                ok = False
                break
            pos = k + len(p)
        if not ok:
            break
        out.append((where[start], where[max(start, pos - 1)]))
        start = norm.find(ps[0], start + 1)
    return out


# -- git ----------------------------------------------------------------------------------

class GitRepo:
    """A local checkout (work tree or bare); every read goes through ``git`` itself."""

    def __init__(self, folder: str):
        self.folder = folder
        self._files: dict[tuple[str, str], str | None] = {}
        self._revs: dict[str, str | None] = {}

    def _git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", self.folder, *args], capture_output=True,
                              check=False, env={**os.environ, "GIT_TERMINAL_PROMPT": "0",
                                                "LC_ALL": "C"})

    def valid(self) -> bool:
        r = self._git("rev-parse", "--git-dir")
        return r.returncode == 0

    def resolve(self, rev: str) -> str | None:
        """The full hash of a commit, or None when the checkout does not have it."""
        if rev not in self._revs:
            r = self._git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
            self._revs[rev] = r.stdout.decode().strip() if r.returncode == 0 else None
        return self._revs[rev]

    def file(self, sha: str, path: str) -> str | None:
        if (sha, path) not in self._files:
            r = self._git("cat-file", "blob", f"{sha}:{path}")
            self._files[(sha, path)] = r.stdout.decode("utf-8", "replace") \
                if r.returncode == 0 else None
        return self._files[(sha, path)]

    def message(self, sha: str) -> str:
        return self._git("log", "-1", "--format=%B", sha).stdout.decode("utf-8", "replace")

    def patch(self, sha: str) -> str:
        return self._git("show", "--format=", "--no-color", sha).stdout.decode(
            "utf-8", "replace")

    def grep(self, sha: str, text: str, limit: int = 3) -> list[tuple[str, int]]:
        """(path, line) of the first places that hold ``text`` (one line of it) at sha."""
        r = self._git("grep", "-n", "-F", "-I", "--no-color", "-e", text, sha)
        out = []
        for row in r.stdout.decode("utf-8", "replace").splitlines():
            parts = row.split(":", 3)  # sha:path:line:text
            if len(parts) == 4 and parts[2].isdigit():
                out.append((parts[1], int(parts[2])))
            if len(out) >= limit:
                break
        return out


# -- checking -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Finding:
    """What one part of one cite came to."""

    cite: Cite
    part: Part
    status: str  # one of STATUSES
    detail: str

    @property
    def failed(self) -> bool:
        return self.status in ERRORS

    def to_json(self) -> dict[str, object]:
        p = self.part
        return {"file": self.cite.path, "line": self.cite.line, "col": self.cite.col,
                "status": self.status, "detail": self.detail, "kind": p.kind,
                "repo": p.repo, "commit": p.commit, "path": p.path,
                "lines": list(p.lines) if p.lines else None, "symbols": list(p.symbols),
                "quotes": list(p.quotes), "inferred": p.inferred, "historical": p.historical,
                "text": p.text}


@dataclasses.dataclass
class Sources:
    """The checkouts (``--source NAME=DIR``), the revision to compare with, saved posts."""

    repos: dict[str, GitRepo]
    rev: str = "HEAD"
    posts: str | None = None
    revs: dict[str, str] = dataclasses.field(default_factory=dict)  # per checkout name

    def repo(self, name: str) -> GitRepo | None:
        """``owner/name`` is looked up as given, then by its last component."""
        return self.repos.get(name) or self.repos.get(name.rsplit("/", 1)[-1])

    def rev_of(self, repo: GitRepo) -> str:
        """The revision drift is measured against in ``repo``."""
        name = next((n for n, r in self.repos.items() if r is repo), "")
        return self.revs.get(name, self.rev)


def check(cites: Sequence[Cite], sources: Sources) -> list[Finding]:
    out: list[Finding] = []
    posts = _Posts(sources.posts) if sources.posts else None
    for c in cites:
        for p in c.parts:
            status, detail = _check_part(p, sources, posts)
            out.append(Finding(c, p, status, detail))
    return out


def _check_part(p: Part, sources: Sources, posts: _Posts | None) -> tuple[str, str]:
    if p.kind == "free":
        if p.inferred:
            return "inferred", "the modeller's reading (no reference to check)"
        return "unchecked", "free text: no repo@commit:path, repo@commit or post form"
    if p.kind == "post":
        return _check_post(p, posts)
    assert p.repo is not None and p.commit is not None
    repo = sources.repo(p.repo)
    if repo is None:
        return "no-source", f"no checkout of {p.repo} given (--source {p.repo.split('/')[-1]}=DIR)"
    sha = repo.resolve(p.commit)
    if sha is None:
        return "commit-missing", f"{p.commit} is not a commit of {repo.folder}"
    if p.kind == "commit":
        if not p.quotes:
            return "no-quote", f"commit {sha[:12]} exists; no quote to check"
        msg, patch = _WS.sub(" ", repo.message(sha)), None
        for q in p.quotes:
            if find_quote(msg, q):
                continue
            patch = patch if patch is not None else repo.patch(sha)
            if not find_quote(patch, q):
                return "quote-missing", f"'{_short(q)}' is in neither the message nor " \
                                        f"the patch of {sha[:12]}"
        return "ok", f"in commit {sha[:12]}"
    assert p.path is not None
    text = repo.file(sha, p.path)
    if text is None:
        return "file-missing", f"{p.path} does not exist at {p.commit}"
    index = _normalised(text)
    for s in p.symbols:
        if not re.search(rf"(?<![A-Za-z0-9_]){re.escape(s)}(?![A-Za-z0-9_])", text):
            return "symbol-missing", f"'{s}' is not in {p.path} at {p.commit}"
    found: list[tuple[int, int]] = []
    for q in p.quotes:
        at = find_quote(text, q, index)
        if not at:
            return "quote-missing", f"'{_short(q)}' is not in {p.path} at {p.commit}"
        if p.lines is not None:
            inside = [a for a in at if a[0] <= p.lines[1] and a[1] >= p.lines[0]]
            if not inside:
                return "misplaced", (f"'{_short(q)}' is at l.{_lines(at)} of {p.path}, not at "
                                     f"l.{_lines([p.lines])}")
            at = inside
        found.append(at[0])
    if not p.quotes:
        return "no-quote", f"{p.path} exists at {p.commit}; no quote to check"
    return _drift(p, repo, sha, found, sources.rev_of(repo))


def _drift(p: Part, repo: GitRepo, sha: str, found: list[tuple[int, int]], rev: str
           ) -> tuple[str, str]:
    assert p.path is not None
    head = repo.resolve(rev)
    if head is None:
        return "bad-source", f"{rev} is not a commit of {repo.folder}"
    here = f"at {p.commit}" + (f" l.{_lines(found)}" if found else "")
    if head == sha:
        return "ok", f"{here} ({rev} is that commit)"
    text = repo.file(head, p.path)
    gone: list[str] = []
    moved: list[tuple[int, int]] = []
    if text is not None:
        index = _normalised(text)
        for q, was in zip(p.quotes, found, strict=True):
            at = find_quote(text, q, index)
            if not at:
                gone.append(q)
            elif was not in at:
                moved.append(min(at, key=lambda a: abs(a[0] - was[0])))
    label = "historical" if p.historical else "drift"
    if text is None or gone:
        what = (f"{p.path} is gone" if text is None
                else f"'{_short(gone[0])}' is no longer in {p.path}")
        where = _elsewhere(repo, head, (gone or list(p.quotes))[0])
        return label, f"{here}; at {rev} ({head[:12]}) {what}{where}"
    if moved:
        return "moved", f"{here}; at {rev} ({head[:12]}) now l.{_lines(moved)}"
    return "ok", f"{here}; unchanged at {rev} ({head[:12]})"


def _elsewhere(repo: GitRepo, head: str, quote: str) -> str:
    """Where the quote's longest line went, if anywhere: for the report."""
    probe = max(pieces(quote), key=len)
    hits = repo.grep(head, probe)
    if not hits:
        return ""
    return "; its text is now at " + ", ".join(f"{p} l.{n}" for p, n in hits)


def _lines(at: Sequence[tuple[int, int]]) -> str:
    a, b = at[0]
    return str(a) if a == b else f"{a}-{b}"


def _short(q: str, n: int = 60) -> str:
    q = _WS.sub(" ", q).strip()
    return q if len(q) <= n else q[:n - 3] + "..."


class _Posts:
    """A folder of saved mailing-list posts (any file names): a post is the file whose
    text holds its subject; reply markers ('> ') are ignored."""

    def __init__(self, folder: str):
        self.texts: list[tuple[str, str]] = []
        for f in sorted(Path(folder).rglob("*")):
            if f.is_file():
                raw = f.read_text(encoding="utf-8", errors="replace")
                text = re.sub(r"(?m)^[ \t]*(?:>[ \t]?)+", "", raw)
                self.texts.append((str(f), _WS.sub(" ", text)))

    def find(self, subject: str) -> list[tuple[str, str]]:
        s = _WS.sub(" ", subject).strip()
        return [(f, t) for f, t in self.texts if s in t]


def _check_post(p: Part, posts: _Posts | None) -> tuple[str, str]:
    if p.subject is None:
        return "unchecked", "a post with no quoted subject line"
    if posts is None:
        return "no-source", f"{p.list} post: no folder of saved posts given (--posts DIR)"
    files = posts.find(p.subject)
    if not files:
        return "post-missing", f"no saved post has the subject '{_short(p.subject)}'"
    for q in p.quotes:
        if not any(find_quote(t, q) for _, t in files):
            return "quote-missing", f"'{_short(q)}' is not in {files[0][0]}"
    if not p.quotes:
        return "no-quote", f"found {files[0][0]}; no quote to check"
    return "ok", f"in {os.path.basename(files[0][0])}"


# -- the command ---------------------------------------------------------------------------

def _sources(args: argparse.Namespace) -> Sources:
    repos: dict[str, GitRepo] = {}
    diags = []
    for item in args.source:
        name, sep, folder = item.partition("=")
        repo = GitRepo(folder)
        if not sep or not name or not folder:
            diags.append(Diagnostic("BS007", f"--source {item!r}: write NAME=DIR",
                                    Span("<command line>", 0, 0)))
        elif not os.path.isdir(folder) or not repo.valid():
            diags.append(Diagnostic("BS007", f"--source {item!r}: {folder} is not a git "
                                    "checkout", Span("<command line>", 0, 0),
                                    hint="clone the repository, or give its .git folder"))
        else:
            repos[name] = repo
    if args.posts and not os.path.isdir(args.posts):
        diags.append(Diagnostic("BS007", f"--posts {args.posts}: not a folder",
                                Span("<command line>", 0, 0)))
    default, revs = "HEAD", {}
    for item in args.rev:
        name, sep, rev = item.partition("=")
        if not sep:
            default = item
        elif name not in repos:
            diags.append(Diagnostic("BS007", f"--rev {item!r}: no --source named {name!r}",
                                    Span("<command line>", 0, 0)))
        else:
            revs[name] = rev
    if diags:
        raise BootspecError(diags)
    for name, repo in repos.items():
        rev = revs.get(name, default)
        if repo.resolve(rev) is None:
            raise BootspecError([Diagnostic(
                "BS007", f"--rev {rev}: not a commit of {name} ({repo.folder})",
                Span("<command line>", 0, 0), hint="give it for one checkout: --rev NAME=REV")])
    return Sources(repos, default, args.posts, revs)


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec.pipeline import discover
    sources = _sources(args)
    cites = scan_files(discover(args.paths))
    findings = check(cites, sources)
    stdout.write(render(findings, args.format, every=args.all, sources=sources))
    if any(f.failed for f in findings):
        return 1
    if args.strict and any(f.status == "drift" for f in findings):
        return 1
    return 0


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for f in findings:
        counts[f.status] += 1
    return {k: v for k, v in counts.items() if v}


def render(findings: Sequence[Finding], fmt: str, every: bool = False,
           sources: Sources | None = None) -> str:
    if fmt == "json":
        doc = {"schema": 1, "rev": sources.rev if sources else "HEAD",
               "revs": dict(sources.revs) if sources else {},
               "sources": {n: r.folder for n, r in sorted((sources.repos if sources else
                                                            {}).items())},
               "summary": summary(findings), "parts": [f.to_json() for f in findings]}
        return json.dumps(doc, indent=2) + "\n"
    cites = {id(f.cite) for f in findings}
    out = [f"{len(cites)} cites, {len(findings)} parts: "
           + ", ".join(f"{n} {s}" for s, n in summary(findings).items())]
    shown = [f for f in findings if every or f.status not in ("ok", "no-source")]
    if not every:  # one line per repository or list without a checkout, not one per part
        missing: dict[str, list[Finding]] = {}
        for f in findings:
            if f.status == "no-source":
                missing.setdefault(f.part.repo or f"{f.part.list} posts", []).append(f)
        for what, fs in sorted(missing.items()):
            how = (f"--source {what.rsplit('/', 1)[-1]}=DIR" if "/" in what else "--posts DIR")
            out.append(f"no-source: {len(fs)} parts cite {what}; give {how} to check them")
    order = {s: i for i, s in enumerate(("drift", *ERRORS, "unchecked", "no-source",
                                         "no-quote", "historical", "moved", "inferred", "ok"))}
    for f in sorted(shown, key=lambda f: (order[f.status], f.cite.path, f.cite.line)):
        out.append(f"{f.cite.path}:{f.cite.line}: {f.status}: {_short(f.part.text, 100)}")
        out.append(f"    {f.detail}")
    return "\n".join(out) + "\n"


__all__ = ["Cite", "Finding", "GitRepo", "Part", "Sources", "check", "find_quote",
           "parse_cite", "scan"]
