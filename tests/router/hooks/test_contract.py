"""The metric contract: OCI's naming rules, what the alarms query, importable without LiteLLM."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from genai_router_hooks import contract

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]

# What components/operations.py's custom-namespace alarms query: (namespace, metric, dimensions used).
ALARM_QUERIES = {
    ("genai_router", "error_ratio"): (),
    ("genai_router", "latency_ms"): (),
    ("genai_router", "model_timeouts"): (),
    ("genai_router", "tool_errors"): ("tool",),
    ("genai_router", "cost_per_query_usd"): (),
    ("genai_safety", "harmful_outputs"): (),
    ("genai_safety", "prompt_injections"): (),
    ("genai_safety", "sensitive_data_detections"): (),
}


def test_declarations_obey_oci_rules() -> None:
    contract.check()


@pytest.mark.parametrize("key", sorted(ALARM_QUERIES))
def test_every_alarm_metric_is_declared_with_its_dimensions(key: tuple[str, str]) -> None:
    m = contract.metric(*key)
    assert set(ALARM_QUERIES[key]) <= set(m.dimensions)


def test_undeclared_metric_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="genai_router/nope is not declared"):
        contract.metric("genai_router", "nope")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"namespace": "oci_router"}, "reserved prefix|namespace"),
        ({"namespace": "genai-router"}, "namespace"),
        ({"name": "1bad"}, "metric name"),
        ({"dimensions": ()}, "1 to 20 dimensions"),
        ({"dimensions": ("has space",)}, "dimension key"),
        ({"aggregation": "median"}, "aggregation"),
    ],
)
def test_check_fails_on_a_bad_declaration(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, object], message: str
) -> None:
    bad = dataclasses.replace(contract.METRICS[0], **change)  # type: ignore[arg-type]
    monkeypatch.setattr(contract, "METRICS", (bad, *contract.METRICS[1:]))
    with pytest.raises(ValueError, match=message):
        contract.check()


def test_importable_from_the_platform_without_litellm() -> None:
    code = (
        "import sys; import router.hooks.genai_router_hooks.contract as c; "
        "assert 'litellm' not in sys.modules and 'pulumi' not in sys.modules; "
        "print(len(c.METRICS))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"})
    assert int(out.stdout) == len(contract.METRICS)
