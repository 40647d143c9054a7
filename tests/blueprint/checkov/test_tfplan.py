"""The Terraform plan export: every OCI resource mapped by the provider schema, shapes as Terraform's."""

from __future__ import annotations

import json
import re

import pytest

from blueprint.checkov.schema_gen import token_for
from blueprint.checkov.tfplan import convert, export, schema_table, tf_type
from blueprint.graph import SECRET_MARKER, UNKNOWN_MARKER

NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
SECURITY_LIST = "oci:Core/securityList:SecurityList"


@pytest.fixture(scope="module")
def prod(planned):
    return planned("prod").to_json()


def _pascal_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_tokens_map_through_the_providers_table():
    """pulumi-oci's provider/resources.go: MakeStandard over mappedMods, plus explicit Tok overrides."""
    table = schema_table()["resources"]
    for token, entry in table.items():
        assert (entry["tf_type"].startswith("oci_") and entry["tf_type"].endswith(
            "_" + _pascal_to_snake(token.rsplit(":", 1)[1]))) or token in OVERRIDES, token
    for token, tf in OVERRIDES.items():
        assert tf_type(token) == tf
    assert tf_type(NSG_RULE) == "oci_core_network_security_group_security_rule"
    assert tf_type("oci:GenerativeAi/agentAgent:AgentAgent") == "oci_generative_ai_agent_agent"
    assert tf_type("oci:ContainerEngine/cluster:Cluster") == "oci_containerengine_cluster"


OVERRIDES = {"oci:ApmSynthetics/config:Config": "oci_apm_synthetics_monitor",
             "oci:Budget/rule:Rule": "oci_budget_alert_rule",
             "oci:Sch/connector:Connector": "oci_sch_service_connector"}


def test_token_rule_prefers_the_longest_module_prefix():
    mods = {"generative_ai": "GenerativeAi", "database": "Database", "database_tools": "DatabaseTools"}
    assert token_for("oci_generative_ai_agent_agent", {}, mods) == "oci:GenerativeAi/agentAgent:AgentAgent"
    assert token_for("oci_database_tools_database_tools_connection", {}, mods) == \
        "oci:DatabaseTools/databaseToolsConnection:DatabaseToolsConnection"
    assert token_for("oci_unknown_thing", {}, mods) is None


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_oci_resource_and_property_maps(planned, stack):
    graph = planned(stack).to_json()
    exported = export(graph)
    oci = [n for n in graph["nodes"] if n["custom"] and n["type"].startswith("oci:")]
    assert exported.skipped == [] and exported.unmapped == {}
    assert sorted(exported.urns.values()) == sorted(n["urn"] for n in oci)
    resources = exported.plan["planned_values"]["root_module"]["resources"]
    assert len(resources) == len(oci) == len(exported.plan["resource_changes"])
    assert len({r["address"] for r in resources}) == len(resources)


@pytest.mark.integration
def test_nested_blocks_lists_and_numbers_follow_the_schema(prod):
    rule = next(n for n in prod["nodes"] if n["type"] == NSG_RULE and (n["inputs"].get("tcpOptions") or {}))
    values = convert(NSG_RULE, rule["inputs"]).values
    # a MaxItems=1 block the bridge flattened to one object is a list of one object again
    (tcp,) = values["tcp_options"]
    (ports,) = tcp["destination_port_range"]
    assert isinstance(ports["min"], int) and not isinstance(ports["min"], bool)
    # unset optional blocks are [] (checks such as CKV2_OCI_2 read their presence), unset attributes null
    assert values["icmp_options"] == [] and values["udp_options"] == []
    assert "tcpOptions" not in values and "network_security_group_id" in values


def test_plural_list_names_map_back_to_the_provider_attribute():
    props = {"compartmentId": "c", "vcnId": "v", "ingressSecurityRules": [
        {"protocol": "6", "source": "10.0.0.0/8", "tcpOptions": {"min": 22.0, "max": 22.0}}]}
    converted = convert(SECURITY_LIST, props)
    assert converted.unmapped == []
    (rule,) = converted.values["ingress_security_rules"]
    assert rule["tcp_options"] == [{"min": 22, "max": 22, "source_port_range": []}]
    assert converted.values["egress_security_rules"] == []


def test_unknowns_go_to_after_unknown_and_secrets_are_never_written():
    props = {"compartmentId": UNKNOWN_MARKER, "vcnId": "v", "displayName": SECRET_MARKER,
             "ingressSecurityRules": [{"protocol": "6", "source": UNKNOWN_MARKER}],
             "freeformTags": {"a": SECRET_MARKER, "b": "x"}}
    graph = {"nodes": [{"urn": "urn:pulumi:s::p::oci:Core/securityList:SecurityList::sl", "type": SECURITY_LIST,
                        "name": "sl", "custom": True, "inputs": props, "propertyDependencies": {}}]}
    plan = export(graph).plan
    text = json.dumps(plan)
    assert SECRET_MARKER not in text and UNKNOWN_MARKER not in text
    (resource,) = plan["planned_values"]["root_module"]["resources"]
    (change,) = plan["resource_changes"]
    assert "compartment_id" not in resource["values"] and change["change"]["after_unknown"]["compartment_id"] is True
    (rule_unknown,) = change["change"]["after_unknown"]["ingress_security_rules"]
    assert rule_unknown["source"] is True and "protocol" not in rule_unknown
    assert change["change"]["after_unknown"]["id"] is True  # computed by the provider on create
    assert resource["sensitive_values"]["display_name"] is True and "display_name" not in resource["values"]
    assert resource["values"]["freeform_tags"] == {"b": "x"} and resource["sensitive_values"]["freeform_tags"] == {"a": True}
    assert change["change"]["after_sensitive"] == resource["sensitive_values"]
    assert change["change"]["actions"] == ["create"] and change["change"]["before"] is None


@pytest.mark.integration
def test_property_dependencies_become_references(prod):
    exported = export(prod)
    addresses = {urn: address for address, urn in exported.urns.items()}
    rule = next(n for n in prod["nodes"] if n["type"] == NSG_RULE)
    (nsg_urn,) = rule["propertyDependencies"]["networkSecurityGroupId"]
    conf = next(c for c in exported.plan["configuration"]["root_module"]["resources"]
                if c["address"] == addresses[rule["urn"]])
    assert conf["expressions"]["network_security_group_id"]["references"] == [f"{addresses[nsg_urn]}.id",
                                                                            addresses[nsg_urn]]


def test_types_outside_the_table_are_reported_not_guessed():
    graph = {"nodes": [{"urn": "urn:x", "type": "oci:Nope/thing:Thing", "name": "t", "custom": True, "inputs": {}}]}
    exported = export(graph)
    assert exported.skipped == ["oci:Nope/thing:Thing"] and exported.urns == {}
    assert tf_type("oci:Nope/thing:Thing") is None
