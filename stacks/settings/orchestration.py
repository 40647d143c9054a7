"""Orchestration settings (``genai-platform:orchestration``, schema ``stacks/schema/orchestration.json``).

Parses the stack's orchestration object and builds the inputs of the OKE plane
(``components/orchestration.py``) and of the router workload on it (``components/router_workload.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from components.data import SAMPLES_ROLE
from core.tiers import TierPolicy
from stacks.settings.common import Report, tier_minimum

if TYPE_CHECKING:
    from components.data import DataPlane
    from components.governance import GovernanceFoundation
    from components.model import ModelPlane
    from components.network import NetworkPlane
    from components.operations import OperationsPlane
    from components.orchestration import OrchestrationPlane, OrchestrationPlaneArgs
    from components.router_workload import RouterWorkloadArgs
    from stacks.settings import Settings


@dataclass(frozen=True)
class NodePoolSettings:
    shape: str
    ocpus: int
    memory_gbs: int
    size: int
    boot_volume_gbs: int
    max_pods_per_node: int
    eviction_grace_minutes: int


@dataclass(frozen=True)
class RouterSettings:
    image: str
    namespace: str
    replicas: int
    max_replicas: int
    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str
    database: bool
    requests_per_minute: int
    """Per tenant, across replicas (``tenantLimits.requestsPerMinute``)."""
    characters_per_minute: int
    """Prompt + response characters per tenant, across replicas (``tenantLimits.charactersPerMinute``)."""
    response_cache_ttl_s: int
    """Shared response cache TTL; 0: no response cache."""
    service_account: str
    """The router's service account: with ``namespace`` and the cluster, its one workload identity."""


@dataclass(frozen=True)
class OrchestrationSettings:
    kubernetes_version: str
    node_image_id: str
    image_signature_verification: bool
    image_signing_key_id: str | None
    node_pool: NodePoolSettings
    router: RouterSettings


#: The router pod's resources when the stack sets none (orchestration.router.<key>).
POD_RESOURCES = {"cpuRequest": "500m", "cpuLimit": "2000m", "memoryRequest": "768Mi", "memoryLimit": "2048Mi"}


def parse(o: dict[str, Any], tier: TierPolicy, p: Report) -> OrchestrationSettings | None:
    """Schema-valid ``orchestration`` object → settings, or None after reporting every problem."""
    ok = True
    verify = tier.image_signature_verification or "imageSigningKeyId" in o
    if tier.image_signature_verification and "imageSigningKeyId" not in o:
        p("orchestration.imageSigningKeyId",
          f"missing; the {tier.name} tier requires image signature verification; allowed: the OCID of a Vault signing key")
        ok = False
    r = o["router"]
    replicas = r.get("replicas", 2)
    max_replicas = r.get("maxReplicas", max(6, replicas))
    # Tiers that keep customer data need the router to survive a node or fault-domain loss.
    if tier.private_endpoints_only:
        ok &= tier_minimum(p, "orchestration.router.replicas", replicas, 2, tier.name, shortfall="fewer")
    if max_replicas < replicas:
        p("orchestration.router.maxReplicas", "below orchestration.router.replicas; allowed: at least replicas")
        ok = False
    resources = {key: r.get(key, default) for key, default in POD_RESOURCES.items()}
    for req, lim in (("cpuRequest", "cpuLimit"), ("memoryRequest", "memoryLimit")):
        if _quantity(resources[req]) > _quantity(resources[lim]):
            p(f"orchestration.router.{req}", f"above orchestration.router.{lim}; allowed: at most the limit")
            ok = False
    if not ok:
        return None
    n = o.get("nodePool", {})
    limits = r.get("tenantLimits", {})
    return OrchestrationSettings(
        kubernetes_version=o.get("kubernetesVersion", "v1.33.1"),
        node_image_id=o["nodeImageId"],
        image_signature_verification=verify,
        image_signing_key_id=o.get("imageSigningKeyId"),
        node_pool=NodePoolSettings(shape=n.get("shape", "VM.Standard.E5.Flex"), ocpus=n.get("ocpus", 2),
                                   memory_gbs=n.get("memoryGbs", 32), size=n.get("size", 3),
                                   boot_volume_gbs=n.get("bootVolumeGbs", 100), max_pods_per_node=n.get("maxPodsPerNode", 31),
                                   eviction_grace_minutes=n.get("evictionGraceMinutes", 30)),
        router=RouterSettings(image=r["image"], namespace=r.get("namespace", "genai-router"), replicas=replicas,
                              max_replicas=max_replicas, cpu_request=resources["cpuRequest"],
                              cpu_limit=resources["cpuLimit"], memory_request=resources["memoryRequest"],
                              memory_limit=resources["memoryLimit"], database=r.get("database", False),
                              requests_per_minute=limits.get("requestsPerMinute", 600),
                              characters_per_minute=limits.get("charactersPerMinute", 2_000_000),
                              response_cache_ttl_s=r.get("responseCacheTtlSeconds", 300),
                              service_account=r.get("serviceAccount", "genai-router")),
    )


def _quantity(text: str) -> int:
    """'500m' → 500, '768Mi' → 768 (the schema fixed the unit per key)."""
    return int(text.rstrip("miM"))


def orchestration_args(settings: Settings, governance: GovernanceFoundation,
                       network: NetworkPlane) -> OrchestrationPlaneArgs:
    """The OKE plane's inputs: keys from governance (boot volumes only where the tier requires them)."""
    g, o, tier = settings.governance, settings.orchestration, settings.tier
    pool = o.node_pool
    return {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "vcn_id": network.vcn_id,
        "subnet_ids": network.subnet_ids,
        "nsg_ids": network.nsg_ids,
        "placements": network.placements,
        "secrets_key_id": governance.key_ids["secrets"],
        "node_image_id": o.node_image_id,
        "router_namespace": o.router.namespace,
        "router_service_account": o.router.service_account,
        "defined_tags": governance.defined_tags,
        "kubernetes_version": o.kubernetes_version,
        "image_signature_verification": o.image_signature_verification,
        "image_signing_key_id": o.image_signing_key_id,
        "boot_volume_key_id": governance.key_ids["compute"] if tier.customer_managed_keys else None,
        "node_shape": pool.shape,
        "node_ocpus": pool.ocpus,
        "node_memory_gbs": pool.memory_gbs,
        "node_count": pool.size,
        "boot_volume_gbs": pool.boot_volume_gbs,
        "max_pods_per_node": pool.max_pods_per_node,
        "node_eviction_grace_minutes": pool.eviction_grace_minutes,
        "protect": g.protect_stateful,
    }


def router_args(settings: Settings, governance: GovernanceFoundation, network: NetworkPlane,
                model: ModelPlane, data: DataPlane, operations: OperationsPlane,
                orchestration: OrchestrationPlane) -> RouterWorkloadArgs:
    """The router workload's inputs: its config rendered from settings once the model plane's ids and the
    APM domain's endpoint are known; its log (operations) and its shared OCI Cache (data plane)."""
    from stacks.router import router_config  # stacks.router reads Settings: imported here, not at load time

    n, r = settings.network, settings.orchestration.router
    cache_host = data.cache_fqdn
    if cache_host is None:
        raise ValueError("the router needs the data plane's cache (data_args gives it one)")
    return {
        "environment": settings.governance.environment,
        "image": r.image,
        "router_config": pulumi.Output.all(governance.compartment_id, model.dedicated_endpoint_ids,
                                           operations.apm_data_upload_endpoint).apply(
            lambda ids: router_config(settings, compartment_ocid=ids[0], dedicated_endpoint_ocids=ids[1],
                                      apm_data_upload_endpoint=ids[2])),
        "ingress_subnet_id": network.subnet_ids["ingress"],
        "ingress_nsg_id": network.nsg_ids["ingress"],
        "ingress_cidr": n.subnets["ingress"],
        "vcn_cidr": n.vcn_cidr,
        "compartment_id": governance.compartment_id,
        "region": settings.region,
        "namespace": r.namespace,
        "service_account": r.service_account,
        "port": n.router_port,
        "replicas": r.replicas,
        "max_replicas": r.max_replicas,
        "cpu_request": r.cpu_request,
        "cpu_limit": r.cpu_limit,
        "memory_request": r.memory_request,
        "memory_limit": r.memory_limit,
        "database_cidr": n.subnets["data"] if r.database else None,
        "log_id": operations.router_log_id,
        "log_group_id": operations.router_log_group_id,
        "cluster_id": orchestration.cluster_id,
        "defined_tags": governance.defined_tags,
        "cache_host": cache_host,
        "cache_cidr": n.subnets["data"],
        "sample_bucket": data.bucket_names.get(SAMPLES_ROLE),
        "object_storage_namespace": data.namespace,
    }
