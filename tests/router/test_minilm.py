"""The stub's embedText is all-MiniLM-L6-v2 (router/testing/minilm.py, numpy): it must give the model's
published similarities, and relevance must be semantic (a paraphrase beats an unrelated answer, and
beats the hashed lexical features where the words differ)."""

from __future__ import annotations

import numpy as np
import pytest

from evals import metrics
from router.testing import answers, minilm

pytestmark = pytest.mark.unit


def test_reproduces_the_similarities_sentence_transformers_publishes() -> None:
    # https://sbert.net/docs/sentence_transformer/usage/usage.html (model.similarity of all-MiniLM-L6-v2)
    e = minilm.model().embed(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    assert e.shape == (3, 384) and np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    sims = e @ e.T
    assert sims[0, 1] == pytest.approx(0.6660, abs=5e-4)
    assert sims[0, 2] == pytest.approx(0.1046, abs=5e-4)
    assert sims[1, 2] == pytest.approx(0.1411, abs=5e-4)


def test_a_paraphrase_scores_higher_than_an_unrelated_answer() -> None:
    reference = "Roll back a prompt by pinning its previous version in the stack config and redeploying."
    paraphrase = "To undo a prompt change, set the earlier prompt version in the stack file and deploy again."
    unrelated = "The audit archive bucket keeps copies of the tenancy audit log for a year."
    ref, para, other = (minilm.embed([t])[0] for t in (reference, paraphrase, unrelated))
    semantic = metrics.cosine(ref, para), metrics.cosine(ref, other)
    assert semantic[0] > 0.6 and semantic[0] - semantic[1] > 0.4, semantic
    # Hashed word features barely see the paraphrase (few shared words): what the real model adds.
    lexical = metrics.cosine(answers.embed(reference), answers.embed(paraphrase))
    assert semantic[0] > lexical + 0.3, (semantic, lexical)


def test_batches_pad_without_changing_an_embedding() -> None:
    short, long = "Budgets downgrade the model.", "The router downgrades premium requests to the standard model " * 5
    alone = minilm.model().embed([short])[0]
    padded = minilm.model().embed([short, long])[0]
    assert np.allclose(alone, padded, atol=1e-5)  # padding is masked out of attention and pooling
    assert minilm.model().embed([]).shape == (0, 384)
