"""genai-platform:evaluation: every key validated, one located line per problem, never the value."""

from __future__ import annotations

from typing import Any

import pytest

from evals.thresholds import Thresholds
from stacks.settings import validate
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
