"""Shared helpers of the experience, ingress and orchestration tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NS = "genai-platform:"

#: A public variant of dev: only the public tier allows a public API (internal, like the operating
#: model's "private endpoints", does not); these are the keys it needs.
PUBLIC_DEV = {
    "genai-platform:classification": "public",
    "genai-platform:network": {"publicApi": True, "subnets": {"publicIngress": "10.40.4.0/24"}},
    "genai-platform:ingress": {
        "customDomain": "api.genai-dev.example.com",
        "certificateId": "ocid1.certificate.oc1.eu-frankfurt-1.amaaaaaaexampledevcertificate",
    },
}


def raw_config(stack: str) -> tuple[dict[str, Any], str]:
    """(raw config without the namespace, region) of Pulumi.<stack>.yaml, as the program sees it offline."""
    from tests.conftest import raw_stack_config

    return raw_stack_config(stack)



def inputs_of(graph: Any, token: str) -> list[dict[str, Any]]:
    return [n.inputs for n in graph.by_type(token)]
