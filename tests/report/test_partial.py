"""The report of an interrupted run says PARTIAL in its own content, in every format, and
the machine formats stay valid against their schemas."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from bootspec.pipeline import check_project, discover, load
from bootspec.report.formats import FORMATS, render_check
from bootspec.report.jsonout import schema

HERE = Path(__file__).parent
FW = HERE / "fixtures" / "fw"
SCHEMAS = HERE / "schemas"
NOTE = "interrupted (Ctrl-C); 2 of 9 obligations decided, the others are not in this report"


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    old = Path.cwd()
    os.chdir(FW)
    try:
        project = load(discover([]))
        decided = check_project(project)[:2]
        return {fmt: render_check(decided, project, fmt, timing=False, partial=NOTE)
                for fmt in FORMATS}
    finally:
        os.chdir(old)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_says_partial(fmt: str, reports: dict[str, str]) -> None:
    assert "PARTIAL REPORT" in reports[fmt] or '"partial"' in reports[fmt]
    assert "2 of 9 obligations decided" in reports[fmt]


def test_partial_json_is_valid_and_never_ok(reports: dict[str, str]) -> None:
    doc = json.loads(reports["json"])
    jsonschema.Draft202012Validator(schema()).validate(doc)
    assert doc["ok"] is False and doc["partial"] == {"reason": NOTE}
    assert len(doc["results"]) == 2


def test_partial_sarif_says_the_run_did_not_finish(reports: dict[str, str]) -> None:
    doc = json.loads(reports["sarif"])
    sarif = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(sarif).iter_errors(doc))
    (inv,) = doc["runs"][0]["invocations"]
    assert inv["executionSuccessful"] is False


def test_partial_junit_has_an_error_case_and_is_valid(reports: dict[str, str]) -> None:
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema validates the JUnit XSD")
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd")).validate(reports["junit"])
    root = ET.fromstring(reports["junit"])
    assert root.get("errors") == "1"
    assert [c.get("name") for c in root.iter("testcase") if c.find("error") is not None] == ["run"]
