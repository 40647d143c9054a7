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
from tests.conftest import ROOT

pytestmark = pytest.mark.unit
GOLDEN = ROOT / "tests" / "router" / "golden"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexamplecompartment"
ENDPOINT = "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.aaaaaaaaexampleendpoint"
APM = "https://aaaaexampleapm.apm-agt.eu-frankfurt-1.oci.oraclecloud.com"


def _inputs(stack: str, **settings_changes):
    settings = settings_for(ROOT, stack)
    return router_inputs(settings, compartment_ocid=COMPARTMENT, dedicated_endpoint_ocid=ENDPOINT, apm_data_upload_endpoint=APM)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_config_matches_its_golden(stack):
    text = router_config(settings_for(ROOT, stack), compartment_ocid=COMPARTMENT, dedicated_endpoint_ocid=ENDPOINT,
                         apm_data_upload_endpoint=APM)
    path = GOLDEN / f"stack-{stack}.yaml"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"regenerate with UPDATE_GOLDEN=1 if intended ({path})"


def test_prod_serves_only_what_its_tier_allows():
    cfg = render_config(_inputs("prod"))
    modes = {d["model_info"]["serving_mode"] for d in cfg["model_list"]}
    assert modes <= {"private-endpoint", "dedicated-cluster"}
    assert cfg["litellm_settings"]["turn_off_message_logging"] is True  # confidential: metadata logging only


def test_dev_downgrades_premium_to_cheaper_models_when_the_budget_is_spent():
    inputs = _inputs("dev")
    by_name = {m.logical_name: m for m in inputs.models}
    capped = [m for m in inputs.models if m.max_budget is not None]
    assert capped, "dev's catalogue has premium/standard models with a budget"
    for m in capped:
        assert m.downgrade_to in by_name and by_name[m.downgrade_to].cost_tier != m.cost_tier
    assert dict(inputs.fallbacks)  # every model but the cheapest falls back to a cheaper one


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
