"""Machine formats validated against their schemas: our JSON Schema (shipped in
the package), the published SARIF 2.1.0 JSON Schema and the JUnit XSD."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from bootspec.report.jsonout import SCHEMA_VERSION, schema

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
SCHEMAS = HERE / "schemas"
Runner = Callable[..., tuple[int, str, str]]

CHECK = ("check", "--no-timing")
EXPLAIN = ("explain", "fw_vs_info", "-m", "fw_old")
HOLDS = ("explain", "fw_vs_info", "-m", "fw_new")
DIFF = ("diff", "diff/base", "diff/head")
COMMANDS = {"check": (CHECK, FIXTURES / "fw"), "explain": (EXPLAIN, FIXTURES / "fw"),
            "holds": (HOLDS, FIXTURES / "fw"), "diff": (DIFF, FIXTURES)}


def _out(run: Runner, which: str, fmt: str) -> str:
    argv, cwd = COMMANDS[which]
    status, out, err = run(*argv, "--format", fmt, cwd=cwd)
    assert status in (0, 1) and not err, err
    return out


def test_our_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("which", sorted(COMMANDS))
def test_json_matches_the_shipped_schema(which: str, run: Runner) -> None:
    doc = json.loads(_out(run, which, "json"))
    jsonschema.Draft202012Validator(schema()).validate(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["kind"] == {"holds": "explain"}.get(which, which)


def test_json_counterexample_content(run: Runner) -> None:
    doc = json.loads(_out(run, "explain", "json"))
    (res,) = doc["results"]
    cex = res["counterexample"]
    assert [r["name"] for r in cex["regions"] if r["marked"]] == ["fw", "info"]
    assert cex["overlaps"] == [{"start": "0xfffff000", "end": "0x100000000", "size": "0x1000",
                                "between": ["fw", "info"]}]
    assert [(s["stage"], s["placed"], s["failing"]) for s in cex["stages"]] == [
        ("loader", ["fw"], False), ("runtime", ["info"], True)]
    assert doc["sources"]["short"] == doc["sources"]["sha256"][:12]


def test_json_diff_marks_the_regression(run: Runner) -> None:
    doc = json.loads(_out(run, "diff", "json"))
    assert doc["ok"] is False and doc["diff"]["counts"]["regressions"] == 1
    worse = [c for c in doc["diff"]["changes"] if c["regression"]]
    assert [(c["kind"], c["property"]) for c in worse] == [("worse", "fw_vs_info")]
    assert worse[0]["head"]["counterexample"]["overlaps"]


def _sarif_validator() -> jsonschema.Draft4Validator:
    sarif = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(sarif, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("which", sorted(COMMANDS))
def test_sarif_matches_the_published_2_1_0_schema(which: str, run: Runner) -> None:
    doc = json.loads(_out(run, which, "sarif"))
    errors = [f"{list(e.path)}: {e.message}" for e in _sarif_validator().iter_errors(doc)]
    assert not errors, errors
    assert doc["version"] == "2.1.0"


def test_sarif_findings_carry_property_and_region_spans(run: Runner) -> None:
    doc = json.loads(_out(run, "check", "sarif"))
    results = {(r["properties"]["model"], r["ruleId"]): r for r in doc["runs"][0]["results"]}
    # a stale expectation is an error; an expected violation is a suppressed note
    assert results[("fw_new", "info_backed")]["level"] == "error"
    expected = results[("fw_old", "fw_vs_info")]
    assert expected["level"] == "note" and expected["suppressions"][0]["kind"] == "inSource"
    loc = expected["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "proofs/fw.proof"
    assert loc["region"]["startLine"] == 5
    related = [r["message"]["text"] for r in expected["relatedLocations"]]
    assert any(t.startswith("fw = [0xfff00000, 0x100000000)") for t in related)
    assert any(t.startswith("info = [0xfffff000, 0x100000000)") for t in related)
    flow = expected["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [f["location"]["message"]["text"] for f in flow] == [
        "stage loader placed fw", "stage runtime placed info (fails here)"]


def _junit_schema() -> object:
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema validates the JUnit XSD")
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.mark.parametrize("which", sorted(COMMANDS))
def test_junit_matches_the_xsd(which: str, run: Runner) -> None:
    _junit_schema().validate(_out(run, which, "junit"))  # type: ignore[attr-defined]


def test_junit_fails_exactly_the_unexpected_verdicts(run: Runner) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(_out(run, "check", "junit"))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert len(cases) == 9 and root.get("failures") == "2"
    failed = {k for k, c in cases.items() if c.find("failure") is not None}
    assert failed == {("bootspec.fw_new", "info_backed"), ("bootspec.fw_old", "stack_low")}
    out = cases[("bootspec.fw_old", "fw_vs_info")].find("system-out")
    assert out is not None and "overlap: [0xFFFFF000, 0x100000000)" in (out.text or "")


def test_overlap_with_a_literal_range(run: Runner) -> None:
    argv = ("explain", "info_below_top_64k", "-m", "fw_old", "--format", "json")
    status, out, _ = run(*argv, cwd=FIXTURES / "fw")
    cex = json.loads(out)["results"][0]["counterexample"]
    assert status == 0 and cex["overlaps"] == [{
        "start": "0xfffff000", "end": "0x100000000", "size": "0x1000",
        "between": ["info", "[4GiB - 64KiB, 4GiB)"]}]
