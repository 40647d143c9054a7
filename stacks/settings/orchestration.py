"""Orchestration settings (``genai-platform:orchestration``, schema ``stacks/schema/orchestration.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.tiers import TierPolicy
from stacks.settings.common import Report


@dataclass(frozen=True)
class NodePoolSettings:
    shape: str
    ocpus: int
    memory_gbs: int
    size: int
    boot_volume_gbs: int
    max_pods_per_node: int


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


def parse(o: dict[str, Any], tier: TierPolicy, p: Report) -> OrchestrationSettings | None:
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
    if tier.private_endpoints_only and replicas < 2:
        p("orchestration.router.replicas", f"fewer than the {tier.name} tier requires; allowed: at least 2")
        ok = False
    if max_replicas < replicas:
        p("orchestration.router.maxReplicas", "below orchestration.router.replicas; allowed: at least replicas")
        ok = False
    defaults = {"cpuRequest": "500m", "cpuLimit": "2000m", "memoryRequest": "768Mi", "memoryLimit": "2048Mi"}
    for req, lim in (("cpuRequest", "cpuLimit"), ("memoryRequest", "memoryLimit")):
        if _quantity(r.get(req, defaults[req])) > _quantity(r.get(lim, defaults[lim])):
            p(f"orchestration.router.{req}", f"above orchestration.router.{lim}; allowed: at most the limit")
            ok = False
    if not ok:
        return None
    n = o.get("nodePool", {})
    return OrchestrationSettings(
        kubernetes_version=o.get("kubernetesVersion", "v1.33.1"),
        node_image_id=o["nodeImageId"],
        image_signature_verification=verify,
        image_signing_key_id=o.get("imageSigningKeyId"),
        node_pool=NodePoolSettings(shape=n.get("shape", "VM.Standard.E5.Flex"), ocpus=n.get("ocpus", 2),
                                   memory_gbs=n.get("memoryGbs", 32), size=n.get("size", 3),
                                   boot_volume_gbs=n.get("bootVolumeGbs", 100), max_pods_per_node=n.get("maxPodsPerNode", 31)),
        router=RouterSettings(image=r["image"], namespace=r.get("namespace", "genai-router"), replicas=replicas,
                              max_replicas=max_replicas, cpu_request=r.get("cpuRequest", "500m"),
                              cpu_limit=r.get("cpuLimit", "2000m"), memory_request=r.get("memoryRequest", "768Mi"),
                              memory_limit=r.get("memoryLimit", "2048Mi"), database=r.get("database", False),
                              service_account=r.get("serviceAccount", "genai-router")),
    )


def _quantity(text: str) -> int:
    """'500m' → 500, '768Mi' → 768 (the schema fixed the unit per key)."""
    return int(text.rstrip("miM"))
