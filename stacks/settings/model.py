"""Model-plane settings (``genai-platform:model``, schema ``stacks/schema/model.json``).

Parses the stack's model object (serving, the router's model catalogue, the retrieval agent) and
builds the model plane's inputs (``components/model.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.tiers import TierPolicy
from stacks.settings.common import Report

if TYPE_CHECKING:
    from components.data import DataPlane
    from components.governance import GovernanceFoundation
    from components.model import ModelPlaneArgs
    from components.network import NetworkPlane
    from stacks.settings import Settings


@dataclass(frozen=True)
class CatalogEntry:
    """One model the router may route to (the shape the router's config renderer reads)."""

    name: str
    model_id: str
    serving: str
    price: float
    pricing_unit: str
    cost_tier: str
    rpm: int | None = None
    tpm: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "modelId": self.model_id, "serving": self.serving,
                               "price": self.price, "pricingUnit": self.pricing_unit, "costTier": self.cost_tier}
        if self.rpm is not None:
            out["rpm"] = self.rpm
        if self.tpm is not None:
            out["tpm"] = self.tpm
        return out


@dataclass(frozen=True)
class DedicatedClusterSettings:
    unit_shape: str
    unit_count: int
    model_id: str


@dataclass(frozen=True)
class AgentSettings:
    session_idle_timeout_seconds: int
    human_input: bool
    trace_retention_minutes: int


@dataclass(frozen=True)
class ModelSettings:
    private_endpoint: bool
    dns_prefix: str
    dedicated_cluster: DedicatedClusterSettings | None
    """None when the stack has no dedicated AI cluster."""
    catalog: tuple[CatalogEntry, ...]
    agent: AgentSettings | None
    """None when the stack has no agent."""


#: The catalogue a stack gets when it lists none: OCI's current Cohere and Meta chat models, served as
#: the tier allows (on-demand where allowed, else through the private endpoint, else the cluster).
#: Prices are USD per 10,000 pricing units (OCI list prices, November 2026; check before relying on them).
_DEFAULT_MODELS = (
    ("command-r-plus", "cohere.command-r-plus-08-2024", 0.0156, "characters", "premium"),
    ("command-r", "cohere.command-r-08-2024", 0.0015, "characters", "standard"),
    ("llama-3.3-70b", "meta.llama-3.3-70b-instruct", 0.0072, "characters", "economy"),
)
_DEFAULT_CLUSTER_MODEL = "cohere.command-r-plus-08-2024"


def default_catalog(tier: TierPolicy, cluster_model: str | None) -> tuple[CatalogEntry, ...]:
    """The tier's default allow-list of models.

    On-demand where the tier allows it; otherwise the stack's dedicated cluster when it has one (OCI
    documents Generative AI private endpoints for dedicated-cluster endpoints); otherwise the
    pretrained models through the private endpoint.
    """
    def shared(serving: str) -> tuple[CatalogEntry, ...]:
        return tuple(CatalogEntry(n, m, serving, price, unit, cost) for n, m, price, unit, cost in _DEFAULT_MODELS)

    if "on-demand" in tier.allowed_serving:
        return shared("on-demand")
    if cluster_model is None and "private-endpoint" in tier.allowed_serving:
        return shared("private-endpoint")
    model = cluster_model or _DEFAULT_CLUSTER_MODEL
    # A dedicated cluster is billed per unit-hour, not per use: the marginal price is zero.
    return (CatalogEntry("dedicated", model, "dedicated-cluster", 0.0, "characters", "premium"),)


def parse(m: dict[str, Any], tier: TierPolicy, p: Report) -> ModelSettings | None:
    ok = True
    only_cluster = tuple(tier.allowed_serving) == ("dedicated-cluster",)
    dc = m.get("dedicatedCluster", {})
    cluster_on = dc.get("enabled", only_cluster)
    if not cluster_on and only_cluster:
        p("model.dedicatedCluster.enabled",
          f"the {tier.name} tier serves models only from a dedicated AI cluster; allowed: true (or omit it)")
        ok = False
    if cluster_on and "dedicated-cluster" not in tier.allowed_serving:
        p("model.dedicatedCluster.enabled", f"dedicated-cluster serving is not allowed for the {tier.name} tier")
        ok = False
    cluster_model = dc.get("modelId", _DEFAULT_CLUSTER_MODEL)
    raw_catalog = m.get("catalog")
    if raw_catalog is None:
        catalog = default_catalog(tier, cluster_model if cluster_on else None)
    else:
        catalog = tuple(CatalogEntry(e["name"], e["modelId"], e["serving"], float(e["price"]), e["pricingUnit"],
                                     e["costTier"], e.get("rpm"), e.get("tpm")) for e in raw_catalog)
    allowed = ", ".join(tier.allowed_serving)
    seen: set[str] = set()
    # A defaulted catalogue fits the tier by construction; only the stack's own entries are checked.
    for i, entry in enumerate(catalog if raw_catalog is not None else ()):
        if entry.serving not in tier.allowed_serving:
            p(f"model.catalog[{i}].serving", f"not allowed for the {tier.name} tier; allowed: {allowed}")
            ok = False
        if entry.serving == "dedicated-cluster" and not cluster_on:
            p(f"model.catalog[{i}].serving",
              "dedicated-cluster serving needs model.dedicatedCluster.enabled: true")
            ok = False
        if entry.name in seen:
            p(f"model.catalog[{i}].name", "duplicate logical name; allowed: each name once")
            ok = False
        seen.add(entry.name)
    uses_private = any(e.serving == "private-endpoint" for e in catalog)
    private = m.get("privateEndpoint", tier.private_endpoints_only or uses_private)
    if not private and tier.private_endpoints_only:
        p("model.privateEndpoint", f"the {tier.name} tier allows private endpoints only; allowed: true (or omit it)")
        ok = False
    elif not private and uses_private:
        p("model.privateEndpoint", "the catalogue uses private-endpoint serving; allowed: true (or omit it)")
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
        dedicated_cluster=DedicatedClusterSettings(
            unit_shape=dc.get("unitShape", "LARGE_COHERE_V2_2"),
            unit_count=dc.get("unitCount", 1),
            model_id=cluster_model,
        ) if cluster_on else None,
        catalog=catalog,
        agent=AgentSettings(
            session_idle_timeout_seconds=a.get("sessionIdleTimeoutSeconds", 3600),
            human_input=human,
            trace_retention_minutes=a.get("traceRetentionMinutes", 1440),
        ) if a.get("enabled", True) else None,
    )


def model_args(settings: Settings, governance: GovernanceFoundation, network: NetworkPlane,
               data: DataPlane) -> ModelPlaneArgs:
    """The model plane's inputs: guardrails from the tier; the agent's database and buckets from the data
    plane; the agent's instructions from the ops-agent use case's pinned prompt."""
    from stacks.router import pinned_system  # stacks.router reads Settings: imported here, not at load time
    from stacks.settings.evaluation import AGENT_USE_CASE

    g, d, m, gr = settings.governance, settings.data, settings.model, settings.tier.guardrails
    cluster, agent = m.dedicated_cluster, m.agent
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
        "dedicated_cluster": {"unit_shape": cluster.unit_shape, "unit_count": cluster.unit_count,
                              "model_id": cluster.model_id} if cluster else None,
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
