"""In-process `litellm.Router` with mock responses: fallback chain and cooldown, no network.

Uses the fallback/cooldown settings our renderer emits, so a change in how we map them to
LiteLLM's router_settings shows up here before it reaches the proxy.
"""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest

from router.inputs import Cooldown, ModelSpec, Retries, RouterInputs
from router.render import render_config

pytestmark = pytest.mark.unit


def _spec(key: str, name: str) -> ModelSpec:
    return ModelSpec(key, name, f"meta.{key}", "on-demand", 0.01, "characters", 1000, 100_000)


INPUTS = RouterInputs(
    tier="internal",
    region="eu-frankfurt-1",
    compartment_ocid="ocid1.compartment.oc1..x",
    allowed_serving_modes=("on-demand",),
    models=(_spec("primary-a", "primary"), _spec("primary-b", "primary"), _spec("backup", "backup")),
    fallbacks=(("primary", ("backup",)),),
    retries=Retries(count=0),
    cooldown=Cooldown(allowed_fails=1, cooldown_s=60.0),
)


def _router(mocks: dict[str, Any]) -> litellm.Router:
    cfg = render_config(INPUTS)
    model_list = []
    for dep in cfg["model_list"]:
        # Same deployments, but answered by LiteLLM's mock instead of OCI.
        model_list.append({
            "model_name": dep["model_name"],
            "litellm_params": {"model": "openai/mock", "api_key": "mock-not-a-secret",
                               "mock_response": mocks[dep["model_info"]["id"]]},
            "model_info": {"id": dep["model_info"]["id"]},
        })
    rs = cfg["router_settings"]
    return litellm.Router(
        model_list=model_list,
        fallbacks=rs["fallbacks"],
        num_retries=rs["num_retries"],
        allowed_fails=rs["allowed_fails"],
        cooldown_time=rs["cooldown_time"],
        routing_strategy=rs["routing_strategy"],
    )


def _ask(router: litellm.Router, model: str) -> Any:
    return asyncio.run(router.acompletion(model=model, messages=[{"role": "user", "content": "hi"}]))


def test_primary_fails_fallback_answers() -> None:
    boom = "litellm.InternalServerError"  # LiteLLM's mock raises this (a 500)
    router = _router({"primary-a": boom, "primary-b": boom, "backup": "from backup"})
    resp = _ask(router, "primary")
    assert resp.choices[0].message.content == "from backup"


def test_primary_healthy_no_fallback() -> None:
    router = _router({"primary-a": "from a", "primary-b": "from b", "backup": "from backup"})
    assert _ask(router, "primary").choices[0].message.content in {"from a", "from b"}


def test_failing_deployment_cooled_down() -> None:
    boom = "litellm.InternalServerError"  # LiteLLM's mock raises this (a 500)
    router = _router({"primary-a": boom, "primary-b": "from b", "backup": "from backup"})

    async def run() -> tuple[list[str], list[str]]:
        answers = []
        for _ in range(12):
            r = await router.acompletion(model="primary", messages=[{"role": "user", "content": "hi"}])
            answers.append(r.choices[0].message.content)
        from litellm.router_utils.cooldown_handlers import get_cooldown_deployments

        return answers, get_cooldown_deployments(router, parent_otel_span=None)

    answers, cooled = asyncio.run(run())
    assert set(answers) <= {"from b", "from backup"}
    assert "primary-a" in cooled
    assert "primary-b" not in cooled
