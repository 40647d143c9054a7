"""Golden sets validate, ship ≥ 50 cases per use case, and readiness states the 500+ requirement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import golden
from prompts import registry


def test_every_use_case_has_a_valid_golden_set_of_at_least_50() -> None:
    counts = golden.counts()
    assert set(counts) == set(registry.use_cases())
    assert len(counts) >= 3
    for use_case, n in counts.items():
        assert n >= golden.STAGE2_MIN_CASES, use_case


def test_readiness_says_production_needs_500() -> None:
    rows = golden.readiness()
    assert golden.PRODUCTION_MIN_CASES == 500
    for row in rows:
        assert row.stage2 and not row.production
        assert "production needs 500+" in row.note


def test_each_set_has_adversarial_cases_and_cites_the_corpus() -> None:
    for use_case in registry.use_cases():
        cases = golden.load(golden.path_for(use_case))
        assert sum(c.adversarial for c in cases) >= 3
        assert all(c.cite and c.facts and c.reference for c in cases if not c.adversarial)


def _write(tmp_path: Path, case: dict) -> Path:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(case) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "x-001", "question": "What is the availability objective?", "reference": "It is 99.9 percent.",
        "facts": ["99.9 percent"], "cite": ["slo-targets"], "must_not_contain": [], "tags": ["slo"]}


@pytest.mark.parametrize(("change", "message"), [
    ({"facts": []}, "x.jsonl:1: facts: minItems"),
    ({"cite": ["no-such-doc"]}, "x.jsonl:1: cite: names a document that is not in evals/corpus/"),
    ({"id": "X 1"}, "x.jsonl:1: id: pattern"),
    ({"tags": ["adversarial"]}, "x.jsonl:1: cite: maxItems"),
    ({"extra": "secret-value"}, "x.jsonl:1: (case): additionalProperties"),
])
def test_schema_errors_name_line_and_field(tmp_path: Path, change: dict, message: str) -> None:
    with pytest.raises(golden.GoldenError) as err:
        golden.load(_write(tmp_path, {**GOOD, **change}))
    assert str(err.value).startswith(message)
    assert "secret-value" not in str(err.value)


def test_duplicate_ids_and_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(golden.GoldenError, match=r"x\.jsonl:2: id: duplicate"):
        golden.load(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(golden.GoldenError, match=r"x\.jsonl:1: not a JSON object"):
        golden.load(path)
    assert golden.load(_write(tmp_path, GOOD))[0].facts == ("99.9 percent",)
