"""Model-plane settings (``genai-platform:model``, schema ``stacks/schema/model.json``), and the model
plane's inputs (``model_args``, for ``components/model.py``).

Two ways OCI serves a model, two lists here:

- ``catalog``: pretrained models served on demand (shared, billed per character or token);
- ``dedicatedClusters``: hosting dedicated AI clusters, each with one endpoint serving one model
  (chat or embedding, by its unit shape), billed per unit-hour.

The router's catalogue is both, one entry per model. A dedicated model's price is its cluster's
unit-hour cost spread over the requests the cluster is planned to serve (router/README.md,
"Metering"), so budgets, downgrades and the cost-per-query SLO compare it with on-demand prices.
The unit-hour price is the stack's negotiated one where ``unitPrices`` sets it, else the list price
(``core.genai_units.unit_hour_usd``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.genai_units import UNIT_SHAPES, hourly_usd
from core.tiers import TierPolicy
from stacks.settings.common import Report

if TYPE_CHECKING:
    from components.data import DataPlane
    from components.governance import GovernanceFoundation
    from components.model import ModelPlaneArgs
    from components.network import NetworkPlane
    from stacks.settings import Settings

#: The router's per-deployment rate limits where a catalogue entry sets none.
DEFAULT_RPM, DEFAULT_TPM = 600, 400_000

#: How far a dedicated model's requests-per-minute cap stands above its cluster's planned average
#: minute (plannedRequestsPerHour / 60): a burst of up to twice the planned rate is served, a runaway
#: caller is refused beyond it. router/README.md, "Rate caps of dedicated models", says why.
DEDICATED_RPM_HEADROOM = 2.0


@dataclass(frozen=True)
class CatalogEntry:
    """One model the router may route to (the shape the router's config renderer reads)."""

    name: str
    model_id: str
    serving: str
    price: float
    pricing_unit: str
    mode: str = "chat"
    rpm: int | None = None
    tpm: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "modelId": self.model_id, "serving": self.serving,
                               "price": self.price, "pricingUnit": self.pricing_unit, "mode": self.mode}
        if self.rpm is not None:
            out["rpm"] = self.rpm
        if self.tpm is not None:
            out["tpm"] = self.tpm
        return out


@dataclass(frozen=True)
class DedicatedClusterSettings:
    """A hosting dedicated AI cluster and the endpoint serving its model under a logical name."""

    name: str
    unit_shape: str
    unit_count: int
    model_id: str
    planned_requests_per_hour: int
    """The load the cluster is sized for: its hourly cost is spread over this many requests."""
    unit_prices: Mapping[str, float] = field(default_factory=dict, hash=False)
    """The stack's negotiated unit-hour prices by shape (``model.unitPrices``); list prices for the others."""

    @property
    def mode(self) -> str:
        return UNIT_SHAPES[self.unit_shape].mode

    @property
    def hourly_usd(self) -> float:
        """What the cluster costs per hour: units × the shape's multiplier × its effective unit-hour price."""
        return hourly_usd(self.unit_shape, self.unit_count, self.unit_prices)

    @property
    def price_per_request(self) -> float:
        """USD metered per request: the hourly cost spread over the planned requests per hour."""
        return self.hourly_usd / self.planned_requests_per_hour

    @property
    def rpm(self) -> int:
        """The router's requests-per-minute cap on this model: the planned average minute times
        DEDICATED_RPM_HEADROOM, rounded up (never below one request a minute)."""
        return max(1, math.ceil(self.planned_requests_per_hour / 60 * DEDICATED_RPM_HEADROOM))

    def catalog_entry(self) -> CatalogEntry:
        return CatalogEntry(self.name, self.model_id, "dedicated-cluster", round(self.price_per_request, 8),
                            "requests", self.mode, rpm=self.rpm)


@dataclass(frozen=True)
class AgentSettings:
    session_idle_timeout_seconds: int
    human_input: bool
    trace_retention_minutes: int


@dataclass(frozen=True)
class ModelSettings:
    private_endpoint: bool
    dns_prefix: str
    dedicated_clusters: tuple[DedicatedClusterSettings, ...]
    """Empty when the stack has no dedicated AI cluster."""
    catalog: tuple[CatalogEntry, ...]
    """Every model the router serves: the clusters' first, then the on-demand ones."""
    agent: AgentSettings | None
    """None when the stack has no agent."""
    unit_prices: Mapping[str, float] = field(default_factory=dict, hash=False)
    """The stack's negotiated USD unit-hour prices by unit shape (``model.unitPrices``; empty: list prices)."""

    @property
    def primary_chat_cluster(self) -> DedicatedClusterSettings | None:
        """The first chat cluster: the agent reasons on it (None without one)."""
        return next((c for c in self.dedicated_clusters if c.mode == "chat"), None)

    @property
    def embedding_model(self) -> str | None:
        """The first embedding model of the catalogue (None without one)."""
        return next((e.name for e in self.catalog if e.mode == "embedding"), None)


#: The on-demand catalogue a stack gets when it lists none (tiers that allow on-demand serving):
#: OCI's current Cohere and Meta chat models and Cohere's multilingual embedding model.
#: Prices are USD per 10,000 characters (OCI bills on-demand chat per prompt + response character and
#: embeddings per input character, "1 character is calculated as 1 transaction", and the price list
#: quotes 10,000 transactions: https://docs.oracle.com/en-us/iaas/Content/generative-ai/pay-on-demand.htm).
#: Oracle's price list itself is not readable here; each price equals, x 10,000, the per-unit price of the
#: model's "oci/<model id>" entry in LiteLLM 1.106.0's cost map (litellm/model_prices_and_context_window_backup.json,
#: the router's pinned LiteLLM, read 2026-11-26), whose "source" is
#: https://www.oracle.com/artificial-intelligence/generative-ai/generative-ai-service/pricing (LiteLLM labels the
#: unit "token"; OCI's unit for these models is the character). A secondary copy: check the price list.
_DEFAULT_MODELS = (
    ("command-r-plus", "cohere.command-r-plus-08-2024", 0.0156, "characters", "chat"),  # LiteLLM 1.56e-06
    ("command-r", "cohere.command-r-08-2024", 0.0015, "characters", "chat"),  # LiteLLM 1.5e-07
    ("llama-3.3-70b", "meta.llama-3.3-70b-instruct", 0.0072, "characters", "chat"),  # LiteLLM 7.2e-07
    # "Embed Cohere" on-demand, billed by input characters (pay-on-demand.htm).
    ("embed-multilingual", "cohere.embed-multilingual-v3.0", 0.001, "characters", "embedding"),  # LiteLLM 1e-07
)
#: The default on-demand models' price-list part numbers and the product each bills as, so that
#: `blueprint verify <stack> --only prices` can read them from Oracle's public price catalogue. No Oracle page
#: readable here lists them: they were read (2026-11-26) from a third-party estimator that says it took every
#: Generative AI rate and part number from Oracle's Cost Estimator catalogue
#: (https://github.com/mangoproxy23/oci-intake-appv2/blob/24f3c52240e0a6a34b41c3c994e2c544ce28a294/oci_catalog.py,
#: GENAI_MODELS: "Command R+ (Large Cohere)" B108077, "Command R (Small Cohere)" B108078, "Embed Cohere" B108079,
#: "Large Meta" B108080). That source lists "Large Meta" for Meta's 70B models without naming Llama 3.3: the
#: mapping of meta.llama-3.3-70b-instruct to it is ours. A secondary source: `blueprint verify` checks each part
#: number's product name and price against Oracle's catalogue.
DEFAULT_MODEL_PARTS: dict[str, tuple[str, str]] = {
    "command-r-plus": ("B108077", "Large Cohere"),
    "command-r": ("B108078", "Small Cohere"),
    "llama-3.3-70b": ("B108080", "Large Meta"),
    "embed-multilingual": ("B108079", "Embed Cohere"),
}
#: The cluster a dedicated-only tier gets when the stack lists none.
_DEFAULT_CLUSTER = {"name": "command-r-plus", "modelId": "cohere.command-r-plus-08-2024",
                    "unitShape": "LARGE_COHERE_V2_2", "unitCount": 1}


def default_catalog(tier: TierPolicy) -> tuple[CatalogEntry, ...]:
    """The tier's default on-demand models (none where the tier forbids on-demand serving)."""
    if "on-demand" not in tier.allowed_serving:
        return ()
    return tuple(CatalogEntry(n, m, "on-demand", price, unit, mode) for n, m, price, unit, mode in _DEFAULT_MODELS)


def on_demand_default_prices() -> dict[str, float]:
    """Each default on-demand model's price (USD per 10,000 characters), by logical name."""
    return {name: price for name, _model, price, _unit, _mode in _DEFAULT_MODELS}


def _clusters(m: dict[str, Any], tier: TierPolicy, p: Report,
              unit_prices: Mapping[str, float]) -> tuple[DedicatedClusterSettings, ...] | None:
    only_cluster = tuple(tier.allowed_serving) == ("dedicated-cluster",)
    raw = m.get("dedicatedClusters")
    if raw is None:
        raw = [_DEFAULT_CLUSTER] if only_cluster else []
    ok = True
    if not raw and only_cluster:
        p("model.dedicatedClusters",
          f"the {tier.name} tier serves models only from dedicated AI clusters; allowed: at least one cluster")
        ok = False
    elif raw and "dedicated-cluster" not in tier.allowed_serving:
        p("model.dedicatedClusters", f"dedicated-cluster serving is not allowed for the {tier.name} tier; "
          "allowed: none")
        ok = False
    elif only_cluster and not any(UNIT_SHAPES[c["unitShape"]].mode == "chat" for c in raw):
        p("model.dedicatedClusters", f"the {tier.name} tier serves chat only from dedicated AI clusters; "
          "allowed: at least one chat cluster (a chat unit shape)")
        ok = False
    out = []
    for c in raw:
        planned = c.get("plannedRequestsPerHour", DEFAULT_RPM * 60)
        out.append(DedicatedClusterSettings(c["name"], c["unitShape"], c.get("unitCount", 1), c["modelId"], planned,
                                            unit_prices))
    return tuple(out) if ok else None


def parse(m: dict[str, Any], tier: TierPolicy, p: Report) -> ModelSettings | None:
    ok = True
    unit_prices = {shape: float(price) for shape, price in sorted((m.get("unitPrices") or {}).items())}
    clusters = _clusters(m, tier, p, unit_prices)
    if clusters is None:
        ok = False
        clusters = ()
    raw_catalog = m.get("catalog")
    if raw_catalog is None:  # the defaults, but for the models the stack's clusters serve
        on_demand = tuple(e for e in default_catalog(tier) if e.name not in {c.name for c in clusters})
    else:
        on_demand = tuple(CatalogEntry(e["name"], e["modelId"], e["serving"], float(e["price"]), e["pricingUnit"],
                                       e.get("mode", "chat"), e.get("rpm"), e.get("tpm")) for e in raw_catalog)
    allowed = ", ".join(tier.allowed_serving)
    # A defaulted catalogue fits the tier by construction; only the stack's own entries are checked.
    for i, entry in enumerate(on_demand if raw_catalog is not None else ()):
        if entry.serving not in tier.allowed_serving:
            p(f"model.catalog[{i}].serving", f"not allowed for the {tier.name} tier; allowed: {allowed}")
            ok = False
    seen: set[str] = set()
    entries = [(f"model.dedicatedClusters[{i}].name", c.catalog_entry()) for i, c in enumerate(clusters)]
    entries += [(f"model.catalog[{i}].name", e) for i, e in enumerate(on_demand)]
    for path, entry in entries:
        if entry.name in seen:
            p(path, "duplicate logical name (catalogue and dedicated clusters share one namespace); "
              "allowed: each name once")
            ok = False
        seen.add(entry.name)
    private = m.get("privateEndpoint", tier.private_endpoints_only)
    if not private and tier.private_endpoints_only:
        p("model.privateEndpoint", f"the {tier.name} tier allows private endpoints only; allowed: true (or omit it)")
        ok = False
    a = m.get("agent", {})
    human = a.get("humanInput", tier.human_input_required)
    if not human and tier.human_input_required:
        p("model.agent.humanInput", f"the {tier.name} tier requires human input; allowed: true (or omit it)")
        ok = False
    if not ok:
        return None
    return ModelSettings(
        private_endpoint=private,
        dns_prefix=m.get("dnsPrefix", "genai"),
        dedicated_clusters=clusters,
        catalog=tuple(e for _, e in entries),
        agent=AgentSettings(
            session_idle_timeout_seconds=a.get("sessionIdleTimeoutSeconds", 3600),
            human_input=human,
            trace_retention_minutes=a.get("traceRetentionMinutes", 1440),
        ) if a.get("enabled", True) else None,
        unit_prices=unit_prices,
    )


def model_args(settings: Settings, governance: GovernanceFoundation, network: NetworkPlane,
               data: DataPlane) -> ModelPlaneArgs:
    """The model plane's inputs: guardrails from the tier; the agent's database and buckets from the data
    plane; the agent's instructions from the ops-agent use case's pinned prompt."""
    from stacks.router import pinned_system  # stacks.router reads Settings: imported here, not at load time
    from stacks.settings.evaluation import AGENT_USE_CASE

    g, d, m, gr = settings.governance, settings.data, settings.model, settings.tier.guardrails
    agent = m.agent
    return {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "defined_tags": governance.defined_tags,
        "model_subnet_id": network.subnet_ids["model"],
        "model_nsg_id": network.nsg_ids["model"],
        "guardrails": {
            "content_moderation_input": gr.content_moderation_input,
            "content_moderation_output": gr.content_moderation_output,
            "prompt_injection_input": gr.prompt_injection_input,
            "pii_input": gr.pii_input,
            "pii_output": gr.pii_output,
        },
        "private_endpoint": m.private_endpoint,
        "dns_prefix": m.dns_prefix,
        "dedicated_clusters": [{"name": c.name, "unit_shape": c.unit_shape, "unit_count": c.unit_count,
                                "model_id": c.model_id, "mode": c.mode} for c in m.dedicated_clusters],
        "unit_prices": dict(m.unit_prices),
        "agent": {"trace_retention_minutes": agent.trace_retention_minutes,
                  "session_idle_timeout_seconds": agent.session_idle_timeout_seconds,
                  "human_input": agent.human_input} if agent else None,
        "agent_instructions": pinned_system(settings, AGENT_USE_CASE),
        "db_tools_connection_id": data.db_tools_connection_id,
        "vector_function": d.database.vector_function,
        "db_secret_names": [data.connection_secret_name],
        "namespace": data.namespace,
        "documents_bucket": data.bucket_names["documents"],
        "documents_prefix": d.documents_prefix,
        "outputs_bucket": data.bucket_names["outputs"],
        "traces_prefix": d.traces_prefix,
    }
