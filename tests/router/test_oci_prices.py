"""The default on-demand prices (stacks/settings/model.py) are the ones LiteLLM's pinned cost map copies
from Oracle's pricing page: USD per 10,000 characters there = LiteLLM's per-unit price x 10,000."""

from __future__ import annotations

import ast
import json
from importlib import resources
from pathlib import Path

import pytest

# stacks.settings imports Pulumi, which the router's venv does not have: read the table from the source.
_SOURCE = Path(__file__).resolve().parents[2] / "stacks" / "settings" / "model.py"
DEFAULT_MODELS: tuple[tuple[str, str, float, str, str], ...] = next(
    ast.literal_eval(node.value) for node in ast.parse(_SOURCE.read_text(encoding="utf-8")).body
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_DEFAULT_MODELS" for t in node.targets))


def _cost_map() -> dict[str, dict[str, object]]:
    text = resources.files("litellm").joinpath("model_prices_and_context_window_backup.json").read_text(encoding="utf-8")
    return json.loads(text)


@pytest.mark.parametrize("entry", DEFAULT_MODELS, ids=[e[0] for e in DEFAULT_MODELS])
def test_default_on_demand_price_is_the_pinned_litellm_copy_of_oracles_price(entry: tuple) -> None:
    _name, model_id, price_per_10k, unit, _mode = entry
    listed = _cost_map()[f"oci/{model_id}"]
    assert unit == "characters"
    assert "oracle.com" in str(listed["source"])
    assert price_per_10k == pytest.approx(float(listed["input_cost_per_token"]) * 10_000)  # type: ignore[arg-type]
    if listed.get("output_cost_per_token"):  # chat: prompt and response characters cost the same
        assert listed["output_cost_per_token"] == listed["input_cost_per_token"]
