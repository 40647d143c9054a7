"""OCI Generative AI: endpoints, private endpoints, dedicated clusters, agents, guardrails, knowledge bases.

No public benchmark covers these resources yet; the rules encode the operating model's controls
(content safety, private access, traceability, data minimisation) against pulumi-oci's properties.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policies.rules._base import UNKNOWN, Fixture, Rule, custom_rule, drop_first, get, items, prop_rule, stack_rule

ENDPOINT = "oci:GenerativeAi/endpoint:Endpoint"
CLUSTER = "oci:GenerativeAi/dedicatedAiCluster:DedicatedAiCluster"
PRIVATE_ENDPOINT = "oci:GenerativeAi/generativeAiPrivateEndpoint:GenerativeAiPrivateEndpoint"
AGENT = "oci:GenerativeAi/agentAgent:AgentAgent"
AGENT_ENDPOINT = "oci:GenerativeAi/agentAgentEndpoint:AgentAgentEndpoint"
KNOWLEDGE_BASE = "oci:GenerativeAi/agentKnowledgeBase:AgentKnowledgeBase"
DATA_SOURCE = "oci:GenerativeAi/agentDataSource:AgentDataSource"
AGENT_TOOL = "oci:GenerativeAi/agentTool:AgentTool"
IMPORTED_MODEL = "oci:GenerativeAi/importedModel:ImportedModel"
MODEL = "oci:GenerativeAi/model:Model"

_SAFETY = ("nist-ai-rmf:MANAGE-2.2", "iso42001:A.6.2.6", "soc2:CC7.2", "eu-ai-act:Art.15")
_PRIVACY = ("soc2:P4.1", "iso27001-2022:A.5.34", "nist-800-53r5:PT-2", "gdpr:Art.25")
_ACCESS = ("soc2:CC6.6", "nist-800-53r5:SC-7", "iso27001-2022:A.8.22")
_TRACE = ("nist-ai-rmf:MEASURE-2.8", "soc2:CC7.2", "iso42001:A.6.2.8", "eu-ai-act:Art.12")


def _guardrail(path: str, rid: str, what: str, modes: tuple[str, ...], severity: str, also: tuple[str, ...] = ()) -> Rule:
    return prop_rule(rid, f"Ensure agent endpoints apply the {what} guardrail", (AGENT_ENDPOINT,), path,
                     lambda v: v in modes, good=modes[0], bad="DISABLE", expectation=" or ".join(modes),
                     severity=severity, remediation=f"Set {path} to {modes[0]} (the tier decides BLOCK vs INFORM).",
                     controls=(*(_SAFETY if "Pii" not in path and "personally" not in path else _PRIVACY), *also))


def _cluster_unit_count(props: Mapping[str, Any]) -> Iterable[str]:
    if props.get("type") == "HOSTING" and float(props.get("unitCount") or 0) < 1:
        yield "'unitCount' is below 1 for a hosting cluster"


def agents_grounded(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    """Knowledge bases attach through a RAG AgentTool; AgentAgent.knowledgeBaseIds is deprecated in
    pulumi-oci 5.5.0 ("removed after March 26 2026", pulumi_oci/generativeai/agent_agent.py)."""
    grounded: set[str] = set()
    for tool in (r for r in resources if r.resource_type == AGENT_TOOL):
        config = tool.props.get("toolConfig") or {}
        if config.get("toolConfigType") == "RAG_TOOL_CONFIG" and items(config.get("knowledgeBaseConfigs")):
            grounded |= {d.urn for d in tool.property_dependencies.get("agentId", [])}
    for agent in (r for r in resources if r.resource_type == AGENT):
        if items(agent.props.get("knowledgeBaseIds")):
            yield agent.urn, "'knowledgeBaseIds' is deprecated (removed after 26 March 2026): attach through a RAG AgentTool"
        elif agent.urn not in grounded:
            yield agent.urn, "no RAG AgentTool with a knowledge base is attached: answers would not be grounded"


def _kb_index(props: Mapping[str, Any]) -> Iterable[str]:
    config = props.get("indexConfig") or {}
    kind = config.get("indexConfigType")
    if kind not in ("OCI_DATABASE_CONFIG", "OCI_OPEN_SEARCH_INDEX_CONFIG", "DEFAULT_INDEX_CONFIG"):
        yield "'indexConfig.indexConfigType' is not a supported index configuration"
    elif kind == "OCI_DATABASE_CONFIG":
        conn = config.get("databaseConnection") or {}
        if conn.get("connectionType") != "DATABASE_TOOL_CONNECTION" or not conn.get("connectionId"):
            yield "'indexConfig.databaseConnection' is not a Database Tools connection"


def _kb_secret(props: Mapping[str, Any]) -> Iterable[str]:
    config = props.get("indexConfig") or {}
    if config.get("indexConfigType") == "OCI_OPEN_SEARCH_INDEX_CONFIG":
        secret = config.get("secretDetail") or {}
        if not secret.get("vaultSecretId") and secret.get("type") != "IDCS_SECRET":
            yield "'indexConfig.secretDetail' does not reference a Vault secret"


def _ds_prefixes(props: Mapping[str, Any]) -> Iterable[str]:
    config = props.get("dataSourceConfig") or {}
    if config.get("dataSourceConfigType") != "OCI_OBJECT_STORAGE":
        yield "'dataSourceConfig.dataSourceConfigType' is not OCI_OBJECT_STORAGE"
        return
    prefixes = items(config.get("objectStoragePrefixes"))
    if not prefixes:
        yield "'dataSourceConfig.objectStoragePrefixes' is empty"
    for i, p in enumerate(prefixes):
        if not p.get("bucket"):
            yield f"'dataSourceConfig.objectStoragePrefixes[{i}].bucket' is not set"


def _imported_source(props: Mapping[str, Any]) -> Iterable[str]:
    source = props.get("dataSource") or {}
    if source.get("sourceType") != "OBJECT_STORAGE_OBJECT":
        yield "'dataSource.sourceType' imports weights from outside our tenancy; stage them in Object Storage first"


def _finetune_data(props: Mapping[str, Any]) -> Iterable[str]:
    dataset = get(props, "fineTuneDetails.trainingDataset") or {}
    if dataset.get("datasetType") != "OBJECT_STORAGE":
        yield "'fineTuneDetails.trainingDataset.datasetType' is not OBJECT_STORAGE"


def _output_location(props: Mapping[str, Any]) -> Iterable[str]:
    output = props.get("outputConfig")
    if output is not None:
        location = output.get("outputLocation") or {}
        if location.get("outputLocationType") != "OBJECT_STORAGE_PREFIX" or not location.get("bucket"):
            yield "'outputConfig.outputLocation' is not a bucket prefix of ours"


def _session_timeout(props: Mapping[str, Any]) -> Iterable[str]:
    if props.get("shouldEnableSession"):
        timeout = get(props, "sessionConfig.idleTimeoutInSeconds")
        if timeout is None or not 3600 <= float(timeout) <= 86400:
            yield "'sessionConfig.idleTimeoutInSeconds' is missing or outside 1 hour to 1 day"


_MODERATION = {"contentModerationConfig": {"isEnabled": True, "mode": "BLOCK"}}

RULES: list[Rule] = [
    # -- endpoints ---------------------------------------------------------------------------------
    prop_rule("GENAI-MOD-001", "Ensure content moderation is enabled on every Generative AI endpoint", (ENDPOINT,),
              "contentModerationConfig.isEnabled", lambda v: v is True, good=True, bad=False, expectation="true",
              severity="high", remediation="Set content_moderation_config.is_enabled=True.", controls=_SAFETY),
    prop_rule("GENAI-MOD-002", "Ensure Generative AI endpoints block (not just flag) moderated content", (ENDPOINT,),
              "contentModerationConfig.mode", lambda v: v == "BLOCK", good="BLOCK", bad="INFORM", expectation="BLOCK",
              severity="medium", tiers=("confidential", "restricted"), base=_MODERATION,
              remediation="Set content_moderation_config.mode='BLOCK'.", controls=_SAFETY),
    prop_rule("GENAI-MOD-003", "Ensure Generative AI endpoints are hosted on a dedicated AI cluster", (ENDPOINT,),
              "dedicatedAiClusterId", lambda v: bool(v), good="ocid1.generativeaidedicatedaicluster.oc1.fra.x", bad="",
              expectation="a dedicated AI cluster OCID", severity="high",
              remediation="Create the endpoint on the stack's dedicated AI cluster.", controls=_ACCESS),
    prop_rule("GENAI-MOD-004", "Ensure Generative AI endpoints name the model they serve", (ENDPOINT,), "modelId",
              lambda v: bool(v), good="ocid1.generativeaimodel.oc1.fra.x", bad="", expectation="a model OCID",
              severity="low", remediation="Set model_id explicitly so the served model is reviewable.",
              controls=("nist-ai-rmf:MAP-4.1",)),
    prop_rule("GENAI-MOD-005", "Ensure Generative AI endpoints are reached through a private endpoint", (ENDPOINT,),
              "generativeAiPrivateEndpointId", lambda v: bool(v), good="ocid1.generativeaiprivateendpoint.oc1.fra.x",
              bad="", expectation="a GenAI private endpoint OCID", severity="high",
              remediation="Attach the endpoint to the model-subnet private endpoint.", controls=_ACCESS,
              tiers=("confidential", "restricted")),
    custom_rule("GENAI-MOD-006", "Ensure hosting dedicated AI clusters have capacity", (CLUSTER,), _cluster_unit_count,
                severity="medium", remediation="Set unit_count to at least 1 (2 for availability in prod).",
                controls=("soc2:A1.1",), passing={"type": "HOSTING", "unitCount": 2.0},
                failing={"type": "HOSTING", "unitCount": 0.0}, unknown={"type": "HOSTING", "unitCount": UNKNOWN}),
    prop_rule("GENAI-MOD-007", "Ensure dedicated AI clusters declare their purpose", (CLUSTER,), "type",
              lambda v: v in ("HOSTING", "FINE_TUNING"), good="HOSTING", bad="", expectation="HOSTING or FINE_TUNING",
              severity="low", remediation="Set type to HOSTING (serving) or FINE_TUNING.", controls=("soc2:CC8.1",)),
    prop_rule("GENAI-MOD-008", "Ensure dedicated AI clusters declare a unit shape", (CLUSTER,), "unitShape",
              lambda v: bool(v), good="LARGE_COHERE_V2_2", bad="", expectation="a unit shape", severity="low",
              remediation="Set unit_shape to the model family's shape.", controls=("soc2:CC8.1",)),
    # -- private endpoints --------------------------------------------------------------------------
    prop_rule("GENAI-NET-001", "Ensure Generative AI private endpoints are placed in our subnet", (PRIVATE_ENDPOINT,),
              "subnetId", lambda v: bool(v), good="ocid1.subnet.oc1.fra.x", bad="", expectation="a subnet OCID",
              severity="high", remediation="Set subnet_id to the model subnet.", controls=_ACCESS),
    prop_rule("GENAI-NET-002", "Ensure Generative AI private endpoints are attached to network security groups",
              (PRIVATE_ENDPOINT,), "nsgIds", lambda v: len(items(v)) > 0, good=["ocid1.networksecuritygroup.oc1.fra.x"],
              bad=[], expectation="at least one NSG", severity="high",
              remediation="Set nsg_ids to the model NSG (admits only the router pods).", controls=_ACCESS),
    prop_rule("GENAI-NET-003", "Ensure Generative AI private endpoints have a DNS prefix", (PRIVATE_ENDPOINT,),
              "dnsPrefix", lambda v: bool(v), good="genai-prod", bad="", expectation="a DNS prefix", severity="low",
              enforcement="advisory", remediation="Set dns_prefix so clients resolve the private endpoint by name.",
              controls=("soc2:CC8.1",)),
    # -- agents ---------------------------------------------------------------------------------------
    stack_rule("GENAI-AGT-001", "Ensure every agent is grounded in a knowledge base through a RAG tool", agents_grounded,
               passing=[Fixture(AGENT, {"displayName": "a"}, name="urn:a"),
                        Fixture(AGENT_TOOL, {"toolConfig": {"toolConfigType": "RAG_TOOL_CONFIG", "knowledgeBaseConfigs": [
                            {"knowledgeBaseId": "ocid1.kb.oc1.fra.x"}]}}, name="urn:t", dependencies=("urn:a",),
                            property_dependencies={"agentId": ["urn:a"]})],
               failing=[Fixture(AGENT, {"knowledgeBaseIds": ["ocid1.kb.oc1.fra.x"]}, name="urn:a")],
               unknown=[Fixture(AGENT, {"displayName": "a"}, name="urn:a"),
                        Fixture(AGENT_TOOL, {"toolConfig": UNKNOWN}, name="urn:t", dependencies=("urn:a",),
                                property_dependencies={"agentId": ["urn:a"]})],
               mutate=drop_first(AGENT_TOOL), severity="medium",
               remediation="Attach the knowledge bases with a generativeai.AgentTool (RAG_TOOL_CONFIG).",
               controls=("nist-ai-rmf:MEASURE-2.5", "owasp-llm:LLM09")),
    prop_rule("GENAI-AGT-002", "Ensure every agent has a description of its purpose", (AGENT,), "description",
              lambda v: bool(v), good="Answers policy questions from the documents bucket", bad="",
              expectation="a description", severity="low", enforcement="advisory",
              remediation="Describe the agent's purpose (the AI inventory reads it).", controls=("iso42001:A.6.2.2",)),
    prop_rule("GENAI-AGT-003", "Ensure agent endpoints moderate user input", (AGENT_ENDPOINT,),
              "contentModerationConfig.shouldEnableOnInput", lambda v: v is True, good=True, bad=False,
              expectation="true", severity="high", remediation="Set content_moderation_config.should_enable_on_input=True.",
              controls=_SAFETY),
    prop_rule("GENAI-AGT-004", "Ensure agent endpoints moderate model output", (AGENT_ENDPOINT,),
              "contentModerationConfig.shouldEnableOnOutput", lambda v: v is True, good=True, bad=False,
              expectation="true", severity="high", remediation="Set content_moderation_config.should_enable_on_output=True.",
              controls=(*_SAFETY, "owasp-llm:LLM05")),
    _guardrail("guardrailConfig.promptInjectionConfig.inputGuardrailMode", "GENAI-AGT-005", "prompt-injection input",
               ("BLOCK", "INFORM"), "critical", also=("owasp-llm:LLM01",)),
    _guardrail("guardrailConfig.contentModerationConfig.inputGuardrailMode", "GENAI-AGT-006", "content-moderation input",
               ("BLOCK", "INFORM"), "high"),
    _guardrail("guardrailConfig.contentModerationConfig.outputGuardrailMode", "GENAI-AGT-007", "content-moderation output",
               ("BLOCK", "INFORM"), "high", also=("owasp-llm:LLM05",)),
    _guardrail("guardrailConfig.personallyIdentifiableInformationConfig.inputGuardrailMode", "GENAI-AGT-008",
               "PII input", ("BLOCK", "INFORM"), "high", also=("owasp-llm:LLM02", "gdpr:Art.5(1)(c)")),
    _guardrail("guardrailConfig.personallyIdentifiableInformationConfig.outputGuardrailMode", "GENAI-AGT-009",
               "PII output", ("BLOCK", "INFORM"), "high", also=("owasp-llm:LLM02", "gdpr:Art.5(1)(c)")),
    prop_rule("GENAI-AGT-010", "Ensure agent endpoints record traces", (AGENT_ENDPOINT,), "shouldEnableTrace",
              lambda v: v is True, good=True, bad=False, expectation="true", severity="medium",
              remediation="Set should_enable_trace=True (traces land in the agent-outputs bucket).", controls=_TRACE),
    prop_rule("GENAI-AGT-011", "Ensure agent endpoints return citations", (AGENT_ENDPOINT,), "shouldEnableCitation",
              lambda v: v is True, good=True, bad=False, expectation="true", severity="medium",
              remediation="Set should_enable_citation=True so answers can be checked against sources.",
              controls=(*_TRACE, "owasp-llm:LLM09")),
    custom_rule("GENAI-AGT-012", "Ensure agent sessions expire after an idle timeout", (AGENT_ENDPOINT,), _session_timeout,
                severity="medium", remediation="Set session_config.idle_timeout_in_seconds between 3600 (the service minimum) and 86400.",
                controls=("nist-800-53r5:AC-12", "soc2:CC6.1", "hipaa:164.312(a)(2)(iii)"),
                passing={"shouldEnableSession": True, "sessionConfig": {"idleTimeoutInSeconds": 3600.0}},
                failing={"shouldEnableSession": True, "sessionConfig": {"idleTimeoutInSeconds": 604800.0}},
                unknown={"shouldEnableSession": True, "sessionConfig": UNKNOWN}),
    custom_rule("GENAI-AGT-013", "Ensure agent outputs are written only to our buckets", (AGENT_ENDPOINT,), _output_location,
                severity="medium", remediation="Set output_config.output_location to a prefix of the agent-outputs bucket.",
                controls=_PRIVACY,
                passing={"outputConfig": {"outputLocation": {"outputLocationType": "OBJECT_STORAGE_PREFIX", "bucket": "b"}}},
                failing={"outputConfig": {"outputLocation": {"outputLocationType": "OBJECT_STORAGE_PREFIX", "bucket": ""}}},
                unknown={"outputConfig": UNKNOWN}),
    prop_rule("GENAI-AGT-014", "Ensure agent output retention is bounded", (AGENT_ENDPOINT,),
              "outputConfig.retentionPeriodInMinutes", lambda v: 0 < float(v) <= 60 * 24 * 365, good=60.0 * 24 * 30,
              bad=0.0, expectation="between 1 minute and 365 days", severity="low", missing_ok=True,
              remediation="Set output_config.retention_period_in_minutes within the tier's data retention.",
              controls=(*_PRIVACY, "gdpr:Art.5(1)(e)", "soc2:P4.2", "nist-800-53r5:SI-12")),
    # -- knowledge bases and data sources ------------------------------------------------------------
    custom_rule("GENAI-KB-001", "Ensure knowledge bases use a supported index backed by our database or search cluster",
                (KNOWLEDGE_BASE,), _kb_index, severity="medium",
                remediation="Use OCI_DATABASE_CONFIG through a Database Tools connection to the vector store.",
                controls=(*_ACCESS, "owasp-llm:LLM08"),
                passing={"indexConfig": {"indexConfigType": "OCI_DATABASE_CONFIG", "databaseConnection": {
                    "connectionType": "DATABASE_TOOL_CONNECTION", "connectionId": "ocid1.databasetoolsconnection.oc1.fra.x"}}},
                failing={"indexConfig": {"indexConfigType": "OCI_DATABASE_CONFIG", "databaseConnection": {}}},
                unknown={"indexConfig": UNKNOWN}),
    custom_rule("GENAI-KB-002", "Ensure search-cluster knowledge bases read credentials from the Vault", (KNOWLEDGE_BASE,),
                _kb_secret, severity="high", remediation="Reference a Vault secret (secret_detail.vault_secret_id).",
                controls=("nist-800-53r5:IA-5", "soc2:CC6.1", "owasp-llm:LLM08"),
                passing={"indexConfig": {"indexConfigType": "OCI_OPEN_SEARCH_INDEX_CONFIG",
                                         "secretDetail": {"type": "BASIC_AUTH_SECRET", "vaultSecretId": "ocid1.vaultsecret.x"}}},
                failing={"indexConfig": {"indexConfigType": "OCI_OPEN_SEARCH_INDEX_CONFIG",
                                         "secretDetail": {"type": "BASIC_AUTH_SECRET"}}},
                unknown={"indexConfig": {"indexConfigType": UNKNOWN}}),
    custom_rule("GENAI-KB-003", "Ensure agent data sources read named bucket prefixes only", (DATA_SOURCE,), _ds_prefixes,
                severity="medium", remediation="List explicit object_storage_prefixes on the documents bucket.",
                controls=_PRIVACY,
                passing={"dataSourceConfig": {"dataSourceConfigType": "OCI_OBJECT_STORAGE",
                                              "objectStoragePrefixes": [{"bucket": "docs", "namespace": "ns", "prefix": "kb/"}]}},
                failing={"dataSourceConfig": {"dataSourceConfigType": "OCI_OBJECT_STORAGE", "objectStoragePrefixes": []}},
                unknown={"dataSourceConfig": UNKNOWN}),
    prop_rule("GENAI-KB-004", "Ensure agent data sources belong to a knowledge base", (DATA_SOURCE,), "knowledgeBaseId",
              lambda v: bool(v), good="ocid1.kb.oc1.fra.x", bad="", expectation="a knowledge base OCID", severity="low",
              remediation="Set knowledge_base_id.", controls=("soc2:CC8.1",)),
    # -- imported and fine-tuned models --------------------------------------------------------------
    custom_rule("GENAI-IMP-001", "Ensure imported models are staged in our Object Storage", (IMPORTED_MODEL,), _imported_source,
                severity="high", remediation="Copy reviewed weights to a bucket and import from OBJECT_STORAGE_OBJECT.",
                controls=("nist-800-53r5:SR-3", "nist-ai-rmf:GOVERN-6.1", "owasp-llm:LLM03"),
                passing={"dataSource": {"sourceType": "OBJECT_STORAGE_OBJECT"}},
                failing={"dataSource": {"sourceType": "HUGGING_FACE_MODEL"}}, unknown={"dataSource": UNKNOWN}),
    prop_rule("GENAI-IMP-002", "Ensure imported models record their vendor", (IMPORTED_MODEL,), "vendor",
              lambda v: bool(v), good="meta", bad="", expectation="a vendor", severity="low", enforcement="advisory",
              remediation="Set vendor for the AI inventory.", controls=("iso42001:A.6.2.2", "nist-ai-rmf:GOVERN-1.6")),
    prop_rule("GENAI-IMP-003", "Ensure imported models record their version", (IMPORTED_MODEL,), "version",
              lambda v: bool(v), good="3.3", bad="", expectation="a version", severity="low", enforcement="advisory",
              remediation="Set version for the AI inventory.", controls=("iso42001:A.6.2.2", "nist-ai-rmf:GOVERN-1.6")),
    custom_rule("GENAI-FT-001", "Ensure fine-tuning data comes from our Object Storage", (MODEL,), _finetune_data,
                severity="high", remediation="Stage training data in a bucket and reference it (datasetType OBJECT_STORAGE).",
                controls=_PRIVACY, passing={"fineTuneDetails": {"trainingDataset": {"datasetType": "OBJECT_STORAGE"}}},
                failing={"fineTuneDetails": {"trainingDataset": {"datasetType": "EXTERNAL"}}},
                unknown={"fineTuneDetails": UNKNOWN}),
    prop_rule("GENAI-FT-002", "Ensure fine-tuned models run on a fine-tuning dedicated cluster", (MODEL,),
              "fineTuneDetails.dedicatedAiClusterId", lambda v: bool(v), good="ocid1.generativeaidedicatedaicluster.x",
              bad="", expectation="a dedicated AI cluster OCID", severity="medium",
              remediation="Set fine_tune_details.dedicated_ai_cluster_id.", controls=_ACCESS),
]
