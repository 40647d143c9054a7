"""OCI Generative AI guardrails (`POST /20231130/actions/applyGuardrails`) before a prompt leaves.

OCI scores a text for content moderation (per category), prompt injection and PII. We block
on a prompt-injection or content-moderation score at or above the threshold; PII is not
blocked here (the tier's logging level already keeps message bodies out of logs). The call is
signed with the same signer as chat, and bounded by a timeout: if OCI cannot answer, the
request fails closed (a guardrail that silently passes is no guardrail).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import requests

THRESHOLD = 0.5
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    reason: str = ""


def request_body(text: str, compartment_ocid: str, prompt_injection: bool, content_filter: bool) -> dict:
    configs: dict[str, Any] = {}
    if content_filter:
        configs["contentModerationConfig"] = {"categories": ["OVERALL"]}
    if prompt_injection:
        configs["promptInjectionConfig"] = {}
    return {
        "input": {"type": "TEXT", "content": text},
        "guardrailConfigs": configs,
        "compartmentId": compartment_ocid,
    }


def judge(result: dict[str, Any], prompt_injection: bool, content_filter: bool) -> Verdict:
    results = result.get("results") or {}
    if prompt_injection:
        score = float((results.get("promptInjection") or {}).get("score", 0.0))
        if score >= THRESHOLD:
            return Verdict(True, "prompt injection detected")
    if content_filter:
        for cat in (results.get("contentModeration") or {}).get("categories", []):
            if float(cat.get("score", 0.0)) >= THRESHOLD:
                return Verdict(True, "content moderation")
    return Verdict(False)


def _call(endpoint: str, body: dict, signer: Any) -> dict:
    resp = requests.post(
        f"{endpoint.rstrip('/')}/20231130/actions/applyGuardrails",
        json=body,
        auth=signer,  # OCI SDK signers are requests auth objects (HTTP Signature draft-cavage)
        timeout=TIMEOUT_S,
    )
    resp.raise_for_status()
    return dict(resp.json())


async def check(
    text: str,
    *,
    endpoint: str,
    compartment_ocid: str,
    signer: Any,
    prompt_injection: bool,
    content_filter: bool,
) -> Verdict:
    if not (prompt_injection or content_filter) or not text:
        return Verdict(False)
    body = request_body(text, compartment_ocid, prompt_injection, content_filter)
    result = await asyncio.to_thread(_call, endpoint, body, signer)
    return judge(result, prompt_injection, content_filter)
