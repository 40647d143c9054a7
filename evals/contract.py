"""The quality metrics the online evaluation job publishes: a view of the router's metric contract.

One home: `genai_quality` and its metrics (groundedness, relevance, coverage, flagged_rate) are
declared in `router/hooks/genai_router_hooks/contract.py` beside every other custom metric, with
dimensions `use_case`, `prompt_version` and `source` (`golden` or `traffic`); one datapoint per run
and stream, value = the run's mean score,
count = cases scored, so `.mean()` over a window is the per-case mean. The quality SLO alarm
(`components/operations.py`, `slo-quality-groundedness`) and the quality-degradation runbook query
them; tests/evals/test_contract.py keeps the three in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from router.hooks.genai_router_hooks import contract as _contract
else:
    try:  # inside the router image the hooks package is top level
        from genai_router_hooks import contract as _contract
    except ImportError:  # from the repository root
        from router.hooks.genai_router_hooks import contract as _contract

QUALITY_NS = _contract.QUALITY_NS
USE_CASE = _contract.USE_CASE
PROMPT_VERSION = _contract.PROMPT_VERSION
SOURCE = _contract.SOURCE
GOLDEN, TRAFFIC = _contract.SOURCES
DIMENSIONS = (USE_CASE, PROMPT_VERSION, SOURCE)
METRICS = tuple(m for m in _contract.METRICS if m.namespace == QUALITY_NS)
BY_NAME = {m.name: m for m in METRICS}
GOLDEN_METRICS = ("groundedness", "relevance", "coverage")
"""What a golden-set sample measures (coverage needs the case's checklist of facts)."""
TRAFFIC_METRICS = ("groundedness", "relevance", "flagged_rate")
"""What recent production traffic measures without a reference answer (``evals.traces``)."""


def check() -> None:
    """The contract obeys OCI's naming rules (raises ValueError naming the metric)."""
    _contract.check()
