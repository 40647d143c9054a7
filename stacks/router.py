"""Stack settings → the inference router's inputs (router/inputs.py), rendered by router/render.py.

The router (LiteLLM) is configured only from validated settings: the tier's model catalogue and
serving modes, its prompt-logging level, and budgets derived from the operations budget. Values
known only at deploy time (the compartment and dedicated endpoints' OCIDs) are passed in, so the
platform renders the config inside an Output and `blueprint router-config` renders it offline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from core import ocicache
from core.apm import otlp_traces_url
from prompts import registry
from router.container import REDIS_HOST_ENV
from router.inputs import (
    Caching,
    Canary,
    Cooldown,
    Guardrails,
    ModelSpec,
    PromptRelease,
    Retries,
    RouterInputs,
    Secrets,
    SharedState,
    Telemetry,
    TenantLimits,
    Timeouts,
    reference_cost,
)
from stacks.settings import Settings
from stacks.settings.evaluation import PromptPin
from stacks.settings.model import DEFAULT_RPM, DEFAULT_TPM, CatalogEntry

#: Share of the operations budget's daily amount a chat model may spend before its requests go to the
#: next cheaper chat model, by cost rank (0 = most expensive). The cheapest chat model carries no cap:
#: it is where traffic goes when the others are spent.
BUDGET_SHARE = (0.5, 0.3)


def _key(entry: CatalogEntry) -> str:
    return f"{entry.name}-{entry.serving}".replace(".", "-")


def cost_order(catalog: Sequence[CatalogEntry]) -> list[CatalogEntry]:
    """Most expensive first, by the USD of one reference request (router.inputs.reference_cost)."""
    return sorted(catalog, key=lambda e: (-reference_cost(e.price, e.pricing_unit), e.name))


def fallback_chains(chat: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every chat model falls back to every other: the cheaper ones first (most expensive of them
    first), then the dearer ones (cheapest first). `chat` is in cost order, most expensive first."""
    return tuple((name, tuple(chat[i + 1:]) + tuple(reversed(chat[:i]))) for i, name in enumerate(chat)
                 if len(chat) > 1)


def router_inputs(settings: Settings, *, compartment_ocid: str, dedicated_endpoint_ocids: Mapping[str, str],
                  apm_data_upload_endpoint: str) -> RouterInputs:
    """The router's inputs for this stack. Raises ValueError if the catalogue breaks the tier (router/render.py).

    Every replica shares one OCI Cache cluster (the data plane's; its FQDN reaches the pod as
    REDIS_HOST, TLS on core.ocicache.PORT): budgets, per-tenant limits and the response cache hold
    across replicas. Semantic caching stays off whatever the tier: it needs a search module OCI Cache
    does not have (core/ocicache.py). Traces go to the stack's APM domain (its OTLP traces URL).
    """
    catalog = cost_order(settings.model.catalog)
    daily = settings.operations.budget.amount / 30.0
    chat = [e for e in catalog if e.mode == "chat"]
    models: list[ModelSpec] = []
    for entry in catalog:
        rank = chat.index(entry) if entry in chat else None
        cheaper = chat[rank + 1:] if rank is not None else []
        share = BUDGET_SHARE[min(rank, len(BUDGET_SHARE) - 1)] if rank is not None else None
        capped = share is not None and bool(cheaper) and entry.price > 0
        models.append(ModelSpec(
            key=_key(entry),
            logical_name=entry.name,
            oci_model_id=entry.model_id,
            serving_mode=entry.serving,  # type: ignore[arg-type]
            price=entry.price,
            pricing_unit=entry.pricing_unit,  # type: ignore[arg-type]
            rpm=entry.rpm or DEFAULT_RPM,
            tpm=entry.tpm or DEFAULT_TPM,
            endpoint_ocid=dedicated_endpoint_ocids.get(entry.name) if entry.serving == "dedicated-cluster" else None,
            max_budget=round(daily * share, 2) if capped and share is not None else None,
            downgrade_to=cheaper[0].name if capped else None,
            mode=entry.mode,  # type: ignore[arg-type]
        ))
    canaries: list[Canary] = []
    mc = settings.evaluation.model_canary
    if mc is not None:
        # The candidate version serves beside the stable deployment under the same logical name, at
        # the stable entry's price and budget (the catalogue prices the model, not its version).
        stable = next(m for m in models if m.logical_name == mc.model)
        candidate = dataclasses.replace(stable, key=f"{stable.key}-candidate", oci_model_id=mc.candidate_model_id,
                                        version=mc.candidate_model_id)
        models.append(candidate)
        canaries.append(Canary(mc.model, candidate.key, mc.share))
    r = settings.orchestration.router
    fallbacks = fallback_chains([e.name for e in chat])
    return RouterInputs(
        tier=settings.tier.name,  # type: ignore[arg-type]
        region=settings.region,
        compartment_ocid=compartment_ocid,
        allowed_serving_modes=tuple(settings.tier.allowed_serving),  # type: ignore[arg-type]
        models=tuple(models),
        fallbacks=fallbacks,
        retries=Retries(count=2, per_error=(("TimeoutErrorRetries", 2), ("InternalServerErrorRetries", 2),
                                            ("RateLimitErrorRetries", 1), ("BadRequestErrorRetries", 0),
                                            ("AuthenticationErrorRetries", 0),
                                            ("ContentPolicyViolationErrorRetries", 0))),
        timeouts=Timeouts(),
        cooldown=Cooldown(allowed_fails=2, cooldown_s=30.0),
        shared_state=SharedState(host_ref=REDIS_HOST_ENV, port=ocicache.PORT, ssl=ocicache.TLS),
        tenant_limits=TenantLimits(requests_per_minute=r.requests_per_minute,
                                   characters_per_minute=r.characters_per_minute),
        caching=Caching(mode="response", ttl_s=r.response_cache_ttl_s, host_ref=REDIS_HOST_ENV, port=ocicache.PORT,
                        ssl=ocicache.TLS) if r.response_cache_ttl_s > 0 else Caching(mode="none"),
        # Prompts and responses are checked at the tier's modes (policies/classification.yaml:
        # INFORM counts and logs a detection, BLOCK refuses).
        guardrails=Guardrails(prompt_injection_mode=settings.tier.guardrails.prompt_injection_input,
                              content_filter_mode=settings.tier.guardrails.content_moderation_input,
                              output_content_moderation=settings.tier.guardrails.content_moderation_output,
                              output_pii=settings.tier.guardrails.pii_output),
        telemetry=Telemetry(otel_endpoint=otlp_traces_url(apm_data_upload_endpoint), prometheus=True),
        prompt_logging=settings.tier.prompt_logging,  # type: ignore[arg-type]
        # Callers authenticate at the API Gateway (JWT) and only the ingress subnet reaches the
        # router (NSG + NetworkPolicy), so the proxy runs without a master key of its own.
        secrets=Secrets(master_key_ref=None),
        # The gateway cannot cap request bodies; the proxy does (the WAF too, when public).
        max_request_size_mb=settings.ingress.max_request_body_mb,
        canaries=tuple(canaries),
        prompts=tuple(_prompt_release(pin) for _, pin in sorted(settings.evaluation.prompts.items())),
        # Evaluation samples of answered requests, where the tier keeps them in a bucket (the data plane's).
        traffic_sample_rate=s.rate if (s := settings.evaluation.sampling) else 0.0,
    )


def pinned_system(settings: Settings, use_case: str) -> str:
    """The pinned system prompt of a use case (the router's, and the agent's instructions)."""
    return registry.get(use_case, settings.evaluation.prompts[use_case].version).system


def _prompt_release(pin: PromptPin) -> PromptRelease:
    """The pinned (and candidate) system prompts of a use case, from prompts/<use-case>/<version>.md."""
    stable = registry.get(pin.use_case, pin.version)
    if pin.candidate is None:
        return PromptRelease(pin.use_case, stable.version, stable.system)
    candidate = registry.get(pin.use_case, pin.candidate)
    return PromptRelease(pin.use_case, stable.version, stable.system, candidate.version, candidate.system,
                         pin.candidate_share)


def router_config(settings: Settings, *, compartment_ocid: str, dedicated_endpoint_ocids: Mapping[str, str],
                  apm_data_upload_endpoint: str) -> str:
    """The proxy's config.yaml: the one rendering the router's ConfigMap holds and `blueprint router-config` prints."""
    from router.render import render_yaml

    return render_yaml(router_inputs(settings, compartment_ocid=compartment_ocid,
                                     dedicated_endpoint_ocids=dedicated_endpoint_ocids,
                                     apm_data_upload_endpoint=apm_data_upload_endpoint))
