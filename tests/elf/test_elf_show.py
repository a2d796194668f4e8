"""``bootspec elf show`` against readelf's view of the same file.

The images are built here: with the system toolchain (gcc and ld with a linker script
that places sections at chosen load and virtual addresses, 64- and 32-bit), and, for
big-endian images the x86 toolchain cannot make, with the small writer in elfwrite.py.
A PE image (as xen.efi is built: ld -m i386pep) is compared with objdump. Tests that
need a tool skip, saying which, where it is missing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import elfwrite
import pytest
from elfwrite import build_elf
from helpers import cli

HAVE_READELF = shutil.which("readelf") is not None
need_readelf = pytest.mark.skipif(not HAVE_READELF, reason="needs readelf (binutils)")

def written_elf(tmp: Path, bits: int, big: bool) -> Path:
    data, _ = elfwrite.build(bits, big)
    out = tmp / f"w{bits}{'be' if big else 'le'}.elf"
    out.write_bytes(data)
    return out


# -- readelf's view -----------------------------------------------------------------------

_PH = re.compile(r"^\s+(\S+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)"
                 r"\s+(0x[0-9a-f]+)\s+([RWE ]{3})\s+(0x[0-9a-f]+)$")
_SH = re.compile(r"^\s+\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)"
                 r"\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$")
_NOTE = re.compile(r"^\s+(\S+)\s+(0x[0-9a-f]+)\s+.*?\(0x([0-9a-f]+)\).*description data: (.*)$")
_SYM = re.compile(r"^\s+\d+: ([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)$")


def readelf(path: Path) -> dict[str, object]:
    text = subprocess.run(["readelf", "-W", "-h", "-l", "-S", "-n", "-s", str(path)],
                          capture_output=True, text=True, check=True).stdout
    head: dict[str, str] = {}
    segs, secs, notes, syms = [], [], [], {}
    for line in text.splitlines():
        if m := re.match(r"^  ([A-Za-z /]+):\s+(.*)$", line):
            head.setdefault(m[1].strip(), m[2].strip())
        if m := _PH.match(line):
            segs.append(m.groups())
        elif m := _SH.match(line):
            secs.append(m.groups())
        elif (m := _NOTE.match(line)) and "Owner" not in line:
            notes.append((m[1], int(m[2], 16), int(m[3], 16), m[4].replace(" ", "")))
        elif m := _SYM.match(line):
            syms[m[6]] = m.groups()
    return {"head": head, "segs": segs, "secs": secs, "notes": notes, "syms": syms}


def show(path: Path, *symbols: str) -> dict[str, object]:
    argv = ["elf", "show", str(path), "--format", "json"]
    for s in symbols:
        argv += ["--symbol", s]
    status, out, err = cli(*argv)
    assert status == 0, err
    return json.loads(out)


def _num(s: str) -> int:
    return int(s, 16)


def compare(path: Path, symbols: tuple[str, ...]) -> None:
    mine, ref = show(path, *symbols), readelf(path)
    head = ref["head"]
    assert mine["class"] == (64 if head["Class"] == "ELF64" else 32)
    assert mine["endian"] == ("big" if "big endian" in head["Data"] else "little")
    h = mine["header"]
    assert h["type"] == "ET_" + head["Type"].split()[0]
    assert _num(h["entry"]) == int(head["Entry point address"], 16)
    assert h["phoff"] == int(head["Start of program headers"].split()[0])
    assert h["shoff"] == int(head["Start of section headers"].split()[0])
    assert (h["phnum"], h["shnum"], h["shstrndx"]) == (
        int(head["Number of program headers"]), int(head["Number of section headers"]),
        int(head["Section header string table index"]))
    assert (h["ehsize"], h["phentsize"], h["shentsize"]) == (
        int(head["Size of this header"].split()[0]),
        int(head["Size of program headers"].split()[0]),
        int(head["Size of section headers"].split()[0]))
    # program headers: every field
    assert len(mine["segments"]) == len(ref["segs"])
    for s, (typ, off, va, pa, fs, ms, flg, al) in zip(mine["segments"], ref["segs"], strict=True):
        assert s["type"] == "PT_" + typ
        assert [_num(s[k]) for k in ("offset", "vaddr", "paddr", "filesz", "memsz", "align")] \
            == [int(x, 16) for x in (off, va, pa, fs, ms, al)]
        assert s["flags"].replace("-", "") == flg.replace(" ", "")
    # section headers (readelf leaves out the null section's row pattern)
    rows = {int(r[0]): r for r in ref["secs"]}
    for s in mine["sections"][1:]:
        _, name, typ, addr, off, size, es, flg, lk, inf, al = rows[s["index"]]
        assert (s["name"], s["type"]) == (name, "SHT_" + typ)
        assert [_num(s["addr"]), _num(s["offset"]), _num(s["size"]), s["entsize"]] == \
            [int(addr, 16), int(off, 16), int(size, 16), int(es, 16)]
        assert (s["flags"], s["link"], s["info"], s["align"]) == (flg, int(lk), int(inf),
                                                                    int(al))
    # notes: owner, type, descriptor bytes
    assert [(n["owner"], n["descsz"], n["type"], n["desc"]) for n in mine["notes"]] == \
        ref["notes"]
    # symbols asked for
    for y in mine["symbols"]:
        val, size, typ, bind, ndx, name = ref["syms"][y["name"]]
        assert (_num(y["value"]), y["size"], y["type"], y["bind"], y["section"]) == (
            int(val, 16), int(size), typ, bind, ndx)


def _xen_notes(doc: dict[str, object]) -> dict[str, object]:
    return {n["name"]: n["value"] for n in doc["notes"] if n["owner"] == "Xen"}  # type: ignore[index,union-attr]


@need_readelf
@pytest.mark.parametrize("bits", [64, 32])
def test_toolchain_image_matches_readelf(tmp_path: Path, bits: int) -> None:
    path = build_elf(tmp_path, bits)
    compare(path, ("_start", "_end", "counter", "__bss_tail"))
    doc = show(path, "_start")
    # file offset and load address kept apart; the Xen notes decoded by name
    load0 = doc["segments"][0]
    assert (load0["paddr"], load0["offset"]) == ("0x200000", "0x1000")
    assert _xen_notes(doc) == {"XEN_ELFNOTE_PHYS32_ENTRY": "0x200000",
                               "XEN_ELFNOTE_PHYS32_RELOC": ["0x200000", "0x100000", "0xffffffff"]}


@need_readelf
@pytest.mark.parametrize(("bits", "big"), [(32, True), (64, True), (32, False), (64, False)])
def test_written_image_matches_readelf(tmp_path: Path, bits: int, big: bool) -> None:
    path = written_elf(tmp_path, bits, big)
    compare(path, ("_start", "_end"))
    doc = show(path)
    assert doc["endian"] == ("big" if big else "little") and doc["class"] == bits
    # the descriptor bytes are read in the file's byte order
    assert _xen_notes(doc)["XEN_ELFNOTE_PHYS32_ENTRY"] == "0x200040"


def test_text_output_names_the_notes(tmp_path: Path) -> None:
    path = written_elf(tmp_path, 64, True)
    status, out, _ = cli("elf", "show", str(path), "-s", "_start")
    assert status == 0
    assert "ELF64 ET_EXEC, big endian" in out
    assert "XEN_ELFNOTE_PHYS32_ENTRY = 0x200040" in out
    assert "XEN_ELFNOTE_PHYS32_RELOC align 0x200000, min 0x100000, max 0xffffffff" in out
    assert re.search(r"_start\s+0x80200000", out)


def test_pe_image_matches_objdump(tmp_path: Path) -> None:
    if shutil.which("ld") is None or shutil.which("gcc") is None or \
            shutil.which("objdump") is None:
        pytest.skip("needs gcc, ld and objdump to build and read a PE image")
    (tmp_path / "pe.S").write_text(".text\n.globl _start\n_start: nop\n ret\n.data\n.quad 1\n")
    subprocess.run(["gcc", "-c", str(tmp_path / "pe.S"), "-o", str(tmp_path / "pe.o")],
                   check=True)
    pe = tmp_path / "xen.efi"
    r = subprocess.run(["ld", "-m", "i386pep", "--subsystem", "10", "--image-base",
                        "0x10000000", "-e", "_start", "-o", str(pe), str(tmp_path / "pe.o")],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        pytest.skip(f"this ld does not make PE images (i386pep): {r.stderr.strip()[:200]}")
    doc = show(pe)
    assert doc["format"] == "pe" and doc["header"]["type"] == "PE32+"
    assert doc["header"]["image_base"] == "0x10000000"
    dump = subprocess.run(["objdump", "-h", str(pe)], capture_output=True, text=True,
                          check=True).stdout
    rows = re.findall(r"^\s+\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)",
                      dump, re.M)
    assert [(s["name"], _num(s["size"]), _num(s["addr"]), _num(s["offset"]))
            for s in doc["sections"]] == [(n, int(sz, 16), int(vma, 16), int(off, 16))
                                          for n, sz, vma, off in rows]
    status, _, err = cli("elf", "show", str(pe), "--symbol", "_start")
    assert status == 2 and "error[BS008]" in err and "no symbols from PE" in err


def test_unreadable_images_are_bs008(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not an image at all")
    status, _, err = cli("elf", "show", str(junk))
    assert status == 2 and "error[BS008]" in err and "neither an ELF nor a PE" in err
    cut = tmp_path / "cut.elf"
    cut.write_bytes(written_elf(tmp_path, 64, False).read_bytes()[:40])
    status, _, err = cli("elf", "show", str(cut))
    assert status == 2 and "error[BS008]" in err
    status, _, err = cli("elf", "show", str(tmp_path / "missing"))
    assert status == 2 and "error[BS008]" in err
    status, _, err = cli("elf", "show", str(written_elf(tmp_path, 32, True)), "-s", "nope")
    assert status == 2 and "no symbol 'nope'" in err


def test_damaged_images_are_errors_not_tracebacks(tmp_path: Path) -> None:
    """Bytes flipped in the headers: read() returns or raises ImageError, nothing else
    (construct's ArrayError once escaped pyelftools)."""
    import random

    from bootspec.elf import ImageError, read
    rng = random.Random(5)
    data, _ = elfwrite.build(64, True)
    path = tmp_path / "damaged.elf"
    errors = 0
    for _ in range(400):
        d = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            d[rng.randrange(0, 200)] = rng.randrange(256)
        path.write_bytes(bytes(d))
        try:
            read(str(path), ["_start"])
        except ImageError:
            errors += 1
    assert 0 < errors < 400
    # the case that escaped: a note name without its NUL (pyelftools' construct raised
    # ArrayError 'missing terminator'); the first note's name "Xen\0" ends at 0x104f
    d = bytearray(data)
    assert d[0x104C:0x1050] == b"Xen\0"
    d[0x104F] = 0x9D
    path.write_bytes(bytes(d))
    with pytest.raises(ImageError, match="not a well-formed ELF file"):
        read(str(path))
