"""The quality gate through the REAL router: `blueprint eval` → LiteLLM proxy → OCI stub (loopback).

The stub answers deterministically from the prompt's documents and embeds with hashed features
(`router/testing/answers.py`); the proxy signs every call (the stub verifies the signatures) and
runs the OCI guardrail, so adversarial golden cases are blocked by the router itself. The
evaluator runs as the real CLI from the main venv (`.venv/bin/blueprint`, built by `make setup`,
which `make test-router` depends on), because it reads the stack's settings with Pulumi's API.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from router.inputs import Guardrails, ModelSpec, RouterInputs
from router.testing.oci_stub import EMBED_PATH, OCIStub
from router.testing.proxy import REPO, Proxy, loopback_inputs, running, signed_stub

pytestmark = pytest.mark.integration
BLUEPRINT = REPO / ".venv" / "bin" / "blueprint"
CHAT_MODEL = "llama-3.3-70b"
"""A logical name from the dev stack's catalogue (its price is what the evaluator bills)."""


def _inputs(endpoint: str) -> RouterInputs:
    def spec(key: str, model_id: str, price: float) -> ModelSpec:
        return ModelSpec(key, key, model_id, "on-demand", price, "characters", 10_000, 10_000_000)

    return loopback_inputs(
        endpoint,
        (spec(CHAT_MODEL, "meta.llama-3.3-70b-instruct", 0.0072), spec("embed", "cohere.embed-multilingual-v3.0", 0.001)),
        guardrails=Guardrails(prompt_injection=True, content_filter=True, oci_guardrail=True))


@pytest.fixture(scope="module")
def env() -> Iterator[tuple[OCIStub, Proxy]]:
    if not BLUEPRINT.exists():
        pytest.fail(f"{BLUEPRINT} missing: run `make setup` (make test-router depends on it)")
    with (signed_stub(answers="extractive") as (stub, key_file, wd),
          running(Proxy(_inputs(stub.url), key_file, wd)) as proxy):
        yield stub, proxy


def _eval(proxy: Proxy, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["GENAI_EVAL_KEY"] = proxy.master_key
    return subprocess.run(
        [str(BLUEPRINT), "--project-dir", str(REPO), "--out", str(out), "eval", "dev", "--endpoint", proxy.url,
         "--model", CHAT_MODEL, "--embedding-model", "embed", "--api-key-env", "GENAI_EVAL_KEY", *extra],
        env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("use_case", ["rag-assistant", "ops-agent", "incident-summariser"])
def test_shipped_prompts_pass_through_the_router(env: tuple[OCIStub, Proxy], tmp_path: Path, use_case: str) -> None:
    stub, proxy = env
    done = _eval(proxy, tmp_path, "--golden", str(REPO / "evals" / "golden" / f"{use_case}.jsonl"))
    assert done.returncode == 0, done.stderr
    for metric in ("relevance", "groundedness", "coverage", "harmful_rate", "latency_p95_s", "cost_per_request_usd"):
        assert metric in done.stdout
    (report,) = (tmp_path / "dev" / "eval").glob(f"{use_case}@*.json")
    doc = json.loads(report.read_text())
    agg = doc["aggregate"]
    print(f"{use_case}: relevance {agg['relevance']:.3f} (all-MiniLM-L6-v2), groundedness {agg['groundedness']:.3f}")
    assert agg["errors"] == 0 and agg["harmful_rate"] == 0.0 and agg["coverage"] >= 0.95
    blocked = [c for c in doc["cases"] if c["blocked"]]
    assert {c["id"] for c in blocked} == {c["id"] for c in doc["cases"] if c["adversarial"]}
    assert stub.calls(path=EMBED_PATH), "relevance did not embed through the router"
    assert not [c for c in stub.state.calls if c.status == 401], "an unsigned call reached the stub"


def test_degraded_prompt_fails_the_gate_through_the_router(env: tuple[OCIStub, Proxy], tmp_path: Path) -> None:
    _, proxy = env
    root = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts", root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (root / "rag-assistant" / "1.0.0.md").read_text(encoding="utf-8")
    (root / "rag-assistant" / "1.9.0.md").write_text(
        text.replace("version: 1.0.0", "version: 1.9.0").replace("{context}\n\n", ""), encoding="utf-8")
    done = _eval(proxy, tmp_path / "out", "--golden", str(REPO / "evals" / "golden" / "rag-assistant.jsonl"),
                 "--prompts-dir", str(root), "--prompt-version", "1.9.0")
    assert done.returncode == 1, done.stderr
    for metric in ("relevance", "groundedness", "coverage"):
        assert f"gate failed: {metric}" in done.stderr
