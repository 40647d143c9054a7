"""The LiteLLM callback that wires our OCI hooks into the proxy.

Config: `litellm_settings.callbacks: [genai_router_hooks.handler.proxy_handler_instance, ...]`.

- `async_pre_call_hook` (proxy, before routing): OCI guardrails; budget downgrade (rewrites the
  requested model to the deployment's `downgrade_to` once every budgeted deployment of it is
  exhausted). It does not touch credentials.
- `async_pre_call_deployment_hook` (per attempt, after a deployment is chosen): injects the
  `oci_signer`. Injecting it here rather than in the pre-call hook keeps it on every retry and
  fallback attempt (a pre-call injection was lost on fallbacks).
- `async_post_call_success_deployment_hook`: meters cost per character (or token) of each
  successful upstream call and feeds the budget ledger.
"""

from __future__ import annotations

import logging
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from genai_router_hooks import guardrails, metering, settings, signing

log = logging.getLogger("genai_router_hooks")


def _deployments(model_name: str) -> list[dict[str, Any]]:
    from litellm.proxy import proxy_server

    router = proxy_server.llm_router
    if router is None:
        return []
    return [d for d in router.model_list if d.get("model_name") == model_name]


def downgrade_target(
    model_name: str, deployments: list[dict[str, Any]], ledger: metering.BudgetLedger
) -> str | None:
    """Where to send a request for `model_name`, if all its budgeted deployments are spent."""
    budgeted = [d.get("model_info") or {} for d in deployments]
    budgeted = [i for i in budgeted if i.get("max_budget") is not None]
    if not budgeted or len(budgeted) != len(deployments):
        return None
    for info in budgeted:
        window = metering.window_seconds(str(info.get("budget_window", "1d")))
        if not ledger.exhausted(str(info["id"]), float(info["max_budget"]), window):
            return None
    return str(budgeted[0].get("downgrade_to")) if budgeted[0].get("downgrade_to") else None


class GenAIRouterHooks(CustomLogger):
    def __init__(self, ledger: metering.BudgetLedger | None = None) -> None:
        super().__init__()
        self.ledger = ledger or metering.LEDGER

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict, call_type: Any
    ) -> dict | None:
        from fastapi import HTTPException

        cfg = settings.load()
        g = cfg.get("guardrails") or {}
        if g.get("prompt_injection") or g.get("content_filter"):
            text = "\n".join(metering.text_of(m.get("content")) for m in data.get("messages") or [])
            try:
                verdict = await guardrails.check(
                    text,
                    endpoint=str(cfg["oci_endpoint"]),
                    compartment_ocid=str(cfg["compartment_ocid"]),
                    signer=signing.get_signer(),
                    prompt_injection=bool(g.get("prompt_injection")),
                    content_filter=bool(g.get("content_filter")),
                )
            except Exception as exc:  # fail closed; no request text in the log
                log.error("guardrail check failed: %s", type(exc).__name__)
                raise HTTPException(status_code=503, detail="guardrail unavailable") from None
            if verdict.blocked:
                raise HTTPException(status_code=400, detail=f"blocked by OCI guardrail: {verdict.reason}")

        model = data.get("model")
        seen: set[str] = set()
        # Follow downgrade chains (premium → standard → economy) while each level is spent.
        while isinstance(model, str) and model not in seen:
            seen.add(model)
            target = downgrade_target(model, _deployments(model), self.ledger)
            if target is None:
                break
            model = target
        if model != data.get("model"):
            data["model"] = model
        return data

    async def async_pre_call_deployment_hook(self, kwargs: dict[str, Any], call_type: Any) -> dict | None:
        model = str(kwargs.get("model") or "")
        if model.startswith("oci/") or kwargs.get("custom_llm_provider") == "oci":
            kwargs["oci_signer"] = signing.get_signer()
        return kwargs

    async def async_post_call_success_deployment_hook(
        self, request_data: dict, response: Any, call_type: Any
    ) -> Any:
        # Metered here, per successful upstream call, not in the success logger: with
        # message logging off LiteLLM hands loggers redacted messages, and the characters
        # OCI bills are the real ones. Cache hits never reach this hook (and cost nothing).
        try:
            self._meter(request_data, response)
        except Exception as exc:  # metering must never fail a request
            log.error("cost metering failed: %s", type(exc).__name__)
        return response

    def _meter(self, kwargs: dict, response_obj: Any) -> None:
        info = kwargs.get("model_info") or (kwargs.get("litellm_params") or {}).get("model_info") or {}
        if "price" not in info:
            return
        prompt = metering.prompt_characters(kwargs.get("messages") or [])
        completion = 0
        for choice in getattr(response_obj, "choices", None) or []:
            message = getattr(choice, "message", None)
            completion += len(metering.text_of(getattr(message, "content", None)))
        usage = getattr(response_obj, "usage", None)
        tokens = int(getattr(usage, "total_tokens", 0) or 0)
        amount = metering.cost(info, prompt + completion, tokens)
        deployment = str(info.get("id", "unknown"))
        meta = kwargs.get("metadata") or kwargs.get("litellm_metadata") or {}
        model = str(meta.get("model_group") or kwargs.get("model", ""))
        tier = str(info.get("classification_tier", ""))
        metering.CHARACTERS.labels(model, deployment, tier).inc(prompt + completion)
        metering.COST.labels(model, deployment, tier, str(info.get("pricing_unit", ""))).inc(amount)
        if metering.OTEL_COST is not None:
            metering.OTEL_COST.add(amount, {"model": model, "deployment": deployment, "tier": tier})
        if info.get("max_budget") is not None:
            self.ledger.add(deployment, amount, metering.window_seconds(str(info.get("budget_window", "1d"))))


proxy_handler_instance = GenAIRouterHooks()
