"""Evaluation and release settings (``genai-platform:evaluation``, schema ``stacks/schema/evaluation.json``).

The quality gate's thresholds (`blueprint eval`), the pinned prompt version per use case with an
optional candidate at a traffic share, a model canary, and the online evaluation job. Prompt
versions are checked against ``prompts/`` and model names against the stack's catalogue: a pin
that does not exist is an error here, before anything is planned. Promotion and rollback are
changes of these keys (see runbooks/quality-degradation.md and runbooks/model-timeout.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from components.data import SAMPLES_ROLE
from core.tiers import REQUEST_LOG, SAMPLE_BUCKET, TierPolicy
from evals.thresholds import CONFIG_KEYS, Thresholds
from prompts import registry
from stacks.settings.common import Report, tier_maximum
from stacks.settings.model import CatalogEntry

if TYPE_CHECKING:
    from components.data import DataPlane
    from components.governance import GovernanceFoundation
    from components.online_eval import OnlineEvaluationArgs
    from components.operations import OperationsPlane
    from components.orchestration import OrchestrationPlane
    from components.router_workload import RouterWorkload
    from stacks.settings import Settings

DEFAULT_SCHEDULE = "*/30 * * * *"
DEFAULT_SAMPLE = 10
AGENT_USE_CASE = "ops-agent"
"""The use case whose pinned prompt is the agent's instructions (components/model.py)."""
DEFAULT_CANARY_SHARE = 0.05
"""The operating model's canary: 5 % of traffic."""


@dataclass(frozen=True)
class PromptPin:
    use_case: str
    version: str
    candidate: str | None = None
    candidate_share: float = 0.0


@dataclass(frozen=True)
class ModelCanary:
    model: str
    candidate_model_id: str
    share: float


@dataclass(frozen=True)
class TrafficSampleSettings:
    """The router's sampled copy of answered requests (only where the tier's store is ``sample-bucket``)."""

    rate: float
    """Share of answered requests copied (default and maximum: the tier's ``trafficSample.maxRate``)."""
    retention_days: int
    """Days before the bucket's lifecycle rule deletes a sample (default and maximum: the tier's
    ``trafficSample.maxRetentionDays``)."""


@dataclass(frozen=True)
class OnlineEvaluationSettings:
    enabled: bool
    schedule: str
    sample_size: int
    use_cases: tuple[str, ...]
    model: str
    traffic_sample: TrafficSampleSettings | None
    """None where the tier keeps no sample (its store is ``request-log`` or ``none``)."""


@dataclass(frozen=True)
class EvaluationSettings:
    thresholds: Thresholds
    embedding_model: str | None
    prompts: Mapping[str, PromptPin]
    """Every use case of prompts/ (defaulted to its latest version)."""
    model_canary: ModelCanary | None
    online: OnlineEvaluationSettings

    @property
    def sampling(self) -> TrafficSampleSettings | None:
        """The traffic sample the platform keeps: where the tier keeps one and the online job runs to read it
        (the data plane's evaluation-sample bucket, the router's writer and the job's reader follow this)."""
        return self.online.traffic_sample if self.online.enabled else None

    @property
    def prompt_versions(self) -> dict[str, str]:
        """use case → pinned version (what `blueprint eval` evaluates by default)."""
        return {uc: pin.version for uc, pin in self.prompts.items()}


def parse(e: dict[str, Any], catalog: Sequence[CatalogEntry], tier: TierPolicy, p: Report) -> EvaluationSettings | None:
    """``catalog``: the model plane's validated catalogue (pins and canaries must name its models);
    ``tier``: where live traffic may be sampled, and at most how much for how long."""
    ok = True
    names = [c.name for c in catalog if c.mode == "chat"]
    embedders = [c.name for c in catalog if c.mode == "embedding"]
    prompts = registry.load_all()
    pins: dict[str, PromptPin] = {}
    raw_pins = e.get("prompts", {})
    for uc in sorted(raw_pins):
        if uc not in prompts:
            p(f"evaluation.prompts.{uc}", "no such use case under prompts/; allowed: " + ", ".join(sorted(prompts)))
            ok = False
    for uc, versions in sorted(prompts.items()):
        raw = raw_pins.get(uc, {})
        latest = max(versions, key=registry.version_key)
        version, candidate = raw.get("version", latest), raw.get("candidate")
        share = float(raw.get("candidateShare", DEFAULT_CANARY_SHARE if candidate else 0.0))
        for key, v in (("version", version), ("candidate", candidate)):
            if v is not None and v not in versions:
                p(f"evaluation.prompts.{uc}.{key}", f"no such version under prompts/{uc}/; allowed: "
                  + ", ".join(sorted(versions, key=registry.version_key)))
                ok = False
        if candidate is not None and candidate == version:
            p(f"evaluation.prompts.{uc}.candidate", "equals the pinned version; allowed: another version")
            ok = False
        if share > 0 and candidate is None:
            p(f"evaluation.prompts.{uc}.candidateShare", "set without a candidate; allowed: 0, or name a candidate")
            ok = False
        pins[uc] = PromptPin(uc, version, candidate, share)
    # Default: the catalogue's first embedding model (relevance is scored through the router's /v1/embeddings).
    embedding = e.get("embeddingModel", embedders[0] if embedders else None)
    if embedding is not None and embedding not in embedders:
        p("evaluation.embeddingModel", "not an embedding model of the catalogue; allowed: "
          + (", ".join(embedders) or "none (the catalogue has no embedding model)"))
        ok = False
    canary = None
    if "modelCanary" in e:
        c = e["modelCanary"]
        entry = next((x for x in catalog if x.name == c["model"] and x.mode == "chat"), None)
        if entry is None:
            p("evaluation.modelCanary.model", "not a chat model of the catalogue; allowed: " + ", ".join(names))
            ok = False
        elif entry.serving == "dedicated-cluster":
            p("evaluation.modelCanary.model", "served by a dedicated cluster (one model per endpoint); "
              "allowed: an on-demand model")
            ok = False
        elif c["candidateModelId"] == entry.model_id:
            p("evaluation.modelCanary.candidateModelId", "equals the stable model id; allowed: another model id")
            ok = False
        canary = ModelCanary(c["model"], c["candidateModelId"], float(c.get("share", DEFAULT_CANARY_SHARE)))
    o = e.get("online", {})
    use_cases = tuple(o.get("useCases", sorted(prompts)))
    for i, uc in enumerate(use_cases):
        if uc not in prompts:
            p(f"evaluation.online.useCases[{i}]", "no such use case under prompts/; allowed: " + ", ".join(sorted(prompts)))
            ok = False
    online_model = o.get("model", names[0] if names else "")
    if online_model not in names:
        p("evaluation.online.model", "not a chat model of the catalogue; allowed: " + ", ".join(names))
        ok = False
    sample, ok = traffic_sample(o.get("trafficSample"), tier, p) if ok else (None, False)
    if not ok:
        return None
    raw_t = e.get("thresholds", {})
    thresholds = Thresholds(**{field: float(raw_t[key]) for key, field in CONFIG_KEYS.items() if key in raw_t})
    return EvaluationSettings(
        thresholds=thresholds, embedding_model=embedding, prompts=pins, model_canary=canary,
        online=OnlineEvaluationSettings(enabled=o.get("enabled", True), schedule=o.get("schedule", DEFAULT_SCHEDULE),
                                        sample_size=o.get("sampleSize", DEFAULT_SAMPLE), use_cases=use_cases,
                                        model=online_model, traffic_sample=sample))


def traffic_sample(raw: Mapping[str, Any] | None, tier: TierPolicy, p: Report) -> tuple[TrafficSampleSettings | None, bool]:
    """The sample settings of ``evaluation.online.trafficSample`` (defaults: the tier's maxima), and
    whether they are valid. Refused where the tier keeps no sample, or above the tier's maxima."""
    t = tier.traffic_sample
    if t.store != SAMPLE_BUCKET:
        if raw is not None:
            p("evaluation.online.trafficSample", f"set, but the {tier.name} tier keeps no traffic sample "
              f"(its store is {t.store}); allowed: leave it out")
            return None, False
        return None, True
    raw = raw or {}
    rate = float(raw.get("rate", t.max_rate))
    days = int(raw.get("retentionDays", t.max_retention_days))
    ok = tier_maximum(p, "evaluation.online.trafficSample.rate", rate, t.max_rate, tier.name)
    ok = tier_maximum(p, "evaluation.online.trafficSample.retentionDays", days, t.max_retention_days, tier.name) and ok
    return (TrafficSampleSettings(rate, days) if ok else None), ok


def online_evaluation_args(settings: Settings, governance: GovernanceFoundation, router: RouterWorkload,
                           orchestration: OrchestrationPlane, operations: OperationsPlane,
                           data: DataPlane) -> OnlineEvaluationArgs:
    """The online evaluation job's inputs: the router's image and namespace, the cluster (its own
    workload identity's), where recent traffic is read back (the router's request log or the
    evaluation-sample bucket, as the tier decides) and the job's own settings."""
    n, r, online = settings.network, settings.orchestration.router, settings.evaluation.online
    traffic = settings.tier.traffic_sample.store == REQUEST_LOG
    return {
        "environment": settings.governance.environment,
        "namespace": router.namespace,
        "image": r.image,
        "region": settings.region,
        "compartment_id": governance.compartment_id,
        "router_port": n.router_port,
        "vcn_cidr": n.vcn_cidr,
        "schedule": online.schedule,
        "use_cases": list(online.use_cases),
        "sample_size": online.sample_size,
        "model": online.model,
        "embedding_model": settings.evaluation.embedding_model,
        "cluster_id": orchestration.cluster_id,
        "defined_tags": governance.defined_tags,
        # Traffic is read from the request log only where the tier's store is the log (it logs in full),
        # from the sample bucket where the data plane keeps one, else not at all.
        "router_log_id": operations.router_log_id if traffic else None,
        "router_log_group_id": operations.router_log_group_id if traffic else None,
        "sample_bucket": data.bucket_names.get(SAMPLES_ROLE),
        "object_storage_namespace": data.namespace,
    }
