"""prod's serving, through the REAL LiteLLM proxy against the loopback OCI stub (issue 10 defect 8).

The config is the one prod deploys: tests/router/golden/stack-prod.yaml, which the main suite pins
to the stack's rendering (tests/stacks/test_router_inputs.py; this venv has no Pulumi to render
it). What changes, as in the container contract test: OCI's endpoint and the traces URL point at
the loopback stub, OCI Cache (REDIS_HOST, port 6379, TLS) is a loopback TLS-only redis-server.
The stub answers per endpoint OCID, so the primary chat cluster's endpoint can fail while the
fallback cluster's answers.

Shows: a request for the primary chat model is answered by the fallback cluster when the primary
endpoint fails (both called, signed, in that order); each answered call is metered at its cluster's
per-request price (the unit-hours spread over planned requests); `/v1/embeddings` is served by
the embedding cluster's endpoint.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from router.container import SAMPLE_BUCKET_ENV, SAMPLE_NAMESPACE_ENV
from router.inputs import RouterInputs
from router.render import oci_endpoint
from router.testing.oci_stub import CHAT_PATH, EMBED_PATH, OCIStub, reply_text
from router.testing.proxy import Proxy, running, signed_stub
from router.testing.redis_server import RedisServer

pytestmark = pytest.mark.integration
GOLDEN = Path(__file__).resolve().parent / "golden" / "stack-prod.yaml"


def _config() -> dict[str, Any]:
    return dict(yaml.safe_load(GOLDEN.read_text(encoding="utf-8")))


def _by_mode(config: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    return [d for d in config["model_list"] if d["model_info"]["mode"] == mode]


@pytest.fixture(scope="module")
def env() -> Iterator[tuple[OCIStub, Proxy, dict[str, Any]]]:
    config = _config()
    region = config["genai_router"]["region"]
    real = oci_endpoint(RouterInputs(tier="confidential", region=region, compartment_ocid="c",
                                     allowed_serving_modes=("dedicated-cluster",), models=()))
    text = GOLDEN.read_text(encoding="utf-8")
    assert text.count(real) == len(config["model_list"]) + 1, "every deployment and the hooks use OCI's endpoint"
    with signed_stub() as (stub, key_file, wd):
        cache = RedisServer(tls=True).start()
        try:
            primary, _ = _chat_chain(config)
            stub.script(primary["litellm_params"]["oci_endpoint_id"], "error")
            inputs = RouterInputs(tier="confidential", region=region,
                                  compartment_ocid=config["genai_router"]["compartment_ocid"],
                                  allowed_serving_modes=("dedicated-cluster",), models=(), oci_endpoint=stub.url)
            traces = config["genai_router"]["otel_endpoint"]
            text = text.replace(real, stub.url).replace(traces, stub.url + traces[traces.index("/20200101/"):])
            proxy = Proxy(inputs, key_file, wd, config=text.replace(": 6379\n", f": {cache.port}\n"), env={
                "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(cache.port), "SSL_CERT_FILE": str(cache.ca_file),
                # prod keeps evaluation samples (confidential: sample-bucket); the pod names the bucket
                SAMPLE_BUCKET_ENV: "genai-prod-eval-samples", SAMPLE_NAMESPACE_ENV: "genaiplatformoffline"})
            with running(proxy):
                yield stub, proxy, config
        finally:
            cache.stop()


def _chat_chain(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(primary, its first fallback): the budgeted chat model and where router_settings.fallbacks sends it."""
    chat = {d["model_name"]: d for d in _by_mode(config, "chat")}
    (primary,) = [d for d in chat.values() if "max_budget" in d["model_info"]]
    chains = {src: chain for entry in config["router_settings"]["fallbacks"] for src, chain in entry.items()}
    return primary, chat[chains[primary["model_name"]][0]]


def test_prods_config_has_two_chat_clusters_with_fallbacks_and_an_embedding_cluster() -> None:
    config = _config()
    chat, embedding = _by_mode(config, "chat"), _by_mode(config, "embedding")
    assert len(chat) >= 2 and len(embedding) == 1
    chains = {src: chain for entry in config["router_settings"]["fallbacks"] for src, chain in entry.items()}
    assert {d["model_name"] for d in chat} == {src for src, chain in chains.items() if chain}
    assert all(d["litellm_params"]["oci_serving_mode"] == "DEDICATED" for d in config["model_list"])


def test_primary_endpoint_fails_and_the_fallback_cluster_answers(env: tuple[OCIStub, Proxy, dict[str, Any]]) -> None:
    stub, proxy, config = env
    primary, fallback = _chat_chain(config)
    primary_ep, fallback_ep = (d["litellm_params"]["oci_endpoint_id"] for d in (primary, fallback))
    status, body = proxy.chat(primary["model_name"], "Summarise the retention policy.")
    assert status == 200, body
    assert body["choices"][0]["message"]["content"] == reply_text(fallback_ep)
    assert [c.status for c in stub.calls(primary_ep)] and all(c.status == 500 for c in stub.calls(primary_ep))
    assert [c.status for c in stub.calls(fallback_ep)] == [200]
    arrivals = [m for m in stub.arrivals() if m in (primary_ep, fallback_ep)]
    assert arrivals.index(primary_ep) < arrivals.index(fallback_ep)  # tried the primary first
    assert not [c for c in stub.state.calls if c.status == 401]  # every call signed and verified
    # Metered as the fallback cluster is billed: its unit-hours spread over its planned requests.
    cost = _counter(proxy.metrics(), "genai_router_oci_cost_total", fallback["model_info"]["id"])
    assert cost == pytest.approx(fallback["model_info"]["price"], rel=1e-9)


def test_embeddings_are_served_by_the_embedding_cluster(env: tuple[OCIStub, Proxy, dict[str, Any]]) -> None:
    stub, proxy, config = env
    (embed,) = _by_mode(config, "embedding")
    texts = ["Data is kept for 365 days.", "Keys rotate every 90 days."]
    status, body = _post(proxy, "/v1/embeddings", {"model": embed["model_name"], "input": texts})
    assert status == 200, body
    vectors = [d["embedding"] for d in body["data"]]
    assert len(vectors) == 2 and all(len(v) > 1 for v in vectors) and vectors[0] != vectors[1]
    calls = stub.calls(embed["litellm_params"]["oci_endpoint_id"], path=EMBED_PATH)
    assert [c.status for c in calls] == [200] and calls[0].prompt_chars == sum(map(len, texts))
    assert not stub.calls(embed["litellm_params"]["oci_endpoint_id"], path=CHAT_PATH)


def _post(proxy: Proxy, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(f"{proxy.url}{path}", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json", "authorization": f"Bearer {proxy.master_key}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {}


def _counter(metrics: str, name: str, deployment: str) -> float:
    found = re.findall(rf'^{name}\{{[^}}]*deployment="{re.escape(deployment)}"[^}}]*\}} (\S+)$', metrics, re.M)
    assert found, f"{name} has no series for {deployment}"
    return sum(float(v) for v in found)
