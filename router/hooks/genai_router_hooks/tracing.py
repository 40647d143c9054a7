"""Traces to the OCI APM domain over OTLP/HTTP (binary protobuf), authenticated with the domain's data key.

One SERVER span per client request and one CLIENT span per upstream attempt (retries and
fallbacks included), children of the request span. APM's OTLP endpoint for traces sent with a
private data key is ``https://<dataUploadEndpoint>/20200101/opentelemetry/private/v1/traces``
with the header ``Authorization: dataKey <key>``
(https://docs.oracle.com/en-us/iaas/application-performance-monitoring/doc/configure-opentelemetry.html).
The data key comes from Vault through the pod's environment, never from config or logs.

The payload is an ``ExportTraceServiceRequest`` encoded here with the protobuf wire format
(field numbers from opentelemetry-proto: ``opentelemetry/proto/trace/v1/trace.proto``,
``common/v1/common.proto``, ``collector/trace/v1/trace_service.proto``,
https://github.com/open-telemetry/opentelemetry-proto); binary protobuf is the encoding every
OTLP/HTTP receiver must accept (https://opentelemetry.io/docs/specs/otlp/#otlphttp). The
router image has no OpenTelemetry SDK, and a dozen lines of encoder cost less than one.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from genai_router_hooks.emitter import Emitter

TRACES_PATH = "/20200101/opentelemetry/private/v1/traces"
SERVER, CLIENT = 2, 3  # Span.SpanKind
STATUS_OK, STATUS_ERROR = 1, 2  # Status.StatusCode
SCOPE = "genai_router_hooks"
BATCH_MAX = 512


def new_trace_id() -> str:
    return os.urandom(16).hex()


def new_span_id() -> str:
    return os.urandom(8).hex()


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    name: str
    kind: int
    start_ns: int
    end_ns: int
    parent_span_id: str = ""
    error: bool = False
    attributes: Mapping[str, str | int | float | bool] = field(default_factory=dict)


# -- protobuf wire format ---------------------------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _tag(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes(number: int, data: bytes) -> bytes:
    return _tag(number, 2) + _varint(len(data)) + data


def _str(number: int, text: str) -> bytes:
    return _bytes(number, text.encode()) if text else b""


def _uint(number: int, n: int) -> bytes:
    return _tag(number, 0) + _varint(n) if n else b""


def _fixed64(number: int, n: int) -> bytes:
    return _tag(number, 1) + struct.pack("<Q", n)


def _any_value(v: str | int | float | bool) -> bytes:
    # AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4
    if isinstance(v, bool):
        return _tag(2, 0) + _varint(int(v))
    if isinstance(v, int):
        return _tag(3, 0) + _varint(v)
    if isinstance(v, float):
        return _tag(4, 1) + struct.pack("<d", v)
    return _bytes(1, str(v).encode())


def _key_values(number: int, attrs: Mapping[str, str | int | float | bool]) -> bytes:
    # KeyValue: key = 1, value = 2
    return b"".join(_bytes(number, _str(1, k) + _bytes(2, _any_value(v))) for k, v in sorted(attrs.items()))


def _span(s: Span) -> bytes:
    status = _uint(3, STATUS_ERROR if s.error else STATUS_OK)  # Status.code = 3
    return (
        _bytes(1, bytes.fromhex(s.trace_id))
        + _bytes(2, bytes.fromhex(s.span_id))
        + (_bytes(4, bytes.fromhex(s.parent_span_id)) if s.parent_span_id else b"")
        + _str(5, s.name)
        + _uint(6, s.kind)
        + _fixed64(7, s.start_ns)
        + _fixed64(8, s.end_ns)
        + _key_values(9, s.attributes)
        + _bytes(15, status)
    )


def encode(spans: list[Span], resource: Mapping[str, str]) -> bytes:
    """ExportTraceServiceRequest{resource_spans: [ResourceSpans{resource, scope_spans: [ScopeSpans]}]}."""
    scope = _str(1, SCOPE)  # InstrumentationScope.name = 1
    scope_spans = _bytes(1, scope) + b"".join(_bytes(2, _span(s)) for s in spans)
    resource_msg = _key_values(1, resource)  # Resource.attributes = 1
    resource_spans = _bytes(1, resource_msg) + _bytes(2, scope_spans)
    return _bytes(1, resource_spans)


class TracesEmitter(Emitter[Span]):
    signal = "traces"

    def __init__(self, send: Callable[[Any], int | None], resource: Mapping[str, str], **kw: Any) -> None:
        super().__init__(send, **kw)
        self.resource = dict(resource)
        self._pending: list[Span] = []

    def absorb(self, item: Span) -> None:
        self._pending.append(item)

    def ready(self, force: bool) -> list[tuple[Any, int]]:
        out: list[tuple[Any, int]] = []
        while self._pending:
            batch, self._pending = self._pending[:BATCH_MAX], self._pending[BATCH_MAX:]
            out.append((encode(batch, self.resource), len(batch)))
        return out


def traces_url(data_upload_endpoint: str) -> str:
    """The OTLP traces URL of a data upload endpoint (the stack renders the same into ``otel_endpoint``)."""
    return data_upload_endpoint.rstrip("/") + TRACES_PATH


def otlp_sender(url: str, data_key: str, timeout_s: float = 10.0) -> Callable[[bytes], None]:
    """POST binary OTLP to the traces ``url`` with the domain's private data key."""
    import requests

    session = requests.Session()
    headers = {"Authorization": f"dataKey {data_key}", "Content-Type": "application/x-protobuf"}

    def send(body: bytes) -> None:
        resp = session.post(url, data=body, headers=headers, timeout=timeout_s)
        resp.raise_for_status()

    return send
