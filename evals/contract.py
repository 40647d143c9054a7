"""The quality metric contract: what the online evaluation job publishes to OCI Monitoring.

Declared in the style of the router's contract (`router/hooks/genai_router_hooks/contract.py`,
whose `Metric` record and OCI naming rules it reuses): namespace `genai_quality`, one stream per
use case and prompt version, one datapoint per run with value = the run's mean score and
count = cases scored, so `.mean()` over a window is the per-case mean. The quality SLO alarm
(`components/operations.py`, `slo-quality-groundedness`) queries `groundedness[60m].mean()` in
this namespace and its runbook groups by `promptVersion`; a test keeps the three in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from router.hooks.genai_router_hooks import contract as _router_contract
else:
    try:  # inside the router image the hooks package is top level
        from genai_router_hooks import contract as _router_contract
    except ImportError:  # from the repository root
        from router.hooks.genai_router_hooks import contract as _router_contract

if TYPE_CHECKING:
    from router.hooks.genai_router_hooks.contract import Metric
else:
    Metric = _router_contract.Metric

QUALITY_NS = "genai_quality"
USE_CASE = "useCase"
"""Golden set / prompt use case (prompts/<use-case>/)."""
PROMPT_VERSION = "promptVersion"
"""`<use-case>@<version>` of the system prompt the router applied (its x-genai-prompt-version)."""
DIMENSIONS = (USE_CASE, PROMPT_VERSION)

METRICS: tuple[Metric, ...] = (
    Metric(QUALITY_NS, "groundedness", "ratio", DIMENSIONS, "mean",
           "Citation verification (0-1): cited documents retrieved and claims overlapping the cited text."),
    Metric(QUALITY_NS, "relevance", "ratio", DIMENSIONS, "mean",
           "Embedding similarity (cosine, 0-1) of the answer to the golden set's expected answer."),
    Metric(QUALITY_NS, "coverage", "ratio", DIMENSIONS, "mean",
           "Share of the golden case's required facts the answer states (0-1)."),
)
BY_NAME = {m.name: m for m in METRICS}


def check() -> None:
    """The declarations obey OCI's custom-metric rules (raises ValueError naming the metric)."""
    c = _router_contract
    for m in METRICS:
        where = f"{m.namespace}/{m.name}"
        if m.namespace.startswith(c.RESERVED_PREFIXES) or not c.NAMESPACE_RE.match(m.namespace):
            raise ValueError(f"{where}: namespace must be letters, digits and _ without oci_/oracle_ prefix")
        if not c.NAME_RE.match(m.name) or not all(c.DIMENSION_KEY_RE.match(d) for d in m.dimensions):
            raise ValueError(f"{where}: name or dimension key has characters OCI does not accept")
        if not 1 <= len(m.dimensions) <= c.MAX_DIMENSIONS or m.aggregation not in c.AGGREGATIONS:
            raise ValueError(f"{where}: dimensions or aggregation outside the contract's rules")
