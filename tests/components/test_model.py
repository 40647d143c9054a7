"""Model plane over the four tiers: serving as the matrix allows, the agent and its guardrails, IAM."""

from __future__ import annotations

import re

import pytest

from blueprint.graph import Graph
from blueprint.lookups import fake_ocid
from blueprint.stackconfig import DELETE
from core.tiers import load_matrix
from tests.components.tiers import REGION, TIERS, ocid, one, plane_nodes, tier_graph
from tests.conftest import plan_variant

pytestmark = pytest.mark.integration

G = "oci:GenerativeAi/"
PE = G + "generativeAiPrivateEndpoint:GenerativeAiPrivateEndpoint"
CLUSTER = G + "dedicatedAiCluster:DedicatedAiCluster"
ENDPOINT = G + "endpoint:Endpoint"
KB = G + "agentKnowledgeBase:AgentKnowledgeBase"
SOURCE = G + "agentDataSource:AgentDataSource"
AGENT = G + "agentAgent:AgentAgent"
AGENT_EP = G + "agentAgentEndpoint:AgentAgentEndpoint"
POLICY = "oci:Identity/policy:Policy"


def _catalog(g: Graph) -> list[dict[str, object]]:
    catalog = g.outputs["modelCatalog"]
    assert isinstance(catalog, list) and catalog
    return catalog


@pytest.mark.parametrize("tier", TIERS)
def test_serving_follows_the_matrix(tier: str) -> None:
    g = tier_graph(tier)
    policy = load_matrix()[tier]
    servings = {e["serving"] for e in _catalog(g)}
    assert servings <= set(policy.allowed_serving)
    assert REGION in policy.regions  # every GenAI resource of the stack lives in the stack's region
    private_endpoints = g.by_type(PE)
    if policy.private_endpoints_only:
        assert len(private_endpoints) == 1
        pe = private_endpoints[0].inputs
        assert pe["subnetId"] == ocid(one(g, "oci:Core/subnet:Subnet", "-subnet-model"))
        assert pe["nsgIds"] == [ocid(one(g, "oci:Core/networkSecurityGroup:NetworkSecurityGroup", "-nsg-model"))]
        assert "on-demand" not in servings
        for ep in g.by_type(ENDPOINT):
            assert ep.inputs["generativeAiPrivateEndpointId"] == ocid(private_endpoints[0])
    if tier in ("public", "internal"):
        # prod's clusters, and the default on-demand catalogue for the models no cluster serves
        assert servings == {"on-demand", "dedicated-cluster"}
        assert not private_endpoints


def test_restricted_serves_only_from_dedicated_clusters() -> None:
    """prod's three clusters: a primary and a fallback chat model, and an embedding model, one endpoint each."""
    g = tier_graph("restricted")
    catalog = _catalog(g)
    assert {e["serving"] for e in catalog} == {"dedicated-cluster"}
    assert [(e["name"], e["mode"]) for e in catalog] == [
        ("command-r-plus", "chat"), ("llama-3.3-70b", "chat"), ("embed-multilingual", "embedding")]
    shapes = {"command-r-plus": ("LARGE_COHERE_V2_2", 2.0), "llama-3.3-70b": ("LARGE_GENERIC", 1.0),
              "embed-multilingual": ("EMBED_COHERE", 1.0)}
    assert len(g.by_type(CLUSTER)) == len(g.by_type(ENDPOINT)) == 3
    for entry in catalog:
        name = str(entry["name"])
        cluster = one(g, CLUSTER, f"-dedicated-cluster-{name}").inputs
        assert cluster["type"] == "HOSTING"
        assert (cluster["unitShape"], cluster["unitCount"]) == shapes[name]
        endpoint = one(g, ENDPOINT, f"-dedicated-endpoint-{name}").inputs
        assert endpoint["dedicatedAiClusterId"] == ocid(one(g, CLUSTER, f"-dedicated-cluster-{name}"))
        assert endpoint["contentModerationConfig"] == {"isEnabled": True, "mode": "BLOCK"}
        # The endpoint names the model by OCID, resolved from the catalogue's model name by lookup.
        assert endpoint["modelId"] == fake_ocid("generativeaimodel", REGION, str(entry["modelId"]))
    # The agent reasons on the primary chat cluster, never on the embedding one.
    agent = one(g, AGENT, "-agent").inputs
    selection = agent["llmConfig"]["routingLlmCustomization"]["llmSelection"]
    assert selection["endpointId"] == ocid(one(g, ENDPOINT, "-dedicated-endpoint-command-r-plus"))


def test_restricted_gets_a_cluster_even_when_the_stack_does_not_ask() -> None:
    g = plan_variant("dev", {"genai-platform:classification": "restricted",
                             "genai-platform:network": {"flowLogRetentionDays": 180},
                             "genai-platform:operations": {"logRetentionDays": 180},
                             "genai-platform:orchestration": {
                                 "imageSigningKeyId": "ocid1.key.oc1.eu-frankfurt-1.aaaaaaaaexamplesigningkey",
                                 "router": {"replicas": 2}},
                             "genai-platform:governance": {"vault": {"protectionMode": "HSM", "type": "VIRTUAL_PRIVATE",
                                                                     "rotationDays": 90}},
                             "genai-platform:data": {"database": {"backupRetentionDays": 30}},
                             # dev canaries an on-demand model; the restricted tier serves only its cluster
                             "genai-platform:evaluation": {"modelCanary": DELETE}},
                     name="dev-restricted")
    assert len(g.by_type(CLUSTER)) == 1 and len(g.by_type(ENDPOINT)) == 1 and len(g.by_type(PE)) == 1


def test_internal_without_cluster_plans_no_cluster() -> None:
    g = plan_variant("dev")
    assert not g.by_type(CLUSTER) and not g.by_type(ENDPOINT) and not g.by_type(PE)
    assert {e["serving"] for e in _catalog(g)} == {"on-demand"}


def test_catalogue_shape_matches_the_router_renderer() -> None:
    for entry in _catalog(tier_graph("public")):
        assert set(entry) <= {"name", "modelId", "serving", "price", "pricingUnit", "mode", "rpm", "tpm"}
        assert {"name", "modelId", "serving", "price", "pricingUnit", "mode"} <= set(entry)
        # Dedicated models are priced per request (their cluster's unit-hours spread over planned requests).
        assert entry["pricingUnit"] == ("requests" if entry["serving"] == "dedicated-cluster" else "characters")
        assert entry["mode"] in ("chat", "embedding") and float(entry["price"]) > 0  # type: ignore[arg-type]


@pytest.mark.parametrize("tier", TIERS)
def test_agent_endpoint_guardrails_tracing_and_human_input_per_tier(tier: str) -> None:
    g = tier_graph(tier)
    policy = load_matrix()[tier]
    ep = one(g, AGENT_EP, "-agent-endpoint").inputs
    gc = ep["guardrailConfig"]
    gr = policy.guardrails
    assert gc["contentModerationConfig"] == {"inputGuardrailMode": gr.content_moderation_input,
                                             "outputGuardrailMode": gr.content_moderation_output}
    assert gc["promptInjectionConfig"] == {"inputGuardrailMode": gr.prompt_injection_input}
    assert gc["personallyIdentifiableInformationConfig"] == {"inputGuardrailMode": gr.pii_input,
                                                             "outputGuardrailMode": gr.pii_output}
    assert ep["humanInputConfig"] == {"shouldEnableHumanInput": policy.human_input_required}
    assert ep["shouldEnableTrace"] is True and ep["shouldEnableCitation"] is True
    assert ep["sessionConfig"] == {"idleTimeoutInSeconds": 7200.0}
    location = ep["outputConfig"]["outputLocation"]
    assert (location["outputLocationType"], location["bucket"], location["prefix"]) == (
        "OBJECT_STORAGE_PREFIX", "genai-prod-outputs", "traces/")
    assert ep["agentId"] == ocid(one(g, AGENT, "-agent"))


def test_guardrail_modes_tighten_with_the_tier() -> None:
    m = load_matrix()
    assert m["public"].guardrails.content_moderation_input == "INFORM"
    assert m["internal"].guardrails.content_moderation_input == "BLOCK"
    for tier in ("confidential", "restricted"):
        gr = m[tier].guardrails
        assert {gr.content_moderation_input, gr.content_moderation_output, gr.prompt_injection_input,
                gr.pii_input, gr.pii_output} == {"BLOCK"}
        assert m[tier].human_input_required


def test_knowledge_bases_vector_store_and_documents() -> None:
    g = tier_graph("confidential")
    vector = one(g, KB, "-kb-vector").inputs["indexConfig"]
    assert vector["indexConfigType"] == "OCI_DATABASE_CONFIG"
    conn = one(g, "oci:DatabaseTools/databaseToolsConnection:DatabaseToolsConnection", "-dbtools-connection")
    assert vector["databaseConnection"] == {"connectionType": "DATABASE_TOOL_CONNECTION", "connectionId": ocid(conn)}
    assert vector["databaseFunctions"] == [{"name": "GENAI_RETRIEVE"}]
    docs_kb = one(g, KB, "-kb-documents")
    source = one(g, SOURCE, "-data-source-documents").inputs
    assert source["knowledgeBaseId"] == ocid(docs_kb)
    assert source["dataSourceConfig"]["objectStoragePrefixes"] == [
        {"bucket": "genai-prod-documents", "namespace": "genaiplatformoffline", "prefix": "documents/"}]
    # Issue 10, defect 5: attached through a RAG tool (knowledgeBaseIds is deprecated), the data
    # source ingested by a job.
    agent_node = one(g, AGENT, "-agent")
    assert "knowledgeBaseIds" not in agent_node.inputs
    tool = one(g, G + "agentTool:AgentTool", "-rag-tool")
    assert tool.inputs["agentId"] == ocid(agent_node) and tool.inputs["toolConfig"]["toolConfigType"] == "RAG_TOOL_CONFIG"
    assert sorted(c["knowledgeBaseId"] for c in tool.inputs["toolConfig"]["knowledgeBaseConfigs"]) == sorted(
        [ocid(one(g, KB, "-kb-vector")), ocid(docs_kb)])
    job = one(g, G + "agentDataIngestionJob:AgentDataIngestionJob", "-ingest-documents")
    assert job.inputs["dataSourceId"] == ocid(one(g, SOURCE, "-data-source-documents"))


_STATEMENT = re.compile(r"^Allow any-user to (use|read|manage) ([a-z-]+) in compartment id (\S+) where (.+)$")


def test_model_iam_is_scoped_to_the_workload_compartment_and_principals() -> None:
    g = tier_graph("confidential")
    compartment = ocid(one(g, "oci:Identity/compartment:Compartment", "-compartment"))
    policy = one(g, POLICY, "-model-policy").inputs
    assert policy["compartmentId"] == compartment
    router, agent = [], []
    for s in policy["statements"]:
        m = _STATEMENT.match(s)
        assert m, s
        verb, resource, where_compartment, where = m.groups()
        assert where_compartment == compartment
        if "request.principal.type='workload'" in where:
            router.append((verb, resource))
        else:
            assert "request.principal.type='genaiagent'" in where
            agent.append((verb, resource, where))
    # The router's pods are granted once, by the orchestration plane, scoped to the cluster.
    assert router == []
    assert {(v, r) for v, r, _ in agent} >= {("use", "generative-ai-family"), ("use", "database-tools-family"),
                                             ("read", "objects"), ("read", "buckets")}
    # Object access names the bucket: the agent cannot read the archive.
    for verb, resource, where in agent:
        if resource in ("objects", "buckets"):
            assert "target.bucket.name='genai-prod-documents'" in where or (
                verb == "manage" and "target.bucket.name='genai-prod-outputs'" in where)


def test_model_plane_has_no_stateful_resources_left_unprotected_in_prod() -> None:
    # The model plane holds no data of its own (traces live in the data plane's outputs bucket).
    for n in plane_nodes(tier_graph("restricted"), "model"):
        assert n.type.startswith(G) or n.type == POLICY


@pytest.mark.unit
@pytest.mark.parametrize("module", ["components/data.py", "components/model.py"])
def test_every_args_field_has_a_docstring(module: str) -> None:
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).resolve().parents[2] / module).read_text(encoding="utf-8"))
    checked = 0
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        if not any(isinstance(b, ast.Name) and b.id == "TypedDict" for b in cls.bases):
            continue
        body = cls.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign):
                nxt = body[i + 1] if i + 1 < len(body) else None
                documented = (isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                              and isinstance(nxt.value.value, str))
                assert documented, f"{cls.name}.{ast.unparse(stmt.target)} has no docstring line"
                checked += 1
    assert checked > 5


@pytest.mark.unit
def test_unknown_or_retired_model_name_is_an_error() -> None:
    from types import SimpleNamespace as NS

    from components.model import _first_active_model

    retired = NS(display_name="cohere.command", state="DELETED", id="ocid1.generativeaimodel.oc1..old")
    result = NS(model_collections=[NS(items=[retired])])
    with pytest.raises(ValueError, match=r"no active OCI Generative AI model named 'cohere\.command'"):
        _first_active_model(result, "cohere.command")
    live = NS(display_name="cohere.command", state="ACTIVE", id="ocid1.generativeaimodel.oc1..new")
    assert _first_active_model(NS(model_collections=[NS(items=[retired, live])]), "cohere.command") == live.id


def test_preview_with_unknown_ids_plans_the_same_planes() -> None:
    preview = plan_variant("prod", preview=True, name="prod-preview")
    full = tier_graph("confidential")
    for plane in ("data", "model"):
        assert sorted(n.type for n in plane_nodes(preview, plane)) == sorted(n.type for n in plane_nodes(full, plane))
