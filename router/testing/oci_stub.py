"""A stdlib stub of OCI Generative AI inference on 127.0.0.1, for tests and the benchmark.

Serves `POST /20231130/actions/chat` (generic API format) and
`POST /20231130/actions/applyGuardrails`. Behaviour per model id (or dedicated endpoint OCID)
is scriptable: `ok`, `error` (HTTP 500), `slow` (sleeps past the router's timeout) or
`flaky` (fails with a probability from a seeded RNG). Every request's OCI HTTP Signature is
parsed and, when a public key is given, verified: a bad or missing signature is a 401, so a
router that stops signing fails the tests instead of passing them.
"""

from __future__ import annotations

import base64
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CHAT_PATH = "/20231130/actions/chat"
GUARDRAILS_PATH = "/20231130/actions/applyGuardrails"
INJECTION_MARKERS = ("ignore all previous instructions", "ignore previous instructions")
_SIG_FIELD = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class Call:
    path: str
    model: str
    status: int
    prompt_chars: int
    response_chars: int
    authorization: dict[str, str]
    started: float
    duration: float
    prompt_head: str = ""
    """First characters of the last message (lets a client match calls to its requests)."""


@dataclass
class Behaviour:
    mode: str = "ok"  # ok | error | slow | flaky
    delay_s: float = 0.0
    fail_rate: float = 0.0


@dataclass
class StubState:
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    """Finished calls (a slow one is recorded when it answers)."""
    arrived: list[str] = field(default_factory=list)
    """Model of every chat request, recorded on arrival."""
    public_key: rsa.RSAPublicKey | None = None
    slow_s: float = 5.0
    rng: random.Random = field(default_factory=lambda: random.Random(1234))
    lock: threading.Lock = field(default_factory=threading.Lock)


def reply_text(model: str) -> str:
    return f"Hello from {model}."


def parse_authorization(value: str) -> dict[str, str]:
    if not value.startswith("Signature "):
        return {}
    return dict(_SIG_FIELD.findall(value))


def verify_signature(handler: BaseHTTPRequestHandler, auth: dict[str, str], key: rsa.RSAPublicKey) -> bool:
    """Verify an OCI (draft-cavage HTTP Signatures, rsa-sha256) request signature."""
    if auth.get("algorithm") != "rsa-sha256" or "headers" not in auth or "signature" not in auth:
        return False
    lines = []
    for name in auth["headers"].split():
        if name == "(request-target)":
            lines.append(f"(request-target): {handler.command.lower()} {handler.path}")
        else:
            value = handler.headers.get(name)
            if value is None:
                return False
            lines.append(f"{name}: {value}")
    try:
        key.verify(
            base64.b64decode(auth["signature"]),
            "\n".join(lines).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _last_text(messages: list[dict[str, Any]]) -> str:
    if not messages:
        return ""
    content = messages[-1].get("content") or []
    if isinstance(content, str):
        return content[:64]
    return "".join(p.get("text", "") for p in content if isinstance(p, dict))[:64]


def _text_chars(messages: list[dict[str, Any]]) -> int:
    total = 0
    for m in messages:
        content = m.get("content") or []
        if isinstance(content, str):
            total += len(content)
        else:
            total += sum(len(p.get("text", "")) for p in content if isinstance(p, dict))
    return total


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("date", formatdate(usegmt=True))
        self.send_header("opc-request-id", "stub")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        state = self.server.state
        started = time.monotonic()
        length = int(self.headers.get("content-length", "0"))
        raw = self.rfile.read(length)
        auth = parse_authorization(self.headers.get("authorization", ""))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"code": "InvalidParameter", "message": "bad json"})
            return
        if not auth or (state.public_key is not None and not verify_signature(self, auth, state.public_key)):
            self._record(Call(self.path, "", 401, 0, 0, auth, started, 0.0))
            self._send(401, {"code": "NotAuthenticated", "message": "signature check failed"})
            return
        if self.path == GUARDRAILS_PATH:
            self._guardrails(body, auth, started)
        elif self.path == CHAT_PATH:
            self._chat(body, auth, started)
        else:
            self._send(404, {"code": "NotFound", "message": "no such action"})

    def _record(self, call: Call) -> None:
        with self.server.state.lock:
            self.server.state.calls.append(call)

    def _guardrails(self, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        text = str((body.get("input") or {}).get("content", ""))
        injected = any(m in text.lower() for m in INJECTION_MARKERS)
        configs = body.get("guardrailConfigs") or {}
        results: dict[str, Any] = {}
        if "promptInjectionConfig" in configs:
            results["promptInjection"] = {"score": 0.99 if injected else 0.01}
        if "contentModerationConfig" in configs:
            results["contentModeration"] = {"categories": [{"name": "OVERALL", "score": 0.0}]}
        self._record(Call(self.path, "guardrails", 200, len(text), 0, auth, started, 0.0))
        self._send(200, {"results": results})

    def _chat(self, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        state = self.server.state
        mode = body.get("servingMode") or {}
        model = str(mode.get("endpointId") or mode.get("modelId") or "")
        chat = body.get("chatRequest") or {}
        prompt_chars = _text_chars(chat.get("messages") or [])
        head = _last_text(chat.get("messages") or [])
        with state.lock:
            state.arrived.append(model)
            b = state.behaviours.get(model, Behaviour())
            fail = b.mode == "error" or (b.mode == "flaky" and state.rng.random() < b.fail_rate)
        if b.delay_s:
            time.sleep(b.delay_s)
        if b.mode == "slow":
            time.sleep(state.slow_s)
        if fail:
            elapsed = time.monotonic() - started
            self._record(Call(self.path, model, 500, prompt_chars, 0, auth, started, elapsed, head))
            self._send(500, {"code": "InternalServerError", "message": "stub failure"})
            return
        text = reply_text(model)
        usage = {"promptTokens": max(1, prompt_chars // 4), "completionTokens": max(1, len(text) // 4)}
        usage["totalTokens"] = usage["promptTokens"] + usage["completionTokens"]
        resp = {
            "modelId": model,
            "modelVersion": "1.0",
            "chatResponse": {
                "apiFormat": "GENERIC",
                "timeCreated": "2026-11-22T00:00:00.000Z",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]},
                        "finishReason": "stop",
                    }
                ],
                "usage": usage,
            },
        }
        self._record(
            Call(self.path, model, 200, prompt_chars, len(text), auth, started, time.monotonic() - started,
                 head)
        )
        self._send(200, resp)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StubState


class OCIStub:
    """Run the stub on 127.0.0.1 in a background thread: `with OCIStub(public_key) as stub:`."""

    def __init__(
        self, public_key: rsa.RSAPublicKey | None = None, slow_s: float = 5.0, seed: int = 1234
    ) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = StubState(public_key=public_key, slow_s=slow_s, rng=random.Random(seed))
        self._thread = threading.Thread(target=self.server.serve_forever, name="oci-stub", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def state(self) -> StubState:
        return self.server.state

    def script(self, model: str, mode: str = "ok", delay_s: float = 0.0, fail_rate: float = 0.0) -> None:
        with self.state.lock:
            self.state.behaviours[model] = Behaviour(mode, delay_s, fail_rate)

    def calls(self, model: str | None = None, path: str = CHAT_PATH) -> list[Call]:
        with self.state.lock:
            return [c for c in self.state.calls if c.path == path and (model is None or c.model == model)]

    def arrivals(self) -> list[str]:
        with self.state.lock:
            return list(self.state.arrived)

    def reset(self) -> None:
        with self.state.lock:
            self.state.arrived.clear()
            self.state.calls.clear()
            self.state.behaviours.clear()

    def start(self) -> OCIStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OCIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
