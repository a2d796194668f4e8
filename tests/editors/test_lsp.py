"""``bootspec lsp``, driven over its protocol: ``python -m bootspec lsp`` runs as a
subprocess and the test speaks JSON-RPC to it with Content-Length framing, as an
editor does. Every read has a timeout, so a server that hangs fails the test."""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO

pytest.importorskip("pygls", reason="bootspec lsp needs the 'lsp' extra (pygls)")

TIMEOUT = 60.0  # seconds for any one answer (a load of a small project takes ~1 s)

MODEL = """model tiny
  width 32
param fd_size in {1MiB, 2MiB}
stage s
  place fw size fd_size at 0x100000
  place info size 4KiB at 0x80000
"""
PROOF = """proof fw_clear_of_info
  for tiny expect holds
  always disjoint(fw, info)
"""


class Client:
    """A language client: JSON-RPC over the server's stdin and stdout."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "bootspec", "lsp"], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.root = cwd

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                header = out.readline()
                if not header:
                    self.messages.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(out.read(length)))

    def send(self, method: str, params: dict[str, Any], request: bool = False) -> int | None:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def wait(self, want: Any) -> dict[str, Any]:
        """The next message for which ``want(message)`` holds (others are skipped)."""
        while True:
            try:
                msg = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(f"no answer from the server within {TIMEOUT} s")
            if msg is None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                pytest.fail(f"the server ended: {err[-2000:]}")
            if want(msg):
                return msg

    def diagnostics(self, path: Path) -> list[dict[str, Any]]:
        uri = path.as_uri()
        msg = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"]["uri"] == uri)
        return msg["params"]["diagnostics"]  # type: ignore[no-any-return]

    def open(self, path: Path, text: str) -> None:
        self.send("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": "bootspec", "version": 1, "text": text}})

    def change(self, path: Path, text: str, version: int) -> None:
        self.send("textDocument/didChange", {
            "textDocument": {"uri": path.as_uri(), "version": version},
            "contentChanges": [{"text": text}]})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "proofs").mkdir()
    (tmp_path / "models" / "tiny.boot").write_text(MODEL)
    (tmp_path / "proofs" / "tiny.proof").write_text(PROOF)
    return tmp_path


@pytest.fixture
def client(project: Path) -> Iterator[Client]:
    c = Client(project)
    try:
        i = c.send("initialize", {"processId": None, "rootUri": project.as_uri(),
                                  "capabilities": {}}, request=True)
        answer = c.wait(lambda m: m.get("id") == i)
        caps = answer["result"]["capabilities"]
        assert caps["textDocumentSync"]["change"] == 1  # full text on every change
        assert answer["result"]["serverInfo"]["name"] == "bootspec"
        c.send("initialized", {})
        yield c
        i = c.send("shutdown", {}, request=True)
        c.wait(lambda m: m.get("id") == i)
        c.send("exit", {})
        assert c.proc.wait(timeout=TIMEOUT) == 0
    finally:
        with contextlib.suppress(OSError):
            c.proc.kill()
        c.proc.wait(timeout=TIMEOUT)


def test_a_name_error_is_shown_at_its_range_and_a_fix_clears_it(client: Client,
                                                                project: Path) -> None:
    model = project / "models" / "tiny.boot"
    broken = MODEL.replace("size fd_size at", "size fd_sise at")
    client.open(model, broken)
    [d] = client.diagnostics(model)
    line = broken.splitlines()[4]
    col = line.index("fd_sise")
    assert d["code"] == "BS101" and d["source"] == "bootspec"
    assert d["severity"] == 1 and "fd_sise" in d["message"]
    assert "did you mean 'fd_size'" in d["message"]  # the hint comes along
    assert d["range"] == {"start": {"line": 4, "character": col},
                          "end": {"line": 4, "character": col + len("fd_sise")}}
    client.change(model, MODEL, 2)
    assert client.diagnostics(model) == []


def test_a_syntax_error(client: Client, project: Path) -> None:
    model = project / "models" / "tiny.boot"
    broken = MODEL.replace("place info size 4KiB at", "place info size 4KiB at at")
    client.open(model, broken)
    diags = client.diagnostics(model)
    assert [d["range"]["start"]["line"] for d in diags] == [5]
    assert diags[0]["code"].startswith("BS") and diags[0]["severity"] == 1


def test_names_of_other_files_resolve_and_their_errors_go_to_them(
        client: Client, project: Path) -> None:
    """The proof names the model's regions (a file on disk); the model's edited text
    replaces its file, so a region removed in the editor is an error in the proof."""
    proof, model = project / "proofs" / "tiny.proof", project / "models" / "tiny.boot"
    client.open(proof, PROOF)
    assert client.diagnostics(proof) == []
    client.open(model, MODEL.replace("  place info size 4KiB at 0x80000\n", ""))
    got = {}
    for _ in range(2):  # both files of the project are published, in some order
        msg = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        got[msg["params"]["uri"]] = msg["params"]["diagnostics"]
    assert got[model.as_uri()] == []
    [d] = got[proof.as_uri()]
    assert "info" in d["message"] and d["range"]["start"]["line"] == 2


def test_the_edited_text_replaces_the_file_on_disk(client: Client, project: Path) -> None:
    model = project / "models" / "tiny.boot"
    model.write_text(MODEL.replace("fd_size at", "fd_sise at"))  # broken on disk
    client.open(model, MODEL)  # fixed in the editor
    assert client.diagnostics(model) == []


def test_shipped_models_load_clean() -> None:
    """The server's project loading on the shipped suite: no diagnostic."""
    from bootspec.lsp import diagnose
    doc = str(REPO / "models" / "hvmloader_ovmf.boot")
    by_file, _ = diagnose(doc, {})
    assert doc in by_file and len(by_file) > 10
    assert all(d.severity != "error" for ds in by_file.values() for d in ds)


def test_without_pygls_the_command_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "pygls").mkdir()
    (tmp_path / "pygls" / "__init__.py").write_text("raise ImportError('no pygls here')\n")
    done = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1));"
                           " from bootspec.cli import main; main()", str(tmp_path), "lsp"],
                          cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "pip install 'bootspec[lsp]'" in done.stderr
