"""Composition: settings → planes. The one place that knows which plane feeds which.

Order follows the dependencies: governance (compartment, tags, keys) → network → the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from components.experience import ExperiencePlane
from components.governance import AdminAccess, GovernanceFoundation
from components.ingress import IngressPlane, IngressPlaneArgs
from components.network import NetworkPlane
from components.orchestration import OrchestrationPlane, OrchestrationPlaneArgs
from components.router_workload import RouterWorkload
from stacks.settings import Settings


@dataclass
class Platform:
    """The planes of one stack, and what the stack exports."""

    settings: Settings
    governance: GovernanceFoundation
    network: NetworkPlane
    admin: AdminAccess
    ingress: IngressPlane
    orchestration: OrchestrationPlane
    router: RouterWorkload
    experience: ExperiencePlane

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
        pulumi.export("apiGatewayId", self.ingress.gateway_id)
        pulumi.export("apiEndpoint", self.experience.endpoint)
        pulumi.export("publicLoadBalancerId", self.ingress.public_load_balancer_id)
        pulumi.export("clusterId", self.orchestration.cluster_id)
        pulumi.export("routerUrl", self.router.url)


# ---- ROUTER CONFIG: the one place to swap in router/render.py's render_config(inputs) ----------
def router_config_for(settings: Settings) -> Mapping[str, Any]:
    """A minimal, valid LiteLLM proxy config from settings (placeholder for ``router.render.render_config``).

    Authentication happens at the API Gateway (JWT) and only the ingress subnet reaches the router,
    so the proxy runs without a master key; model entries come from the model plane once it lands.
    """
    return {
        "model_list": [{
            "model_name": "chat-default",
            "litellm_params": {
                "model": "oci/cohere.command-r-plus-08-2024",
                "oci_region": settings.region,
                "oci_compartment_id": "os.environ/OCI_COMPARTMENT_ID",
            },
        }],
        "router_settings": {"routing_strategy": "simple-shuffle", "num_retries": 2, "timeout": 300,
                            "allowed_fails": 3, "cooldown_time": 30},
        "litellm_settings": {"drop_params": True, "request_timeout": 300, "telemetry": False},
        "general_settings": {"max_request_size_mb": settings.ingress.max_request_body_mb,
                             "disable_spend_logs": settings.tier.prompt_logging != "full"},
    }
# ------------------------------------------------------------------------------------------------


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
    })
    admin = AdminAccess(f"{g.environment}-admin", {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "target_subnet_id": network.subnet_ids["bastion"],
        "client_cidrs": g.bastion_client_cidrs,
        "max_session_ttl_minutes": g.bastion_max_session_ttl_minutes,
        "defined_tags": governance.defined_tags,
    })
    i, o = settings.ingress, settings.orchestration
    ingress_args: IngressPlaneArgs = {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "subnet_ids": network.subnet_ids,
        "nsg_ids": network.nsg_ids,
        "defined_tags": governance.defined_tags,
        "public_api": n.public_api,
        "tier_allows_public": tier.public_api_allowed,
        "max_request_body_mb": i.max_request_body_mb,
        "waf_requests_per_minute": i.waf_requests_per_minute,
    }
    if i.certificate_id and i.custom_domain:
        ingress_args["certificate_id"] = i.certificate_id
        ingress_args["custom_domain"] = i.custom_domain
    ingress = IngressPlane(f"{g.environment}-ingress", ingress_args)
    orchestration_args: OrchestrationPlaneArgs = {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "vcn_id": network.vcn_id,
        "subnet_ids": network.subnet_ids,
        "nsg_ids": network.nsg_ids,
        "placements": network.placements,
        "secrets_key_id": governance.key_ids["secrets"],
        "node_image_id": o.node_image_id,
        "router_namespace": o.router.namespace,
        "router_service_account": "genai-router",
        "defined_tags": governance.defined_tags,
        "kubernetes_version": o.kubernetes_version,
        "image_signature_verification": o.image_signature_verification,
        "boot_volume_key_id": governance.key_ids["compute"] if tier.customer_managed_keys else None,
        "node_shape": o.node_pool.shape,
        "node_ocpus": o.node_pool.ocpus,
        "node_memory_gbs": o.node_pool.memory_gbs,
        "node_count": o.node_pool.size,
        "boot_volume_gbs": o.node_pool.boot_volume_gbs,
        "max_pods_per_node": o.node_pool.max_pods_per_node,
        "protect": g.protect_stateful,
    }
    if o.image_signing_key_id:
        orchestration_args["image_signing_key_id"] = o.image_signing_key_id
    orchestration = OrchestrationPlane(f"{g.environment}-orchestration", orchestration_args)
    r = o.router
    router = RouterWorkload(f"{g.environment}-router", {
        "environment": g.environment,
        "image": r.image,
        "router_config": router_config_for(settings),
        "ingress_subnet_id": network.subnet_ids["ingress"],
        "ingress_nsg_id": network.nsg_ids["ingress"],
        "ingress_cidr": n.subnets["ingress"],
        "vcn_cidr": n.vcn_cidr,
        "compartment_id": governance.compartment_id,
        "region": settings.region,
        "namespace": r.namespace,
        "service_account": "genai-router",
        "port": n.router_port,
        "replicas": r.replicas,
        "max_replicas": r.max_replicas,
        "cpu_request": r.cpu_request,
        "cpu_limit": r.cpu_limit,
        "memory_request": r.memory_request,
        "memory_limit": r.memory_limit,
        "database_cidr": n.subnets["data"] if r.database else None,
    }, opts=pulumi.ResourceOptions(providers=[orchestration.provider]))
    experience = ExperiencePlane(f"{g.environment}-experience", {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "gateway_id": ingress.gateway_id,
        "router_url": router.url,
        "jwt_issuers": i.jwt.issuers,
        "jwt_audiences": i.jwt.audiences,
        "jwks_uri": i.jwt.jwks_uri,
        "max_clock_skew_seconds": i.jwt.max_clock_skew_seconds,
        "defined_tags": governance.defined_tags,
        "log_retention_days": max(30, min(180, tier.retention.log_days)),
        "cors_allowed_origins": i.cors_allowed_origins,
        "rate_limit_per_second": i.rate_limit_per_second,
        "usage_plans": [{"name": u.name, "requests_per_second": u.requests_per_second,
                         "monthly_requests": u.monthly_requests} for u in i.usage_plans],
        "tenants": [{"name": t.name, "plan": t.plan, "token_secret_id": t.token_secret_id} for t in i.tenants],
    })
    return Platform(settings=settings, governance=governance, network=network, admin=admin, ingress=ingress,
                    orchestration=orchestration, router=router, experience=experience)
