"""Canary and rollback: weighted model versions and pinned prompt versions, labelled end to end.

Unit: the renderer's weights and labels, the rollback (share 0 renders no candidate), the
hooks' prompt selection and response headers. Integration (the REAL proxy against the OCI stub):
1,000 requests with a 5% candidate land on it within the exact binomial 99% interval, every
response carries its version and release headers and every request log entry its labels; flipping
the config to share 0 sends all traffic to the stable version.
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from genai_router_hooks import contract, releases

from router.inputs import Canary, ModelSpec, PromptRelease, RouterInputs
from router.render import render_config
from router.testing.oci_stub import OCIStub
from router.testing.proxy import NO_GUARDRAILS, REPO, Proxy, eventually, loopback_inputs, signed_stub

STABLE_ID, CANDIDATE_ID = "meta.llama-3.3-70b-instruct", "meta.llama-4-maverick-17b-128e-instruct-fp8"
SHARE, N = 0.05, 1000
SEED = 20261126


def _spec(key: str, model_id: str, version: str = "") -> ModelSpec:
    return ModelSpec(key, "chat", model_id, "on-demand", 0.0072, "characters", 100_000, 100_000_000,
                     version=version)


def _inputs(endpoint: str | None = None, share: float = SHARE, prompt_share: float = 0.0) -> RouterInputs:
    return loopback_inputs(
        endpoint, (_spec("chat-stable", STABLE_ID), _spec("chat-candidate", CANDIDATE_ID, "maverick-2026-11")),
        canaries=(Canary("chat", "chat-candidate", share),),
        prompts=(PromptRelease("rag-assistant", "1.0.0", "You are the stable assistant.", "1.1.0",
                               "You are the candidate assistant.", prompt_share),),
        guardrails=NO_GUARDRAILS)


def binomial_interval(n: int, p: float, level: float = 0.99) -> tuple[int, int]:
    """Smallest [lo, hi] with P(X < lo) ≤ (1-level)/2 and P(X > hi) ≤ (1-level)/2, X ~ Binomial(n, p)."""
    tail = (1 - level) / 2
    cdf, lo, hi = 0.0, None, None
    for k in range(n + 1):
        cdf += math.comb(n, k) * p**k * (1 - p) ** (n - k)
        if lo is None and cdf > tail:
            lo = k
        if hi is None and cdf >= 1 - tail:
            hi = k
            break
    assert lo is not None and hi is not None
    return lo, hi


def test_binomial_interval_known_values() -> None:
    lo, hi = binomial_interval(N, SHARE)
    # P(X ≤ 32) = 0.0037, P(X ≤ 33) = 0.0059; P(X ≥ 69) = 0.0051, P(X ≥ 70) = 0.0035 (right-skewed:
    # the normal approximation 50 ± 2.576 × √47.5 = [32.2, 67.8] is a little too narrow on the right).
    assert (lo, hi) == (33, 69)
    assert binomial_interval(10, 0.5) == (1, 9)


def test_render_weights_and_labels() -> None:
    cfg = render_config(_inputs())
    by_key = {d["model_info"]["id"]: d for d in cfg["model_list"]}
    assert by_key["chat-candidate"]["litellm_params"]["weight"] == SHARE
    assert by_key["chat-stable"]["litellm_params"]["weight"] == pytest.approx(1 - SHARE)
    assert by_key["chat-candidate"]["model_info"]["release"] == "candidate"
    assert by_key["chat-candidate"]["model_info"]["version"] == "maverick-2026-11"
    assert by_key["chat-stable"]["model_info"] | {} == by_key["chat-stable"]["model_info"]
    assert (by_key["chat-stable"]["model_info"]["version"], by_key["chat-stable"]["model_info"]["release"]) == (
        STABLE_ID, "stable")
    assert "candidate" not in cfg["genai_router"]["prompts"]["rag-assistant"]  # prompt share 0


def test_rollback_renders_no_candidate() -> None:
    cfg = render_config(_inputs(share=0.0))
    assert [d["model_info"]["id"] for d in cfg["model_list"]] == ["chat-stable"]
    assert cfg["model_list"][0]["litellm_params"]["weight"] == 1.0


@pytest.mark.parametrize(("change", "message"), [
    ({"canaries": (Canary("chat", "nope", 0.05),)}, "canaries[chat].candidate_key: not a deployment of that model"),
    ({"models": (_spec("chat-candidate", CANDIDATE_ID),)}, "canaries[chat]: needs a stable deployment"),
    ({"canaries": (Canary("chat", "chat-candidate", 0.05),) * 2}, "canaries: one canary per model"),
])
def test_canary_errors(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        replace(_inputs(), **change)


def test_release_value_errors() -> None:
    with pytest.raises(ValueError, match=r"canary\.share"):
        Canary("chat", "x", 0.9)
    with pytest.raises(ValueError, match=r"prompts\[rag\]\.candidate_share: needs a candidate version"):
        PromptRelease("rag", "1.0.0", "s", candidate_share=0.1)
    with pytest.raises(ValueError, match=r"prompts\[rag\]\.candidate: needs both"):
        PromptRelease("rag", "1.0.0", "s", candidate_version="1.1.0")


def test_prompt_selection_and_headers() -> None:
    prompts = render_config(_inputs(prompt_share=0.25))["genai_router"]["prompts"]
    data = {"messages": [{"role": "system", "content": "client"}, {"role": "user", "content": "q"}],
            "metadata": {"use_case": "rag-assistant"}}
    applied = releases.apply_prompt(prompts, data, draw=lambda: 0.1)
    assert applied is not None and applied.ref == "rag-assistant@1.1.0" and applied.release == "candidate"
    assert data["messages"] == [{"role": "system", "content": "You are the candidate assistant."},
                                {"role": "user", "content": "q"}]
    stable = {"messages": [{"role": "user", "content": "q"}], "metadata": {"use_case": "rag-assistant"}}
    assert releases.apply_prompt(prompts, stable, draw=lambda: 0.25).ref == "rag-assistant@1.0.0"  # type: ignore[union-attr]
    assert releases.apply_prompt(prompts, {"messages": [], "metadata": {}}) is None
    info = {"id": "chat-candidate", "version": "v2", "release": "candidate"}
    assert releases.headers(data, {"model_info": {}, "model_id": "chat-candidate"}, lambda _: info) == {
        "x-genai-version": "v2", "x-genai-release": "candidate", "x-genai-prompt-version": "rag-assistant@1.1.0"}


# -- the real proxy ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def env() -> Iterator[tuple[OCIStub, Path, Path]]:
    with signed_stub() as (stub, key_file, wd):
        # Seed the proxy's global RNG (LiteLLM's simple-shuffle and our prompt split draw from it),
        # so the observed share is reproducible run to run.
        site = wd / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(f"import random\nrandom.seed({SEED})\n", encoding="utf-8")
        yield stub, key_file, wd


def _proxy(stub: OCIStub, key_file: Path, wd: Path, name: str, share: float, prompt_share: float = 0.0) -> Proxy:
    d = wd / name
    d.mkdir()
    return Proxy(_inputs(stub.url, share, prompt_share), key_file, d, env={
        "PYTHONPATH": ":".join([str(wd / "site"), str(REPO / "router" / "hooks"), str(REPO)]),
        "GENAI_ROUTER_LOG_ID": "ocid1.log.oc1..canarytest"}).start()


def _logged(stub: OCIStub, n: int, timeout_s: float = 20.0) -> list[dict]:
    """The request log entries once n arrived (the hooks post them from a background thread)."""
    deadline = time.monotonic() + timeout_s
    while len(stub.log_entries()) < n and time.monotonic() < deadline:
        time.sleep(0.2)
    return stub.log_entries()


def _ask(proxy: Proxy, i: int, use_case: str | None = None) -> tuple[int, dict[str, str]]:
    body: dict = {"model": "chat", "messages": [{"role": "user", "content": f"request {i}"}]}
    if use_case:
        body["metadata"] = {"use_case": use_case}
    req = urllib.request.Request(f"{proxy.url}/v1/chat/completions", data=json.dumps(body).encode(), headers={
        "content-type": "application/json", "authorization": f"Bearer {proxy.master_key}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        return r.status, {k.lower(): v for k, v in r.headers.items()}


def _requests_by_release(stub: OCIStub) -> Counter[tuple[str, str]]:
    """Requests posted to Monitoring per (release, version) dimension values."""
    out: Counter[tuple[str, str]] = Counter()
    for m in stub.metric_data():
        if m["namespace"] == contract.ROUTER_NS and m["name"] == "requests":
            dims = m["dimensions"]
            out[(dims[contract.RELEASE], dims[contract.VERSION])] += int(sum(d["value"] for d in m["datapoints"]))
    return out


def _requests_by_prompt(stub: OCIStub) -> Counter[str]:
    out: Counter[str] = Counter()
    for m in stub.metric_data():
        if m["namespace"] == contract.ROUTER_NS and m["name"] == "requests":
            out[m["dimensions"][contract.PROMPT_VERSION]] += int(sum(d["value"] for d in m["datapoints"]))
    return out


@pytest.mark.integration
def test_five_percent_canary_then_rollback(env: tuple[OCIStub, Path, Path]) -> None:
    stub, key_file, wd = env
    proxy = _proxy(stub, key_file, wd, "canary", SHARE)
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda i: _ask(proxy, i), range(N)))
        entries = _logged(stub, N)
        counted = eventually(lambda: sum(_requests_by_release(stub).values()) == N)
    finally:
        proxy.stop()
    assert all(status == 200 for status, _ in answers)
    labels = Counter((h.get("x-genai-release"), h.get("x-genai-version")) for _, h in answers)
    assert set(labels) == {("stable", STABLE_ID), ("candidate", "maverick-2026-11")}, labels
    candidate = labels[("candidate", "maverick-2026-11")]
    lo, hi = binomial_interval(N, SHARE)
    assert lo <= candidate <= hi, f"candidate share {candidate}/{N} outside the binomial 99% interval [{lo}, {hi}]"
    print(f"candidate: {candidate}/{N} (99% interval [{lo}, {hi}])")
    arrivals = Counter(stub.arrivals())
    assert arrivals[CANDIDATE_ID] == candidate and arrivals[STABLE_ID] == N - candidate  # the labels tell the truth
    assert len(entries) == N
    assert Counter(e["release"] for e in entries) == {"stable": N - candidate, "candidate": candidate}
    # OCI Monitoring sees the same split: the `requests` streams carry version and release.
    assert counted and _requests_by_release(stub) == {("stable", STABLE_ID): N - candidate,
                                                      ("candidate", "maverick-2026-11"): candidate}

    stub.reset()
    rolled_back = _proxy(stub, key_file, wd, "rollback", 0.0)  # the config flip: share 0, restart
    try:
        answers = [_ask(rolled_back, i) for i in range(200)]
    finally:
        rolled_back.stop()
    assert {(s, h.get("x-genai-release"), h.get("x-genai-version")) for s, h in answers} == {(200, "stable", STABLE_ID)}
    assert set(stub.arrivals()) == {STABLE_ID}


@pytest.mark.integration
def test_pinned_prompt_is_applied_and_labelled(env: tuple[OCIStub, Path, Path]) -> None:
    stub, key_file, wd = env
    stub.reset()
    proxy = _proxy(stub, key_file, wd, "prompts", 0.0, prompt_share=0.5)
    try:
        answers = [_ask(proxy, i, "rag-assistant") for i in range(40)]
        plain = _ask(proxy, 999)
        entries = _logged(stub, 41)
        eventually(lambda: sum(_requests_by_prompt(stub).values()) == 41)
    finally:
        proxy.stop()
    versions = Counter(h.get("x-genai-prompt-version") for _, h in answers)
    assert set(versions) == {"rag-assistant@1.0.0", "rag-assistant@1.1.0"}
    assert "x-genai-prompt-version" not in plain[1]
    assert Counter(e["prompt_version"] for e in entries if e["prompt_version"]) == versions
    assert _requests_by_prompt(stub) == {**versions, contract.NONE: 1}  # Monitoring: per prompt version
