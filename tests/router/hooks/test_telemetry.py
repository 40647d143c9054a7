"""Telemetry emitters against the loopback OCI stub: real OCI SDK clients, verified signatures.

Metrics (PostMetricData), request logs (PutLogs) and spans (OTLP/HTTP protobuf, data key) are
captured by the stub only when their signature (or data key) checks out; the prompt-logging
levels are asserted field by field; a canary secret in a prompt never reaches a log at
`metadata` or `audit-only`; a full buffer drops and counts instead of blocking; a failing
ingestion endpoint is retried with backoff.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from genai_router_hooks import contract, monitoring, request_log, telemetry, tracing

from core.apm import OTLP_PRIVATE_TRACES_PATH
from router.container import APM_DATA_KEY_FILE_ENV
from router.testing.oci_stub import METRICS_PATH, TRACES_PATH, OCIStub
from router.testing.proxy import FINGERPRINT, TENANCY, USER, api_key_signer, signed_stub

pytestmark = pytest.mark.unit

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
LOG_ID = "ocid1.log.oc1.eu-frankfurt-1.amaaaaaatestlog"
DATA_KEY = "TESTDATAKEY0123456789"
CANARY = "sk-canary7f3a9c1e5b2d4f60"
CANARY_PHRASE = "canary-phrase-quetzal-42"


@pytest.fixture()
def rig(tmp_path: Path) -> Iterator[tuple[OCIStub, Any, dict[str, str]]]:
    with signed_stub(tmp_path, apm_data_key=DATA_KEY) as (stub, key_file, _):
        env = {
            telemetry.ENV_MONITORING_ENDPOINT: stub.url, telemetry.ENV_LOGGING_ENDPOINT: stub.url,
            telemetry.ENV_LOG_ID: LOG_ID, telemetry.ENV_APM_ENDPOINT: stub.url,
            telemetry.ENV_APM_DATA_KEY: DATA_KEY,
        }
        yield stub, api_key_signer(key_file), env


def _telemetry(rig: tuple[OCIStub, Any, dict[str, str]], level: str = "metadata", **env: str) -> telemetry.Telemetry:
    _, (signer, config), base = rig
    cfg = {"region": "eu-frankfurt-1", "compartment_ocid": COMPARTMENT, "classification_tier": "internal",
           "prompt_logging": level, "models": ["chat-premium", "chat-economy"]}
    t = telemetry.from_config(cfg, signer, config, env={**base, **env})
    for e in t.emitters:
        e.backoff_s = 0.0
    return t


def _record(**kw: Any) -> telemetry.RequestRecord:
    base: dict[str, Any] = {
        "request_id": "req-1", "trace_id": tracing.new_trace_id(), "span_id": tracing.new_span_id(),
        "model": "chat-premium", "start": 1_800_000_000.0, "end": 1_800_000_000.25, "status": 200,
        "tenant": "team-a", "deployment": "llama-70b",
        "attempts": [telemetry.Attempt("llama-70b", "chat-premium", 1_800_000_000.01, 1_800_000_000.2)],
        "prompt_characters": 40, "response_characters": 20, "cost_usd": 0.0012,
        "messages": [{"role": "user", "content": f"my key is {CANARY} and {CANARY_PHRASE}"}],
        "response": "Hello.",
    }
    base.update(kw)
    return telemetry.RequestRecord(**base)


def _stream(stub: OCIStub, name: str) -> list[dict[str, Any]]:
    return [m for m in stub.metric_data() if m["name"] == name]


def test_metrics_are_posted_signed_with_the_contracts_names_units_and_dimensions(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig)
    t.request(_record())
    t.request(_record(request_id="req-2", status=503, attempts=[
        telemetry.Attempt("llama-70b", "chat-premium", 1_800_000_000.0, 1_800_000_000.1, error_type="Timeout",
                          timed_out=True)], cost_usd=0.0))
    t.request(_record(request_id="req-3", model="not-in-catalogue", tool_errors=("search",)))
    t.request(_record(request_id="req-4", version="llama-canary", release="candidate",
                      prompt_version="rag-assistant@1.1.0"))
    t.prompt_injection("chat-premium", telemetry.release_labels(prompt_version="rag-assistant@1.1.0"))
    assert t.flush()
    posts = stub.calls(path=METRICS_PATH)
    assert posts and all(c.status == 200 for c in posts)
    assert all(c.authorization["keyId"] == f"{TENANCY}/{USER}/{FINGERPRINT}" for c in posts)
    data = stub.metric_data()
    for m in data:
        decl = contract.metric(m["namespace"], m["name"])  # every stream is declared
        assert sorted(m["dimensions"]) == sorted(decl.dimensions)
        assert m["metadata"] == {"unit": decl.unit}
        assert m["compartmentId"] == COMPARTMENT
    unlabelled = {contract.VERSION: contract.NONE, contract.RELEASE: contract.NONE,
                  contract.PROMPT_VERSION: contract.NONE}
    ratio = [m for m in _stream(stub, "error_ratio")
             if m["dimensions"] == {"model": "chat-premium", **unlabelled}]
    assert [(d["value"], d["count"]) for d in ratio[0]["datapoints"]] == [(0.5, 2)]
    assert _stream(stub, "model_timeouts")[0]["datapoints"][0]["value"] == 1
    assert {m["dimensions"]["model"] for m in _stream(stub, "requests")} == {"chat-premium", contract.OTHER}
    assert _stream(stub, "tool_errors")[0]["dimensions"] == {"model": contract.OTHER, "tool": "search", **unlabelled}
    # The canary's request is its own stream, labelled with model version, release and prompt version.
    canary = [m for m in _stream(stub, "requests") if m["dimensions"][contract.RELEASE] == "candidate"]
    assert [m["dimensions"] for m in canary] == [{"model": "chat-premium", contract.VERSION: "llama-canary",
                                                 contract.RELEASE: "candidate",
                                                 contract.PROMPT_VERSION: "rag-assistant@1.1.0"}]
    assert canary[0]["datapoints"][0]["value"] == 1
    inj = _stream(stub, "prompt_injections")[0]
    assert inj["namespace"] == contract.SAFETY_NS and inj["datapoints"][0]["value"] == 1
    assert inj["dimensions"][contract.PROMPT_VERSION] == "rag-assistant@1.1.0"
    assert inj["dimensions"][contract.VERSION] == contract.NONE  # refused before any model answered
    latency = _stream(stub, "latency_ms")
    assert sum(d["count"] for m in latency for d in m["datapoints"]) == 4
    assert {d["value"] for m in latency for d in m["datapoints"]} == {250.0}


def test_aggregation_per_minute_and_at_most_50_streams_per_call() -> None:
    sent: list[Any] = []
    em = monitoring.MetricsEmitter(lambda d: sent.append(d) or 0, COMPARTMENT, clock=lambda: 120.5)
    labels = telemetry.release_labels()
    for i in range(60):
        em.absorb(monitoring.observe("requests", {"model": f"m{i}", **labels}, 1, 120.0))
    for v in (0.0, 1.0, 1.0, 0.0):
        em.absorb(monitoring.observe("error_ratio", {"model": "m0", **labels}, v, 130.0))
    for v in (101.0, 104.0, 9000.0):
        em.absorb(monitoring.observe("latency_ms", {"model": "m0", **labels}, v, 179.0))
    em.absorb(monitoring.observe("cost_per_query_usd", {"model": "m0", **labels}, 0.5, 181.0))
    em.flush()
    assert [len(d.metric_data) for d in sent] == [50, 13]
    by = {(m.name, m.dimensions["model"]): m for d in sent for m in d.metric_data}
    assert [(p.value, p.count) for p in by[("error_ratio", "m0")].datapoints] == [(0.5, 4)]
    assert [(p.value, p.count) for p in by[("latency_ms", "m0")].datapoints] == [(100.0, 2), (9000.0, 1)]
    cost = by[("cost_per_query_usd", "m0")].datapoints
    assert [p.timestamp.timestamp() for p in cost] == [180.0]  # minute start
    assert sent[0].batch_atomicity == "NON_ATOMIC"


def test_undeclared_metric_or_dimension_is_refused() -> None:
    with pytest.raises(KeyError, match="not declared"):
        monitoring.observe("made_up", {"model": "m"}, 1, 0.0)
    with pytest.raises(ValueError, match="dimensions must be model, version, release, prompt_version, tool"):
        monitoring.observe("tool_errors", {"model": "m", **telemetry.release_labels()}, 1, 0.0)
    with pytest.raises(ValueError, match="dimensions must be model, version"):
        monitoring.observe("requests", {"model": "m"}, 1, 0.0)  # the release labels are not optional


@pytest.mark.parametrize("level", request_log.LEVELS)
def test_prompt_logging_levels_field_by_field(rig: Any, level: str) -> None:
    stub = rig[0]
    t = _telemetry(rig, level)
    t.request(_record())
    assert t.flush()
    batch = stub.state.log_batches
    assert [b.log_id for b in batch] == [LOG_ID]
    assert batch[0].body["specversion"] == "1.0"
    assert batch[0].body["logEntryBatches"][0]["type"] == request_log.LOG_TYPE
    (entry,) = stub.log_entries()
    assert set(entry) == set(request_log.FIELDS[level])
    assert entry["request_id"] == "req-1" and entry["tier"] == "internal" and entry["outcome"] == "ok"
    raw = json.dumps(batch[0].body)
    assert CANARY not in raw  # masked at full, absent otherwise
    if level == "full":
        assert entry["messages"] == [{"role": "user", "content": f"my key is [masked] and {CANARY_PHRASE}"}]
        assert entry["response"] == "Hello."
        assert entry["latency_ms"] == 250.0 and entry["cost_usd"] == 0.0012
    else:
        assert CANARY_PHRASE not in raw
        assert "messages" not in entry and "response" not in entry
    if level == "audit-only":
        assert not {"latency_ms", "cost_usd", "prompt_characters", "deployment"} & set(entry)


def test_levels_table_is_nested() -> None:
    audit, meta, full = (set(request_log.FIELDS[x]) for x in ("audit-only", "metadata", "full"))
    assert audit < meta < full
    assert full - meta == {"messages", "response"}
    with pytest.raises(ValueError, match="prompt_logging: must be one of"):
        request_log.entry("everything", {})


def test_spans_one_per_request_and_per_attempt_with_the_data_key(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig)
    rec = _record(attempts=[
        telemetry.Attempt("llama-70b", "chat-premium", 1_800_000_000.01, 1_800_000_000.05, error_type="InternalServerError"),
        telemetry.Attempt("scout", "chat-economy", 1_800_000_000.06, 1_800_000_000.2)])
    t.request(rec)
    assert t.flush()
    spans = stub.spans()
    assert len(spans) == 3
    root = [s for s in spans if s["kind"] == tracing.SERVER]
    assert len(root) == 1 and root[0]["span_id"] == rec.span_id and root[0]["parent_span_id"] == ""
    children = [s for s in spans if s["kind"] == tracing.CLIENT]
    assert {s["parent_span_id"] for s in children} == {rec.span_id}
    assert {s["trace_id"] for s in spans} == {rec.trace_id}
    assert [s["status"] for s in children] == [tracing.STATUS_ERROR, tracing.STATUS_OK]
    assert children[0]["attributes"]["error.type"] == "InternalServerError"
    assert root[0]["start_ns"] == 1_800_000_000_000_000_000 and root[0]["resource"]["service.name"] == "genai-router"
    assert root[0]["attributes"]["http.response.status_code"] == 200


def test_planned_shape_endpoint_from_config_key_from_mounted_file(rig: Any, tmp_path: Path) -> None:
    """As the pod runs it: the traces URL is the config's otel_endpoint, the key a Secret-mounted file."""
    stub, (signer, config), base = rig
    assert tracing.TRACES_PATH == OTLP_PRIVATE_TRACES_PATH  # the stack renders the URL with core.apm's path
    assert telemetry.ENV_APM_DATA_KEY_FILE == APM_DATA_KEY_FILE_ENV  # the Deployment sets this name
    key_file = tmp_path / "apm-data-key"
    key_file.write_text(DATA_KEY + "\n", encoding="utf-8")
    env = {k: v for k, v in base.items() if k not in (telemetry.ENV_APM_ENDPOINT, telemetry.ENV_APM_DATA_KEY)}
    env[telemetry.ENV_APM_DATA_KEY_FILE] = str(key_file)
    cfg = {"region": "eu-frankfurt-1", "compartment_ocid": COMPARTMENT, "classification_tier": "internal",
           "prompt_logging": "metadata", "models": ["chat-premium"], "otel_endpoint": stub.url + TRACES_PATH}
    t = telemetry.from_config(cfg, signer, config, env=env)
    t.request(_record())
    assert t.flush()
    assert len(stub.spans()) == 2 and t.drops()["traces"] == 0  # the request and its attempt
    # No key, no traces (never an unauthenticated upload); an unreadable key file is an error naming the variable.
    assert telemetry.from_config(cfg, signer, config, env={k: v for k, v in env.items()
                                                          if k != telemetry.ENV_APM_DATA_KEY_FILE}).traces is None
    with pytest.raises(RuntimeError, match=telemetry.ENV_APM_DATA_KEY_FILE):
        telemetry.from_config(cfg, signer, config, env={**env, telemetry.ENV_APM_DATA_KEY_FILE: str(tmp_path / "no")})


def test_wrong_data_key_is_refused_retried_and_counted(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig, **{telemetry.ENV_APM_DATA_KEY: "WRONG"})
    t.request(_record())
    assert t.flush()
    assert not stub.spans()
    assert [c.status for c in stub.calls(path=TRACES_PATH)] == [401]  # a 4xx is not retried
    assert t.drops()["traces"] == 2
    assert stub.metric_sum("telemetry_dropped", **{contract.SIGNAL: "traces"}) == 2


def test_ingestion_failures_are_retried_with_backoff(rig: Any, retried_twice: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig)
    assert t.metrics is not None
    assert retried_twice(stub, t, t.metrics, "metrics", _record()) == [0.5, 1.0]
    assert [c.status for c in stub.calls(path=METRICS_PATH)] == [503, 503, 200]
    assert t.drops()["metrics"] == 0 and _stream(stub, "requests")


def test_full_buffer_drops_and_counts_never_blocks() -> None:
    sent: list[Any] = []
    em = request_log.LogsEmitter(lambda d: sent.append(d), capacity=2)
    accepted = [em.offer({"request_id": str(i)}) for i in range(5)]
    assert accepted == [True, True, False, False, False]
    assert em.dropped == 3
    em.flush()
    assert sum(len(d.log_entry_batches[0].entries) for d in sent) == 2
