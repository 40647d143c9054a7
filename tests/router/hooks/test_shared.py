"""The shared ledger and tenant limiter against a real redis-server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from genai_router_hooks import shared

from router.testing.redis_server import RedisServer

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as r:
        yield r


def _client(server: RedisServer, password: str | None = None) -> object:
    cfg = {"host": "os.environ/H", "port": server.port, "password": "os.environ/P", "ssl": False}
    return shared.redis_client(cfg, {"H": "127.0.0.1", "P": password or server.password})


def test_ledger_shared_between_clients_and_windowed(server: RedisServer) -> None:
    now = [1_000_000.0]

    async def run() -> None:
        a = shared.RedisLedger(_client(server), clock=lambda: now[0])
        b = shared.RedisLedger(_client(server), clock=lambda: now[0])
        await a.add("dep", 0.6, 3600)
        await b.add("dep", 0.5, 3600)
        assert await a.spent("dep", 3600) == pytest.approx(1.1)
        assert await b.exhausted("dep", 1.0, 3600)
        now[0] += 3600  # next window starts empty
        assert await a.spent("dep", 3600) == 0.0

    asyncio.run(run())


def test_tenant_limits_requests_and_characters(server: RedisServer) -> None:
    async def run() -> None:
        lim = shared.TenantLimiter(_client(server), shared.Limits(requests_per_minute=2, characters_per_minute=100),
                                   clock=lambda: 5_000_000.0)
        assert (await lim.admit("t1", 10)).allowed
        await lim.add_characters("t1", 80)
        d = await lim.admit("t1", 20)
        assert not d.allowed and d.reason == "characters per minute"
        d = await lim.admit("t1", 0)
        assert not d.allowed and d.reason == "requests per minute"
        assert (await lim.admit("t2", 99)).allowed

    asyncio.run(run())


def test_unreachable_or_unauthenticated_redis_raises(server: RedisServer) -> None:
    import redis

    async def run() -> None:
        with pytest.raises(redis.exceptions.AuthenticationError):
            await shared.RedisLedger(_client(server, password="wrong")).spent("dep", 60)

    asyncio.run(run())


def test_missing_secret_variable_named_not_valued() -> None:
    with pytest.raises(RuntimeError, match="environment variable REDIS_PASSWORD is not set"):
        shared.resolve("os.environ/REDIS_PASSWORD", {})
    assert shared.resolve(6379, {}) == 6379
