"""Online evaluation on OKE: a CronJob in the router's namespace, with the router's image and its own identity.

Every run (``python -m evals.online`` in the router image, which carries the ``evals`` and
``prompts`` packages) samples the golden sets, asks the router through its in-cluster Service
with ``metadata.use_case`` (so the router applies the pinned or canary prompt and labels it),
scores the answers, reads recent production requests back and scores them (``evals.traces``), and
posts ``genai_quality`` per use case, prompt version and source to OCI Monitoring: the data the
quality SLO alarm watches. Where recent requests come from is the tier's decision
(``trafficSample.store`` in policies/classification.yaml): the router's request log of the last hour
(Logging Search; ``request-log``, a tier logging prompts in full), the sampled copies the router
wrote to the evaluation-sample bucket in the last hour (ListObjects + GetObject; ``sample-bucket``),
or nowhere (``none``: the golden set only).

Hardened exactly like the router Deployment (``components.router_workload``'s
``container_security``, ``pod_security`` and ``identity_env``: non-root UID, read-only root
filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, requests
and limits). It runs as its own service account (``APP``), so its OKE workload identity is its
own: ``job_grants`` lets it post ``genai_quality`` and read where the tier keeps traffic (``read
log-content`` in the router log's own log group, or ``read objects`` in the evaluation-sample
bucket), nothing else (the router may do neither). NetworkPolicies: the job's pods may reach DNS,
the router's pods on the router port and HTTPS outside the VCN (Monitoring ingestion, Logging
Search, Object Storage); the router accepts the job's pods on its port. CronJob fields: https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components import register_plane
from components.governance import Grant, Workload, workload_policy
from components.orchestration import sample_reader_grant
from components.router_workload import APP as ROUTER_APP
from components.router_workload import container_security, dns_egress, identity_env, oci_https_egress, pod_security
from core.buckets import SAMPLE_READER
from evals import contract, online

ONLINE_EVAL_TYPE = register_plane("genai:index:OnlineEvaluation", "orchestration")

APP = SAMPLE_READER
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
    cluster_id: pulumi.Input[str]
    """The OKE cluster: part of the workload identity the log grant names."""
    router_log_id: pulumi.Input[str] | None
    """The router's request log (read back for recent traffic); None unless the tier's trafficSample
    store is ``request-log`` (only a tier logging prompts in full has text there to score)."""
    router_log_group_id: pulumi.Input[str] | None
    """The log group holding only the router's request log: the scope of the job's ``read log-content``
    (None with ``router_log_id``)."""
    sample_bucket: str | None
    """The evaluation-sample bucket the router writes sampled requests to (the job lists and reads it);
    None unless the tier's trafficSample store is ``sample-bucket``."""
    object_storage_namespace: pulumi.Input[str]
    """The tenancy's Object Storage namespace (the sample bucket's)."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation (on the job's IAM policy)."""


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
            data={"config.yaml": pulumi.Output.all(ns, args["compartment_id"], args["router_log_id"],
                                                   args["router_log_group_id"], args["object_storage_namespace"]).apply(
                lambda v: yaml.safe_dump(job_config(args, namespace=v[0], compartment_id=v[1], router_log_id=v[2],
                                                    router_log_group_id=v[3], object_storage_namespace=v[4]),
                                         sort_keys=True))},
            opts=child)
        # The job's own service account, hence its own workload identity: it may post genai_quality and
        # read the router's request log, and the router may do neither.
        account = _core.ServiceAccount(
            f"{name}-service-account", metadata=meta(APP),
            automount_service_account_token=False,  # mounted only into the job's pods (below)
            opts=child)
        workload_policy(
            f"{name}-workload-identity",
            cluster_id=args["cluster_id"], namespace=ns, service_account=APP,
            grants=lambda w, group: job_grants(w, group, args["sample_bucket"]),
            inputs=[args["router_log_group_id"]],
            compartment_id=args["compartment_id"],
            name=f"genai-{args['environment']}-online-eval-workload",
            description="The online evaluation job (OKE workload identity) may post quality metrics and read "
                        "recent traffic (the router's request log or the evaluation-sample bucket) only",
            defined_tags=args["defined_tags"],
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
                            service_account_name=account.metadata.name,
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


def job_grants(workload: Workload, log_group_id: str | None, sample_bucket: str | None) -> list[Grant]:
    """What the job's pods may do as themselves (OKE workload identity, service account ``APP``):
    post ``genai_quality`` (``use metrics`` narrowed by ``target.metrics.namespace``) and read the
    router's request log back (SearchLogs is LOG_CONTENT_READ, i.e. ``read log-content``; log-content
    grants can be narrowed by ``target.loggroup.id`` only, hence the router log's own group), or list and
    read the evaluation-sample bucket (``components.orchestration.sample_reader_grant``). It asks the
    router, never Generative AI, so it has no generative-ai grant. Pages: core/tables/grant_sources.yaml,
    rows workload-metrics, online-eval-log-read and online-eval-sample-read."""
    grants = [Grant("use", "metrics", workload.where(f"target.metrics.namespace='{contract.QUALITY_NS}'"))]
    if log_group_id is not None:
        grants.append(Grant("read", "log-content", workload.where(f"target.loggroup.id='{log_group_id}'")))
    if sample_bucket is not None:
        grants.append(sample_reader_grant(workload, sample_bucket))
    return grants


def job_config(args: OnlineEvaluationArgs, *, namespace: str, compartment_id: str, router_log_id: str | None,
               router_log_group_id: str | None, object_storage_namespace: str) -> dict[str, Any]:
    """The job's config file (read by `evals.online`); the router through its in-cluster Service."""
    logs = {"router_log_id": router_log_id, "router_log_group_id": router_log_group_id} if router_log_id else {}
    bucket = args["sample_bucket"]
    samples = {"sample_bucket": bucket, "object_storage_namespace": object_storage_namespace} if bucket else {}
    return {
        **logs,
        **samples,
        "router_url": f"http://{ROUTER_APP}.{namespace}.svc.cluster.local:{args['router_port']}",
        "model": args["model"],
        **({"embedding_model": args["embedding_model"]} if args["embedding_model"] else {}),
        "compartment_ocid": compartment_id,
        "region": args["region"],
        "use_cases": list(args["use_cases"]),
        "sample_size": args["sample_size"],
    }
