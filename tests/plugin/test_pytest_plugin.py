"""The pytest plugin: opt-in collection of .proof files, one item per obligation, a
failure that shows the counterexample. Each case runs pytest in a project made here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

MODEL = (REPO / "models" / "xen_trampoline.boot").read_text()
PROOF = (REPO / "proofs" / "xen_trampoline.proof").read_text()


def _project(tmp: Path, proof: str = PROOF, config: str = "") -> Path:
    (tmp / "models").mkdir()
    (tmp / "proofs").mkdir()
    (tmp / "models" / "xen_trampoline.boot").write_text(MODEL)
    (tmp / "proofs" / "xen_trampoline.proof").write_text(proof)
    (tmp / "pytest.ini").write_text("[pytest]\n" + config)
    return tmp


def _pytest(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv],
                          cwd=cwd, capture_output=True, text=True, check=False)


def _registered() -> bool:
    from importlib.metadata import entry_points
    return any(ep.name == "bootspec" for ep in entry_points(group="pytest11"))


pytestmark = pytest.mark.skipif(not _registered(), reason="bootspec is not installed with its "
                                "entry points (pip install -e .)")


def test_nothing_is_collected_without_opting_in(tmp_path: Path) -> None:
    r = _pytest(_project(tmp_path), "-q", "proofs")
    assert r.returncode == 5 and "no tests ran" in r.stdout, r.stdout + r.stderr


@pytest.mark.long
def test_each_obligation_is_an_item(tmp_path: Path) -> None:
    r = _pytest(_project(tmp_path), "-p", "bootspec", "--collect-only", "-q", "proofs")
    items = [ln for ln in r.stdout.splitlines() if "::" in ln]
    assert len(items) == 16, r.stdout
    assert "proofs/xen_trampoline.proof::trampoline_bios_in_usable_ram[xen_trampoline_bios]" \
        in items
    r = _pytest(tmp_path, "-p", "bootspec", "-q", "proofs")
    assert r.returncode == 0 and "16 passed" in r.stdout, r.stdout + r.stderr


@pytest.mark.long
def test_a_config_line_opts_in(tmp_path: Path) -> None:
    r = _pytest(_project(tmp_path, config="bootspec = true\n"), "-q", "proofs")
    assert r.returncode == 0 and "16 passed" in r.stdout, r.stdout + r.stderr


@pytest.mark.long
def test_a_wrong_expectation_fails_with_the_counterexample(tmp_path: Path) -> None:
    wrong = PROOF.replace("""  for xen_trampoline_bios expect holds \\
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.494-498) 'cmp $0x100,%edx'""",
                          """  for xen_trampoline_bios expect violated \\
    cite "xen-project/xen@c447b7308b:xen/arch/x86/boot/head.S (l.494-498) 'cmp $0x100,%edx'""")
    wrong = wrong.replace("  for xen_trampoline_fixed expect violated \\\n    cite \"xen-project/xen@"
                          "46fce9fd2b 'EBDA extending", "  for xen_trampoline_fixed expect holds \\\n"
                          "    cite \"xen-project/xen@46fce9fd2b 'EBDA extending")
    assert wrong.count("expect") == PROOF.count("expect") and wrong != PROOF
    r = _pytest(_project(tmp_path, wrong), "-p", "bootspec", "-q", "proofs")
    assert r.returncode == 1 and "2 failed, 14 passed" in r.stdout, r.stdout
    # the violation that was expected to hold shows its counterexample map
    assert "violated: trampoline_bios_clear_of_ebda on model xen_trampoline_fixed" in r.stdout
    assert "memory at that step" in r.stdout and "ebda" in r.stdout
    # the proof that holds although a violation was expected says so
    assert "holds: trampoline_bios_in_usable_ram on model xen_trampoline_bios" in r.stdout


@pytest.mark.long
def test_bootspec_paths_and_load_errors(tmp_path: Path) -> None:
    project = _project(tmp_path, config="bootspec = true\nbootspec_paths = elsewhere\n")
    (project / "elsewhere").mkdir()
    (project / "models" / "xen_trampoline.boot").rename(project / "elsewhere" / "x.boot")
    r = _pytest(project, "-q", "proofs")
    assert r.returncode == 0 and "16 passed" in r.stdout, r.stdout + r.stderr
    (project / "elsewhere" / "x.boot").write_text("model broken\n  width 32\nstage s\n  frob\n")
    r = _pytest(project, "-q", "proofs")
    assert r.returncode == 2 and "error[BS100]" in r.stdout, r.stdout
