"""Reading built images: ``bootspec elf show`` and ``image NAME from elf "FILE"``.

ELF files are read with pyelftools (32- and 64-bit, both endians): the header, the
program headers (type, offset, vaddr, paddr, filesz, memsz, align, flags), the
section headers, the notes (Xen's notes decoded by name, as
xen-project/xen@c447b7308b xen/include/public/elfnote.h numbers them, and their
values as xen/common/libelf/libelf-dominfo.c elf_xen_parse_note reads them) and
the symbols asked for. PE images (xen.efi) are read with pefile: the headers and
the section table; PE has no program headers or notes.

Everything here returns values; the CLI prints. A file that cannot be read is an
:class:`ImageError` with a message that says why.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from collections.abc import Sequence
from typing import Any, Literal, TextIO

from bootspec.errors import BootspecException
from bootspec.safeio import Refused, open_regular

#: XEN_ELFNOTE_* (xen/include/public/elfnote.h): type -> (name, how the value reads)
XEN_NOTES: dict[int, tuple[str, str]] = {
    0: ("XEN_ELFNOTE_INFO", "raw"), 1: ("XEN_ELFNOTE_ENTRY", "int"),
    2: ("XEN_ELFNOTE_HYPERCALL_PAGE", "int"), 3: ("XEN_ELFNOTE_VIRT_BASE", "int"),
    4: ("XEN_ELFNOTE_PADDR_OFFSET", "int"), 5: ("XEN_ELFNOTE_XEN_VERSION", "str"),
    6: ("XEN_ELFNOTE_GUEST_OS", "str"), 7: ("XEN_ELFNOTE_GUEST_VERSION", "str"),
    8: ("XEN_ELFNOTE_LOADER", "str"), 9: ("XEN_ELFNOTE_PAE_MODE", "str"),
    10: ("XEN_ELFNOTE_FEATURES", "str"), 11: ("XEN_ELFNOTE_BSD_SYMTAB", "str"),
    12: ("XEN_ELFNOTE_HV_START_LOW", "int"), 13: ("XEN_ELFNOTE_L1_MFN_VALID", "ints"),
    14: ("XEN_ELFNOTE_SUSPEND_CANCEL", "int"), 15: ("XEN_ELFNOTE_INIT_P2M", "int"),
    16: ("XEN_ELFNOTE_MOD_START_PFN", "int"), 17: ("XEN_ELFNOTE_SUPPORTED_FEATURES", "int"),
    18: ("XEN_ELFNOTE_PHYS32_ENTRY", "int"), 19: ("XEN_ELFNOTE_PHYS32_RELOC", "u32s"),
    0x1000001: ("XEN_ELFNOTE_CRASH_INFO", "raw"), 0x1000002: ("XEN_ELFNOTE_CRASH_REGS", "raw"),
    0x2000000: ("XEN_ELFNOTE_DUMPCORE_NONE", "raw"),
    0x2000001: ("XEN_ELFNOTE_DUMPCORE_HEADER", "raw"),
    0x2000002: ("XEN_ELFNOTE_DUMPCORE_XEN_VERSION", "raw"),
    0x2000003: ("XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION", "raw"),
}
#: the parts of XEN_ELFNOTE_PHYS32_RELOC, in order (elfnote.h: alignment, min, max)
PHYS32_RELOC_PARTS = ("align", "min", "max")
GNU_NOTES = {1: "NT_GNU_ABI_TAG", 3: "NT_GNU_BUILD_ID", 4: "NT_GNU_GOLD_VERSION",
             5: "NT_GNU_PROPERTY_TYPE_0"}
MAX_IMAGE_BYTES = 1 << 30


class ImageError(BootspecException):
    """An image that cannot be read, with a message saying why."""


@dataclasses.dataclass(frozen=True)
class Segment:
    index: int
    type: str  # PT_LOAD, PT_NOTE, ... (or the number, for an unknown type)
    offset: int
    vaddr: int
    paddr: int
    filesz: int
    memsz: int
    align: int
    flags: str  # "RWE" letters, "-" for an absent one


@dataclasses.dataclass(frozen=True)
class Section:
    index: int
    name: str
    type: str
    addr: int
    offset: int
    size: int
    entsize: int
    flags: str  # readelf's letters (W, A, X, M, S, I, L, O, G, T, E)
    link: int
    info: int
    align: int
    raw_size: int | None = None  # PE: SizeOfRawData (size is the VirtualSize)


@dataclasses.dataclass(frozen=True)
class Note:
    owner: str
    type: int
    name: str | None  # XEN_ELFNOTE_PHYS32_ENTRY, NT_GNU_BUILD_ID, ... when known
    offset: int  # file offset of the note's header
    desc_offset: int  # file offset of its descriptor
    desc: bytes
    value: int | str | tuple[int, ...] | None  # decoded, for the notes known here


@dataclasses.dataclass(frozen=True)
class Symbol:
    name: str
    value: int
    size: int
    type: str
    bind: str
    section: str  # an index, UND, ABS or COM


@dataclasses.dataclass(frozen=True)
class Image:
    """What ``elf show`` prints (``format`` elf or pe)."""

    path: str
    format: str
    bits: int
    endian: str  # little | big
    header: dict[str, Any]
    segments: tuple[Segment, ...]
    sections: tuple[Section, ...]
    notes: tuple[Note, ...]
    symbols: tuple[Symbol, ...]

    def loads(self) -> list[Segment]:
        return [s for s in self.segments if s.type == "PT_LOAD"]


# -- ELF ----------------------------------------------------------------------------------

_SH_FLAGS = [(0x1, "W"), (0x2, "A"), (0x4, "X"), (0x10, "M"), (0x20, "S"), (0x40, "I"),
             (0x80, "L"), (0x100, "O"), (0x200, "G"), (0x400, "T"), (0x800, "C"),
             (0x80000000, "E")]


def _sh_flags(v: int) -> str:
    return "".join(ch for bit, ch in _SH_FLAGS if v & bit)


def _p_flags(v: int) -> str:
    return ("R" if v & 4 else "-") + ("W" if v & 2 else "-") + ("E" if v & 1 else "-")


def _name(v: Any) -> str:
    return v if isinstance(v, str) else str(v)


def read(path: str, symbols: Sequence[str] = (), all_symbols: bool = False) -> Image:
    """Read an ELF or PE image. ``symbols``: names whose symbol-table entries are
    wanted (each must exist, else ImageError); ``all_symbols``: every one."""
    try:  # a regular file only, opened without blocking: a FIFO is refused at once
        with open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size
            magic = f.read(4)
    except Refused as e:
        raise ImageError(f"cannot read {path}: {e.reason}") from None
    except OSError as e:
        raise ImageError(f"cannot read {path}: {e.strerror}") from None
    if size > MAX_IMAGE_BYTES:
        raise ImageError(f"{path} is {size} bytes; bootspec reads images up to "
                         f"{MAX_IMAGE_BYTES} bytes")
    if magic == b"\x7fELF":
        return _read_elf(path, symbols, all_symbols)
    if magic[:2] == b"MZ":
        return _read_pe(path, symbols)
    raise ImageError(f"{path} is neither an ELF nor a PE image (it starts with "
                     f"{magic.hex() or 'nothing'})")


def _read_elf(path: str, wanted: Sequence[str], all_symbols: bool) -> Image:
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            return _elf_image(path, elf, wanted, all_symbols)
    except ELFError as e:
        raise ImageError(f"{path}: not a well-formed ELF file ({e})") from None
    except OSError as e:
        raise ImageError(f"{path}: cannot read the ELF file ({e.strerror})") from None
    except Exception as e:
        # (construct's ArrayError and FieldError, struct.error, ValueError...) all mean
        # the same to the user: the file is not a well-formed ELF image
        raise ImageError(f"{path}: not a well-formed ELF file ({type(e).__name__}: {e})"
                         ) from None


def _elf_image(path: str, elf: Any, wanted: Sequence[str], all_symbols: bool) -> Image:
    h = elf.header
    header = {
        "type": _name(h["e_type"]), "machine": _name(h["e_machine"]),
        "osabi": _name(h["e_ident"]["EI_OSABI"]), "abiversion": h["e_ident"]["EI_ABIVERSION"],
        "version": _name(h["e_version"]), "entry": h["e_entry"], "phoff": h["e_phoff"],
        "shoff": h["e_shoff"], "flags": h["e_flags"], "ehsize": h["e_ehsize"],
        "phentsize": h["e_phentsize"], "phnum": h["e_phnum"],
        "shentsize": h["e_shentsize"], "shnum": h["e_shnum"], "shstrndx": h["e_shstrndx"],
    }
    segments = tuple(
        Segment(i, _name(p["p_type"]), p["p_offset"], p["p_vaddr"], p["p_paddr"],
                p["p_filesz"], p["p_memsz"], p["p_align"], _p_flags(p["p_flags"]))
        for i, p in enumerate(elf.iter_segments()))
    sections = tuple(
        Section(i, s.name, _name(s["sh_type"]), s["sh_addr"], s["sh_offset"], s["sh_size"],
                s["sh_entsize"], _sh_flags(s["sh_flags"]), s["sh_link"], s["sh_info"],
                s["sh_addralign"])
        for i, s in enumerate(elf.iter_sections()))
    notes = tuple(_notes(elf))
    symbols = tuple(_symbols(elf, wanted, all_symbols, path))
    return Image(path, "elf", elf.elfclass, "little" if elf.little_endian else "big", header,
                 segments, sections, notes, symbols)


def _notes(elf: Any) -> list[Note]:
    """Notes of the SHT_NOTE sections, or of the PT_NOTE segments when there are no
    section headers (as readelf -n does)."""
    holders = [s for s in elf.iter_sections() if s["sh_type"] == "SHT_NOTE"]
    if not holders:
        holders = [p for p in elf.iter_segments() if p["p_type"] == "PT_NOTE"]
    out = []
    for holder in holders:
        for n in holder.iter_notes():
            owner = n["n_name"] if isinstance(n["n_name"], str) else ""
            ntype = n["n_type"] if isinstance(n["n_type"], int) else _raw_type(n)
            desc = _desc_bytes(elf, n)
            desc_off = n["n_descdata_offset"] if "n_descdata_offset" in n else \
                n["n_offset"] + 12 + ((n["n_namesz"] + 3) & ~3)
            name, value = _decode(owner, ntype, desc, elf.little_endian)
            out.append(Note(owner, ntype, name, n["n_offset"], desc_off, desc, value))
    return out


def _raw_type(n: Any) -> int:
    """pyelftools names the note types it knows (NT_GNU_BUILD_ID): the number back."""
    from elftools.elf import enums
    table: dict[str, int] = {}
    for enum in ("ENUM_NOTE_N_TYPE", "ENUM_CORE_NOTE_N_TYPE"):
        table.update({k: v for k, v in getattr(enums, enum, {}).items() if isinstance(v, int)})
    return table.get(n["n_type"], -1)


def _desc_bytes(elf: Any, n: Any) -> bytes:
    stream = elf.stream
    off = n["n_offset"] + 12 + ((n["n_namesz"] + 3) & ~3)
    pos = stream.tell()
    try:
        stream.seek(off)
        return bytes(stream.read(n["n_descsz"]))
    finally:
        stream.seek(pos)


def _decode(owner: str, ntype: int, desc: bytes, little: bool
            ) -> tuple[str | None, int | str | tuple[int, ...] | None]:
    order: Literal["little", "big"] = "little" if little else "big"
    if owner == "Xen" and ntype in XEN_NOTES:
        name, how = XEN_NOTES[ntype]
        if how == "int" and len(desc) in (1, 2, 4, 8):
            return name, int.from_bytes(desc, order)
        if how == "u32s":
            n = len(desc) // 4
            return name, tuple(int.from_bytes(desc[4 * i:4 * i + 4], order) for i in range(n))
        if how == "ints" and len(desc) % 4 == 0:
            return name, tuple(int.from_bytes(desc[i:i + 4], order)
                               for i in range(0, len(desc), 4))
        if how == "str":
            return name, desc.split(b"\0", 1)[0].decode("utf-8", "replace")
        return name, None
    if owner == "GNU" and ntype in GNU_NOTES:
        return GNU_NOTES[ntype], desc.hex() if ntype == 3 else None
    return None, None


def _symbols(elf: Any, wanted: Sequence[str], all_symbols: bool, path: str) -> list[Symbol]:
    from elftools.elf.sections import SymbolTableSection
    found: dict[str, Symbol] = {}
    every: list[Symbol] = []
    for sec in elf.iter_sections():
        if not isinstance(sec, SymbolTableSection) or sec["sh_type"] != "SHT_SYMTAB":
            continue
        for sym in sec.iter_symbols():
            if not sym.name:
                continue
            shndx = sym["st_shndx"]
            s = Symbol(sym.name, sym["st_value"], sym["st_size"],
                       _name(sym["st_info"]["type"]).removeprefix("STT_"),
                       _name(sym["st_info"]["bind"]).removeprefix("STB_"),
                       {"SHN_UNDEF": "UND", "SHN_ABS": "ABS", "SHN_COMMON": "COM"}.get(
                           _name(shndx), _name(shndx)))
            every.append(s)
            if sym.name in wanted and (sym.name not in found or found[sym.name].bind == "LOCAL"):
                found[sym.name] = s
    missing = [w for w in wanted if w not in found]
    if missing:
        raise ImageError(f"{path} has no symbol {', '.join(repr(m) for m in missing)}"
                         + ("" if every else " (it has no symbol table: was it stripped?)"))
    if all_symbols:
        return every
    return [found[w] for w in dict.fromkeys(wanted)]


# -- PE -------------------------------------------------------------------------------------

def _read_pe(path: str, wanted: Sequence[str]) -> Image:
    import pefile
    try:
        pe = pefile.PE(path, fast_load=True)
    except pefile.PEFormatError as e:
        raise ImageError(f"{path}: not a well-formed PE file ({e.value})") from None
    except Exception as e:
        raise ImageError(f"{path}: not a well-formed PE file ({type(e).__name__}: {e})"
                         ) from None
    try:
        fh, oh = pe.FILE_HEADER, pe.OPTIONAL_HEADER
        bits = 64 if oh.Magic == 0x20B else 32
        header = {
            "type": "PE32+" if bits == 64 else "PE32",
            "machine": pefile.MACHINE_TYPE.get(fh.Machine, hex(fh.Machine)),
            "entry": oh.ImageBase + oh.AddressOfEntryPoint, "entry_rva": oh.AddressOfEntryPoint,
            "image_base": oh.ImageBase, "section_alignment": oh.SectionAlignment,
            "file_alignment": oh.FileAlignment, "size_of_image": oh.SizeOfImage,
            "size_of_headers": oh.SizeOfHeaders, "subsystem": oh.Subsystem,
            "characteristics": fh.Characteristics,
            "dll_characteristics": oh.DllCharacteristics,
        }
        sections = tuple(
            Section(i + 1, s.Name.rstrip(b"\0").decode("ascii", "replace"), "PE",
                    oh.ImageBase + s.VirtualAddress, s.PointerToRawData, s.Misc_VirtualSize,
                    0, _pe_flags(s.Characteristics), 0, 0, 0, s.SizeOfRawData)
            for i, s in enumerate(pe.sections))
    finally:
        pe.close()
    if wanted:
        raise ImageError(f"{path} is a PE image: bootspec reads no symbols from PE files "
                         "(use the ELF image, xen-syms, for symbols)")
    return Image(path, "pe", bits, "little", header, (), sections, (), ())


def _pe_flags(c: int) -> str:
    return ("R" if c & 0x40000000 else "") + ("W" if c & 0x80000000 else "") + \
        ("X" if c & 0x20000000 else "")


# -- output -----------------------------------------------------------------------------

def to_json(img: Image) -> dict[str, Any]:
    """The image as JSON: addresses, offsets and sizes as hex strings."""
    def hx(v: int) -> str:
        return f"{v:#x}"
    header = {k: (hx(v) if k in ("entry", "image_base", "flags") else v)
              for k, v in img.header.items()}
    return {
        "bootspec_image": 1, "file": img.path, "format": img.format, "class": img.bits,
        "endian": img.endian, "header": header,
        "segments": [{"index": s.index, "type": s.type, "offset": hx(s.offset),
                      "vaddr": hx(s.vaddr), "paddr": hx(s.paddr), "filesz": hx(s.filesz),
                      "memsz": hx(s.memsz), "align": hx(s.align), "flags": s.flags}
                     for s in img.segments],
        "sections": [{"index": s.index, "name": s.name, "type": s.type, "addr": hx(s.addr),
                      "offset": hx(s.offset), "size": hx(s.size), "entsize": s.entsize,
                      "flags": s.flags, "link": s.link, "info": s.info, "align": s.align,
                      **({"raw_size": hx(s.raw_size)} if s.raw_size is not None else {})}
                     for s in img.sections],
        "notes": [{"owner": n.owner, "type": n.type, "name": n.name, "offset": hx(n.offset),
                   "desc_offset": hx(n.desc_offset), "descsz": len(n.desc),
                   "desc": n.desc.hex(), "value": _json_value(n.value)} for n in img.notes],
        "symbols": [{"name": s.name, "value": hx(s.value), "size": s.size, "type": s.type,
                     "bind": s.bind, "section": s.section} for s in img.symbols],
    }


def _json_value(v: int | str | tuple[int, ...] | None) -> object:
    if isinstance(v, int):
        return f"{v:#x}"
    if isinstance(v, tuple):
        return [f"{x:#x}" for x in v]
    return v


def to_text(img: Image) -> str:
    kind = img.header["type"] if img.format == "pe" else f"ELF{img.bits} {img.header['type']}"
    out = [f"{img.path}: {kind}, {img.endian} endian, {img.header.get('machine')}, "
           f"entry {img.header['entry']:#x}"]
    if img.format == "pe":
        out.append(f"  image base {img.header['image_base']:#x}, section alignment "
                   f"{img.header['section_alignment']:#x}, size of image "
                   f"{img.header['size_of_image']:#x}")
    else:
        out.append(f"  {len(img.segments)} program headers at {img.header['phoff']}, "
                   f"{len(img.sections)} section headers at {img.header['shoff']}")
    w = 18 if img.bits == 64 else 10
    if img.segments:
        out += ["", "program headers:",
                f"  {'#':>2}  {'type':<12} {'offset':>10} {'vaddr':>{w}} {'paddr':>{w}} "
                f"{'filesz':>10} {'memsz':>10} {'align':>8} flg"]
        for s in img.segments:
            out.append(f"  {s.index:>2}  {s.type:<12} {s.offset:>#10x} {s.vaddr:>#{w}x} "
                       f"{s.paddr:>#{w}x} {s.filesz:>#10x} {s.memsz:>#10x} {s.align:>#8x} "
                       f"{s.flags}")
    if img.sections:
        out += ["", "sections:",
                f"  {'#':>2}  {'name':<20} {'type':<14} {'addr':>{w}} {'offset':>10} "
                f"{'size':>10} flags"]
        for c in img.sections:
            out.append(f"  {c.index:>2}  {c.name[:20]:<20} {c.type[:14]:<14} {c.addr:>#{w}x} "
                       f"{c.offset:>#10x} {c.size:>#10x} {c.flags}")
    if img.notes:
        out += ["", "notes:"]
        for n in img.notes:
            what = n.name or f"type {n.type:#x}"
            if n.name == "XEN_ELFNOTE_PHYS32_RELOC" and isinstance(n.value, tuple):
                shown = " " + ", ".join(f"{k} {v:#x}" for k, v in
                                        zip(PHYS32_RELOC_PARTS, n.value, strict=False))
            elif isinstance(n.value, int):
                shown = f" = {n.value:#x}"
            elif isinstance(n.value, str):
                shown = f" = {n.value!r}"
            else:
                shown = f" desc {n.desc.hex()}"
            out.append(f"  {n.owner:<6} {what}{shown}  (at file offset {n.offset:#x})")
    if img.symbols:
        out += ["", "symbols:"]
        for y in img.symbols:
            out.append(f"  {y.name:<24} {y.value:>#{w}x} size {y.size} {y.type} {y.bind} "
                       f"section {y.section}")
    return "\n".join(out) + "\n"


# -- the command ----------------------------------------------------------------------------

def run_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec.diagnostics import BootspecError, Diagnostic, Span
    try:
        img = read(args.file, args.symbol, args.all_symbols)
    except ImageError as e:
        raise BootspecError([Diagnostic("BS008", str(e), Span(args.file, 0, 0))]) from None
    if args.format == "json":
        stdout.write(json.dumps(to_json(img), indent=2) + "\n")
    else:
        stdout.write(to_text(img))
    return 0
