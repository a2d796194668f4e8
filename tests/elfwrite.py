"""ELF images for the tests: built with the system toolchain (:func:`build_elf`), and
written by a small ELF writer (:func:`build`) for the big-endian images the system
toolchain cannot make (x86 binutils do not change endianness). The writer writes
exactly what it is told: an ELF header, program headers, a note section holding Xen
notes, a symbol table and the section-name table, for 32- or 64-bit and either
endian."""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Seg:
    type: int  # 1 PT_LOAD, 4 PT_NOTE
    offset: int
    vaddr: int
    paddr: int
    filesz: int
    memsz: int
    flags: int
    align: int


def _note(name: bytes, ntype: int, desc: bytes, end: str) -> bytes:
    pad = lambda b: b + b"\0" * (-len(b) % 4)  # noqa: E731
    return struct.pack(end + "III", len(name) + 1, len(desc), ntype) + pad(name + b"\0") + pad(desc)


def build(bits: int, big: bool, machine: int = 62) -> tuple[bytes, dict[str, object]]:
    """An executable with a 0x40-byte text at file offset 0x1000 (load address 0x200000,
    vaddr 0x80200000), Xen notes PHYS32_ENTRY and PHYS32_RELOC in a PT_NOTE inside it,
    and symbols _start and _end. Returns the bytes and what was written."""
    end = ">" if big else "<"
    word = "Q" if bits == 64 else "I"
    text_off, text_len = 0x1000, 0x40
    notes = (_note(b"Xen", 18, struct.pack(end + "I", 0x200040), end)
             + _note(b"Xen", 19, struct.pack(end + "III", 0x200000, 0x100000, 0xFFFFFFFF), end))
    note_off = text_off + text_len
    body = bytearray(b"\x90" * text_len) + notes
    load = Seg(1, text_off, 0x80200000, 0x200000, len(body), len(body) + 0x2000, 5, 0x1000)
    note = Seg(4, note_off, 0x80200000 + text_len, 0x200000 + text_len, len(notes),
               len(notes), 4, 4)
    strtab = b"\0_start\0_end\0"
    shstr = b"\0.text\0.note.Xen\0.symtab\0.strtab\0.shstrtab\0"
    if bits == 64:
        sym = lambda n, v, shn: struct.pack(end + "IBBHQQ", n, 0x10, 0, shn, v, 0)  # noqa: E731
    else:
        sym = lambda n, v, shn: struct.pack(end + "IIIBBH", n, v, 0, 0x10, 0, shn)  # noqa: E731
    symtab = sym(0, 0, 0)[:0] + b"\0" * (24 if bits == 64 else 16) + sym(1, 0x80200000, 1) \
        + sym(8, 0x80200000 + len(body) + 0x2000, 1)
    data = bytearray(b"\0" * text_off) + body
    symtab_off = len(data)
    data += symtab
    strtab_off = len(data)
    data += strtab
    shstr_off = len(data)
    data += shstr
    data += b"\0" * (-len(data) % 8)
    shoff = len(data)
    ehsize, phsize, shsize = (64, 56, 64) if bits == 64 else (52, 32, 40)
    phoff = ehsize

    def shdr(name: int, typ: int, flags: int, addr: int, off: int, size: int, link: int,
             info: int, align: int, entsize: int) -> bytes:
        if bits == 64:
            return struct.pack(end + "IIQQQQIIQQ", name, typ, flags, addr, off, size, link, info,
                               align, entsize)
        return struct.pack(end + "IIIIIIIIII", name, typ, flags, addr, off, size, link, info,
                           align, entsize)

    sections = [
        shdr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        shdr(1, 1, 6, 0x80200000, text_off, text_len, 0, 0, 16, 0),
        shdr(7, 7, 2, 0x80200000 + text_len, note_off, len(notes), 0, 0, 4, 0),
        shdr(17, 2, 0, 0, symtab_off, len(symtab), 4, 1, 8, 24 if bits == 64 else 16),
        shdr(25, 3, 0, 0, strtab_off, len(strtab), 0, 0, 1, 0),
        shdr(33, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0),
    ]
    data += b"".join(sections)
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 2 if big else 1, 1, 0]) + b"\0" * 8
    hdr = ident + struct.pack(end + "HHI" + word + word + word + "IHHHHHH", 2, machine, 1,
                              0x80200000, phoff, shoff, 0, ehsize, phsize, 2, shsize,
                              len(sections), 5)
    phdrs = b""
    for s in (load, note):
        if bits == 64:
            phdrs += struct.pack(end + "IIQQQQQQ", s.type, s.flags, s.offset, s.vaddr, s.paddr,
                                 s.filesz, s.memsz, s.align)
        else:
            phdrs += struct.pack(end + "IIIIIIII", s.type, s.offset, s.vaddr, s.paddr, s.filesz,
                                 s.memsz, s.flags, s.align)
    data[0:len(hdr)] = hdr
    data[phoff:phoff + len(phdrs)] = phdrs
    return bytes(data), {"load": load, "note": note, "entry": 0x80200000}


ASM = r"""
        .section .text.head, "ax"
        .globl _start
_start: nop
        jmp _start
        .section .note.Xen, "a", @note
        .p2align 2
        .long 4f - 3f, 6f - 5f, 18      /* XEN_ELFNOTE_PHYS32_ENTRY */
3:      .asciz "Xen"
4:      .p2align 2
5:      .long 0x200000
6:      .p2align 2
        .long 4f - 3f, 6f - 5f, 19      /* XEN_ELFNOTE_PHYS32_RELOC */
3:      .asciz "Xen"
4:      .p2align 2
5:      .long 0x200000, 0x100000, 0xffffffff
6:
        .data
        .globl counter
counter: .long 42
        .bss
        .globl __bss_tail
__bss_tail: .skip 0x3000
"""
LDS = """
ENTRY(_start)
PHDRS {{ text PT_LOAD FLAGS(5); data PT_LOAD FLAGS(6); note PT_NOTE FLAGS(4); }}
SECTIONS
{{
  . = {vbase};
  .text : AT(0x200000) {{ *(.text.head) *(.text) }} :text
  .note : {{ *(.note.Xen) }} :text :note
  . = ALIGN(0x1000);
  .data : {{ *(.data) }} :data
  .bss : {{ *(.bss) }} :data
  _end = .;
  /DISCARD/ : {{ *(.comment) *(.note.gnu.property) }}
}}
"""


def _toolchain(bits: int) -> list[str]:
    missing = [t for t in ("gcc", "ld") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} to build the test image")
    return ["-m32"] if bits == 32 else []


def build_elf(tmp: Path, bits: int) -> Path:
    """A gcc/ld image: .text loaded at 0x200000, linked high (0xffff82d040200000 for
    64-bit, 0x80200000 for 32-bit), a PT_NOTE with two Xen notes inside the first
    PT_LOAD, .data/.bss in a second PT_LOAD."""
    flags = _toolchain(bits)
    (tmp / "img.S").write_text(ASM)
    vbase = "0xffff82d040200000" if bits == 64 else "0x80200000"
    (tmp / "img.ld").write_text(LDS.format(vbase=vbase))
    r = subprocess.run(["gcc", *flags, "-c", str(tmp / "img.S"), "-o", str(tmp / "img.o")],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        pytest.skip(f"gcc {' '.join(flags)} cannot assemble here: {r.stderr.strip()[:200]}")
    out = tmp / f"xen-syms-{bits}"
    emul = ["-m", "elf_i386"] if bits == 32 else []
    subprocess.run(["ld", *emul, "-T", str(tmp / "img.ld"), "-o", str(out), str(tmp / "img.o")],
                   check=True, capture_output=True)
    return out
