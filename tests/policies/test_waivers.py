"""Waivers: schema-checked file, waive / expire / go stale, approver and expiry kept on the finding."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from policies.findings import ENGINE, Finding, Waiver
from policies.waivers import WaiverFileError, apply_waivers, load_waivers
from tests.conftest import ROOT

pytestmark = pytest.mark.policy


def test_waivers_waive_expire_and_go_stale(tmp_path):
    today = date(2026, 11, 22)

    def finding(rule: str, urn: str) -> Finding:
        return Finding(rule, ENGINE, urn, "t", "fail", "high", "m")

    waivers = [Waiver("OCI-NET-001", "urn:pulumi:prod::*::ssh", "accepted for the migration window", "a@b.c",
                      today + timedelta(days=1)),
               Waiver("OCI-NET-003", "urn:*", "old exception, never renewed", "a@b.c", today - timedelta(days=1)),
               Waiver("OCI-NET-004", "urn:*", "nothing fails this anymore", "a@b.c", today + timedelta(days=9))]
    out = apply_waivers([finding("OCI-NET-001", "urn:pulumi:prod::p::ssh")], waivers, "prod", today)
    assert out[0].status == "waived"
    assert out[0].waiver is not None and out[0].waiver.approver == "a@b.c"
    assert out[0].to_json()["waiver"]["expires"] == (today + timedelta(days=1)).isoformat()
    extra = {f.rule for f in out[1:]}
    assert extra == {"WAIVER-EXPIRED", "WAIVER-UNMATCHED"}


def test_waiver_file_is_schema_checked(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - rule: OCI-NET-001\n    urn: '*'\n    reason: short\n"
                    "    approver: x\n    expires: 2027-01-01\n")
    with pytest.raises(WaiverFileError, match="does not match the waiver schema"):
        load_waivers(path)


def test_a_valid_waiver_file_loads_with_unquoted_dates(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - rule: OCI-LB-001\n    urn: 'urn:pulumi:dev::*'\n    stack: dev\n"
                    "    reason: dev load balancers are rebuilt nightly\n    approver: lead@example.com\n"
                    "    expires: 2027-03-31\n")
    (waiver,) = load_waivers(path)
    assert waiver.expires == date(2027, 3, 31) and waiver.stack == "dev"


def test_the_shipped_waiver_file_is_valid():
    assert load_waivers(ROOT / "policies" / "waivers.yaml") == []


def test_a_failure_under_an_expired_waiver_stays_failed_and_names_the_lapsed_waiver():
    today = date(2026, 11, 22)
    lapsed = Waiver("OCI-NET-001", "urn:*", "accepted until the firewall change", "sec@example.com",
                    today - timedelta(days=1))
    out = apply_waivers([Finding("OCI-NET-001", ENGINE, "urn:x", "t", "fail", "high", "m")], [lapsed], "prod", today)
    assert out[0].status == "fail" and out[0].waiver == lapsed
    assert [f.rule for f in out[1:]] == ["WAIVER-EXPIRED"]
