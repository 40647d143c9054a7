"""Stack settings → router inputs → LiteLLM config: per stack and per tier.

The rendered configs of dev and prod are goldens (tests/router/golden/stack-*.yaml); the router's
own suite, in its LiteLLM environment, validates every golden with LiteLLM's config types.
Regenerate with UPDATE_GOLDEN=1 when a change is intended.
"""

from __future__ import annotations

import os

import pytest
import yaml

from blueprint.stackconfig import settings_for
from router.render import render_config, render_yaml
from stacks.router import router_config, router_inputs
from stacks.settings import validate
from stacks.settings.model import DEDICATED_RPM_HEADROOM, DEFAULT_RPM
from tests.conftest import ROOT, raw_stack_config

pytestmark = pytest.mark.unit
GOLDEN = ROOT / "tests" / "router" / "golden"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexamplecompartment"
ENDPOINT = "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.aaaaaaaaexample{}"
APM = "https://aaaaexampleapm.apm-agt.eu-frankfurt-1.oci.oraclecloud.com"


def endpoints(settings) -> dict[str, str]:
    return {c.name: ENDPOINT.format(c.name.replace("-", "").replace(".", "")) for c in settings.model.dedicated_clusters}


def _inputs(stack: str):
    settings = settings_for(ROOT, stack)
    return router_inputs(settings, compartment_ocid=COMPARTMENT, dedicated_endpoint_ocids=endpoints(settings),
                         apm_data_upload_endpoint=APM)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_config_matches_its_golden(stack):
    settings = settings_for(ROOT, stack)
    text = router_config(settings, compartment_ocid=COMPARTMENT, dedicated_endpoint_ocids=endpoints(settings),
                         apm_data_upload_endpoint=APM)
    path = GOLDEN / f"stack-{stack}.yaml"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"regenerate with UPDATE_GOLDEN=1 if intended ({path})"


def test_prod_serves_only_what_its_tier_allows():
    cfg = render_config(_inputs("prod"))
    modes = {d["model_info"]["serving_mode"] for d in cfg["model_list"]}
    assert modes == {"dedicated-cluster"}
    assert cfg["litellm_settings"]["turn_off_message_logging"] is True  # confidential: metadata logging only


def test_prod_serves_two_chat_models_with_fallbacks_an_embedding_model_and_budgets():
    """Issue 10 defect 8: prod had one chat model, no fallback, no budget and no embedding model."""
    cfg = render_config(_inputs("prod"))
    chat = {d["model_name"] for d in cfg["model_list"] if d["model_info"]["mode"] == "chat"}
    embedding = [d for d in cfg["model_list"] if d["model_info"]["mode"] == "embedding"]
    assert len(chat) >= 2
    fallbacks = {src: chain for entry in cfg["router_settings"]["fallbacks"] for src, chain in entry.items()}
    assert set(fallbacks) == chat and all(fallbacks[name] for name in chat)
    assert all(set(chain) <= chat for chain in fallbacks.values())  # chat falls back to chat only
    assert embedding and embedding[0]["litellm_params"]["oci_serving_mode"] == "DEDICATED"
    budgeted = [d for d in cfg["model_list"] if "max_budget" in d["model_info"]]
    assert budgeted and all(d["model_info"]["downgrade_to"] in chat for d in budgeted)
    # Each dedicated model is addressed by its own cluster's endpoint.
    ids = [d["litellm_params"]["oci_endpoint_id"] for d in cfg["model_list"]]
    assert len(set(ids)) == len(ids) == 3
    # Metered: the cluster's unit-hours spread over its planned requests, never zero.
    assert all(d["model_info"]["pricing_unit"] == "requests" and d["model_info"]["price"] > 0
               for d in cfg["model_list"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_downgrades_go_to_cheaper_models_by_price(stack):
    """Issue 10 defect 8: dev's downgrade from Command R went to a model priced 4.8x higher."""
    inputs = _inputs(stack)
    by_name = {m.logical_name: m for m in inputs.models}
    capped = [m for m in inputs.models if m.max_budget is not None]
    assert capped, "a catalogue with two or more chat models budgets all but the cheapest"
    for m in capped:
        target = by_name[m.downgrade_to]
        assert target.reference_cost < m.reference_cost and target.mode == m.mode == "chat"
    chat = [m for m in inputs.models if m.mode == "chat"]
    cheapest = min(chat, key=lambda m: m.reference_cost)
    assert cheapest.max_budget is None
    assert {src for src, chain in inputs.fallbacks if chain} == {m.logical_name for m in chat}


def test_secrets_are_references_only():
    text = render_yaml(_inputs("prod"))
    for key, value in _walk(yaml.safe_load(text)):
        if any(s in key.lower() for s in ("key", "password", "secret", "token")) and isinstance(value, str):
            assert value.startswith("os.environ/") or value.startswith("ocid1.") or value in ("", "none"), key


def _walk(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)
    else:
        yield key, value


@pytest.mark.parametrize("planned", [60, 18_000, 36_000, 600_000])
def test_a_dedicated_models_rpm_follows_its_clusters_planned_load(planned):
    """A cluster sized for N requests an hour is capped at N / 60 x DEDICATED_RPM_HEADROOM a minute in the
    rendered config: neither the flat default (600) below its plan nor unbounded."""
    raw = {"model": {"dedicatedClusters": [
        {"name": "primary", "modelId": "cohere.command-r-plus-08-2024", "unitShape": "LARGE_COHERE_V2_2",
         "plannedRequestsPerHour": planned},
        {"name": "embed", "modelId": "cohere.embed-multilingual-v3.0", "unitShape": "EMBED_COHERE"}]}}
    config, region = raw_stack_config("prod")
    config["model"] = {**config["model"], **raw["model"]}
    settings = validate(config, region=region, project="genai-platform", stack="prod")
    cfg = render_config(router_inputs(settings, compartment_ocid=COMPARTMENT,
                                      dedicated_endpoint_ocids=endpoints(settings), apm_data_upload_endpoint=APM))
    rpm = {d["model_name"]: d["litellm_params"]["rpm"] for d in cfg["model_list"]}
    assert rpm["primary"] == -(-planned * DEDICATED_RPM_HEADROOM // 60) >= planned / 60
    assert rpm["embed"] == DEFAULT_RPM * DEDICATED_RPM_HEADROOM  # the schema's default plan: 600 a minute


def test_prods_dedicated_models_are_capped_from_their_plans():
    rpm = {m.logical_name: m.rpm for m in _inputs("prod").models}
    assert rpm == {"command-r-plus": 1200, "llama-3.3-70b": 600, "embed-multilingual": 1200}


@pytest.mark.parametrize(("tier", "rate"), [("public", None), ("internal", 0.05), ("confidential", 0.01),
                                            ("restricted", None)])
def test_the_router_samples_traffic_only_where_the_tier_keeps_a_sample_bucket(tier, rate):
    """The hooks' traffic_sample section exists only for a sample-bucket tier, at the stack's rate (default:
    the tier's maximum); public (its log is the sample) and restricted (no sample) write none."""
    from blueprint.stackconfig import load_stack_config, namespace_values, with_overrides
    from tests.components.tiers import TIER_OVERRIDES

    cfg = with_overrides(load_stack_config(ROOT, "prod"), TIER_OVERRIDES[tier], stack=f"prod-{tier}")
    settings = validate(namespace_values(cfg), region=cfg.region, project=cfg.project, stack=f"prod-{tier}")
    hooks = render_config(router_inputs(settings, compartment_ocid=COMPARTMENT,
                                        dedicated_endpoint_ocids=endpoints(settings),
                                        apm_data_upload_endpoint=APM))["genai_router"]
    assert hooks.get("traffic_sample") == ({"rate": rate} if rate is not None else None)
