"""More bad input that must be a located error (exit 2), never a traceback or a hang:
bitwise operators and shifts in constants, absurd shift counts, a huge integer in a
JSON memory map, a FIFO given to ``elf show``, absurd ``--timeout`` and ``-j``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, cli, errors_of, load_text

HEAD = "model fw\n  width 32\n"
PLACE = "stage s\n  place r1 size 4KiB at 0x1000\n"


def _check(tmp_path: Path, text: str, *extra: str) -> tuple[int, str]:
    (tmp_path / "m.boot").write_text(text)
    status, _, err = cli("check", "m.boot", *extra, cwd=tmp_path)
    return status, err


def test_bitwise_constants_fold_to_their_c_values() -> None:
    project = load_text(HEAD + "  const X = 1 << 3\n  param a in [0, 1 << 20]\n"
                        "  const B = (0xff & 0x0f) | (1 ^ 3) | (256 >> 4)\n"
                        "  const S = 7 >> 1\n" + PLACE)
    m = project.models["fw"]
    assert m.symbols["X"].value == 8
    assert m.symbols["B"].value == 0x0f | 2 | 16
    assert m.symbols["S"].value == 3
    a = next(p for p in m.params if p.name == "a")
    assert (a.lo, a.hi) == (0, 1 << 20)


@pytest.mark.parametrize("text", [
    HEAD + "  const X = 1 << 3\n" + PLACE,
    HEAD + "  param a in [0, 1 << 20]\n" + PLACE,
    HEAD + "pool low = [0, 1MiB) up\nstage s\n  place r1 size 4KiB from low align 1 << 12\n",
    HEAD + "param a in [0, 64KiB]\nstage s\n  place r1 size 4KiB at align_up(a, 4096 | 0)\n",
    HEAD + "stage s\n  for i in [0, 1 << 2)\n    place r[i] size 16 at 0x1000 + i * 16\n  end\n",
])
def test_shifts_and_bitwise_operators_fold_without_a_crash(text: str) -> None:
    assert [c for c, _, _ in errors_of(text) if not c.startswith("BS13")] == []


def test_a_constant_shift_that_overflows_is_bs107_like_multiplication() -> None:
    assert ("BS107", 3, 13) in errors_of(HEAD + "  const X = 1 << 70\n" + PLACE)


@pytest.mark.parametrize("text, where", [
    (HEAD + "stage s\n  place r1 size 4KiB at a << 20000\n", (4, 30)),
    (HEAD + "  param a in [0, 16]\nstage s\n  place r1 size 4KiB at a << 20000\n", (5, 30)),
    (HEAD + "  const X = 1 << 2000\n" + PLACE, (3, 18)),
    (HEAD + "  param k in {1, 2000}\n  var Y = 1 << k\n" + PLACE, (4, 16)),
])
def test_an_absurd_shift_count_is_a_located_error(tmp_path: Path, text: str,
                                                  where: tuple[int, int]) -> None:
    if "param a" not in text and "a <<" in text:
        text = text.replace("stage s", "  param a in [0, 16]\nstage s")
        where = (where[0] + 1, where[1])
    status, err = _check(tmp_path, text)
    assert status == 2, err
    assert f"m.boot:{where[0]}:{where[1]}: error[BS107]" in err, err
    assert "larger than 1024" in err
    assert "internal error" not in err and "Traceback" not in err


def test_a_huge_integer_in_a_json_map_is_a_located_error(tmp_path: Path) -> None:
    doc = ('{"bootspec_memmap": 1, "maps": [{"kind": "e820", "entries": [\n'
           '  {"start": ' + "9" * 100_000 + ', "end": "0x1000", "type": "usable"}]}]}\n')
    (tmp_path / "map.json").write_text(doc)
    status, _, err = cli("memmap", "show", "map.json", cwd=tmp_path)
    assert status == 2, err
    assert "map.json:2:" in err and "BS502" in err, err[:2000]
    assert "does not fit in 64 bits" in err
    assert "internal error" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_elf_show_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "image.elf"
    os.mkfifo(fifo)
    try:
        done = subprocess.run([sys.executable, "-m", "bootspec", "elf", "show", str(fifo)],
                              capture_output=True, text=True, timeout=60, cwd=REPO)
    except subprocess.TimeoutExpired:
        pytest.fail("elf show blocked on a FIFO")
    assert done.returncode == 2, done.stderr
    assert str(fifo) in done.stderr and "FIFO" in done.stderr, done.stderr


@pytest.mark.parametrize("value", ["1e308", "1e7"])
def test_an_absurd_timeout_is_refused(tmp_path: Path, value: str) -> None:
    status, err = _check(tmp_path, HEAD + PLACE, "--timeout", value)
    assert status == 2, err
    assert "--timeout" in err and "at most" in err, err
    assert "internal error" not in err


def test_a_large_timeout_within_the_bound_is_accepted(tmp_path: Path) -> None:
    status, err = _check(tmp_path, HEAD + PLACE, "--timeout", "1e6")
    assert status == 0, err


@pytest.mark.parametrize("value", ["257", "99999"])
def test_too_many_jobs_are_refused(tmp_path: Path, value: str) -> None:
    status, err = _check(tmp_path, HEAD + PLACE, "-j", value)
    assert status == 2, err
    assert "--jobs" in err and "at most 256" in err, err
    assert "error[BS001]" in err, err


def test_the_bounded_jobs_type_refuses_too_many() -> None:
    import argparse

    from bootspec.argtypes import jobs_count
    assert jobs_count("256") == 256
    with pytest.raises(argparse.ArgumentTypeError, match="at most 256"):
        jobs_count("257")


@pytest.mark.parametrize("argv", [["memmap", "check", "x.txt", "-m", "m", "-j", "300"],
                                  ["soak", "--models", "-1"], ["fuzz", "--models", "-5"],
                                  ["soak", "-j", "1000"], ["bench", "-j", "0"]])
def test_every_count_flag_is_bounded(argv: list[str]) -> None:
    from helpers import cli
    status, _, err = cli(*argv)
    assert status == 2 and "error[BS001]" in err, err


def test_an_output_is_never_an_input_and_explain_checks_its_files_first(
        tmp_path: Path) -> None:
    from helpers import cli
    model = tmp_path / "m.boot"
    model.write_text(HEAD + PLACE + "proof p\n  for fw expect holds\n  always r1.size == 4KiB\n")
    before = model.read_text()
    status, _, err = cli("check", "--no-cache", str(model), "-o", str(model), "--force")
    assert status == 2 and "is one of the files this run reads" in err
    assert model.read_text() == before
    (tmp_path / "t.py").write_text("mine\n")
    status, _, err = cli("explain", "p", str(model), "--emit-test", str(tmp_path / "t.py"))
    assert status == 2 and "error[BS004]" in err and "p holds" not in err
    assert (tmp_path / "t.py").read_text() == "mine\n"
    status, _, err = cli("explain", "p", str(model), "--emit-test", str(tmp_path / "x"),
                         "--emit-memmap", str(tmp_path / "x"))
    assert status == 2 and "name the same file" in err


def test_a_proof_cannot_take_a_builtin_name_or_name_a_model_twice(tmp_path: Path) -> None:
    from helpers import errors_of
    text = ("model m\n  width 8\nstage s\nproof wellformed\n  for m expect holds\n"
            "  always true\nproof two\n  for m expect holds\n  for m expect violated\n"
            "  always true\n")
    assert errors_of(text) == [("BS102", 4, 1), ("BS102", 9, 3)]


@pytest.mark.parametrize("flag", [["--cache-dir", "FILE"], ["--cache-dir="],
                                  ["--root", "/nonexistent-folder"], ["--root", "FILE"],
                                  ["--allow-path", "/nonexistent-folder"]])
def test_a_folder_flag_names_a_folder(tmp_path: Path, flag: list[str]) -> None:
    # these were accepted in silence: a cache never written, a scope never used
    from helpers import cli
    model = tmp_path / "m.boot"
    model.write_text(HEAD + PLACE)
    argv = [a.replace("FILE", str(model)) for a in flag]
    status, _, err = cli("check", *argv, str(model))
    assert status == 2 and "error[BS001]" in err and argv[0].split("=")[0] in err, err
