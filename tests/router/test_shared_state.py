"""Two REAL proxy replicas sharing one REAL redis-server (loopback), against the OCI stub.

Shows that cost controls hold across replicas: a budget of N is not exceeded by more than one
request's cost when requests alternate between the replicas (each replica alone would have let
it through until its own in-memory ledger reached N); per-tenant limits on requests and on
characters per minute count across replicas; a repeated request is answered from the shared
response cache by the other replica: no upstream call, no cost, the hit counted in `cache_hits`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from genai_router_hooks import contract

from router.inputs import Caching, ModelSpec, RouterInputs, SharedState, TenantLimits
from router.testing.oci_stub import OCIStub, reply_text
from router.testing.proxy import NO_GUARDRAILS, Proxy, eventually, loopback_inputs, throwaway_key, workdir
from router.testing.redis_server import RedisServer

pytestmark = pytest.mark.integration

PRICE_PREMIUM = 100.0  # per 10k characters: ~0.4 per request below
BUDGET = 1.0
RPM = 8
CPM = 2_000


def _m(key: str, name: str, model_id: str, price: float, **kw: object) -> ModelSpec:
    return ModelSpec(key, name, model_id, "on-demand", price, "characters", 10_000, 10_000_000,
                     **kw)  # type: ignore[arg-type]


def _inputs(endpoint: str, redis_port: int) -> RouterInputs:
    return loopback_inputs(
        endpoint,
        (_m("premium", "chat-premium", "meta.premium", PRICE_PREMIUM, max_budget=BUDGET, downgrade_to="chat-economy"),
         _m("economy", "chat-economy", "meta.economy", 0.001),
         _m("cached", "cached", "meta.cached", 0.02)),
        guardrails=NO_GUARDRAILS,
        caching=Caching(mode="response", ttl_s=600, host_ref="REDIS_HOST", password_ref="REDIS_PASSWORD",
                        port=redis_port),
        shared_state=SharedState(host_ref="REDIS_HOST", password_ref="REDIS_PASSWORD", port=redis_port, ssl=False),
        tenant_limits=TenantLimits(requests_per_minute=RPM, characters_per_minute=CPM),
        prompt_logging="metadata",
    )


@pytest.fixture(scope="module")
def replicas() -> Iterator[tuple[OCIStub, RedisServer, Proxy, Proxy]]:
    wd = workdir()
    key, key_file = throwaway_key(wd)
    stub = OCIStub(public_key=key.public_key()).start()
    redis = RedisServer().start()
    env = {"REDIS_HOST": "127.0.0.1", "REDIS_PASSWORD": redis.password}
    a_dir, b_dir = wd / "a", wd / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    inputs = _inputs(stub.url, redis.port)
    a, b = Proxy(inputs, key_file, a_dir, env=env), Proxy(inputs, key_file, b_dir, env=env)
    errors: list[BaseException] = []

    def start(p: Proxy) -> None:
        try:
            p.start()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(p,)) for p in (a, b)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        yield stub, redis, a, b
    finally:
        a.stop()
        b.stop()
        redis.stop()
        stub.stop()


def _cost(stub: OCIStub, model: str) -> list[float]:
    return [(c.prompt_chars + c.response_chars) / 10_000 * PRICE_PREMIUM for c in stub.calls(model) if c.status == 200]


def test_budget_holds_across_replicas(replicas: tuple[OCIStub, RedisServer, Proxy, Proxy]) -> None:
    stub, _, a, b = replicas
    served = []
    for i in range(8):
        proxy = (a, b)[i % 2]
        status, body = proxy.chat("chat-premium", f"Budget question number {i:02d}", headers={"x-genai-tenant": f"b{i}"})
        assert status == 200
        served.append(body["choices"][0]["message"]["content"])
    costs = _cost(stub, "meta.premium")
    assert costs, "premium never served"
    assert sum(costs) <= BUDGET + max(costs), f"spent {sum(costs):.2f} over a budget of {BUDGET}"
    assert sum(costs) >= BUDGET  # it was actually spent, then downgraded
    # After exhaustion BOTH replicas send premium requests to the economy model.
    first_economy = served.index(reply_text("meta.economy"))
    assert set(served[first_economy:]) == {reply_text("meta.economy")}
    assert first_economy <= len(served) - 2, "only one replica was seen downgrading"
    # An in-memory ledger per replica would have allowed each replica its own budget.
    assert len(costs) < 2 * (BUDGET // min(costs) + 1)


def test_tenant_request_limit_counts_both_replicas(replicas: tuple[OCIStub, RedisServer, Proxy, Proxy]) -> None:
    _, _, a, b = replicas
    statuses = [((a, b)[i % 2]).chat("chat-economy", f"r{i}", headers={"x-genai-tenant": "limited"})[0]
                for i in range(RPM + 2)]
    assert statuses[:RPM] == [200] * RPM
    assert statuses[RPM:] == [429, 429]
    # Another tenant is not affected.
    assert a.chat("chat-economy", "other tenant", headers={"x-genai-tenant": "other"})[0] == 200


def test_tenant_character_limit_counts_both_replicas(replicas: tuple[OCIStub, RedisServer, Proxy, Proxy]) -> None:
    _, _, a, b = replicas
    assert a.chat("chat-economy", "x" * 1_500, headers={"x-genai-tenant": "chars"})[0] == 200
    status, body = b.chat("chat-economy", "y" * 600, headers={"x-genai-tenant": "chars"})
    assert status == 429 and "characters per minute" in str(body)


def test_repeated_request_served_from_shared_cache(replicas: tuple[OCIStub, RedisServer, Proxy, Proxy]) -> None:
    stub, _, a, b = replicas
    question = "What is the capital of France? (cache test)"
    status, first = a.chat("cached", question, headers={"x-genai-tenant": "cache"})
    assert status == 200
    assert len(stub.calls("meta.cached")) == 1
    cost_line = [ln for ln in b.metrics().splitlines()
                 if ln.startswith("genai_router_oci_cost_total") and 'deployment="cached"' in ln]
    status, second = b.chat("cached", question, headers={"x-genai-tenant": "cache"})
    assert status == 200 and second["choices"][0]["message"]["content"] == first["choices"][0]["message"]["content"]
    assert len(stub.calls("meta.cached")) == 1, "the repeated request reached OCI"
    assert [ln for ln in b.metrics().splitlines()
            if ln.startswith("genai_router_oci_cost_total") and 'deployment="cached"' in ln] == cost_line
    def hits() -> float:
        return sum(d["value"] for m in stub.metric_data() if m["name"] == "cache_hits"
                   and m["dimensions"][contract.MODEL] == "cached" for d in m["datapoints"])

    assert eventually(lambda: hits() == 1)


def test_repeated_stream_served_from_shared_cache_costs_nothing(replicas: tuple[OCIStub, RedisServer, Proxy, Proxy]
                                                               ) -> None:
    """Streams are metered once assembled, except a cache hit: it never reached OCI and costs nothing."""
    stub, _, a, b = replicas
    question = "What is the capital of Italy? (stream cache test)"
    before = len(stub.calls("meta.cached"))
    status, first = a.stream_chat("cached", question, headers={"x-genai-tenant": "stream-cache"})
    assert status == 200 and first
    assert len(stub.calls("meta.cached")) == before + 1
    cost_line = [ln for ln in b.metrics().splitlines()
                 if ln.startswith("genai_router_oci_cost_total") and 'deployment="cached"' in ln]
    status, second = b.stream_chat("cached", question, headers={"x-genai-tenant": "stream-cache"})
    assert status == 200 and second == first
    assert len(stub.calls("meta.cached")) == before + 1, "the repeated stream reached OCI"
    assert [ln for ln in b.metrics().splitlines()
            if ln.startswith("genai_router_oci_cost_total") and 'deployment="cached"' in ln] == cost_line
