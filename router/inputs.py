"""Router-relevant stack settings, as a frozen, stdlib-only value object.

`stacks/router.py` builds a `RouterInputs` from validated stack config; `router/render.py`
turns it into the LiteLLM proxy config. Keeping this module free of Pulumi and LiteLLM lets
both the main venv (Pulumi) and the router venv (LiteLLM) import it.

Validation here is structural (enums, references between fields). Tier policy, i.e. which
serving modes a tier allows, is enforced by the renderer so that a model the tier forbids is
an error naming the model, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.tiers import TIERS, Tier
from router.container import TENANT_HEADER

# OCI serves a model on demand (shared, billed per character or token) or from a hosting dedicated AI
# cluster's endpoint (billed per unit-hour). A Generative AI private endpoint is a network path to a
# dedicated endpoint, not a serving mode of its own: it fronts endpoints on a hosting cluster only
# (https://docs.oracle.com/en-us/iaas/Content/generative-ai/create-private-endpoint.htm).
ServingMode = Literal["on-demand", "dedicated-cluster"]
PricingUnit = Literal["characters", "tokens", "requests"]
ModelMode = Literal["chat", "embedding"]
CacheMode = Literal["none", "response", "semantic"]
PromptLogging = Literal["full", "metadata", "audit-only"]

SERVING_MODES: tuple[str, ...] = ("on-demand", "dedicated-cluster")
PRICING_UNITS: tuple[str, ...] = ("characters", "tokens", "requests")
"""What a price is per: 10,000 characters, 1,000,000 tokens (OCI's on-demand units,
https://docs.oracle.com/en-us/iaas/Content/generative-ai/pay-on-demand.htm) or one request (a dedicated
cluster's unit-hours spread over its planned requests; see router/README.md, "Metering")."""
PRICE_PER: dict[str, int] = {"characters": 10_000, "tokens": 1_000_000, "requests": 1}
"""How many pricing units one price figure covers, per pricing unit."""
MODEL_MODES: tuple[str, ...] = ("chat", "embedding")
REFERENCE_REQUEST: dict[str, int] = {"characters": 4_000, "tokens": 1_000, "requests": 1}
"""The request every price is compared at when ordering models by cost (budget downgrades, fallbacks):
4,000 characters of prompt + response, taken as 1,000 tokens (about four characters per token, an
assumption of ours, not an OCI figure), one request."""
CACHE_MODES: tuple[str, ...] = ("none", "response", "semantic")
PROMPT_LOGGING: tuple[str, ...] = ("full", "metadata", "audit-only")
GUARDRAIL_MODES: tuple[str, ...] = ("OFF", "INFORM", "BLOCK")
"""OFF, or the classification matrix's modes: INFORM (detect and report) and BLOCK (refuse)."""
# LiteLLM's retry_policy keys (exception classes it retries per error kind).
RETRY_ERRORS: tuple[str, ...] = (
    "AuthenticationErrorRetries",
    "BadRequestErrorRetries",
    "ContentPolicyViolationErrorRetries",
    "InternalServerErrorRetries",
    "RateLimitErrorRetries",
    "TimeoutErrorRetries",
)


def _one_of(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{key}: must be one of {', '.join(allowed)}")


@dataclass(frozen=True)
class ModelSpec:
    """One deployment of an OCI Generative AI model, as the router exposes it."""

    key: str
    """Stable key of this deployment in the catalogue (unique; used in errors and metrics)."""
    logical_name: str
    """Name clients ask for (`model` in the OpenAI request); several deployments may share it."""
    oci_model_id: str
    """OCI model id, e.g. `meta.llama-3.3-70b-instruct` or `cohere.command-latest`."""
    serving_mode: ServingMode
    price: float
    """Price per 10,000 characters (unit `characters`), per 1M tokens (unit `tokens`) or per request
    (unit `requests`: a dedicated cluster's unit-hour cost spread over its planned requests)."""
    pricing_unit: PricingUnit
    rpm: int
    tpm: int
    endpoint_ocid: str | None = None
    """Dedicated AI cluster endpoint OCID; required for `dedicated-cluster`, else forbidden."""
    max_budget: float | None = None
    """Spend cap for this deployment per budget window; exhausted → requests go to downgrade_to."""
    budget_window: str = "1d"
    downgrade_to: str | None = None
    """Logical name to route to once this deployment's budget is exhausted."""
    version: str = ""
    """Version label of what this deployment serves (metrics, logs, spans and the response header
    carry it); empty = the OCI model id."""
    mode: ModelMode = "chat"
    """What the model answers: chat completions, or embeddings (`/v1/embeddings`)."""

    def __post_init__(self) -> None:
        where = f"models[{self.key}]"
        _one_of(f"{where}.serving_mode", self.serving_mode, SERVING_MODES)
        _one_of(f"{where}.pricing_unit", self.pricing_unit, PRICING_UNITS)
        _one_of(f"{where}.mode", self.mode, MODEL_MODES)
        if self.price < 0:
            raise ValueError(f"{where}.price: must be >= 0")
        if self.rpm <= 0 or self.tpm <= 0:
            raise ValueError(f"{where}.rpm/tpm: must be > 0")
        if (self.serving_mode == "dedicated-cluster") != (self.endpoint_ocid is not None):
            raise ValueError(f"{where}.endpoint_ocid: required for dedicated-cluster and only for it")
        if self.max_budget is not None and self.max_budget <= 0:
            raise ValueError(f"{where}.max_budget: must be > 0")
        if self.downgrade_to is not None and self.max_budget is None:
            raise ValueError(f"{where}.downgrade_to: needs max_budget")

    @property
    def reference_cost(self) -> float:
        """USD of one reference request (REFERENCE_REQUEST): what models are ordered by cost on."""
        return reference_cost(self.price, self.pricing_unit)


def reference_cost(price: float, pricing_unit: str) -> float:
    """USD of one reference request at `price` per PRICE_PER[pricing_unit] units."""
    return price * REFERENCE_REQUEST[pricing_unit] / PRICE_PER[pricing_unit]


@dataclass(frozen=True)
class Retries:
    count: int = 2
    """Retries of the same model group before falling back."""
    per_error: tuple[tuple[str, int], ...] = ()
    """(LiteLLM retry_policy key, retries) pairs, e.g. ("RateLimitErrorRetries", 3)."""

    def __post_init__(self) -> None:
        for name, n in self.per_error:
            _one_of("retries.per_error", name, RETRY_ERRORS)
            if n < 0:
                raise ValueError(f"retries.per_error[{name}]: must be >= 0")


@dataclass(frozen=True)
class Timeouts:
    request_s: float = 60.0
    """Whole-request timeout per upstream attempt."""
    stream_s: float = 30.0
    """Timeout waiting for the first streamed chunk."""


@dataclass(frozen=True)
class Cooldown:
    allowed_fails: int = 1
    """Failures per minute after which a deployment is cooled down."""
    cooldown_s: float = 30.0


@dataclass(frozen=True)
class Caching:
    mode: CacheMode = "none"
    ttl_s: int = 300
    host_ref: str | None = None
    """Env var NAME holding the cache backend host (Redis); never the host itself."""
    password_ref: str | None = None
    """Env var NAME holding the cache password."""
    port: int = 6379
    embedding_model: str | None = None
    """Logical model name used to embed prompts for the semantic cache (required for it)."""
    similarity_threshold: float = 0.9
    ssl: bool = False
    """Connect over TLS (OCI Cache takes TLS only: core/ocicache.py)."""

    def __post_init__(self) -> None:
        _one_of("caching.mode", self.mode, CACHE_MODES)
        if self.mode != "none" and self.host_ref is None:
            raise ValueError("caching.host_ref: required when caching is on")
        if self.mode == "semantic" and not self.embedding_model:
            raise ValueError("caching.embedding_model: required for semantic caching")
        if not 0 < self.similarity_threshold <= 1:
            raise ValueError("caching.similarity_threshold: must be in (0, 1]")


@dataclass(frozen=True)
class Guardrails:
    prompt_injection: bool = True
    """Block prompts OCI's applyGuardrails flags as prompt injection."""
    content_filter: bool = True
    """Block prompts OCI's applyGuardrails flags in content moderation."""
    oci_guardrail: bool = True
    """Call OCI applyGuardrails at all (the checks here need it)."""
    prompt_injection_mode: str = "BLOCK"
    """Prompts: INFORM counts a detected injection and lets the prompt through; BLOCK refuses it."""
    content_filter_mode: str = "BLOCK"
    """Prompts: the same for content moderation."""
    output_content_moderation: str = "OFF"
    """Responses: content moderation (harmful output), OFF/INFORM/BLOCK (the tier's mode)."""
    output_pii: str = "OFF"
    """Responses: personal data (sensitive-data egress), OFF/INFORM/BLOCK (the tier's mode)."""

    def __post_init__(self) -> None:
        _one_of("guardrails.prompt_injection_mode", self.prompt_injection_mode, GUARDRAIL_MODES[1:])
        _one_of("guardrails.content_filter_mode", self.content_filter_mode, GUARDRAIL_MODES[1:])
        _one_of("guardrails.output_content_moderation", self.output_content_moderation, GUARDRAIL_MODES)
        _one_of("guardrails.output_pii", self.output_pii, GUARDRAIL_MODES)


@dataclass(frozen=True)
class SharedState:
    """The Redis (OCI Cache) every replica shares budgets and tenant limits through."""

    host_ref: str
    """Env var NAME holding the host; never the host itself."""
    password_ref: str | None = None
    """Env var NAME holding the password (or auth token)."""
    port: int = 6379
    ssl: bool = True
    """OCI Cache clusters take TLS connections only."""


@dataclass(frozen=True)
class TenantLimits:
    """Per-tenant limits per minute, counted across replicas (needs ``shared_state``)."""

    requests_per_minute: int | None = None
    characters_per_minute: int | None = None
    """Prompt + response characters (what OCI bills on-demand chat by)."""
    header: str = TENANT_HEADER
    """Request header naming the tenant (set by the API Gateway from the caller's identity)."""

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "characters_per_minute"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"tenant_limits.{name}: must be > 0")


@dataclass(frozen=True)
class Telemetry:
    otel_endpoint: str | None = None
    """The APM domain's OTLP/HTTP traces URL (core.apm.otlp_traces_url); our hooks post spans there with
    the domain's private data key. LiteLLM's own OTel callback is not used: it would need the
    OpenTelemetry SDK in the image and cannot send APM's ``dataKey`` authorization."""
    prometheus: bool = True


@dataclass(frozen=True)
class Secrets:
    """Names of environment variables (never values) the proxy reads at start."""

    master_key_ref: str | None = "LITELLM_MASTER_KEY"
    """None when callers are authenticated upstream (API Gateway JWT) and only its subnet reaches the proxy."""


@dataclass(frozen=True)
class Canary:
    """A candidate model version served beside a logical model's stable deployment(s).

    LiteLLM's simple-shuffle strategy picks among a model group's deployments in proportion to
    `litellm_params.weight`: the candidate gets `share`, the stable deployments the rest. Share 0
    is the rollback: the candidate is not rendered at all. Promotion is a config change too: the
    candidate's model becomes the catalogue entry and the canary is removed.
    """

    logical_name: str
    candidate_key: str
    """Key of the candidate deployment in `models` (same logical name as the stable ones)."""
    share: float
    """Traffic share of the candidate, 0 (rolled back) to 0.5."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 0.5:
            raise ValueError("canary.share: must be between 0 (rolled back) and 0.5")


@dataclass(frozen=True)
class PromptRelease:
    """The pinned system prompt of one use case (prompts/<use-case>/<version>.md), and an optional candidate.

    The router applies it to requests whose `metadata.use_case` names the use case, replacing any
    system message the client sent; the candidate version gets `candidate_share` of those requests.
    """

    use_case: str
    version: str
    system: str
    candidate_version: str | None = None
    candidate_system: str | None = None
    candidate_share: float = 0.0

    def __post_init__(self) -> None:
        where = f"prompts[{self.use_case}]"
        if not self.system:
            raise ValueError(f"{where}.system: empty")
        if (self.candidate_version is None) != (self.candidate_system is None):
            raise ValueError(f"{where}.candidate: needs both a version and its system prompt")
        if not 0.0 <= self.candidate_share <= 0.5:
            raise ValueError(f"{where}.candidate_share: must be between 0 (rolled back) and 0.5")
        if self.candidate_share > 0 and self.candidate_version is None:
            raise ValueError(f"{where}.candidate_share: needs a candidate version")


@dataclass(frozen=True)
class RouterInputs:
    tier: Tier
    region: str
    compartment_ocid: str
    allowed_serving_modes: tuple[ServingMode, ...]
    models: tuple[ModelSpec, ...]
    fallbacks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(logical name, ordered fallback logical names)."""
    retries: Retries = field(default_factory=Retries)
    timeouts: Timeouts = field(default_factory=Timeouts)
    cooldown: Cooldown = field(default_factory=Cooldown)
    caching: Caching = field(default_factory=Caching)
    guardrails: Guardrails = field(default_factory=Guardrails)
    telemetry: Telemetry = field(default_factory=Telemetry)
    prompt_logging: PromptLogging = "metadata"
    secrets: Secrets = field(default_factory=Secrets)
    oci_endpoint: str | None = None
    """Override of the GenAI inference endpoint (tests point it at a loopback stub)."""
    shared_state: SharedState | None = None
    """Redis shared by the replicas (budgets, tenant limits); None = per-replica memory."""
    tenant_limits: TenantLimits | None = None
    max_request_size_mb: int | None = None
    """Largest request body the proxy accepts (the gateway cannot cap bodies); None: LiteLLM's default."""
    canaries: tuple[Canary, ...] = ()
    prompts: tuple[PromptRelease, ...] = ()
    traffic_sample_rate: float = 0.0
    """Share of answered requests the hooks copy to the evaluation-sample bucket (0: none; the bucket and
    its namespace come from the pod's environment, ``router.container.SAMPLE_BUCKET_ENV``)."""

    def __post_init__(self) -> None:
        _one_of("tier", self.tier, TIERS)
        if not 0.0 <= self.traffic_sample_rate <= 1.0:
            raise ValueError("traffic_sample_rate: must be between 0 and 1")
        _one_of("prompt_logging", self.prompt_logging, PROMPT_LOGGING)
        if self.max_request_size_mb is not None and self.max_request_size_mb <= 0:
            raise ValueError("max_request_size_mb: must be > 0")
        for mode in self.allowed_serving_modes:
            _one_of("allowed_serving_modes", mode, SERVING_MODES)
        keys = [m.key for m in self.models]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"models: duplicate keys {', '.join(dupes)}")
        names = {m.logical_name for m in self.models}
        for src, chain in self.fallbacks:
            for name in (src, *chain):
                if name not in names:
                    raise ValueError(f"fallbacks[{src}]: unknown model {name}")
        modes = {m.logical_name: m.mode for m in self.models}
        for m in self.models:
            if modes[m.logical_name] != m.mode:
                raise ValueError(f"models[{m.key}].mode: differs from another deployment of {m.logical_name}")
            if m.downgrade_to is not None and m.downgrade_to not in names:
                raise ValueError(f"models[{m.key}].downgrade_to: unknown model {m.downgrade_to}")
            if m.downgrade_to is not None and modes[m.downgrade_to] != m.mode:
                raise ValueError(f"models[{m.key}].downgrade_to: {m.downgrade_to} is not a {m.mode} model")
        for src, chain in self.fallbacks:
            for name in chain:
                if modes[name] != modes[src]:
                    raise ValueError(f"fallbacks[{src}]: {name} is not a {modes[src]} model")
        by_key = {m.key: m for m in self.models}
        for c in self.canaries:
            cand = by_key.get(c.candidate_key)
            if cand is None or cand.logical_name != c.logical_name:
                raise ValueError(f"canaries[{c.logical_name}].candidate_key: not a deployment of that model")
            if not [m for m in self.models if m.logical_name == c.logical_name and m.key != c.candidate_key]:
                raise ValueError(f"canaries[{c.logical_name}]: needs a stable deployment beside the candidate")
        if len({c.logical_name for c in self.canaries}) != len(self.canaries):
            raise ValueError("canaries: one canary per model")
        if len({p.use_case for p in self.prompts}) != len(self.prompts):
            raise ValueError("prompts: one release per use case")
        if self.tenant_limits is not None and self.shared_state is None:
            raise ValueError("tenant_limits: needs shared_state (limits must hold across replicas)")
