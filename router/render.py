"""Render the LiteLLM proxy config (config.yaml) from `RouterInputs`.

We do not write a router: LiteLLM routes, retries, falls back, cools down, caches and exports
metrics. This module only maps stack settings onto LiteLLM's config keys, enforcing the
tier's serving-mode allow-list and keeping every secret a reference (`os.environ/NAME`).
Output is deterministic (sorted keys and lists) so golden files can pin it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from router.inputs import PRICE_PER, ModelSpec, PromptRelease, RouterInputs

HOOKS_CALLBACK = "genai_router_hooks.handler.proxy_handler_instance"
"""Dotted path LiteLLM imports for our callbacks (module must be importable in the image)."""
OCI_API_VERSION_PATH = "/20231130"

# Keys whose values are credentials: they must be `os.environ/NAME` references, never inline.
SECRET_KEYS = frozenset(
    {
        "api_key",
        "master_key",
        "password",
        "redis_password",
        "oci_key",
        "oci_fingerprint",
        "oci_key_file",
        "database_url",
        "salt_key",
        "secret",
        "token",
    }
)
_ENV_REF = re.compile(r"^os\.environ/[A-Z_][A-Z0-9_]*$")
# Shapes that are credentials wherever they appear (PEM blocks, bearer-ish tokens).
_INLINE_SECRET = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|^sk-[A-Za-z0-9]{8,}")

_SERVING_MODE = {
    # OCI's servingMode.servingType: dedicated clusters are DEDICATED (addressed by endpoint
    # OCID); on-demand calls the shared ON_DEMAND model by model id.
    "on-demand": "ON_DEMAND",
    "dedicated-cluster": "DEDICATED",
}


def oci_endpoint(inputs: RouterInputs) -> str:
    """The GenAI inference endpoint for the region (or the configured override)."""
    if inputs.oci_endpoint:
        return inputs.oci_endpoint
    return f"https://inference.generativeai.{inputs.region}.oci.oraclecloud.com"


def _env(name: str) -> str:
    return f"os.environ/{name}"


STABLE, CANDIDATE = "stable", "candidate"
"""Release labels of a deployment (model_info.release); the response header carries them."""


def _release(inputs: RouterInputs, m: ModelSpec) -> tuple[str, float | None]:
    """(release label, LiteLLM weight) of a deployment; weight None when its model has no canary."""
    for c in inputs.canaries:
        if c.logical_name == m.logical_name:
            if m.key == c.candidate_key:
                return CANDIDATE, c.share
            stable = [x for x in inputs.models if x.logical_name == c.logical_name and x.key != c.candidate_key]
            return STABLE, round((1.0 - c.share) / len(stable), 6)
    return STABLE, None


def _rendered(inputs: RouterInputs, m: ModelSpec) -> bool:
    """A candidate at share 0 is rolled back: not in the config, so it gets no traffic at all."""
    release, weight = _release(inputs, m)
    return not (release == CANDIDATE and not weight)


def _deployment(inputs: RouterInputs, m: ModelSpec) -> dict[str, Any]:
    params: dict[str, Any] = {
        # LiteLLM picks the OCI request format (Cohere or generic) from the model id, so the
        # model stays the model id even on a dedicated cluster, addressed by endpoint OCID.
        "model": f"oci/{m.oci_model_id}",
        "oci_region": inputs.region,
        "oci_compartment_id": inputs.compartment_ocid,
        "oci_serving_mode": _SERVING_MODE[m.serving_mode],
        "api_base": oci_endpoint(inputs),
        "rpm": m.rpm,
        "tpm": m.tpm,
        "timeout": inputs.timeouts.request_s,
        "stream_timeout": inputs.timeouts.stream_s,
    }
    release, weight = _release(inputs, m)
    if weight is not None:
        params["weight"] = weight  # simple-shuffle picks in proportion to it (litellm/router_strategy/simple_shuffle.py)
    if m.endpoint_ocid is not None:
        params["oci_endpoint_id"] = m.endpoint_ocid
    info: dict[str, Any] = {
        "id": m.key,
        "oci_model_id": m.oci_model_id,
        "serving_mode": m.serving_mode,
        # LiteLLM's model_info.mode: the proxy health-checks and routes embeddings by it.
        "mode": m.mode,
        "pricing_unit": m.pricing_unit,
        "price": m.price,
        "price_per": PRICE_PER[m.pricing_unit],
        # What the budget downgrade and the fallback order compare (router.inputs.REFERENCE_REQUEST).
        "reference_cost": round(m.reference_cost, 8),
        "classification_tier": inputs.tier,
        "version": m.version or m.oci_model_id,
        "release": release,
    }
    if m.max_budget is not None:
        # Enforced by our hooks' ledger (LiteLLM's own deployment budgets would see a zero
        # cost for character-priced OCI models and never trip).
        info["max_budget"] = m.max_budget
        info["budget_window"] = m.budget_window
    if m.downgrade_to is not None:
        info["downgrade_to"] = m.downgrade_to
    unit_price = m.price / PRICE_PER[m.pricing_unit]
    if m.pricing_unit == "tokens":
        # LiteLLM's own cost tracking understands per-token prices; OCI's per-character
        # billing is metered by our hooks (LiteLLM computes character cost only for Vertex).
        info["input_cost_per_token"] = unit_price
        info["output_cost_per_token"] = unit_price
    elif m.pricing_unit == "characters":
        info["input_cost_per_character"] = unit_price
        info["output_cost_per_character"] = unit_price
    else:
        # A dedicated cluster's share of its unit-hours per request, metered by our hooks; LiteLLM's
        # per-request price key is input_cost_per_query (litellm/types/utils.py, ModelInfoBase).
        info["input_cost_per_query"] = unit_price
    return {"model_name": m.logical_name, "litellm_params": params, "model_info": info}


def _check_allowed(inputs: RouterInputs) -> None:
    allowed = set(inputs.allowed_serving_modes)
    for m in inputs.models:
        if m.serving_mode not in allowed:
            raise ValueError(
                f"models[{m.key}].serving_mode: {m.serving_mode} is not allowed for tier "
                f"{inputs.tier} (allowed: {', '.join(sorted(allowed)) or 'none'}); "
                "remove the model or change its serving mode"
            )


def _prompt_release(p: PromptRelease) -> dict[str, Any]:
    out: dict[str, Any] = {"stable": {"version": p.version, "system": p.system}}
    if p.candidate_version is not None and p.candidate_share > 0:
        out["candidate"] = {"version": p.candidate_version, "system": p.candidate_system, "share": p.candidate_share}
    return out


def _logging_settings(inputs: RouterInputs) -> dict[str, Any]:
    # Message (prompt/response) logging is OFF unless the tier's level is `full`; `metadata`
    # keeps usage/cost/latency, `audit-only` additionally drops per-request spend logs.
    full = inputs.prompt_logging == "full"
    out: dict[str, Any] = {
        "turn_off_message_logging": not full,
        "redact_user_api_key_info": not full,
    }
    return out


def _cache_settings(inputs: RouterInputs) -> dict[str, Any] | None:
    c = inputs.caching
    if c.mode == "none":
        return None
    assert c.host_ref is not None  # enforced by Caching.__post_init__
    params: dict[str, Any] = {
        "type": "redis-semantic" if c.mode == "semantic" else "redis",
        "host": _env(c.host_ref),
        "port": c.port,
        "ttl": c.ttl_s,
    }
    if c.password_ref:
        params["password"] = _env(c.password_ref)
    if c.ssl:
        params["ssl"] = True
    if c.mode == "semantic":
        params["similarity_threshold"] = c.similarity_threshold
        params["redis_semantic_cache_embedding_model"] = c.embedding_model
    return params


def render_config(inputs: RouterInputs) -> dict[str, Any]:
    """The LiteLLM proxy config for one stack; raises ValueError on a tier violation."""
    _check_allowed(inputs)
    models = sorted(inputs.models, key=lambda m: (m.logical_name, m.key))
    model_list = [_deployment(inputs, m) for m in models if _rendered(inputs, m)]

    callbacks: list[str] = [HOOKS_CALLBACK]
    if inputs.telemetry.prometheus:
        callbacks.append("prometheus")

    router_settings: dict[str, Any] = {
        "routing_strategy": "simple-shuffle",
        "num_retries": inputs.retries.count,
        "timeout": inputs.timeouts.request_s,
        "allowed_fails": inputs.cooldown.allowed_fails,
        "cooldown_time": inputs.cooldown.cooldown_s,
        "fallbacks": [{src: list(chain)} for src, chain in sorted(inputs.fallbacks)],
        "enable_pre_call_checks": True,
    }
    if inputs.retries.per_error:
        router_settings["retry_policy"] = dict(sorted(inputs.retries.per_error))
    if inputs.shared_state is not None:
        # LiteLLM's Router keeps deployment usage (rpm/tpm) and cooldowns in this Redis, so every
        # replica sees them (litellm/router.py: redis_host/redis_port/redis_password, cache_kwargs).
        s = inputs.shared_state
        router_settings["redis_host"] = _env(s.host_ref)
        router_settings["redis_port"] = s.port
        if s.password_ref:
            router_settings["redis_password"] = _env(s.password_ref)
        if s.ssl:
            router_settings["cache_kwargs"] = {"ssl": True}

    litellm_settings: dict[str, Any] = {
        "callbacks": callbacks,
        "drop_params": True,
        "request_timeout": inputs.timeouts.request_s,
        **_logging_settings(inputs),
    }
    cache = _cache_settings(inputs)
    litellm_settings["cache"] = cache is not None
    if cache is not None:
        litellm_settings["cache_params"] = cache

    g = inputs.guardrails
    general_settings: dict[str, Any] = {
        # No database: keys/teams need Postgres; routing, budgets per deployment, fallbacks,
        # cooldowns, caching, guardrails and metrics work without one.
        "disable_spend_logs": inputs.prompt_logging == "audit-only",
    }
    if inputs.max_request_size_mb is not None:
        general_settings["max_request_size_mb"] = inputs.max_request_size_mb
    if inputs.secrets.master_key_ref is not None:
        general_settings["master_key"] = _env(inputs.secrets.master_key_ref)
    else:
        # LiteLLM >= 1.106 refuses to start without a master key (litellm/proxy/auth/
        # master_key_boot_check.py) unless this is set. Without one, callers are authenticated at
        # the API Gateway (JWT) and only the ingress subnet reaches the proxy (NSG + NetworkPolicy):
        # say so explicitly rather than crash-loop the pod (the container contract test starts it).
        # Why no master key, and what keeps this safe: router/README.md "Caller authentication";
        # rule DEP-014 fails the plan if the gateway's JWT or the namespace's fence goes away.
        general_settings["dangerously_permit_weak_or_unset_master_key"] = True
    config: dict[str, Any] = {
        "model_list": model_list,
        "router_settings": router_settings,
        "litellm_settings": litellm_settings,
        "general_settings": general_settings,
        # Our hooks' own section; the proxy ignores top-level keys it does not know.
        "genai_router": {
            "classification_tier": inputs.tier,
            "region": inputs.region,
            "oci_endpoint": oci_endpoint(inputs),
            "compartment_ocid": inputs.compartment_ocid,
            "guardrails": {
                "oci_guardrail": g.oci_guardrail,
                "prompt_injection": g.prompt_injection and g.oci_guardrail,
                "content_filter": g.content_filter and g.oci_guardrail,
            },
            "prompt_logging": inputs.prompt_logging,
            "otel_endpoint": inputs.telemetry.otel_endpoint,
        },
    }
    hooks = config["genai_router"]
    if g.prompt_injection_mode != "BLOCK" or g.content_filter_mode != "BLOCK":
        hooks["guardrails"]["input"] = {"prompt_injection": g.prompt_injection_mode,
                                        "content_moderation": g.content_filter_mode}
    if g.output_content_moderation != "OFF" or g.output_pii != "OFF":
        hooks["guardrails"]["output"] = {
            "content_moderation": g.output_content_moderation if g.oci_guardrail else "OFF",
            "pii": g.output_pii if g.oci_guardrail else "OFF",
        }
    if inputs.traffic_sample_rate > 0:
        hooks["traffic_sample"] = {"rate": inputs.traffic_sample_rate}
    if inputs.prompts:
        hooks["prompts"] = {p.use_case: _prompt_release(p) for p in inputs.prompts}
    if inputs.shared_state is not None:
        s = inputs.shared_state
        hooks["redis"] = {"host": _env(s.host_ref), "port": s.port, "ssl": s.ssl}
        if s.password_ref:
            hooks["redis"]["password"] = _env(s.password_ref)
    if inputs.tenant_limits is not None:
        t = inputs.tenant_limits
        hooks["tenant_header"] = t.header
        hooks["tenant_limits"] = {k: v for k, v in (("requests_per_minute", t.requests_per_minute),
                                                     ("characters_per_minute", t.characters_per_minute))
                                  if v is not None}
    check_no_inline_secrets(config)
    return _sorted(config)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def check_no_inline_secrets(value: Any, path: str = "") -> None:
    """Raise if a secret-bearing key holds anything but an `os.environ/NAME` reference.

    The message names the key path only, never the value.
    """
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if k in SECRET_KEYS and v is not None and not (isinstance(v, str) and _ENV_REF.match(v)):
                raise ValueError(f"{here}: secrets must be referenced as os.environ/NAME, not inline")
            check_no_inline_secrets(v, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check_no_inline_secrets(v, f"{path}[{i}]")
    elif isinstance(value, str) and _INLINE_SECRET.search(value):
        raise ValueError(f"{path}: looks like an inline secret; reference it as os.environ/NAME")


def render_yaml(inputs: RouterInputs) -> str:
    """config.yaml text: what the router's ConfigMap holds and `blueprint router-config <stack>` prints."""
    return yaml.safe_dump(render_config(inputs), sort_keys=True, default_flow_style=False, width=100)
