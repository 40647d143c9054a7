"""The metric contract: every metric the router publishes to OCI Monitoring, declared once.

Plain data, standard library only: the hooks' emitter publishes exactly these (it refuses an
undeclared name or dimension), and the platform imports this module without LiteLLM or Pulumi to
check that every alarm on a custom namespace queries a declared metric and dimension
(``import router.hooks.genai_router_hooks.contract`` from the repository root, or
``genai_router_hooks.contract`` inside the router image).

How OCI Monitoring takes custom metrics (PostMetricData, on the *telemetry-ingestion* endpoint
``https://telemetry-ingestion.<region>.oraclecloud.com``,
https://docs.oracle.com/en-us/iaas/api/#/en/monitoring/20180401/MetricData/PostMetricData):
- a namespace must not start with the reserved prefixes ``oci_`` or ``oracle_``
  (https://docs.oracle.com/en-us/iaas/Content/Monitoring/Tasks/publishingcustommetrics.htm);
- each metric stream carries 1 to 20 dimensions; one call carries at most 50 streams;
- a datapoint is ``{timestamp, value, count}``, where ``count`` is the number of occurrences of
  ``value`` (default 1), so one datapoint per minute can stand for many requests; the unit goes
  in the stream's ``metadata`` (``{"unit": ...}``), which is not part of the stream's identity
  (https://docs.oracle.com/en-us/iaas/tools/python/latest/api/monitoring/models/oci.monitoring.models.Datapoint.html,
  .../oci.monitoring.models.MetricDataDetails.html);
- timestamps must be less than two hours old: the emitter posts each minute's aggregate well
  within that, and drops (and counts) what it could not post in time.

The router aggregates per minute and per stream (metric + dimension values). ``aggregation``
says how one minute of observations becomes datapoints, which is what an alarm's MQL statistic
then sees:
- ``sum``: one datapoint, value = the minute's total, count = 1 (``.sum()`` = the total);
- ``ratio``: one datapoint, value = numerator ÷ denominator for the minute, count = denominator
  (``.mean()`` over a window is then the request-weighted ratio, e.g. errors ÷ requests);
- ``mean``: one datapoint, value = the minute's mean, count = observations (``.mean()`` over a
  window is the per-observation mean);
- ``distribution``: one datapoint per distinct bucketed value with its count (values are
  rounded to 2 significant digits, ~1% error), so ``.percentile(0.95)`` sees every request.

Today's alarms (``components/operations.py``) query ``error_ratio[60m].mean()``,
``latency_ms[5m].percentile(0.95)``, ``model_timeouts[5m].sum()``,
``tool_errors[5m].groupBy(tool).sum()``, ``cost_per_query_usd[60m].mean()``,
``harmful_outputs[5m].sum()``, ``prompt_injections[5m].sum()`` and
``sensitive_data_detections[5m].sum()``: all declared below with the dimensions they group on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROUTER_NS = "genai_router"
"""Router health, latency and cost (published by the router hooks)."""
SAFETY_NS = "genai_safety"
"""Guardrail detections on prompts and responses (published by the router hooks)."""
QUALITY_NS = "genai_quality"
"""Answer quality measured by the online evaluation job (issue 12: an OKE CronJob in the router's
image evaluates through the router and posts these); declared here so the quality SLO alarm is
checked against a declaration, like every other custom metric."""
NAMESPACES: tuple[str, ...] = (ROUTER_NS, SAFETY_NS, QUALITY_NS)

# Naming rules, from the OCI SDK's MetricDataDetails docstrings (namespace, name, dimension key).
RESERVED_PREFIXES: tuple[str, ...] = ("oci_", "oracle_")
NAMESPACE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._$-]*$")
DIMENSION_KEY_RE = re.compile(r"^[!-~]{1,256}$")
"""Printable ASCII without spaces, at most 256 characters."""
DIMENSION_VALUE_MAX = 512
MAX_DIMENSIONS = 20
MAX_STREAMS_PER_CALL = 50

AGGREGATIONS: tuple[str, ...] = ("sum", "ratio", "mean", "distribution")

# Dimension names (one home: the emitter, the log fields and the alarm check use these).
MODEL = "model"
"""Logical model name the client asked for (the LiteLLM model group); names outside the
router's catalogue are reported as ``OTHER`` so a client cannot explode the stream count."""
TOOL = "tool"
"""Agent tool name from the tool-result message (bounded per minute; the rest are ``OTHER``)."""
USE_CASE = "use_case"
"""Golden-set use case an evaluation belongs to (genai_quality)."""
PROMPT_VERSION = "prompt_version"
"""Prompt version the evaluated answer came from (genai_quality; canary vs stable)."""
VERSION = "version"
"""Model version that answered (the deployment's ``model_info.version``: stable and canary
deployments differ), from the router's config only, so the values are bounded."""
RELEASE = "release"
"""``stable`` or ``candidate`` (the deployment's ``model_info.release``)."""
REQUEST_LABELS: tuple[str, ...] = (VERSION, RELEASE, PROMPT_VERSION)
"""The release labels every request-derived router and safety metric carries beside ``model``, so a
canary's streams can be compared with the stable ones (issue 12: "labels every metric, log and
span with the version"). ``prompt_version`` is the ``<use-case>@<version>`` the router applied
(requests with ``metadata.use_case``). Alarms that do not group on them aggregate across them."""
NONE = "none"
"""Value of a release label that does not apply or is not known yet: no use case (no prompt
version), or no upstream answer (a refused or failed request has no model version). OCI refuses
empty dimension values."""
SOURCE = "source"
"""What a quality datapoint evaluated (genai_quality): ``golden`` (a golden-set sample answered through
the router) or ``traffic`` (recent production requests read back from the router's request log)."""
SOURCES: tuple[str, ...] = ("golden", "traffic")
SIGNAL = "signal"
"""Which telemetry pipeline dropped data: ``metrics``, ``logs``, ``traces`` or ``samples`` (evaluation samples)."""
REASON = "reason"
"""Why a request chosen for the evaluation sample was not written (``samples.WITHHELD``:
``prompt_injection`` or ``pii``)."""
OTHER = "other"


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    unit: str
    dimensions: tuple[str, ...]
    aggregation: str
    description: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)


def _router(name: str, unit: str, aggregation: str, description: str, *extra: str) -> Metric:
    return Metric(ROUTER_NS, name, unit, (MODEL, *REQUEST_LABELS, *extra), aggregation, description)


def _quality(name: str, description: str) -> Metric:
    return Metric(QUALITY_NS, name, "ratio", (USE_CASE, PROMPT_VERSION, SOURCE), "mean", description)


def _safety(name: str, description: str) -> Metric:
    return Metric(SAFETY_NS, name, "count", (MODEL, *REQUEST_LABELS), "sum", description)


METRICS: tuple[Metric, ...] = (
    _router("requests", "count", "sum", "Client requests answered (any status), cache hits included."),
    _router("error_ratio", "ratio", "ratio",
            "Requests answered with a 5xx or an upstream failure ÷ requests (count = requests). "
            "Client errors (4xx: bad request, guardrail block, rate limit) are not errors of the service."),
    _router("latency_ms", "milliseconds", "distribution",
            "End-to-end latency per request, from the proxy receiving it to the response (streams: to the last chunk)."),
    _router("model_timeouts", "count", "sum", "Upstream attempts (retries and fallbacks included) that timed out."),
    _router("tool_errors", "count", "sum",
            "Tool results the agent reported as failed (a tool message whose JSON content has an `error` key, "
            "or `metadata.tool_errors` from the orchestrator).", TOOL),
    _router("cost_per_query_usd", "USD", "mean",
            "What OCI bills for one answered query (all its upstream attempts), mean per minute (count = queries)."),
    _router("cost_usd", "USD", "sum", "What OCI bills for the minute's upstream calls (characters or tokens × price)."),
    _router("characters", "count", "sum", "Prompt + response characters sent to / received from OCI Generative AI."),
    _router("cache_hits", "count", "sum", "Requests served from the response or semantic cache (no upstream cost)."),
    _router("guardrail_failures", "count", "sum",
            "Guardrail checks that could not be made (the request fails closed with a 503)."),
    _safety("prompt_injections", "Prompts OCI applyGuardrails scored as prompt injection (blocked)."),
    _safety("harmful_outputs", "Responses OCI applyGuardrails flagged in content moderation."),
    _safety("sensitive_data_detections", "Responses in which OCI applyGuardrails found personal data (PII)."),
    _router("eval_samples_withheld", "count", "sum",
            "Requests chosen for the evaluation sample but not written because a guardrail flagged them "
            "(a sample never holds what the guardrails flagged).", REASON),
    Metric(ROUTER_NS, "telemetry_dropped", "count", (SIGNAL,), "sum",
           "Telemetry items dropped: buffer full, or not delivered after retries (never blocks a request)."),
    _quality("groundedness",
             "Share of an evaluated answer's claims supported by the documents it cites (0-1), mean per run "
             "(count = answers evaluated). golden: the documents retrieved for the case; traffic: the documents "
             "in the logged prompt."),
    _quality("relevance",
             "Embedding similarity (cosine, 0-1) of an evaluated answer, mean per run (count = answers evaluated). "
             "golden: to the golden set's expected answer; traffic (no reference exists): to the question asked, a "
             "lower scale, hence its own stream."),
    _quality("coverage",
             "Share of the golden case's required facts an evaluated answer states (0-1), mean per run "
             "(count = answers evaluated). golden only: traffic has no checklist."),
    _quality("flagged_rate",
             "Share of sampled production requests the router's guardrails flagged (prompt injection, harmful "
             "content or personal data: the request log's verdicts), mean per run (count = requests sampled). "
             "traffic only."),
)

BY_KEY: dict[tuple[str, str], Metric] = {m.key: m for m in METRICS}


def metric(namespace: str, name: str) -> Metric:
    """The declaration of ``namespace``/``name``; KeyError names what is undeclared."""
    try:
        return BY_KEY[(namespace, name)]
    except KeyError:
        raise KeyError(f"metric {namespace}/{name} is not declared in genai_router_hooks.contract") from None


def published(namespace: str) -> dict[str, tuple[str, ...]]:
    """Metric name → dimensions, for one of our namespaces (empty for any other)."""
    return {m.name: m.dimensions for m in METRICS if m.namespace == namespace}


def check() -> None:
    """The declarations obey OCI's rules (raises ValueError naming the metric)."""
    for m in METRICS:
        where = f"{m.namespace}/{m.name}"
        if m.namespace.startswith(RESERVED_PREFIXES) or not NAMESPACE_RE.match(m.namespace):
            raise ValueError(f"{where}: namespace must be letters, digits and _ without oci_/oracle_ prefix")
        if not NAME_RE.match(m.name):
            raise ValueError(f"{where}: metric name has characters OCI does not accept")
        if not all(DIMENSION_KEY_RE.match(d) for d in m.dimensions):
            raise ValueError(f"{where}: a dimension key is not printable ASCII without spaces")
        if not 1 <= len(m.dimensions) <= MAX_DIMENSIONS:
            raise ValueError(f"{where}: needs 1 to {MAX_DIMENSIONS} dimensions")
        if m.aggregation not in AGGREGATIONS:
            raise ValueError(f"{where}: aggregation must be one of {', '.join(AGGREGATIONS)}")
    if len(BY_KEY) != len(METRICS):
        raise ValueError("contract: a metric is declared twice")
