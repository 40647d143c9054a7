"""Waivers: schema-checked file, waive / expire / go stale, approver and expiry kept on the finding."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from policies.findings import ENGINE, Finding, Waiver
from policies.waivers import WaiverFileError, apply_waivers, load_waivers
from tests.conftest import ROOT, cli_error

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
    waivers = load_waivers(ROOT / "policies" / "waivers.yaml")
    assert all(w.expires > date(2026, 11, 26) and len(w.reason) >= 40 for w in waivers)
    # each checkov waiver and its twin of ours share a reason trail; checkov ids are accepted by the schema
    assert {w.engine for w in waivers} <= {"crossguard", "checkov"}


def test_waivers_count_only_for_the_engines_that_ran():
    today = date(2026, 11, 22)
    ckv = Waiver("CKV_K8S_38", "urn:*", "workload identity needs the token", "sec@example.com", date(2027, 1, 1))
    assert ckv.engine == "checkov"
    # our rules alone: a checkov waiver is neither used nor reported as unmatched
    assert apply_waivers([], [ckv], "prod", today) == []
    # checkov ran and found nothing for it: the waiver is stale
    (unmatched,) = apply_waivers([], [ckv], "prod", today, engines=("crossguard", "checkov"))
    assert unmatched.rule == "WAIVER-UNMATCHED"
    found = Finding("CKV_K8S_38", "checkov", "urn:x", "t", "fail", "high", "m")
    assert apply_waivers([found], [ckv], "prod", today, engines=("checkov",))[0].status == "waived"


def test_a_failure_under_an_expired_waiver_stays_failed_and_names_the_lapsed_waiver():
    today = date(2026, 11, 22)
    lapsed = Waiver("OCI-NET-001", "urn:*", "accepted until the firewall change", "sec@example.com",
                    today - timedelta(days=1))
    out = apply_waivers([Finding("OCI-NET-001", ENGINE, "urn:x", "t", "fail", "high", "m")], [lapsed], "prod", today)
    assert out[0].status == "fail" and out[0].waiver == lapsed
    assert [f.rule for f in out[1:]] == ["WAIVER-EXPIRED"]


# -- malformed waiver files, as `blueprint check --waivers FILE` meets them: one line, exit 2 --------------

GOOD = ("waivers:\n  - rule: OCI-LB-001\n    urn: 'urn:pulumi:dev::*'\n    stack: dev\n"
        "    reason: dev load balancers are rebuilt nightly\n    approver: lead@example.com\n    expires: 2027-03-31\n")


@pytest.fixture(scope="module")
def dev_graph(tmp_path_factory, planned) -> Path:
    return planned("dev").write(tmp_path_factory.mktemp("g") / "dev.json")


def waiver_error(capsys, dev_graph: Path, path: Path) -> str:
    line = cli_error(capsys, "check", "--graph", str(dev_graph), "--waivers", str(path))
    assert line.startswith(f"error: {path}"), line
    return line


def test_a_good_named_waiver_file_loads(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(GOOD)
    (waiver,) = load_waivers(path, required=True)
    assert waiver.expires.isoformat() == "2027-03-31"


@pytest.mark.parametrize("date", ["2027-02-30", "2027-13-01", "2027-00-10", "'2027-02-29'"])
def test_impossible_dates(capsys, tmp_path, dev_graph, date):
    path = tmp_path / "w.yaml"
    path.write_text(GOOD.replace("2027-03-31", date))
    assert waiver_error(capsys, dev_graph, path).endswith(
        "waivers[0].expires: does not match the waiver schema (format check)")


def test_deep_nesting(capsys, tmp_path, dev_graph):
    path = tmp_path / "w.yaml"
    path.write_text("waivers: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "nested deeper than" in waiver_error(capsys, dev_graph, path)


def test_yaml_bomb(capsys, tmp_path, dev_graph):
    rows = ["a: &a [" + ",".join(["lol"] * 10) + "]"]
    rows += [f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    path = tmp_path / "w.yaml"
    path.write_text("\n".join(rows) + "\nwaivers: []\n")
    assert "refusing a YAML bomb" in waiver_error(capsys, dev_graph, path)


def test_not_utf8(capsys, tmp_path, dev_graph):
    path = tmp_path / "w.yaml"
    path.write_bytes(GOOD.replace("lead", "l\udce9ad").encode("utf-8", "surrogateescape"))
    assert waiver_error(capsys, dev_graph, path).endswith("w.yaml:6: not UTF-8 text")


def test_a_directory(capsys, tmp_path, dev_graph):
    path = tmp_path / "w.yaml"
    path.mkdir()
    assert waiver_error(capsys, dev_graph, path).endswith("w.yaml: is a directory, not a file")


def test_unreadable(capsys, tmp_path, dev_graph, monkeypatch):
    path = tmp_path / "w.yaml"
    path.write_text(GOOD)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any mode: fail the open as it fails for any other user
        from core import inputs

        real_open = inputs.os.open

        def open_(target, *args, **kwargs):
            if str(target) == str(path):
                raise PermissionError(13, "Permission denied")
            return real_open(target, *args, **kwargs)

        monkeypatch.setattr(inputs.os, "open", open_)
    assert waiver_error(capsys, dev_graph, path).endswith("w.yaml: cannot be read (permission denied)")


def test_a_named_waiver_file_that_is_missing(capsys, tmp_path, dev_graph):
    assert waiver_error(capsys, dev_graph, tmp_path / "nope.yaml").endswith("nope.yaml: file not found")


def test_duplicate_keys(capsys, tmp_path, dev_graph):
    path = tmp_path / "w.yaml"
    path.write_text(GOOD + "    expires: 2099-01-01\n")
    assert waiver_error(capsys, dev_graph, path).endswith("waivers[0].expires: duplicate key; each key may appear "
                                                          "once (no silent override)")


@pytest.mark.parametrize("field,value", [("approver", '"lead@example.com\\n"'), ("approver", '"lead\\e[31m@example.com"'),
                                         ("reason", '"rebuilt nightly \\e]0;pwned\\a and more"'),
                                         ("urn", '"urn:\\x9b2J*"')])
def test_trailing_newlines_and_control_characters(capsys, tmp_path, dev_graph, field, value):
    path = tmp_path / "w.yaml"
    lines = [f"    {field}: {value}" if ln.startswith(f"    {field}:") else ln for ln in GOOD.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    line = waiver_error(capsys, dev_graph, path)
    assert line.endswith(f"waivers[0].{field}: does not match the waiver schema (pattern check)")
    assert "\x1b" not in line and "\x9b" not in line
