"""``image NAME from elf "FILE" [symbols {S [as C], ...}]``: a model's constants and
regions taken from a built image (docs/language.md, "Images").

The parser hands each ``image`` line here; it comes back as ordinary ``const`` and
``region`` declarations, located at the image line, so the passes after the parser
see nothing new. For image NAME (k counts the headers of one type from 0, in
program-header order):

=============================  =========================================================
``NAME_entry``                 const: e_entry
``NAME_nload``                 const: the number of PT_LOAD segments
``NAME_loadK``                 region ``[p_paddr, p_paddr + p_memsz)``: where it is loaded
``NAME_loadK_file``            region ``[p_offset, p_offset + p_filesz)``: its file bytes
``NAME_loadK_vaddr``           const: p_vaddr (a virtual address, often above 2^32)
``NAME_loadK_align``           const: p_align
``NAME_noteK_file``            region: the file bytes of the k-th PT_NOTE segment
``NAME_xen_<note>``            const: a Xen note's value (``NAME_xen_phys32_entry``)
``NAME_xen_<note>_file``       region: the file bytes of that note's descriptor
``NAME_xen_phys32_reloc_<p>``  const, p in align, min, max: XEN_ELFNOTE_PHYS32_RELOC
``C``                          const: the value of symbol S (``symbols {S as C}``; C = S
                               when no ``as``)
=============================  =========================================================

Load addresses and file offsets are different address spaces: the ``_file``
regions hold offsets into the file, never addresses (type ``file``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bootspec.diagnostics import Collector
from bootspec.elf import PHYS32_RELOC_PARTS, ImageError, read
from bootspec.lang import ast as A

FORMATS = ("elf",)


def digest(path: str) -> str:
    """``sha256:<hex>`` of a file's bytes (a folder: of its files' names and bytes, sorted).

    >>> digest(os.devnull).startswith("sha256:")
    True
    """
    h = hashlib.sha256()
    if os.path.isdir(path):
        for f in sorted(Path(path).rglob("*")):
            if f.is_file():
                h.update(str(f.relative_to(path)).encode() + b"\0" + f.read_bytes() + b"\0")
    else:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return "sha256:" + h.hexdigest()


def resolve_path(written: str, model_file: str) -> str:
    """The image path is relative to the folder of the file holding the image line."""
    if os.path.isabs(written):
        return written
    return str(Path(model_file).parent / written)


def expand(ln: A.ImageLine, model_file: str, errors: Collector,
           inputs: list[tuple[str, str]]) -> list[A.Line]:
    """The declarations an image line stands for; problems are BS130 at the line.
    Appends (file, digest) to ``inputs`` for every file read."""
    span = ln.span
    if ln.format not in FORMATS:
        errors.error("BS130", f"image '{ln.name}': unknown format '{ln.format}'", span,
                     "write 'image NAME from elf \"FILE\"' (ELF images: xen-syms, vmlinux...)")
        return []
    full = resolve_path(ln.path, model_file)
    try:
        img = read(full, [s for s, _ in ln.symbols])
    except ImageError as e:
        errors.error("BS130", f"image '{ln.name}': {e}", span,
                     "the path is relative to the model file")
        return []
    if img.format != "elf":
        errors.error("BS130", f"image '{ln.name}': {full} is a {img.format.upper()} image, "
                     "not ELF", span, "give the ELF image (xen-syms rather than xen.efi)")
        return []
    try:
        inputs.append((full, digest(full)))
    except OSError as e:  # pragma: no cover - read() just read it
        errors.error("BS130", f"image '{ln.name}': cannot read {full}: {e.strerror}", span)
        return []
    n = ln.name
    out: list[A.Line] = []

    def const(name: str, value: int) -> None:
        out.append(A.Const(span, name, A.Num(span, value), cite=ln.cite))

    def region(name: str, lo: int, hi: int, typ: str) -> None:
        out.append(A.RegionDecl(span, name, A.RangeLit(span, A.Num(span, lo), A.Num(span, hi),
                                                       False), None, None, typ, cite=ln.cite))

    const(f"{n}_entry", img.header["entry"])
    loads = img.loads()
    const(f"{n}_nload", len(loads))
    for k, s in enumerate(loads):
        region(f"{n}_load{k}", s.paddr, s.paddr + s.memsz, "load")
        region(f"{n}_load{k}_file", s.offset, s.offset + s.filesz, "file")
        const(f"{n}_load{k}_vaddr", s.vaddr)
        const(f"{n}_load{k}_align", s.align)
    for k, s in enumerate(x for x in img.segments if x.type == "PT_NOTE"):
        region(f"{n}_note{k}_file", s.offset, s.offset + s.filesz, "file")
    seen: set[str] = set()
    for note in img.notes:
        if note.owner != "Xen" or note.name is None or note.name in seen:
            continue
        seen.add(note.name)
        base = f"{n}_xen_{note.name.removeprefix('XEN_ELFNOTE_').lower()}"
        if isinstance(note.value, int):
            const(base, note.value)
        elif isinstance(note.value, tuple) and note.name == "XEN_ELFNOTE_PHYS32_RELOC":
            for part, v in zip(PHYS32_RELOC_PARTS, note.value, strict=False):
                const(f"{base}_{part}", v)
        else:
            continue
        region(f"{base}_file", note.desc_offset, note.desc_offset + len(note.desc), "file")
    by_name = {s.name: s for s in img.symbols}
    for sym, alias in ln.symbols:
        const(alias, by_name[sym].value)
    return out


__all__ = ["digest", "expand"]
