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
runs never see half an entry. Each carries a sha256 of its content, and a
verdict is checked field by field (:func:`from_json`): an unreadable, foreign,
ill-shaped, altered or oversized entry is a miss. Beyond that the folder is
trusted as the checker's own output is: an edited entry whose checksum was made
again, or a proof set in a model's note, is believed (a model's note loses any
proof contradicted by a counterexample it also records).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bootspec import __version__, safeio
from bootspec.diagnostics import Span
from bootspec.errors import BootspecException

if TYPE_CHECKING:  # the engine (and Z3) is imported where a key is made or a verdict read
    from bootspec.engine.check import RegionRow, Verdict
    from bootspec.engine.limits import Limits
    from bootspec.lang.ir import Model, Obligation, Proof

SCHEMA = 1
#: how ``--help`` names the default folder (:func:`default_dir` finds it)
DEFAULT_DIR_HELP = "$XDG_CACHE_HOME/bootspec, else ~/.cache/bootspec"
MAX_ENTRY_BYTES = 64 << 20  # a larger entry is not bootspec's: a miss, never read


def default_dir() -> Path:
    """The per-user cache folder: ``$XDG_CACHE_HOME/bootspec``, else
    ``~/.cache/bootspec`` (the XDG Base Directory rules: a relative or empty
    ``XDG_CACHE_HOME`` is ignored). One folder serves every project the user
    checks, wherever they stand: every entry is keyed by the content it was
    computed from (a run entry by its working folder too), so runs from different
    folders, checkouts or bootspec versions never read each other's entries as
    their own. Without a home folder, ``.bootspec-cache`` in the working folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "bootspec"
    home = os.path.expanduser("~")
    if home == "~" or not os.path.isabs(home):
        return Path(".bootspec-cache")
    return Path(home) / ".cache" / "bootspec"


@functools.lru_cache(maxsize=1)
def engine_hash() -> str:
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
    from bootspec.engine.solver import z3_version
    whole = (SCHEMA, __version__, engine_hash(), z3_version(), check_mod.SMALL_MAP, kind,
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


class BadEntry(BootspecException, ValueError):
    """A cache entry that is not exactly what :func:`to_json` writes."""


def _is(v: object, *types: type) -> bool:
    """``isinstance`` where a bool is no int (JSON true is not a line number)."""
    if isinstance(v, bool) and bool not in types:
        return False
    return isinstance(v, types)


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise BadEntry(what)


def _list(v: object, n: int | None = None) -> list[Any]:
    _need(isinstance(v, list) and (n is None or len(v) == n), "a list")
    return v  # type: ignore[return-value]


def _span(d: object) -> Span:
    _need(isinstance(d, dict) and set(d) == {"path", "line", "col", "end_line", "end_col"},
          "a span")
    assert isinstance(d, dict)
    _need(_is(d["path"], str) and all(_is(d[k], int) for k in
                                      ("line", "col", "end_line", "end_col")), "a span")
    return Span(d["path"], d["line"], d["col"], d["end_line"], d["end_col"])


def _pairs(v: object, second: type) -> tuple[tuple[Any, Any], ...]:
    out = []
    for x in _list(v):
        a, b = _list(x, 2)
        _need(_is(a, str) and _is(b, second), "a (name, value) pair")
        out.append((a, b))
    return tuple(out)


def _strs(v: object) -> tuple[str, ...]:
    items = _list(v)
    _need(all(_is(x, str) for x in items), "a list of strings")
    return tuple(items)


def _region(r: object) -> RegionRow:
    from bootspec.engine.check import RegionRow
    _need(isinstance(r, dict) and set(r) == {f.name for f in dataclasses.fields(RegionRow)},
          "a region row")
    assert isinstance(r, dict)
    _need(_is(r["name"], str) and _is(r["start"], int) and _is(r["end"], int)
          and (r["owner"] is None or _is(r["owner"], str))
          and (r["type"] is None or _is(r["type"], str)) and _is(r["marked"], bool),
          "a region row")
    return RegionRow(**r)


def to_json(v: Verdict) -> dict[str, Any]:
    return dataclasses.asdict(v)


def from_json(d: object) -> Verdict:
    """The verdict :func:`to_json` wrote, checked field by field: anything else (a
    hand-edited or truncated entry, a status that is no verdict, a violation without
    its counterexample) raises :class:`BadEntry`, and the cache treats it as a miss."""
    from bootspec.engine.check import Counterexample, Verdict
    _need(isinstance(d, dict) and set(d) == {f.name for f in dataclasses.fields(Verdict)},
          "a verdict")
    assert isinstance(d, dict)
    status, reason = d["status"], d["reason"]
    # unknown is never written: a time-out may not recur
    _need(status in ("holds", "violated", "vacuous") and _is(reason, str), "a verdict")
    _need(_is(d["queries"], int) and d["queries"] >= 0, "a query count")
    cex = d["counterexample"]
    _need((cex is not None) == (status == "violated"), "a counterexample with violated")
    counterexample = None
    if cex is not None:
        _need(isinstance(cex, dict) and set(cex) == {
            f.name for f in dataclasses.fields(Counterexample)}, "a counterexample")
        _need(_is(cex["stage"], str) or cex["stage"] is None, "a stage")
        _need(_is(cex["step"], str) and _is(cex["event"], int), "a step")
        maps = []
        for m in _list(cex["maps"]):
            name, entries = _list(m, 2)
            _need(_is(name, str), "a map name")
            rows = tuple(tuple(_list(e, 3)) for e in _list(entries))
            _need(all(_is(a, int) and _is(b, int) and _is(t, str) for a, b, t in rows),
                  "map entries")
            maps.append((name, rows))
        counterexample = Counterexample(
            path=_strs(cex["path"]), stage=cex["stage"], step=cex["step"],
            span=_span(cex["span"]) if cex["span"] is not None else None,
            params=_pairs(cex["params"], str),
            regions=tuple(_region(r) for r in _list(cex["regions"])),
            maps=tuple(maps), findings=_strs(cex["findings"]),
            inputs=_pairs(cex["inputs"], int), vars=_pairs(cex["vars"], str),
            event=cex["event"])
    core = []
    for x in _list(d["core"]):
        label, span = _list(x, 2)
        _need(_is(label, str), "a core label")
        core.append((label, _span(span)))
    witness = d["witness"]
    if witness is not None:
        path_i, event, inputs = _list(witness, 3)
        _need(_is(path_i, int) and _is(event, int), "a witness")
        witness = (path_i, event, _pairs(inputs, int))
    return Verdict(status, reason, counterexample, tuple(core), d["queries"], witness)


def _digest(data: dict[str, Any]) -> str:
    """The checksum an entry carries: sha256 of its canonical JSON without it."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


class Cache:
    """A folder of verdicts and notes. ``get`` and ``get_note`` return None on a miss
    or an entry that is unreadable, foreign or of the wrong shape."""

    def __init__(self, folder: str | os.PathLike[str] | None = None):
        self.folder = Path(folder) if folder is not None else default_dir()
        self.hits = 0
        self.misses = 0

    def _file(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.json"

    def file_of(self, k: str) -> Path:
        """Where the entry of key ``k`` is (or would be)."""
        return self._file(k)

    def _read(self, k: str) -> dict[str, Any] | None:
        """The entry of key ``k``: a regular file of at most MAX_ENTRY_BYTES holding a
        JSON object of this schema and key (a FIFO or device there is not waited on)."""
        try:
            data = json.loads(safeio.read_bounded(self._file(k), MAX_ENTRY_BYTES))
        except (OSError, ValueError, RecursionError, safeio.Refused):
            return None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("key") != k:
            return None
        if data.pop("sha256", None) != _digest(data):
            return None  # a flipped byte, a cut or an edit: no longer what bootspec wrote
        return data

    def get(self, k: str) -> tuple[Verdict, float] | None:
        data = self._read(k)
        got = None
        if data is not None:
            try:
                seconds = data.get("seconds", 0.0)
                _need(_is(seconds, int, float) and 0 <= seconds < float("inf"), "seconds")
                got = from_json(data.get("verdict")), float(seconds)
            except (ValueError, KeyError, TypeError, IndexError, AttributeError,
                    OverflowError):  # BadEntry is a ValueError
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
            text = json.dumps({**data, "sha256": _digest(data)}, sort_keys=True)
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
