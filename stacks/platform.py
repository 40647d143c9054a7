"""Composition: settings → planes. The one place that knows which plane feeds which.

Order follows the dependencies: governance (compartment, tags, keys) → network → the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.data import DataPlane
from components.governance import AdminAccess, GovernanceFoundation
from components.model import ModelPlane
from components.network import NetworkPlane
from components.operations import OperationsPlane, OperationsPlaneArgs, subscriptions_from
from stacks.settings import Settings


@dataclass
class Platform:
    """The planes of one stack, and what the stack exports."""

    settings: Settings
    governance: GovernanceFoundation
    network: NetworkPlane
    admin: AdminAccess
    operations: OperationsPlane
    data: DataPlane
    model: ModelPlane

    def export(self) -> None:
        pulumi.export("classification", self.settings.tier.name)
        pulumi.export("region", self.settings.region)
        pulumi.export("compartmentId", self.governance.compartment_id)
        pulumi.export("vaultId", self.governance.vault_id)
        pulumi.export("securityTopicId", self.governance.security_topic_id)
        pulumi.export("vcnId", self.network.vcn_id)
        pulumi.export("subnetIds", self.network.subnet_ids)
        pulumi.export("placements", self.network.placements)
        pulumi.export("bastionId", self.admin.bastion_id)
        pulumi.export("apmDomainId", self.operations.apm_domain_id)
        pulumi.export("routerLogId", self.operations.router_log_id)
        pulumi.export("alarmTopicIds", self.operations.topic_ids)
        pulumi.export("databaseId", self.data.database_id)
        pulumi.export("dbToolsConnectionId", self.data.db_tools_connection_id)
        pulumi.export("bucketNames", self.data.bucket_names)
        pulumi.export("modelCatalog", [e.to_json() for e in self.settings.model.catalog])
        pulumi.export("genaiPrivateEndpointId", self.model.private_endpoint_id)
        pulumi.export("dedicatedEndpointId", self.model.dedicated_endpoint_id)
        pulumi.export("agentEndpointId", self.model.agent_endpoint_id)


def build_platform(settings: Settings) -> Platform:
    g, n, tier = settings.governance, settings.network, settings.tier
    governance = GovernanceFoundation(f"{g.environment}-governance", {
        "tenancy_id": g.tenancy_id,
        "parent_compartment_id": g.parent_compartment_id,
        "environment": g.environment,
        "classification": tier.name,
        "cost_center": g.cost_center,
        "owner": g.owner,
        "admin_group": g.admin_group,
        "auditor_group": g.auditor_group,
        "security_emails": g.security_emails,
        "security_https_endpoints": [s.reveal() for s in g.security_https_endpoints],
        "vault_type": g.vault_type,
        "key_protection_mode": g.key_protection_mode,
        "key_rotation_days": g.key_rotation_days,
        "protect_stateful": g.protect_stateful,
    })
    network = NetworkPlane(f"{g.environment}-network", {
        "compartment_id": governance.compartment_id,
        "tenancy_id": g.tenancy_id,
        "environment": g.environment,
        "vcn_cidr": n.vcn_cidr,
        "subnet_cidrs": n.subnets,
        "defined_tags": governance.defined_tags,
        "public_api": n.public_api,
        "api_client_cidrs": n.api_client_cidrs,
        "router_port": n.router_port,
        "flow_log_retention_days": n.flow_log_retention_days,
        "availability_domains": n.placement.availability_domains,
        "fault_domains": n.placement.fault_domains,
        "protect_stateful": g.protect_stateful,
    })
    admin = AdminAccess(f"{g.environment}-admin", {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "target_subnet_id": network.subnet_ids["bastion"],
        "client_cidrs": g.bastion_client_cidrs,
        "max_session_ttl_minutes": g.bastion_max_session_ttl_minutes,
        "defined_tags": governance.defined_tags,
    })
    d, m = settings.data, settings.model
    data = DataPlane(f"{g.environment}-data", {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "region": settings.region,
        "defined_tags": governance.defined_tags,
        "data_subnet_id": network.subnet_ids["data"],
        "data_nsg_id": network.nsg_ids["data"],
        "model_nsg_id": network.nsg_ids["model"],
        "vault_id": governance.vault_id,
        "data_key_id": governance.key_ids["data"],
        "storage_key_id": governance.key_ids["storage"],
        "secrets_key_id": governance.key_ids["secrets"],
        "data_retention_days": d.data_retention_days,
        "customer_managed_keys": d.customer_managed_keys,
        "ecpu_count": d.database.ecpu_count,
        "storage_gb": d.database.storage_gb,
        "auto_scaling": d.database.auto_scaling,
        "backup_retention_days": d.database.backup_retention_days,
        "db_name": d.database.db_name,
        "rag_user": d.database.rag_user,
        "wallet_secret_id": d.database.wallet_secret_id,
        "admin_password": d.database.admin_password.reveal() if d.database.admin_password else None,
        "traces_prefix": d.traces_prefix,
        "access_log_retention_days": d.access_log_retention_days,
        "protect_stateful": g.protect_stateful,
    })
    gr = tier.guardrails
    cluster = m.dedicated_cluster
    model = ModelPlane(f"{g.environment}-model", {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "defined_tags": governance.defined_tags,
        "model_subnet_id": network.subnet_ids["model"],
        "model_nsg_id": network.nsg_ids["model"],
        "guardrails": {
            "content_moderation_input": gr.content_moderation_input,
            "content_moderation_output": gr.content_moderation_output,
            "prompt_injection_input": gr.prompt_injection_input,
            "pii_input": gr.pii_input,
            "pii_output": gr.pii_output,
        },
        "private_endpoint": m.private_endpoint,
        "dns_prefix": m.dns_prefix,
        "dedicated_cluster": {"unit_shape": cluster.unit_shape, "unit_count": cluster.unit_count,
                              "model_id": cluster.model_id} if cluster else None,
        "agent": m.agent is not None,
        "db_tools_connection_id": data.db_tools_connection_id,
        "vector_function": d.database.vector_function,
        "db_secret_names": [data.connection_secret_name],
        "namespace": data.namespace,
        "documents_bucket": data.bucket_names["documents"],
        "documents_prefix": d.documents_prefix,
        "outputs_bucket": data.bucket_names["outputs"],
        "traces_prefix": d.traces_prefix,
        "trace_retention_minutes": m.agent.trace_retention_minutes if m.agent else 1440,
        "session_idle_timeout_seconds": m.agent.session_idle_timeout_seconds if m.agent else 3600,
        "human_input": m.agent.human_input if m.agent else True,
        "router_namespace": m.router_namespace,
        "router_service_account": m.router_service_account,
    })
    # Operations watches what the other planes created (bucket access logs stay with the data plane).
    monitored: dict[str, object] = {"autonomous_database_id": data.database_id}
    if model.dedicated_cluster_id is not None:
        monitored["dedicated_ai_cluster_ids"] = [model.dedicated_cluster_id]
    operations = OperationsPlane(f"{g.environment}-operations", operations_args(settings, governance, **monitored))
    return Platform(settings=settings, governance=governance, network=network, admin=admin, operations=operations,
                    data=data, model=model)


def operations_args(settings: Settings, governance: GovernanceFoundation, **monitored: object) -> OperationsPlaneArgs:
    """Operations-plane inputs from settings; ``monitored`` adds the ids other planes hand in
    (api_gateway_id, api_deployment_id, cluster_id, autonomous_database_id, dedicated_ai_cluster_ids, buckets)."""
    g, o, tier = settings.governance, settings.operations, settings.tier
    args: OperationsPlaneArgs = {
        "compartment_id": governance.compartment_id,
        "tenancy_id": g.tenancy_id,
        "environment": g.environment,
        "region": settings.region,
        "defined_tags": governance.defined_tags,
        "log_retention_days": o.log_retention_days,
        "audit_archive_days": o.audit_archive_days,
        "archive_key_id": governance.key_ids["logs"] if tier.customer_managed_keys else None,
        "health_url": o.health_url,
        "vantage_points": o.vantage_points,
        "probe_interval_seconds": o.probe_interval_seconds,
        "apm_free_tier": o.apm_free_tier,
        "thresholds": o.thresholds,
        "subscriptions": subscriptions_from(o.channels),
        "budget_amount": o.budget.amount,
        "budget_actual_percentages": o.budget.actual_percentages,
        "budget_forecast_percentages": o.budget.forecast_percentages,
        "budget_recipients": o.budget.recipients,
        "runbook_base_url": o.runbook_base_url,
        "protect_stateful": g.protect_stateful,
    }
    args.update(monitored)  # type: ignore[typeddict-item]
    return args
