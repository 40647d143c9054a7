"""Bounded load run: real LiteLLM proxy → OCI stub on loopback, 20% of upstream calls failing.

Fixed request count, bounded concurrency, hard time cap; nothing leaves 127.0.0.1. Prints
requests/s, the latency the router adds (client-observed latency minus the time the stub spent
on that request's upstream calls), and the success rate. The stub fails 20% of chat calls at
random (fixed seed) and verifies every request's OCI signature. Run: `make bench-router`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from router.inputs import Cooldown, Guardrails, ModelSpec, Retries, RouterInputs, Timeouts
from router.testing.oci_stub import OCIStub
from router.testing.proxy import Proxy, throwaway_key, workdir

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
TIME_CAP_S = float(os.environ.get("BENCH_TIME_CAP_S", "180"))
FAIL_RATE = 0.2
STUB_DELAY_S = 0.02  # simulated model time per upstream call
SEED = 20261122
SERIAL = 30  # extra requests at concurrency 1: the router's own overhead without queueing


def _spec(key: str, name: str) -> ModelSpec:
    return ModelSpec(key, name, f"meta.{key}", "on-demand", 0.02, "characters", "standard", 100_000, 10**9)


def _inputs(endpoint: str) -> RouterInputs:
    return RouterInputs(
        tier="internal",
        region="eu-frankfurt-1",
        compartment_ocid="ocid1.compartment.oc1..aaaaaaaabench",
        allowed_serving_modes=("on-demand",),
        models=(_spec("bench-a", "bench"), _spec("bench-b", "bench"), _spec("bench-backup", "bench-backup")),
        fallbacks=(("bench", ("bench-backup",)),),
        retries=Retries(count=2),
        timeouts=Timeouts(request_s=10.0, stream_s=10.0),
        # Random 20% failures are not an outage: don't cool a deployment for them.
        cooldown=Cooldown(allowed_fails=1000, cooldown_s=5.0),
        guardrails=Guardrails(prompt_injection=False, content_filter=False, oci_guardrail=False),
        prompt_logging="metadata",
        oci_endpoint=endpoint,
    )


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> int:
    wd = workdir()
    key, key_file = throwaway_key(wd)
    stub = OCIStub(public_key=key.public_key(), seed=SEED).start()
    for model in ("meta.bench-a", "meta.bench-b", "meta.bench-backup"):
        stub.script(model, "flaky", delay_s=STUB_DELAY_S, fail_rate=FAIL_RATE)
    proxy = Proxy(_inputs(stub.url), key_file, wd)
    try:
        t0 = time.monotonic()
        proxy.start()
        print(f"proxy started in {time.monotonic() - t0:.1f} s")
        for i in range(5):  # warm-up, not counted
            proxy.chat("bench", f"warm-up {i}", timeout=30)
        with stub.state.lock:
            stub.state.calls.clear()

        results: dict[str, tuple[int, float]] = {}
        deadline = time.monotonic() + TIME_CAP_S

        def one(rid: str) -> tuple[str, int, float]:
            if time.monotonic() > deadline:
                return rid, -1, 0.0
            start = time.monotonic()
            status, _ = proxy.chat("bench", f"{rid} what is the weather in Frankfurt?",
                                   timeout=max(1.0, deadline - start))
            return rid, status, time.monotonic() - start

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            futures = [pool.submit(one, uuid.uuid4().hex[:12]) for _ in range(REQUESTS)]
            for f in as_completed(futures):
                rid, status, latency = f.result()
                results[rid] = (status, latency)
        wall = time.monotonic() - start
        serial_runs = [one(uuid.uuid4().hex[:12]) for _ in range(SERIAL)]
        serial = {rid: (status, lat) for rid, status, lat in serial_runs}
    finally:
        proxy.stop()
        stub.stop()

    calls = list(stub.state.calls)
    upstream: dict[str, float] = {}
    for c in calls:
        rid = c.prompt_head.split(" ", 1)[0]
        upstream[rid] = upstream.get(rid, 0.0) + c.duration
    serial_ms = [(lat - upstream.get(rid, 0.0)) * 1000 for rid, (st, lat) in serial.items() if st == 200]
    calls = [c for c in calls if c.prompt_head.split(" ", 1)[0] not in serial]
    ok = [rid for rid, (s, _) in results.items() if s == 200]
    skipped = sum(1 for s, _ in results.values() if s == -1)
    added_ms = [(results[r][1] - upstream.get(r, 0.0)) * 1000 for r in ok]
    failed_calls = sum(1 for c in calls if c.status == 500)
    bad_sig = sum(1 for c in calls if c.status == 401)

    print(f"requests: {REQUESTS}, concurrency: {CONCURRENCY}, time cap: {TIME_CAP_S:.0f} s")
    print(f"upstream chat calls: {len(calls)}, failed (stub 500): {failed_calls} "
          f"({failed_calls / max(1, len(calls)):.1%}), bad signatures: {bad_sig}")
    print(f"wall time: {wall:.2f} s, throughput: {len(ok) / wall:.1f} requests/s")
    if added_ms:
        print(f"router-added latency: p50 {statistics.median(added_ms):.1f} ms, "
              f"p99 {_pct(added_ms, 99):.1f} ms (client latency minus stub time)")
    if serial_ms:
        print(f"router-added latency at concurrency 1 ({len(serial_ms)} requests): "
              f"p50 {statistics.median(serial_ms):.1f} ms, p99 {_pct(serial_ms, 99):.1f} ms")
    print(f"success: {len(ok)}/{REQUESTS} ({len(ok) / REQUESTS:.1%}); not sent (time cap): {skipped}")
    return 0 if len(ok) == REQUESTS and bad_sig == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
