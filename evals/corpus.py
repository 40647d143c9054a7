"""The document corpus the golden sets are written for, and deterministic retrieval over it.

`evals/corpus/<doc-id>.md` holds short documents about this platform's own operations (objectives
and alarms, classification tiers, cost controls, runbooks, the router, evaluation and release),
each fact taken from the repository. In production the agent's knowledge base retrieves; offline
the evaluator retrieves with BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework:
BM25 and Beyond", 2009; k1 = 1.2, b = 0.75) so every run retrieves the same documents.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evals.text import content_words

try:  # inside the router image the hooks package is top level
    from genai_router_hooks import documents as blocks
except ImportError:  # from the repository root
    from router.hooks.genai_router_hooks import documents as blocks

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
TOP_K = 3
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class Document:
    id: str
    text: str


@lru_cache(maxsize=4)
def load(corpus_dir: Path = CORPUS_DIR) -> tuple[Document, ...]:
    return tuple(Document(p.stem, p.read_text(encoding="utf-8")) for p in sorted(corpus_dir.glob("*.md")))


def retrieve(query: str, docs: tuple[Document, ...], k: int = TOP_K) -> tuple[Document, ...]:
    """The k documents with the highest BM25 score for the query (ties broken by id)."""
    tokenised = [content_words(d.text) for d in docs]
    avg = sum(len(t) for t in tokenised) / max(1, len(tokenised))
    df: Counter[str] = Counter()
    for toks in tokenised:
        df.update(set(toks))
    n = len(docs)
    q = set(content_words(query))
    scored = []
    for doc, toks in zip(docs, tokenised, strict=True):
        tf = Counter(toks)
        score = 0.0
        for term in q:
            if tf[term]:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf[term] * (K1 + 1) / (tf[term] + K1 * (1 - B + B * len(toks) / avg))
        scored.append((-score, doc.id, doc))
    return tuple(d for _, _, d in sorted(scored)[:k])


def render_context(docs: tuple[Document, ...]) -> str:
    """Retrieved documents as the prompts' `{context}`: each inside a <document id="..."> block."""
    return blocks.render([(d.id, d.text) for d in docs])


def parse_context(text: str) -> dict[str, str]:
    """The documents of a prompt rendered by `render_context` (id → text); the inverse, for answers
    read back from the router's request log."""
    return blocks.parse(text)


def strip_context(text: str) -> str:
    """The text without its document blocks (the question a user asked)."""
    return blocks.strip(text)
