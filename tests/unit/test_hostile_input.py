"""Hostile files and paths: every one ends in a located error or a correct run, never a
read without bound, a hang on a pipe, a read outside the model's project, or an error
that prints a line of a file that is not a model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import REPO, cli, errors_of

from bootspec import safeio
from bootspec.diagnostics import Diagnostic, Span, render_all

HEAD = "model m\n  width 32\n"
TAIL = "stage s\n  place a size 4KiB at 0x1000\n"
MAP = ("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
       "BIOS-e820: [mem 0x0000000000100000-0x00000000dfffffff] usable\n")
SECRET = "root:SECRET-HASH-NEVER-PRINTED:19000:0:99999:7:::"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (mkfifo)")
needs_devzero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")


def _model(folder: Path, target: str, name: str = "m.boot") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(f'{HEAD}map ram : e820 from "{target}"\n{TAIL}')
    return p


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A project folder with a model and a machine map, and a secret file beside it."""
    proj = tmp_path / "proj"
    (proj / "machines").mkdir(parents=True)
    (proj / "machines" / "desk.txt").write_text(MAP)
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n")
    return proj, secret


# -- 1. unbounded reads ---------------------------------------------------------------

@needs_devzero
def test_a_model_naming_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    m = _model(tmp_path, "/dev/zero")
    status, _, err = cli("check", "--no-cache", str(m))
    assert status == 2 and f"{m}:3:1: error[BS531]" in err and "absolute path" in err
    # allowed explicitly, it is still no regular file: refused, not read
    status, _, err = cli("check", "--no-cache", "--allow-path", "/dev", str(m))
    assert status == 2 and "/dev/zero:1:1: error[BS507]" in err and "character device" in err


@needs_devzero
def test_check_memmap_dev_zero_is_refused_and_the_printer_reads_nothing() -> None:
    status, _, err = cli("check", "--no-cache", "--memmap", "/dev/zero",
                         str(REPO / "models" / "xen_kdump.boot"))
    assert status == 2 and "/dev/zero:1:1: error[BS507]" in err and "\x00" not in err


@needs_fifo
def test_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "machines").mkdir()
    os.mkfifo(tmp_path / "machines" / "pipe.txt")
    m = _model(tmp_path, "machines/pipe.txt")
    status, _, err = cli("check", "--no-cache", str(m))
    assert status == 2 and "pipe.txt:1:1: error[BS507]" in err and "pipe (FIFO)" in err
    os.mkfifo(tmp_path / "pipe.boot")
    status, _, err = cli("check", "--no-cache", str(tmp_path / "pipe.boot"))
    assert status == 2 and "pipe.boot:1:1: error[BS002]" in err and "pipe (FIFO)" in err
    status, _, err = cli("check", "--no-cache", "--memmap", str(tmp_path / "machines"
                                                                 / "pipe.txt"), str(m))
    assert status == 2 and "error[BS507]" in err


def test_a_sparse_giant_model_or_map_is_refused_from_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.boot"
    with big.open("wb") as f:
        f.truncate(2 << 30)  # 2 GB of holes: nothing is allocated, nothing must be read
    status, _, err = cli("check", "--no-cache", str(big))
    assert status == 2 and f"{big}:1:1: error[BS118]" in err and "2147483648 bytes" in err
    (tmp_path / "machines").mkdir()
    with (tmp_path / "machines" / "huge.txt").open("wb") as f:
        f.truncate(2 << 30)
    m = _model(tmp_path, "machines/huge.txt")
    status, _, err = cli("check", "--no-cache", str(m))
    assert status == 2 and "huge.txt:1:1: error[BS507]" in err and "bytes, more than" in err


def test_the_printer_reads_only_the_line_it_shows(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "long.boot"
    src.write_text("# filler\n" * 200_000 + HEAD + "const C = ???\n")
    read = {"bytes": 0}
    real = safeio.open_regular

    class Counting:
        def __init__(self, f: object) -> None:
            self.f = f

        def readline(self, n: int) -> bytes:
            got = self.f.readline(n)  # type: ignore[attr-defined]
            read["bytes"] += len(got)
            return got

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *a: object) -> None:
            self.f.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(safeio, "open_regular", lambda p: Counting(real(p)))
    line = 200_003
    text = render_all([Diagnostic("BS100", "x", Span(str(src), line, 11))])
    assert "const C = ???" in text and f"{line} | const C" in text
    assert read["bytes"] == src.stat().st_size  # streamed up to that line (the last), once
    read["bytes"] = 0
    text = render_all([Diagnostic("BS100", "x", Span(str(src), 3, 1))])
    assert read["bytes"] == len("# filler\n") * 3  # and no further than the line shown


def test_read_line_stops_at_its_byte_bound(tmp_path: Path) -> None:
    p = tmp_path / "x.boot"
    p.write_bytes(b"a" * 10_000 + b"\nsecond\n")
    assert safeio.read_line(p, 2) == "second"
    assert safeio.read_line(p, 2, max_bytes=5_000) is None  # beyond the bound: no line
    assert safeio.read_line(p, 1, max_line=10) == "a" * 10
    assert safeio.read_line(p, 3) is None


def test_the_printer_never_reads_a_file_that_is_no_model(tmp_path: Path) -> None:
    log = tmp_path / "boot.log"
    log.write_text(SECRET + "\n")
    text = render_all([Diagnostic("BS506", "no memory map found", Span(str(log), 1, 1))])
    assert SECRET not in text


# -- 2. paths in a model stay in its project -----------------------------------------------

@pytest.mark.parametrize(("target", "why"), [
    ("../shadow", "outside the model's project"),
    ("../../../../../../../../etc/passwd", "outside the model's project"),
    ("machines/../../shadow", "outside the model's project"),
    ("/etc/passwd", "absolute path"),
])
def test_a_path_out_of_the_project_is_refused_and_nothing_is_read(tmp_path: Path, target: str,
                                                                  why: str) -> None:
    proj, _ = _project(tmp_path)
    m = _model(proj, target)
    status, out, err = cli("check", "--no-cache", str(proj))
    assert status == 2 and f"{m}:3:1: error[BS531]" in err and why in err
    assert SECRET not in out + err and "root:" not in err


def test_a_symlink_out_of_the_project_is_an_escape_too(tmp_path: Path) -> None:
    proj, secret = _project(tmp_path)
    (proj / "machines" / "link.txt").symlink_to(secret)
    m = _model(proj, "machines/link.txt")
    status, _, err = cli("check", "--no-cache", str(m))
    assert status == 2 and "error[BS531]" in err and SECRET not in err


def test_inside_the_project_a_map_loads(tmp_path: Path) -> None:
    proj, _ = _project(tmp_path)
    (proj / "models").mkdir()
    m = _model(proj / "models", "../machines/desk.txt")
    status, out, err = cli("check", "--no-cache", "--no-timing", str(proj))
    assert (status, err) == (0, "") and "wellformed" in out
    # the same model named alone: its project is its own folder, so "../" leaves it...
    status, _, err = cli("check", "--no-cache", str(m))
    assert status == 2 and "error[BS531]" in err and "--root" in err
    # ...unless --root says where the project is
    status, _, err = cli("check", "--no-cache", "--root", str(proj), str(m))
    assert (status, err) == (0, "")
    # with no path named (models/ and proofs/ of the working folder), that folder is it
    status, _, err = cli("check", "--no-cache", "--no-timing", cwd=proj)
    assert (status, err) == (0, "")


def test_allow_path_lets_a_model_read_a_folder_and_no_content_is_echoed(tmp_path: Path) -> None:
    proj, secret = _project(tmp_path)
    m = _model(proj, str(secret))
    status, out, err = cli("check", "--no-cache", "--allow-path", str(tmp_path), str(m))
    # read, as the user allowed, but it is no map: the errors say so without its content
    assert status == 2 and f"{secret}:1:1: error[BS506]" in err and "error[BS525]" in err
    assert SECRET not in out + err
    status, _, err = cli("memmap", "show", str(secret))  # a file named by the user: same
    assert status == 2 and SECRET not in err
    status, _, err = cli("check", "--no-cache", "--memmap", str(secret), str(m))
    assert status == 2 and SECRET not in err


def test_memmap_check_workers_keep_the_scope(tmp_path: Path) -> None:
    proj, _ = _project(tmp_path)
    (proj / "models").mkdir()
    (proj / "models" / "m.boot").write_text(
        f'{HEAD}map ram : e820 from "../machines/desk.txt"\nmap fw : e820 symbolic 2\n{TAIL}')
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"m{i}.txt").write_text(MAP)
    for jobs in ("1", "2"):
        status, _, err = cli("memmap", "check", str(corpus), "-m", "m", "--path",
                               str(proj / "models"), "--root", str(proj), "-j", jobs,
                               "--no-cache", "--no-timing")
        assert status == 0, err
    status, _, err = cli("memmap", "check", str(corpus), "-m", "m", "--path",
                         str(proj / "models"), "--no-cache")
    assert status == 2 and "error[BS531]" in err


def test_the_bs530_example_triggers_it(tmp_path: Path) -> None:
    from bootspec.memmap.codes import BIND_CODES
    example = BIND_CODES["BS531"][1]
    assert [c for c, _, _ in errors_of(f"{HEAD}{example}\n{TAIL}")] == ["BS531"]


# -- 4. huge numbers -------------------------------------------------------------------

HUGE_HEX = "0x" + "f" * 3600
HUGE_DEC = "9" * 5000


def test_a_const_of_3600_hex_digits_is_a_located_error() -> None:
    status, _, err = cli("check", "--no-cache", str(_write(f"{HEAD}const C = {HUGE_HEX}\n{TAIL}")))
    assert status == 2 and ":3:11: error[BS107]" in err and "(3600 hex digits)" in err
    assert len(err) < 2000  # the number is never printed whole


@pytest.mark.parametrize("line", [
    f"param p in {{{HUGE_HEX}}}", f"param p in [0, {HUGE_HEX}]", f"region r = [0, {HUGE_HEX})",
    f"var v = {HUGE_HEX}", f"map f : e820 symbolic {HUGE_HEX}", "const C = 0x1_0000_0000_0000_0001",
])
def test_a_number_beyond_2_64_is_bs107_wherever_it_is(line: str) -> None:
    assert "BS107" in {c for c, _, _ in errors_of(f"{HEAD}{line}\n{TAIL}")}


def test_a_decimal_python_refuses_to_read_is_a_located_error() -> None:
    got = errors_of(f"model m\n  width {HUGE_DEC}\n{TAIL}")
    assert ("BS101", 2, 1) in got
    got = errors_of(f"{HEAD}const C = {HUGE_DEC}\n{TAIL}")
    assert [c for c, _, _ in got] == ["BS101"]


def test_a_number_in_an_action_beyond_2_64_is_refused_not_crashed() -> None:
    text = f"{HEAD}stage s\n  place a size 1 at 0\n  place b size 1 at a.end + {HUGE_HEX}\n"
    assert ("BS107", 5, 29) in errors_of(text)
    assert errors_of(f"{HEAD}stage s\n  place a size 1 at 0x1_0000_0000_0000_0000\n") == []


def _write(text: str) -> Path:
    import tempfile
    d = Path(tempfile.mkdtemp())
    p = d / "m.boot"
    p.write_text(text)
    return p


def test_a_file_that_is_no_map_is_never_quoted_even_its_map_like_lines(tmp_path: Path) -> None:
    log = tmp_path / "secret.log"
    log.write_text(f"{SECRET}\nBIOS-e820: [mem {SECRET}] usable\n")  # malformed: BS501
    status, _, err = cli("memmap", "show", str(log))
    assert status == 2 and f"{log}:2:" in err and "error[BS501]" in err
    assert "SECRET-HASH" not in err
    good = tmp_path / "good.log"  # a file that is a map shows its malformed lines
    good.write_text(MAP + "BIOS-e820: [mem 0x1-0xzz] usable\n")
    status, _, err = cli("memmap", "show", str(good))
    assert "0x1-0xzz" in err


def test_a_sysfs_copy_inside_the_project_cannot_link_out(tmp_path: Path) -> None:
    proj, secret = _project(tmp_path)
    entry = proj / "machines" / "sysfs" / "0"
    entry.mkdir(parents=True)
    (entry / "start").write_text("0x0\n")
    (entry / "end").write_text("0x9fbff\n")
    (entry / "type").symlink_to(secret)  # its first line would be quoted as a bad type
    (proj / "machines" / "sysfs" / "1").symlink_to(tmp_path)  # and a linked entry
    m = _model(proj, "machines/sysfs")
    status, out, err = cli("check", "--no-cache", str(m))
    assert status == 2 and "error[BS507]" in err and "symbolic link" in err
    assert SECRET not in out + err
