"""Deterministic stand-ins for the model behind the stub: an extractive answerer and an embedder.

No language model runs in tests, so the stub answers like an obedient retrieval-augmented model:
it reads the `<document id="...">` blocks of the prompt (the prompts' `{context}`), picks the one
sentence that shares the most (idf-weighted) content words with the question, and cites its
document as `[doc-id]`. Without documents it declines. A prompt that stops passing the retrieved
context therefore degrades every quality metric, exactly what the quality gate must catch.

`embed` is feature hashing (Weinberger et al., "Feature Hashing for Large Scale Multitask
Learning", ICML 2009) of stemmed content words and word bigrams into 384 signed dimensions (the
size of all-MiniLM-L6-v2), L2-normalised: deterministic and lexical. Only the main venv's fake
endpoint (tests/evals/fake_endpoint.py, unit tests of the evaluator) uses it; the OCI stub's
embedText, which `blueprint eval` and the online job reach through the router, runs the real
all-MiniLM-L6-v2 (`router/testing/minilm.py`, router venv).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from typing import Any

from evals.corpus import parse_context, strip_context
from evals.text import content_words, sentences

DIMENSIONS = 384
INJECTION_MARKERS = ("ignore all previous instructions", "ignore previous instructions")
"""What the stub's applyGuardrails scores as prompt injection (stdlib here, so both venvs share it)."""
DECLINE = "I cannot answer from the provided documents."


def message_text(message: dict[str, Any]) -> str:
    """Text of an OCI GENERIC chat message (content parts) or an OpenAI one (string)."""
    content = message.get("content") or []
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict))


def extractive_answer(messages: list[dict[str, Any]]) -> str:
    docs: list[tuple[str, str]] = []
    for m in messages:
        docs.extend(parse_context(message_text(m)).items())
    question = strip_context(message_text(messages[-1])) if messages else ""
    candidates = [(doc_id, s) for doc_id, text in docs for s in sentences(text)]
    if not candidates:
        return DECLINE
    q = set(content_words(question))
    df: Counter[str] = Counter()
    for _, s in candidates:
        df.update(set(content_words(s)))
    n = len(candidates)
    best, best_score = candidates[0], 0.0
    for cand in candidates:
        terms = set(content_words(cand[1])) & q
        score = sum(math.log(1 + n / df[t]) for t in terms)
        if score > best_score:
            best, best_score = cand, score
    if best_score == 0.0:
        return DECLINE
    return f"{best[1]} [{best[0]}]"


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    return value % DIMENSIONS, 1.0 if (value >> 32) & 1 else -1.0


def embed(text: str) -> list[float]:
    toks = content_words(text)
    vec = [0.0] * DIMENSIONS
    for feature, weight in [(t, 1.0) for t in toks] + [(f"{a} {b}", 0.5) for a, b in itertools.pairwise(toks)]:
        i, sign = _bucket(feature)
        vec[i] += sign * weight
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec] if norm else vec
