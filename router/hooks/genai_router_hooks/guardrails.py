"""OCI Generative AI guardrails (`POST /20231130/actions/applyGuardrails`) on prompts and on responses.

OCI scores a text for content moderation (categories OVERALL and BLOCKLIST, binary 0/1), prompt
injection (binary) and PII (a list of detected entities with label, offset, length and score)
(https://docs.oracle.com/en-us/iaas/Content/generative-ai/guardrails.htm; request and result
shapes: the OCI SDK's ``oci.generative_ai_inference.models.ApplyGuardrailsDetails`` /
``GuardrailsResults``).
- Prompts: blocked on a prompt-injection or content-moderation score at or above the threshold.
- Responses (``check_output``): content moderation → a harmful output, PII → sensitive data; the
  tier's mode per check (``INFORM`` counts and logs, ``BLOCK`` also refuses the response).
The call is signed with the same signer as chat, and bounded by a timeout: if OCI cannot
answer, the request fails closed (a guardrail that silently passes is no guardrail). A PII
result carries the detected text: only its label is ever kept.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import requests

THRESHOLD = 0.5
TIMEOUT_S = 5.0
MODES: tuple[str, ...] = ("OFF", "INFORM", "BLOCK")
PII_TYPES: tuple[str, ...] = ("EMAIL", "TELEPHONE_NUMBER")
"""PII labels checked in responses; PERSON is left out (any greeting by name would page on-call)."""


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    """Something was detected (what the tier does about it is the handler's call)."""
    reason: str = ""
    injection: bool = False
    harmful: bool = False


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
    injection = prompt_injection and float((results.get("promptInjection") or {}).get("score", 0.0)) >= THRESHOLD
    harmful = content_filter and any(float(c.get("score", 0.0)) >= THRESHOLD
                                     for c in (results.get("contentModeration") or {}).get("categories", []))
    reason = "prompt injection detected" if injection else "content moderation" if harmful else ""
    return Verdict(injection or harmful, reason, injection=injection, harmful=harmful)


@dataclass(frozen=True)
class OutputFindings:
    harmful: bool = False
    sensitive: bool = False
    pii_labels: tuple[str, ...] = ()
    """Labels only (EMAIL, …): the detected text itself is never kept."""

    def blocked(self, content_moderation: str, pii: str) -> bool:
        return (self.harmful and content_moderation == "BLOCK") or (self.sensitive and pii == "BLOCK")


def output_request_body(text: str, compartment_ocid: str, content_moderation: str, pii: str) -> dict:
    configs: dict[str, Any] = {}
    if content_moderation != "OFF":
        configs["contentModerationConfig"] = {"categories": ["OVERALL"]}
    if pii != "OFF":
        configs["personallyIdentifiableInformationConfig"] = {"types": list(PII_TYPES)}
    return {"input": {"type": "TEXT", "content": text}, "guardrailConfigs": configs, "compartmentId": compartment_ocid}


def judge_output(result: dict[str, Any]) -> OutputFindings:
    results = result.get("results") or {}
    harmful = any(float(c.get("score", 0.0)) >= THRESHOLD
                  for c in (results.get("contentModeration") or {}).get("categories", []))
    labels = tuple(sorted({str(p.get("label", "")) for p in results.get("personallyIdentifiableInformation") or []
                           if float(p.get("score", 0.0)) >= THRESHOLD}))
    return OutputFindings(harmful=harmful, sensitive=bool(labels), pii_labels=labels)


async def check_output(
    text: str, *, endpoint: str, compartment_ocid: str, signer: Any, content_moderation: str, pii: str
) -> OutputFindings:
    """Findings on a response (or an assembled stream); raises if OCI cannot answer (fail closed)."""
    for name, mode in (("content_moderation", content_moderation), ("pii", pii)):
        if mode not in MODES:
            raise ValueError(f"guardrails.output.{name}: must be one of {', '.join(MODES)}")
    if (content_moderation == "OFF" and pii == "OFF") or not text:
        return OutputFindings()
    body = output_request_body(text, compartment_ocid, content_moderation, pii)
    return judge_output(await asyncio.to_thread(_call, endpoint, body, signer))


_SESSION = requests.Session()


def _call(endpoint: str, body: dict, signer: Any) -> dict:
    resp = _SESSION.post(
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
