"""The disputed-check list cannot hide a true positive: each entry waives a checkov failure only
while the rules it names pass; break the concern in prod and the checkov failure stands."""

from __future__ import annotations

from datetime import date

import pytest

from blueprint.checkov.disputed import apply_disputed, disputed_checks
from policies.direct import evaluator
from policies.engine import check_graph
from policies.findings import Finding
from policies.rules import all_rules
from tests.policies.test_mutation import mutate

LISTED = disputed_checks()
RULES = {r.id: r for r in all_rules()}


def _checkov_failure(check: str, urn: str) -> Finding:
    return Finding(check, "checkov", urn, "t", "fail", "high", LISTED[check].title, title=LISTED[check].title)


def test_every_entry_is_reviewed_and_names_existing_rules():
    assert set(LISTED) >= {"CKV_OCI_21", "CKV2_OCI_2", "CKV2_OCI_6"}
    for entry in LISTED.values():
        assert entry.upstream.startswith("https://") and len(entry.reason) >= 40 and "@" in entry.approver
        assert entry.rules and all(r in RULES for r in entry.rules)
        assert entry.review_by > date(2026, 11, 26)


def test_a_real_weakness_is_not_listed_as_disputed():
    # CKV_K8S_35 (a secret as an environment variable) is real: it is waived with a reason in
    # policies/waivers.yaml while issue 10 fixes it, never disputed.
    assert "CKV_K8S_35" not in LISTED and "CKV_K8S_38" not in LISTED


@pytest.fixture(scope="module")
def prod(planned):
    return planned("prod").to_json()


def _target(prod, entry) -> str:
    """A prod resource the first re-testing rule passes on (what checkov would have flagged)."""
    ours = check_graph(prod, evaluator())
    return next(f.urn for f in ours if f.rule == entry.rules[0] and f.status == "pass")


@pytest.mark.integration
@pytest.mark.parametrize("check", sorted(LISTED))
def test_waived_while_the_retest_passes_on_prod(prod, check):
    entry = LISTED[check]
    urn = _target(prod, entry)
    (finding,) = apply_disputed([_checkov_failure(check, urn)], check_graph(prod, evaluator()))
    assert finding.status == "waived" and finding.waiver is not None
    assert entry.upstream in finding.waiver.reason and all(r in finding.waiver.reason for r in entry.rules)


@pytest.mark.integration
@pytest.mark.parametrize(("check", "rule"), [(c, r) for c in sorted(LISTED) for r in LISTED[c].rules])
def test_not_waived_once_the_concern_is_broken(prod, check, rule):
    """Break what each re-testing rule guards (its prod mutation): the checkov failure stands."""
    entry = LISTED[check]
    ours = check_graph(prod, evaluator())
    baseline = {(f.rule, f.urn): f.status for f in ours}
    mutated, how = mutate(RULES[rule], prod, baseline)
    broken = check_graph(mutated, evaluator())
    failing = [f.urn for f in broken if f.rule == rule and f.status == "fail"]
    assert failing, f"{rule} did not fail after: {how}"
    # checkov flags the broken resource (scope resource), or any resource (scope stack)
    urn = failing[0] if entry.scope == "resource" else _target(prod, entry)
    (finding,) = apply_disputed([_checkov_failure(check, urn)], broken)
    assert finding.status == "fail", f"{check} was waived although {rule} fails ({how})"
    assert "not waived" in finding.message


def test_a_lapsed_review_waives_nothing(prod=None):
    check = "CKV_OCI_21"
    ours = [Finding(r, "crossguard", "urn:x", "t", "pass", "high", "") for r in LISTED[check].rules]
    late = LISTED[check].review_by.replace(year=LISTED[check].review_by.year + 1)
    (finding,) = apply_disputed([_checkov_failure(check, "urn:x")], ours, today=late)
    assert finding.status == "fail" and "review lapsed" in finding.message
    (finding,) = apply_disputed([_checkov_failure(check, "urn:x")], ours, today=date(2026, 11, 26))
    assert finding.status == "waived"


def test_a_retest_that_did_not_run_waives_nothing():
    (finding,) = apply_disputed([_checkov_failure("CKV2_OCI_2", "urn:x")], [])
    assert finding.status == "fail"
    indeterminate = [Finding("OCI-NET-003", "crossguard", "urn:x", "t", "indeterminate", "high", "")]
    (finding,) = apply_disputed([_checkov_failure("CKV2_OCI_2", "urn:x")], indeterminate)
    assert finding.status == "fail"
