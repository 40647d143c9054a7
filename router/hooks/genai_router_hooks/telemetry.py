"""The router's telemetry: one object the handler calls; three background emitters behind it.

- metrics (``monitoring``): always on; OCI Monitoring in the config's region, or
  ``GENAI_ROUTER_MONITORING_ENDPOINT`` (tests point it at the loopback stub);
- request logs (``request_log``): on when ``GENAI_ROUTER_LOG_ID`` names the router's custom log
  (endpoint override ``GENAI_ROUTER_LOGGING_ENDPOINT``), at the tier's ``prompt_logging`` level;
- evaluation samples (``samples``): on when the config has ``traffic_sample.rate`` and the pod names
  the bucket and namespace (``GENAI_ROUTER_SAMPLE_BUCKET``, ``GENAI_ROUTER_SAMPLE_NAMESPACE``;
  endpoint override ``GENAI_ROUTER_OBJECTSTORAGE_ENDPOINT``);
- traces (``tracing``): on when the config's ``otel_endpoint`` (the APM domain's OTLP traces URL,
  rendered from its data upload endpoint) and the domain's private data key are both known. The
  key comes from the file ``GENAI_ROUTER_APM_DATA_KEY_FILE`` names (the pod mounts it from a
  Secret synced from Vault); ``GENAI_ROUTER_APM_ENDPOINT`` (a data upload endpoint) and
  ``GENAI_ROUTER_APM_DATA_KEY`` override both (tests point them at the loopback stub).

Metrics and logs are signed by the same OCI signer as chat (workload identity in OKE). Every
call from the request path only queues (``Emitter.offer``): nothing here waits on a network.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from genai_router_hooks import contract, monitoring, releases, request_log, samples, tracing
from genai_router_hooks.emitter import Emitter

log = logging.getLogger("genai_router_hooks")

ENV_MONITORING_ENDPOINT = "GENAI_ROUTER_MONITORING_ENDPOINT"
ENV_LOGGING_ENDPOINT = "GENAI_ROUTER_LOGGING_ENDPOINT"
ENV_LOG_ID = "GENAI_ROUTER_LOG_ID"
ENV_SAMPLE_BUCKET = "GENAI_ROUTER_SAMPLE_BUCKET"
ENV_SAMPLE_NAMESPACE = "GENAI_ROUTER_SAMPLE_NAMESPACE"
ENV_OBJECTSTORAGE_ENDPOINT = "GENAI_ROUTER_OBJECTSTORAGE_ENDPOINT"
ENV_SAMPLE_PERIOD = "GENAI_ROUTER_SAMPLE_PERIOD_S"
"""Seconds of samples per object (default 60: one object per pod and minute); tests shorten it."""
ENV_APM_ENDPOINT = "GENAI_ROUTER_APM_ENDPOINT"
ENV_APM_DATA_KEY = "GENAI_ROUTER_APM_DATA_KEY"
ENV_APM_DATA_KEY_FILE = "GENAI_ROUTER_APM_DATA_KEY_FILE"
SHUTDOWN_FLUSH_S = 5.0
"""Cap of each flush a stopping proxy makes (the early one on SIGTERM and the final one after the drain,
``handler``), all emitters together: inside the pod's terminationGracePeriodSeconds with LiteLLM's drain
(``router.container.TERMINATION_GRACE_S``)."""
ENV_INTERVAL = "GENAI_ROUTER_TELEMETRY_INTERVAL_S"
DEFAULT_INTERVAL_S = 10.0
BUFFER = 10_000
MAX_TOOLS_PER_REQUEST = 8


def release_labels(version: str = "", release: str = "", prompt_version: str = "") -> dict[str, str]:
    """The contract's release labels of a request (``contract.NONE`` where one does not apply or is not known)."""
    return {contract.VERSION: version or contract.NONE, contract.RELEASE: release or contract.NONE,
            contract.PROMPT_VERSION: prompt_version or contract.NONE}


@dataclass
class Attempt:
    """One upstream call (first try, retry or fallback)."""

    deployment: str
    model: str
    start: float
    end: float
    span_id: str = field(default_factory=tracing.new_span_id)
    error_type: str = ""
    timed_out: bool = False


@dataclass
class RequestRecord:
    """Everything known about one client request when it ends."""

    request_id: str
    trace_id: str
    span_id: str
    model: str
    start: float
    end: float
    status: int
    tenant: str = ""
    deployment: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    cache_hit: bool = False
    prompt_characters: int = 0
    response_characters: int = 0
    cost_usd: float = 0.0
    version: str = ""
    """Model version that answered (the deployment's model_info.version; canaries set it)."""
    release: str = ""
    """stable or candidate."""
    prompt_version: str = ""
    """`<use-case>@<version>` of the system prompt the router applied, if any."""
    error_type: str = ""
    stream: bool = False
    prompt_injection: bool = False
    harmful_output: bool = False
    sensitive_data: bool = False
    tool_errors: tuple[str, ...] = ()
    messages: list[dict[str, Any]] = field(default_factory=list)
    response: str = ""

    @property
    def outcome(self) -> str:
        if self.status < 400:
            return "ok"
        if self.prompt_injection or self.harmful_output or self.sensitive_data:
            return "blocked"
        if self.status == 429:
            return "rate_limited"
        return "client_error" if self.status < 500 else "error"


class Telemetry:
    def __init__(
        self,
        *,
        tier: str,
        prompt_logging: str,
        models: Iterable[str],
        metrics: monitoring.MetricsEmitter | None,
        logs: request_log.LogsEmitter | None,
        traces: tracing.TracesEmitter | None,
        samples_: samples.SamplesEmitter | None = None,
        sample_rate: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if prompt_logging not in request_log.LEVELS:
            raise ValueError(f"prompt_logging: must be one of {', '.join(request_log.LEVELS)}")
        self.tier = tier
        self.prompt_logging = prompt_logging
        self.models = frozenset(models)
        self.metrics, self.logs, self.traces, self.samples = metrics, logs, traces, samples_
        self.sample_rate = sample_rate if samples_ is not None else 0.0
        self.clock = clock

    @property
    def emitters(self) -> list[Emitter[Any]]:
        return [e for e in (self.metrics, self.logs, self.traces, self.samples) if e is not None]

    def sample_wanted(self, request_id: str, tenant: str, prompt_version: str) -> bool:
        """Whether a request is chosen for the evaluation sample (known before it is answered, so the
        handler keeps its messages only then): a use case's request, not the online job's own."""
        return (self.samples is not None and bool(prompt_version) and tenant != releases.EVAL_TENANT
                and samples.chosen(request_id, self.sample_rate))

    def drops(self) -> dict[str, int]:
        return {e.signal: e.dropped for e in self.emitters}

    def start(self) -> Telemetry:
        for e in self.emitters:
            e.start()
        return self

    def flush(self, timeout: float = 30.0) -> bool:
        """Send what every emitter holds; True once all have. ``timeout`` bounds the whole flush (the
        emitters share it); what is not sent by then stays queued for the emitters' own threads."""
        # Logs, traces and samples first: their send failures become drops the metrics flush reports.
        deadline = time.monotonic() + timeout
        return all([e.flush(max(0.0, deadline - time.monotonic()))
                    for e in (self.logs, self.traces, self.samples, self.metrics) if e is not None])

    # -- dimension values ----------------------------------------------------------------------
    def model_dim(self, model: str) -> str:
        return model if model in self.models else contract.OTHER

    def _metric(self, name: str, model: str, value: float, at: float, namespace: str = contract.ROUTER_NS,
                labels: Mapping[str, str] | None = None, **extra: str) -> None:
        if self.metrics is not None:
            dims = {contract.MODEL: self.model_dim(model), **(labels or release_labels()), **extra}
            self.metrics.offer(monitoring.observe(name, dims, value, at, namespace))

    # -- request path --------------------------------------------------------------------------
    def prompt_injection(self, model: str, labels: Mapping[str, str] | None = None) -> None:
        self._metric("prompt_injections", model, 1, self.clock(), contract.SAFETY_NS, labels)

    def output_findings(self, model: str, harmful: bool, sensitive: bool,
                        labels: Mapping[str, str] | None = None) -> None:
        now = self.clock()
        if harmful:
            self._metric("harmful_outputs", model, 1, now, contract.SAFETY_NS, labels)
        if sensitive:
            self._metric("sensitive_data_detections", model, 1, now, contract.SAFETY_NS, labels)

    def guardrail_failure(self, model: str, labels: Mapping[str, str] | None = None) -> None:
        self._metric("guardrail_failures", model, 1, self.clock(), labels=labels)

    def request(self, rec: RequestRecord) -> None:
        at = rec.end
        model = rec.model
        labels = release_labels(rec.version, rec.release, rec.prompt_version)

        def metric(name: str, value: float, **extra: str) -> None:
            self._metric(name, model, value, at, labels=labels, **extra)

        metric("requests", 1)
        metric("error_ratio", 1.0 if rec.status >= 500 else 0.0)
        metric("latency_ms", max(0.0, (rec.end - rec.start) * 1000.0))
        timeouts = sum(1 for a in rec.attempts if a.timed_out)
        if timeouts:
            metric("model_timeouts", timeouts)
        for tool in rec.tool_errors[:MAX_TOOLS_PER_REQUEST]:
            metric("tool_errors", 1, tool=tool or contract.OTHER)
        if rec.status < 400:
            metric("cost_per_query_usd", rec.cost_usd)
        if rec.cost_usd:
            metric("cost_usd", rec.cost_usd)
        chars = rec.prompt_characters + rec.response_characters if rec.attempts else 0
        if chars:
            metric("characters", chars)
        if rec.cache_hit:
            metric("cache_hits", 1)
        if self.logs is not None:
            self.logs.offer(request_log.entry(self.prompt_logging, self._log_record(rec)))
        if self.traces is not None:
            for span in self._spans(rec):
                self.traces.offer(span)
        if self.samples is not None and rec.status == 200 and self.sample_wanted(
                rec.request_id, rec.tenant, rec.prompt_version):
            reason = samples.withheld(rec.prompt_injection, rec.sensitive_data)
            if reason is not None:  # a sample never holds what the guardrails flagged
                metric("eval_samples_withheld", 1, **{contract.REASON: reason})
            else:
                self.samples.offer(samples.record(
                    at=rec.end, request_id=rec.request_id, prompt_version=rec.prompt_version, model=rec.model,
                    version=rec.version, release=rec.release, messages=rec.messages, answer=rec.response,
                    prompt_injection=rec.prompt_injection, harmful_output=rec.harmful_output,
                    sensitive_data=rec.sensitive_data))

    def _log_record(self, rec: RequestRecord) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time": rec.end, "request_id": rec.request_id, "trace_id": rec.trace_id, "tier": self.tier,
            "tenant": rec.tenant, "model": rec.model, "status": rec.status, "outcome": rec.outcome,
            "prompt_injection": rec.prompt_injection, "harmful_output": rec.harmful_output,
            "sensitive_data": rec.sensitive_data, "deployment": rec.deployment, "attempts": len(rec.attempts),
            "fallback": len({a.model for a in rec.attempts}) > 1, "cache_hit": rec.cache_hit,
            "latency_ms": round((rec.end - rec.start) * 1000.0, 3), "prompt_characters": rec.prompt_characters,
            "response_characters": rec.response_characters, "cost_usd": rec.cost_usd,
            "error_type": rec.error_type, "stream": rec.stream,
            "version": rec.version, "release": rec.release, "prompt_version": rec.prompt_version,
        }
        if self.prompt_logging == "full":  # bodies are not even handed to the log builder otherwise
            out["messages"] = rec.messages
            out["response"] = rec.response
        return out

    def _spans(self, rec: RequestRecord) -> list[tracing.Span]:
        ns = 1_000_000_000
        spans = [tracing.Span(
            rec.trace_id, rec.span_id, "chat " + rec.model, tracing.SERVER, int(rec.start * ns), int(rec.end * ns),
            error=rec.status >= 500,
            attributes={"genai.router.model": rec.model, "http.response.status_code": rec.status,
                        "genai.router.tier": self.tier, "genai.router.cache_hit": rec.cache_hit,
                        "genai.router.attempts": len(rec.attempts), "genai.router.version": rec.version,
                        "genai.router.release": rec.release, "genai.prompt.version": rec.prompt_version})]
        for a in rec.attempts:
            spans.append(tracing.Span(
                rec.trace_id, a.span_id, "oci.chat " + a.deployment, tracing.CLIENT, int(a.start * ns),
                int(a.end * ns), parent_span_id=rec.span_id, error=bool(a.error_type),
                attributes={"genai.router.deployment": a.deployment, "genai.router.model": a.model,
                            "genai.router.timeout": a.timed_out, "error.type": a.error_type}))
        return spans


def objectstorage_endpoint(region: str) -> str:
    """Object Storage's API endpoint (https://docs.oracle.com/en-us/iaas/api/#/en/objectstorage/20160918/)."""
    return f"https://objectstorage.{region}.oraclecloud.com"


def _read_key(path: str | None) -> str:
    """The data key from its mounted file; raises when the pod names a file it cannot read."""
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError as exc:
        raise RuntimeError(f"genai_router_hooks: {ENV_APM_DATA_KEY_FILE} names a file that cannot be read "
                           f"({type(exc).__name__})") from None


def from_config(cfg: Mapping[str, Any], signer: Any, client_config: Mapping[str, Any],
                env: Mapping[str, str] | None = None) -> Telemetry:
    """Build the telemetry of the ``genai_router`` config section (not started)."""
    env = os.environ if env is None else env
    region = str(cfg["region"])
    interval = float(env.get(ENV_INTERVAL) or DEFAULT_INTERVAL_S)
    common: dict[str, Any] = {"capacity": BUFFER, "interval_s": interval}
    holder: list[Telemetry] = []

    def drops() -> dict[str, int]:
        return holder[0].drops() if holder else {}

    import oci

    mon_client = oci.monitoring.MonitoringClient(
        dict(client_config), signer=signer,
        service_endpoint=env.get(ENV_MONITORING_ENDPOINT) or monitoring.ingestion_endpoint(region))
    metrics = monitoring.MetricsEmitter(monitoring.oci_sender(mon_client), str(cfg["compartment_ocid"]),
                                        drop_sources=drops, **common)
    logs = None
    if env.get(ENV_LOG_ID):
        log_client = oci.loggingingestion.LoggingClient(
            dict(client_config), signer=signer,
            service_endpoint=env.get(ENV_LOGGING_ENDPOINT) or request_log.ingestion_endpoint(region))
        logs = request_log.LogsEmitter(request_log.oci_sender(log_client, env[ENV_LOG_ID]), **common)
    traces = None
    url = tracing.traces_url(env[ENV_APM_ENDPOINT]) if env.get(ENV_APM_ENDPOINT) else cfg.get("otel_endpoint")
    key = env.get(ENV_APM_DATA_KEY) or _read_key(env.get(ENV_APM_DATA_KEY_FILE))
    if url and key:
        traces = tracing.TracesEmitter(
            tracing.otlp_sender(str(url), key),
            {"service.name": "genai-router", "genai.router.tier": str(cfg.get("classification_tier", ""))},
            **common)
    sampler, rate = None, float((cfg.get("traffic_sample") or {}).get("rate") or 0.0)
    if rate > 0 and env.get(ENV_SAMPLE_BUCKET) and env.get(ENV_SAMPLE_NAMESPACE):
        os_client = oci.object_storage.ObjectStorageClient(
            dict(client_config), signer=signer,
            service_endpoint=env.get(ENV_OBJECTSTORAGE_ENDPOINT) or objectstorage_endpoint(region))
        sampler = samples.SamplesEmitter(
            samples.oci_sender(os_client, env[ENV_SAMPLE_NAMESPACE], env[ENV_SAMPLE_BUCKET]),
            period_s=float(env.get(ENV_SAMPLE_PERIOD) or 60.0), **common)
    elif rate > 0:
        raise RuntimeError(f"genai_router_hooks: traffic_sample is configured but {ENV_SAMPLE_BUCKET} or "
                           f"{ENV_SAMPLE_NAMESPACE} is not set")
    t = Telemetry(tier=str(cfg.get("classification_tier", "")), prompt_logging=str(cfg.get("prompt_logging")),
                  models=cfg.get("models") or (), metrics=metrics, logs=logs, traces=traces, samples_=sampler,
                  sample_rate=rate)
    holder.append(t)
    return t
