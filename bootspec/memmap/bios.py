"""The inputs a BIOS boot has that an e820 log does not print, derived from the map.

Xen's BIOS trampoline placement (``trampoline_bios_setup`` in head.S) reads three
numbers no memory-map log shows: the BDA word at 0x40E (the EBDA segment), the BDA
word at 0x413 (base memory in KiB) and the multiboot ``mem_lower`` (KiB) the boot
loader passed. A model names them by parameters with fixed names (:data:`INPUTS`);
on a real machine each is taken from a flag when one is given, else derived from
the machine's e820 map by a documented rule, and the model's parameter is pinned
to that one value. The rules (README, "The BIOS path on real machines"):

* ``mem_lower_kib`` -- GRUB's lower-memory rule: the size of the usable entry that
  starts at address 0, at most 1 MiB, in KiB rounded down; 0 when no usable entry
  starts at 0 (coreos/grub@c6b9a0af3d, grub-core/mmap/i386/uppermem.c, lower_hook
  and grub_mmap_get_lower; multiboot_mbi.c and multiboot_mbi2.c divide by 1024).
* ``ebda_seg`` -- the EBDA sits at the top of the last usable range below 640 KiB:
  its segment is that range's end / 16. When that range runs up to 640 KiB (no
  room for an EBDA) or there is no usable range below 640 KiB, the BDA holds 0
  (no EBDA), which head.S's sanity check rejects.
* ``basemem_kib`` -- the BIOS reports as base memory the memory below the EBDA: the
  end of that same usable range in KiB, rounded down (640 when it runs up to 640 KiB).

The map read is the one the model sees (the machine's e820 map clipped and with
adjacent entries of one type merged, as Linux's ``BIOS-e820`` lines already are).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bootspec.diagnostics import BootspecError, Diagnostic, Span

if TYPE_CHECKING:  # add_flags is on every check's parser: the rest is imported when used
    from bootspec.lang.ir import Model, ParamIR
    from bootspec.memmap.bind import Machine

LOWMEM_END = 0xA0000  # 640 KiB
GRUB_LOWER_CAP = 0x100000  # grub_mmap_get_lower() caps at 1 MiB

#: parameter name -> (flag, what it is)
INPUTS: dict[str, tuple[str, str]] = {
    "mem_lower_kib": ("--mem-lower", "multiboot mem_lower (KiB)"),
    "ebda_seg": ("--ebda-seg", "BDA 0x40E, the EBDA segment"),
    "basemem_kib": ("--base-mem", "BDA 0x413, base memory (KiB)"),
}


@dataclasses.dataclass(frozen=True)
class BiosInput:
    """One pinned input: the parameter, its value and the rule (or flag) it came from."""

    param: str
    value: int
    rule: str

    def __str__(self) -> str:
        shown = f"{self.value:#x}" if self.param == "ebda_seg" else str(self.value)
        return f"{self.param} = {shown} ({self.rule})"


@dataclasses.dataclass(frozen=True)
class BiosOptions:
    """Values given on the command line; None: derive from the map."""

    mem_lower: int | None = None
    ebda_seg: int | None = None
    base_mem: int | None = None

    def given(self, param: str) -> int | None:
        return {"mem_lower_kib": self.mem_lower, "ebda_seg": self.ebda_seg,
                "basemem_kib": self.base_mem}[param]


Entries = Sequence[tuple[int, int, str]]


def grub_mem_lower(entries: Entries) -> BiosInput:
    """GRUB's ``grub_mmap_get_lower() / 1024``.

    >>> str(grub_mem_lower([(0, 0x9FC00, "usable"), (0x9FC00, 0xA0000, "reserved")]))
    "mem_lower_kib = 639 (GRUB's lower-memory rule: the usable entry at 0 ends at 0x9fc00)"
    >>> grub_mem_lower([(0x1000, 0x9F000, "usable")]).value
    0
    """
    at0 = [e for s, e, t in entries if s == 0 and t == "usable"]
    if not at0:
        return BiosInput("mem_lower_kib", 0, "GRUB's lower-memory rule: no usable entry "
                         "starts at 0, so 0")
    end = at0[0]
    capped = min(end, GRUB_LOWER_CAP)
    note = f"the usable entry at 0 ends at {end:#x}" + (", capped at 1 MiB"
                                                        if end > GRUB_LOWER_CAP else "")
    return BiosInput("mem_lower_kib", capped // 1024, f"GRUB's lower-memory rule: {note}")


def _last_low_usable(entries: Entries) -> tuple[int, int] | None:
    low = [(s, e) for s, e, t in entries if t == "usable" and s < LOWMEM_END and e > s]
    return max(low) if low else None


def ebda_segment(entries: Entries) -> BiosInput:
    """The EBDA at the top of the last usable range below 640 KiB.

    >>> str(ebda_segment([(0, 0x9FC00, "usable"), (0x9FC00, 0xA0000, "reserved")]))
    'ebda_seg = 0x9fc0 (EBDA rule: the top of the last usable range below 640 KiB, 0x9fc00)'
    >>> ebda_segment([(0, 0xA0000, "usable")]).value
    0
    """
    last = _last_low_usable(entries)
    if last is None:
        return BiosInput("ebda_seg", 0, "EBDA rule: no usable range below 640 KiB, so no "
                         "EBDA (0)")
    top = min(last[1], LOWMEM_END)
    if top >= LOWMEM_END:
        return BiosInput("ebda_seg", 0, "EBDA rule: the last usable range below 640 KiB "
                         "runs up to 640 KiB, so no EBDA (0)")
    return BiosInput("ebda_seg", top >> 4, "EBDA rule: the top of the last usable range "
                     f"below 640 KiB, {top:#x}")


def base_memory(entries: Entries) -> BiosInput:
    """Base memory: the memory below the EBDA, in KiB.

    >>> base_memory([(0, 0x9FC00, "usable")]).value
    639
    """
    last = _last_low_usable(entries)
    if last is None:
        return BiosInput("basemem_kib", 0, "base-memory rule: no usable range below 640 KiB")
    top = min(last[1], LOWMEM_END)
    return BiosInput("basemem_kib", top // 1024, "base-memory rule: the memory below the "
                     f"EBDA, {top:#x}")


_RULES = {"mem_lower_kib": grub_mem_lower, "ebda_seg": ebda_segment, "basemem_kib": base_memory}


def wanted(model: Model) -> list[ParamIR]:
    """The model's parameters that are BIOS inputs, when it has a symbolic e820 map."""
    if not any(m.symbolic and m.kind == "e820" for m in model.maps.values()):
        return []
    return [p for p in model.params if p.name in INPUTS]


def derive(entries: Entries, params: Sequence[str], options: BiosOptions) -> list[BiosInput]:
    """The value of each input in ``params``: a flag's, else the rule's."""
    out = []
    for name in params:
        given = options.given(name)
        if given is not None:
            out.append(BiosInput(name, given, f"given: {INPUTS[name][0]}"))
        else:
            out.append(_RULES[name](entries))
    return out


def pin_models(models: dict[str, Model], names: Sequence[str], entries: Entries | None,
               options: BiosOptions, where: str, written: dict[str, Model] | None = None
               ) -> tuple[dict[str, Model], list[BiosInput]]:
    """``models`` with each BIOS input of the ``names`` models pinned to one value.

    ``entries``: the machine's e820 map (None when it has none: nothing is pinned).
    ``written``: the models as written, when ``models`` are already bound to the
    machine (their e820 map concrete): which parameters are BIOS inputs is read there.
    Raises BootspecError (BS530) when a value lies outside the parameter's domain.
    Returns the new models and the inputs used (each once, in :data:`INPUTS` order).
    """
    if entries is None:
        return models, []
    todo = {n: [p.name for p in wanted((written or models)[n])] for n in names}
    params = [name for name in INPUTS if any(name in ps for ps in todo.values())]
    if not params:
        return models, []
    inputs = {b.param: b for b in derive(entries, params, options)}
    out = dict(models)
    diags: list[Diagnostic] = []
    for n, ps in todo.items():
        if not ps:
            continue
        new = []
        for p in models[n].params:
            b = inputs.get(p.name)
            if b is None or p.name not in ps:
                new.append(p)
            elif not p.takes(b.value):
                diags.append(Diagnostic(
                    "BS530", f"{n}: {b} lies outside the parameter's domain "
                    f"[{p.lo}, {p.hi}]" if p.kind == "range" else f"{n}: {b} lies outside "
                    "the parameter's values", Span(where, 0, 0),
                    hint=f"give the value with {INPUTS[p.name][0]}, or check the map"))
                new.append(p)
            else:
                new.append(dataclasses.replace(p, kind="set", lo=b.value, hi=b.value, align=1,
                                               values=(b.value,)))
        out[n] = dataclasses.replace(models[n], params=tuple(new))
    if diags:
        raise BootspecError(diags)
    return out, [inputs[p] for p in params]


def _number(text: str) -> int:
    try:
        v = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"negative: {text!r}")
    return v


def add_flags(parser: argparse.ArgumentParser) -> None:
    """``--mem-lower``, ``--ebda-seg`` and ``--base-mem`` on a command's parser."""
    g = parser.add_argument_group(
        "BIOS inputs", "values a BIOS boot has that an e820 log does not print; each one not "
        "given is derived from the machine's map (README, 'The BIOS path on real machines')")
    g.add_argument("--mem-lower", type=_number, metavar="KIB", help="multiboot mem_lower in "
                   "KiB (default: GRUB's rule, the usable entry at 0; 0: the loader gives none)")
    g.add_argument("--ebda-seg", type=_number, metavar="SEG", help="the BDA's EBDA segment "
                   "at 0x40E (default: the top of the last usable range below 640 KiB)")
    g.add_argument("--base-mem", type=_number, metavar="KIB", help="the BDA's base memory at "
                   "0x413 in KiB (default: the memory below that EBDA)")


def machine_entries(machine: Machine) -> list[tuple[int, int, str]] | None:
    """The machine's e820 map as a 32-bit model sees it; None when it has no e820 map."""
    from bootspec.memmap.bind import model_entries
    pm = machine.map_of("e820")
    if pm is None:
        return None
    entries, _ = model_entries(pm, 32)
    return [(s, e, t) for s, e, t, _ in entries]


def options_of(args: object) -> BiosOptions:
    return BiosOptions(getattr(args, "mem_lower", None), getattr(args, "ebda_seg", None),
                       getattr(args, "base_mem", None))
