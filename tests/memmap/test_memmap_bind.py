"""Binding a machine's map to the models' symbolic maps (bootspec.memmap.bind).

Fixture maps are in fixtures/machines and fixtures/bind, fixture models in
fixtures/models. Every verdict asserted here is derived by hand in a comment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cli

from bootspec.diagnostics import BootspecError, Span, render_all
from bootspec.engine.check import Result, Verdict
from bootspec.lang.ir import Obligation
from bootspec.memmap.bind import (
    bind,
    bind_project,
    describe_machine,
    load_machine,
    machine_ok,
    resolve_file_maps,
)
from bootspec.pipeline import Project, check_project, discover, load
from bootspec.safeio import Scope

FIX = Path(__file__).resolve().parent / "fixtures"
MACHINES = FIX / "machines"
R820 = str(MACHINES / "r820-like-efi.txt")
CLEAN = str(MACHINES / "clean-efi.txt")
E820 = str(MACHINES / "e820-desktop.txt")
SPLIT = str(FIX / "bind" / "split-conventional-efi.txt")
OVERLAP = str(FIX / "bind" / "overlap-efi.txt")


@pytest.fixture(scope="module")
def project() -> Project:
    return load(discover([str(FIX / "models")]))


def verdicts(p: Project, models: list[str]) -> dict[tuple[str, str], str]:
    return {(r.obligation.model, r.obligation.name): r.verdict.status
            for r in check_project(p, select=lambda ob: ob.model in models)}


def test_binds_every_symbolic_map_of_the_kind_and_keeps_the_original(project: Project) -> None:
    b = bind(project, CLEAN)
    assert b.bound_models() == ["low_alloc", "low_alloc_trusting", "low_tramp"]  # efi only
    fw = b.project.models["low_alloc"].maps["fw"]
    assert not fw.symbolic and fw.count == len(fw.entries)
    # sorted by address, 64-bit model: nothing clipped; adjacent conventional runs
    # [0x1000, 0xa0000) and [0x100000, ...) do not touch, so nothing merges there
    starts = [e[0] for e in fw.entries]
    assert starts == sorted(starts) and fw.entries[0][:3] == (0, 0x1000, "bs_code")
    assert fw.entries[1][:3] == (0x1000, 0xA0000, "conventional")
    # every entry points at its log line
    assert fw.entries[0][3].path == CLEAN and fw.entries[0][3].line == 3
    # the original project is untouched (frozen values, new dicts)
    assert project.models["low_alloc"].maps["fw"].symbolic
    assert b.project is not project and b.project.models is not project.models
    assert project.models["low_e820"] is b.project.models["low_e820"]  # no e820 map: as is


def test_place_string_like_model_breaks_on_boot_services_below_640k(project: Project) -> None:
    models = ["low_alloc", "low_alloc_trusting", "low_tramp"]
    # R820-like: bs_data [0, 0x98000), bs_code [0x98000, 0xa0000). buf is carved down from
    # 640 KiB, 1..16 KiB long, so it lies in [624 KiB, 640 KiB): in bs_code -> violated.
    # No conventional memory below 1 MiB: the trampoline never fits (its fits@ site,
    # expected, is violated; nothing else is), so its property has no reachable state.
    bad = verdicts(bind(project, R820).project, models)
    assert bad[("low_alloc", "buf_outside_boot_services")] == "violated"
    assert bad[("low_alloc_trusting", "buf_outside_boot_services")] == "violated"
    assert bad[("low_tramp", "fits@L29")] == "violated"
    assert bad[("low_tramp", "wellformed")] == "holds"
    assert bad[("low_tramp", "tramp_in_free_memory")] == "vacuous"
    # clean (OVMF-like): [0x1000, 0xa0000) is conventional: buf is clear of boot
    # services, the trampoline fits at [0x90000, 0xa0000) inside conventional memory
    good = verdicts(bind(project, CLEAN).project, models)
    assert good[("low_alloc", "buf_outside_boot_services")] == "holds"
    assert good[("low_alloc_trusting", "buf_outside_boot_services")] == "holds"
    assert good[("low_tramp", "wellformed")] == "holds"
    assert good[("low_tramp", "fits@L29")] == "holds"
    assert good[("low_tramp", "tramp_in_free_memory")] == "holds"


def test_machine_ok_only_requires_expected_holds_to_hold() -> None:
    def res(expected: str, status: str) -> Result:
        return Result(Obligation("m", "p", "proof", expected, Span("x", 1, 1)), Verdict(status),
                      0.0)

    assert machine_ok(res("holds", "holds"))
    assert not machine_ok(res("holds", "violated"))
    assert not machine_ok(res("holds", "unknown"))
    assert not machine_ok(res("holds", "vacuous"))
    assert machine_ok(res("violated", "holds"))  # this machine does not trigger the bug
    assert machine_ok(res("violated", "violated"))
    assert machine_ok(res("vacuous", "holds"))


def test_descriptors_whose_attributes_differ_are_not_merged(project: Project) -> None:
    # conventional [0x80000, 0xa0000) printed as four 32 KiB descriptors whose
    # attributes alternate (0xf, 0xe): firmware allocates inside one descriptor, so
    # the 64 KiB trampoline fits in none of them below 1 MiB (EDK2 and Xen's fallback
    # both find no room); a merged map would place it across two of them.
    b = bind(project, SPLIT, models=["low_tramp"])
    fw = b.project.models["low_tramp"].maps["fw"]
    assert [e[:3] for e in fw.entries] == [
        (0, 0x80000, "reserved"), (0x80000, 0x88000, "conventional"),
        (0x88000, 0x90000, "conventional"), (0x90000, 0x98000, "conventional"),
        (0x98000, 0xA0000, "conventional"), (0x100000, 0x40000000, "conventional")]
    assert verdicts(b.project, ["low_tramp"])[("low_tramp", "fits@L29")] == "violated"


def test_bound_entries_carry_their_attribute_words(project: Project, tmp_path: Path) -> None:
    # the attribute words of the log become the entries' words (they were dropped, so
    # a model reading e.attrs saw 0 on every machine): 0xf and 0xe alternate below
    # 1 MiB; a RUNTIME conventional run above it is 0x800000000000000f
    b = bind(project, SPLIT, models=["low_tramp"])
    fw = b.project.models["low_tramp"].maps["fw"]
    assert fw.entry_attrs == (0xF, 0xF, 0xE, 0xF, 0xE, 0xF)
    run = tmp_path / "runtime-efi.txt"
    run.write_text(Path(SPLIT).read_text(encoding="utf-8").replace(
        "mem05: type=7, attr=0xf", "mem05: type=7, attr=0x800000000000000f"), encoding="utf-8")
    fw = bind(project, str(run), models=["low_tramp"]).project.models["low_tramp"].maps["fw"]
    assert fw.attr_of(5) == 0x800000000000000F


def test_descriptors_with_the_same_attributes_are_merged(project: Project,
                                                        tmp_path: Path) -> None:
    # the same run printed as four descriptors with one attribute word: one run, in
    # which the 64 KiB trampoline fits top-down at [0x90000, 0xa0000)
    same = tmp_path / "same-attrs-efi.txt"
    same.write_text(Path(SPLIT).read_text(encoding="utf-8").replace("attr=0xe", "attr=0xf"),
                    encoding="utf-8")
    b = bind(project, str(same), models=["low_tramp"])
    fw = b.project.models["low_tramp"].maps["fw"]
    assert [e[:3] for e in fw.entries] == [
        (0, 0x80000, "reserved"), (0x80000, 0xA0000, "conventional"),
        (0x100000, 0x40000000, "conventional")]
    assert fw.entries[1][3].line == 3  # the first merged descriptor's line
    assert verdicts(b.project, ["low_tramp"])[("low_tramp", "fits@L29")] == "holds"
    split = bind(project, str(same), models=["low_tramp"], merge=False)
    assert len(split.project.models["low_tramp"].maps["fw"].entries) == 6


def test_clipping_to_a_32_bit_model_is_noted(project: Project) -> None:
    b = bind(project, E820)
    assert b.bound_models() == ["low_e820"]
    ram = b.project.models["low_e820"].maps["ram"]
    # [0xff000000, 0x100100000) reserved is cut at 4 GiB; usable [0x100100000, ...) dropped
    assert ram.entries[-1][:3] == (0xFF000000, 1 << 32, "reserved")
    assert all(e[1] <= 1 << 32 for e in ram.entries)
    notes = [d for d in b.notes if d.code == "BS526"]
    assert len(notes) == 1 and notes[0].severity == "note"
    msg = notes[0].message
    assert "low_e820.ram" in msg and "dropped 1 entry" in msg and "0x100100000" in msg
    assert "cut [0xff000000, 0x100100000) reserved" in msg
    # the highest usable entry below 4 GiB is [0xbdfff000, 0xbf000000): the 1 MiB blob
    # goes at its top, inside usable RAM
    assert verdicts(b.project, ["low_e820"]) == {("low_e820", "wellformed"): "holds",
                                                 ("low_e820", "fits@L8"): "holds",
                                                 ("low_e820", "blob_in_ram"): "holds"}


def test_notes_say_where_the_machine_leaves_the_symbolic_map(project: Project) -> None:
    b = bind(project, R820, models=["low_alloc_trusting"])
    [note] = [d for d in b.notes if d.code == "BS527"]
    # below 1 MiB: bs_data, bs_code, reserved (3 entries <= 4), but bs_* not allowed;
    # six entries above 1 MiB where the symbolic map has none
    assert "types not in the model's list: bs_code, bs_data" in note.message
    assert "6 entries outside [0x0, 0x100000)" in note.message
    assert "(the symbolic map has" not in note.message


def test_overlapping_entries_are_an_error_naming_both_lines(project: Project) -> None:
    with pytest.raises(BootspecError) as ei:
        bind(project, OVERLAP)
    [d] = ei.value.diagnostics
    # located at the later entry by address (line 4), the earlier one (line 2) as a note
    assert d.code == "BS523" and d.span.path == OVERLAP and d.span.line == 4
    assert "[0x9e000, 0x9f000)" in d.message and "bs_data" in d.message
    assert d.notes and d.notes[0][0].line == 2
    text = render_all(ei.value.diagnostics)
    assert f"{OVERLAP}:2:" in text and f"{OVERLAP}:4:" in text


def test_map_file_errors_are_reported_with_their_codes(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "bad.log"
    bad.write_text("efi: mem00: type=7, attr=0xf, range=[0x0000000000100000-0x0000000000300000)"
                   " (1MB)\n")
    with pytest.raises(BootspecError) as ei:
        bind(project, str(bad))
    assert [(d.code, d.span.line) for d in ei.value.diagnostics] == [("BS505", 1)]
    empty = tmp_path / "empty.log"
    empty.write_text("Linux version 6.1\n")
    with pytest.raises(BootspecError) as ei:
        bind(project, str(empty))
    assert [d.code for d in ei.value.diagnostics] == ["BS506"]


def test_nothing_to_bind_is_an_error(project: Project) -> None:
    with pytest.raises(BootspecError) as ei:
        bind(project, E820, models=["low_alloc"])
    [d] = ei.value.diagnostics
    assert d.code == "BS521" and "e820" in d.message and "low_alloc.fw (efi" in (d.hint or "")
    assert bind(project, E820, models=["low_alloc"], require=False).bound == ()


def test_bind_names_one_map(project: Project) -> None:
    assert bind(project, E820, "ram").bound_models() == ["low_e820"]
    with pytest.raises(BootspecError) as ei:
        bind(project, R820, "ram")  # a known map, but the file has no e820 map
    assert ei.value.diagnostics[0].code == "BS521"
    with pytest.raises(BootspecError) as ei:
        bind(project, R820, "fww")
    [d] = ei.value.diagnostics
    assert d.code == "BS522" and "no model has a map named 'fww'" in d.message
    assert "low_alloc.fw (efi, symbolic)" in (d.hint or "")


def test_bind_project_is_what_the_cli_calls(project: Project) -> None:
    p = bind_project(project, CLEAN, "fw")
    assert not p.models["low_tramp"].maps["fw"].symbolic
    assert project.models["low_tramp"].maps["fw"].symbolic


def test_cli_check_memmap_and_unknown_bind() -> None:
    models = str(FIX / "models")
    code, out, err = cli("check", "--no-timing", "--memmap", CLEAN, models)
    # on the clean machine the expected-violated obligations hold: a known bug not
    # triggered by this map is fine (machine_ok), so the machine passes (exit 0)
    assert code == 0, err
    assert "known violations are not triggered by this map" in out
    assert "low_e820" in out  # not bound (no e820 map): checked symbolically, as is
    code, out, err = cli("check", "--memmap", CLEAN, "--bind", "nope", models)
    assert code == 2 and "BS522" in err and "model maps:" in err and "low_tramp.fw" in err


def test_machine_description_from_the_source_line() -> None:
    assert describe_machine(R820) == "Test Inc. R820-like/0TEST1, BIOS 1.0.0 01/01/2013 (EFI)"
    assert describe_machine(str(FIX / "xen-pv.txt")) is None
    m = load_machine(E820)
    assert m.kinds == ("e820",) and m.description and m.description.startswith("Test Desktop")


# -- map NAME : KIND from "path" ---------------------------------------------------------

def test_resolve_file_maps_reads_the_path_relative_to_the_model_file() -> None:
    # pipeline.load resolves 'map NAME : KIND from "path"' itself; the model's
    # "../machines/..." lies inside the project only when the project is the fixtures
    q = load(discover([str(FIX / "filemap" / "from_file.boot")]), scope=Scope(root=str(FIX)))
    ram2 = q.models["from_file"].maps["ram"]
    assert ram2.entries and ram2.count == len(ram2.entries) and not ram2.symbolic
    assert ram2.entries[-1][:3] == (0xFF000000, 1 << 32, "reserved")  # clipped as in bind
    assert verdicts(q, ["from_file"]) == {("from_file", "wellformed"): "holds",
                                          ("from_file", "from_file_blob_in_ram"): "holds"}
    assert resolve_file_maps(load(discover([str(FIX / "models")]))).models  # nothing to do


@pytest.mark.parametrize(("target", "needle"), [
    ("missing.txt", "resolved to"),
    ("../bind/overlap-efi.txt", "is e820, but"),
])
def test_resolve_file_maps_errors(tmp_path: Path, target: str, needle: str) -> None:
    src = (FIX / "filemap" / "from_file.boot").read_text(encoding="utf-8")
    d = tmp_path / "models"
    d.mkdir()
    (tmp_path / "bind").mkdir()
    (tmp_path / "bind" / "overlap-efi.txt").write_text(Path(OVERLAP).read_text())
    (d / "m.boot").write_text(src.replace("../machines/e820-desktop.txt", target))
    with pytest.raises(BootspecError) as ei:
        load(discover([str(d)]), scope=Scope(root=str(tmp_path)))
    codes = [x.code for x in ei.value.diagnostics]
    assert "BS525" in codes
    msg = next(x for x in ei.value.diagnostics if x.code == "BS525")
    assert needle in msg.message and msg.span.path.endswith("m.boot") and msg.span.line == 5


def test_admits_a_machine_map_only_within_the_symbolic_maps_rules(project: Project) -> None:
    """A proof for every map of the model as written covers a bound model only when the
    machine's map is one the symbolic map admits and nothing else changed; the relaxed
    model (every type, any alignment, the whole address space) admits any real map."""
    import dataclasses

    from bootspec.memmap.bind import admits
    from bootspec.sweep.reuse import relaxed

    name = "low_alloc"
    written = project.models[name]
    bound = bind(project, CLEAN, None).project.models[name]
    sym = next(m for m in written.maps.values() if m.symbolic)
    a, lo = max(sym.align, 1), -(-sym.lo // max(sym.align, 1)) * max(sym.align, 1)
    ok_entries = tuple((lo + a * i, lo + a * (i + 1), sym.types[-1], "") for i in range(3))

    def with_entries(entries: tuple) -> object:  # type: ignore[type-arg]
        m = dataclasses.replace(bound.maps[sym.name], entries=entries, count=len(entries))
        return dataclasses.replace(bound, maps={**bound.maps, sym.name: m})

    assert admits(written, with_entries(ok_entries))  # any count, here 3
    overlapping = ((lo, lo + 2 * a, sym.types[0], ""), (lo + a, lo + 3 * a, sym.types[0], ""))
    assert not admits(written, with_entries(overlapping))
    beyond = ((lo, lo + a, sym.types[0], ""), (sym.hi, sym.hi + a, sym.types[0], ""))
    assert not admits(written, with_entries(beyond))
    assert admits(relaxed(written), bound)
    other = dataclasses.replace(bound, params=bound.params[1:])  # something else changed
    assert not admits(relaxed(written), other)


def test_admits_parameters_pinned_to_one_of_their_values(project: Project) -> None:
    """A machine's BIOS inputs pin parameters to one value each: a proof for every
    configuration covers the pinned model only when that value is one the parameter
    takes (a narrowing), never a value outside it, a wider set or another parameter."""
    import dataclasses

    from bootspec.diagnostics import Span
    from bootspec.lang.ir import ParamIR
    from bootspec.memmap.bind import admits
    from bootspec.sweep.reuse import relaxed

    name = "low_alloc"
    span = Span("m.boot", 1, 1)
    param = ParamIR("mem_lower", "range", span, lo=0x10, hi=0x1000, align=0x10)
    written = relaxed(dataclasses.replace(project.models[name], params=(param,)))
    bound = dataclasses.replace(bind(project, CLEAN, None).project.models[name], params=(param,))

    def pinned(*values: int, p: ParamIR = param) -> object:
        q = dataclasses.replace(p, kind="set", lo=min(values), hi=max(values), align=1,
                                values=values)
        return dataclasses.replace(bound, params=(q,))

    assert admits(written, bound)
    assert admits(written, pinned(0x20)) and admits(written, pinned(0x1000))
    assert not admits(written, pinned(0x21))  # not a multiple of its alignment
    assert not admits(written, pinned(0x0)) and not admits(written, pinned(0x1010))
    assert not admits(written, pinned(0x20, 0x30))  # two values: not a pin
    renamed = dataclasses.replace(param, name="ebda_seg")
    assert not admits(written, pinned(0x20, p=renamed))
    flag = ParamIR("flag", "bool", span)
    assert flag.takes(0) and flag.takes(1) and not flag.takes(2)
    assert flag.pinned_to() is None and param.pinned_to() is None
