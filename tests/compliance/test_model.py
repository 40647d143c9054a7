"""The compliance model: computed from the rules' controls; uncovered never passes; waivers show who and until when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from blueprint import outputs
from compliance.catalogs import Catalog, Control
from compliance.model import CONTROL_STATUSES, build, diff, redact, rules_by_control
from policies.findings import ENGINE, Finding, Waiver
from policies.rules import all_rules
from policies.waivers import apply_waivers

pytestmark = pytest.mark.unit
TODAY = date(2026, 11, 26)
FACTS = {"project": "genai-platform", "stack": "prod", "commit": "c0ffee", "config_sha256": "0" * 64,
         "generated": TODAY.isoformat(), "rules": 2}
URN = "urn:pulumi:prod::genai-platform::oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule::ssh"


class _Rule:
    def __init__(self, rid: str, controls: tuple[str, ...]) -> None:
        self.id, self.controls, self.title = rid, controls, f"Ensure {rid} holds"
        self.severity, self.enforcement, self.remediation = "high", "mandatory", "Fix it."


CATALOG = Catalog(framework="fx", title="Test framework", version="1", source="https://example.invalid/fx", levels=True,
                  controls=(Control("fx", "1.1", "1 One", "covered and passing", "plan", level=1, assessment="automated"),
                            Control("fx", "1.2", "1 One", "nobody evidences this", "plan", level=1, assessment="automated"),
                            Control("fx", "2.1", "2 Two", "a live-only control", "live", how="the tenancy's MFA report",
                                    level=2, assessment="manual"),
                            Control("fx", "2.2", "2 Two", "people and paper", "process", how="the signed policy",
                                    level=2, assessment="manual"),
                            Control("fx", "2.3", "2 Two", "failing under a waiver", "plan", level=2, assessment="automated")))
RULES = [_Rule("R-PASS", ("fx:1.1",)), _Rule("R-FAIL", ("fx:2.3",))]


def _finding(rule: str, status: str) -> Finding:
    return Finding(rule, ENGINE, URN, "t", status, "high", "port 22 open to the internet" if status == "fail" else "")


def _model(findings):
    return build(CATALOG, RULES, findings, FACTS)


def _status(model, cid):
    return next(c["status"] for c in model["controls"] if c["id"] == cid)


def test_the_mapping_comes_from_the_rules_controls_only():
    mapping = rules_by_control(all_rules())
    assert {r.id for r in mapping["cis-oci-3.1:2.3"]} == {"OCI-NET-001"}
    assert all(ref in r.controls for ref, rules in mapping.items() for r in rules)


def test_an_uncovered_control_is_never_counted_as_passing():
    model = _model([_finding("R-PASS", "pass"), _finding("R-FAIL", "pass")])
    assert _status(model, "1.2") == "uncovered"
    assert model["summary"]["counts"]["pass"] == 2  # 1.1 and 2.3 — never the uncovered 1.2
    assert model["summary"]["counts"]["uncovered"] == 1
    assert model["summary"]["levels"]["1"]["pass"] == 1 and model["summary"]["levels"]["1"]["uncovered"] == 1
    assert sum(model["summary"]["counts"][s] for s in CONTROL_STATUSES) == len(CATALOG.controls)
    # even with no findings at all, nothing without rule evidence passes
    empty = _model([])
    assert _status(empty, "1.1") == "not_applicable" and empty["summary"]["counts"]["pass"] == 0


def test_live_and_process_controls_are_listed_with_what_would_evidence_them():
    model = _model([])
    live = next(c for c in model["controls"] if c["id"] == "2.1")
    process = next(c for c in model["controls"] if c["id"] == "2.2")
    assert (live["status"], live["how"]) == ("live_only", "the tenancy's MFA report")
    assert (process["status"], process["how"]) == ("process", "the signed policy")
    text = outputs.render("report", "markdown", model)
    assert "the tenancy's MFA report" in text and "the signed policy" in text


def test_a_waived_finding_shows_its_approver_and_expiry_in_every_format():
    waiver = Waiver("R-FAIL", "urn:*", "accepted while the bastion migration runs", "sec-lead@example.com",
                    TODAY + timedelta(days=30))
    findings = apply_waivers([_finding("R-PASS", "pass"), _finding("R-FAIL", "fail")], [waiver], "prod", TODAY)
    model = _model(findings)
    assert _status(model, "2.3") == "waived"
    result = next(c for c in model["controls"] if c["id"] == "2.3")["rules"][0]["results"][0]
    assert result["waiver"] == {"approver": "sec-lead@example.com", "expires": "2026-12-26",
                                "reason": "accepted while the bastion migration runs", "expired": False}
    for name in ("markdown", "html", "csv"):
        text = outputs.render("report", name, model)
        assert "sec-lead@example.com" in text and "2026-12-26" in text, name
    csv_rows = [r for r in outputs.render("report", "csv", model).splitlines() if r.startswith("detail,") and "R-FAIL" in r]
    assert csv_rows and "sec-lead@example.com,2026-12-26" in csv_rows[0]


def test_an_expired_waiver_fails_the_control():
    lapsed = Waiver("R-FAIL", "urn:*", "accepted for last quarter only", "sec-lead@example.com", TODAY - timedelta(days=1))
    findings = apply_waivers([_finding("R-PASS", "pass"), _finding("R-FAIL", "fail")], [lapsed], "prod", TODAY)
    model = _model(findings)
    assert _status(model, "2.3") == "fail"
    result = next(c for c in model["controls"] if c["id"] == "2.3")["rules"][0]["results"][0]
    assert result["waiver"]["expired"] is True and result["waiver"]["expires"] == "2026-11-25"
    assert "expired" in outputs.render("report", "markdown", model)
    assert any(f.rule == "WAIVER-EXPIRED" for f in findings)


def test_the_diff_names_newly_failing_fixed_and_uncovered_controls():
    before = _model([_finding("R-PASS", "pass"), _finding("R-FAIL", "fail")])
    after = _model([_finding("R-PASS", "fail"), _finding("R-FAIL", "pass")])
    changes = diff(before, after)
    assert [c["id"] for c in changes["newly_failing"]] == ["1.1"]
    assert [c["id"] for c in changes["fixed"]] == ["2.3"]
    gone = diff(before, _model([_finding("R-FAIL", "fail")]))
    assert [(c["id"], c["after"]) for c in gone["uncovered"]] == [("1.1", "not_applicable")]
    assert diff(before, before) == {"newly_failing": [], "fixed": [], "uncovered": [], "changed": []}


def test_redaction_replaces_ocids_and_emails_by_stable_hashes():
    data = {"a": "key ocid1.key.oc1.eu-frankfurt-1.abcdefgh1234 by ops@example.com", "b": ["ops@example.com"]}
    once, twice = redact(data), redact(data)
    assert once == twice
    assert "ocid1." not in str(once) and "ops@example.com" not in str(once)
    assert once["b"][0] in once["a"]  # the same address hashes to the same token everywhere
