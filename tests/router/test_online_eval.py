"""The online evaluation job end to end: router (real proxy, pinned + canary prompt) → scores → OCI Monitoring.

`evals.online` samples the golden sets, asks the router with `metadata.use_case` (the router
applies the pinned system prompt, or the candidate for its share, and names it in a header),
scores, and posts `genai_quality` means per use case and prompt version with PostMetricData,
signed like the router (the stub verifies the signature).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from genai_router_hooks import signing

from evals import contract, online
from evals.client import Client
from prompts import registry
from router.inputs import Guardrails, ModelSpec, PromptRelease, RouterInputs
from router.testing.oci_stub import OCIStub
from router.testing.proxy import Proxy, throwaway_key, workdir

pytestmark = pytest.mark.integration


def _inputs(endpoint: str) -> RouterInputs:
    def spec(key: str, model_id: str) -> ModelSpec:
        return ModelSpec(key, key, model_id, "on-demand", 0.0072, "characters", "economy", 100_000, 100_000_000)

    stable = registry.get("rag-assistant", "1.0.0")
    return RouterInputs(
        tier="internal", region="eu-frankfurt-1", compartment_ocid="ocid1.compartment.oc1..aaaaaaaatestcompartment",
        allowed_serving_modes=("on-demand",),
        models=(spec("chat", "meta.llama-3.3-70b-instruct"), spec("embed", "cohere.embed-multilingual-v3.0")),
        prompts=(PromptRelease("rag-assistant", stable.version, stable.system),
                 PromptRelease("ops-agent", "1.0.0", registry.get("ops-agent", "1.0.0").system)),
        guardrails=Guardrails(prompt_injection=False, content_filter=False, oci_guardrail=False),
        oci_endpoint=endpoint,
    )


@pytest.fixture(scope="module")
def env() -> Iterator[tuple[OCIStub, Proxy, dict[str, str]]]:
    wd = workdir()
    key, key_file = throwaway_key(wd)
    stub = OCIStub(public_key=key.public_key(), answers="extractive").start()
    proxy = Proxy(_inputs(stub.url), key_file, wd)
    signer_env = {"GENAI_ROUTER_SIGNER": "api-key", "GENAI_ROUTER_KEY_TENANCY": "ocid1.tenancy.oc1..aaaaaaaatesttenancy",
                  "GENAI_ROUTER_KEY_USER": "ocid1.user.oc1..aaaaaaaatestuser",
                  "GENAI_ROUTER_KEY_FINGERPRINT": "20:3b:97:13:55:1c:aa:bb:cc:dd:ee:ff:00:11:22:33",
                  "GENAI_ROUTER_KEY_FILE": str(key_file)}
    try:
        proxy.start()
        yield stub, proxy, signer_env
    finally:
        proxy.stop()
        stub.stop()
        shutil.rmtree(wd, ignore_errors=True)


def test_job_posts_quality_per_use_case_and_prompt_version(
        env: tuple[OCIStub, Proxy, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    stub, proxy, signer_env = env
    for k, v in signer_env.items():
        monkeypatch.setenv(k, v)
    signing.set_signer_factory(None)
    cfg = {"router_url": proxy.url, "model": "chat", "embedding_model": "embed", "region": "eu-frankfurt-1",
           "compartment_ocid": "ocid1.compartment.oc1..aaaaaaaatestcompartment", "sample_size": 12,
           "use_cases": ["rag-assistant", "ops-agent"], "monitoring_endpoint": stub.url}
    client = Client(proxy.url, api_key=proxy.master_key)
    pts = online.evaluate(cfg, client, random.Random(7))
    assert {(p.use_case, p.prompt_version) for p in pts} == {("rag-assistant", "rag-assistant@1.0.0"),
                                                            ("ops-agent", "ops-agent@1.0.0")}
    assert all(p.count == 12 for p in pts)
    assert min(p.value for p in pts if p.metric == "groundedness") >= 0.9
    failed = online.post(cfg, online.metric_data(cfg, pts, datetime.now(UTC)))
    assert failed == 0
    posted = [m for m in stub.metric_data() if m["namespace"] == contract.QUALITY_NS]
    assert {(m["name"], m["dimensions"][contract.USE_CASE]) for m in posted} == {
        (name, uc) for name in contract.BY_NAME for uc in ("rag-assistant", "ops-agent")}
    assert all(set(m["dimensions"]) == set(contract.DIMENSIONS) for m in posted)
    assert all(m["datapoints"][0]["count"] == 12 for m in posted)
    assert not [c for c in stub.state.calls if c.status == 401], "an unsigned call reached the stub"
