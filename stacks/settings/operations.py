"""Operations settings (``genai-platform:operations``, schema ``stacks/schema/operations.json``).

Parses the stack's operations object and builds the operations plane's inputs
(``components/operations.py``) from it and the ids of what the other planes created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from components.operations import AlarmThresholds
from core.tiers import TierPolicy
from core.topics import TOPICS
from stacks.settings.common import LOG_RETENTION_MAX, Report, Secret, log_retention_for, tier_minimum

if TYPE_CHECKING:
    from components.governance import GovernanceFoundation
    from components.operations import OperationsPlaneArgs
    from stacks.settings import Settings


@dataclass(frozen=True)
class Channel:
    """Subscribers of one notification topic; webhook URLs are secrets."""

    emails: tuple[str, ...] = ()
    pagerduty_urls: tuple[Secret, ...] = ()
    slack_urls: tuple[Secret, ...] = ()
    https_urls: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class BudgetSettings:
    amount: int
    actual_percentages: tuple[int, ...]
    forecast_percentages: tuple[int, ...]
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class OperationsSettings:
    log_retention_days: int
    audit_archive_days: int
    apm_free_tier: bool
    health_url: str
    vantage_points: tuple[str, ...]
    probe_interval_seconds: int
    thresholds: AlarmThresholds
    channels: Mapping[str, Channel]
    """Subscribers per topic: critical, warning, info, cost (every topic present, possibly empty)."""
    budget: BudgetSettings
    runbook_base_url: str


#: Budget alert rules the operating model requires: these ACTUAL and FORECAST percentages at least.
REQUIRED_ACTUAL_PERCENTAGES = (50, 75, 90, 100)
REQUIRED_FORECAST_PERCENTAGES = (100,)
#: operations.thresholds key → (AlarmThresholds field, default: the operating model's SLO).
THRESHOLDS: Mapping[str, tuple[str, float | int]] = {
    "availabilityTarget": ("availability_target", 0.999),
    "fastBurnRate": ("fast_burn_rate", 14.4),
    "slowBurnRate": ("slow_burn_rate", 6.0),
    "latencyP95Ms": ("latency_p95_ms", 8000),
    "groundednessMin": ("groundedness_min", 0.85),
    "costPerQueryMaxUsd": ("cost_per_query_max_usd", 0.10),
    "modelTimeoutsPer5m": ("model_timeouts_per_5m", 5),
    "toolErrorsPer5m": ("tool_errors_per_5m", 10),
    "promptInjectionsPer5m": ("prompt_injections_per_5m", 0),
    "gateway5xxPer5m": ("gateway_5xx_per_5m", 10),
    "databaseCpuPercent": ("database_cpu_percent", 80),
    "databaseStoragePercent": ("database_storage_percent", 85),
    "dedicatedClusterLatencyP95Ms": ("dedicated_cluster_latency_p95_ms", 6000),
}


def thresholds_from(raw: Mapping[str, Any]) -> AlarmThresholds:
    """Alarm thresholds: the stack's values where it sets them, the operating model's SLOs elsewhere."""
    return AlarmThresholds(**{field: raw.get(key, default) for key, (field, default) in THRESHOLDS.items()})


def parse(o: dict[str, Any], tier: TierPolicy, p: Report) -> OperationsSettings | None:
    """Schema-valid ``operations`` object → settings, or None after reporting every problem."""
    ok = True
    # OCI Logging keeps logs at most 180 days; longer audit evidence goes to the archive bucket.
    minimum_logs = min(tier.retention.log_days, LOG_RETENTION_MAX)
    retention = o.get("logRetentionDays", log_retention_for(tier.retention.log_days))
    ok &= tier_minimum(p, "operations.logRetentionDays", retention, minimum_logs, tier.name)
    archive = o.get("auditArchiveDays", tier.retention.audit_archive_days)
    ok &= tier_minimum(p, "operations.auditArchiveDays", archive, tier.retention.audit_archive_days, tier.name)
    t = o.get("thresholds", {})
    thresholds = thresholds_from(t)
    if thresholds.slow_burn_rate >= thresholds.fast_burn_rate:
        p("operations.thresholds.slowBurnRate",
          "not below operations.thresholds.fastBurnRate; allowed: a slow burn rate lower than the fast one")
        ok = False
    budget = o["budget"]
    actual = tuple(sorted(budget.get("actualPercentages", REQUIRED_ACTUAL_PERCENTAGES)))
    forecast = tuple(sorted(budget.get("forecastPercentages", REQUIRED_FORECAST_PERCENTAGES)))
    for key, chosen, required in (("actualPercentages", actual, REQUIRED_ACTUAL_PERCENTAGES),
                                  ("forecastPercentages", forecast, REQUIRED_FORECAST_PERCENTAGES)):
        missing = [str(x) for x in required if x not in chosen]
        if missing:
            p(f"operations.budget.{key}",
              "lacks a rule the operating model requires; allowed: a list including " + ", ".join(map(str, required)))
            ok = False
    notifications = o["notifications"]
    if not notifications["critical"].get("emails") and not notifications["critical"].get("pagerDutyUrls"):
        p("operations.notifications.critical",
          "nobody is paged; allowed: at least one entry in emails or pagerDutyUrls")
        ok = False
    if not ok:
        return None
    apm = o["apm"]
    channels = {
        topic: Channel(
            emails=tuple(c.get("emails", ())),
            pagerduty_urls=tuple(Secret(u) for u in c.get("pagerDutyUrls", ())),
            slack_urls=tuple(Secret(u) for u in c.get("slackUrls", ())),
            https_urls=tuple(Secret(u) for u in c.get("httpsUrls", ())),
        )
        for topic in TOPICS
        for c in [notifications.get(topic, {})]
    }
    return OperationsSettings(
        log_retention_days=retention,
        audit_archive_days=archive,
        apm_free_tier=apm.get("freeTier", False),
        health_url=apm["healthUrl"],
        vantage_points=tuple(apm["vantagePoints"]),
        probe_interval_seconds=apm.get("probeIntervalSeconds", 300),
        thresholds=thresholds,
        channels=channels,
        budget=BudgetSettings(amount=budget["amount"], actual_percentages=actual,
                              forecast_percentages=forecast, recipients=tuple(budget["recipients"])),
        runbook_base_url=o.get("runbookBaseUrl", "runbooks/"),
    )


def subscriptions_from(channels: Mapping[str, Channel]) -> dict[str, list[tuple[str, Any]]]:
    """(protocol, endpoint) pairs per topic (secrets revealed here only, straight into secret Outputs)."""
    out: dict[str, list[tuple[str, Any]]] = {}
    for topic, channel in channels.items():
        pairs: list[tuple[str, Any]] = [("EMAIL", e) for e in channel.emails]
        pairs += [("PAGERDUTY", pulumi.Output.secret(s.reveal())) for s in channel.pagerduty_urls]
        pairs += [("SLACK", pulumi.Output.secret(s.reveal())) for s in channel.slack_urls]
        pairs += [("CUSTOM_HTTPS", pulumi.Output.secret(s.reveal())) for s in channel.https_urls]
        out[topic] = pairs
    return out


def operations_args(settings: Settings, governance: GovernanceFoundation, *,
                    api_gateway_id: pulumi.Input[str] | None, api_deployment_id: pulumi.Input[str] | None,
                    gateway_logs_owned_elsewhere: bool, cluster_id: pulumi.Input[str] | None,
                    oke_logs_owned_elsewhere: bool, autonomous_database_id: pulumi.Input[str] | None,
                    dedicated_endpoint_ids: Sequence[pulumi.Input[str]], buckets: Sequence[pulumi.Input[str]],
                    archive_bucket_name: pulumi.Input[str] | None) -> OperationsPlaneArgs:
    """The operations plane's inputs: settings, plus the ids of what the other planes created (None: absent)."""
    g, o, tier = settings.governance, settings.operations, settings.tier
    return {
        "compartment_id": governance.compartment_id,
        "tenancy_id": g.tenancy_id,
        "environment": g.environment,
        "region": settings.region,
        "defined_tags": governance.defined_tags,
        "log_retention_days": o.log_retention_days,
        "audit_archive_days": o.audit_archive_days,
        "archive_key_id": governance.key_ids["logs"] if tier.customer_managed_keys else None,
        "archive_bucket_name": archive_bucket_name,
        "health_url": o.health_url,
        "vantage_points": o.vantage_points,
        "probe_interval_seconds": o.probe_interval_seconds,
        "apm_free_tier": o.apm_free_tier,
        "thresholds": o.thresholds,
        "subscriptions": subscriptions_from(o.channels),
        "budget_amount": o.budget.amount,
        "budget_actual_percentages": o.budget.actual_percentages,
        "budget_forecast_percentages": o.budget.forecast_percentages,
        "budget_recipients": o.budget.recipients,
        "runbook_base_url": o.runbook_base_url,
        "protect_stateful": g.protect_stateful,
        "api_gateway_id": api_gateway_id,
        "api_deployment_id": api_deployment_id,
        "gateway_logs_owned_elsewhere": gateway_logs_owned_elsewhere,
        "cluster_id": cluster_id,
        "oke_logs_owned_elsewhere": oke_logs_owned_elsewhere,
        "autonomous_database_id": autonomous_database_id,
        "dedicated_endpoint_ids": dedicated_endpoint_ids,
        "buckets": buckets,
    }
