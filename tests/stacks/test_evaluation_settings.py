"""genai-platform:evaluation: every key validated, one located line per problem, never the value."""

from __future__ import annotations

from typing import Any

import pytest

from evals.thresholds import Thresholds
from stacks.settings import validate
from stacks.settings.evaluation import TrafficSampleSettings
from tests.stacks.test_operations_settings import problems_for as operations_problems
from tests.stacks.test_operations_settings import raw_config

pytestmark = pytest.mark.unit


def problems_for(stack: str, patch: dict[str, Any] | None = None, delete: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Key paths split on '/': use-case names and versions contain '-' and '.'."""
    return operations_problems(stack, patch, delete, plane="evaluation", sep="/")


def _settings(stack: str) -> Any:
    return validate(raw_config(stack), region="eu-frankfurt-1", project="genai-platform", stack=stack)


def test_stack_files_pin_every_prompt_and_canary_at_five_percent() -> None:
    assert problems_for("dev") == [] and problems_for("prod") == []
    for stack in ("dev", "prod"):
        ev = _settings(stack).evaluation
        assert ev.thresholds == Thresholds()
        assert ev.prompt_versions == {"incident-summariser": "1.0.0", "ops-agent": "1.0.0", "rag-assistant": "1.0.0"}
        assert (ev.prompts["rag-assistant"].candidate, ev.prompts["rag-assistant"].candidate_share) == ("1.1.0", 0.05)
    dev = _settings("dev").evaluation
    assert dev.model_canary is not None and dev.model_canary.share == 0.05


def test_defaults_without_the_key() -> None:
    raw = raw_config("dev")
    raw.pop("evaluation")
    ev = validate(raw, region="eu-frankfurt-1", project="genai-platform", stack="dev").evaluation
    assert ev.prompt_versions["rag-assistant"] == "1.1.0"  # latest
    assert ev.model_canary is None and ev.online.enabled and ev.online.schedule == "*/30 * * * *"
    assert ev.online.model == "command-r-plus"


SECRET = "sk-live-SECRETVALUE123"
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (stack, patch (paths split by '/'), problem path under genai-platform:evaluation, message fragment)
    ("dev", {"thresholds/relevanceMin": 1.5}, "thresholds.relevanceMin", "out of range"),
    ("dev", {"thresholds/latencyP95MaxSeconds": 0}, "thresholds.latencyP95MaxSeconds", "out of range"),
    ("dev", {"thresholds/recall": 0.5}, "thresholds", "unknown key"),
    ("dev", {"embeddingModel": "no-such-model"}, "embeddingModel", "not an embedding model of the catalogue"),
    ("dev", {"embeddingModel": "command-r"}, "embeddingModel", "not an embedding model of the catalogue"),
    ("dev", {"prompts/no-such-case": {"version": "1.0.0"}}, "prompts.no-such-case", "no such use case under prompts/"),
    ("dev", {"prompts/rag-assistant/version": "9.9.9"}, "prompts.rag-assistant.version", "no such version"),
    ("dev", {"prompts/rag-assistant/version": "v1"}, "prompts.rag-assistant.version", "a version file of prompts"),
    ("dev", {"prompts/rag-assistant/candidate": "1.0.0"}, "prompts.rag-assistant.candidate", "equals the pinned version"),
    ("dev", {"prompts/rag-assistant/candidateShare": 0.9}, "prompts.rag-assistant.candidateShare", "out of range"),
    ("dev", {"prompts/ops-agent/candidateShare": 0.1}, "prompts.ops-agent.candidateShare", "set without a candidate"),
    ("dev", {"modelCanary/model": "no-such-model"}, "modelCanary.model", "not a chat model of the catalogue"),
    ("dev", {"modelCanary/model": "embed-multilingual"}, "modelCanary.model", "not a chat model of the catalogue"),
    ("dev", {"modelCanary/candidateModelId": "cohere.command-r-08-2024"}, "modelCanary.candidateModelId",
     "equals the stable model id"),
    ("dev", {"modelCanary/candidateModelId": SECRET}, "modelCanary.candidateModelId", "an OCI Generative AI model id"),
    ("dev", {"modelCanary/share": -0.1}, "modelCanary.share", "out of range"),
    ("prod", {"modelCanary": {"model": "command-r-plus", "candidateModelId": "cohere.command-a-03-2025"}},
     "modelCanary.model", "served by a dedicated cluster"),
    ("dev", {"online/schedule": "hourly"}, "online.schedule", "five-field cron schedule"),
    ("dev", {"online/sampleSize": 0}, "online.sampleSize", "out of range"),
    ("dev", {"online/useCases": ["rag-assistant", "nope-case"]}, "online.useCases[1]", "no such use case"),
    ("dev", {"online/model": "no-such-model"}, "online.model", "not a chat model of the catalogue"),
    ("dev", {"online/model": "embed-multilingual"}, "online.model", "not a chat model of the catalogue"),
    ("dev", {"online/enabled": "yes"}, "online.enabled", "wrong type"),
    ("prod", {"online/trafficSample/rate": 0.02}, "online.trafficSample.rate", "more than the confidential tier allows"),
    ("dev", {"online/trafficSample/rate": 0.06}, "online.trafficSample.rate", "more than the internal tier allows"),
    ("prod", {"online/trafficSample/retentionDays": 8}, "online.trafficSample.retentionDays",
     "more than the confidential tier allows"),
    ("dev", {"online/trafficSample/rate": 0}, "online.trafficSample.rate",
     "out of range; allowed: more than 0 and at most 1"),
    ("dev", {"online/trafficSample/rate": -0.5}, "online.trafficSample.rate",
     "out of range; allowed: more than 0 and at most 1"),
    ("dev", {"online/trafficSample/retentionDays": 31}, "online.trafficSample.retentionDays", "out of range"),
    ("dev", {"online/trafficSample/retentionDays": 2.5}, "online.trafficSample.retentionDays", "wrong type"),
    ("dev", {"online/trafficSample/bucket": "x"}, "online.trafficSample", "unknown key"),
]


@pytest.mark.parametrize(("stack", "patch", "path", "fragment"), CASES)
def test_each_key_error_is_one_located_line(stack: str, patch: dict[str, Any], path: str, fragment: str) -> None:
    problems = problems_for(stack, patch)
    assert [p for p, _ in problems] == [f"genai-platform:evaluation.{path}"], problems
    assert fragment in problems[0][1]
    assert SECRET not in problems[0][1] and "9.9.9" not in problems[0][1]


def test_model_canary_needs_model_and_candidate() -> None:
    problems = problems_for("dev", delete=("modelCanary/candidateModelId",))
    assert [p for p, _ in problems] == ["genai-platform:evaluation.modelCanary"]
    assert "candidateModelId" in problems[0][1]


def _tier_problems(tier: str, sample: dict[str, Any] | None) -> tuple[Any, list[str]]:
    from blueprint.stackconfig import load_stack_config, namespace_values, with_overrides
    from core.problems import SettingsError
    from tests.components.tiers import TIER_OVERRIDES
    from tests.conftest import ROOT

    raw = namespace_values(with_overrides(load_stack_config(ROOT, "prod"), TIER_OVERRIDES[tier], stack=f"prod-{tier}"))
    if sample is not None:
        raw.setdefault("evaluation", {}).setdefault("online", {})["trafficSample"] = sample
    try:
        return validate(raw, region="eu-frankfurt-1", project="genai-platform", stack=f"prod-{tier}"), []
    except SettingsError as exc:
        return None, [f"{p.path}: {p.message}" for p in exc.problems]


def test_traffic_sample_follows_the_tier() -> None:
    """Defaults are the tier's maxima where it keeps a sample bucket; elsewhere there is no sample."""
    assert _settings("prod").evaluation.online.traffic_sample == TrafficSampleSettings(0.01, 7)
    assert _settings("dev").evaluation.online.traffic_sample == TrafficSampleSettings(0.05, 14)
    for tier in ("public", "restricted"):
        settings, problems = _tier_problems(tier, None)
        assert problems == [] and settings.evaluation.online.traffic_sample is None
    settings, problems = _tier_problems("confidential", {"rate": 0.005, "retentionDays": 3})
    assert problems == [] and settings.evaluation.online.traffic_sample == TrafficSampleSettings(0.005, 3)


@pytest.mark.parametrize("tier", ["public", "restricted"])
def test_a_sample_where_the_tier_keeps_none_is_refused(tier: str) -> None:
    _, problems = _tier_problems(tier, {"rate": 0.01})
    assert len(problems) == 1
    assert problems[0].startswith("genai-platform:evaluation.online.trafficSample: set, but the")
    assert "keeps no traffic sample" in problems[0]
