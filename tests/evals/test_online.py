"""evals.online units: sampling, per-version means, the PostMetricData shape, config errors.

The whole job through the real router proxy and the OCI stub: tests/router/test_online_eval.py.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evals import contract, golden, online
from evals.runner import CaseResult


def _result(version: str, g: float, rel: float | None, adversarial: bool = False) -> CaseResult:
    return CaseResult(id="x", tags=(), adversarial=adversarial, status=200, blocked=False, answer="a", retrieved=(),
                      cited=(), latency_s=0.1, cost_usd=0.0, version="", prompt_version=version, coverage=1.0,
                      groundedness=g, relevance=rel)


def test_sample_takes_scored_cases_only() -> None:
    cases = golden.load(golden.path_for("rag-assistant"))
    picked = online.sample(cases, 10, random.Random(1))
    assert len(picked) == 10 and not any(c.adversarial for c in picked)
    assert len(online.sample(cases, 1000, random.Random(1))) == sum(not c.adversarial for c in cases)


def test_points_are_means_per_prompt_version() -> None:
    results = [_result("rag@1.0.0", 1.0, 0.9), _result("rag@1.0.0", 0.5, 0.7), _result("rag@1.1.0", 0.0, 0.1),
               _result("rag@1.1.0", 1.0, 1.0, adversarial=True)]
    pts = {(p.metric, p.prompt_version): (p.value, p.count) for p in online.points("rag", results)}
    assert pts[("groundedness", "rag@1.0.0")] == (0.75, 2)
    assert pts[("relevance", "rag@1.0.0")] == (pytest.approx(0.8), 2)
    assert pts[("groundedness", "rag@1.1.0")] == (0.0, 1)  # the adversarial case is not scored
    assert {m for m, _ in pts} == set(contract.GOLDEN_METRICS)


def test_relevance_is_not_posted_without_an_embedding_model() -> None:
    pts = online.points("rag", [_result("rag@1.0.0", 1.0, None)])
    assert {p.metric for p in pts} == {"groundedness", "coverage"}


def test_posted_streams_carry_the_contract() -> None:
    pts = [online.Point("groundedness", "rag-assistant", "rag-assistant@1.0.0", 0.9, 10)]
    (stream,) = online.metric_data({"compartment_ocid": "ocid1.compartment.oc1..x"}, pts,
                                   datetime(2026, 11, 26, tzinfo=UTC))
    assert stream["namespace"] == contract.QUALITY_NS and stream["name"] == "groundedness"
    assert stream["dimensions"] == {contract.USE_CASE: "rag-assistant", contract.PROMPT_VERSION: "rag-assistant@1.0.0",
                                    contract.SOURCE: contract.GOLDEN}
    assert stream["datapoints"] == [{"timestamp": "2026-11-26T00:00:00+00:00", "value": 0.9, "count": 10}]
    assert stream["metadata"] == {"unit": "ratio"}


def test_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("router_url: http://127.0.0.1:1\nmodel: m\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"config\.yaml: missing compartment_ocid, region, use_cases, sample_size"):
        online.load_config(path)
    monkeypatch.delenv(online.CONFIG_ENV, raising=False)
    assert online.main([]) == 2
    assert online.CONFIG_ENV in capsys.readouterr().err
