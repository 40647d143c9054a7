"""The offline engine: engine-format URNs, graph contract fields, preview unknowns, lookups, secrets."""

from __future__ import annotations

import json
import re

import pytest

from blueprint import engine, lookups
from blueprint.graph import Graph
from blueprint.stackconfig import load_stack_config, with_overrides
from core.markers import SECRET_MARKER, UNKNOWN_MARKER
from tests.conftest import ROOT, plan_variant

pytestmark = pytest.mark.integration

CONTRACT_FIELDS = {"urn", "type", "name", "parent", "plane", "provider", "custom", "inputs", "dependencies",
                   "propertyDependencies", "protect", "retainOnDelete"}


def test_every_node_has_the_contract_fields(planned):
    for node in planned("prod").to_json()["nodes"]:
        assert set(node) >= CONTRACT_FIELDS, node["urn"]


def test_urns_follow_the_engine_format(planned):
    graph = planned("prod")
    by_urn = {n.urn: n for n in graph.nodes}
    for node in graph.nodes:
        m = re.fullmatch(r"urn:pulumi:prod::genai-platform::(?P<qtype>[^:]+(?::[^:]+)*?)::(?P<name>[^:]+)", node.urn)
        assert m, node.urn
        assert m["name"] == node.name
        qualified = m["qtype"]
        # Top-level: the bare type, no root-stack prefix. Child: the parent's full chain, then '$', then the type.
        assert "pulumi:pulumi:Stack" not in qualified
        if node.parent is None:
            assert qualified == node.type
        else:
            parent_chain = by_urn[node.parent].urn.split("::")[2]
            assert qualified == f"{parent_chain}${node.type}"


def test_nested_components_carry_the_whole_type_chain():
    recorder = engine.RecordingMonitor(engine.OfflineMocks(lookups.LookupContext("eu-frankfurt-1", "s"), False), "p", "s")
    parent = recorder.make_urn("", "genai:index:A", "a")
    child = recorder.make_urn(parent, "genai:index:B", "b")
    grandchild = recorder.make_urn(child, "oci:Core/vcn:Vcn", "v")
    assert parent == "urn:pulumi:s::p::genai:index:A::a"
    assert child == "urn:pulumi:s::p::genai:index:A$genai:index:B::b"
    assert grandchild == "urn:pulumi:s::p::genai:index:A$genai:index:B$oci:Core/vcn:Vcn::v"
    stack = recorder.make_urn("", "pulumi:pulumi:Stack", "p-s")
    assert recorder.make_urn(stack, "genai:index:A", "a") == parent


def test_default_provider_reference_is_recorded(planned):
    vcn = planned("prod").by_type("oci:Core/vcn:Vcn")[0]
    assert vcn.provider == "urn:pulumi:prod::genai-platform::pulumi:providers:oci::default_5_5_0"


def test_dependencies_and_property_dependencies(planned):
    graph = planned("prod")
    subnet = next(n for n in graph.by_type("oci:Core/subnet:Subnet") if n.name.endswith("subnet-data"))
    vcn = graph.by_type("oci:Core/vcn:Vcn")[0]
    assert vcn.urn in subnet.dependencies
    assert subnet.propertyDependencies["vcnId"] == [vcn.urn]


def test_protect_follows_settings(planned):
    assert all(n.protect for n in planned("prod").by_type("oci:Kms/key:Key"))
    assert not any(n.protect for n in planned("dev").by_type("oci:Kms/key:Key"))


def test_preview_leaves_ids_and_computed_outputs_unknown():
    graph = plan_variant("dev", preview=True)
    assert graph.preview
    subnet = graph.by_type("oci:Core/subnet:Subnet")[0]
    assert subnet.inputs["vcnId"] == UNKNOWN_MARKER
    assert subnet.inputs["securityListIds"] == [UNKNOWN_MARKER]
    assert subnet.inputs["cidrBlock"].startswith("10.40.")  # known inputs stay known


def test_secure_config_values_become_secret_markers(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (project / name).write_text((ROOT / name).read_text())
    stack_doc = (ROOT / "Pulumi.dev.yaml").read_text().replace(
        "      securityEmails: [genai-dev-security@example.com]",
        "      securityEmails: [genai-dev-security@example.com]\n"
        "      securityHttpsEndpoints:\n        - secure: v1:c2VjcmV0Y2lwaGVydGV4dA==")
    (project / "Pulumi.dev.yaml").write_text(stack_doc)
    cfg = load_stack_config(project, "dev")
    # dev's own secure value (data.database.walletPassword) and the one this test adds
    assert cfg.secret_keys == ("genai-platform:data", "genai-platform:governance")
    assert "c2VjcmV0Y2lwaGVydGV4dA" not in json.dumps(cfg.values)


def test_canary_secret_never_reaches_the_graph(tmp_path):
    canary = "https://hooks.example.com/CANARY-7d1f2e-should-never-appear"
    graph = plan_variant("dev", {"genai-platform:governance": {"notifications": {"securityHttpsEndpoints": [canary]}}})
    https = [n for n in graph.by_type("oci:Ons/subscription:Subscription") if n.inputs.get("protocol") == "CUSTOM_HTTPS"]
    assert https and https[0].inputs["endpoint"] == SECRET_MARKER
    path = graph.write(tmp_path / "graph.json")
    assert "CANARY-7d1f2e" not in path.read_text()


def test_unlisted_lookup_fails_naming_its_token():
    with pytest.raises(lookups.UnlistedLookupError, match="oci:Nope/getThing:getThing"):
        lookups.answer("oci:Nope/getThing:getThing", {}, lookups.LookupContext("eu-frankfurt-1", "dev"))


def test_bad_config_declares_nothing():
    from core.problems import SettingsError

    cfg = with_overrides(load_stack_config(ROOT, "dev"), {"genai-platform:classification": "secret"})
    monitor_nodes_before = None
    with pytest.raises(SettingsError) as info:
        engine.plan("dev", ROOT, config=cfg)
    assert [str(p) for p in info.value.problems] == [
        'genai-platform:classification: not an allowed value; allowed: "public", "internal", "confidential", "restricted"']
    assert monitor_nodes_before is None


def test_replanning_in_one_process_gives_the_same_graph():
    first = plan_variant("dev").to_json()
    second = plan_variant("dev").to_json()
    assert first == second


def test_graph_round_trips_through_json(tmp_path, planned):
    graph = planned("dev")
    again = Graph.read(graph.write(tmp_path / "g.json"))
    assert again.to_json() == graph.to_json()


@pytest.mark.parametrize("stack, preview", [("prod", False), ("dev", True)])
def test_fast_runtime_gives_the_same_graph_as_the_sdk_loop(stack, preview):
    # fast: no stack traces, batched output waits, create_urn and contains_unknowns without the SDK's
    # extra tasks and cycles, plain mock states answered without the SDK's serializer.
    cfg = load_stack_config(ROOT, stack)
    fast = engine.plan(stack, ROOT, config=cfg, preview=preview, fast=True).graph.to_json()
    slow = engine.plan(stack, ROOT, config=cfg, preview=preview, fast=False).graph.to_json()
    assert fast == slow


def test_plain_states_serialize_as_the_sdk_does():
    from pulumi.runtime import rpc
    from pulumi.runtime.sync_await import _sync_await

    state = {"a": 1, "b": None, "c": {"d": None, "e": [1.5, None, "x", True]}, "f": [], "g": {}}
    assert engine._plain_struct(state) == _sync_await(rpc.serialize_properties(state, {}))
    assert engine._plain_struct({"t": (1, 2)}) is None  # anything but dicts, lists and scalars: the SDK's path


def test_transferred_outputs_carry_what_the_sdk_resolver_gives():
    import asyncio

    class Res:  # stands in for a Resource: outputs land in its __dict__
        pass

    policy = asyncio.get_event_loop_policy()
    previous = policy.get_event_loop()  # the planning loop, given back afterwards
    loop = policy.new_event_loop()
    policy.set_event_loop(loop)
    try:
        res, dep = Res(), Res()
        resolvers = engine._transfer_properties(res, {"urn": None, "id": None, "name": None, "size": None}, True)
        assert sorted(resolvers) == ["name", "size"]  # urn, and a custom resource's id, are the SDK's own
        resolvers["name"]("n-1", True, True, {dep}, None)
        resolvers["size"](None, False, False, None, RuntimeError("create failed"))
        data = loop.run_until_complete(res.name._data)
        assert (data.value, data.is_known, data.is_secret, data.resources) == ("n-1", True, True, {dep, res})
        with pytest.raises(RuntimeError, match="create failed"):
            loop.run_until_complete(res.size.future())
    finally:
        policy.set_event_loop(previous)
        loop.close()
