"""Composition: the one place that knows which plane feeds which.

Each plane's Args come from its settings module (``stacks/settings/<plane>.py``), given the planes it
depends on; this module only wires one plane's outputs into the next, in dependency order:
governance (compartment, tags, keys) → network → data → model; ingress; orchestration; operations
(it watches the planes above and owns the router's log and APM domain) → router (and the online
evaluation job beside it) → experience.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.data import DataPlane
from components.experience import ExperiencePlane
from components.governance import AdminAccess, GovernanceFoundation
from components.ingress import IngressPlane
from components.model import ModelPlane
from components.network import NetworkPlane
from components.online_eval import OnlineEvaluation
from components.operations import OperationsPlane
from components.orchestration import OrchestrationPlane
from components.router_workload import RouterWorkload
from stacks.settings import Settings
from stacks.settings import data as data_settings
from stacks.settings import evaluation as evaluation_settings
from stacks.settings import governance as governance_settings
from stacks.settings import ingress as ingress_settings
from stacks.settings import model as model_settings
from stacks.settings import network as network_settings
from stacks.settings import operations as operations_settings
from stacks.settings import orchestration as orchestration_settings


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
        pulumi.export("apmDomainId", self.operations.apm_domain_id)
        pulumi.export("apmDataUploadEndpoint", self.operations.apm_data_upload_endpoint)
        pulumi.export("routerLogId", self.operations.router_log_id)
        pulumi.export("alarmTopicIds", self.operations.topic_ids)
        pulumi.export("databaseId", self.data.database_id)
        if self.data.cache_fqdn is not None:
            pulumi.export("routerCacheFqdn", self.data.cache_fqdn)
        pulumi.export("dbToolsConnectionId", self.data.db_tools_connection_id)
        pulumi.export("bucketNames", self.data.bucket_names)
        pulumi.export("modelCatalog", [e.to_json() for e in self.settings.model.catalog])
        pulumi.export("genaiPrivateEndpointId", self.model.private_endpoint_id)
        pulumi.export("dedicatedEndpointIds", self.model.dedicated_endpoint_ids)
        pulumi.export("agentEndpointId", self.model.agent_endpoint_id)
        pulumi.export("apiGatewayId", self.ingress.gateway_id)
        pulumi.export("apiEndpoint", self.experience.endpoint)
        pulumi.export("publicLoadBalancerId", self.ingress.public_load_balancer_id)
        pulumi.export("clusterId", self.orchestration.cluster_id)
        pulumi.export("routerUrl", self.router.url)


def build_platform(settings: Settings) -> Platform:
    """Declare every plane in dependency order; each plane's settings module builds its Args."""
    env = settings.environment
    governance = GovernanceFoundation(f"{env}-governance", governance_settings.governance_args(settings))
    network = NetworkPlane(f"{env}-network", network_settings.network_args(settings, governance))
    admin = AdminAccess(f"{env}-admin", governance_settings.admin_args(settings, governance, network))
    data = DataPlane(f"{env}-data", data_settings.data_args(settings, governance, network))
    model = ModelPlane(f"{env}-model", model_settings.model_args(settings, governance, network, data))
    ingress = IngressPlane(f"{env}-ingress", ingress_settings.ingress_args(settings, governance, network))
    orchestration = OrchestrationPlane(f"{env}-orchestration",
                                       orchestration_settings.orchestration_args(settings, governance, network))
    # Operations watches what the other planes created and receives the router's telemetry (its log and
    # APM domain), so it comes before the router. Bucket access logs stay with the data plane and API
    # Gateway logs with the experience plane (so it needs no API deployment id); OKE control-plane logs
    # come from here.
    operations = OperationsPlane(f"{env}-operations", operations_settings.operations_args(
        settings, governance, api_gateway_id=ingress.gateway_id, api_deployment_id=None,
        gateway_logs_owned_elsewhere=True, cluster_id=orchestration.cluster_id, oke_logs_owned_elsewhere=False,
        autonomous_database_id=data.database_id, dedicated_endpoint_ids=list(model.dedicated_endpoint_ids.values()), buckets=[],
        archive_bucket_name=None))
    router = RouterWorkload(f"{env}-router", orchestration_settings.router_args(
        settings, governance, network, model, data, operations, orchestration),
                            opts=pulumi.ResourceOptions(providers=[orchestration.provider]))
    experience = ExperiencePlane(f"{env}-experience",
                                 ingress_settings.experience_args(settings, governance, ingress, router))
    if settings.evaluation.online.enabled:
        # The router's image and namespace, its own service account (workload identity); it reads the
        # router's request log back from the operations plane's log.
        OnlineEvaluation(f"{env}-online-eval", evaluation_settings.online_evaluation_args(
            settings, governance, router, orchestration, operations, data),
            opts=pulumi.ResourceOptions(providers=[orchestration.provider], depends_on=[router]))
    return Platform(settings=settings, governance=governance, network=network, admin=admin, operations=operations,
                    data=data, model=model, ingress=ingress, orchestration=orchestration, router=router,
                    experience=experience)

