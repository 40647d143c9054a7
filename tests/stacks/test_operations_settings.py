"""genai-platform:operations: every key validated, one located line per problem, never the value."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from blueprint.stackconfig import load_stack_config, namespace_values
from core.markers import SECRET_MARKER, OfflineSecret
from core.problems import SettingsError
from stacks.settings import validate
from stacks.settings.common import NAMESPACE
from stacks.settings.operations import thresholds_from
from tests.conftest import ROOT

pytestmark = pytest.mark.unit


def raw_config(stack: str) -> dict[str, Any]:
    return copy.deepcopy(namespace_values(load_stack_config(ROOT, stack)))


def problems_for(stack: str, patch: dict[str, Any] | None = None, delete: tuple[str, ...] = (),
                 plane: str = "operations", sep: str = ".") -> list[tuple[str, str]]:
    """Validate the stack with keys of one plane patched or deleted (``sep`` splits the key paths)."""
    raw = raw_config(stack)
    ops = raw.setdefault(plane, {})
    for dotted, value in (patch or {}).items():
        *parents, leaf = dotted.split(sep)
        node = ops
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    for dotted in delete:
        *parents, leaf = dotted.split(sep)
        node = ops
        for part in parents:
            node = node[part]
        del node[leaf]
    try:
        validate(raw, region="eu-frankfurt-1", project="genai-platform", stack=stack)
    except SettingsError as err:
        return [(p.path, p.message) for p in err.problems]
    return []


def test_stack_files_are_valid() -> None:
    assert problems_for("dev") == [] and problems_for("prod") == []


def test_defaults_are_the_slo_numbers() -> None:
    raw = raw_config("prod")
    settings = validate(raw, region="eu-frankfurt-1", project="genai-platform", stack="prod")
    o = settings.operations
    assert o.thresholds == thresholds_from({})
    assert (o.thresholds.availability_target, o.thresholds.fast_burn_rate, o.thresholds.slow_burn_rate) == (0.999, 14.4, 6.0)
    assert (o.thresholds.latency_p95_ms, o.thresholds.groundedness_min, o.thresholds.cost_per_query_max_usd) == (8000, 0.85, 0.10)
    assert o.audit_archive_days == 2555 and o.log_retention_days == 90
    assert o.budget.actual_percentages == (50, 75, 90, 100) and o.budget.forecast_percentages == (100,)
    assert o.runbook_base_url == "runbooks/"
    assert repr(o.channels["critical"].pagerduty_urls[0]) == "Secret(***)"
    dev = validate(raw_config("dev"), region="eu-frankfurt-1", project="genai-platform", stack="dev").operations
    assert dev.channels["critical"].pagerduty_urls == () and dev.budget.amount == 2000


SECRET_URL = "https://events.pagerduty.com/integration/SECRETTOKEN123/enqueue"

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (stack, patch, expected problem path (under genai-platform:operations), message fragment)
    ("prod", {"logRetentionDays": 45}, "logRetentionDays", "not an allowed value"),
    ("prod", {"logRetentionDays": 60}, "logRetentionDays", "shorter than the confidential tier requires; allowed: at least 90"),
    ("prod", {"auditArchiveDays": 400}, "auditArchiveDays", "at least 2555"),
    ("prod", {"auditArchiveDays": 5000}, "auditArchiveDays", "out of range"),
    ("prod", {"apm.freeTier": "yes"}, "apm.freeTier", "wrong type"),
    ("prod", {"apm.healthUrl": "http://genai.example.com/health"}, "apm.healthUrl", "https://<api host>[:port]/health"),
    ("prod", {"apm.healthUrl": "https://genai.example.com/status"}, "apm.healthUrl", "badly formed"),
    ("prod", {"apm.vantagePoints": []}, "apm.vantagePoints", "wrong number of items"),
    ("prod", {"apm.vantagePoints": ["bad point!"]}, "apm.vantagePoints[0]", "badly formed"),
    ("prod", {"apm.probeIntervalSeconds": 10}, "apm.probeIntervalSeconds", "out of range; allowed: 60 to 3600"),
    ("prod", {"apm.extra": 1}, "apm", "unknown key 'extra'"),
    ("prod", {"thresholds.availabilityTarget": 1.0}, "thresholds.availabilityTarget", "out of range"),
    ("prod", {"thresholds.fastBurnRate": 1}, "thresholds.fastBurnRate", "out of range"),
    ("prod", {"thresholds.slowBurnRate": 0}, "thresholds.slowBurnRate", "out of range"),
    ("prod", {"thresholds.slowBurnRate": 20}, "thresholds.slowBurnRate", "lower than the fast one"),
    ("prod", {"thresholds.latencyP95Ms": 100}, "thresholds.latencyP95Ms", "out of range"),
    ("prod", {"thresholds.groundednessMin": 1.5}, "thresholds.groundednessMin", "out of range"),
    ("prod", {"thresholds.costPerQueryMaxUsd": 0}, "thresholds.costPerQueryMaxUsd", "out of range"),
    ("prod", {"thresholds.modelTimeoutsPer5m": -1}, "thresholds.modelTimeoutsPer5m", "out of range"),
    ("prod", {"thresholds.toolErrorsPer5m": 1.5}, "thresholds.toolErrorsPer5m", "wrong type"),
    ("prod", {"thresholds.promptInjectionsPer5m": -1}, "thresholds.promptInjectionsPer5m", "out of range"),
    ("prod", {"thresholds.gateway5xxPer5m": -1}, "thresholds.gateway5xxPer5m", "out of range"),
    ("prod", {"thresholds.databaseCpuPercent": 101}, "thresholds.databaseCpuPercent", "out of range"),
    ("prod", {"thresholds.databaseStoragePercent": 10}, "thresholds.databaseStoragePercent", "out of range"),
    ("prod", {"thresholds.dedicatedClusterLatencyP95Ms": 0}, "thresholds.dedicatedClusterLatencyP95Ms", "out of range"),
    ("prod", {"thresholds.errorRate": 0.1}, "thresholds", "unknown key 'errorRate'"),
    ("prod", {"notifications.critical.emails": ["not-an-email"]}, "notifications.critical.emails[0]", "an email address"),
    ("prod", {"notifications.critical.pagerDutyUrls": ["http://insecure.example.com/x"]},
     "notifications.critical.pagerDutyUrls[0]", "an https:// URL"),
    ("prod", {"notifications.warning.slackUrls": ["ftp://x"]}, "notifications.warning.slackUrls[0]", "an https:// URL"),
    ("prod", {"notifications.info.httpsUrls": ["hooks.example.com"]}, "notifications.info.httpsUrls[0]", "an https:// URL"),
    ("prod", {"notifications.cost.sms": ["+1555"]}, "notifications.cost", "unknown key 'sms'"),
    ("prod", {"notifications.pager": {}}, "notifications", "unknown key 'pager'"),
    ("prod", {"notifications.critical": {}}, "notifications.critical", "nobody is paged"),
    ("prod", {"budget.amount": 0}, "budget.amount", "out of range"),
    ("prod", {"budget.amount": 99.5}, "budget.amount", "wrong type"),
    ("prod", {"budget.amount": "lots"}, "budget.amount", "wrong type"),
    ("prod", {"budget.actualPercentages": [50, 75, 100]}, "budget.actualPercentages", "including 50, 75, 90, 100"),
    ("prod", {"budget.actualPercentages": [50, 75, 90, 100, 0]}, "budget.actualPercentages[4]", "out of range"),
    ("prod", {"budget.actualPercentages": [50, 50, 75, 90, 100]}, "budget.actualPercentages", "duplicate"),
    ("prod", {"budget.forecastPercentages": [90]}, "budget.forecastPercentages", "including 100"),
    ("prod", {"budget.forecastPercentages": ["100%"]}, "budget.forecastPercentages[0]", "wrong type"),
    ("prod", {"budget.recipients": []}, "budget.recipients", "wrong number of items"),
    ("prod", {"budget.currency": "EUR"}, "budget", "unknown key 'currency'"),
    ("prod", {"runbookBaseUrl": "http://wiki/runbooks/"}, "runbookBaseUrl", "an https:// URL or a relative path"),
    ("prod", {"runbookBaseUrl": "https://wiki.example.com/runbooks"}, "runbookBaseUrl", "ending in '/'"),
    ("dev", {"logRetentionDays": 365}, "logRetentionDays", "not an allowed value"),
]


@pytest.mark.parametrize("stack, patch, path, fragment", CASES, ids=[f"{c[0]}:{next(iter(c[1]))}" for c in CASES])
def test_bad_value_gives_one_located_line(stack: str, patch: dict[str, Any], path: str, fragment: str) -> None:
    problems = problems_for(stack, patch)
    assert [p for p, _ in problems] == [f"{NAMESPACE}:operations.{path}"], problems
    message = problems[0][1]
    assert fragment in message
    for value in patch.values():
        rendered = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        assert not any(r and len(r) > 3 and r in message for r in rendered), "a value leaked into the message"


@pytest.mark.parametrize("key", ["apm", "notifications", "budget", "apm.healthUrl", "apm.vantagePoints",
                                 "notifications.critical", "budget.amount", "budget.recipients"])
def test_required_keys(key: str) -> None:
    problems = problems_for("prod", delete=(key,))
    parent = key.rpartition(".")[0]
    assert [p for p, _ in problems] == [f"{NAMESPACE}:operations" + (f".{parent}" if parent else "")]
    assert f"missing required key '{key.rpartition('.')[2]}'" in problems[0][1]


def test_operations_key_is_required() -> None:
    raw = raw_config("dev")
    del raw["operations"]
    with pytest.raises(SettingsError) as err:
        validate(raw, region="eu-frankfurt-1", project="genai-platform", stack="dev")
    assert [str(p) for p in err.value.problems] == [f"{NAMESPACE}: missing required key 'operations'"]


def test_secret_urls_never_appear_in_errors() -> None:
    problems = problems_for("prod", {"notifications.critical.pagerDutyUrls": [SECRET_URL, SECRET_URL]})
    assert problems and all("SECRETTOKEN" not in m for _, m in problems)


def test_restricted_tier_needs_180_day_logs() -> None:
    raw = raw_config("prod")
    raw["classification"] = "restricted"
    with pytest.raises(SettingsError) as err:
        validate(raw, region="eu-frankfurt-1", project="genai-platform", stack="prod")
    paths = [p.path for p in err.value.problems]
    assert f"{NAMESPACE}:operations.logRetentionDays" in paths
    assert f"{NAMESPACE}:operations.auditArchiveDays" not in paths  # default follows the tier (3650)


def test_undecryptable_secret_passes_only_where_the_schema_marks_x_secret() -> None:
    # prod's PagerDuty and Slack URLs are `secure:` values: offline they arrive as the engine's placeholder.
    assert problems_for("prod", {"notifications.info.httpsUrls": [OfflineSecret(SECRET_MARKER)]}) == []
    assert [p for p, _ in problems_for("prod", {"notifications.info.emails": [OfflineSecret(SECRET_MARKER)]})] == [
        f"{NAMESPACE}:operations.notifications.info.emails[0]"]
    # The same text typed as a plain value is not a secret: it is judged as the URL it claims to be.
    assert [p for p, _ in problems_for("prod", {"notifications.info.httpsUrls": [SECRET_MARKER]})] == [
        f"{NAMESPACE}:operations.notifications.info.httpsUrls[0]"]
