"""Evaluation samples: a sampled copy of answered requests in the evaluation-sample bucket (PutObject).

Where the tier keeps live traffic for evaluation in a bucket (``trafficSample.store: sample-bucket``
in policies/classification.yaml), the renderer writes ``genai_router.traffic_sample.rate`` and the
pod names the bucket and its namespace (``router.container.SAMPLE_BUCKET_ENV`` /
``SAMPLE_NAMESPACE_ENV``). The request log is untouched: it stays at the tier's prompt-logging level.

Which requests: answered (200) requests of a use case (a prompt version was applied), not the
online evaluation job's own (tenant ``releases.EVAL_TENANT``), each with probability ``rate``,
decided from the request id alone (``chosen``), so a test knows exactly which are sampled. A chosen
request that a guardrail flagged is never written: a prompt injection, or personal data in the
answer, is withheld and counted by reason (``WITHHELD``; the ``eval_samples_withheld`` metric).

What a sample holds (``FIELDS``, one JSON object per line; router/README.md tables it): the time,
request id, use case, prompt version, model, model version and release, the question (the last user
message without its document blocks), the documents the prompt carried (id and text, as the router
saw them: ``documents``), the answer, and the guardrails' verdicts. Never a header, key, token or
the tenant; texts pass through the request log's secret masking too.

How: the ``Emitter`` machinery the metrics and logs use (a bounded queue, off the request path; a
full buffer drops and counts into ``telemetry_dropped{signal=samples}``; a failed put retried with
backoff). Samples are grouped per minute (``period_s``; tests shorten it with
``GENAI_ROUTER_SAMPLE_PERIOD_S``) and each complete minute is one JSONL object,
``samples/<YYYYMMDDTHHMM>Z-<pod>-<random>.jsonl`` (names sort by minute, so the job lists the last
hour with ListObjects' ``start``), written with the OCI SDK's ``ObjectStorageClient.put_object``
(``PUT /n/{namespaceName}/b/{bucketName}/o/{objectName}``,
https://docs.oracle.com/en-us/iaas/api/#/en/objectstorage/20160918/Object/PutObject) with
``If-None-Match: *``: it only ever creates (the router's grant holds OBJECT_CREATE alone).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from genai_router_hooks import documents
from genai_router_hooks.emitter import Emitter
from genai_router_hooks.metering import text_of
from genai_router_hooks.request_log import mask_secrets

PREFIX = "samples/"
CONTENT_TYPE = "application/x-ndjson"
FIELDS: tuple[str, ...] = ("time", "request_id", "use_case", "prompt_version", "model", "version", "release",
                           "question", "documents", "answer", "guardrails")
"""What one sample holds, in order (router/README.md tables it)."""
WITHHELD: tuple[str, ...] = ("prompt_injection", "pii")
"""Why a chosen request is not written: the guardrails found a prompt injection, or personal data in
the answer (the ``reason`` of ``eval_samples_withheld``)."""
_SOURCE = re.compile(r"[^A-Za-z0-9-]")


def chosen(request_id: str, rate: float) -> bool:
    """Whether ``request_id`` falls in the sample: the first 8 bytes of its SHA-256 as a fraction of 2^64
    below ``rate`` (uniform over random ids; the same answer for the same id, every time)."""
    if rate <= 0:
        return False
    return int.from_bytes(hashlib.sha256(request_id.encode()).digest()[:8], "big") < rate * 2**64


def withheld(prompt_injection: bool, sensitive_data: bool) -> str | None:
    """Why a request must not be sampled (``WITHHELD``), or None."""
    if prompt_injection:
        return "prompt_injection"
    if sensitive_data:
        return "pii"
    return None


def record(*, at: float, request_id: str, prompt_version: str, model: str, version: str, release: str,
           messages: list[dict[str, Any]], answer: str, prompt_injection: bool, harmful_output: bool,
           sensitive_data: bool) -> dict[str, Any]:
    """The sample of one answered request (``FIELDS``, nothing else)."""
    texts = [text_of(m.get("content")) for m in messages]
    users = [text_of(m.get("content")) for m in messages if m.get("role") == "user"]
    docs: dict[str, str] = {}
    for t in texts:
        docs.update(documents.parse(t))
    return {
        "time": at,
        "request_id": request_id,
        "use_case": prompt_version.split("@", 1)[0],
        "prompt_version": prompt_version,
        "model": model,
        "version": version,
        "release": release,
        "question": mask_secrets(documents.strip(users[-1])) if users else "",
        "documents": [{"id": doc_id, "text": mask_secrets(text)} for doc_id, text in sorted(docs.items())],
        "answer": mask_secrets(answer),
        "guardrails": {"prompt_injection": prompt_injection, "harmful_output": harmful_output,
                       "sensitive_data": sensitive_data},
    }


def minute_name(minute: int) -> str:
    """The name prefix of a minute's objects (``samples/20261126T1907Z``): names sort by minute."""
    return f"{PREFIX}{datetime.fromtimestamp(minute * 60, UTC):%Y%m%dT%H%M}Z"


class SamplesEmitter(Emitter[dict[str, Any]]):
    signal = "samples"

    def __init__(self, send: Callable[[Any], int | None], *, clock: Callable[[], float] = time.time,
                 period_s: float = 60.0, **kw: Any) -> None:
        super().__init__(send, **kw)
        self.clock = clock
        self.period_s = period_s
        """Samples of one period become one object once the period is over (a minute, unless a test says)."""
        self._minutes: dict[int, list[dict[str, Any]]] = {}
        self.source = _SOURCE.sub("-", socket.gethostname())[:63] or "router"

    def absorb(self, item: dict[str, Any]) -> None:
        self._minutes.setdefault(int(float(item["time"]) // self.period_s), []).append(item)

    def ready(self, force: bool) -> list[tuple[Any, int]]:
        """One object per complete period (every period on ``flush``): (object name, JSONL body), named by the
        minute the period starts in."""
        now = int(self.clock() // self.period_s)
        out: list[tuple[Any, int]] = []
        for period in sorted(self._minutes):
            if period >= now and not force:
                continue
            lines = self._minutes.pop(period)
            body = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in lines).encode()
            minute = int(period * self.period_s // 60)
            out.append(((f"{minute_name(minute)}-{self.source}-{uuid.uuid4().hex[:12]}.jsonl", body), len(lines)))
        return out


def oci_sender(client: Any, namespace: str, bucket: str) -> Callable[[Any], None]:
    """``send`` for SamplesEmitter: one PutObject that only creates (If-None-Match: *). The SDK's own
    default retry strategy is off for it: the emitter retries (with its backoff) and counts what fails."""
    from oci.retry import NoneRetryStrategy

    def send(payload: tuple[str, bytes]) -> None:
        name, body = payload
        client.put_object(namespace, bucket, name, body, content_type=CONTENT_TYPE, if_none_match="*",
                          retry_strategy=NoneRetryStrategy())

    return send


def parse_object(body: bytes | str) -> list[Mapping[str, Any]]:
    """The samples of one object (for readers and tests): one JSON object per non-empty line."""
    text = body.decode() if isinstance(body, bytes) else body
    return [json.loads(line) for line in text.splitlines() if line.strip()]
