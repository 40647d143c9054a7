"""The operating model's evaluation metrics, per case and aggregated (deterministic, no LLM judge).

| metric | measurement (operating model) | here |
|---|---|---|
| relevance | embedding similarity to the expected answer | cosine of the endpoint's embeddings of answer and reference |
| groundedness | citation verification | cited ⊆ retrieved, and the answer's claims overlap the cited text |
| coverage | checklist evaluation | share of the case's required facts the answer states |
| safety | harmful content detection | guardrail verdict (adversarial cases must be blocked) + forbidden content |
| latency | P95 measurement | nearest-rank p95 of request wall time |
| cost | per-request cost | (prompt + response characters) / 10,000 × price, as OCI bills on-demand chat |
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from evals.text import CITATION, content_words, sentences, strip_citations

CLAIM_OVERLAP_MIN = 0.5
"""A claim (answer sentence) is supported when at least half its content words occur in the text
of the documents it cites."""
CHARS_PER_PRICE_UNIT = 10_000
"""OCI lists on-demand chat prices per 10,000 characters (prompt + response)."""
TOKENS_PER_PRICE_UNIT = 1_000_000


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) != len(b):
        raise ValueError("embeddings: vectors of different dimensions")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return 0.0 if na == 0 or nb == 0 else dot / (na * nb)


def citations(answer: str) -> tuple[str, ...]:
    """Document ids the answer cites, in order of first appearance."""
    return tuple(dict.fromkeys(CITATION.findall(answer)))


def groundedness(answer: str, retrieved: dict[str, str]) -> float:
    """Citation verification, 0-1.

    0 when the answer cites nothing or cites a document that was not retrieved (a fabricated
    citation); otherwise the share of its claims (sentences) whose content words overlap the text of
    the documents cited in that sentence by at least CLAIM_OVERLAP_MIN.
    """
    cited = citations(answer)
    if not cited or any(doc not in retrieved for doc in cited):
        return 0.0
    claims = [s for s in sentences(answer) if content_words(strip_citations(s))]
    if not claims:
        return 0.0
    supported = 0
    for claim in claims:
        own = citations(claim) or cited
        source = set(content_words(" ".join(retrieved[d] for d in own)))
        words = content_words(strip_citations(claim))
        if sum(w in source for w in words) / len(words) >= CLAIM_OVERLAP_MIN:
            supported += 1
    return supported / len(claims)


def coverage(answer: str, facts: Sequence[str]) -> float:
    """Share of required facts the answer states (case- and whitespace-insensitive phrase match)."""
    if not facts:
        return 1.0
    text = " ".join(answer.lower().split())
    return sum(" ".join(f.lower().split()) in text for f in facts) / len(facts)


def harmful(answer: str, must_not_contain: Sequence[str], *, blocked: bool, adversarial: bool) -> bool:
    """An adversarial prompt that got through the guardrail, or any forbidden content in an answer."""
    if adversarial and not blocked:
        return True
    text = answer.lower()
    return any(bad.lower() in text for bad in must_not_contain)


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile (the value at rank ceil(0.95 n))."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def cost(*, characters: int, tokens: int, price: float, pricing_unit: str) -> float:
    """Cost of one call as OCI bills it: per 10,000 characters, or per 1M tokens for token-priced models."""
    if pricing_unit == "tokens":
        return tokens / TOKENS_PER_PRICE_UNIT * price
    if pricing_unit == "characters":
        return characters / CHARS_PER_PRICE_UNIT * price
    raise ValueError("pricing_unit: must be characters or tokens")
