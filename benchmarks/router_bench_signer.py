"""Baseline callback for the router benchmark: LiteLLM plus nothing but the OCI request signer.

Plain LiteLLM can only sign with static key settings, and its OCI provider loads (and
validates) the PEM key on every call, which costs more than all our hooks together. This
callback gives LiteLLM the same cached SDK signer our hooks inject and nothing else, so the
difference between it and our router is what our hooks add beyond signing.
"""

from __future__ import annotations

from typing import Any

from genai_router_hooks import signing
from litellm.integrations.custom_logger import CustomLogger


class SignerOnly(CustomLogger):
    async def async_pre_call_deployment_hook(self, kwargs: dict[str, Any], call_type: Any) -> dict | None:
        kwargs["oci_signer"] = signing.get_signer()
        return kwargs


instance = SignerOnly()
