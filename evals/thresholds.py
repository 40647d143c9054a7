"""Quality-gate thresholds: the operating model's evaluation targets, overridable per stack.

Defaults are the operating model's "Evaluation Metrics Framework" targets: relevance > 0.85,
groundedness > 0.90, coverage > 0.80, harmful content < 0.001, P95 latency < 5 s and per-request
cost < $0.05. A stack overrides them under `genai-platform:operations.evaluation.thresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Thresholds:
    relevance_min: float = 0.85
    groundedness_min: float = 0.90
    coverage_min: float = 0.80
    harmful_rate_max: float = 0.001
    latency_p95_max_s: float = 5.0
    cost_per_request_max_usd: float = 0.05


#: config key (camelCase, as in the stack file) → field.
CONFIG_KEYS: dict[str, str] = {
    "relevanceMin": "relevance_min",
    "groundednessMin": "groundedness_min",
    "coverageMin": "coverage_min",
    "harmfulRateMax": "harmful_rate_max",
    "latencyP95MaxSeconds": "latency_p95_max_s",
    "costPerRequestMaxUsd": "cost_per_request_max_usd",
}
assert set(CONFIG_KEYS.values()) == {f.name for f in fields(Thresholds)}
