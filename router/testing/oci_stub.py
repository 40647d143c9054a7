"""A stdlib stub of the OCI services the router calls, on 127.0.0.1, for tests and the benchmark.

Serves
- Generative AI inference: `POST /20231130/actions/chat` (GENERIC and COHERE API formats, answered
  in the format asked: LiteLLM's `llms/oci/chat` parses Cohere replies as `CohereChatResult`),
  `POST /20231130/actions/embedText` and `POST /20231130/actions/applyGuardrails` (prompt
  injection, content moderation, PII);
- Monitoring ingestion: `POST /20180401/metrics` (PostMetricData; records each batch);
- Logging ingestion: `POST /20200831/logs/{logId}/actions/push` (PutLogs; records each batch);
- Logging Search: `POST /20190909/search` (SearchLogs) over the entries PutLogs recorded, for the
  one query shape the online evaluation job sends (`search "<compartment>/<log group>/<log>" |
  where type = '<type>' | sort by datetime desc`; anything else is a 400), within the request's
  time window, newest first, at most `limit`; results in Logging's envelope (`logContent`);
- Object Storage: `PUT /n/{namespace}/b/{bucket}/o/{object}` (PutObject; `If-None-Match: *` on an
  existing object is a 412, RFC 7232 section 3.2's status: OCI's own code for it is not verified),
  `GET /n/{namespace}/b/{bucket}/o` (ListObjects: `prefix`, `start`, `end`, `limit`, `fields`;
  `objects` sorted by name and `nextStartWith`) and `GET /n/{namespace}/b/{bucket}/o/{object}`
  (GetObject), over what PutObject stored
  (https://docs.oracle.com/en-us/iaas/api/#/en/objectstorage/20160918/Object/). PUT and GET are
  signed like every OCI request (the SDK signs PutObject without the body headers:
  `enforce_content_headers=False` in `ObjectStorageClient.put_object`), and verified the same way;
- APM OTLP/HTTP: `POST /20200101/opentelemetry/private/v1/traces` (binary protobuf, decoded here
  with a generic wire-format reader independent of the router's encoder; `Authorization:
  dataKey <key>` checked against the stub's key instead of an OCI signature, as APM does).

Behaviour per model id (or dedicated endpoint OCID) is scriptable: `ok`, `error` (HTTP 500),
`slow` (sleeps past the router's timeout) or `flaky` (fails with a probability from a seeded
RNG), with an optional reply text. Ingestion can be made to fail the next N calls (retries).
Every OCI request's HTTP Signature is parsed and, when a public key is given, verified, and so
is the `x-content-sha256` of its body: a bad or missing signature is a 401, so a router that
stops signing fails the tests instead of passing them. Only verified batches are recorded.

Chat answers are `Hello from <model>.` (or the scripted reply) unless the stub is built with
`answers="extractive"` (see `router/testing/answers.py`): then it answers from the documents in
the prompt, deterministically. embedText answers with a real sentence-embedding model,
all-MiniLM-L6-v2 run with numpy (`router/testing/minilm.py`), so relevance in `blueprint eval` and
the online job is semantic similarity, deterministic for a given text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from router.testing import answers as model_double
from router.testing.answers import INJECTION_MARKERS

CHAT_PATH = "/20231130/actions/chat"
GUARDRAILS_PATH = "/20231130/actions/applyGuardrails"
METRICS_PATH = "/20180401/metrics"
LOGS_PATH = re.compile(r"^/20200831/logs/(?P<log_id>[^/]+)/actions/push$")
TRACES_PATH = "/20200101/opentelemetry/private/v1/traces"
SEARCH_PATH = "/20190909/search"
_SEARCH_QUERY = re.compile(
    r"""^search "(?P<compartment>[^"/]+)/(?P<group>[^"/]+)/(?P<log>[^"/]+)" \| where type = '(?P<type>[^']+)'"""
    r""" \| sort by datetime desc$""")
HARMFUL_MARKERS = ("[harmful-content]",)
"""Text the stub's content moderation scores 1.0 (OVERALL)."""
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
EMBED_PATH = "/20231130/actions/embedText"
_SIG_FIELD = re.compile(r'(\w+)="([^"]*)"')
OBJECTS_PATH = re.compile(r"^/n/(?P<ns>[^/]+)/b/(?P<bucket>[^/]+)/o(?:/(?P<name>.+))?$")


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
    reply: str | None = None
    """Reply text (default: `reply_text(model)`)."""


@dataclass
class LogBatch:
    log_id: str
    body: dict[str, Any]

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The `data` of every entry, parsed (the router writes JSON)."""
        return [json.loads(e["data"]) for b in self.body.get("logEntryBatches", []) for e in b.get("entries", [])]


@dataclass
class StubState:
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    """Finished calls (a slow one is recorded when it answers)."""
    arrived: list[str] = field(default_factory=list)
    """Model of every chat request, recorded on arrival."""
    public_key: rsa.RSAPublicKey | None = None
    apm_data_key: str | None = None
    metric_batches: list[dict[str, Any]] = field(default_factory=list)
    """Verified PostMetricData bodies, in arrival order."""
    log_batches: list[LogBatch] = field(default_factory=list)
    span_batches: list[list[dict[str, Any]]] = field(default_factory=list)
    """Decoded OTLP spans of each accepted export request."""
    fail_next: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Ingestion kind (metrics, logs, traces) → (calls left to fail, status)."""
    slow_s: float = 5.0
    rng: random.Random = field(default_factory=lambda: random.Random(1234))
    answers: str = "hello"
    """`hello` (fixed greeting) or `extractive` (answers from the prompt's documents)."""
    objects: dict[tuple[str, str, str], tuple[bytes, str]] = field(default_factory=dict)
    """(namespace, bucket, object name) → (body, content type), as PutObject stored them."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _searched_data(sent: str) -> dict[str, Any]:
    """``logContent.data`` as Logging Search returns a PutLogs entry: always an object (the entry's JSON
    object, or plain text wrapped as ``{"message": <text>}``, as micronaut-oracle-cloud's live
    OciLoggingSpec observed), never the string PutLogs sent."""
    try:
        parsed = json.loads(sent)
    except ValueError:
        parsed = None
    return parsed if isinstance(parsed, dict) else {"message": sent}


def reply_text(model: str) -> str:
    return f"Hello from {model}."


def parse_authorization(value: str) -> dict[str, str]:
    if not value.startswith("Signature "):
        return {}
    return dict(_SIG_FIELD.findall(value))


def verify_signature(
    handler: BaseHTTPRequestHandler, auth: dict[str, str], key: rsa.RSAPublicKey, body: bytes | None = None
) -> bool:
    """Verify an OCI (draft-cavage HTTP Signatures, rsa-sha256) request signature.

    With ``body``, a POST must also sign ``x-content-sha256`` and the header must be the
    body's SHA-256 (base64), as OCI requires
    (https://docs.oracle.com/en-us/iaas/Content/API/Concepts/signingrequests.htm).
    """
    if auth.get("algorithm") != "rsa-sha256" or "headers" not in auth or "signature" not in auth:
        return False
    signed = auth["headers"].split()
    if body is not None and handler.command == "POST":
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if "x-content-sha256" not in signed or handler.headers.get("x-content-sha256") != digest:
            return False
    lines = []
    for name in signed:
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


def read_protobuf(data: bytes) -> dict[int, list[Any]]:
    """Decode one protobuf message into field number → values (varint ints, fixed ints, or bytes)."""
    fields: dict[int, list[Any]] = {}
    i = 0

    def varint() -> int:
        nonlocal i
        shift = result = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value = varint()
        elif wire == 1:
            value = int.from_bytes(data[i: i + 8], "little")
            i += 8
        elif wire == 2:
            n = varint()
            value = data[i: i + n]
            i += n
        elif wire == 5:
            value = int.from_bytes(data[i: i + 4], "little")
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _attributes(raw: list[bytes]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in raw:
        f = read_protobuf(kv)
        value = read_protobuf(f[2][0]) if 2 in f else {}
        if 1 in value:
            out[f[1][0].decode()] = value[1][0].decode()
        elif 2 in value:
            out[f[1][0].decode()] = bool(value[2][0])
        elif 3 in value:
            n = value[3][0]
            out[f[1][0].decode()] = n - (1 << 64) if n >= 1 << 63 else n
        elif 4 in value:
            out[f[1][0].decode()] = struct.unpack("<d", value[4][0].to_bytes(8, "little"))[0]
    return out


def decode_spans(body: bytes) -> list[dict[str, Any]]:
    """Spans of an OTLP ExportTraceServiceRequest (opentelemetry-proto field numbers)."""
    spans = []
    for rs in read_protobuf(body).get(1, []):
        rsf = read_protobuf(rs)
        resource = _attributes(read_protobuf(rsf[1][0]).get(1, [])) if 1 in rsf else {}
        for ss in rsf.get(2, []):
            for raw in read_protobuf(ss).get(2, []):
                f = read_protobuf(raw)
                status = read_protobuf(f[15][0]) if 15 in f else {}
                spans.append({
                    "trace_id": f[1][0].hex(), "span_id": f[2][0].hex(),
                    "parent_span_id": f[4][0].hex() if 4 in f else "",
                    "name": f[5][0].decode() if 5 in f else "", "kind": f.get(6, [0])[0],
                    "start_ns": f.get(7, [0])[0], "end_ns": f.get(8, [0])[0],
                    "attributes": _attributes(f.get(9, [])), "status": status.get(3, [0])[0],
                    "resource": resource,
                })
    return spans


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

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the
        # body until the client's delayed ACK (~40 ms) and every stub call looks 40 ms slower.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _ingestion_fault(self, kind: str) -> int:
        with self.server.state.lock:
            left, status = self.server.state.fail_next.get(kind, (0, 0))
            if left <= 0:
                return 0
            self.server.state.fail_next[kind] = (left - 1, status)
            return status

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
        if self.path == TRACES_PATH:
            self._traces(raw, started)
            return
        auth = parse_authorization(self.headers.get("authorization", ""))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"code": "InvalidParameter", "message": "bad json"})
            return
        if not auth or (state.public_key is not None and not verify_signature(self, auth, state.public_key, raw)):
            self._record(Call(self.path, "", 401, 0, 0, auth, started, 0.0))
            self._send(401, {"code": "NotAuthenticated", "message": "signature check failed"})
            return
        route = self.path.split("?", 1)[0]
        if route == SEARCH_PATH:
            self._search(body, auth, started)
        elif self.path == GUARDRAILS_PATH:
            self._guardrails(body, auth, started)
        elif self.path == CHAT_PATH:
            self._chat(body, auth, started)
        elif self.path == METRICS_PATH:
            self._ingest("metrics", body, auth, started)
        elif LOGS_PATH.match(self.path):
            self._ingest("logs", body, auth, started)
        elif self.path == EMBED_PATH:
            self._embed(body, auth, started)
        else:
            self._send(404, {"code": "NotFound", "message": "no such action"})

    def _signed(self, raw: bytes | None) -> dict[str, str] | None:
        """The request's parsed signature, or None after answering 401 (unsigned, or not verified)."""
        state = self.server.state
        auth = parse_authorization(self.headers.get("authorization", ""))
        if not auth or (state.public_key is not None and not verify_signature(self, auth, state.public_key, raw)):
            self._record(Call(self.path, "", 401, 0, 0, auth, time.monotonic(), 0.0))
            self._send(401, {"code": "NotAuthenticated", "message": "signature check failed"})
            return None
        return auth

    def do_PUT(self) -> None:
        started = time.monotonic()
        raw = self.rfile.read(int(self.headers.get("content-length", "0")))
        auth = self._signed(raw)
        if auth is None:
            return
        match = OBJECTS_PATH.match(urlsplit(self.path).path)
        if match is None or not match["name"]:
            self._send(404, {"code": "NotFound", "message": "no such action"})
            return
        fault = self._ingestion_fault("objects")
        if fault:
            self._record(Call(self.path, "objects", fault, 0, 0, auth, started, 0.0))
            self._send(fault, {"code": "InternalServerError", "message": "stub object storage failure"})
            return
        key = (unquote(match["ns"]), unquote(match["bucket"]), unquote(match["name"]))
        state = self.server.state
        with state.lock:
            exists = key in state.objects
            if not (exists and self.headers.get("if-none-match") == "*"):
                state.objects[key] = (raw, self.headers.get("content-type", "application/octet-stream"))
        if exists and self.headers.get("if-none-match") == "*":
            self._record(Call(self.path, "objects", 412, 0, 0, auth, started, 0.0))
            self._send(412, {"code": "PreconditionFailed", "message": "the object exists"})
            return
        self._record(Call(self.path, "objects", 200, 0, 0, auth, started, 0.0))
        self._send(200, {})

    def do_GET(self) -> None:
        started = time.monotonic()
        auth = self._signed(None)
        if auth is None:
            return
        url = urlsplit(self.path)
        match = OBJECTS_PATH.match(url.path)
        if match is None:
            self._send(404, {"code": "NotFound", "message": "no such action"})
            return
        ns, bucket = unquote(match["ns"]), unquote(match["bucket"])
        state = self.server.state
        if match["name"]:  # GetObject
            with state.lock:
                found = state.objects.get((ns, bucket, unquote(match["name"])))
            self._record(Call(url.path, "objects", 200 if found else 404, 0, 0, auth, started, 0.0))
            if found is None:
                self._send(404, {"code": "ObjectNotFound", "message": "no such object"})
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.send_header("opc-request-id", "stub")
            self.end_headers()
            self.wfile.write(body)
            return
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        limit = int(q.get("limit", "1000"))
        with state.lock:
            names = sorted(n for (o_ns, o_b, n) in state.objects if (o_ns, o_b) == (ns, bucket))
            sizes = {n: len(state.objects[(ns, bucket, n)][0]) for n in names}
        names = [n for n in names if n.startswith(q.get("prefix", "")) and n >= q.get("start", "")
                 and (not q.get("end") or n < q["end"])]
        page, rest = names[:limit], names[limit:]
        fields = set(q.get("fields", "name").split(","))
        objects = [{"name": n, **({"size": sizes[n]} if "size" in fields else {})} for n in page]
        self._record(Call(url.path, "objects", 200, 0, 0, auth, started, 0.0))
        self._send(200, {"objects": objects, "prefixes": [], **({"nextStartWith": rest[0]} if rest else {})})

    def _record(self, call: Call) -> None:
        with self.server.state.lock:
            self.server.state.calls.append(call)

    def _ingest(self, kind: str, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        fault = self._ingestion_fault(kind)
        if fault:
            self._record(Call(self.path, kind, fault, 0, 0, auth, started, 0.0))
            self._send(fault, {"code": "InternalServerError", "message": "stub ingestion failure"})
            return
        state = self.server.state
        with state.lock:
            if kind == "metrics":
                state.metric_batches.append(body)
            else:
                match = LOGS_PATH.match(self.path)
                assert match is not None
                state.log_batches.append(LogBatch(match["log_id"], body))
        self._record(Call(self.path, kind, 200, 0, 0, auth, started, 0.0))
        if kind == "metrics":
            self._send(200, {"failedMetricsCount": 0, "failedMetrics": []})
        else:
            self._send(200, {})

    def _search(self, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        # SearchLogsDetails / SearchResponse, logging-search API reference:
        # https://docs.oracle.com/en-us/iaas/api/#/en/logging-search/20190909/SearchResult/SearchLogs
        match = _SEARCH_QUERY.match(str(body.get("searchQuery", "")))
        params = parse_qs(urlsplit(self.path).query)
        try:
            start, end = (datetime.fromisoformat(str(body[k]).replace("Z", "+00:00")) for k in ("timeStart", "timeEnd"))
            limit = int(params.get("limit", ["100"])[0])
        except (KeyError, ValueError):
            match = None
        if match is None:
            self._record(Call(SEARCH_PATH, "search", 400, 0, 0, auth, started, 0.0))
            self._send(400, {"code": "InvalidParameter", "message": "query or time window the stub does not take"})
            return
        state = self.server.state
        rows = []
        with state.lock:
            for b in state.log_batches:
                if b.log_id != match["log"]:
                    continue
                for batch in b.body.get("logEntryBatches", []):
                    if batch.get("type") != match["type"]:
                        continue
                    for e in batch.get("entries", []):
                        when = datetime.fromisoformat(str(e.get("time") or batch["defaultlogentrytime"]).replace(
                            "Z", "+00:00"))
                        if start <= when <= end:
                            rows.append((when, batch, e))
        rows.sort(key=lambda r: r[0], reverse=True)
        results = [{"data": {"datetime": int(when.timestamp() * 1000), "logContent": {
            "data": _searched_data(e["data"]), "id": e["id"], "source": batch.get("source"), "specversion": "1.0",
            "time": when.isoformat(), "type": batch["type"],
            "oracle": {"compartmentid": match["compartment"], "loggroupid": match["group"], "logid": match["log"]}}}}
            for when, batch, e in rows[:limit]]
        self._record(Call(SEARCH_PATH, "search", 200, 0, 0, auth, started, 0.0))
        self._send(200, {"results": results, "summary": {"resultCount": len(results), "fieldCount": 0}})

    def _traces(self, raw: bytes, started: float) -> None:
        state = self.server.state
        expected = f"dataKey {state.apm_data_key}" if state.apm_data_key else None
        if expected is None or self.headers.get("authorization") != expected:
            self._record(Call(self.path, "traces", 401, 0, 0, {}, started, 0.0))
            self._send(401, {"code": "NotAuthenticated", "message": "data key check failed"})
            return
        if self.headers.get("content-type") != "application/x-protobuf":
            self._send(415, {"code": "UnsupportedMediaType", "message": "expected application/x-protobuf"})
            return
        fault = self._ingestion_fault("traces")
        if fault:
            self._record(Call(self.path, "traces", fault, 0, 0, {}, started, 0.0))
            self._send(fault, {"code": "InternalServerError", "message": "stub ingestion failure"})
            return
        spans = decode_spans(raw)
        with state.lock:
            state.span_batches.append(spans)
        self._record(Call(self.path, "traces", 200, 0, 0, {}, started, 0.0))
        self._send(200, {})

    def _guardrails(self, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        text = str((body.get("input") or {}).get("content", ""))
        injected = any(m in text.lower() for m in INJECTION_MARKERS)
        harmful = any(m in text.lower() for m in HARMFUL_MARKERS)
        configs = body.get("guardrailConfigs") or {}
        results: dict[str, Any] = {}
        if "promptInjectionConfig" in configs:
            results["promptInjection"] = {"score": 1.0 if injected else 0.0}
        if "contentModerationConfig" in configs:
            results["contentModeration"] = {"categories": [{"name": "OVERALL", "score": 1.0 if harmful else 0.0},
                                                           {"name": "BLOCKLIST", "score": 0.0}]}
        pii = configs.get("personallyIdentifiableInformationConfig")
        if pii is not None:
            wanted = set(pii.get("types") or [])
            results["personallyIdentifiableInformation"] = [
                {"text": m.group(0), "label": "EMAIL", "offset": m.start(), "length": len(m.group(0)), "score": 0.99}
                for m in _EMAIL.finditer(text) if "EMAIL" in wanted]
        self._record(Call(self.path, "guardrails", 200, len(text), 0, auth, started, 0.0))
        self._send(200, {"results": results})

    def _embed(self, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        # EmbedTextResult, generative-ai-inference API reference:
        # https://docs.oracle.com/en-us/iaas/api/#/en/generative-ai-inference/20231130/EmbedTextResult/
        mode = body.get("servingMode") or {}
        model = str(mode.get("endpointId") or mode.get("modelId") or "")
        texts = [str(t) for t in body.get("inputs") or []]
        self._record(Call(self.path, model, 200, sum(map(len, texts)), 0, auth, started, 0.0))
        from router.testing import minilm  # numpy + the unpacked model: loaded on the first embedText

        self._send(200, {"id": "stub", "modelId": model, "modelVersion": "1.0", "embeddings": minilm.embed(texts)})

    def _chat(self, body: dict[str, Any], auth: dict[str, str], started: float) -> None:
        state = self.server.state
        mode = body.get("servingMode") or {}
        model = str(mode.get("endpointId") or mode.get("modelId") or "")
        chat = body.get("chatRequest") or {}
        cohere = chat.get("apiFormat") == "COHERE"
        if cohere:  # the last user message is `message`; earlier turns are `chatHistory`
            history = [{"content": m.get("message", "")} for m in chat.get("chatHistory") or []]
            messages = history or [{"content": chat.get("message", "")}]
        else:
            messages = chat.get("messages") or []
        prompt_chars = _text_chars(messages)
        head = _last_text(messages)
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
        if b.reply is not None:
            text = b.reply
        elif state.answers == "extractive":
            text = model_double.extractive_answer(chat.get("messages") or [])
        else:
            text = reply_text(model)
        usage = {"promptTokens": max(1, prompt_chars // 4), "completionTokens": max(1, len(text) // 4)}
        usage["totalTokens"] = usage["promptTokens"] + usage["completionTokens"]
        resp: dict[str, Any] = {
            "modelId": model,
            "modelVersion": "1.0",
            "chatResponse": {"apiFormat": "COHERE", "text": text, "finishReason": "COMPLETE"} if cohere else {
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
        if chat.get("isStream") and not cohere:
            self._stream(text)
            return
        self._send(200, resp)

    def _stream(self, text: str) -> None:
        """A GENERIC streamed reply as server-sent events: the text in three deltas, then the finish
        reason (the shape LiteLLM's OCI stream parser reads: OCIStreamChunk {index, message, finishReason})."""
        third = max(1, len(text) // 3)
        pieces = [text[i:i + third] for i in range(0, len(text), third)]
        events = [{"index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": p}]}}
                  for p in pieces] + [{"index": 0, "finishReason": "stop"}]
        data = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(data)))
        self.send_header("date", formatdate(usegmt=True))
        self.send_header("opc-request-id", "stub")
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StubState


class OCIStub:
    """Run the stub on 127.0.0.1 in a background thread: `with OCIStub(public_key) as stub:`."""

    def __init__(
        self, public_key: rsa.RSAPublicKey | None = None, slow_s: float = 5.0, seed: int = 1234,
        apm_data_key: str | None = None,
        answers: str = "hello",
    ) -> None:
        if answers not in ("hello", "extractive"):
            raise ValueError("answers: must be hello or extractive")
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = StubState(public_key=public_key, slow_s=slow_s, rng=random.Random(seed),
                                      apm_data_key=apm_data_key, answers=answers)
        self._thread = threading.Thread(target=self.server.serve_forever, name="oci-stub", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def state(self) -> StubState:
        return self.server.state

    def script(self, model: str, mode: str = "ok", delay_s: float = 0.0, fail_rate: float = 0.0,
               reply: str | None = None) -> None:
        with self.state.lock:
            self.state.behaviours[model] = Behaviour(mode, delay_s, fail_rate, reply)

    def fail_ingestion(self, kind: str, times: int, status: int = 503) -> None:
        """Make the next ``times`` calls of ``kind`` (metrics, logs, traces, objects: PutObject) answer ``status``."""
        with self.state.lock:
            self.state.fail_next[kind] = (times, status)

    def metric_data(self) -> list[dict[str, Any]]:
        """Every posted MetricDataDetails (stream), across batches."""
        with self.state.lock:
            return [m for b in self.state.metric_batches for m in b.get("metricData", [])]

    def metric_sum(self, name: str, **dimensions: str) -> float:
        """The sum of the datapoint values posted for metric ``name`` on streams with these dimension values."""
        return sum(d["value"] for m in self.metric_data() if m["name"] == name
                   and all(m["dimensions"].get(k) == v for k, v in dimensions.items()) for d in m["datapoints"])

    def log_entries(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [e for b in self.state.log_batches for e in b.entries]

    def stored_objects(self, bucket: str | None = None) -> dict[str, bytes]:
        """Object name → body of what PutObject stored (in ``bucket`` when given)."""
        with self.state.lock:
            return {n: body for (_ns, b, n), (body, _t) in sorted(self.state.objects.items())
                    if bucket is None or b == bucket}

    def spans(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [s for b in self.state.span_batches for s in b]

    def calls(self, model: str | None = None, path: str = CHAT_PATH) -> list[Call]:
        """Finished calls to ``path`` (default: chat), of ``model`` (model id or endpoint OCID) when given."""
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
            self.state.metric_batches.clear()
            self.state.log_batches.clear()
            self.state.span_batches.clear()
            self.state.fail_next.clear()
            self.state.objects.clear()

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
