"""Evaluation samples (genai_router_hooks.samples) against the loopback OCI stub: real OCI SDK clients,
verified signatures.

A request is chosen from its id alone (exact in tests), written as JSONL per minute with PutObject
(create only), read back with ListObjects + GetObject; a forged signature is refused; what the
guardrails flagged is withheld and counted by reason; a canary secret or the tenant never reaches a
sample; a full buffer drops and counts; a failing PutObject is retried with backoff.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import oci
import pytest
from genai_router_hooks import contract, documents, releases, samples, telemetry, tracing

from router.container import SAMPLE_BUCKET_ENV, SAMPLE_NAMESPACE_ENV
from router.testing.oci_stub import OCIStub
from router.testing.proxy import api_key_signer, signed_stub, throwaway_key

pytestmark = pytest.mark.unit

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
NAMESPACE, BUCKET = "genaiplatformoffline", "genai-prod-eval-samples"
CANARY = "sk-canary7f3a9c1e5b2d4f60"
AT = 1_800_000_000.0  # 2027-01-15T08:00:00Z, the start of a minute


@pytest.fixture()
def rig(tmp_path: Path) -> Iterator[tuple[OCIStub, Any, dict[str, Any]]]:
    with signed_stub(tmp_path) as (stub, key_file, _):
        yield (stub, *api_key_signer(key_file))


def _telemetry(rig: Any, rate: float = 1.0) -> telemetry.Telemetry:
    stub, signer, config = rig
    cfg = {"region": "eu-frankfurt-1", "compartment_ocid": COMPARTMENT, "classification_tier": "confidential",
           "prompt_logging": "audit-only", "models": ["chat"], "traffic_sample": {"rate": rate}}
    env = {telemetry.ENV_MONITORING_ENDPOINT: stub.url, telemetry.ENV_OBJECTSTORAGE_ENDPOINT: stub.url,
           SAMPLE_BUCKET_ENV: BUCKET, SAMPLE_NAMESPACE_ENV: NAMESPACE}
    t = telemetry.from_config(cfg, signer, config, env=env)
    for e in t.emitters:
        e.backoff_s = 0.0
    return t


def _record(request_id: str = "req-1", **kw: Any) -> telemetry.RequestRecord:
    context = documents.render([("alarms", "The quality alarm watches groundedness."),
                                ("tiers", f"Confidential data uses customer keys. {CANARY}")])
    base: dict[str, Any] = {
        "request_id": request_id, "trace_id": tracing.new_trace_id(), "span_id": tracing.new_span_id(),
        "model": "chat", "start": AT, "end": AT + 0.25, "status": 200, "tenant": "team-a",
        "version": "command-r", "release": "stable", "prompt_version": "rag-assistant@1.0.0",
        "messages": [{"role": "system", "content": "Answer from the documents."},
                     {"role": "user", "content": f"{context}\nWhat does the quality alarm watch?"}],
        "response": "It watches groundedness [alarms].",
    }
    base.update(kw)
    return telemetry.RequestRecord(**base)


def _stored(stub: OCIStub) -> list[dict[str, Any]]:
    return [dict(r) for body in stub.stored_objects(BUCKET).values() for r in samples.parse_object(body)]


def test_chosen_is_deterministic_and_uniform() -> None:
    ids = [f"req-{i}" for i in range(20_000)]
    picked = [i for i in ids if samples.chosen(i, 0.01)]
    assert picked == [i for i in ids if samples.chosen(i, 0.01)]  # the same ids, every time
    # 20,000 draws at 1 %: mean 200, sd 14.1; 99.9 % of binomial draws lie within 3.3 sd
    assert 153 <= len(picked) <= 247
    assert all(samples.chosen(i, 0.05) for i in picked)  # nested: a larger rate keeps the smaller's picks
    assert not any(samples.chosen(i, 0.0) for i in ids[:1000]) and all(samples.chosen(i, 1.0) for i in ids[:1000])
    # the rule itself: the first 8 bytes of SHA-256 below rate x 2^64
    h = int.from_bytes(hashlib.sha256(b"req-1").digest()[:8], "big")
    assert samples.chosen("req-1", 0.5) == (h < 2**63)


def test_a_sample_holds_its_fields_and_nothing_else(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig)
    t.request(_record())
    assert t.flush()
    (name,) = stub.stored_objects(BUCKET)
    assert name.startswith("samples/20270115T0800Z-") and name.endswith(".jsonl")
    (sample,) = _stored(stub)
    assert tuple(sample) == tuple(sorted(samples.FIELDS))  # written with sorted keys
    assert sample["use_case"] == "rag-assistant" and sample["prompt_version"] == "rag-assistant@1.0.0"
    assert (sample["model"], sample["version"], sample["release"]) == ("chat", "command-r", "stable")
    assert sample["question"] == "What does the quality alarm watch?"
    assert [d["id"] for d in sample["documents"]] == ["alarms", "tiers"]
    assert sample["documents"][0]["text"] == "The quality alarm watches groundedness."
    assert sample["answer"] == "It watches groundedness [alarms]."
    assert sample["guardrails"] == {"prompt_injection": False, "harmful_output": False, "sensitive_data": False}
    raw = b"".join(stub.stored_objects(BUCKET).values()).decode()
    assert CANARY not in raw and "team-a" not in raw  # secrets masked; no tenant, header or key
    assert "[masked]" in sample["documents"][1]["text"]


def test_put_object_only_creates_and_is_signed(rig: Any) -> None:
    stub, signer, config = rig
    client = oci.object_storage.ObjectStorageClient(config, signer=signer, service_endpoint=stub.url)
    send = samples.oci_sender(client, NAMESPACE, BUCKET)
    send(("samples/x.jsonl", b'{"a": 1}\n'))
    with pytest.raises(oci.exceptions.ServiceError) as again:
        send(("samples/x.jsonl", b'{"a": 2}\n'))  # If-None-Match: * never overwrites
    assert again.value.status == 412
    assert stub.stored_objects(BUCKET) == {"samples/x.jsonl": b'{"a": 1}\n'}
    listed = client.list_objects(NAMESPACE, BUCKET, prefix=samples.PREFIX, start="samples/").data
    assert [o.name for o in listed.objects] == ["samples/x.jsonl"]
    assert client.get_object(NAMESPACE, BUCKET, "samples/x.jsonl").data.content == b'{"a": 1}\n'


def test_a_forged_signature_is_refused(rig: Any, tmp_path: Path) -> None:
    stub, _signer, config = rig
    (tmp_path / "other").mkdir()
    _other, other_file = throwaway_key(tmp_path / "other")
    forged, _ = api_key_signer(other_file)
    client = oci.object_storage.ObjectStorageClient(config, signer=forged, service_endpoint=stub.url)
    for call in (lambda: client.put_object(NAMESPACE, BUCKET, "samples/y.jsonl", b"{}\n"),
                 lambda: client.list_objects(NAMESPACE, BUCKET),
                 lambda: client.get_object(NAMESPACE, BUCKET, "samples/y.jsonl")):
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            call()
        assert refused.value.status == 401
    assert stub.stored_objects() == {}


def test_flagged_requests_are_withheld_and_counted_by_reason(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig)
    t.request(_record("req-pii", sensitive_data=True))
    t.request(_record("req-injection", prompt_injection=True))
    t.request(_record("req-harmful", harmful_output=True))  # INFORM content moderation: kept, verdict recorded
    assert t.flush()
    assert [s["request_id"] for s in _stored(stub)] == ["req-harmful"]
    withheld = [m for m in stub.metric_data() if m["name"] == "eval_samples_withheld"]
    assert {m["dimensions"][contract.REASON]: m["datapoints"][0]["value"] for m in withheld} == {
        "pii": 1, "prompt_injection": 1}


def test_the_rate_picks_exactly_the_chosen_ids(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig, rate=0.25)
    ids = [f"req-{i}" for i in range(200)]
    for i in ids:
        t.request(_record(i))
    assert t.flush()
    expected = {i for i in ids if samples.chosen(i, 0.25)}
    assert {s["request_id"] for s in _stored(stub)} == expected and 0 < len(expected) < 200


def test_the_jobs_own_refused_and_use_case_less_requests_are_never_sampled(rig: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig, rate=1.0)  # every request is chosen: only these rules keep them out
    t.request(_record("own", tenant=releases.EVAL_TENANT))
    t.request(_record("refused", status=400))
    t.request(_record("failed", status=503))
    t.request(_record("no-use-case", prompt_version=""))
    t.request(_record("kept"))
    assert t.flush()
    assert [s["request_id"] for s in _stored(stub)] == ["kept"]


def test_one_object_per_complete_minute() -> None:
    sent: list[tuple[str, bytes]] = []
    now = [AT + 90]
    em = samples.SamplesEmitter(sent.append, clock=lambda: now[0])
    for at in (AT + 1, AT + 30, AT + 61, AT + 95):
        em.absorb({"time": at, "request_id": str(at)})
    ready = em.ready(force=False)  # minute 0 complete, minute 1 still open
    assert [n for (n, _b), _c in ready] and all(n.startswith("samples/20270115T0800Z-") for (n, _b), _c in ready)
    assert [c for _p, c in ready] == [2]
    rest = em.ready(force=True)
    assert [c for _p, c in rest] == [2] and rest[0][0][0].startswith("samples/20270115T0801Z-")
    assert [json.loads(line)["request_id"] for line in rest[0][0][1].decode().splitlines()] == [
        str(AT + 61), str(AT + 95)]


def test_full_buffer_drops_and_counts(rig: Any) -> None:
    t = _telemetry(rig)
    assert t.samples is not None
    t.samples._queue.maxsize = 2
    for i in range(5):
        t.request(_record(f"req-{i}"))
    assert t.drops()["samples"] == 3
    assert t.flush()
    assert rig[0].metric_sum("telemetry_dropped", **{contract.SIGNAL: "samples"}) == 3


def test_a_failing_put_is_retried_with_backoff(rig: Any, retried_twice: Any) -> None:
    stub = rig[0]
    t = _telemetry(rig)
    assert t.samples is not None
    assert retried_twice(stub, t, t.samples, "objects", _record()) == [0.5, 1.0]
    assert len(_stored(stub)) == 1 and t.drops()["samples"] == 0


def test_a_rate_without_the_bucket_env_is_refused(rig: Any) -> None:
    _stub, signer, config = rig
    cfg = {"region": "eu-frankfurt-1", "compartment_ocid": COMPARTMENT, "prompt_logging": "audit-only",
           "traffic_sample": {"rate": 0.01}}
    with pytest.raises(RuntimeError, match=SAMPLE_BUCKET_ENV):
        telemetry.from_config(cfg, signer, config, env={})


@pytest.mark.parametrize("tier", ["restricted", "public"])
def test_a_tier_without_a_sample_bucket_writes_nothing(rig: Any, tier: str) -> None:
    """restricted (no sample) and public (its request log is the sample) render no traffic_sample: even with
    the bucket env present, no request is chosen and nothing is put."""
    stub, signer, config = rig
    cfg = {"region": "eu-frankfurt-1", "compartment_ocid": COMPARTMENT, "classification_tier": tier,
           "prompt_logging": "audit-only" if tier == "restricted" else "full"}
    env = {telemetry.ENV_MONITORING_ENDPOINT: stub.url, telemetry.ENV_OBJECTSTORAGE_ENDPOINT: stub.url,
           SAMPLE_BUCKET_ENV: BUCKET, SAMPLE_NAMESPACE_ENV: NAMESPACE}
    t = telemetry.from_config(cfg, signer, config, env=env)
    assert t.samples is None and not t.sample_wanted("req-1", "team-a", "rag-assistant@1.0.0")
    for i in range(50):
        t.request(_record(f"req-{i}"))
    assert t.flush()
    assert stub.stored_objects() == {} and not [c for c in stub.state.calls if c.path.startswith("/n/")]
