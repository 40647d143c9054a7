"""Router request logs to the custom log through OCI Logging ingestion (PutLogs), per prompt-logging level.

One entry per client request. ``FIELDS`` says which fields each level writes (router/README.md
tables it); a field not listed for the level is never built, so nothing can leak by accident.
No level writes a header, an API key, a signature or the data key; at ``full`` the message
bodies are written with secret-looking shapes (PEM keys, ``sk-`` keys, bearer tokens) masked.

Sent with the OCI SDK's ``LoggingClient.put_logs`` (``POST /20200831/logs/{logId}/actions/push``
on ``https://ingestion.logging.<region>.oci.oraclecloud.com``): ``PutLogsDetails(specversion="1.0",
log_entry_batches=[LogEntryBatch(source, type, defaultlogentrytime, entries=[LogEntry(id, time, data)])])``.
API: https://docs.oracle.com/en-us/iaas/api/#/en/logging-dataplane/20200831/LogEntry/PutLogs
"""

from __future__ import annotations

import json
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from genai_router_hooks.emitter import Emitter
from genai_router_hooks.metering import text_of

LEVELS: tuple[str, ...] = ("full", "metadata", "audit-only")
LOG_TYPE = "genai.router.request"
BATCH_MAX = 100

_AUDIT = ("time", "request_id", "trace_id", "tier", "tenant", "model", "status", "outcome",
          "prompt_injection", "harmful_output", "sensitive_data")
_METADATA = (*_AUDIT, "deployment", "attempts", "fallback", "cache_hit", "latency_ms",
             "prompt_characters", "response_characters", "cost_usd", "error_type", "stream",
             "version", "release", "prompt_version")
FIELDS: Mapping[str, tuple[str, ...]] = {
    "audit-only": _AUDIT,
    "metadata": _METADATA,
    "full": (*_METADATA, "messages", "response"),
}
"""Fields each prompt-logging level writes, in order."""

_SECRET_SHAPES = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|\bsk-[A-Za-z0-9_-]{8,}"
    r"|\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}",
    re.S,
)
MASK = "[masked]"


def mask_secrets(text: str) -> str:
    return _SECRET_SHAPES.sub(MASK, text)


def entry(level: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The log entry for ``record`` at ``level``: only that level's fields (ValueError on an unknown level)."""
    if level not in FIELDS:
        raise ValueError(f"prompt_logging: must be one of {', '.join(LEVELS)}")
    out: dict[str, Any] = {}
    for name in FIELDS[level]:
        value = record.get(name)
        if name == "messages":
            value = [{"role": str(m.get("role", "")), "content": mask_secrets(text_of(m.get("content")))}
                     for m in value or []]
        elif name == "response":
            value = mask_secrets(str(value or ""))
        out[name] = value
    return out


def ingestion_endpoint(region: str) -> str:
    return f"https://ingestion.logging.{region}.oci.oraclecloud.com"


class LogsEmitter(Emitter[dict[str, Any]]):
    signal = "logs"

    def __init__(self, send: Callable[[Any], int | None], **kw: Any) -> None:
        super().__init__(send, **kw)
        self._pending: list[dict[str, Any]] = []
        self.source = socket.gethostname()

    def absorb(self, item: dict[str, Any]) -> None:
        self._pending.append(item)

    def ready(self, force: bool) -> list[tuple[Any, int]]:
        from oci.loggingingestion.models import LogEntry, LogEntryBatch, PutLogsDetails

        out: list[tuple[Any, int]] = []
        while self._pending:
            batch, self._pending = self._pending[:BATCH_MAX], self._pending[BATCH_MAX:]
            now = datetime.now(UTC)
            entries = [LogEntry(id=str(uuid.uuid4()), time=_when(e.get("time"), now),
                                data=json.dumps(e, sort_keys=True, default=str)) for e in batch]
            details = PutLogsDetails(specversion="1.0", log_entry_batches=[
                LogEntryBatch(source=self.source, type=LOG_TYPE, defaultlogentrytime=now, entries=entries)])
            out.append((details, len(batch)))
        return out


def _when(value: Any, default: datetime) -> datetime:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else default


def oci_sender(client: Any, log_id: str) -> Callable[[Any], None]:
    def send(details: Any) -> None:
        client.put_logs(log_id, details)

    return send
