"""``memmap check``'s reports: what ``check`` gives (72-column text with the summary
first, every format, ``-o``), and an exit status that agrees with what is printed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from helpers import REPO, cli

from bootspec.report.registry import FORMATS

FIX = Path(__file__).resolve().parent / "fixtures"
SCHEMAS = REPO / "tests" / "report" / "schemas"
ARGS = (str(FIX / "machines"), "--path", str(FIX / "models"), "--model", "low_alloc",
        "--model", "low_alloc_trusting", "--model", "low_tramp", "--no-timing",
        "--no-cache")
_runs: dict[tuple[str, ...], tuple[int, str, str]] = {}


def run(*argv: str) -> tuple[int, str, str]:
    if argv not in _runs:
        _runs[argv] = cli("memmap", "check", *ARGS, *argv)
    return _runs[argv]


@pytest.mark.parametrize("details", [(), ("--details",)])
def test_text_fits_72_columns_and_starts_with_the_summary(details: tuple[str, ...]) -> None:
    code, out, err = run(*details)
    assert code == 1 and err == ""
    assert max(len(line) for line in out.splitlines()) <= 72
    lines = out.splitlines()
    assert lines[4].startswith("2 machines: 1 acceptable, 1 not acceptable")
    assert any(line.startswith("exit 1: ") for line in lines[:10])


def test_every_format_exits_the_same(tmp_path: Path) -> None:
    assert {f: run("--format", f)[0] for f in FORMATS} == {f: 1 for f in FORMATS}


def test_junit_one_suite_per_machine_and_the_xsd() -> None:
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema validates the JUnit XSD")
    _, out, _ = run("--format", "junit")
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd")).validate(out)
    root = ET.fromstring(out)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert sorted(suites) == ["clean-efi.txt", "r820-like-efi.txt"]
    assert [len(list(s.iter("testcase"))) for s in suites.values()] == [7, 7]
    failed = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")
              if c.find("failure") is not None]
    assert failed == [("bootspec.low_alloc_trusting", "buf_outside_boot_services")]
    assert root.get("failures") == "1"


def test_sarif_a_result_per_row_not_acceptable_and_the_schema() -> None:
    _, out, _ = run("--format", "sarif")
    doc = json.loads(out)
    sarif = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    v = jsonschema.Draft4Validator(sarif, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in v.iter_errors(doc)] == []
    (res,) = doc["runs"][0]["results"]
    assert res["ruleId"] == "buf_outside_boot_services" and res["level"] == "error"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("r820-like-efi.txt")
    assert loc["region"]["startLine"] == 3


def test_html_is_one_self_contained_page() -> None:
    _, out, _ = run("--format", "html")
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<script src" not in out and "<link" not in out and "http" not in out
    assert "r820-like-efi.txt" in out and "not acceptable" in out


def test_markdown_shows_only_failures_unless_details() -> None:
    _, md, _ = run("--format", "md")
    _, full, _ = run("--format", "md", "--details")
    assert "clean-efi.txt" not in md and "<details><summary>1. clean-efi.txt" in full
    assert len(md) < len(full)


def test_output_file_and_its_rules(tmp_path: Path) -> None:
    out = tmp_path / "sweep.junit.xml"
    code, stdout, _ = cli("memmap", "check", *ARGS, "--format", "junit", "-o", str(out))
    assert code == 1 and stdout == "" and out.read_text().startswith("<?xml")
    # an existing file is refused before any work (an unknown model would be BS529)
    code, _, err = cli("memmap", "check", *ARGS, "--model", "nope", "-o", str(out))
    assert code == 2 and "BS004" in err and "BS529" not in err
    code, _, err = cli("memmap", "check", *ARGS, "--format", "json", "-o", str(out), "--force")
    assert code == 1 and json.loads(out.read_text())["summary"]["not_acceptable"] == 1


def test_vacuous_behind_a_known_finding_is_acceptable_and_says_why() -> None:
    # low_tramp finds no conventional memory on the R820-like machine: fits@L29, a known
    # finding (expect violated), stops every run, so tramp_in_free_memory is vacuous there
    code, out, _ = run("--details")
    assert code == 1
    block = out[out.index("low_tramp / tramp_in_free_memory\n", out.index("[2/2]")):]
    said = " ".join(block.split("\n")[1:4]).split()
    assert " ".join(said).startswith("ok: vacuous, expected holds; not reached on this "
                                     "machine: the known finding fits@L29 stops every run")
    doc = json.loads(run("--format", "json")[1])
    r820 = next(m for m in doc["machines"] if m["name"] == "r820-like-efi.txt")
    row = next(r for r in r820["results"] if r["property"] == "tramp_in_free_memory")
    assert (row["verdict"], row["acceptable"]) == ("vacuous", True)


def test_check_memmap_fail_lines_agree_with_the_exit_status() -> None:
    for machine in ("clean-efi.txt", "r820-like-efi.txt"):
        code, out, _ = cli("check", "--no-timing", "--no-cache", "--memmap",
                           str(FIX / "machines" / machine), str(FIX / "models"))
        fails = [ln for ln in out.splitlines() if ln.rstrip().endswith("FAIL")]
        assert code == (1 if fails else 0), (machine, fails)
        assert out.rstrip().endswith(f"exit {code}")
