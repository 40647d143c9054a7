"""Online evaluation on OKE: a CronJob in the router's namespace, with the router's image and identity.

Every run (``python -m evals.online`` in the router image, which carries the ``evals`` and
``prompts`` packages) samples the golden sets, asks the router through its in-cluster Service
with ``metadata.use_case`` (so the router applies the pinned or canary prompt and labels it),
scores the answers and posts ``genai_quality`` groundedness, relevance and coverage per use case
and prompt version to OCI Monitoring: the data the quality SLO alarm watches.

Hardened exactly like the router Deployment (``components.router_workload``'s
``container_security``, ``pod_security`` and ``identity_env``: non-root UID, read-only root
filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, requests
and limits), and it signs as the router's service account (OKE workload identity), so its
Monitoring grant is the router's. NetworkPolicies: the job's pods may reach DNS, the router's
pods on the router port and HTTPS outside the VCN (Monitoring ingestion); the router accepts the
job's pods on its port. CronJob fields: https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components import register_plane
from components.router_workload import APP as ROUTER_APP
from components.router_workload import container_security, dns_egress, identity_env, oci_https_egress, pod_security
from evals import online

ONLINE_EVAL_TYPE = register_plane("genai:index:OnlineEvaluation", "orchestration")

APP = "genai-online-eval"
CONFIG_DIR = "/etc/genai-eval"
COMMAND = ["python", "-m", online.__name__]
#: The job's container resources (no stack key sets them: a run scores a few cases, then exits).
REQUESTS = {"cpu": "250m", "memory": "256Mi"}
LIMITS = {"cpu": "1000m", "memory": "1Gi"}

_meta = k8s.meta.v1
_core = k8s.core.v1


class OnlineEvaluationArgs(TypedDict):
    """Inputs of the online evaluation job."""

    environment: str
    """Environment name."""
    namespace: pulumi.Input[str]
    """The router's namespace (the job runs beside it)."""
    service_account: str
    """The router's service account: the job signs with the router's workload identity."""
    image: str
    """The router image, pinned by digest."""
    region: str
    """OCI region."""
    compartment_id: pulumi.Input[str]
    """Compartment the metrics are posted to (the workload compartment)."""
    router_port: int
    """The router's port (in-cluster Service)."""
    vcn_cidr: str
    """The VCN's CIDR, excluded from the HTTPS egress rule."""
    schedule: str
    """Cron schedule of the runs."""
    use_cases: list[str]
    """Use cases (golden sets) to sample each run."""
    sample_size: int
    """Scored cases sampled per use case and run."""
    model: str
    """Logical model the job asks (the router routes, falls back and canaries it)."""
    embedding_model: str | None
    """Logical embedding model (relevance); None: relevance is not scored online."""


class OnlineEvaluation(pulumi.ComponentResource):
    """ConfigMap, CronJob and NetworkPolicies of the online evaluation job."""

    def __init__(self, name: str, args: OnlineEvaluationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ONLINE_EVAL_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = args["namespace"]
        labels = {"app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "genai-platform",
                  "genai.platform/environment": args["environment"]}
        selector = {"app.kubernetes.io/name": APP}

        def meta(obj_name: str) -> _meta.ObjectMetaArgs:
            return _meta.ObjectMetaArgs(name=obj_name, namespace=ns, labels=labels)

        config = _core.ConfigMap(
            f"{name}-config", metadata=meta(f"{APP}-config"),
            data={"config.yaml": pulumi.Output.all(ns, args["compartment_id"]).apply(
                lambda v: yaml.safe_dump(job_config(args, namespace=v[0], compartment_id=v[1]), sort_keys=True))},
            opts=child)
        container = _core.ContainerArgs(
            name="evaluate",
            image=args["image"],
            image_pull_policy="IfNotPresent",
            command=COMMAND,
            env=[*identity_env(args["region"], args["compartment_id"]),
                 _core.EnvVarArgs(name=online.CONFIG_ENV, value=f"{CONFIG_DIR}/config.yaml")],
            resources=_core.ResourceRequirementsArgs(requests=dict(REQUESTS), limits=dict(LIMITS)),
            security_context=container_security(),
            volume_mounts=[_core.VolumeMountArgs(name="config", mount_path=CONFIG_DIR, read_only=True),
                           _core.VolumeMountArgs(name="tmp", mount_path="/tmp")],
        )
        batch = k8s.batch.v1
        batch.CronJob(
            f"{name}-cronjob",
            metadata=meta(APP),
            spec=batch.CronJobSpecArgs(
                schedule=args["schedule"],
                concurrency_policy="Forbid",
                starting_deadline_seconds=600,
                successful_jobs_history_limit=3,
                failed_jobs_history_limit=3,
                job_template=batch.JobTemplateSpecArgs(spec=batch.JobSpecArgs(
                    backoff_limit=1,
                    active_deadline_seconds=1800,
                    ttl_seconds_after_finished=86400,
                    template=_core.PodTemplateSpecArgs(
                        metadata=_meta.ObjectMetaArgs(labels=labels),
                        spec=_core.PodSpecArgs(
                            service_account_name=args["service_account"],
                            automount_service_account_token=True,  # workload identity needs the projected token
                            enable_service_links=False,
                            restart_policy="Never",
                            security_context=pod_security(),
                            containers=[container],
                            volumes=[
                                _core.VolumeArgs(name="config", config_map=_core.ConfigMapVolumeSourceArgs(
                                    name=config.metadata.name)),
                                _core.VolumeArgs(name="tmp", empty_dir=_core.EmptyDirVolumeSourceArgs(size_limit="128Mi")),
                            ],
                        ),
                    ),
                ))),
            opts=child,
        )
        self._network_policies(name, args, meta, selector, child)
        self.register_outputs({})

    @staticmethod
    def _network_policies(name: str, args: OnlineEvaluationArgs, meta: Any, selector: Mapping[str, str],
                          opts: pulumi.ResourceOptions) -> None:
        net = k8s.networking.v1
        router = {"app.kubernetes.io/name": ROUTER_APP}
        port = args["router_port"]
        net.NetworkPolicy(
            f"{name}-netpol-egress",
            metadata=meta("online-eval-egress"),
            spec=net.NetworkPolicySpecArgs(
                pod_selector=_meta.LabelSelectorArgs(match_labels=dict(selector)),
                policy_types=["Egress"],
                egress=[
                    dns_egress(),
                    net.NetworkPolicyEgressRuleArgs(
                        to=[net.NetworkPolicyPeerArgs(pod_selector=_meta.LabelSelectorArgs(match_labels=router))],
                        ports=[net.NetworkPolicyPortArgs(protocol="TCP", port=port)]),
                    oci_https_egress(args["vcn_cidr"]),
                ]),
            opts=opts)
        net.NetworkPolicy(
            f"{name}-netpol-router-ingress",
            metadata=meta("router-from-online-eval"),
            spec=net.NetworkPolicySpecArgs(
                pod_selector=_meta.LabelSelectorArgs(match_labels=router),
                policy_types=["Ingress"],
                ingress=[net.NetworkPolicyIngressRuleArgs(
                    from_=[net.NetworkPolicyPeerArgs(pod_selector=_meta.LabelSelectorArgs(match_labels=dict(selector)))],
                    ports=[net.NetworkPolicyPortArgs(protocol="TCP", port=port)])]),
            opts=opts)


def job_config(args: OnlineEvaluationArgs, *, namespace: str, compartment_id: str) -> dict[str, Any]:
    """The job's config file (read by `evals.online`); the router through its in-cluster Service."""
    return {
        "router_url": f"http://{ROUTER_APP}.{namespace}.svc.cluster.local:{args['router_port']}",
        "model": args["model"],
        **({"embedding_model": args["embedding_model"]} if args["embedding_model"] else {}),
        "compartment_ocid": compartment_id,
        "region": args["region"],
        "use_cases": list(args["use_cases"]),
        "sample_size": args["sample_size"],
    }
