"""A minimal OpenAI-compatible client (the router's `/v1/chat/completions` and `/v1/embeddings`).

Stdlib only. The API key, if any, is read from an environment variable named by the caller and
never printed. Errors name the endpoint path and the HTTP status, never a request or response body.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

try:  # inside the router image (the online evaluation job) the hooks package is top level
    from genai_router_hooks.releases import PROMPT_VERSION_HEADER, RELEASE_HEADER, TENANT_HEADER, VERSION_HEADER
except ImportError:  # from the repository root
    from router.hooks.genai_router_hooks.releases import (
        PROMPT_VERSION_HEADER,
        RELEASE_HEADER,
        TENANT_HEADER,
        VERSION_HEADER,
    )

__all__ = ["PROMPT_VERSION_HEADER", "RELEASE_HEADER", "TENANT_HEADER", "VERSION_HEADER", "Client", "EndpointError",
           "Response"]


class EndpointError(RuntimeError):
    """The endpoint could not be reached or answered outside the protocol."""


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class Client:
    def __init__(self, endpoint: str, api_key: str | None = None, timeout_s: float = 60.0,
                 headers: dict[str, str] | None = None) -> None:
        """``headers``: sent with every request (the online job names itself as the router's tenant)."""
        if not endpoint.startswith(("http://", "https://")):
            raise EndpointError("endpoint: must be an http(s) URL")
        self.endpoint = endpoint.rstrip("/")
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.headers = dict(headers or {})

    def _post(self, path: str, payload: dict[str, Any]) -> Response:
        headers = {**self.headers, "content-type": "application/json"}
        if self._api_key:
            headers["authorization"] = f"Bearer {self._api_key}"
        req = urllib.request.Request(f"{self.endpoint}{path}", data=json.dumps(payload).encode(), headers=headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                raw, status, hdrs = r.read(), r.status, dict(r.headers.items())
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, dict(e.headers.items()) if e.headers else {}
        except (urllib.error.URLError, OSError) as e:
            raise EndpointError(f"{path}: endpoint unreachable ({type(e).__name__})") from None
        seconds = time.perf_counter() - started
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise EndpointError(f"{path}: HTTP {status} with a body that is not JSON") from None
        return Response(status, body if isinstance(body, dict) else {}, {k.lower(): v for k, v in hdrs.items()},
                        seconds)

    def chat(self, model: str, messages: list[dict[str, str]], metadata: dict[str, str] | None = None) -> Response:
        payload: dict[str, Any] = {"model": model, "messages": messages, "temperature": 0}
        if metadata:
            payload["metadata"] = metadata
        return self._post("/v1/chat/completions", payload)

    def embed(self, model: str, texts: list[str]) -> list[list[float]]:
        resp = self._post("/v1/embeddings", {"model": model, "input": texts})
        if resp.status != 200:
            raise EndpointError(f"/v1/embeddings: HTTP {resp.status}")
        data = sorted(resp.body.get("data") or [], key=lambda d: int(d.get("index", 0)))
        if len(data) != len(texts):
            raise EndpointError("/v1/embeddings: answered a different number of embeddings than inputs")
        return [[float(x) for x in d.get("embedding") or []] for d in data]


def answer_text(body: dict[str, Any]) -> str:
    choices = body.get("choices") or []
    if not choices:
        return ""
    content = (choices[0].get("message") or {}).get("content")
    return content if isinstance(content, str) else ""
