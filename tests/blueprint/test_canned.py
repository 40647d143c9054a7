"""Canned resource ids: OCI's own resource-type names where a public Oracle source shows them."""

from __future__ import annotations

import json

import pytest
import yaml

from blueprint import canned

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("token", "kind"), sorted(canned.OCID_KINDS.items()))
def test_a_listed_type_gets_ocis_resource_type_name(token, kind):
    ident, _ = canned.outputs_for(token, "x", {}, "eu-frankfurt-1")
    assert ident.startswith(f"ocid1.{kind}.oc1.fra.aaaaaaaa")


def test_an_unlisted_type_keeps_the_token_rule():
    assert canned.ocid_kind("oci:Core/vcn:Vcn") == "vcn"
    assert canned.ocid_kind("oci:GenerativeAi/agentAgent:AgentAgent") == "agentagent"  # unsourced: the token rule


def test_prods_router_addresses_generative_ai_endpoints_by_their_real_ocid_form(planned):
    graph = planned("prod")
    configs = [yaml.safe_load(n.inputs["data"]["config.yaml"]) for n in graph.by_type("kubernetes:core/v1:ConfigMap")
               if "config.yaml" in n.inputs.get("data", {})]
    config = next(c for c in configs if "model_list" in c)
    ids = [d["litellm_params"]["oci_endpoint_id"] for d in config["model_list"]]
    assert len(ids) == 3 and all(i.startswith("ocid1.generativeaiendpoint.oc1.fra.") for i in ids)
    text = json.dumps([n.inputs for n in graph.resources()])
    assert "ocid1.endpoint." not in text and "ocid1.genaiagentknowledgebase.oc1.fra." in text
