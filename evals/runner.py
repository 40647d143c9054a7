"""Run a golden set through an OpenAI-compatible endpoint and gate the aggregate on thresholds.

For each case: retrieve from the corpus (`evals.corpus`), build the prompt version's messages,
ask the endpoint, score the answer. Relevance embeds every answer and reference through the same
endpoint's `/v1/embeddings` with the stack's embedding model, in batches. A guardrail block is an
HTTP 400 whose error names the guardrail; adversarial cases must be blocked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from evals import corpus, metrics
from evals.client import PROMPT_VERSION_HEADER, RELEASE_HEADER, VERSION_HEADER, Client, answer_text
from evals.golden import Case
from evals.thresholds import Thresholds
from prompts.registry import Prompt

EMBED_BATCH = 96
"""OCI embedText takes at most 96 inputs per request."""
GUARDRAIL_MARKER = "guardrail"


@dataclass(frozen=True)
class Pricing:
    """The answering model's price, from the stack's model catalogue (the router's price source)."""

    price: float
    pricing_unit: str


@dataclass
class CaseResult:
    id: str
    tags: tuple[str, ...]
    adversarial: bool
    status: int
    blocked: bool
    answer: str
    retrieved: tuple[str, ...]
    cited: tuple[str, ...]
    latency_s: float
    cost_usd: float
    version: str
    """Model version the router says served the request (its `x-genai-version` header), or ''."""
    release: str = ""
    """`stable` or `candidate` (the router's `x-genai-release` header), or ''."""
    prompt_version: str = ""
    """`<use-case>@<version>` of the system prompt that was used (the router's, when it applied it)."""
    coverage: float | None = None
    groundedness: float | None = None
    relevance: float | None = None
    harmful: bool = False
    reference: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("reference")
        return out


@dataclass(frozen=True)
class Aggregate:
    cases: int
    scored: int
    """Non-adversarial cases (the quality metrics' denominator)."""
    errors: int
    """Requests that failed for another reason than a guardrail block."""
    relevance: float
    groundedness: float
    coverage: float
    harmful_rate: float
    latency_p95_s: float
    cost_per_request_usd: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def run_case(client: Client, case: Case, prompt: Prompt, *, model: str, pricing: Pricing,
             docs: tuple[corpus.Document, ...], router_prompt: bool = False) -> CaseResult:
    """One case. With `router_prompt` the request carries only the user message and
    `metadata.use_case`, so the router applies its pinned (or canary) system prompt and names the
    version in its `x-genai-prompt-version` header; otherwise the prompt's own system prompt is sent."""
    retrieved = corpus.retrieve(case.question, docs)
    messages = prompt.messages(context=corpus.render_context(retrieved), question=case.question)
    if router_prompt:
        messages = messages[1:]
    resp = client.chat(model, messages, metadata={"use_case": prompt.id})
    error = resp.body.get("error") if isinstance(resp.body.get("error"), dict) else {}
    blocked = resp.status == 400 and GUARDRAIL_MARKER in str((error or {}).get("message", "")).lower()
    answer = answer_text(resp.body) if resp.status == 200 else ""
    usage = resp.body.get("usage") or {}
    chars = sum(len(m["content"]) for m in messages) + len(answer) if resp.status == 200 else 0
    tokens = int(usage.get("total_tokens") or 0)
    result = CaseResult(
        id=case.id, tags=case.tags, adversarial=case.adversarial, status=resp.status, blocked=blocked,
        answer=answer, retrieved=tuple(d.id for d in retrieved), cited=metrics.citations(answer),
        latency_s=resp.seconds, cost_usd=metrics.cost(characters=chars, tokens=tokens, price=pricing.price,
                                                      pricing_unit=pricing.pricing_unit),
        version=resp.headers.get(VERSION_HEADER, ""), release=resp.headers.get(RELEASE_HEADER, ""),
        prompt_version=resp.headers.get(PROMPT_VERSION_HEADER, "") if router_prompt else prompt.ref,
        reference=case.reference,
        harmful=metrics.harmful(answer, case.must_not_contain, blocked=blocked, adversarial=case.adversarial),
    )
    if not case.adversarial:
        texts = {d.id: d.text for d in retrieved}
        result.coverage = metrics.coverage(answer, case.facts)
        result.groundedness = metrics.groundedness(answer, texts)
    return result


def score_relevance(client: Client, embedding_model: str, results: list[CaseResult]) -> None:
    """Fill `relevance` of every scored case: cosine of answer and reference embeddings."""
    scored = [r for r in results if not r.adversarial]
    answered = [r for r in scored if r.answer]
    for r in scored:
        if not r.answer:
            r.relevance = 0.0
    for start in range(0, len(answered), EMBED_BATCH // 2):
        batch = answered[start:start + EMBED_BATCH // 2]
        vectors = client.embed(embedding_model, [r.answer for r in batch] + [r.reference for r in batch])
        for i, r in enumerate(batch):
            r.relevance = max(0.0, metrics.cosine(vectors[i], vectors[len(batch) + i]))


def run(client: Client, cases: Sequence[Case], prompt: Prompt, *, model: str, embedding_model: str | None,
        pricing: Pricing, docs: tuple[corpus.Document, ...] | None = None, router_prompt: bool = False
        ) -> list[CaseResult]:
    docs = docs if docs is not None else corpus.load()
    results = [run_case(client, c, prompt, model=model, pricing=pricing, docs=docs, router_prompt=router_prompt)
               for c in cases]
    if embedding_model:  # the online job runs without one where the stack's catalogue has none
        score_relevance(client, embedding_model, results)
    return results


def aggregate(results: Sequence[CaseResult]) -> Aggregate:
    scored = [r for r in results if not r.adversarial]
    return Aggregate(
        cases=len(results),
        scored=len(scored),
        errors=sum(1 for r in results if r.status != 200 and not r.blocked),
        relevance=_mean([r.relevance or 0.0 for r in scored]),
        groundedness=_mean([r.groundedness or 0.0 for r in scored]),
        coverage=_mean([r.coverage or 0.0 for r in scored]),
        harmful_rate=_mean([1.0 if r.harmful else 0.0 for r in results]),
        latency_p95_s=metrics.p95([r.latency_s for r in results]),
        cost_per_request_usd=_mean([r.cost_usd for r in results]),
    )


def gate(agg: Aggregate, t: Thresholds) -> list[str]:
    """Metrics below (or above) their threshold, one line each; empty when the gate passes."""
    checks = (
        ("relevance", agg.relevance, ">=", t.relevance_min),
        ("groundedness", agg.groundedness, ">=", t.groundedness_min),
        ("coverage", agg.coverage, ">=", t.coverage_min),
        ("harmful_rate", agg.harmful_rate, "<=", t.harmful_rate_max),
        ("latency_p95_s", agg.latency_p95_s, "<=", t.latency_p95_max_s),
        ("cost_per_request_usd", agg.cost_per_request_usd, "<=", t.cost_per_request_max_usd),
    )
    failed = []
    for name, value, op, limit in checks:
        ok = value >= limit if op == ">=" else value <= limit
        if not ok:
            failed.append(f"{name}: {value:.4g} (threshold {op} {limit:g})")
    if agg.errors:
        failed.append(f"errors: {agg.errors} request(s) failed (threshold = 0)")
    return failed
