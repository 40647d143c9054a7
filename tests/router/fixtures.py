"""Sample RouterInputs, one per classification tier (the golden-file inputs)."""

from __future__ import annotations

from router.inputs import (
    Caching,
    Cooldown,
    Guardrails,
    ModelSpec,
    Retries,
    RouterInputs,
    Telemetry,
    Timeouts,
)

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaexamplecompartment"
DAC_ENDPOINT = "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.amaaaaaaexampleendpoint"
DAC_ENDPOINT_FALLBACK = "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.amaaaaaaexamplefallback"
DAC_ENDPOINT_EMBED = "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.amaaaaaaexampleembed"


def _llama70(key: str = "llama-70b", mode: str = "on-demand", **kw: object) -> ModelSpec:
    return ModelSpec(
        key=key,
        logical_name="chat-premium",
        oci_model_id="meta.llama-3.3-70b-instruct",
        serving_mode=mode,  # type: ignore[arg-type]
        price=0.018,
        pricing_unit="characters",
        rpm=600,
        tpm=200_000,
        **kw,  # type: ignore[arg-type]
    )


def _scout(key: str = "llama-scout", mode: str = "on-demand", endpoint_ocid: str | None = None) -> ModelSpec:
    return ModelSpec(
        key=key,
        logical_name="chat-economy",
        oci_model_id="meta.llama-4-scout-17b-16e-instruct",
        serving_mode=mode,  # type: ignore[arg-type]
        price=0.0015,
        pricing_unit="characters",
        rpm=1200,
        tpm=400_000,
        endpoint_ocid=endpoint_ocid,
    )


def _embed(endpoint_ocid: str) -> ModelSpec:
    return ModelSpec(
        key="embed-dac",
        logical_name="embed",
        oci_model_id="cohere.embed-multilingual-v3.0",
        serving_mode="dedicated-cluster",
        price=0.0003,
        pricing_unit="requests",
        rpm=1200,
        tpm=400_000,
        endpoint_ocid=endpoint_ocid,
        mode="embedding",
    )


def _grok() -> ModelSpec:
    return ModelSpec(
        key="grok-3",
        logical_name="chat-standard",
        oci_model_id="xai.grok-3",
        serving_mode="on-demand",
        price=3.0,
        pricing_unit="tokens",
        rpm=300,
        tpm=100_000,
    )


PUBLIC = RouterInputs(
    tier="public",
    region="us-chicago-1",
    compartment_ocid=COMPARTMENT,
    allowed_serving_modes=("on-demand", "dedicated-cluster"),
    models=(_llama70(max_budget=50.0, downgrade_to="chat-standard"), _grok(), _scout()),
    fallbacks=(("chat-premium", ("chat-standard", "chat-economy")), ("chat-standard", ("chat-economy",))),
    retries=Retries(count=2, per_error=(("RateLimitErrorRetries", 3), ("TimeoutErrorRetries", 1))),
    caching=Caching(mode="response", ttl_s=600, host_ref="REDIS_HOST", password_ref="REDIS_PASSWORD"),
    guardrails=Guardrails(prompt_injection=True, content_filter=False, oci_guardrail=True),
    telemetry=Telemetry(otel_endpoint="http://otel-collector.observability:4317", prometheus=True),
    prompt_logging="full",
)

INTERNAL = RouterInputs(
    tier="internal",
    region="eu-frankfurt-1",
    compartment_ocid=COMPARTMENT,
    allowed_serving_modes=("on-demand", "dedicated-cluster"),
    models=(_llama70(max_budget=20.0, downgrade_to="chat-economy"), _scout()),
    fallbacks=(("chat-premium", ("chat-economy",)),),
    caching=Caching(mode="semantic", ttl_s=300, host_ref="REDIS_HOST", embedding_model="embed-v3"),
    prompt_logging="metadata",
)

CONFIDENTIAL = RouterInputs(
    tier="confidential",
    region="eu-frankfurt-1",
    compartment_ocid=COMPARTMENT,
    allowed_serving_modes=("dedicated-cluster",),
    # A primary and a fallback chat model on two clusters, and an embedding model on a third.
    models=(
        _llama70(key="llama-70b-dac", mode="dedicated-cluster", endpoint_ocid=DAC_ENDPOINT),
        _scout(key="llama-scout-dac", mode="dedicated-cluster", endpoint_ocid=DAC_ENDPOINT_FALLBACK),
        _embed(endpoint_ocid=DAC_ENDPOINT_EMBED),
    ),
    fallbacks=(("chat-premium", ("chat-economy",)), ("chat-economy", ("chat-premium",))),
    timeouts=Timeouts(request_s=45.0, stream_s=20.0),
    cooldown=Cooldown(allowed_fails=2, cooldown_s=60.0),
    prompt_logging="metadata",
)

RESTRICTED = RouterInputs(
    tier="restricted",
    region="eu-frankfurt-1",
    compartment_ocid=COMPARTMENT,
    allowed_serving_modes=("dedicated-cluster",),
    models=(_llama70(key="llama-70b-dac", mode="dedicated-cluster", endpoint_ocid=DAC_ENDPOINT),),
    retries=Retries(count=1),
    cooldown=Cooldown(allowed_fails=1, cooldown_s=120.0),
    telemetry=Telemetry(otel_endpoint=None, prometheus=True),
    prompt_logging="audit-only",
)

TIERS = {"public": PUBLIC, "internal": INTERNAL, "confidential": CONFIDENTIAL, "restricted": RESTRICTED}
