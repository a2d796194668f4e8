"""``image NAME from elf "FILE"``: a model's constants and regions taken from a built
image (docs/language.md, "Images"), its errors, and the sources hash that covers every
file a report was computed from (images, 'map ... from' files, --memmap)."""

from __future__ import annotations

import shutil
from pathlib import Path

import elfwrite
import pytest
from helpers import REPO, cli, errors_of

from bootspec.diagnostics import BootspecError
from bootspec.pipeline import discover, load

PROOFS = """
proof note_in_load_file_range
  for xen_image expect holds
  always within(xen_xen_phys32_entry_file, xen_load0_file) and within(xen_note0_file, xen_load0_file)

proof entry_in_loaded_segment
  for xen_image expect holds
  always xen_entry >= xen_load0_vaddr and xen_entry < xen_load0_vaddr + xen_load0.size

proof relocated_keeps_offsets
  for xen_image expect holds
  after relocate within([base + (xen_entry - xen_load0_vaddr), base + (xen_entry - xen_load0_vaddr) + 1), moved)

proof entry_below_load_address
  for xen_image expect violated
  always xen_entry < xen_load0.start
"""


def _model(tmp: Path, image: str, extra: str = "") -> Path:
    (tmp / "m.boot").write_text(f"""model xen_image
  width 64
image xen from elf "{image}" symbols {{_start, _end as xen_end}} cite "built by the test"
param base in [2MiB, 64MiB] align 2MiB
{extra}
stage relocate
  place moved size xen_load0.size at base
""")
    (tmp / "p.proof").write_text(PROOFS)
    return tmp


@pytest.mark.parametrize(("bits", "big"), [(32, True), (64, True), (64, False)])
def test_image_gives_regions_and_constants(tmp_path: Path, bits: int, big: bool) -> None:
    data, info = elfwrite.build(bits, big)
    (tmp_path / "xen-syms").write_bytes(data)
    project = load(discover([str(_model(tmp_path, "xen-syms"))]))
    m = project.models["xen_image"]
    consts = {n: s.value for n, s in m.symbols.items() if s.kind == "const"}
    load0 = info["load"]
    assert consts["xen_entry"] == info["entry"] == consts["_start"]
    assert consts["xen_nload"] == 1
    assert consts["xen_load0_vaddr"] == load0.vaddr
    assert consts["xen_xen_phys32_entry"] == 0x200040
    assert (consts["xen_xen_phys32_reloc_align"], consts["xen_xen_phys32_reloc_min"],
            consts["xen_xen_phys32_reloc_max"]) == (0x200000, 0x100000, 0xFFFFFFFF)
    assert consts["xen_end"] == load0.vaddr + load0.memsz
    regions = {r.name: r for r in m.regions}
    assert {"xen_load0", "xen_load0_file", "xen_note0_file",
            "xen_xen_phys32_entry_file"} <= set(regions)
    assert regions["xen_load0_file"].type == "file" and regions["xen_load0"].type == "load"
    status, out, err = cli("check", "--no-cache", "--no-timing", str(tmp_path))
    assert status == 0, out + err
    assert "every verdict as expected" in out


def test_image_from_the_toolchain(tmp_path: Path) -> None:
    path = elfwrite.build_elf(tmp_path, 64)
    shutil.copy(path, tmp_path / "xen-syms")
    status, out, err = cli("check", "--no-cache", "--no-timing", str(_model(tmp_path, "xen-syms")))
    assert status == 0, out + err
    status, out, _ = cli("explain", "entry_below_load_address", str(tmp_path))
    # the load address (0x200000) and the link address (0xffff82d0...) are kept apart
    assert status == 0 and "violated" in out


def _codes(text: str, tmp: Path) -> list[tuple[str, int, int]]:
    path = tmp / "t.boot"
    path.write_text(text)
    try:
        load([path])
    except BootspecError as e:
        return [(d.code, d.span.line, d.span.col) for d in e.diagnostics]
    return []


def test_image_errors_are_bs130(tmp_path: Path) -> None:
    data, _ = elfwrite.build(64, False)
    (tmp_path / "ok.elf").write_bytes(data)
    (tmp_path / "junk").write_bytes(b"junk")
    head = "model m\n  width 64\n"
    assert _codes(head + 'image x from elf "missing.elf"\n', tmp_path) == [("BS130", 3, 1)]
    assert _codes(head + 'image x from elf "junk"\n', tmp_path) == [("BS130", 3, 1)]
    assert _codes(head + 'image x from pe "ok.elf"\n', tmp_path) == [("BS130", 3, 1)]
    assert _codes(head + 'image x from elf "ok.elf" symbols {nope}\n', tmp_path) == \
        [("BS130", 3, 1)]
    # two images with one name clash like any two declarations
    codes = {c for c, _, _ in _codes(head + 'image x from elf "ok.elf"\n'
                                     'image x from elf "ok.elf"\nstage s\n', tmp_path)}
    assert codes == {"BS102"}
    # an image line belongs to a model, not a proof or nowhere
    assert _codes('image x from elf "ok.elf"\n', tmp_path)[0][0] == "BS117"
    # the catalogue's example
    assert [c for c, _, _ in errors_of('model m\n  width 32\nimage x from elf "no-such-file"\n')
            ] == ["BS130"]


def _header(*argv: str) -> str:
    status, out, err = cli(*argv)
    assert status in (0, 1), err
    return out.splitlines()[0]


def test_sources_hash_covers_images(tmp_path: Path) -> None:
    data, _ = elfwrite.build(64, False)
    img = tmp_path / "xen-syms"
    img.write_bytes(data)
    _model(tmp_path, "xen-syms")
    argv = ("check", "--no-cache", "--no-timing", str(tmp_path))
    first = _header(*argv)
    assert "(3 files)" in first  # the model, the proof and the image
    img.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one byte the model does not read
    assert _header(*argv) != first


def test_sources_hash_covers_map_files_and_memmap(tmp_path: Path) -> None:
    fixtures = REPO / "tests" / "memmap" / "fixtures"
    (tmp_path / "models").mkdir()
    (tmp_path / "machines").mkdir()
    shutil.copy(fixtures / "filemap" / "from_file.boot", tmp_path / "models")
    log = tmp_path / "machines" / "e820-desktop.txt"
    shutil.copy(fixtures / "machines" / "e820-desktop.txt", log)
    # the map lies beside models/, so the project is the folder above it (--root)
    argv = ("check", "--no-cache", "--no-timing", "--root", str(tmp_path),
            str(tmp_path / "models"))
    first = _header(*argv)
    assert "(2 files)" in first  # the model and the map it reads
    log.write_text(log.read_text() + "# one more line\n")
    assert _header(*argv) != first
    # --memmap: the machine's log counts too
    machine = tmp_path / "m.txt"
    shutil.copy(fixtures / "bios" / "ebda-9fc00.txt", machine)
    model = REPO / "models" / "xen_trampoline.boot"
    proof = REPO / "proofs" / "xen_trampoline.proof"
    argv = ("check", "--no-cache", "--no-timing", "--memmap", str(machine), str(model),
            str(proof))
    first = _header(*argv)
    assert "(3 files)" in first
    machine.write_text(machine.read_text() + "# a line the importer skips\n")
    assert _header(*argv) != first
