"""Orchestration plane: the OKE enhanced cluster the inference router runs on.

Provisions an ENHANCED OKE cluster (workload identity needs one) whose Kubernetes API endpoint is
private (okeApi subnet, okeApi NSG, no public IP); Kubernetes secrets encrypted at rest with the
vault's ``secrets`` key; image signature verification against a Vault signing key where the tier
requires it; VCN-native pod networking (pods get IPs from the pods subnet, behind the pods NSG);
one node pool in the workers subnet spread over the network plane's placements (availability
domains x fault domains), in-transit encryption of boot and block volumes, and boot volumes under
the ``compute`` key where customer-managed keys are required. It exposes a Kubernetes provider
built from the cluster's kubeconfig (the one provider a component builds itself) and grants the
router's service account, by workload identity, use of the Generative AI inference APIs and the
posting of metrics to the namespaces its hooks publish only: ``genai_router`` and ``genai_safety``
(``genai_quality`` is the online evaluation job's, under its own identity: ``components/online_eval.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import pulumi_oci as oci

from components import register_plane
from components.governance import Grant, Workload, key_grant_statements, workload_policy
from router.hooks.genai_router_hooks import contract

ORCHESTRATION_TYPE = register_plane("genai:index:OrchestrationPlane", "orchestration")

_ce = oci.containerengine


# Object Storage grants on the evaluation-sample bucket, one form for the writer and one for the reader
# (core/tables/grant_sources.yaml, rows router-sample-put and online-eval-sample-read):
# PutObject needs OBJECT_CREATE, which only ``manage objects`` holds, so the writer's grant is narrowed to
# that one permission (``request.permission``) and an object name it has not written before (no
# OBJECT_OVERWRITE, no OBJECT_DELETE); ``read objects`` holds OBJECT_INSPECT (ListObjects, HeadObject) and
# OBJECT_READ (GetObject). ``target.bucket.name`` narrows both to the one bucket.
SAMPLE_WRITE_PERMISSION = "OBJECT_CREATE"


def sample_writer_grant(workload: Workload, bucket: str) -> Grant:
    """The router's grant: create objects in the evaluation-sample bucket, nothing else."""
    return Grant("manage", "objects", workload.where(
        f"request.permission='{SAMPLE_WRITE_PERMISSION}'", f"target.bucket.name='{bucket}'"))


def sample_reader_grant(workload: Workload, bucket: str) -> Grant:
    """The online evaluation job's grant: list and read the evaluation-sample bucket's objects."""
    return Grant("read", "objects", workload.where(f"target.bucket.name='{bucket}'"))


def workload_grants(workload: Workload) -> list[Grant]:
    """What the router's pods may do, as themselves (OKE workload identity), and nothing else: call
    Generative AI inference, and post metrics to the custom namespaces the router publishes
    (``use metrics`` is PostMetricData's METRIC_WRITE, narrowed per namespace by
    ``target.metrics.namespace``), all narrowed to the router's workload identity
    (``components.governance.Workload``). Pages: core/tables/grant_sources.yaml, rows router-chat,
    router-embedding and workload-metrics."""
    return [
        Grant("use", "generative-ai-chat", workload.where()),
        Grant("use", "generative-ai-text-embedding", workload.where()),
        *(Grant("use", "metrics", workload.where(f"target.metrics.namespace='{ns}'"))
          for ns in (contract.ROUTER_NS, contract.SAFETY_NS)),
    ]


class OrchestrationPlaneArgs(TypedDict):
    """Inputs of the orchestration plane."""

    compartment_id: pulumi.Input[str]
    """Workload compartment."""
    environment: str
    """Environment name; part of names."""
    vcn_id: pulumi.Input[str]
    """The VCN."""
    subnet_ids: Mapping[str, pulumi.Input[str]]
    """Subnet OCID per role (okeApi, workers, pods, ingress)."""
    nsg_ids: Mapping[str, pulumi.Input[str]]
    """NSG OCID per role (okeApi, workers, pods, ingress)."""
    placements: pulumi.Input[Sequence[Mapping[str, Any]]]
    """Availability domains and fault domains: [{availabilityDomain, faultDomains}]."""
    secrets_key_id: pulumi.Input[str]
    """Vault key encrypting Kubernetes secrets at rest."""
    node_image_id: pulumi.Input[str]
    """OKE worker image."""
    router_namespace: str
    """Namespace of the router: with the service account and this cluster, its workload identity
    (https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contenggrantingworkloadaccesstoresources.htm)."""
    router_service_account: str
    """Service account of the router, for its workload-identity grant."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation."""
    kubernetes_version: str
    """Kubernetes version of the control plane and nodes."""
    image_signature_verification: bool
    """Admit only images signed with image_signing_key_id."""
    image_signing_key_id: pulumi.Input[str] | None
    """Vault key images must be signed with (required when verification is on; else None)."""
    boot_volume_key_id: pulumi.Input[str] | None
    """Customer-managed key for node boot volumes; None leaves Oracle-managed encryption."""
    node_shape: str
    """Node shape."""
    node_ocpus: int
    """OCPUs per node."""
    node_memory_gbs: int
    """Memory per node, GB."""
    node_count: int
    """Nodes in the pool."""
    boot_volume_gbs: int
    """Boot volume size, GB."""
    max_pods_per_node: int
    """Pods per node."""
    node_eviction_grace_minutes: int
    """Minutes OKE tries to evict a node's pods before deleting or replacing it anyway (0-60; 0: no
    cordon and drain)."""
    protect: bool
    """Protect the cluster from deletion."""


class OrchestrationPlane(pulumi.ComponentResource):
    """Enhanced OKE cluster with a private endpoint, its node pool, Kubernetes provider and router IAM."""

    cluster_id: pulumi.Output[str]
    """OCID of the cluster."""
    node_pool_id: pulumi.Output[str]
    """OCID of the node pool."""
    kubeconfig: pulumi.Output[str]
    """The cluster's kubeconfig (secret: it names the private endpoint)."""
    provider: k8s.Provider
    """Kubernetes provider for workloads on this cluster."""
    router_policy_id: pulumi.Output[str]
    """OCID of the router's workload-identity policy."""

    def __init__(self, name: str, args: OrchestrationPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ORCHESTRATION_TYPE, name, None, opts)
        env, comp, tags = args["environment"], args["compartment_id"], args["defined_tags"]
        child = pulumi.ResourceOptions(parent=self)
        version = args["kubernetes_version"]
        verify = args["image_signature_verification"]
        if verify and not args["image_signing_key_id"]:
            raise ValueError("image signature verification needs image_signing_key_id")
        sn, nsg = args["subnet_ids"], args["nsg_ids"]

        # Keys first: OKE cannot encrypt etcd secrets, nor Block Volume the nodes' boot volumes,
        # until IAM lets them use the keys (core/tables/key_grants.yaml cites the pages).
        key_uses: list[tuple[str, pulumi.Input[str]]] = [("oke-cluster-secrets", args["secrets_key_id"])]
        boot_key = args["boot_volume_key_id"]
        if boot_key is not None:
            key_uses.append(("oke-node-boot-volumes", boot_key))
        key_policy = oci.identity.Policy(
            f"{name}-key-grants",
            compartment_id=comp,
            name=f"genai-{env}-oke-keys",
            description="OKE, its node pools and Block Volume may use the cluster's and the boot volumes' keys",
            statements=key_grant_statements(key_uses, "", comp),  # OKE's grants name no regional service
            defined_tags=tags,
            opts=child,
        )
        after_keys = pulumi.ResourceOptions(parent=self, depends_on=[key_policy])

        cluster = _ce.Cluster(
            f"{name}-cluster",
            compartment_id=comp,
            name=f"genai-{env}",
            type="ENHANCED_CLUSTER",
            kubernetes_version=version,
            vcn_id=args["vcn_id"],
            kms_key_id=args["secrets_key_id"],
            endpoint_config=_ce.ClusterEndpointConfigArgs(
                subnet_id=sn["okeApi"], is_public_ip_enabled=False, nsg_ids=[nsg["okeApi"]]),
            cluster_pod_network_options=[_ce.ClusterClusterPodNetworkOptionArgs(cni_type="OCI_VCN_IP_NATIVE")],
            image_policy_config=_ce.ClusterImagePolicyConfigArgs(
                is_policy_enabled=True,
                key_details=[_ce.ClusterImagePolicyConfigKeyDetailArgs(kms_key_id=args["image_signing_key_id"])],
            ) if verify else _ce.ClusterImagePolicyConfigArgs(is_policy_enabled=False),
            options=_ce.ClusterOptionsArgs(
                add_ons=_ce.ClusterOptionsAddOnsArgs(is_kubernetes_dashboard_enabled=False, is_tiller_enabled=False),
                service_lb_subnet_ids=[sn["ingress"]],
                persistent_volume_config=_ce.ClusterOptionsPersistentVolumeConfigArgs(defined_tags=tags),
                service_lb_config=_ce.ClusterOptionsServiceLbConfigArgs(defined_tags=tags),
            ),
            defined_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args["protect"], depends_on=[key_policy]),
        )
        self.cluster_id = cluster.id

        node_count = args["node_count"]
        placements = pulumi.Output.from_input(args["placements"]).apply(
            lambda ps: [_ce.NodePoolNodeConfigDetailsPlacementConfigArgs(
                availability_domain=p["availabilityDomain"], subnet_id=sn["workers"], fault_domains=list(p["faultDomains"]))
                for p in ps])
        pool = _ce.NodePool(
            f"{name}-nodes",
            cluster_id=cluster.id,
            compartment_id=comp,
            name=f"genai-{env}-workers",
            kubernetes_version=version,
            node_shape=args["node_shape"],
            node_shape_config=_ce.NodePoolNodeShapeConfigArgs(ocpus=args["node_ocpus"],
                                                              memory_in_gbs=args["node_memory_gbs"]),
            node_source_details=_ce.NodePoolNodeSourceDetailsArgs(
                source_type="IMAGE", image_id=args["node_image_id"],
                boot_volume_size_in_gbs=str(args["boot_volume_gbs"])),
            node_config_details=_ce.NodePoolNodeConfigDetailsArgs(
                size=node_count,
                placement_configs=placements,
                nsg_ids=[nsg["workers"]],
                is_pv_encryption_in_transit_enabled=True,
                kms_key_id=boot_key,
                node_pool_pod_network_option_details=_ce.NodePoolNodeConfigDetailsNodePoolPodNetworkOptionDetailsArgs(
                    cni_type="OCI_VCN_IP_NATIVE", pod_subnet_ids=[sn["pods"]], pod_nsg_ids=[nsg["pods"]],
                    max_pods_per_node=args["max_pods_per_node"]),
                defined_tags=tags,
            ),
            node_eviction_node_pool_settings=_ce.NodePoolNodeEvictionNodePoolSettingsArgs(
                # ISO-8601 minutes, PT0M..PT60M (eviction_grace_duration, terraform-provider-oci
                # internal/service/containerengine/containerengine_node_pool_resource.go and
                # website/docs/r/containerengine_node_pool.html.markdown).
                eviction_grace_duration=f"PT{args['node_eviction_grace_minutes']}M",
                is_force_delete_after_grace_duration=False),
            initial_node_labels=[_ce.NodePoolInitialNodeLabelArgs(key="genai.platform/pool", value="workers")],
            defined_tags=tags,
            opts=after_keys,
        )
        self.node_pool_id = pool.id

        kubeconfig = _ce.get_cluster_kube_config_output(cluster_id=cluster.id, token_version="2.0.0",
                                                        opts=pulumi.InvokeOutputOptions(parent=self))
        self.kubeconfig = pulumi.Output.secret(kubeconfig.content)
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig,
                                     opts=pulumi.ResourceOptions(parent=self, depends_on=[pool]))

        policy = workload_policy(
            f"{name}-router-workload-identity",
            cluster_id=cluster.id, namespace=args["router_namespace"],
            service_account=args["router_service_account"], grants=workload_grants,
            compartment_id=comp,
            name=f"genai-{env}-router-workload",
            description="The inference router's pods (OKE workload identity) may call Generative AI and post their metrics",
            defined_tags=tags,
            opts=child,
        )
        self.router_policy_id = policy.id

        self.register_outputs({
            "clusterId": self.cluster_id,
            "nodePoolId": self.node_pool_id,
            "kubeconfig": self.kubeconfig,
            "routerPolicyId": self.router_policy_id,
        })
