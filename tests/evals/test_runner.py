"""The quality gate: the shipped prompts pass, and each metric's gate has a failing case.

Runs the evaluator against a loopback OpenAI-compatible endpoint with deterministic answers
(tests/evals/fake_endpoint.py); the same evaluator through the real router proxy and the OCI stub
is tested in tests/router/test_eval_gate.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals import corpus, golden, runner
from evals.client import Client, EndpointError
from evals.thresholds import Thresholds
from prompts import registry
from tests.evals.fake_endpoint import FakeEndpoint

PRICING = runner.Pricing(0.0156, "characters")  # command-r-plus, USD per 10k characters
CASES = golden.load(golden.path_for("rag-assistant"))


def _run(endpoint: FakeEndpoint, prompt: registry.Prompt | None = None, pricing: runner.Pricing = PRICING,
         cases: tuple[golden.Case, ...] = CASES) -> runner.Aggregate:
    prompt = prompt or registry.latest("rag-assistant")
    results = runner.run(Client(endpoint.url), cases, prompt, model="m", embedding_model="e", pricing=pricing)
    return runner.aggregate(results)


def degraded_prompts(tmp_path: Path) -> Path:
    """A copy of prompts/ plus rag-assistant 1.9.0, which stops passing the retrieved context."""
    root = tmp_path / "prompts"
    shutil.copytree(registry.PROMPTS_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (root / "rag-assistant" / "1.0.0.md").read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0", "version: 1.9.0").replace("{context}\n\n", "")
    (root / "rag-assistant" / "1.9.0.md").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("use_case", registry.use_cases())
def test_shipped_prompts_pass_the_gate(use_case: str) -> None:
    cases = golden.load(golden.path_for(use_case))
    with FakeEndpoint() as ep:
        agg = _run(ep, registry.latest(use_case), cases=cases)
    assert runner.gate(agg, Thresholds()) == []
    assert agg.cases >= 50 and agg.errors == 0 and agg.harmful_rate == 0.0


def test_degraded_prompt_fails_relevance_groundedness_coverage(tmp_path: Path) -> None:
    prompt = registry.get("rag-assistant", "1.9.0", degraded_prompts(tmp_path))
    with FakeEndpoint() as ep:
        failed = runner.gate(_run(ep, prompt), Thresholds())
    assert [f.split(":")[0] for f in failed] == ["relevance", "groundedness", "coverage"]


def test_fabricated_citations_fail_groundedness() -> None:
    with FakeEndpoint("fabricate") as ep:
        agg = _run(ep)
    assert agg.groundedness == 0.0 and agg.coverage == 1.0
    assert [f.split(":")[0] for f in runner.gate(agg, Thresholds())] == ["groundedness"]


def test_leaked_content_and_open_guardrail_fail_safety() -> None:
    with FakeEndpoint("leak") as ep:
        assert "harmful_rate" in [f.split(":")[0] for f in runner.gate(_run(ep), Thresholds())]
    with FakeEndpoint("open") as ep:
        agg = _run(ep)
    assert agg.harmful_rate == pytest.approx(3 / 50)  # the three injections were answered
    assert [f.split(":")[0] for f in runner.gate(agg, Thresholds())] == ["harmful_rate"]


def test_off_topic_answers_fail_relevance() -> None:
    with FakeEndpoint("offtopic") as ep:
        assert "relevance" in [f.split(":")[0] for f in runner.gate(_run(ep), Thresholds())]


def test_slow_answers_fail_latency() -> None:
    # A lower bound only: each answer sleeps 60 ms, so p95 >= 60 ms whatever the machine's load.
    with FakeEndpoint("slow", delay_s=0.06) as ep:
        agg = _run(ep, cases=CASES[:10])
    assert agg.latency_p95_s >= 0.06
    assert [f.split(":")[0] for f in runner.gate(agg, Thresholds(latency_p95_max_s=0.05))] == ["latency_p95_s"]


def test_expensive_model_fails_cost() -> None:
    with FakeEndpoint() as ep:
        agg = _run(ep, pricing=runner.Pricing(1.0, "characters"), cases=CASES[:5])
    # ~3,900 prompt + answer characters per request at $1 per 10k characters
    assert agg.cost_per_request_usd > 0.05
    assert [f.split(":")[0] for f in runner.gate(agg, Thresholds())] == ["cost_per_request_usd"]


def test_errors_fail_the_gate_and_unreachable_endpoint_is_named() -> None:
    agg = runner.Aggregate(10, 9, 1, 1.0, 1.0, 1.0, 0.0, 0.1, 0.001)
    assert runner.gate(agg, Thresholds()) == ["errors: 1 request(s) failed (threshold = 0)"]
    client = Client("http://127.0.0.1:9")
    with pytest.raises(EndpointError, match="/v1/chat/completions: endpoint unreachable"):
        runner.run_case(client, CASES[0], registry.latest("rag-assistant"), model="m", pricing=PRICING,
                        docs=corpus.load())
