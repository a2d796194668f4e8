"""Taking a counterexample home: ``explain --emit-memmap`` (round trip through
``memmap show`` and ``check --memmap``), ``--emit-test`` (the emitted tests are run),
and ``--assume``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, cli

from bootspec.codes import catalogue
from bootspec.pipeline import discover, load

SHIPPED = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
# every obligation of a shipped model with a symbolic map that is expected violated
WITH_MAPS = [(ob.model, ob.name) for ob in SHIPPED.obligations()
             if ob.expected == "violated"
             and any(m.symbolic for m in SHIPPED.models[ob.model].maps.values())]
BIOS_FLAGS = {"mem_lower_kib": "--mem-lower", "ebda_seg": "--ebda-seg",
              "basemem_kib": "--base-mem"}
PATHS = [str(REPO / "models"), str(REPO / "proofs")]


def _explain(*argv: str) -> tuple[int, str, str]:
    return cli("explain", *argv, *PATHS, "--format", "json")


def test_there_are_violations_to_emit() -> None:
    assert len(WITH_MAPS) >= 8


@pytest.mark.long  # one explain and one check per violated shipped obligation with a map
@pytest.mark.parametrize(("model", "prop"), WITH_MAPS, ids=[f"{m}/{p}" for m, p in WITH_MAPS])
def test_emitted_memmap_round_trips(tmp_path: Path, model: str, prop: str) -> None:
    out = tmp_path / "cx.json"
    status, report, err = _explain(prop, "-m", model, "--emit-memmap", str(out))
    assert status == 0, err
    cx = json.loads(report)["results"][0]["counterexample"]
    inputs = {i["name"]: int(i["value"], 0) for i in cx["inputs"]}
    m = SHIPPED.models[model]
    # memmap show reads back exactly the entries of the run (non-empty ones)
    status, shown, err = cli("memmap", "show", str(out), "--format", "json")
    assert status == 0, err
    maps = json.loads(shown)["maps"]
    assert [mp["kind"] for mp in maps] == [mp.kind for _, mp in sorted(m.maps.items())]
    for (name, mir), got in zip(sorted(m.maps.items()), maps, strict=True):
        if not mir.symbolic:
            continue
        want = []
        for i in range(mir.count):
            s, e = inputs[f"m:{name}:{i}:s"], inputs[f"m:{name}:{i}:e"]
            if e > s:
                want.append((s, e))
        assert [(int(x["start"], 16), int(x["end"], 16)) for x in got["entries"]] == want
    # check --memmap binds it, and the property is violated on that map too (the BIOS
    # inputs the map does not fix are given as the counterexample had them)
    flags = []
    params = {p["name"]: p["value"] for p in cx["parameters"]}
    for p, flag in BIOS_FLAGS.items():
        if p in params:
            flags += [flag, str(int(params[p], 0))]
    status, again, err = _explain(prop, "-m", model, "--memmap", str(out), *flags)
    assert json.loads(again)["results"][0]["verdict"] == "violated", err


def test_emitted_memmap_binds_with_check(tmp_path: Path) -> None:
    out = tmp_path / "cx.json"
    status, _, err = _explain("fits@L146", "-m", "xen_trampoline_efi", "--emit-memmap", str(out))
    assert status == 0, err
    status, report, err = cli("check", "--no-cache", "--no-timing", "--memmap", str(out),
                              str(REPO / "models" / "xen_trampoline.boot"),
                              str(REPO / "proofs" / "xen_trampoline.proof"))
    # on the map where the trampoline finds no room, the properties of the trampoline
    # are not reached there: check says so (status 1), it does not fail to read the map
    assert status in (0, 1) and "error" not in err, err
    assert f"on this machine ({out})" in report
    # --quiet: that summary alone, on one line, with the same status
    quiet = cli("check", "--no-cache", "--quiet", "--memmap", str(out),
                str(REPO / "models" / "xen_trampoline.boot"),
                str(REPO / "proofs" / "xen_trampoline.proof"))
    assert quiet[0] == status and quiet[1].count("\n") == 1
    assert quiet[1].startswith(f"bootspec: on this machine ({out}): ")
    assert quiet[1].rstrip().split(": exit ")[1].startswith(str(status))


def _run_inprocess(path: Path) -> tuple[int, list[str]]:
    """Import an emitted test module and call its tests: (tests run, failures)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"emitted_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = [getattr(module, n) for n in dir(module) if n.startswith("test_")]
    failures = []
    for t in tests:
        try:
            t()
        except AssertionError as e:
            failures.append(f"{t.__name__}: {e}")
    return len(tests), failures


def _run_pytest(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", str(path)], capture_output=True, text=True,
                          cwd=path.parent, check=False)


@pytest.mark.parametrize(("model", "prop", "extra"), [
    ("xen_trampoline_ebda", "trampoline_bios_in_usable_ram", ()),
    ("xen_trampoline_efi", "fits@L146", ()),
    ("xen_kdump_no_slot", "kdump_clear_of_xen_image", ("--assume", "crash_size >= 64MiB")),
    ("xen_trampoline_bios", "trampoline_bios_below_1mib", ()),  # holds: the verdict only
])
def test_emitted_tests_run_and_pass(tmp_path: Path, model: str, prop: str,
                                    extra: tuple[str, ...]) -> None:
    test = tmp_path / "sub" / "test_regression.py"
    test.parent.mkdir()
    _status, _, err = _explain(prop, "-m", model, "--emit-test", str(test), *extra)
    assert "wrote a regression test" in err
    n, failures = _run_inprocess(test)
    assert failures == [] and n == (1 if prop == "trampoline_bios_below_1mib" else 2)


def test_emitted_test_runs_under_pytest(tmp_path: Path) -> None:
    test = tmp_path / "test_regression.py"
    status, _, err = _explain("trampoline_bios_clear_of_ebda", "-m", "xen_trampoline_fixed",
                              "--emit-test", str(test))
    assert status == 0, err
    r = _run_pytest(test)
    assert r.returncode == 0 and "2 passed" in r.stdout, r.stdout + r.stderr


def test_emitted_test_fails_when_the_model_is_fixed(tmp_path: Path) -> None:
    """The pinned inputs stop failing once the bug is gone: the test can fail."""
    models, proofs = tmp_path / "models", tmp_path / "proofs"
    models.mkdir()
    proofs.mkdir()
    text = (REPO / "models" / "xen_trampoline.boot").read_text()
    (models / "xen_trampoline.boot").write_text(text)
    (proofs / "xen_trampoline.proof").write_text(
        (REPO / "proofs" / "xen_trampoline.proof").read_text())
    test = tmp_path / "test_regression.py"
    status, _, err = cli("explain", "trampoline_bios_clear_of_ebda", "-m",
                         "xen_trampoline_fixed", str(models), str(proofs),
                         "--emit-test", str(test))
    assert status == 0, err
    assert _run_inprocess(test) == (2, [])
    # 'fix' the 2012 bug in the fixed-address model: put the trampoline far below
    (models / "xen_trampoline.boot").write_text(text.replace(
        "const BOOT_TRAMPOLINE = 0x7C000", "const BOOT_TRAMPOLINE = 0x10000"))
    n, failures = _run_inprocess(test)
    assert n == 2 and len(failures) == 2, failures


def _params(report: str) -> dict[str, str]:
    cx = json.loads(report)["results"][0]["counterexample"]
    return {p["name"]: p["value"] for p in cx["parameters"]}


def test_assume_narrows_the_counterexample() -> None:
    status, out, err = _explain("trampoline_bios_in_usable_ram", "-m", "xen_trampoline_ebda",
                                "--assume", "ebda_seg >= 0x4000 and ebda_seg < 0xA000")
    assert status == 0, err
    assert "assumes, for this run: ebda_seg >= 0x4000" in err
    params = _params(out)
    assert 0x4000 <= int(params["ebda_seg"], 0) < 0xA000
    # without it the smallest counterexample has an EBDA pointer head.S rejects
    status, out, _ = _explain("trampoline_bios_in_usable_ram", "-m", "xen_trampoline_ebda")
    params = _params(out)
    assert int(params["ebda_seg"], 0) < 0x4000
    # an assumption no configuration meets leaves nothing in scope
    status, out, _ = _explain("trampoline_bios_in_usable_ram", "-m", "xen_trampoline_ebda",
                              "--assume", "ebda_seg > 0xFFFF")
    assert json.loads(out)["results"][0]["verdict"] == "vacuous"


def test_assume_mistakes_are_located() -> None:
    status, _, err = cli("explain", "trampoline_bios_in_usable_ram", "-m", "xen_trampoline_ebda",
                         *PATHS, "--assume", "ebda_seg >= nope")
    assert status == 2 and "<--assume>:" in err and "error[BS101]" in err


def test_nothing_to_emit_is_bs009(tmp_path: Path) -> None:
    status, _, err = cli("explain", "trampoline_bios_below_1mib", "-m", "xen_trampoline_bios",
                         *PATHS, "--emit-memmap", str(tmp_path / "x.json"))
    assert status == 2 and "error[BS009]" in err and not (tmp_path / "x.json").exists()
    assert "BS009" in catalogue()
