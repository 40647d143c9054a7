"""The output-format registry: every format is one module, found by kind and name."""

from __future__ import annotations

import pytest

from blueprint import outputs
from policies.findings import ENGINE, Finding, StackResult

pytestmark = pytest.mark.unit


def test_every_findings_format_is_registered_once():
    assert set(outputs.names("findings")) == {"table", "json", "sarif", "junit"}
    assert len(outputs.formats()) == len(set(outputs.formats()))


@pytest.mark.parametrize("name", ["table", "json", "sarif", "junit"])
def test_each_findings_format_renders_a_failure(name):
    result = StackResult("prod", [Finding("OCI-NET-001", ENGINE, "urn:pulumi:prod::p::t::ssh", "t", "fail", "high",
                                          "ingress rule opens port 22", controls=("cis-oci-3.1:2.1",))], 1, 0.1)
    text = outputs.render("findings", name, [result])
    assert "OCI-NET-001" in text


def test_an_unknown_format_is_a_key_error():
    with pytest.raises(KeyError):
        outputs.get("findings", "pdf")


def test_every_report_format_is_registered_with_its_file():
    assert {outputs.get("report", n).filename for n in outputs.names("report")} == {
        "report.md", "report.html", "report.csv", "report.json", "component-definition.json", "assessment-results.json"}
