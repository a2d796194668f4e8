"""The proof cache: verdicts keyed by the content of their obligation.

The key is a hash of everything a verdict depends on: the resolved model (its
declarations, stages, maps, with source positions, so a counterexample's lines
stay right), the proof, the obligation, the solver limits, the bootspec and Z3
versions and a hash of bootspec's own code. Editing one model changes only that
model's keys, so only its obligations run again.

Besides verdicts the folder keeps *notes*: plain JSON a sweep over machines
carries from run to run (a model's proofs for every map, known runs, the last
counterexamples; a machine's whole report), keyed the same way by
:func:`note_key`. A note bootspec wrote changes no verdict, only how fast it is
found (known runs and hints are re-run concretely before use).

Entries are small JSON files (never pickles: a cache folder is not trusted to
run code), written to a temporary name and renamed into place, so concurrent
runs never see half an entry. An unreadable, foreign or ill-shaped entry is
ignored. Beyond that the folder is trusted as the checker's own output is: a
hand-edited verdict, or a proof set in a model's note, is believed (a model's
note loses any proof contradicted by a counterexample it also records).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from bootspec import __version__
from bootspec.diagnostics import Span
from bootspec.engine.check import Counterexample, RegionRow, Verdict
from bootspec.engine.solver import Limits, z3_version
from bootspec.lang.ir import Model, Obligation, Proof

SCHEMA = 1
DEFAULT_DIR = ".bootspec-cache"


@functools.lru_cache(maxsize=1)
def _engine_hash() -> str:
    """A hash of bootspec's own code: a changed checker must not reuse old verdicts,
    even when the version number was not bumped."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    for f in sorted(root.rglob("*")):
        if f.suffix in (".py", ".lark") and f.is_file():
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def key(model: Model, proof: Proof | None, ob: Obligation, limits: Limits) -> str:
    """The content hash of one obligation."""
    return note_key("verdict", model, proof, ob, limits)


def note_key(kind: str, *content: object) -> str:
    """The content hash of a note of ``kind`` about ``content`` (models, proofs,
    obligations, limits: whatever the note was computed from)."""
    from bootspec.engine import check as check_mod
    whole = (SCHEMA, __version__, _engine_hash(), z3_version(), check_mod.SMALL_MAP, kind,
             content)
    try:
        blob = repr(whole)
    except ValueError:  # an integer too long for decimal (a 4,000-digit constant)
        blob = _hex_repr(whole)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _hex_repr(x: object) -> str:
    """``repr`` with every integer in hex: Python refuses decimal beyond 4,300 digits."""
    if isinstance(x, bool) or x is None or isinstance(x, str | float):
        return repr(x)
    if isinstance(x, int):
        return hex(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return type(x).__name__ + "(" + ",".join(
            f"{f.name}={_hex_repr(getattr(x, f.name))}" for f in dataclasses.fields(x)) + ")"
    if isinstance(x, dict):
        return "{" + ",".join(f"{_hex_repr(k)}:{_hex_repr(v)}" for k, v in x.items()) + "}"
    if isinstance(x, tuple | list | frozenset | set):
        items = sorted(x, key=_hex_repr) if isinstance(x, frozenset | set) else x
        return type(x).__name__ + "(" + ",".join(_hex_repr(v) for v in items) + ")"
    return repr(x)


def _span(d: dict[str, Any]) -> Span:
    return Span(d["path"], d["line"], d["col"], d["end_line"], d["end_col"])


def to_json(v: Verdict) -> dict[str, Any]:
    return dataclasses.asdict(v)


def from_json(d: dict[str, Any]) -> Verdict:
    cex = d.get("counterexample")
    counterexample = None
    if cex is not None:
        counterexample = Counterexample(
            path=tuple(cex["path"]), stage=cex["stage"], step=cex["step"],
            span=_span(cex["span"]) if cex["span"] else None,
            params=tuple(tuple(p) for p in cex["params"]),  # type: ignore[misc]
            regions=tuple(RegionRow(**r) for r in cex["regions"]),
            maps=tuple((m[0], tuple(tuple(s) for s in m[1])) for m in cex["maps"]),  # type: ignore[misc]
            findings=tuple(cex["findings"]),
            inputs=tuple(tuple(i) for i in cex["inputs"]),  # type: ignore[misc]
            vars=tuple(tuple(v) for v in cex["vars"]),  # type: ignore[misc]
            event=cex["event"])
    witness = d.get("witness")
    return Verdict(d["status"], d["reason"], counterexample,
                   tuple((label, _span(span)) for label, span in d["core"]), d["queries"],
                   (witness[0], witness[1], tuple(tuple(x) for x in witness[2]))  # type: ignore[arg-type]
                   if witness else None)


class Cache:
    """A folder of verdicts and notes. ``get`` and ``get_note`` return None on a miss
    or an entry that is unreadable, foreign or of the wrong shape."""

    def __init__(self, folder: str | os.PathLike[str] = DEFAULT_DIR):
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    def _file(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.json"

    def _read(self, k: str) -> dict[str, Any] | None:
        """The entry of key ``k``: a regular file holding a JSON object of this schema
        and key (a FIFO or device there is not waited on)."""
        try:
            fd = os.open(self._file(k), os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    return None
                data = json.loads(f.read().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("key") != k:
            return None
        return data

    def get(self, k: str) -> tuple[Verdict, float] | None:
        data = self._read(k)
        got = None
        if data is not None:
            try:
                got = from_json(data["verdict"]), float(data.get("seconds", 0.0))
            except (ValueError, KeyError, TypeError, IndexError, AttributeError,
                    OverflowError):
                got = None
        if got is None:
            self.misses += 1
        else:
            self.hits += 1
        return got

    def put(self, k: str, verdict: Verdict, seconds: float) -> None:
        if verdict.status == "unknown":
            return  # a time-out may not recur with more time or a quieter machine
        self._write(k, {"schema": SCHEMA, "key": k, "seconds": seconds,
                        "verdict": to_json(verdict)})

    def get_note(self, k: str) -> Any:
        """A note's data (its shape is the reader's to check), or None."""
        data = self._read(k)
        return None if data is None else data.get("note")

    def put_note(self, k: str, note: Any) -> None:
        self._write(k, {"schema": SCHEMA, "key": k, "note": note})

    def _write(self, k: str, data: dict[str, Any]) -> None:
        """Write an entry under a temporary name and rename it into place; the
        temporary file never outlives a failed or interrupted write."""
        f = self._file(k)
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, sort_keys=True)
            fd, tmp = tempfile.mkstemp(dir=f.parent, prefix=".tmp-", suffix=".json")
            done = False
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(tmp, f)
                done = True
            finally:
                if not done:
                    Path(tmp).unlink(missing_ok=True)
        except (OSError, ValueError):
            return  # a read-only or full disk (or a number JSON cannot hold) costs the speed-up
