"""The inference router workload on OKE (plain pulumi-kubernetes objects, no Helm: docs/architecture.md says why).

Namespace with the restricted Pod Security Standard enforced; a service account for OKE workload
identity (the only pod-level identity the router has); a ConfigMap with the rendered LiteLLM
proxy config; a Deployment that runs non-root with a read-only root filesystem, no privilege
escalation, no capabilities, the RuntimeDefault seccomp profile, requests and limits, probes, an
image pinned by digest, spread over zones and fault domains; secrets only by reference
(``secretKeyRef``, and only when the router uses its own database: see SECRET_NAME); the config
mounted where the image looks for it (router/container.py is the one home of that path); an
internal OCI load balancer in the ingress subnet (the API Gateway's backend); a
HorizontalPodAutoscaler; a PodDisruptionBudget; and NetworkPolicies: default-deny in both
directions, then ingress only from the ingress subnet on the router port, egress only to DNS, to
HTTPS outside the VCN (OCI services), to OCI Cache in the data subnet on its TLS port and, when
configured, to the database.

Why ``0.0.0.0/0`` on 443 minus the VCN for OCI services: a NetworkPolicy can only name IP blocks,
and the Oracle Services Network's ranges are a service label (``all-<region>-services-in-oracle-
services-network``) resolved by the service gateway, published as a changing list of public ranges.
So egress is restricted to port 443, everything in the VCN except the explicitly allowed peers is
excluded, and the route tables (service and NAT gateways only) and the pods NSG decide where 443
goes from there.

NetworkPolicies are enforced only where a policy engine runs: OKE's VCN-native CNI relies on Calico
(installed as a cluster add-on, outside this component) for that; the pods NSG applies regardless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components import register_plane
from components.governance import Grant, workload_policy
from components.orchestration import sample_writer_grant
from core import ocicache
from router.container import (
    APM_DATA_KEY,
    APM_DATA_KEY_FILE_ENV,
    APM_DATA_KEY_PATH,
    CONFIG_DIR,
    CONFIG_FILE,
    CONFIG_PATH,
    LOG_ID_ENV,
    REDIS_HOST_ENV,
    REDIS_PORT_ENV,
    REDIS_SSL_ENV,
    RUN_AS,
    SAMPLE_BUCKET_ENV,
    SAMPLE_NAMESPACE_ENV,
    SECRETS_DIR,
    TELEMETRY_SECRET,
    TERMINATION_GRACE_S,
)

ROUTER_TYPE = register_plane("genai:index:RouterWorkload", "orchestration")

APP = "genai-router"
#: LiteLLM's own Postgres (virtual keys, teams, spend) is not part of this stack. A router that uses
#: one reads its URL and the salt key encrypting what it stores there from this Secret, provided out
#: of band (core/tables/prerequisites.yaml, row router-database-secret). Without a database the
#: salt key has nothing to encrypt: LiteLLM 1.106.0 reads LITELLM_SALT_KEY only to encrypt values it
#: stores in the database (litellm/proxy/common_utils/encrypt_decrypt_utils.py get_salt_key) and to
#: sign /v1/responses ids, skipped without a key (litellm/proxy/hooks/responses_id_security.py), so
#: the pod then references no Secret at all. LiteLLM reads it only from the environment (no *_FILE
#: variant in its source): with a database it stays an env var from a secretKeyRef (checkov
#: CKV_K8S_35), the one way LiteLLM takes it.
SECRET_NAME = "genai-router"
DATABASE_SECRET_ENV = {"DATABASE_URL": "database-url", "LITELLM_SALT_KEY": "salt-key"}

_meta = k8s.meta.v1
_core = k8s.core.v1



def workers_for(cpu_limit: str) -> int:
    """Proxy worker processes for a CPU limit (Kubernetes quantity, e.g. ``2000m`` or ``2``): one per
    whole core, at least one. One worker process uses one core; more only queue behind each other."""
    cores = float(cpu_limit[:-1]) / 1000 if cpu_limit.endswith("m") else float(cpu_limit)
    return max(1, int(cores))


def worker_args(cpu_limit: str) -> list[str]:
    """LiteLLM CLI flags for that many workers. Several run under gunicorn (``--run_gunicorn``):
    uvicorn's own supervisor kills a worker that has not answered its health check within 5 s,
    and a LiteLLM worker takes longer than that to import, so ``--num_workers 2`` alone
    restarts its workers forever (seen with LiteLLM 1.106.0 / uvicorn 0.54)."""
    n = workers_for(cpu_limit)
    return ["--num_workers", str(n), *(["--run_gunicorn"] if n > 1 else [])]


def container_security() -> _core.SecurityContextArgs:
    """The router's container hardening; the online evaluation job's container uses the same."""
    return _core.SecurityContextArgs(
        run_as_non_root=True, run_as_user=RUN_AS, run_as_group=RUN_AS,
        read_only_root_filesystem=True, allow_privilege_escalation=False, privileged=False,
        capabilities=_core.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=_core.SeccompProfileArgs(type="RuntimeDefault"),
    )


def pod_security() -> _core.PodSecurityContextArgs:
    """The router's pod hardening; the online evaluation job's pods use the same."""
    return _core.PodSecurityContextArgs(run_as_non_root=True, run_as_user=RUN_AS, run_as_group=RUN_AS, fs_group=RUN_AS,
                                        seccomp_profile=_core.SeccompProfileArgs(type="RuntimeDefault"))


def dns_egress() -> k8s.networking.v1.NetworkPolicyEgressRuleArgs:
    """Egress to the cluster DNS (kube-dns in kube-system), UDP and TCP 53."""
    net = k8s.networking.v1
    return net.NetworkPolicyEgressRuleArgs(
        to=[net.NetworkPolicyPeerArgs(
            namespace_selector=_meta.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": "kube-system"}),
            pod_selector=_meta.LabelSelectorArgs(match_labels={"k8s-app": "kube-dns"}))],
        ports=[net.NetworkPolicyPortArgs(protocol="UDP", port=53), net.NetworkPolicyPortArgs(protocol="TCP", port=53)])


def oci_https_egress(vcn_cidr: str) -> k8s.networking.v1.NetworkPolicyEgressRuleArgs:
    """Egress on 443 to everything outside the VCN: OCI services (see the module docstring)."""
    net = k8s.networking.v1
    return net.NetworkPolicyEgressRuleArgs(
        to=[net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr="0.0.0.0/0", except_=[vcn_cidr]))],
        ports=[net.NetworkPolicyPortArgs(protocol="TCP", port=443)])


def identity_env(region: str, compartment_id: pulumi.Input[str]) -> list[_core.EnvVarArgs]:
    """OKE workload identity for the OCI SDK: the pod signs as its service account."""
    return [
        _core.EnvVarArgs(name="OCI_REGION", value=region),
        _core.EnvVarArgs(name="OCI_COMPARTMENT_ID", value=compartment_id),
        _core.EnvVarArgs(name="OCI_RESOURCE_PRINCIPAL_VERSION", value="2.2"),
        _core.EnvVarArgs(name="OCI_RESOURCE_PRINCIPAL_REGION", value=region),
    ]


class RouterWorkloadArgs(TypedDict):
    """Inputs of the router workload."""

    environment: str
    """Environment name."""
    image: str
    """Router image pinned by digest (registry/repository@sha256:...)."""
    router_config: pulumi.Input[str]
    """The LiteLLM proxy config.yaml text (stacks.router.router_config: the same text `blueprint router-config` prints)."""
    ingress_subnet_id: pulumi.Input[str]
    """Subnet of the internal load balancer."""
    ingress_nsg_id: pulumi.Input[str]
    """NSG of the internal load balancer."""
    ingress_cidr: str
    """CIDR of the ingress subnet: the only source allowed to reach the router."""
    vcn_cidr: str
    """The VCN's CIDR, excluded from the HTTPS egress rule."""
    compartment_id: pulumi.Input[str]
    """Compartment of the Generative AI resources the router calls."""
    region: str
    """OCI region."""
    namespace: str
    """Namespace: with the service account and the cluster, the router's workload identity."""
    service_account: str
    """Service account the pods run as (workload identity; the orchestration plane grants it)."""
    port: int
    """Router port."""
    replicas: int
    """Minimum replicas."""
    max_replicas: int
    """Autoscaler ceiling."""
    cpu_request: str
    """CPU request."""
    cpu_limit: str
    """CPU limit (also sets the number of proxy workers)."""
    memory_request: str
    """Memory request."""
    memory_limit: str
    """Memory limit."""
    database_cidr: str | None
    """CIDR of the data subnet when the router uses the database; None otherwise."""
    log_id: pulumi.Input[str]
    """OCID of the router's custom log (operations plane): the hooks' PutLogs target."""
    log_group_id: pulumi.Input[str]
    """OCID of the log group holding only that log: the scope of the router's ``use log-content``."""
    cluster_id: pulumi.Input[str]
    """The OKE cluster: part of the router's workload identity, which the log grant names."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation (on the log grant's policy)."""
    cache_host: pulumi.Input[str]
    """FQDN of the OCI Cache cluster's primary endpoint (data plane): budgets, tenant limits, response cache."""
    cache_cidr: str
    """CIDR of the subnet the cache's private endpoints live in (the data subnet): egress on core.ocicache.PORT."""
    sample_bucket: str | None
    """The data plane's evaluation-sample bucket the hooks write sampled requests to (create only); None
    where the tier keeps no sample in a bucket."""
    object_storage_namespace: pulumi.Input[str]
    """The tenancy's Object Storage namespace (the sample bucket's)."""


class RouterWorkload(pulumi.ComponentResource):
    """Namespace, identity, config, Deployment, internal load balancer, autoscaling and network policy of the router."""

    namespace: pulumi.Output[str]
    """The router's namespace."""
    load_balancer_ip: pulumi.Output[str]
    """Private IP of the router's internal load balancer."""
    url: pulumi.Output[str]
    """http://<internal load balancer>:<port>, the API Gateway's backend."""

    def __init__(self, name: str, args: RouterWorkloadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ROUTER_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns_name = args["namespace"]
        sa_name = args["service_account"]
        port = args["port"]
        replicas = args["replicas"]
        labels = {"app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "genai-platform",
                  "genai.platform/environment": args["environment"]}
        selector = {"app.kubernetes.io/name": APP}

        def meta(obj_name: str, **extra: Any) -> _meta.ObjectMetaArgs:
            return _meta.ObjectMetaArgs(name=obj_name, namespace=ns_name, labels=labels, **extra)

        namespace = _core.Namespace(
            f"{name}-namespace",
            metadata=_meta.ObjectMetaArgs(name=ns_name, labels={
                **labels,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            }),
            opts=child,
        )
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        self.namespace = namespace.metadata.name

        _core.ServiceAccount(
            f"{name}-service-account",
            metadata=meta(sa_name),
            # The token is mounted only into the router's pods (below), which need it for workload identity.
            automount_service_account_token=False,
            opts=in_ns,
        )
        # PutLogs is LOG_CONTENT_PUSH, i.e. `use log-content`, narrowed to the router log's own group
        # (core/tables/grant_sources.yaml, row router-log-push); the log is created after the orchestration
        # plane's grants, hence a policy of its own here.
        workload_policy(
            f"{name}-log-push",
            grants=lambda w, group: [Grant("use", "log-content", w.where(f"target.loggroup.id='{group}'"))],
            inputs=[args["log_group_id"]],
            name=f"genai-{args['environment']}-router-log-push",
            description="The inference router's pods (OKE workload identity) may write their request log only",
            cluster_id=args["cluster_id"], namespace=ns_name, service_account=sa_name,
            compartment_id=args["compartment_id"], defined_tags=args["defined_tags"], opts=child)
        if args["sample_bucket"] is not None:
            bucket = args["sample_bucket"]
            workload_policy(
                f"{name}-sample-put",
                grants=lambda w: [sample_writer_grant(w, bucket)],
                name=f"genai-{args['environment']}-router-sample-put",
                description="The inference router's pods (OKE workload identity) may create objects in the "
                            "evaluation-sample bucket only",
                cluster_id=args["cluster_id"], namespace=ns_name, service_account=sa_name,
                compartment_id=args["compartment_id"], defined_tags=args["defined_tags"], opts=child)
        config = _core.ConfigMap(
            f"{name}-config",
            metadata=meta(f"{APP}-config"),
            data={CONFIG_FILE: args["router_config"]},
            opts=in_ns,
        )

        env = identity_env(args["region"], args["compartment_id"])
        secret_env = DATABASE_SECRET_ENV if args["database_cidr"] else {}
        env += [
            _core.EnvVarArgs(name=var, value_from=_core.EnvVarSourceArgs(
                secret_key_ref=_core.SecretKeySelectorArgs(name=SECRET_NAME, key=key, optional=False)))
            for var, key in sorted(secret_env.items())
        ]
        # Telemetry and the shared ledger (router/container.py names what the hooks and LiteLLM read):
        # the custom log, OCI Cache over TLS, and the APM data key as a file from a Secret synced from
        # Vault (core/tables/prerequisites.yaml, row router-apm-data-key); never a Secret in env.
        env += [
            _core.EnvVarArgs(name=LOG_ID_ENV, value=args["log_id"]),
            _core.EnvVarArgs(name=REDIS_HOST_ENV, value=args["cache_host"]),
            _core.EnvVarArgs(name=REDIS_PORT_ENV, value=str(ocicache.PORT)),
            _core.EnvVarArgs(name=REDIS_SSL_ENV, value=str(ocicache.TLS).lower()),
            _core.EnvVarArgs(name=APM_DATA_KEY_FILE_ENV, value=APM_DATA_KEY_PATH),
        ]
        if args["sample_bucket"] is not None:
            env += [_core.EnvVarArgs(name=SAMPLE_BUCKET_ENV, value=args["sample_bucket"]),
                    _core.EnvVarArgs(name=SAMPLE_NAMESPACE_ENV, value=args["object_storage_namespace"])]
        probe_port = port
        container = _core.ContainerArgs(
            name="router",
            image=args["image"],
            image_pull_policy="IfNotPresent",
            args=["--config", CONFIG_PATH, "--port", str(port), *worker_args(args["cpu_limit"])],
            ports=[_core.ContainerPortArgs(name="http", container_port=port, protocol="TCP")],
            env=env,
            resources=_core.ResourceRequirementsArgs(
                requests={"cpu": args["cpu_request"], "memory": args["memory_request"]},
                limits={"cpu": args["cpu_limit"], "memory": args["memory_limit"]},
            ),
            security_context=container_security(),
            liveness_probe=_core.ProbeArgs(
                http_get=_core.HTTPGetActionArgs(path="/health/liveliness", port=probe_port),
                initial_delay_seconds=20, period_seconds=15, timeout_seconds=5, failure_threshold=4),
            readiness_probe=_core.ProbeArgs(
                http_get=_core.HTTPGetActionArgs(path="/health/readiness", port=probe_port),
                initial_delay_seconds=10, period_seconds=10, timeout_seconds=5, failure_threshold=3),
            startup_probe=_core.ProbeArgs(
                http_get=_core.HTTPGetActionArgs(path="/health/liveliness", port=probe_port),
                period_seconds=5, failure_threshold=30),
            volume_mounts=[
                _core.VolumeMountArgs(name="config", mount_path=CONFIG_DIR, read_only=True),
                _core.VolumeMountArgs(name="telemetry", mount_path=SECRETS_DIR, read_only=True),
                _core.VolumeMountArgs(name="tmp", mount_path="/tmp"),
            ],
        )
        spread = [
            _core.TopologySpreadConstraintArgs(
                max_skew=1, topology_key=key, when_unsatisfiable="ScheduleAnyway",
                label_selector=_meta.LabelSelectorArgs(match_labels=selector))
            for key in ("topology.kubernetes.io/zone", "oci.oraclecloud.com/fault-domain")
        ]
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta(APP),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=replicas,
                selector=_meta.LabelSelectorArgs(match_labels=selector),
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_unavailable=0, max_surge=1)),
                template=_core.PodTemplateSpecArgs(
                    metadata=_meta.ObjectMetaArgs(labels=labels, annotations={
                        "genai.platform/config-hash": config.data.apply(_digest)}),
                    spec=_core.PodSpecArgs(
                        service_account_name=sa_name,
                        automount_service_account_token=True,
                        enable_service_links=False,
                        security_context=pod_security(),
                        containers=[container],
                        volumes=[
                            _core.VolumeArgs(name="config",
                                             config_map=_core.ConfigMapVolumeSourceArgs(name=config.metadata.name)),
                            # 0440: readable by the pod's fsGroup (the image's UID/GID), nobody else.
                            _core.VolumeArgs(name="telemetry", secret=_core.SecretVolumeSourceArgs(
                                secret_name=TELEMETRY_SECRET, default_mode=0o440, optional=False,
                                items=[_core.KeyToPathArgs(key=APM_DATA_KEY, path=APM_DATA_KEY)])),
                            _core.VolumeArgs(name="tmp", empty_dir=_core.EmptyDirVolumeSourceArgs(size_limit="256Mi")),
                        ],
                        topology_spread_constraints=spread,
                        termination_grace_period_seconds=TERMINATION_GRACE_S,
                    ),
                ),
            ),
            opts=in_ns,
        )

        service = _core.Service(
            f"{name}-service",
            metadata=meta(APP, annotations={
                "oci.oraclecloud.com/load-balancer-type": "lb",
                "service.beta.kubernetes.io/oci-load-balancer-internal": "true",
                "service.beta.kubernetes.io/oci-load-balancer-subnet1": args["ingress_subnet_id"],
                "oci.oraclecloud.com/oci-network-security-groups": args["ingress_nsg_id"],
                "oci.oraclecloud.com/security-rule-management-mode": "None",
                "service.beta.kubernetes.io/oci-load-balancer-shape": "flexible",
                "service.beta.kubernetes.io/oci-load-balancer-shape-flex-min": "10",
                "service.beta.kubernetes.io/oci-load-balancer-shape-flex-max": "100",
            }),
            spec=_core.ServiceSpecArgs(
                type="LoadBalancer",
                selector=selector,
                external_traffic_policy="Local",
                ports=[_core.ServicePortArgs(name="http", port=port, target_port=port, protocol="TCP")],
            ),
            opts=in_ns,
        )
        self.load_balancer_ip = service.status.apply(_lb_ip)
        self.url = self.load_balancer_ip.apply(lambda ip: f"http://{ip}:{port}")

        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-autoscaler",
            metadata=meta(APP),
            spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                    api_version="apps/v1", kind="Deployment", name=deployment.metadata.name),
                min_replicas=replicas,
                max_replicas=args["max_replicas"],
                metrics=[k8s.autoscaling.v2.MetricSpecArgs(
                    type="Resource",
                    resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                        name="cpu", target=k8s.autoscaling.v2.MetricTargetArgs(type="Utilization", average_utilization=70)))],
            ),
            opts=in_ns,
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-disruption-budget",
            metadata=meta(APP),
            spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                selector=_meta.LabelSelectorArgs(match_labels=selector),
                max_unavailable=1,
            ),
            opts=in_ns,
        )
        self._network_policies(name, args, ns_name, selector, port, labels, in_ns)

        self.register_outputs({"namespace": self.namespace, "loadBalancerIp": self.load_balancer_ip, "url": self.url})

    @staticmethod
    def _network_policies(name: str, args: RouterWorkloadArgs, ns_name: str, selector: Mapping[str, str], port: int,
                          labels: Mapping[str, str], opts: pulumi.ResourceOptions) -> None:
        net = k8s.networking.v1

        def meta(obj_name: str) -> _meta.ObjectMetaArgs:
            return _meta.ObjectMetaArgs(name=obj_name, namespace=ns_name, labels=dict(labels))

        net.NetworkPolicy(
            f"{name}-netpol-default-deny",
            metadata=meta("default-deny-all"),
            spec=net.NetworkPolicySpecArgs(pod_selector=_meta.LabelSelectorArgs(), policy_types=["Ingress", "Egress"]),
            opts=opts,
        )
        net.NetworkPolicy(
            f"{name}-netpol-ingress",
            metadata=meta("router-from-ingress-subnet"),
            spec=net.NetworkPolicySpecArgs(
                pod_selector=_meta.LabelSelectorArgs(match_labels=dict(selector)),
                policy_types=["Ingress"],
                ingress=[net.NetworkPolicyIngressRuleArgs(
                    from_=[net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=args["ingress_cidr"]))],
                    ports=[net.NetworkPolicyPortArgs(protocol="TCP", port=port)],
                )],
            ),
            opts=opts,
        )
        egress = [dns_egress(), oci_https_egress(args["vcn_cidr"]),
                  # OCI Cache's private endpoints in the data subnet (TLS); its NSG admits the pods only.
                  net.NetworkPolicyEgressRuleArgs(
                      to=[net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=args["cache_cidr"]))],
                      ports=[net.NetworkPolicyPortArgs(protocol="TCP", port=ocicache.PORT)])]
        if args["database_cidr"]:
            egress.append(net.NetworkPolicyEgressRuleArgs(
                to=[net.NetworkPolicyPeerArgs(ip_block=net.IPBlockArgs(cidr=str(args["database_cidr"])))],
                ports=[net.NetworkPolicyPortArgs(protocol="TCP", port=1522)],
            ))
        net.NetworkPolicy(
            f"{name}-netpol-egress",
            metadata=meta("router-egress"),
            spec=net.NetworkPolicySpecArgs(
                pod_selector=_meta.LabelSelectorArgs(match_labels=dict(selector)),
                policy_types=["Egress"],
                egress=egress,
            ),
            opts=opts,
        )


def _lb_ip(status: Any) -> str:
    """The internal load balancer's private IP from the Service's status."""
    ingress = (status.load_balancer.ingress if status and status.load_balancer else None) or []
    for item in ingress:
        if item.ip:
            return str(item.ip)
    raise ValueError("the router Service has no load balancer IP in its status")


def _digest(data: Any) -> str:
    """A short, stable hash of the config: a changed config rolls the pods."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
