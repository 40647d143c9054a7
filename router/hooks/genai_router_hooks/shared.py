"""State shared by every router replica through Redis (OCI Cache): budgets and per-tenant limits.

An in-memory ledger lets N replicas spend N× a budget; here every replica adds its spend to
the same Redis key, so all of them see the same total:
- budget ledger: ``INCRBYFLOAT genai_router:budget:<deployment>:<window start>`` after each
  successful upstream call, ``GET`` before routing; the key expires with its window;
- per-tenant limits: ``INCR``/``INCRBY`` on ``genai_router:limit:<tenant>:<requests|characters>:<minute>``
  (fixed one-minute windows, keys expire after two minutes); a request over either limit is a 429.
Both use one pipelined round trip per request (``MULTI``/``EXEC``). Redis commands:
https://redis.io/docs/latest/commands/incrbyfloat/, https://redis.io/docs/latest/commands/incrby/.

Bounds: the ledger is checked before a call and charged after it, so with requests arriving one
after another a budget is exceeded by at most the last request's cost, whichever replica serves
it; requests already in flight when the budget runs out can each add their own cost. If Redis
cannot be reached the request fails closed (503) rather than spend without a ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "genai_router"


def resolve(value: Any, env: Mapping[str, str]) -> Any:
    """``os.environ/NAME`` → the variable's value (the config never holds the secret itself)."""
    if isinstance(value, str) and value.startswith("os.environ/"):
        name = value.removeprefix("os.environ/")
        if name not in env:
            raise RuntimeError(f"genai_router_hooks: environment variable {name} is not set")
        return env[name]
    return value


def redis_client(cfg: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    """An asyncio Redis client from the ``genai_router.redis`` section (TLS when ``ssl``)."""
    import redis.asyncio as aioredis

    return aioredis.Redis(
        host=str(resolve(cfg["host"], env)),
        port=int(resolve(cfg.get("port", 6379), env)),
        password=resolve(cfg.get("password"), env),
        ssl=bool(cfg.get("ssl", False)),
        socket_timeout=float(cfg.get("timeout_s", 1.0)),
        socket_connect_timeout=float(cfg.get("timeout_s", 1.0)),
    )


class RedisLedger:
    """Spend per deployment and budget window, shared by every replica."""

    def __init__(self, client: Any, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.clock = clock

    def _key(self, deployment: str, window_s: float) -> tuple[str, int]:
        start = int(self.clock() // window_s * window_s)
        return f"{PREFIX}:budget:{deployment}:{start}", int(window_s) + 60

    async def add(self, deployment: str, amount: float, window_s: float) -> None:
        key, ttl = self._key(deployment, window_s)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrbyfloat(key, amount)
            pipe.expire(key, ttl)
            await pipe.execute()

    async def spent(self, deployment: str, window_s: float) -> float:
        key, _ = self._key(deployment, window_s)
        value = await self.client.get(key)
        return float(value or 0.0)

    async def exhausted(self, deployment: str, budget: float, window_s: float) -> bool:
        return await self.spent(deployment, window_s) >= budget


@dataclass(frozen=True)
class Limits:
    requests_per_minute: int | None = None
    characters_per_minute: int | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


class TenantLimiter:
    """Requests and characters per tenant per minute, counted in Redis across replicas."""

    def __init__(self, client: Any, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.limits = limits
        self.clock = clock

    def _keys(self, tenant: str) -> tuple[str, str]:
        minute = int(self.clock() // 60)
        return (f"{PREFIX}:limit:{tenant}:requests:{minute}", f"{PREFIX}:limit:{tenant}:characters:{minute}")

    async def admit(self, tenant: str, characters: int) -> Decision:
        """Count this request and its prompt characters; refuse it if either limit is exceeded."""
        req_key, char_key = self._keys(tenant)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(req_key)
            pipe.expire(req_key, 120)
            pipe.incrby(char_key, max(0, characters))
            pipe.expire(char_key, 120)
            requests_n, _, chars_n, _ = await pipe.execute()
        rpm, cpm = self.limits.requests_per_minute, self.limits.characters_per_minute
        if rpm is not None and int(requests_n) > rpm:
            return Decision(False, "requests per minute")
        if cpm is not None and int(chars_n) > cpm:
            return Decision(False, "characters per minute")
        return Decision(True)

    async def add_characters(self, tenant: str, characters: int) -> None:
        """Response characters count toward the tenant's minute too."""
        if characters <= 0:
            return
        _, char_key = self._keys(tenant)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incrby(char_key, characters)
            pipe.expire(char_key, 120)
            await pipe.execute()
