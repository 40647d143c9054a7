"""Model plane: how the platform reaches models, and the retrieval agent.

Provisions, as the classification tier allows and the stack asks:
- a Generative AI private endpoint in the model subnet behind the model NSG (tiers that allow private
  endpoints only): it fronts the dedicated clusters' endpoints;
- dedicated AI clusters (HOSTING), each with one endpoint (content moderation on, behind the private
  endpoint when there is one) serving a chat or an embedding model: a primary chat model, a fallback
  chat model on another cluster and an embedding model in prod (always at least one chat cluster in
  tiers whose only allowed serving is dedicated clusters);
- a GenAI agent with two knowledge bases: the vector store in the Autonomous Database (reached
  through the data plane's Database Tools connection) and a service-managed index fed by a data
  source on the documents bucket (OCI ingests data sources only into service-managed knowledge
  bases, so the bucket cannot feed the database knowledge base directly); an agent endpoint with
  content-moderation, prompt-injection and PII guardrails at the tier's modes, tracing and
  citations on, traces written to the outputs bucket, a session idle timeout and human input where
  the tier requires it;
- IAM: the agent's resource principal may use the generative-ai families in the workload
  compartment only, read the documents bucket and use the Database Tools connection. (The router's
  pods are granted by the orchestration plane, scoped to the cluster: one grant, one identity.)

The model catalogue (which models the router may call, and how they are served) is settings, not a
resource: it is exported as the stack output ``modelCatalog``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_oci as oci

from components import register_plane
from components.governance import Grant, Subject, statements

MODEL_TYPE = register_plane("genai:index:ModelPlane", "model")

GUARDRAIL_MODES = ("INFORM", "BLOCK")


class GuardrailModes(TypedDict):
    """Agent endpoint guardrail modes (INFORM or BLOCK)."""

    content_moderation_input: str
    """Content moderation on the prompt."""
    content_moderation_output: str
    """Content moderation on the response."""
    prompt_injection_input: str
    """Prompt-injection detection on the prompt."""
    pii_input: str
    """PII detection on the prompt."""
    pii_output: str
    """PII detection on the response."""


class DedicatedCluster(TypedDict):
    """A HOSTING dedicated AI cluster and the model its endpoint serves."""

    name: str
    """Logical model name (the router's); part of the resource names."""
    unit_shape: str
    """Dedicated AI unit shape."""
    unit_count: int
    """Number of units."""
    model_id: str
    """Model served by the cluster's endpoint."""
    mode: str
    """chat or embedding (from the unit shape); the first chat cluster is the agent's."""


class AgentSpec(TypedDict):
    """The retrieval agent's endpoint settings."""

    trace_retention_minutes: int
    """How long the endpoint keeps its output copy."""
    session_idle_timeout_seconds: int
    """Idle time after which a session ends."""
    human_input: bool
    """Ask a human before acting."""


class ModelPlaneArgs(TypedDict):
    """Inputs of the model plane."""

    compartment_id: pulumi.Input[str]
    """Workload compartment."""
    environment: str
    """Environment name; part of display names."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation."""
    model_subnet_id: pulumi.Input[str]
    """Model subnet: the Generative AI private endpoint lives there."""
    model_nsg_id: pulumi.Input[str]
    """The network plane's model NSG (pods reach it on 443; it reaches the data NSG on 1522)."""
    guardrails: GuardrailModes
    """Guardrail modes of the agent endpoint (from the tier)."""
    private_endpoint: bool
    """Create the Generative AI private endpoint."""
    dns_prefix: str
    """DNS prefix of the private endpoint."""
    dedicated_clusters: Sequence[DedicatedCluster]
    """The dedicated AI clusters to create, the primary chat cluster first (may be empty)."""
    unit_prices: Mapping[str, float]
    """The stack's negotiated USD unit-hour prices by unit shape (empty: list prices). Registered as the
    plane's ``unitPrices`` output: Pulumi state only, never a property of a cloud resource, and what a stack
    policy sees of this component (DEP-016 prices the clusters' committed hours with it)."""
    agent: AgentSpec | None
    """The retrieval agent, its knowledge bases, data source and endpoint; None creates none."""
    agent_instructions: str | None
    """The agent's instructions (``llm_config.routing_llm_customization.instruction``): the pinned
    system prompt of the ops-agent use case, prompts/ops-agent/<version>.md. None: the service's own."""
    db_tools_connection_id: pulumi.Input[str]
    """Database Tools connection to the vector store (the data plane's)."""
    vector_function: str
    """Database function the vector knowledge base calls."""
    db_secret_names: Sequence[str]
    """Names of the database password secrets the agent's connection reads."""
    namespace: pulumi.Input[str]
    """Object Storage namespace."""
    documents_bucket: str
    """Bucket the agent's data source ingests."""
    documents_prefix: str
    """Prefix of the documents in that bucket."""
    outputs_bucket: str
    """Bucket the agent endpoint writes its outputs and traces to."""
    traces_prefix: str
    """Prefix of the traces in the outputs bucket."""


class ModelPlane(pulumi.ComponentResource):
    """GenAI private endpoint, dedicated AI cluster and endpoint, the retrieval agent, their IAM."""

    private_endpoint_id: pulumi.Output[str] | None
    """OCID of the Generative AI private endpoint (None without one)."""
    dedicated_endpoint_ids: dict[str, pulumi.Output[str]]
    """Endpoint OCID per dedicated model's logical name (the router addresses each by it)."""
    dedicated_cluster_ids: list[pulumi.Output[str]]
    """OCIDs of the dedicated AI clusters; the operations plane alarms on each."""
    primary_endpoint_id: pulumi.Output[str] | None
    """The first chat cluster's endpoint: the agent reasons on it (None without a chat cluster)."""
    agent_endpoint_id: pulumi.Output[str] | None
    """OCID of the agent endpoint (None without the agent)."""

    def __init__(self, name: str, args: ModelPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(MODEL_TYPE, name, None, opts)
        env = args["environment"]
        comp = args["compartment_id"]
        tags = args["defined_tags"]
        child = pulumi.ResourceOptions(parent=self)
        guard = args["guardrails"]
        bad = [k for k, v in guard.items() if v not in GUARDRAIL_MODES]
        if bad:
            raise ValueError(f"guardrail modes must be INFORM or BLOCK: {', '.join(sorted(bad))}")

        self.private_endpoint_id = None
        if args["private_endpoint"]:
            pe = oci.generativeai.GenerativeAiPrivateEndpoint(
                f"{name}-private-endpoint",
                compartment_id=comp,
                subnet_id=args["model_subnet_id"],
                nsg_ids=[args["model_nsg_id"]],
                dns_prefix=args["dns_prefix"],
                display_name=f"genai-{env}-models",
                description="Private access to OCI Generative AI from the VCN",
                defined_tags=tags,
                opts=child,
            )
            self.private_endpoint_id = pe.id

        self.dedicated_endpoint_ids = {}
        self.dedicated_cluster_ids = []
        self.primary_endpoint_id = None
        for spec in args["dedicated_clusters"]:
            cluster = oci.generativeai.DedicatedAiCluster(
                f"{name}-dedicated-cluster-{spec['name']}",
                compartment_id=comp,
                type="HOSTING",
                unit_shape=spec["unit_shape"],
                unit_count=spec["unit_count"],
                display_name=f"genai-{env}-{spec['name']}",
                description=f"Dedicated AI cluster hosting {spec['name']}",
                defined_tags=tags,
                opts=child,
            )
            endpoint = oci.generativeai.Endpoint(
                f"{name}-dedicated-endpoint-{spec['name']}",
                compartment_id=comp,
                dedicated_ai_cluster_id=cluster.id,
                model_id=self._model_ocid(spec["model_id"], comp),
                display_name=f"genai-{env}-{spec['name']}",
                description=f"Endpoint serving {spec['name']} on its dedicated AI cluster",
                content_moderation_config=oci.generativeai.EndpointContentModerationConfigArgs(
                    is_enabled=True, mode=guard["content_moderation_output"]),
                generative_ai_private_endpoint_id=self.private_endpoint_id,
                defined_tags=tags,
                opts=child,
            )
            self.dedicated_endpoint_ids[spec["name"]] = endpoint.id
            self.dedicated_cluster_ids.append(cluster.id)
            if self.primary_endpoint_id is None and spec["mode"] == "chat":
                self.primary_endpoint_id = endpoint.id

        self.agent_endpoint_id = None
        agent = args["agent"]
        if agent is not None:
            self.agent_endpoint_id = self._agent(name, args, agent, child)
            self._policy(name, args, child)

        self.register_outputs({
            "privateEndpointId": self.private_endpoint_id,
            "dedicatedEndpointIds": self.dedicated_endpoint_ids,
            "agentEndpointId": self.agent_endpoint_id,
            "unitPrices": dict(args["unit_prices"]),
        })

    def _model_ocid(self, model: str, compartment_id: pulumi.Input[str]) -> pulumi.Input[str]:
        """An endpoint needs the model's OCID: resolve a base-model name through the models lookup."""
        if model.startswith("ocid1."):
            return model
        found = oci.generativeai.get_models_output(compartment_id=compartment_id, display_name=model,
                                                   opts=pulumi.InvokeOutputOptions(parent=self))
        return found.apply(lambda result: _first_active_model(result, model))

    @staticmethod
    def _policy(name: str, args: ModelPlaneArgs, child: pulumi.ResourceOptions) -> None:
        """The agent's resource principal: generative AI here, nowhere else; its buckets and connection.

        The router's pods are granted once, by the orchestration plane, scoped to the cluster. Each grant's
        purpose and OCI page: core/tables/grant_sources.yaml, rows ``agent-*``.
        """
        env, comp = args["environment"], args["compartment_id"]
        agent_where = "request.principal.type='genaiagent'"
        documents, outputs = args["documents_bucket"], args["outputs_bucket"]
        agent_grants = [
            Grant("use", "generative-ai-family", agent_where),
            Grant("use", "genai-agent-family", agent_where),
            Grant("read", "buckets", f"all {{{agent_where}, target.bucket.name='{documents}'}}"),
            Grant("read", "objects", f"all {{{agent_where}, target.bucket.name='{documents}'}}"),
            # Write traces and outputs; deleting them is left to lifecycle rules (CIS 1.15).
            Grant("manage", "objects", f"all {{{agent_where}, target.bucket.name='{outputs}', "
                                       "request.permission!='OBJECT_DELETE'}"),
            Grant("use", "database-tools-family", agent_where),
            *[Grant("read", "secret-family", f"all {{{agent_where}, target.secret.name='{n}'}}")
              for n in args["db_secret_names"]],
        ]
        oci.identity.Policy(
            f"{name}-policy",
            compartment_id=comp,
            name=f"genai-{env}-models",
            description="Retrieval agent: generative AI in the workload compartment only",
            statements=statements(Subject.any_user(), agent_grants, comp),
            defined_tags=args["defined_tags"],
            opts=child,
        )

    def _agent(self, name: str, args: ModelPlaneArgs, spec: AgentSpec,
               child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        """Knowledge bases, data source, agent and its endpoint; returns the endpoint's OCID."""
        env, comp, tags, guard = args["environment"], args["compartment_id"], args["defined_tags"], args["guardrails"]
        vector_kb = oci.generativeai.AgentKnowledgeBase(
            f"{name}-kb-vector",
            compartment_id=comp,
            display_name=f"genai-{env}-vector",
            description="AI Vector Search in the Autonomous Database, through Database Tools",
            index_config=oci.generativeai.AgentKnowledgeBaseIndexConfigArgs(
                index_config_type="OCI_DATABASE_CONFIG",
                database_connection=oci.generativeai.AgentKnowledgeBaseIndexConfigDatabaseConnectionArgs(
                    connection_type="DATABASE_TOOL_CONNECTION", connection_id=args["db_tools_connection_id"]),
                database_functions=[oci.generativeai.AgentKnowledgeBaseIndexConfigDatabaseFunctionArgs(
                    name=args["vector_function"])],
            ),
            defined_tags=tags,
            opts=child,
        )
        documents_kb = oci.generativeai.AgentKnowledgeBase(
            f"{name}-kb-documents",
            compartment_id=comp,
            display_name=f"genai-{env}-documents",
            description="Service-managed index of the documents bucket",
            index_config=oci.generativeai.AgentKnowledgeBaseIndexConfigArgs(
                index_config_type="DEFAULT_INDEX_CONFIG", should_enable_hybrid_search=True),
            defined_tags=tags,
            opts=child,
        )
        documents = oci.generativeai.AgentDataSource(
            f"{name}-data-source-documents",
            compartment_id=comp,
            knowledge_base_id=documents_kb.id,
            display_name=f"genai-{env}-documents",
            description="Documents bucket, ingested into the documents knowledge base",
            data_source_config=oci.generativeai.AgentDataSourceDataSourceConfigArgs(
                data_source_config_type="OCI_OBJECT_STORAGE",
                object_storage_prefixes=[oci.generativeai.AgentDataSourceDataSourceConfigObjectStoragePrefixArgs(
                    bucket=args["documents_bucket"], namespace=args["namespace"],
                    prefix=args["documents_prefix"])],
            ),
            defined_tags=tags,
            opts=child,
        )
        agent = oci.generativeai.AgentAgent(
            f"{name}-agent",
            compartment_id=comp,
            display_name=f"genai-{env}-retrieval",
            description="Retrieval agent over the platform's vector store and documents",
            welcome_message="Ask about the documents this platform holds.",
            # With a dedicated chat cluster the agent reasons on the primary one, never on a shared on-demand model
            # (tiers that forbid on-demand serving depend on this; policy CLS-MOD-001 checks it).
            # instruction and llm_selection are both optional in the provider's schema
            # (internal/service/generative_ai_agent/generative_ai_agent_agent_resource.go, routing_llm_customization).
            llm_config=oci.generativeai.AgentAgentLlmConfigArgs(
                routing_llm_customization=oci.generativeai.AgentAgentLlmConfigRoutingLlmCustomizationArgs(
                    instruction=args["agent_instructions"],
                    llm_selection=oci.generativeai.AgentAgentLlmConfigRoutingLlmCustomizationLlmSelectionArgs(
                        llm_selection_type="CUSTOM_GEN_AI_ENDPOINT", endpoint_id=self.primary_endpoint_id)
                    if self.primary_endpoint_id is not None else None),
            ) if self.primary_endpoint_id is not None or args["agent_instructions"] else None,
            defined_tags=tags,
            opts=child,
        )
        G = oci.generativeai
        # Knowledge bases attach through a RAG tool: AgentAgent.knowledge_base_ids is deprecated in
        # pulumi-oci 5.5.0 ("removed after March 26 2026", generativeai/agent_agent.py);
        # AgentTool.tool_config.tool_config_type RAG_TOOL_CONFIG with knowledge_base_configs
        # (generativeai/agent_tool.py, terraform-provider-oci oci_generative_ai_agent_tool).
        G.AgentTool(
            f"{name}-rag-tool",
            agent_id=agent.id,
            compartment_id=comp,
            display_name=f"genai-{env}-retrieval",
            description="Retrieves from the vector store and the documents index to ground the agent's answers",
            tool_config=G.AgentToolToolConfigArgs(
                tool_config_type="RAG_TOOL_CONFIG",
                knowledge_base_configs=[G.AgentToolToolConfigKnowledgeBaseConfigArgs(knowledge_base_id=kb.id)
                                        for kb in (vector_kb, documents_kb)],
            ),
            defined_tags=tags,
            opts=child,
        )
        # A data source holds nothing until a job ingests it (AgentDataIngestionJob, data_source_id).
        G.AgentDataIngestionJob(
            f"{name}-ingest-documents",
            compartment_id=comp,
            data_source_id=documents.id,
            display_name=f"genai-{env}-documents-initial",
            description="First ingestion of the documents bucket into the documents knowledge base",
            defined_tags=tags,
            opts=child,
        )
        endpoint = G.AgentAgentEndpoint(
            f"{name}-agent-endpoint",
            agent_id=agent.id,
            compartment_id=comp,
            display_name=f"genai-{env}-retrieval",
            description="Endpoint of the retrieval agent (guardrails per classification tier)",
            content_moderation_config=G.AgentAgentEndpointContentModerationConfigArgs(
                should_enable_on_input=True, should_enable_on_output=True),
            guardrail_config=G.AgentAgentEndpointGuardrailConfigArgs(
                content_moderation_config=G.AgentAgentEndpointGuardrailConfigContentModerationConfigArgs(
                    input_guardrail_mode=guard["content_moderation_input"],
                    output_guardrail_mode=guard["content_moderation_output"]),
                prompt_injection_config=G.AgentAgentEndpointGuardrailConfigPromptInjectionConfigArgs(
                    input_guardrail_mode=guard["prompt_injection_input"]),
                personally_identifiable_information_config=(
                    G.AgentAgentEndpointGuardrailConfigPersonallyIdentifiableInformationConfigArgs(
                        input_guardrail_mode=guard["pii_input"], output_guardrail_mode=guard["pii_output"])),
            ),
            human_input_config=G.AgentAgentEndpointHumanInputConfigArgs(
                should_enable_human_input=spec["human_input"]),
            output_config=G.AgentAgentEndpointOutputConfigArgs(
                output_location=G.AgentAgentEndpointOutputConfigOutputLocationArgs(
                    output_location_type="OBJECT_STORAGE_PREFIX", bucket=args["outputs_bucket"],
                    namespace=args["namespace"], prefix=args["traces_prefix"]),
                retention_period_in_minutes=spec["trace_retention_minutes"],
            ),
            session_config=G.AgentAgentEndpointSessionConfigArgs(
                idle_timeout_in_seconds=spec["session_idle_timeout_seconds"]),
            should_enable_session=True,
            should_enable_trace=True,
            should_enable_citation=True,
            defined_tags=tags,
            opts=child,
        )

        return endpoint.id


def _first_active_model(result: Any, name: str) -> str:
    items = [i for coll in (result.model_collections or []) for i in coll.items
             if i.display_name == name and i.state == "ACTIVE"]
    if not items:
        raise ValueError(f"no active OCI Generative AI model named '{name}' in this region")
    return str(items[0].id)
