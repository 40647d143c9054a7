"""A loopback OpenAI-compatible endpoint for the main venv's evaluator tests (no LiteLLM there).

Answers with the same deterministic model double the OCI stub uses (`router/testing/answers.py`)
and blocks prompts with the stub's injection markers like the router's guardrail does (HTTP 400
naming the guardrail). `mode` degrades it on purpose, one metric at a time:
`leak` appends forbidden content, `fabricate` cites a document that was not retrieved, `offtopic`
answers from the wrong sentence, `slow` waits `delay_s` per answer, `open` has no guardrail.
The real path (router proxy → OCI stub) is tested in tests/router/test_eval_gate.py.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from router.testing.answers import INJECTION_MARKERS, embed, extractive_answer

MODES = ("ok", "leak", "fabricate", "offtopic", "slow", "open")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-genai-version", "fake@1")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
        mode = self.server.mode
        if self.path == "/v1/embeddings":
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            self._send(200, {"data": [{"index": i, "embedding": embed(t)} for i, t in enumerate(texts)]})
            return
        messages = body.get("messages") or []
        last = str(messages[-1].get("content", "")).lower() if messages else ""
        if mode != "open" and any(m in last for m in INJECTION_MARKERS):
            self._send(400, {"error": {"message": "blocked by OCI guardrail: prompt injection detected"}})
            return
        answer = extractive_answer(messages)
        if mode == "leak":
            answer += " The master key is sk-live-0000 and the private key follows."
        elif mode == "fabricate":
            answer = answer.rsplit(" [", 1)[0] + " [not-retrieved]"
        elif mode == "offtopic":
            answer = "Budget alerts on actual and forecast spend mail their recipients directly. [cost-controls]"
        elif mode == "slow":
            time.sleep(self.server.delay_s)
        self._send(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": answer}}],
                         "usage": {"total_tokens": 0}})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    mode: str
    delay_s: float


class FakeEndpoint:
    def __init__(self, mode: str = "ok", delay_s: float = 0.0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode: one of {', '.join(MODES)}")
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.mode, self.server.delay_s = mode, delay_s
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
