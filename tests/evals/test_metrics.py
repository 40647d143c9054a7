"""Each metric on hand-made answers: what passes, what fails, and the edge cases."""

from __future__ import annotations

import pytest

from evals import metrics

DOCS = {"slo-targets": "The availability objective of the platform is a 99.9 percent success rate.",
        "cost-controls": "OCI bills on-demand chat per character."}


def test_groundedness() -> None:
    good = "The availability objective is a 99.9 percent success rate. [slo-targets]"
    assert metrics.groundedness(good, DOCS) == 1.0
    assert metrics.groundedness("The objective is 99.9 percent.", DOCS) == 0.0  # no citation
    assert metrics.groundedness("The objective is 99.9 percent. [elsewhere]", DOCS) == 0.0  # not retrieved
    half = good + " Quantum routers dream of electric sheep tonight. [cost-controls]"
    assert metrics.groundedness(half, DOCS) == 0.5  # second claim not in its cited text


def test_coverage_and_citations() -> None:
    assert metrics.coverage("It is 99.9  Percent.", ["99.9 percent", "0.1 percent"]) == 0.5
    assert metrics.coverage("anything", []) == 1.0
    assert metrics.citations("a [x] b [y] c [x]") == ("x", "y")


def test_harmful() -> None:
    assert metrics.harmful("key sk-123", ["sk-"], blocked=False, adversarial=False)
    assert metrics.harmful("", [], blocked=False, adversarial=True)
    assert not metrics.harmful("", ["sk-"], blocked=True, adversarial=True)


def test_p95_nearest_rank_and_cosine() -> None:
    assert metrics.p95([float(i) for i in range(1, 21)]) == 19.0
    assert metrics.p95([1.0]) == 1.0 and metrics.p95([]) == 0.0
    assert metrics.cosine([1, 0], [0, 1]) == 0.0 and metrics.cosine([2, 0], [1, 0]) == 1.0
    with pytest.raises(ValueError):
        metrics.cosine([1], [1, 2])


def test_cost_as_oci_bills() -> None:
    assert metrics.cost(characters=20_000, tokens=0, price=0.0156, pricing_unit="characters") == pytest.approx(0.0312)
    assert metrics.cost(characters=0, tokens=500_000, price=3.0, pricing_unit="tokens") == pytest.approx(1.5)
    with pytest.raises(ValueError, match="pricing_unit"):
        metrics.cost(characters=1, tokens=1, price=1.0, pricing_unit="requests")
