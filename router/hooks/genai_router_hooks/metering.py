"""Cost metering, as OCI bills each serving mode, and the budget ledger.

OCI bills on-demand chat by characters: (prompt characters + response characters) / 10,000 ×
price per 10k; on-demand embeddings by input characters. Some newer models are priced per 1M
tokens; their deployments carry pricing unit `tokens`. A dedicated AI cluster is billed per
unit-hour whatever it serves; its deployments carry pricing unit `requests` and a price per
request: the cluster's hourly cost spread over the requests it is planned to serve
(router/README.md, "Metering"). LiteLLM computes character cost only for another provider, so
we meter here and export a Prometheus counter the proxy's /metrics serves (same default registry).

``BudgetLedger`` is per process and in memory (tests, and a single replica without Redis); with
a ``genai_router.redis`` section every replica shares ``shared.RedisLedger`` instead. Both have
the same async interface.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from prometheus_client import Counter

COST = Counter(
    "genai_router_oci_cost",
    "Cost of OCI Generative AI calls as OCI bills them (characters or tokens × price).",
    ["model", "deployment", "tier", "pricing_unit"],
)
CHARACTERS = Counter(
    "genai_router_oci_characters",
    "Prompt + response characters sent to / received from OCI Generative AI.",
    ["model", "deployment", "tier"],
)

try:  # OTel mirror of the cost counter; a no-op unless a MeterProvider is configured.
    from opentelemetry import metrics as _otel_metrics

    OTEL_COST: Any = _otel_metrics.get_meter("genai_router_hooks").create_counter(
        "genai_router.oci.cost", description="Cost of OCI Generative AI calls as OCI bills them."
    )
except ImportError:  # pragma: no cover - the router image ships opentelemetry-api
    OTEL_COST = None

_WINDOWS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def window_seconds(spec: str) -> float:
    return float(spec[:-1]) * _WINDOWS[spec[-1]]


def text_of(content: Any) -> str:
    """Text of an OpenAI message content (string or list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def prompt_characters(messages: list[dict[str, Any]]) -> int:
    return sum(len(text_of(m.get("content"))) for m in messages or [])


def input_characters(kwargs: Any) -> int:
    """Characters a call sends: its chat messages, or the texts of an embedding call (`input`)."""
    if kwargs.get("messages"):
        return prompt_characters(kwargs.get("messages") or [])
    texts = kwargs.get("input")
    if isinstance(texts, str):
        return len(texts)
    return sum(len(t) for t in texts or [] if isinstance(t, str))


def cost(info: dict[str, Any], chars: int, tokens: int) -> float:
    """Cost of one call: quantity in the deployment's pricing unit / units per price × price.

    model_info carries ``price``, ``pricing_unit`` and ``price_per`` (how many units the price
    covers: 10,000 characters, 1,000,000 tokens or 1 request; router/inputs.py PRICE_PER).
    """
    price = float(info.get("price", 0.0))
    unit = str(info.get("pricing_unit") or "characters")
    quantity = {"characters": chars, "tokens": tokens, "requests": 1}.get(unit)
    if quantity is None:
        raise ValueError("unknown pricing unit")
    return quantity / float(info["price_per"]) * price


class BudgetLedger:
    """Spend per deployment within its budget window (in-process; async like ``shared.RedisLedger``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spend: dict[str, tuple[float, float]] = {}  # deployment → (window start, spend)

    async def add(self, deployment: str, amount: float, window_s: float) -> None:
        now = time.monotonic()
        with self._lock:
            start, spent = self._spend.get(deployment, (now, 0.0))
            if now - start >= window_s:
                start, spent = now, 0.0
            self._spend[deployment] = (start, spent + amount)

    async def spent(self, deployment: str, window_s: float) -> float:
        with self._lock:
            start, spent = self._spend.get(deployment, (time.monotonic(), 0.0))
            return 0.0 if time.monotonic() - start >= window_s else spent

    async def exhausted(self, deployment: str, budget: float, window_s: float) -> bool:
        return await self.spent(deployment, window_s) >= budget


LEDGER = BudgetLedger()
