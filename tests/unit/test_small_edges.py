"""Small edges of the front end (issue 18, item 9): const folding, the kind BS102 names,
duplicate models, deleted regions, file-level locations, empty files."""

from __future__ import annotations

from pathlib import Path

from helpers import cli, errors_of, load_text

from bootspec.engine.check import ModelChecker

HEAD = "model m\n  width 32\n"
TAIL = "stage s\n  place a size 4KiB at 0x1000\n"


def test_every_step_of_const_folding_stays_in_range() -> None:
    # 100 - 200 is -100: a wrap in a var, so an error in a const, at that operation
    assert errors_of(f"{HEAD}const C = 100 - 200 + 200\n{TAIL}") == [("BS107", 3, 11)]
    assert errors_of(f"{HEAD}const C = 0x1_0000_0000_0000_0000 * 2 / 4\n{TAIL}") == [
        ("BS107", 3, 11)]
    assert errors_of(f"{HEAD}const C = 200 - 100 + 200\n{TAIL}") == []
    assert errors_of(f"{HEAD}const C = 0 - 5\n{TAIL}") == [("BS107", 3, 11)]  # said once
    # the same expression outside a const is evaluated, and its wrap is a finding
    project = load_text(f"{HEAD}var v = 100 - 200 + 200\n{TAIL}")
    ob = project.obligations()[0]
    verdict = ModelChecker(project.models["m"], project.paths["m"]).decide(ob, None)
    assert verdict.status == "violated"
    assert [f.split(":")[0] for f in verdict.counterexample.findings] == ["wrap@L3"]


def test_defined_twice_is_reported_at_the_later_line_naming_the_earlier_kind() -> None:
    text = f"{HEAD}const r = 4\nparam p in {{1, 2}}\nstage s\n  place r size 16 at 0\n" \
           "  place p size 16 at 64\n"
    load = _diags(text)
    assert [(d.code, d.span.line, d.message) for d in load] == [
        ("BS102", 6, "'r' is already defined as a const"),
        ("BS102", 7, "'p' is already defined as a param")]
    assert [n[0].line for d in load for n in d.notes] == [3, 4]
    text = f"{HEAD}map fw : e820 symbolic 2\nregion fw = [0, 16)\n{TAIL}"
    assert [(d.span.line, d.message) for d in _diags(text)] == [
        (4, "'fw' is already defined as a map")]


def test_a_duplicate_model_gives_one_error_not_unknown_names() -> None:
    text = (f"{HEAD}stage s\n  place r size 16 at 0\n"
            f"{HEAD}stage s\n  place q size 16 at 0\n"
            "proof p\n  for m expect holds\n  always below(q, 100)\n")
    assert [c for c, _, _ in errors_of(text)] == ["BS102"]


BASE = (f"{HEAD}stage s\n  place r size 16 at 0\n  place q size 16 at 32\n"
        "model n extends m\nstage s\n  delete place q\n")


def test_a_region_deleted_by_extends_makes_its_proof_vacuous() -> None:
    """docs/language.md: a conjunct is in scope where every region it names is live; q
    is never live in n, so the proof is vacuous there (an error would stop the run)."""
    project = load_text(BASE + "proof p\n  for m expect holds\n  for n expect vacuous\n"
                        "  always disjoint(r, q)\n")
    verdicts = {(ob.model, ob.name): ModelChecker(project.models[ob.model],
                                                  project.paths[ob.model]).decide(
                                                      ob, project.proof_of(ob))
                for ob in project.obligations()}
    assert verdicts[("m", "p")].status == "holds"
    v = verdicts[("n", "p")]
    assert v.status == "vacuous" and "never in scope" in v.reason


def test_a_name_no_model_has_is_still_unknown() -> None:
    codes = errors_of(BASE + "proof p\n  for n expect vacuous\n  always disjoint(r, qq)\n")
    assert [c for c, _, _ in codes] == ["BS101"]


def test_file_level_errors_have_a_line_and_column(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    out.write_text("x")
    model = tmp_path / "m.boot"
    model.write_text(HEAD + TAIL)
    _, _, err = cli("check", "--no-cache", "-o", str(out), str(model))
    assert err.startswith(f"{out}:1:1: error[BS004]")
    _, _, err = cli("memmap", "show", str(tmp_path / "missing.log"))
    assert err.startswith(f"{tmp_path / 'missing.log'}:1:1: error[BS507]")
    _, _, err = cli("check", str(tmp_path / "missing.boot"))
    assert err.startswith(f"{tmp_path / 'missing.boot'}:1:1: error[BS002]")


def test_an_empty_file_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty.boot").write_text("")
    (tmp_path / "notes.proof").write_text("# to do\n\n")
    (tmp_path / "m.boot").write_text(HEAD + TAIL)
    status, out, err = cli("check", "--no-cache", "--no-timing", str(tmp_path))
    assert status == 0 and "every verdict as expected" in out
    assert f"{tmp_path / 'empty.boot'}:1:1: warning[BS131]" in err
    assert f"{tmp_path / 'notes.proof'}:1:1: warning[BS131]" in err
    assert err.rstrip().endswith("2 warnings")
    (tmp_path / "m.boot").write_text(HEAD + "stage s\n  place a size at 0\n")  # an error too
    status, _, err = cli("check", "--no-cache", str(tmp_path))
    assert status == 2 and err.rstrip().endswith("1 error, 2 warnings")


def _diags(text: str) -> list:  # type: ignore[type-arg]
    from bootspec.diagnostics import BootspecError
    try:
        load_text(text)
    except BootspecError as e:
        return list(e.diagnostics)
    return []


def test_the_slow_anywhere_idiom_warns_and_the_chain_does_not() -> None:
    from helpers import errors_of
    slow = "model m\n  width 32\nstage s\n" + "".join(
        f"  place r{i} size 4KiB anywhere within [0, 1MiB) align 4KiB avoid all\n"
        for i in range(6))
    assert [c for c, _, _ in errors_of(slow)] == ["BS133"]
    assert errors_of(slow.replace("  place r5", "  # place r5")) == []  # five: no warning
    chain = "model m\n  width 32\nstage s\n" + "".join(
        f"  place r{i} size 4KiB anywhere within [0, 1MiB) align 4KiB"
        + (f" above r{i - 1}.end\n" if i else "\n") for i in range(8))
    assert errors_of(chain) == []
