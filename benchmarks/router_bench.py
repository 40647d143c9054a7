"""Side by side, one run, one stub: plain LiteLLM vs our router (hooks, telemetry, Redis cache and ledger).

All proxies are the same LiteLLM (1.106.0) started from the same rendered config. The plain one
has our callback and `genai_router` section removed and signs with LiteLLM's own OCI key settings
(the same throwaway key); "signer only" is the plain one plus a callback that injects the cached
OCI SDK signer and nothing else (`router_bench_signer.py`: LiteLLM's own key path re-reads and
validates the PEM key on every call, so it is no baseline for the cost of our hooks); ours signs
through the hooks and runs everything the platform runs:
metrics, request logs and traces to the stub, LiteLLM's response cache and our budget ledger and
tenant limits in a real redis-server, tier prompt-logging `metadata`. Requests are interleaved
in batches between the two proxies so machine noise lands on both. The stub answers after 20 ms
and verifies every signature; every prompt is unique (no cache hits in the timed runs).

Prints, per concurrency (1 and 8): client latency minus the stub's time for that request
("added latency") p50/p99 for each proxy and their differences, and throughput. On a small
shared machine the proxies' latencies are dominated by CPU contention, so the script also
times, in-process: our hooks' own work per request (the exact hook sequence a request goes
through, with the real Redis and telemetry, without the upstream call), the guardrail round
trip (reported separately, as it is an upstream call), and the request-path cost of telemetry
(``Telemetry.request``, its emitters posting to the stub meanwhile).
Nothing leaves 127.0.0.1. Run: `make bench-router`.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "router" / "hooks"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import yaml  # noqa: E402

from router.inputs import (  # noqa: E402
    Caching,
    Cooldown,
    Guardrails,
    ModelSpec,
    Retries,
    RouterInputs,
    SharedState,
    TenantLimits,
    Timeouts,
)
from router.render import HOOKS_CALLBACK, render_config  # noqa: E402
from router.testing.oci_stub import OCIStub  # noqa: E402
from router.testing.proxy import Proxy, throwaway_key, workdir  # noqa: E402
from router.testing.redis_server import RedisServer  # noqa: E402

SERIAL = int(os.environ.get("BENCH_SERIAL", "60"))  # requests per proxy at concurrency 1
CONCURRENT = int(os.environ.get("BENCH_REQUESTS", "160"))  # requests per proxy at concurrency 8
CONCURRENCY = 8
BATCH = 20  # requests per proxy before switching to the other one
STUB_DELAY_S = 0.02
TENANCY = "ocid1.tenancy.oc1..aaaaaaaatesttenancy"
USER = "ocid1.user.oc1..aaaaaaaatestuser"
FINGERPRINT = "20:3b:97:13:55:1c:aa:bb:cc:dd:ee:ff:00:11:22:33"
DATA_KEY = "BENCHDATAKEY0123456789"


def _spec(key: str, name: str) -> ModelSpec:
    return ModelSpec(key, name, f"meta.{key}", "on-demand", 0.02, "characters", 100_000, 10**9,
                     max_budget=10**6, downgrade_to="bench-backup" if name == "bench" else None)


def _inputs(endpoint: str, redis_port: int, guardrail: bool) -> RouterInputs:
    return RouterInputs(
        tier="internal",
        region="eu-frankfurt-1",
        compartment_ocid="ocid1.compartment.oc1..aaaaaaaabench",
        allowed_serving_modes=("on-demand",),
        models=(_spec("bench-a", "bench"), _spec("bench-b", "bench"),
                ModelSpec("bench-backup", "bench-backup", "meta.bench-backup", "on-demand", 0.01, "characters",
                          100_000, 10**9)),
        fallbacks=(("bench", ("bench-backup",)),),
        retries=Retries(count=2),
        timeouts=Timeouts(request_s=10.0, stream_s=10.0),
        cooldown=Cooldown(allowed_fails=1000, cooldown_s=5.0),
        caching=Caching(mode="response", ttl_s=600, host_ref="REDIS_HOST", password_ref="REDIS_PASSWORD",
                        port=redis_port),
        guardrails=Guardrails(prompt_injection=guardrail, content_filter=False, oci_guardrail=guardrail),
        shared_state=SharedState(host_ref="REDIS_HOST", password_ref="REDIS_PASSWORD", port=redis_port, ssl=False),
        tenant_limits=TenantLimits(requests_per_minute=10**6, characters_per_minute=10**9),
        prompt_logging="metadata",
        oci_endpoint=endpoint,
    )


SIGNER_ONLY = "benchmarks.router_bench_signer.instance"


def plain_config(inputs: RouterInputs, signer_only: bool = False) -> str:
    """The same config without our hooks: LiteLLM signs with its own OCI key settings (or, with
    ``signer_only``, gets our cached signer from a callback that does nothing else)."""
    cfg = render_config(inputs)
    callbacks = [c for c in cfg["litellm_settings"]["callbacks"] if c != HOOKS_CALLBACK]
    cfg["litellm_settings"]["callbacks"] = [SIGNER_ONLY, *callbacks] if signer_only else callbacks
    del cfg["genai_router"]
    return yaml.safe_dump(cfg, sort_keys=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its live descendants (/proc, Linux): what a proxy
    costs in CPU whatever else the machine runs (wall-clock latencies are not, on a shared box)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state(0) ppid(1) ... utime(11) stime(12) (proc(5) fields 14 and 15)
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, (0, 0.0))[1]
        todo += [child for child, (parent, _) in stats.items() if parent == current]
    return total


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


class Runner:
    def __init__(self, stub: OCIStub) -> None:
        self.stub = stub

    def upstream_s(self) -> dict[str, float]:
        out: dict[str, float] = {}
        with self.stub.state.lock:
            calls = list(self.stub.state.calls)
        for c in calls:
            rid = c.prompt_head.split(" ", 1)[0]
            out[rid] = out.get(rid, 0.0) + c.duration
        return out

    def batch(self, proxy: Proxy, n: int, concurrency: int) -> tuple[list[tuple[str, int, float]], float]:
        def one(_: int) -> tuple[str, int, float]:
            rid = uuid.uuid4().hex[:12]
            t0 = time.monotonic()
            status, _body = proxy.chat("bench", f"{rid} what is the weather in Frankfurt today?", timeout=60)
            return rid, status, time.monotonic() - t0

        t0 = time.monotonic()
        if concurrency == 1:
            results = [one(i) for i in range(n)]
        else:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                results = list(pool.map(one, range(n)))
        return results, time.monotonic() - t0


def interleaved(runner: Runner, proxies: dict[str, Proxy], total: int, concurrency: int,
                cpu: dict[str, float] | None = None) -> dict[str, tuple[list[tuple[str, int, float]], float]]:
    """Batches alternate between the proxies; ``cpu`` accumulates each proxy's CPU seconds over its batches."""
    out: dict[str, tuple[list[tuple[str, int, float]], float]] = {name: ([], 0.0) for name in proxies}
    done = 0
    while done < total:
        n = min(BATCH if concurrency == 1 else BATCH * 2, total - done)
        for name, proxy in proxies.items():
            pid = proxy.proc.pid if proxy.proc is not None else 0
            before = cpu_seconds(pid) if pid else 0.0
            results, wall = runner.batch(proxy, n, concurrency)
            if cpu is not None and pid:
                cpu[name] = cpu.get(name, 0.0) + cpu_seconds(pid) - before
            prev, prev_wall = out[name]
            out[name] = (prev + results, prev_wall + wall)
        done += n
    return out


def added_ms(results: list[tuple[str, int, float]], upstream: dict[str, float]) -> list[float]:
    return [(lat - upstream.get(rid, 0.0)) * 1000 for rid, status, lat in results if status == 200]


def telemetry_cost_us(stub: OCIStub, key_file: Path, n: int = 5000) -> tuple[float, float]:
    """p50/p99 of `Telemetry.request` (the request-path part of telemetry), emitters running."""
    import oci
    from genai_router_hooks import telemetry, tracing

    signer = oci.signer.Signer(TENANCY, USER, FINGERPRINT, str(key_file))
    config = {"region": "eu-frankfurt-1", "tenancy": TENANCY, "user": USER, "fingerprint": FINGERPRINT,
              "key_file": str(key_file)}
    env = {telemetry.ENV_MONITORING_ENDPOINT: stub.url, telemetry.ENV_LOGGING_ENDPOINT: stub.url,
           telemetry.ENV_LOG_ID: "ocid1.log.oc1..bench", telemetry.ENV_APM_ENDPOINT: stub.url,
           telemetry.ENV_APM_DATA_KEY: DATA_KEY, telemetry.ENV_INTERVAL: "0.5"}
    t = telemetry.from_config({"region": "eu-frankfurt-1", "compartment_ocid": "ocid1.compartment.oc1..b",
                               "classification_tier": "internal", "prompt_logging": "metadata",
                               "models": ["bench"]}, signer, config, env=env).start()
    timings = []
    for i in range(n):
        now = time.time()
        rec = telemetry.RequestRecord(
            request_id=str(i), trace_id=tracing.new_trace_id(), span_id=tracing.new_span_id(), model="bench",
            start=now - 0.05, end=now, status=200, tenant="t", deployment="bench-a",
            attempts=[telemetry.Attempt("bench-a", "bench", now - 0.04, now - 0.01)], prompt_characters=50,
            response_characters=20, cost_usd=0.0001)
        t0 = time.perf_counter()
        t.request(rec)
        timings.append((time.perf_counter() - t0) * 1e6)
    t.flush()
    dropped = t.drops()
    print(f"telemetry in-process: {n} records, dropped {dropped}, batches at stub: "
          f"{len(stub.state.metric_batches)} metric, {len(stub.state.log_batches)} log, "
          f"{len(stub.state.span_batches)} trace")
    return statistics.median(timings), _pct(timings, 99)


def hooks_cost_ms(stub: OCIStub, redis: RedisServer, key_file: Path, config_path: Path, n: int = 600
                  ) -> dict[int, tuple[float, float]]:
    """Time our hooks' own work per request in-process: the proxy hooks and deployment hooks a
    request goes through (tenant limits and budget checks in the real Redis, metering, the
    ledger charge, telemetry queued to the stub), without the upstream call. Concurrency 1 and 8."""
    import asyncio

    import litellm
    from genai_router_hooks import handler, settings, signing
    from litellm.proxy import proxy_server

    os.environ.update({
        "GENAI_ROUTER_CONFIG": str(config_path), "GENAI_ROUTER_SIGNER": "api-key",
        "GENAI_ROUTER_KEY_TENANCY": TENANCY, "GENAI_ROUTER_KEY_USER": USER,
        "GENAI_ROUTER_KEY_FINGERPRINT": FINGERPRINT, "GENAI_ROUTER_KEY_FILE": str(key_file),
        "GENAI_ROUTER_MONITORING_ENDPOINT": stub.url, "GENAI_ROUTER_LOGGING_ENDPOINT": stub.url,
        "GENAI_ROUTER_LOG_ID": "ocid1.log.oc1..bench", "GENAI_ROUTER_APM_ENDPOINT": stub.url,
        "GENAI_ROUTER_APM_DATA_KEY": DATA_KEY, "REDIS_HOST": "127.0.0.1", "REDIS_PASSWORD": redis.password,
    })
    settings.load.cache_clear()
    signing.set_signer_factory(None)
    cfg = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    proxy_server.llm_router = litellm.Router(model_list=cfg["model_list"])
    deployment = next(d for d in cfg["model_list"] if d["model_name"] == "bench")
    hooks = handler.GenAIRouterHooks()

    async def once(i: int) -> float:
        messages = [{"role": "user", "content": f"{i} what is the weather in Frankfurt today?"}]
        data = {"model": "bench", "messages": messages, "metadata": {},
                "proxy_server_request": {"headers": {"x-genai-tenant": "bench"}, "arrival_time": time.time()}}
        t0 = time.perf_counter()
        data = await hooks.async_pre_call_hook(None, None, data, "completion") or data
        kwargs = {"model": deployment["litellm_params"]["model"], "messages": messages, "metadata": data["metadata"],
                  "model_info": deployment["model_info"]}
        kwargs = await hooks.async_pre_call_deployment_hook(kwargs, None) or kwargs
        before_call = time.perf_counter()
        response = litellm.ModelResponse(choices=[{"message": {"role": "assistant", "content": "Hello from bench."}}])
        after_call = time.perf_counter()
        await hooks.async_post_call_success_deployment_hook(kwargs, response, None)
        await hooks.async_post_call_success_hook(data, None, response)
        return ((before_call - t0) + (time.perf_counter() - after_call)) * 1000

    async def run(concurrency: int) -> list[float]:
        for i in range(20):  # warm-up: connections, first-use imports
            await once(i)
        out: list[float] = []
        for start in range(0, n, concurrency):
            out += await asyncio.gather(*(once(start + j) for j in range(concurrency)))
        return out

    async def both() -> dict[int, tuple[float, float]]:  # one event loop: the Redis pool is bound to it
        out = {}
        for c in (1, 8):
            ms = await run(c)
            out[c] = (statistics.median(ms), _pct(ms, 99))
        return out

    results = asyncio.run(both())
    if hooks.telemetry is not None:
        hooks.telemetry.flush()
    return results


def guardrail_ms(stub: OCIStub, key_file: Path, n: int = 300) -> tuple[float, float]:
    """One prompt guardrail check as the hooks make it (signed request, response judged)."""
    import asyncio

    import oci
    from genai_router_hooks import guardrails

    signer = oci.signer.Signer(TENANCY, USER, FINGERPRINT, str(key_file))

    async def run() -> list[float]:
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            await guardrails.check(f"{i} what is the weather in Frankfurt today?", endpoint=stub.url,
                                   compartment_ocid="ocid1.compartment.oc1..b", signer=signer,
                                   prompt_injection=True, content_filter=True)
            out.append((time.perf_counter() - t0) * 1000)
        return out[10:]

    ms = asyncio.run(run())
    return statistics.median(ms), _pct(ms, 99)


def _start_all(proxies: list[Proxy]) -> None:
    errors: list[BaseException] = []

    def start(p: Proxy) -> None:
        try:
            p.start()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(p,)) for p in proxies]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]


def _line(label: str, values: list[float]) -> str:
    return f"{label}: p50 {statistics.median(values):6.1f} ms, p99 {_pct(values, 99):6.1f} ms (n={len(values)})"


def main() -> int:
    wd = workdir()
    key, key_file = throwaway_key(wd)
    stub = OCIStub(public_key=key.public_key(), apm_data_key=DATA_KEY).start()
    for model in ("meta.bench-a", "meta.bench-b", "meta.bench-backup"):
        stub.script(model, "ok", delay_s=STUB_DELAY_S)
    redis = RedisServer().start()
    redis_env = {"REDIS_HOST": "127.0.0.1", "REDIS_PASSWORD": redis.password}
    ours_env = {**redis_env, "GENAI_ROUTER_LOG_ID": "ocid1.log.oc1..bench", "GENAI_ROUTER_APM_ENDPOINT": stub.url,
                "GENAI_ROUTER_APM_DATA_KEY": DATA_KEY, "GENAI_ROUTER_TELEMETRY_INTERVAL_S": "5"}
    plain_env = {**redis_env, "OCI_USER": USER, "OCI_FINGERPRINT": FINGERPRINT, "OCI_TENANCY": TENANCY,
                 "OCI_KEY_FILE": str(key_file)}
    inputs = _inputs(stub.url, redis.port, guardrail=False)
    dirs = [wd / n for n in ("plain", "ours", "signer")]
    for d in dirs:
        d.mkdir()
    plain = Proxy(inputs, key_file, dirs[0], env=plain_env, config=plain_config(inputs))
    ours = Proxy(inputs, key_file, dirs[1], env=ours_env)
    signer_only = Proxy(inputs, key_file, dirs[2], env=redis_env, config=plain_config(inputs, signer_only=True))
    everything = (plain, signer_only, ours)
    status = 0
    try:
        t0 = time.monotonic()
        _start_all(list(everything))
        print(f"LiteLLM 1.106.0, three proxies (1 worker each) started in {time.monotonic() - t0:.1f} s; "
              f"stub time per upstream call {STUB_DELAY_S * 1000:.0f} ms; {os.cpu_count()} CPUs shared by all")
        runner = Runner(stub)
        for p in everything:
            runner.batch(p, 10, 1)  # warm-up
        pair: dict[str, Proxy] = {"plain LiteLLM": plain, "LiteLLM + signer only": signer_only, "our router": ours}
        for concurrency, total in ((1, SERIAL), (CONCURRENCY, CONCURRENT)):
            cpu: dict[str, float] = {}
            out = interleaved(runner, pair, total, concurrency, cpu)
            upstream = runner.upstream_s()
            print(f"\nconcurrency {concurrency}, {total} requests per proxy, interleaved in batches:")
            meds = {}
            for name, (results, wall) in out.items():
                ms = added_ms(results, upstream)
                ok = sum(1 for _, s, _ in results if s == 200)
                if ok != len(results):
                    status = 1
                meds[name] = ms
                print(f"  {_line(name + ' added latency', ms)}; throughput {ok / wall:5.1f} requests/s; "
                      f"ok {ok}/{len(results)}; proxy CPU {cpu[name] / len(results) * 1000:.1f} ms per request")
            for base in ("plain LiteLLM", "LiteLLM + signer only"):
                extra = (cpu["our router"] - cpu[base]) / total * 1000
                print(f"  our router vs {base}: CPU {extra:+.1f} ms per request (user + system, all threads)")
            for base in ("plain LiteLLM", "LiteLLM + signer only"):
                a, b = meds[base], meds["our router"]
                print(f"  our router vs {base}: p50 {statistics.median(b) - statistics.median(a):+.1f} ms, "
                      f"p99 {_pct(b, 99) - _pct(a, 99):+.1f} ms")
        bad = sum(1 for c in stub.state.calls if c.status == 401)
        print(f"bad signatures at the stub: {bad}")
        status = status or (1 if bad else 0)
    finally:
        for p in everything:
            p.stop()
    hooks = hooks_cost_ms(stub, redis, key_file, ours.config_path)
    for c, (h50, h99) in hooks.items():
        print(f"our hooks' own time per request, in-process, concurrency {c} (Redis limits + budget checks, "
              f"metering, ledger charge, telemetry; no guardrail): p50 {h50:.2f} ms, p99 {h99:.2f} ms")
    g50, g99 = guardrail_ms(stub, key_file)
    print(f"guardrail round trip, reported separately (OCI applyGuardrails on a prompt, signed, to the stub, "
          f"concurrency 1): p50 {g50:.2f} ms, p99 {g99:.2f} ms")
    p50, p99 = telemetry_cost_us(stub, key_file)
    print(f"telemetry on the request path (Telemetry.request: metrics + log entry + spans queued): "
          f"p50 {p50:.1f} µs, p99 {p99:.1f} µs")
    stub.stop()
    redis.stop()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
