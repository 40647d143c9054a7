"""Rendered LiteLLM config: goldens per tier, tier allow-list, secret references, LiteLLM's schema."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import yaml

from router.inputs import Caching, ModelSpec, RouterInputs, Secrets
from router.render import check_no_inline_secrets, render_config, render_yaml
from tests.router.fixtures import CONFIDENTIAL, RESTRICTED, TIERS

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.mark.unit
@pytest.mark.parametrize("tier", sorted(TIERS))
def test_golden(tier: str) -> None:
    text = render_yaml(TIERS[tier])
    path = GOLDEN / f"{tier}.yaml"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"regenerate with UPDATE_GOLDEN=1 if intended ({path})"


@pytest.mark.unit
@pytest.mark.parametrize("tier", sorted(TIERS))
def test_accepted_by_litellm_config_types(tier: str) -> None:
    from litellm.proxy._types import ConfigYAML

    cfg = yaml.safe_load(render_yaml(TIERS[tier]))
    parsed = ConfigYAML.model_validate(cfg)
    assert parsed.model_list is not None and len(parsed.model_list) == len(TIERS[tier].models)
    assert parsed.router_settings is not None
    assert parsed.general_settings is not None
    # ConfigYAML keeps model_info loose; the Router validates each deployment at proxy start
    # (a `tier` key in model_info once broke it there: it is a LiteLLM Literal field).
    from litellm.types.router import Deployment

    for dep in cfg["model_list"]:
        Deployment(**dep)


@pytest.mark.unit
def test_render_is_deterministic() -> None:
    assert render_yaml(TIERS["public"]) == render_yaml(TIERS["public"])


@pytest.mark.unit
def test_forbidden_serving_mode_names_the_model() -> None:
    bad = dataclasses.replace(
        RESTRICTED,
        models=(
            *RESTRICTED.models,
            ModelSpec("scout-od", "chat-economy", "meta.llama-4-scout-17b-16e-instruct", "on-demand",
                      0.0015, "characters", 100, 1000),
        ),
    )
    with pytest.raises(ValueError, match=r"models\[scout-od\]\.serving_mode.*restricted"):
        render_config(bad)


@pytest.mark.unit
def test_message_logging_off_unless_full() -> None:
    for tier, inputs in TIERS.items():
        ls = render_config(inputs)["litellm_settings"]
        assert ls["turn_off_message_logging"] is (inputs.prompt_logging != "full"), tier
    assert render_config(TIERS["restricted"])["general_settings"]["disable_spend_logs"] is True


@pytest.mark.unit
def test_secrets_only_by_reference() -> None:
    cfg = render_config(TIERS["public"])
    assert cfg["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert cfg["litellm_settings"]["cache_params"]["password"] == "os.environ/REDIS_PASSWORD"
    with pytest.raises(ValueError, match=r"general_settings\.master_key") as exc:
        check_no_inline_secrets({"general_settings": {"master_key": "sk-live-1234567890"}})
    assert "sk-live" not in str(exc.value)  # the message never carries the value
    with pytest.raises(ValueError, match="inline secret"):
        check_no_inline_secrets({"x": ["-----BEGIN RSA PRIVATE KEY-----\nMII..."]})


@pytest.mark.unit
def test_bad_secret_reference_rejected() -> None:
    bad = dataclasses.replace(TIERS["public"], secrets=Secrets(master_key_ref="sk-abcdefghijkl"))
    with pytest.raises(ValueError, match="master_key"):
        render_config(bad)


@pytest.mark.unit
def test_inputs_validate_references() -> None:
    with pytest.raises(ValueError, match=r"fallbacks\[chat-premium\]: unknown model nope"):
        dataclasses.replace(TIERS["public"], fallbacks=(("chat-premium", ("nope",)),))
    with pytest.raises(ValueError, match=r"caching\.host_ref"):
        Caching(mode="response")
    with pytest.raises(ValueError, match=r"caching\.embedding_model"):
        Caching(mode="semantic", host_ref="REDIS_HOST")
    with pytest.raises(ValueError, match=r"models\[x\]\.endpoint_ocid"):
        ModelSpec("x", "n", "m", "dedicated-cluster", 1.0, "characters", 1, 1)
    with pytest.raises(ValueError, match="tier"):
        RouterInputs("secret", "r", "c", (), ())  # type: ignore[arg-type]
    # OCI has no private-endpoint serving mode: a Generative AI private endpoint fronts a dedicated
    # cluster's endpoint (https://docs.oracle.com/en-us/iaas/Content/generative-ai/create-private-endpoint.htm).
    with pytest.raises(ValueError, match=r"models\[x\]\.serving_mode"):
        ModelSpec("x", "n", "m", "private-endpoint", 1.0, "characters", 1, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="allowed_serving_modes"):
        dataclasses.replace(TIERS["public"], allowed_serving_modes=("private-endpoint",))  # type: ignore[arg-type]
    # Chat falls back to chat, embeddings to embeddings.
    with pytest.raises(ValueError, match=r"fallbacks\[chat-premium\]: embed is not a chat model"):
        dataclasses.replace(CONFIDENTIAL, fallbacks=(("chat-premium", ("embed",)),))


@pytest.mark.unit
def test_confidential_serves_chat_with_a_fallback_and_embeddings_from_three_clusters() -> None:
    cfg = render_config(CONFIDENTIAL)
    modes = {d["model_name"]: d["model_info"]["mode"] for d in cfg["model_list"]}
    assert modes == {"chat-premium": "chat", "chat-economy": "chat", "embed": "embedding"}
    assert len({d["litellm_params"]["oci_endpoint_id"] for d in cfg["model_list"]}) == 3
    assert cfg["router_settings"]["fallbacks"] == [{"chat-economy": ["chat-premium"]}, {"chat-premium": ["chat-economy"]}]


@pytest.mark.unit
def test_dedicated_cluster_addressed_by_endpoint() -> None:
    (dep,) = render_config(RESTRICTED)["model_list"]
    assert dep["litellm_params"]["oci_serving_mode"] == "DEDICATED"
    assert dep["litellm_params"]["oci_endpoint_id"].startswith("ocid1.generativeaiendpoint.")
    assert dep["litellm_params"]["model"] == "oci/meta.llama-3.3-70b-instruct"


@pytest.mark.unit
@pytest.mark.parametrize("path", sorted(GOLDEN.glob("stack-*.yaml")), ids=lambda p: p.stem)
def test_stack_goldens_accepted_by_litellm(path: Path) -> None:
    """The configs dev and prod deploy (rendered from their stack settings in the main suite)."""
    from litellm.proxy._types import ConfigYAML
    from litellm.types.router import Deployment

    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    parsed = ConfigYAML.model_validate(cfg)
    assert parsed.model_list
    for dep in cfg["model_list"]:
        Deployment(**dep)


def test_output_guardrails_shared_state_and_tenant_limits_rendered() -> None:
    from router.inputs import Guardrails, SharedState, TenantLimits

    inputs = dataclasses.replace(
        RESTRICTED,
        guardrails=Guardrails(output_content_moderation="BLOCK", output_pii="INFORM"),
        shared_state=SharedState(host_ref="REDIS_HOST", password_ref="REDIS_PASSWORD"),
        tenant_limits=TenantLimits(requests_per_minute=60, characters_per_minute=200_000),
    )
    hooks = render_config(inputs)["genai_router"]
    assert hooks["guardrails"]["output"] == {"content_moderation": "BLOCK", "pii": "INFORM"}
    assert hooks["redis"] == {"host": "os.environ/REDIS_HOST", "password": "os.environ/REDIS_PASSWORD",
                              "port": 6379, "ssl": True}
    assert hooks["tenant_limits"] == {"characters_per_minute": 200_000, "requests_per_minute": 60}
    assert hooks["tenant_header"] == "x-genai-tenant"
    # Defaults render nothing new (the tier goldens pin that).
    assert "output" not in render_config(RESTRICTED)["genai_router"]["guardrails"]


def test_output_guardrail_mode_and_limits_errors() -> None:
    from router.inputs import Guardrails, TenantLimits

    with pytest.raises(ValueError, match=r"guardrails\.output_pii: must be one of OFF, INFORM, BLOCK"):
        Guardrails(output_pii="WARN")
    with pytest.raises(ValueError, match=r"tenant_limits\.characters_per_minute: must be > 0"):
        TenantLimits(characters_per_minute=0)
    with pytest.raises(ValueError, match="tenant_limits: needs shared_state"):
        dataclasses.replace(RESTRICTED, tenant_limits=TenantLimits(requests_per_minute=1))


def test_prompt_guardrail_modes_rendered_only_when_not_block() -> None:
    from router.inputs import Guardrails

    hooks = render_config(dataclasses.replace(RESTRICTED, guardrails=Guardrails(prompt_injection_mode="INFORM")))
    assert hooks["genai_router"]["guardrails"]["input"] == {"content_moderation": "BLOCK", "prompt_injection": "INFORM"}
    with pytest.raises(ValueError, match=r"guardrails\.prompt_injection_mode: must be one of INFORM, BLOCK"):
        Guardrails(prompt_injection_mode="OFF")
