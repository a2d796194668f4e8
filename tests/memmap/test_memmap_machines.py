"""``bootspec memmap check``: a folder of machines against models, text/JSON/md, -j N.

Fixture verdicts are derived by hand in test_memmap_bind.py; the shared corpus
runs only assert that the run completes and counts machines independently.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from helpers import REPO, cli, decided_alone

from bootspec.pipeline import discover, load
from bootspec.sweep.cli import Progress, expand_inputs, select_models
from bootspec.sweep.rows import MachineReport

FIX = Path(__file__).resolve().parent / "fixtures"
MACHINES = FIX / "machines"
MODELS = ["--path", str(FIX / "models")]
EFI_MODELS = ["--model", "low_alloc", "--model", "low_alloc_trusting", "--model", "low_tramp"]
CORPUS = REPO / ".." / "shared" / "data" / "memmaps"


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    return cli("memmap", "check", "--no-timing", "--no-cache", *argv, cwd=cwd)


def by_name(doc: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {m["name"]: m for m in doc["machines"]}


def result(machine: dict, model: str, prop: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in machine["results"] if (r["model"], r["property"]) == (model, prop))


def test_folder_of_machines_json() -> None:
    code, out, err = run(str(MACHINES), *MODELS, *EFI_MODELS, "--format", "json")
    assert code == 1, err  # the R820-like machine breaks low_alloc_trusting (expected holds)
    doc = json.loads(out)
    ms = by_name(doc)
    # README.md is a note, not a map; the e820-only desktop has no efi map
    assert sorted(ms) == ["clean-efi.txt", "e820-desktop.txt", "r820-like-efi.txt"]
    assert ms["e820-desktop.txt"]["status"] == "skipped"
    assert doc["summary"] == {"machines": 2, "acceptable": 1, "not_acceptable": 1,
                              "skipped": 1, "errors": 0}
    clean, r820 = ms["clean-efi.txt"], ms["r820-like-efi.txt"]
    assert clean["status"] == "acceptable" and r820["status"] == "not_acceptable"
    assert r820["machine"].startswith("Test Inc. R820-like")
    assert {m["model"] for m in clean["maps"]} == {"low_alloc", "low_alloc_trusting",
                                                   "low_tramp"}
    # clean: the trampoline goes top-down into conventional [0x1000, 0xa0000)
    tramp = result(clean, "low_tramp", "tramp_in_free_memory")
    assert tramp["verdict"] == "holds" and tramp["placement_from"] == "run"
    assert tramp["placement"] == [{"name": "tramp", "start": "0x90000", "end": "0xa0000"}]
    # R820-like: buf (1..16 KiB below 640 KiB) lands in bs_code [0x98000, 0xa0000)
    buf = result(r820, "low_alloc", "buf_outside_boot_services")
    assert buf["verdict"] == "violated" and buf["acceptable"] and buf["expected"] == "violated"
    [p] = buf["placement"]
    assert p["name"] == "buf" and int(p["end"], 16) == 0xA0000
    assert 0x9C000 <= int(p["start"], 16) < 0xA0000 and buf["placement_from"] == "counterexample"
    assert "place buf" in buf["violation"]
    trusting = result(r820, "low_alloc_trusting", "buf_outside_boot_services")
    assert trusting["verdict"] == "violated" and not trusting["acceptable"]
    wf = result(r820, "low_tramp", "fits@L29")  # no conventional memory below 1 MiB
    assert wf["verdict"] == "violated" and "no placement fits" in wf["violation"]
    assert result(r820, "low_tramp", "wellformed")["verdict"] == "holds"
    assert any("types not in the model's list" in n for n in r820["notes"])


def test_text_and_markdown_reports() -> None:
    code, out, err = run(str(MACHINES), *MODELS, *EFI_MODELS)
    assert code == 1 and err == ""
    assert out.startswith("bootspec memmap check: 2 machines\n")
    assert "models: low_alloc, low_alloc_trusting, low_tramp" in out
    assert "2 machines: 1 acceptable, 1 not acceptable; 1 file skipped." in out
    assert "exit 1: 1 machine not acceptable" in out
    assert "  r820-like-efi.txt -- Test Inc. R820-like/0TEST1" in out
    assert "low_alloc_trusting / buf_outside_boot_services:" in out
    assert "1 file with no efi map (only e820): e820-desktop.txt" in out
    assert "clean-efi.txt" not in out  # acceptable machines only with --details
    code, out, _ = run(str(MACHINES), *MODELS, *EFI_MODELS, "--details")
    assert code == 1
    assert "[2/2] r820-like-efi.txt -- Test Inc. R820-like/0TEST1" in out
    assert "efi map at line 3 (Linux EFI memmap (old style), 9 entries) ->" in out
    assert "tramp [0x90000, 0xa0000)" in out and "NOT OK" in out
    code, md, _ = run(str(MACHINES), *MODELS, *EFI_MODELS, "--format", "md")
    assert code == 1 and md.startswith("### bootspec memmap check")
    assert "#### Not acceptable" in md and "| `r820-like-efi.txt` | `low_alloc_trusting`" in md
    assert "clean-efi.txt" not in md


def test_acceptable_machine_exits_0_and_one_model_selects_one() -> None:
    code, out, err = run(str(MACHINES / "clean-efi.txt"), *MODELS, "--model", "low_alloc")
    assert (code, err) == (0, "")
    assert "1 machine: 1 acceptable, 0 not acceptable." in out and "exit 0:" in out
    # low_alloc is expected violated; on this machine it holds, which is acceptable
    code, out, _ = run(str(MACHINES / "clean-efi.txt"), *MODELS, "--model", "low_alloc",
                       "--details")
    assert "low_alloc / buf_outside_boot_services\n      ok: holds, expected violated" in out


@pytest.mark.long
def test_parallel_run_gives_the_same_report_in_the_same_order() -> None:
    args = (str(MACHINES / "r820-like-efi.txt"), str(MACHINES / "clean-efi.txt"), *MODELS,
            *EFI_MODELS, "--format", "json")
    one = run(*args)
    two = run(*args, "-j", "2")
    assert one == two and one[0] == 1
    assert [m["name"] for m in json.loads(two[1])["machines"]] == ["r820-like-efi.txt",
                                                                   "clean-efi.txt"]


def test_a_machines_report_does_not_depend_on_the_other_files() -> None:
    # Z3 keeps history in its context; each machine gets a fresh one, so its
    # counterexample is the same alone, after other machines, or on a worker
    alone = json.loads(run(str(MACHINES / "r820-like-efi.txt"), *MODELS, *EFI_MODELS,
                           "--format", "json")[1])
    after = json.loads(run(str(MACHINES / "clean-efi.txt"), str(MACHINES / "r820-like-efi.txt"),
                           *MODELS, *EFI_MODELS, "--format", "json")[1])
    assert by_name(alone)["r820-like-efi.txt"] == by_name(after)["r820-like-efi.txt"]


def test_bad_inputs_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.log"
    bad.write_text("efi: mem00: type=7, attr=0xf, range=[0x0000000000100000-0x0000000000300000)"
                   " (1MB)\n")
    code, out, err = run(str(bad), str(MACHINES / "clean-efi.txt"), *MODELS, *EFI_MODELS)
    assert code == 2 and f"{bad}:1:" in err and "BS505" in err
    assert "1 machine: 1 acceptable" in out and "1 input error" in out  # the rest still ran
    code, _, err = run(str(tmp_path / "nope.log"), *MODELS, *EFI_MODELS)
    assert code == 2 and "no such file or folder" in err
    code, _, err = run(str(MACHINES), *MODELS, "--model", "low_alloc_trustin")
    assert code == 2 and "BS529" in err and "low_alloc_trusting" in err
    code, _, err = run(str(MACHINES / "e820-desktop.txt"), *MODELS, *EFI_MODELS)
    assert code == 2 and "BS521" in err  # no input is a machine for these models
    code, _, err = run(str(MACHINES), *MODELS, "--model", "low_alloc", "-j", "0")
    assert code == 2 and "BS001" in err


def test_a_model_without_a_symbolic_map_is_not_checked(tmp_path: Path) -> None:
    (tmp_path / "m.boot").write_text("model plain\n  width 32\nstage s\n"
                                     "  place r size 4KiB at 0x1000\n")
    code, _, err = run(str(MACHINES), "--path", str(tmp_path), "--model", "plain")
    assert code == 2 and "BS521" in err and "no symbolic map" in err


def test_expand_inputs_keeps_sysfs_folders_whole() -> None:
    files, diags = expand_inputs([str(FIX / "sysfs-qemu"), str(MACHINES)])
    assert diags == [] and files[0] == (str(FIX / "sysfs-qemu"), True)
    assert [Path(f).name for f, explicit in files[1:] if not explicit] == [
        "clean-efi.txt", "e820-desktop.txt", "r820-like-efi.txt"]


def test_select_models_by_name_or_file_stem() -> None:
    p = load(discover([str(REPO / "models")]))
    assert select_models(p, ["xen_trampoline"]) == [
        "xen_trampoline_bios", "xen_trampoline_ebda", "xen_trampoline_efi",
        "xen_trampoline_fixed"]
    assert select_models(p, ["xen_trampoline_efi", "xen_trampoline_efi"]) == [
        "xen_trampoline_efi"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal() -> None:
    rep = MachineReport("a/x.txt", None)
    quiet = io.StringIO()
    p = Progress(2, quiet, delay=0.0)
    p(rep)
    p.close()
    assert quiet.getvalue() == ""
    tty = _Tty()
    p = Progress(2, tty, delay=0.0)
    p(rep)
    p(rep)
    p.close()
    assert tty.getvalue()  # tqdm's bar, or the built-in "2/2 files (x.txt)" line


# -- the shared corpus --------------------------------------------------------------------

def corpus_counts() -> tuple[int, int, int]:
    """(files, files with an EFI map, files with an EFI or e820 map), counted with regexes
    independent of the importer."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared memory-map corpus not found at {CORPUS.resolve()} "
                    "(expected shared/data/memmaps beside the repository checkout)")
    files = [f for f in sorted(CORPUS.iterdir()) if f.is_file() and f.suffix != ".md"]
    efi = [f for f in files if re.search(r"(?im)^.*efi: mem\d+:", f.read_text(encoding="utf-8"))]
    e820 = re.compile(r"(?m)(BIOS-e820: \[mem|Xen: \[mem|\(XEN\)\s+\[?[0-9a-f]{16}(,| -) )")
    either = [f for f in files if f in efi or e820.search(f.read_text(encoding="utf-8"))]
    return len(files), len(efi), len(either)


def _corpus_run(*models: str, e820: bool = False) -> dict:  # type: ignore[type-arg]
    """A sweep of the corpus; ``e820``: some model binds e820 maps too (else EFI only)."""
    n_files, n_efi, n_any = corpus_counts()
    argv = [str(CORPUS.resolve())]
    for m in models:
        argv += ["--model", m]
    code, out, err = run(*argv, "--format", "json", "-j", "2", cwd=REPO)
    assert code in (0, 1), err  # no bad input, no internal error (3)
    doc = json.loads(out)
    assert doc["summary"]["errors"] == 0
    assert doc["summary"]["machines"] == (n_any if e820 else n_efi)
    assert doc["summary"]["machines"] + doc["summary"]["skipped"] == n_files
    for m in doc["machines"]:
        if m["status"] in ("acceptable", "not_acceptable"):
            assert m["results"] and all(r["verdict"] in ("holds", "violated", "vacuous",
                                                         "unknown") for r in m["results"])
    assert code == (0 if doc["summary"]["not_acceptable"] == 0 else 1)
    return doc


def test_corpus_trampoline() -> None:
    doc = _corpus_run("xen_trampoline", e820=True)
    # the BIOS variants bind the e820 maps, the EFI one the EFI maps
    assert doc["models"] == ["xen_trampoline_bios", "xen_trampoline_ebda",
                             "xen_trampoline_efi", "xen_trampoline_fixed"]
    assert doc["not_checked_models"] == []


@pytest.mark.slow
def test_corpus_trampoline_and_early_alloc() -> None:
    doc = _corpus_run("xen_trampoline", "xen_early_alloc", e820=True)
    assert "xen_early_alloc_place_string" in doc["models"]


# A slice of the corpus: e820 machines for the kdump models (whose maps the model's
# symbolic map does not admit: the proofs for *any* map carry them) and EFI ones.
SWEEP = ["idx-56673800654.txt", "ml-pdx86-2f01b4bf74.txt", "ml-pdx86-7bd0192833.txt",
         "ml-pdx86-e9bbb78cf6.txt", "ml-kexec-1a1de111d5-b.txt"]


@pytest.mark.long
def test_a_sweep_decides_each_machine_as_deciding_it_alone() -> None:
    """Proofs for every map, known runs and counterexample hints carried from machine
    to machine change nothing: every verdict, reason and counterexample is what
    deciding each obligation alone, in a fresh context, gives. On the corpus slice when
    it is beside the checkout, else on the project's own machine fixtures."""
    if CORPUS.is_dir():
        files = [str(CORPUS / n) for n in SWEEP]
    else:
        files = [str(MACHINES / n) for n in ("e820-desktop.txt", "clean-efi.txt",
                                             "r820-like-efi.txt")]
    assert _sweep_vs_alone(files) > 0


@pytest.mark.slow
def test_a_sweep_over_the_whole_corpus_decides_each_machine_as_alone() -> None:
    names = [Path(f).name for f, _ in expand_inputs([str(CORPUS)])[0]]
    assert len(names) == 135
    assert _sweep_vs_alone(names) > 0


def _sweep_vs_alone(names: list[str]) -> int:
    """Sweep ``names`` (corpus files) and compare every obligation with deciding it
    alone; the number of proofs for every map that were used."""
    from bootspec.memmap.bind import Machine, bind
    from bootspec.pipeline import check_project
    from bootspec.sweep.reuse import Reuse
    from bootspec.sweep.run import screen

    project = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
    models = select_models(project, ["xen_kdump", "xen_trampoline", "xen_early_alloc"])
    models = [n for n in models if any(m.symbolic for m in project.models[n].maps.values())]
    reuse = Reuse(project)
    carried = 0
    for name in names:
        machine = screen(project, models, name if "/" in name else str(CORPUS / name))
        if not isinstance(machine, Machine):
            continue
        binding = bind(project, machine, models=models, require=False)
        bound = binding.bound_models()
        carry = reuse.for_binding(binding)
        carried += sum(len(c.proved) for c in carry.values())
        for r in check_project(binding.project, select=lambda o, b=bound: o.model in b,
                               carry=carry):
            ob = r.obligation
            assert (r.verdict.status, r.verdict.reason, r.verdict.counterexample) == \
                decided_alone(binding.project, ob), (name, ob.model, ob.name)
    return carried  # the proofs were used, not just computed


@pytest.mark.slow
def test_every_corpus_machines_report_is_the_same_alone_and_in_a_sweep() -> None:
    """Rows (verdicts, counterexamples, sample runs) and notes of each machine checked
    on its own equal those of the same machine in a sweep of the whole corpus."""
    import dataclasses

    from bootspec.sweep.run import check_machine, check_machines

    project = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
    models = [n for n, m in project.models.items() if any(x.symbolic for x in m.maps.values())]
    inputs = expand_inputs([str(CORPUS)])[0]
    swept = check_machines(project, models, inputs, None, 1, True)

    def rows(rep: MachineReport) -> list[object]:
        return [dataclasses.replace(r, seconds=0.0) for r in rep.rows]

    for (f, explicit), rep in zip(inputs, swept, strict=True):
        alone = check_machine(project, models, f, None, True, explicit)
        assert (rows(alone), alone.notes) == (rows(rep), rep.notes), f


def test_the_efi_memmap_models_decide_a_real_page_granular_efi_map() -> None:
    """xen_efi_memmap computes setup.c's 2 MiB rounding in its crash placement instead
    of assuming the firmware's descriptors are 2 MiB aligned, so a real, page-granular
    EFI map (clean-efi.txt: 0x808000, 0x810000, ...) is decided, not vacuous. On this
    map no descriptor is both EFI_MEMORY_RUNTIME and free memory (the one RUNTIME
    descriptor, mem08, is type 0, reserved), so no crash area can land on runtime
    memory even with the 2021 conversion: every property holds there."""
    code, out, err = cli("memmap", "check", "--no-timing", "--no-cache", "--format", "json",
                         str(MACHINES / "clean-efi.txt"), "--model", "xen_efi_memmap_2021",
                         "--model", "xen_efi_memmap_2022", cwd=REPO)
    assert (code, err) == (0, "")
    machine = by_name(json.loads(out))["clean-efi.txt"]
    verdicts = {(r["model"], r["property"]): r["verdict"] for r in machine["results"]}
    assert len(verdicts) == 6
    assert set(verdicts.values()) == {"holds"}, verdicts


@pytest.mark.parametrize("fmt", ["text", "md", "json", "junit", "sarif", "html"])
def test_an_interrupted_sweep_reports_what_it_decided_marked_partial(
        fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of a sweep: the machines finished before it are reported,
    the report says PARTIAL REPORT in its content (every format), stderr says how many
    files were read, and the exit status is 130, as for an interrupted check."""
    import bootspec.sweep.run as run_mod
    real = run_mod.check_machine
    calls = {"n": 0}

    def check_machine(*a, **k):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(run_mod, "check_machine", check_machine)
    files = [str(MACHINES / n) for n in ("clean-efi.txt", "e820-desktop.txt",
                                         "r820-like-efi.txt")]
    code, out, err = cli("memmap", "check", "--no-timing", "--no-cache", "--format", fmt,
                         *files, *MODELS, *EFI_MODELS)
    assert code == 130, err
    assert "PARTIAL report, 1 of 3 files read" in err
    assert ("1 of 3 files read" in json.loads(out)["partial"]["reason"] if fmt == "json"
            else "PARTIAL REPORT" in out)
    assert "e820-desktop.txt" not in out and "r820-like-efi.txt" not in out
    if fmt in ("json", "junit", "html"):  # the formats that name every machine
        assert "clean-efi.txt" in out
    if fmt == "json":
        assert json.loads(out)["summary"]["machines"] == 1
    if fmt in ("text", "md"):
        assert "1 machine: 1 acceptable" in out and "exit 130: interrupted" in out
