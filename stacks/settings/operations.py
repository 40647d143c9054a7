"""Operations settings (``genai-platform:operations``, schema ``stacks/schema/operations.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.operations import AlarmThresholds
from core.tiers import TierPolicy
from core.topics import TOPICS
from stacks.settings.common import Report, Secret


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
_THRESHOLD_KEYS = {
    "availabilityTarget": "availability_target", "fastBurnRate": "fast_burn_rate", "slowBurnRate": "slow_burn_rate",
    "latencyP95Ms": "latency_p95_ms", "groundednessMin": "groundedness_min",
    "costPerQueryMaxUsd": "cost_per_query_max_usd", "modelTimeoutsPer5m": "model_timeouts_per_5m",
    "toolErrorsPer5m": "tool_errors_per_5m", "promptInjectionsPer5m": "prompt_injections_per_5m",
    "gateway5xxPer5m": "gateway_5xx_per_5m", "databaseCpuPercent": "database_cpu_percent",
    "databaseStoragePercent": "database_storage_percent",
    "dedicatedClusterLatencyP95Ms": "dedicated_cluster_latency_p95_ms",
}


def parse(o: dict[str, Any], tier: TierPolicy, p: Report) -> OperationsSettings | None:
    """Schema-valid ``operations`` object → settings, or None after reporting every problem."""
    ok = True
    # OCI Logging keeps logs at most 180 days; longer audit evidence goes to the archive bucket.
    minimum_logs = min(tier.retention.log_days, 180)
    retention = o.get("logRetentionDays", max(30, -(-minimum_logs // 30) * 30))
    if retention < minimum_logs:
        p("operations.logRetentionDays",
          f"shorter than the {tier.name} tier requires; allowed: at least {minimum_logs}")
        ok = False
    archive = o.get("auditArchiveDays", tier.retention.audit_archive_days)
    if archive < tier.retention.audit_archive_days:
        p("operations.auditArchiveDays",
          f"shorter than the {tier.name} tier requires; allowed: at least {tier.retention.audit_archive_days}")
        ok = False
    t = o.get("thresholds", {})
    thresholds = AlarmThresholds(**{_THRESHOLD_KEYS[k]: v for k, v in t.items()})
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
