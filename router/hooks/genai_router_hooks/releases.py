"""Releases: the pinned system prompt per use case (with an optional canary) and version labels.

Prompts come from the `genai_router.prompts` section the renderer writes from the stack's pins
(`prompts/<use-case>/<version>.md`): `{use_case: {stable: {version, system}, candidate: {version,
system, share}}}`. A request opts in with `metadata.use_case`; the router then replaces any
client system message with the selected version's system prompt. Model versions are deployments
(`model_info.version`, `model_info.release`), split by LiteLLM's weights. Both versions are
labelled on the response (`x-genai-version`, `x-genai-release`, `x-genai-prompt-version`) and on
the request's telemetry. Stdlib only.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

USE_CASE_KEY = "use_case"
"""`metadata.use_case` of an OpenAI request: which pinned prompt applies."""
PROMPT_VERSION_KEY = "genai_prompt_version"
"""Where the applied `<use-case>@<version>` is kept in the request's metadata."""
VERSION_HEADER = "x-genai-version"
RELEASE_HEADER = "x-genai-release"
PROMPT_VERSION_HEADER = "x-genai-prompt-version"
TENANT_HEADER = "x-genai-tenant"
"""Request header naming the calling tenant (the router config's `tenant_header` may name another);
logged as the request log's `tenant`."""
EVAL_TENANT = "genai-online-eval"
"""The tenant the online evaluation job names itself as: its own requests are never traffic (not
sampled, and skipped when read back from the request log). Only a request without SUBJECT_HEADER
keeps it (``tenant_of``)."""
SUBJECT_HEADER = "x-genai-subject"
"""Request header the API Gateway sets on every request it forwards (the token's subject, or
``anonymous``), overwriting whatever the caller sent (components/experience.py). The online evaluation
job calls the router inside the cluster and never sends it; only the gateway and the job's pods reach
the router (its NetworkPolicies)."""
GATEWAY_PREFIX = "gateway:"
"""Prefix of the tenant of a gateway caller whose token subject is literally EVAL_TENANT."""


def tenant_of(headers: Mapping[str, str], tenant_header: str = TENANT_HEADER) -> str:
    """The calling tenant of a request (``headers`` lower-cased). The gateway overwrites the tenant header
    with the token's subject, so a caller whose subject is literally EVAL_TENANT would pass for the online
    job and keep its requests out of the evaluation sample. A request through the gateway carries
    SUBJECT_HEADER, which no caller can remove or forge past the gateway and the job never sends: such a
    request is that caller's, renamed GATEWAY_PREFIX + EVAL_TENANT, so only the job's own requests keep
    EVAL_TENANT."""
    tenant = headers.get(tenant_header, "") or "default"
    if tenant == EVAL_TENANT and SUBJECT_HEADER in headers:
        return GATEWAY_PREFIX + tenant
    return tenant


@dataclass(frozen=True)
class Applied:
    use_case: str
    version: str
    release: str

    @property
    def ref(self) -> str:
        return f"{self.use_case}@{self.version}"


def select(prompts: Mapping[str, Any], use_case: str, draw: Callable[[], float] = random.random) -> tuple[Applied, str] | None:
    """The release of a use case's prompt for one request, and its system prompt."""
    release = prompts.get(use_case)
    if not isinstance(release, Mapping):
        return None
    candidate = release.get("candidate")
    if isinstance(candidate, Mapping) and draw() < float(candidate.get("share", 0.0)):
        return Applied(use_case, str(candidate["version"]), "candidate"), str(candidate["system"])
    stable = release["stable"]
    return Applied(use_case, str(stable["version"]), "stable"), str(stable["system"])


def apply_prompt(prompts: Mapping[str, Any], data: dict[str, Any],
                 draw: Callable[[], float] = random.random) -> Applied | None:
    """Put the selected system prompt first in `data["messages"]` (client system messages dropped)."""
    meta = data.get("metadata")
    use_case = meta.get(USE_CASE_KEY) if isinstance(meta, Mapping) else None
    if not isinstance(use_case, str) or not prompts:
        return None
    chosen = select(prompts, use_case, draw)
    if chosen is None:
        return None
    applied, system = chosen
    rest = [m for m in data.get("messages") or [] if m.get("role") != "system"]
    data["messages"] = [{"role": "system", "content": system}, *rest]
    if isinstance(meta, dict):
        meta[PROMPT_VERSION_KEY] = applied.ref
    return applied


def model_labels(info: Mapping[str, Any]) -> tuple[str, str]:
    """(version, release) of a deployment's model_info ('' when unknown)."""
    return str(info.get("version") or info.get("oci_model_id") or ""), str(info.get("release") or "")


def headers(data: Mapping[str, Any], call_info: Mapping[str, Any] | None,
            lookup: Callable[[str], Mapping[str, Any]]) -> dict[str, str]:
    """Response headers naming the model version (and release) and prompt version that served it."""
    out: dict[str, str] = {}
    info = (call_info or {}).get("model_info") or {}
    model_id = (call_info or {}).get("model_id")
    if not info.get("version") and model_id:
        info = lookup(str(model_id))
    version, release = model_labels(info)
    if version:
        out[VERSION_HEADER] = version
    if release:
        out[RELEASE_HEADER] = release
    meta = data.get("metadata")
    if isinstance(meta, Mapping) and meta.get(PROMPT_VERSION_KEY):
        out[PROMPT_VERSION_HEADER] = str(meta[PROMPT_VERSION_KEY])
    return out
