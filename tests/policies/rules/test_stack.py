"""STK-017: each way an evaluation-sample bucket can hold more, longer or for more readers than its tier allows."""

from __future__ import annotations

from typing import Any

import pytest

from core.buckets import SAMPLE_READER
from policies.engine import Evaluator, Resource
from policies.rules._base import tagged
from policies.rules.stack import (
    _JOB_READS,
    _ROUTER_WRITES,
    _SAMPLE_RULES,
    _SAMPLES,
    BUCKET,
    LIFECYCLE,
    POLICY,
    fx,
)

pytestmark = pytest.mark.policy

_IN = "in compartment id ocid1.compartment.oc1..x"


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator()


def _messages(evaluator: Evaluator, bucket: dict[str, Any], rules: list[dict[str, Any]],
              statements: list[str]) -> list[str]:
    fixtures = [fx(BUCKET, "urn:b", bucket), fx(LIFECYCLE, "urn:lc", {"rules": rules}, bucket=["urn:b"]),
                fx(POLICY, "urn:p", {"statements": statements})]
    findings = [f for f in evaluator.evaluate([Resource.from_fixture(x, "c") for x in fixtures], stack_urn="urn:s")
                if f.rule == "STK-017"]
    return [f.message for f in findings if f.status == "fail"]


def test_the_planned_shape_passes(evaluator: Evaluator) -> None:
    assert _messages(evaluator, _SAMPLES, _SAMPLE_RULES, [_JOB_READS, _ROUTER_WRITES]) == []
    # dev's shape: the internal tier needs no customer-managed key, and allows 14 days
    internal = {**_SAMPLES, **tagged("internal"), "kmsKeyId": None}
    rules = [{**_SAMPLE_RULES[0], "timeAmount": "14"}, _SAMPLE_RULES[1]]
    assert _messages(evaluator, internal, rules, [_JOB_READS]) == []


@pytest.mark.parametrize(("bucket", "rules", "statements", "fragment"), [
    ({**_SAMPLES, **tagged("restricted")}, _SAMPLE_RULES, [], "keeps no traffic sample"),
    ({**_SAMPLES, **tagged("public")}, _SAMPLE_RULES, [], "keeps no traffic sample"),
    ({**_SAMPLES, "kmsKeyId": None}, _SAMPLE_RULES, [], "'kmsKeyId' is not set"),
    (_SAMPLES, [{**_SAMPLE_RULES[0], "timeAmount": "8"}, _SAMPLE_RULES[1]], [], "maxRetentionDays"),
    (_SAMPLES, [{**_SAMPLE_RULES[0], "isEnabled": False}, _SAMPLE_RULES[1]], [], "maxRetentionDays"),
    (_SAMPLES, [{**_SAMPLE_RULES[0], "objectNameFilter": {"inclusionPrefixes": ["a/"]}}, _SAMPLE_RULES[1]], [],
     "maxRetentionDays"),
    (_SAMPLES, [_SAMPLE_RULES[0]], [], "noncurrent version"),
    (_SAMPLES, [], [], "maxRetentionDays"),
    (_SAMPLES, _SAMPLE_RULES, [f"Allow group 'Default'/'db-admins' to manage object-family {_IN} "
                               "where request.permission != 'OBJECT_DELETE'"], "other than the evaluation job"),
    (_SAMPLES, _SAMPLE_RULES, [f"Allow group g to read objects {_IN} where target.bucket.name='GENAI-FX-EVAL-SAMPLES'"],
     "other than the evaluation job"),
    (_SAMPLES, _SAMPLE_RULES, [f"Allow any-user to read objects {_IN} where any {{request.principal.service_account="
                               f"'{SAMPLE_READER}', request.principal.type='workload'}}"], "other than the evaluation job"),
    (_SAMPLES, _SAMPLE_RULES, [f"Allow any-user to manage objects {_IN} where request.permission='OBJECT_READ'"],
     "other than the evaluation job"),
])
def test_each_breach_fails(evaluator: Evaluator, bucket: dict[str, Any], rules: list[dict[str, Any]],
                           statements: list[str], fragment: str) -> None:
    messages = _messages(evaluator, bucket, rules, statements)
    assert len(messages) == 1 and fragment in messages[0], messages


def test_grants_that_cannot_read_the_bucket_pass(evaluator: Evaluator) -> None:
    statements = [
        f"Allow group g to manage objects {_IN} where all {{request.permission != 'OBJECT_DELETE', "
        "target.bucket.name != 'genai-fx-eval-samples'}",  # the role table's exclusion
        f"Allow any-user to read objects {_IN} where target.bucket.name='genai-fx-documents'",  # another bucket
        f"Allow group auditors to inspect all-resources {_IN}",  # names, never contents
        f"Allow service objectstorage-eu-frankfurt-1 to manage object-family {_IN}",  # lifecycle rules
    ]
    assert _messages(evaluator, _SAMPLES, _SAMPLE_RULES, statements) == []
