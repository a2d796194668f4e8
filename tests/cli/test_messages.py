"""Messages that say what is wrong: a model that does not exist, a property not found,
one syntax error without a cascade of follow-on errors, the article before a kind."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, cli

MODEL = """model fw
  width 32
stage s
  place a size 16 at 0x1000
"""
PROOF = """proof low
  for fw expect holds
  always below(a, 1MiB)
"""


def _project(tmp_path: Path, model: str = MODEL, extra: str = "") -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "proofs").mkdir()
    (tmp_path / "models" / "fw.boot").write_text(model)
    if extra:
        (tmp_path / "models" / "more.boot").write_text(extra)
    (tmp_path / "proofs" / "p.proof").write_text(PROOF)
    return tmp_path


def test_a_mistyped_model_says_it_does_not_exist_and_suggests_one() -> None:
    status, _, err = cli("explain", "trampoline_bios_below_1mib", "-m", "xen_trampoline_bois",
                         cwd=REPO)
    assert status == 2
    assert "no model 'xen_trampoline_bois'" in err
    assert "did you mean 'xen_trampoline_bios'?" in err
    assert err.count(",") < 5  # no list of every name


def test_a_mistyped_property_suggests_the_closest_not_every_name() -> None:
    status, _, err = cli("explain", "trampoline_bios_below_1mb", "-m", "xen_trampoline_bios",
                         cwd=REPO)
    assert status == 2
    assert "no property 'trampoline_bios_below_1mb' on model 'xen_trampoline_bios'" in err
    assert "did you mean 'trampoline_bios_below_1mib'?" in err
    assert err.count(",") < 5


def test_one_syntax_error_is_one_error(tmp_path: Path) -> None:
    broken = MODEL.replace("place a size 16 at 0x1000", "place a size 16 at at 0x1000")
    derived = "model fw2 extends fw\n"
    status, _, err = cli("check", cwd=_project(tmp_path, broken, derived))
    assert status == 2
    assert "1 error" in err.splitlines()[-1], err
    assert "unknown model" not in err


def test_the_article_before_a_map_kind(tmp_path: Path) -> None:
    model = MODEL + "map m : efi symbolic 2 types {conventional, usable}\n"
    status, _, err = cli("check", cwd=_project(tmp_path, model))
    assert status == 2
    assert "'usable' is not an efi memory type" in err
