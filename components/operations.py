"""Operations and governance plane: how the platform is watched, paid for and recovered.

Provisions one log group per plane and the router's custom log; the service logs of what the
other planes hand in (API Gateway access/execution, Object Storage read/write, OKE control plane)
unless their own plane says it owns them; an audit archive (Service Connector Hub from the tenancy
audit log and the operations log group into a versioned, private, lifecycle-bound bucket) because
OCI Logging keeps logs at most 180 days; an APM domain and a REST synthetic monitor on the published
health endpoint; notification topics per severity with their subscriptions; the operating model's
SLO alarms (always) and infrastructure alarms (for each monitored resource id given); and a monthly
budget with ACTUAL and FORECAST rules.

Every alarm is defined once in ``ALARMS``: a stable id (the ``alarm-id`` freeform tag and part of
the display name), the metric namespace, an MQL query, severity, pending duration, the topic it
routes to, and the runbook (``runbooks/<id>.md``) linked from its body. Tests check both ways that
every alarm's runbook exists and every runbook's detection list names alarms that exist.

Ownership of service logs (who creates which, so none is created twice):
- API Gateway deployment access/execution logs: here, unless ``gateway_logs_owned_elsewhere``.
- Object Storage read/write logs: here, for each bucket in ``buckets``.
- OKE control-plane logs: here, unless ``oke_logs_owned_elsewhere``.
- VCN flow logs: the network plane.
- The archive bucket: here, unless ``archive_bucket_name`` is handed in (then its owner also grants
  Object Storage the use of its key).

What alarms may watch (MQL cannot divide two streams, so ratios are published as metrics): the
custom metrics declared in the router's contract (``router/hooks/genai_router_hooks/contract.py``:
``genai_router`` and ``genai_safety`` from the router hooks, ``genai_quality`` from the online
evaluation job) and the OCI service metrics of ``policies/oci_metrics.yaml``, each with its OCI
reference page. Rule MON-001 fails an alarm that names anything else; ``tests/components/
test_alarm_scenarios.py`` fires and silences every alarm from datapoints shaped by those declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_oci as oci

from components import register_plane
from components.governance import Grant, Subject, key_grant_statements, statements
from core.apm import ON_PREMISE_VANTAGE_POINT, is_public_vantage_point, probe_timeout
from core.topics import TOPICS
from router.hooks.genai_router_hooks import contract

OPERATIONS_TYPE = register_plane("genai:index:OperationsPlane", "operations")

#: One log group per plane; the router's custom log has a group of its own (``router_log_group_id``).
LOG_GROUPS = ("experience", "ingress", "orchestration", "data", "model", "operations")

@dataclass(frozen=True)
class AlarmThresholds:
    """Alarm thresholds (stacks/schema/operations.json; defaults in stacks/settings/operations.py)."""

    availability_target: float
    fast_burn_rate: float
    slow_burn_rate: float
    latency_p95_ms: int
    groundedness_min: float
    cost_per_query_max_usd: float
    model_timeouts_per_5m: int
    tool_errors_per_5m: int
    prompt_injections_per_5m: int
    gateway_5xx_per_5m: int
    database_cpu_percent: int
    database_storage_percent: int
    dedicated_cluster_latency_p95_ms: int


#: Custom metric namespaces: declared, with every metric and dimension, in the router's metric contract.
ROUTER_NS, QUALITY_NS, SAFETY_NS = contract.ROUTER_NS, contract.QUALITY_NS, contract.SAFETY_NS


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm of the catalogue."""

    id: str
    namespace: str
    title: str
    severity: str
    """CRITICAL, ERROR, WARNING or INFO."""
    pending: str
    """ISO-8601 duration the condition must hold before the alarm fires."""
    topic: str
    runbook: str
    query: Callable[[AlarmThresholds, Mapping[str, str]], str]
    """Builds the MQL from thresholds and the resolved ids named in ``needs``."""
    needs: tuple[str, ...] = ()
    """Monitored ids this alarm's query names; without them it is not created."""
    only_if: str | None = None
    """A kind of monitored resource the alarm watches without naming it: created only when the stack has one."""
    requires: str | None = None
    """The plane that provides those ids (runbooks mark such alarms ``requires``)."""
    per_dimension: bool = False


def _error_budget(t: AlarmThresholds) -> float:
    return round(1 - t.availability_target, 6)


def _num(value: float) -> str:
    return f"{value:g}"


ALARMS: tuple[AlarmSpec, ...] = (
    # Availability 99.9 %: multi-window burn-rate alarms. MQL cannot divide one metric stream by
    # another, so the router publishes error_ratio (errors / requests per minute) itself.
    AlarmSpec("slo-availability-fast-burn", ROUTER_NS, "Error budget burning fast (1 h window)", "CRITICAL", "PT5M",
              "critical", "availability-burn",
              lambda t, _: f"error_ratio[60m].mean() > {_num(round(t.fast_burn_rate * _error_budget(t), 6))}"),
    # Alarm intervals stop at 60m: "6 h at 6x" is the 1 h ratio held above 6x for 6 h (PT6H pending).
    AlarmSpec("slo-availability-slow-burn", ROUTER_NS, "Error budget burning steadily (6 h)", "WARNING", "PT6H",
              "warning", "availability-burn",
              lambda t, _: f"error_ratio[60m].mean() > {_num(round(t.slow_burn_rate * _error_budget(t), 6))}"),
    AlarmSpec("slo-latency-p95", ROUTER_NS, "P95 latency above the SLO", "ERROR", "PT5M", "critical", "latency-slo",
              lambda t, _: f"latency_ms[5m].percentile(0.95) > {t.latency_p95_ms}"),
    AlarmSpec("router-model-timeouts", ROUTER_NS, "Model calls timing out", "ERROR", "PT5M", "critical",
              "model-timeout", lambda t, _: f"model_timeouts[5m].sum() > {t.model_timeouts_per_5m}"),
    AlarmSpec("router-tool-errors", ROUTER_NS, "Agent tool calls failing", "ERROR", "PT5M", "warning",
              "tool-failure", lambda t, _: f"tool_errors[5m].groupBy(tool).sum() > {t.tool_errors_per_5m}",
              per_dimension=True),
    AlarmSpec("slo-cost-per-query", ROUTER_NS, "Average cost per query above target", "WARNING", "PT30M", "cost",
              "cost-overrun", lambda t, _: f"cost_per_query_usd[60m].mean() > {_num(t.cost_per_query_max_usd)}"),
    AlarmSpec("slo-quality-groundedness", QUALITY_NS, "Groundedness below target", "ERROR", "PT15M", "warning",
              "quality-degradation", lambda t, _: f"groundedness[60m].mean() < {_num(t.groundedness_min)}"),
    AlarmSpec("slo-safety-harmful-output", SAFETY_NS, "Harmful output detected", "CRITICAL", "PT1M", "critical",
              "harmful-output", lambda t, _: "harmful_outputs[5m].sum() > 0"),
    AlarmSpec("safety-prompt-injection", SAFETY_NS, "Prompt injection attempts detected", "ERROR", "PT1M", "critical",
              "prompt-injection",
              lambda t, _: f"prompt_injections[5m].sum() > {t.prompt_injections_per_5m}"),
    AlarmSpec("safety-sensitive-data-egress", SAFETY_NS, "Sensitive data in a response", "CRITICAL", "PT1M",
              "critical", "data-breach", lambda t, _: "sensitive_data_detections[5m].sum() > 0"),
    # APM availability monitoring publishes to oracle_apm_synthetics (there is no oci_apm_synthetics):
    # Availability per monitor (MonitorId) and vantage point (catalogue: policies/oci_metrics.yaml).
    AlarmSpec("synthetic-probe-failure", "oracle_apm_synthetics", "Health probe failing", "CRITICAL", "PT5M",
              "critical", "synthetic-probe-failure",
              lambda t, ids: f'Availability[5m]{{MonitorId = "{ids["synthetic_monitor_id"]}"}}.mean() < 1',
              needs=("synthetic_monitor_id",), per_dimension=True),
    # Infrastructure alarms: created only when the owning plane hands in the resource id.
    AlarmSpec("gateway-5xx", "oci_apigateway", "API Gateway returning 5xx", "ERROR", "PT5M", "critical",
              "gateway-5xx",
              lambda t, ids: (f'HttpResponses[5m]{{resourceId = "{ids["api_gateway_id"]}", '
                              f'httpStatusCategory = "5xx"}}.sum() > {t.gateway_5xx_per_5m}'),
              needs=("api_gateway_id",), requires="ingress"),
    # OKE (https://docs.oracle.com/en-us/iaas/Content/ContEng/Reference/contengmetrics.htm; catalogue:
    # policies/oci_metrics.yaml): NodeState counts nodes per lifecycle state (a node's lifecycleState:
    # FAILING (the SDK's enum), FAILED (the OKE metrics page's example) and INACTIVE are the unhealthy
    # ones; "NotReady" is a Kubernetes condition, not a state);
    # UnschedulablePods carries resourceId (the cluster OCID) and resourceDisplayName only.
    AlarmSpec("oke-node-not-ready", "oci_oke", "OKE worker nodes failing or inactive", "ERROR", "PT10M", "critical",
              "oke-node-health",
              lambda t, ids: (f'NodeState[5m]{{clusterId = "{ids["cluster_id"]}", '
                              f'nodeState =~ "FAILING|FAILED|INACTIVE"}}.max() > 0'),
              needs=("cluster_id",), requires="orchestration", per_dimension=True),
    AlarmSpec("oke-unschedulable-pods", "oci_oke", "Pods cannot be scheduled", "WARNING", "PT10M", "warning",
              "oke-node-health",
              lambda t, ids: f'UnschedulablePods[5m]{{resourceId = "{ids["cluster_id"]}"}}.max() > 0',
              needs=("cluster_id",), requires="orchestration"),
    AlarmSpec("database-cpu", "oci_autonomous_database", "Autonomous Database CPU high", "WARNING", "PT15M",
              "warning", "database-capacity",
              lambda t, ids: (f'CpuUtilization[5m]{{resourceId = "{ids["autonomous_database_id"]}"}}.mean() '
                              f'> {t.database_cpu_percent}'),
              needs=("autonomous_database_id",), requires="data"),
    AlarmSpec("database-storage", "oci_autonomous_database", "Autonomous Database storage filling", "ERROR",
              "PT30M", "critical", "database-capacity",
              lambda t, ids: (f'StorageUtilization[60m]{{resourceId = "{ids["autonomous_database_id"]}"}}.max() '
                              f'> {t.database_storage_percent}'),
              needs=("autonomous_database_id",), requires="data"),
    # Generative AI endpoints (https://docs.oracle.com/en-us/iaas/Content/generative-ai/metric-details.htm,
    # "Endpoint Metrics" and "Metrics for Custom Queries"; namespace oci_generativeai: generative-ai/create-query.htm)
    # publish InvocationLatency and ServerErrorCount per endpoint, but no page names the dimension that identifies
    # the endpoint (catalogue: policies/oci_metrics.yaml). A filter on a wrong dimension name filters nothing and
    # the alarm never fires, so these queries name no dimension: one alarm per metric over the stack's own
    # compartment (metric_compartment_id), notifications split per metric stream. OCI evaluates each stream (one
    # set of dimension values: one endpoint) of the query and, split, "a notification is sent for each firing
    # metric stream" (https://docs.oracle.com/iaas/Content/Monitoring/Tasks/update-alarm-split-messages.htm,
    # https://docs.cloud.oracle.com/iaas/Content/Monitoring/Tasks/create-alarm-split.htm); the message carries the
    # stream's dimensions, which name the endpoint. Every dedicated endpoint of the stack is watched, including one
    # added later. Trade-off: should on-demand calls also publish these metrics in the compartment (no page says
    # either way), their streams are watched too: a visible false alarm instead of a silent missed one.
    AlarmSpec("dedicated-cluster-latency", "oci_generativeai", "Dedicated AI endpoint saturated (latency)",
              "ERROR", "PT10M", "critical", "dedicated-cluster-saturation",
              lambda t, _: f"InvocationLatency[5m].percentile(0.95) > {t.dedicated_cluster_latency_p95_ms}",
              only_if="dedicated_endpoint", requires="model", per_dimension=True),
    AlarmSpec("dedicated-cluster-server-errors", "oci_generativeai", "Dedicated AI endpoint server errors",
              "ERROR", "PT5M", "critical", "dedicated-cluster-saturation",
              lambda t, _: "ServerErrorCount[5m].sum() > 0",
              only_if="dedicated_endpoint", requires="model", per_dimension=True),
)

#: Severity → which topics an alarm of that severity also copies (besides its own topic).
SEVERITY_COPIES: Mapping[str, tuple[str, ...]] = {
    "CRITICAL": ("info",), "ERROR": ("info",), "WARNING": (), "INFO": (),
}


def budget_rule_id(kind: str, percent: int) -> str:
    """Stable id of a budget rule (its display name); runbooks list these as detection sources."""
    return f"budget-{kind.lower()}-{percent}"


def runbook_link(base_url: str, runbook: str) -> str:
    return f"{base_url}{runbook}.md"


class OperationsPlaneArgs(TypedDict):
    """Inputs of the operations plane."""

    compartment_id: pulumi.Input[str]
    """Workload compartment: logs, alarms, topics, APM and the archive live here."""
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID: budgets live in the root compartment; the audit log is read from it."""
    environment: str
    """Environment name; part of every display name."""
    region: str
    """Region, for the Object Storage service principal that uses the archive key."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation (cost attribution on everything)."""
    log_retention_days: int
    """Retention of every log created here (30-180, steps of 30)."""
    audit_archive_days: int
    """Days the audit archive keeps objects (lifecycle delete after that)."""
    health_url: str
    """The published health endpoint the synthetic monitor probes."""
    vantage_points: Sequence[str]
    """Vantage points the synthetic monitor probes from."""
    thresholds: AlarmThresholds
    """Alarm thresholds (the operating model's SLOs unless the stack sets others)."""
    subscriptions: Mapping[str, Sequence[tuple[str, pulumi.Input[str]]]]
    """Per topic (critical, warning, info, cost): (protocol, endpoint) pairs; webhook endpoints are secrets."""
    budget_amount: int
    """Monthly budget of the workload compartment (whole currency units)."""
    budget_actual_percentages: Sequence[int]
    """Budget rules on ACTUAL spend, percent of the amount."""
    budget_forecast_percentages: Sequence[int]
    """Budget rules on FORECAST spend, percent of the amount."""
    budget_recipients: Sequence[str]
    """Email recipients of budget alerts (budget rules cannot target an ONS topic)."""
    archive_key_id: pulumi.Input[str] | None
    """Customer-managed key for the audit-archive bucket; None uses Oracle-managed keys."""
    archive_bucket_name: pulumi.Input[str] | None
    """An existing archive bucket (e.g. from the data plane); None creates 'audit-archive' here."""
    probe_interval_seconds: int
    """Seconds between synthetic probes."""
    apm_free_tier: bool
    """Free-tier APM domain."""
    runbook_base_url: str
    """Prefix of runbook links in alarm bodies."""
    protect_stateful: bool
    """Protect the archive bucket and APM domain from deletion."""
    api_gateway_id: pulumi.Input[str] | None
    """API gateway OCID (ingress plane): enables the gateway 5xx alarm; None: no such alarm."""
    api_deployment_id: pulumi.Input[str] | None
    """API deployment OCID (ingress plane): enables its access and execution logs; None: none."""
    gateway_logs_owned_elsewhere: bool
    """True when the ingress plane creates the deployment's logs itself."""
    cluster_id: pulumi.Input[str] | None
    """OKE cluster OCID (orchestration plane): node-health alarms and control-plane logs; None: none."""
    oke_logs_owned_elsewhere: bool
    """True when the orchestration plane creates the OKE service log itself."""
    autonomous_database_id: pulumi.Input[str] | None
    """Autonomous Database OCID (data plane): CPU and storage alarms; None: none."""
    dedicated_endpoint_ids: Sequence[pulumi.Input[str]]
    """Dedicated AI endpoint OCIDs (model plane): when any, the endpoint saturation alarms are created (they
    watch every endpoint of the compartment, so they name none)."""
    buckets: Sequence[pulumi.Input[str]]
    """Bucket names (data plane) whose Object Storage read/write service logs are created here."""


class OperationsPlane(pulumi.ComponentResource):
    """Logs, audit archive, APM, topics, SLO and infrastructure alarms, budget."""

    log_group_ids: dict[str, pulumi.Output[str]]
    """Log group OCID per plane (see LOG_GROUPS)."""
    router_log_id: pulumi.Output[str]
    """OCID of the router's custom log (the router's log shipper writes here)."""
    router_log_group_id: pulumi.Output[str]
    """OCID of the log group holding only the router's custom log."""
    apm_domain_id: pulumi.Output[str]
    """OCID of the APM domain (OTLP traces from the router go here)."""
    apm_data_upload_endpoint: pulumi.Output[str]
    """The APM domain's data upload endpoint (the router's OTLP exporter target)."""
    topic_ids: dict[str, pulumi.Output[str]]
    """Notification topic OCID per topic name (see TOPICS)."""
    alarm_ids: dict[str, pulumi.Output[str]]
    """Alarm OCID per alarm id (one alarm per id; the endpoint alarms watch every endpoint of the compartment)."""
    archive_bucket_name: pulumi.Output[str]
    """Name of the audit-archive bucket."""
    budget_id: pulumi.Output[str]
    """OCID of the workload compartment's budget."""

    def __init__(self, name: str, args: OperationsPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(OPERATIONS_TYPE, name, None, opts)
        env, comp, tags = args["environment"], args["compartment_id"], args["defined_tags"]
        retention = args["log_retention_days"]
        protect = args["protect_stateful"]
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=protect)
        base_url = args["runbook_base_url"]

        # -- logs ---------------------------------------------------------------------------
        # A plane's group exists only once a log goes to it (an empty group is evidence of nothing,
        # STK-008); the planes that keep their own logs (gateway, buckets) get none here.
        groups: dict[str, oci.logging.LogGroup] = {}

        def group(plane: str) -> oci.logging.LogGroup:
            if plane not in LOG_GROUPS:
                raise ValueError(f"no log group for plane '{plane}'")
            if plane not in groups:
                groups[plane] = oci.logging.LogGroup(
                    f"{name}-logs-{plane}",
                    compartment_id=comp,
                    display_name=f"genai-{env}-{plane}",
                    description=f"Logs of the {plane} plane",
                    defined_tags=tags,
                    opts=stateful,  # log groups hold audit evidence
                )
            return groups[plane]

        group("operations")  # the audit archive's source, always present
        # The router's request log has a group of its own: IAM scopes log-content grants by log group
        # only (target.loggroup.id, https://docs.oracle.com/en-us/iaas/Content/Identity/Reference/loggingpolicyreference.htm),
        # and the online evaluation job may read this log and nothing else (OKE control-plane logs
        # stay in the orchestration group).
        router_group = oci.logging.LogGroup(
            f"{name}-logs-router",
            compartment_id=comp,
            display_name=f"genai-{env}-router-requests",
            description="The inference router's request log (read back by the online evaluation job)",
            defined_tags=tags,
            opts=stateful,
        )
        self.router_log_group_id = router_group.id
        router_log = oci.logging.Log(
            f"{name}-log-router",
            display_name=f"genai-{env}-router",
            log_group_id=router_group.id,
            log_type="CUSTOM",
            is_enabled=True,
            retention_duration=retention,
            defined_tags=tags,
            opts=child,
        )
        self.router_log_id = router_log.id

        def service_log(key: str, plane: str, service: str, category: str, resource: pulumi.Input[str]) -> None:
            oci.logging.Log(
                f"{name}-log-{key}",
                display_name=f"genai-{env}-{key}",
                log_group_id=group(plane).id,
                log_type="SERVICE",
                is_enabled=True,
                retention_duration=retention,
                configuration=oci.logging.LogConfigurationArgs(
                    compartment_id=comp,
                    source=oci.logging.LogConfigurationSourceArgs(
                        category=category, resource=resource, service=service, source_type="OCISERVICE"),
                ),
                defined_tags=tags,
                opts=child,
            )

        deployment = args["api_deployment_id"]
        if deployment is not None and not args["gateway_logs_owned_elsewhere"]:
            for category in ("access", "execution"):
                service_log(f"gateway-{category}", "ingress", "apigateway", category, deployment)
        for i, bucket in enumerate(args["buckets"]):
            for category in ("read", "write"):
                service_log(f"bucket-{i}-{category}", "data", "objectstorage", category, bucket)
        cluster = args["cluster_id"]
        if cluster is not None and not args["oke_logs_owned_elsewhere"]:
            service_log("oke-control-plane", "orchestration", "oke-k8s-cp-prod", "all-service-logs", cluster)

        # -- audit archive: logs outlive OCI Logging's 180-day cap in Object Storage ------------
        lookup = pulumi.InvokeOutputOptions(parent=self)
        namespace = oci.objectstorage.get_namespace_output(compartment_id=comp, opts=lookup).namespace
        archive_name = args["archive_bucket_name"]
        grants_for_connector = statements(
            Subject.any_user(),
            # Create and overwrite archive objects only: never delete evidence (CIS 1.15).
            [Grant("manage", "objects",
                   "all {request.principal.type='serviceconnector', "
                   f"target.bucket.name='{archive_name or f'genai-{env}-audit-archive'}', "
                   "request.permission!='OBJECT_DELETE'}")],
            comp,
        )
        policy_statements = [grants_for_connector]
        archive_key = args["archive_key_id"]
        if archive_name is None and archive_key is not None:
            # Object Storage may use the archive's key only (core/tables/key_grants.yaml, row 'bucket').
            policy_statements.append(key_grant_statements([("bucket", archive_key)], args["region"], comp))
        archive_policy = oci.identity.Policy(
            f"{name}-audit-archive-policy",
            compartment_id=comp,
            name=f"genai-{env}-audit-archive",
            description="Service Connector Hub writes the audit archive; Object Storage uses its key",
            statements=pulumi.Output.all(*policy_statements).apply(lambda parts: [s for part in parts for s in part]),
            defined_tags=tags,
            opts=child,
        )
        # Grants first: the bucket uses its key, the connector writes objects.
        after_grants = pulumi.ResourceOptions(parent=self, depends_on=[archive_policy])


        if archive_name is None:
            key_id = args["archive_key_id"]
            bucket_res = oci.objectstorage.Bucket(
                f"{name}-audit-archive",
                compartment_id=comp,
                namespace=namespace,
                name=f"genai-{env}-audit-archive",
                access_type="NoPublicAccess",
                versioning="Enabled",
                object_events_enabled=True,
                storage_tier="Standard",
                kms_key_id=key_id,
                defined_tags=tags,
                opts=pulumi.ResourceOptions.merge(stateful, after_grants),
            )
            oci.objectstorage.ObjectLifecyclePolicy(
                f"{name}-audit-archive-lifecycle",
                bucket=bucket_res.name,
                namespace=namespace,
                rules=[
                    oci.objectstorage.ObjectLifecyclePolicyRuleArgs(
                        name="archive-after-30-days", action="ARCHIVE", is_enabled=True,
                        time_amount="30", time_unit="DAYS", target="objects"),
                    oci.objectstorage.ObjectLifecyclePolicyRuleArgs(
                        name="delete-after-retention", action="DELETE", is_enabled=True,
                        time_amount=str(args["audit_archive_days"]), time_unit="DAYS", target="objects"),
                    oci.objectstorage.ObjectLifecyclePolicyRuleArgs(
                        name="delete-old-versions", action="DELETE", is_enabled=True,
                        time_amount=str(args["audit_archive_days"]), time_unit="DAYS", target="previous-object-versions"),
                ],
                opts=child,
            )
            # Who wrote to the evidence bucket is itself evidence (CIS 4.17).
            service_log("audit-archive-write", "operations", "objectstorage", "write", bucket_res.name)
            archive: pulumi.Output[str] = bucket_res.name
        else:
            archive = pulumi.Output.from_input(archive_name)
        self.archive_bucket_name = archive
        oci.sch.Connector(
            f"{name}-audit-archive-connector",
            compartment_id=comp,
            display_name=f"genai-{env}-audit-archive",
            description="Audit log and operations logs to the audit-archive bucket (beyond Logging's 180 days)",
            source=oci.sch.ConnectorSourceArgs(
                kind="logging",
                log_sources=[
                    # The audit log of the workload compartment lives in the special _Audit group.
                    oci.sch.ConnectorSourceLogSourceArgs(compartment_id=comp, log_group_id="_Audit"),
                    oci.sch.ConnectorSourceLogSourceArgs(compartment_id=comp, log_group_id=group("operations").id),
                ],
            ),
            target=oci.sch.ConnectorTargetArgs(
                kind="objectStorage", bucket=archive, namespace=namespace, object_name_prefix="audit/",
                batch_rollover_size_in_mbs=100, batch_rollover_time_in_ms=420000,
            ),
            state="ACTIVE",
            defined_tags=tags,
            opts=after_grants,
        )
        # -- APM and the synthetic probe -------------------------------------------------------
        apm = oci.apm.ApmDomain(
            f"{name}-apm",
            compartment_id=comp,
            display_name=f"genai-{env}-apm",
            description="Traces from the router (OTLP) and synthetic probes of the health endpoint",
            is_free_tier=args["apm_free_tier"],
            defined_tags=tags,
            opts=stateful,
        )
        self.apm_domain_id = apm.id
        self.apm_data_upload_endpoint = apm.data_upload_endpoint
        # A vantage point is Oracle's public one or one of ours (core/apm.py): an on-premise vantage
        # point registered in this APM domain, whose workers run inside the network and so reach a
        # private API. The workers are installed out of band (core/tables/prerequisites.yaml).
        own_points = [
            oci.apmsynthetics.OnPremiseVantagePoint(
                f"{name}-vantage-point-{i}",
                apm_domain_id=apm.id,
                name=vp,
                type=ON_PREMISE_VANTAGE_POINT,
                description="Probes the platform's private health endpoint from inside the network",
                defined_tags=tags,
                opts=child,
            )
            for i, vp in enumerate(args["vantage_points"]) if not is_public_vantage_point(vp)
        ]
        interval = args["probe_interval_seconds"]
        probe = oci.apmsynthetics.Config(
            f"{name}-probe-health",
            apm_domain_id=apm.id,
            display_name=f"genai-{env}-health",
            monitor_type="REST",
            target=args["health_url"],
            repeat_interval_in_seconds=interval,
            # OCI refuses a retried monitor whose timeout exceeds 30% of its interval (core.apm).
            timeout_in_seconds=probe_timeout(interval, failure_retried=True),
            status="ENABLED",
            is_run_once=False,
            vantage_points=[oci.apmsynthetics.ConfigVantagePointArgs(name=vp) for vp in args["vantage_points"]],
            configuration=oci.apmsynthetics.ConfigConfigurationArgs(
                config_type="REST_CONFIG",
                request_method="GET",
                verify_response_codes=["200"],
                is_redirection_enabled=False,
                is_certificate_validation_enabled=True,
                is_failure_retried=True,
            ),
            defined_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=own_points),
        )

        # -- topics and subscriptions ----------------------------------------------------------
        topics: dict[str, oci.ons.NotificationTopic] = {}
        for topic, description in TOPICS.items():
            topics[topic] = oci.ons.NotificationTopic(
                f"{name}-topic-{topic}",
                compartment_id=comp,
                name=f"genai-{env}-{topic}",
                description=description,
                defined_tags=tags,
                opts=child,
            )
            for i, (protocol, endpoint) in enumerate(args["subscriptions"].get(topic, ())):
                oci.ons.Subscription(
                    f"{name}-sub-{topic}-{protocol.lower()}-{i}",
                    compartment_id=comp,
                    topic_id=topics[topic].id,
                    protocol=protocol,
                    endpoint=endpoint if protocol == "EMAIL" else pulumi.Output.secret(endpoint),
                    defined_tags=tags,
                    opts=child,
                )
        self.topic_ids = {topic: t.id for topic, t in topics.items()}

        # -- alarms ----------------------------------------------------------------------------
        available: dict[str, pulumi.Input[str]] = {"synthetic_monitor_id": probe.id}
        for key in ("api_gateway_id", "cluster_id", "autonomous_database_id"):
            value = args[key]
            if value is not None:
                available[key] = value
        present = {"dedicated_endpoint"} if args["dedicated_endpoint_ids"] else set()
        self.alarm_ids = {}
        thresholds = args["thresholds"]
        for spec in ALARMS:
            if any(n not in available for n in spec.needs) or (spec.only_if and spec.only_if not in present):
                continue
            ids = {n: available[n] for n in spec.needs}
            self.alarm_ids[spec.id] = self._alarm(f"{name}-alarm-{spec.id}", spec, ids, args, topics, thresholds,
                                                  base_url)

        # -- budget ----------------------------------------------------------------------------
        budget = oci.budget.Budget(
            f"{name}-budget",
            compartment_id=args["tenancy_id"],  # budgets live in the root compartment
            target_type="COMPARTMENT",
            targets=[comp],
            amount=args["budget_amount"],
            reset_period="MONTHLY",
            processing_period_type="MONTH",
            display_name=f"genai-{env}-monthly",
            description=f"Monthly spend of the genai-platform {env} compartment",
            defined_tags=tags,
            opts=child,
        )
        self.budget_id = budget.id
        recipients = ",".join(args["budget_recipients"])
        for kind, percentages in (("ACTUAL", args["budget_actual_percentages"]),
                                  ("FORECAST", args["budget_forecast_percentages"])):
            for percent in percentages:
                rule_id = budget_rule_id(kind, percent)
                oci.budget.Rule(
                    f"{name}-{rule_id}",
                    budget_id=budget.id,
                    type=kind,
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                    display_name=rule_id,
                    description=f"{kind.lower()} spend at {percent}% of the monthly budget",
                    recipients=recipients,
                    message=(f"genai-{env}: {kind.lower()} spend reached {percent}% of the monthly budget. "
                             f"runbook: budget-threshold {runbook_link(base_url, 'budget-threshold')}"),
                    defined_tags=tags,
                    opts=child,
                )

        self.log_group_ids = {plane: g.id for plane, g in groups.items()}
        self.register_outputs({
            "logGroupIds": self.log_group_ids,
            "routerLogId": self.router_log_id,
            "routerLogGroupId": self.router_log_group_id,
            "apmDomainId": self.apm_domain_id,
            "topicIds": self.topic_ids,
            "alarmIds": self.alarm_ids,
            "archiveBucketName": self.archive_bucket_name,
            "budgetId": self.budget_id,
        })

    def _alarm(self, resource_name: str, spec: AlarmSpec, ids: Mapping[str, pulumi.Input[str]],
               args: OperationsPlaneArgs, topics: Mapping[str, oci.ons.NotificationTopic],
               thresholds: AlarmThresholds, base_url: str) -> pulumi.Output[str]:
        env = args["environment"]
        keys = list(ids)
        query = pulumi.Output.all(*[ids[k] for k in keys]).apply(
            lambda values: spec.query(thresholds, dict(zip(keys, values, strict=True))))
        destinations = [topics[spec.topic].id] + [topics[t].id for t in SEVERITY_COPIES[spec.severity]
                                                  if t != spec.topic]
        link = runbook_link(base_url, spec.runbook)
        alarm = oci.monitoring.Alarm(
            resource_name,
            compartment_id=args["compartment_id"],
            metric_compartment_id=args["compartment_id"],
            display_name=f"genai-{env}-{spec.id}",
            namespace=spec.namespace,
            query=query,
            severity=spec.severity,
            pending_duration=spec.pending,
            resolution="1m",
            is_enabled=True,
            destinations=destinations,
            message_format="ONS_OPTIMIZED",
            is_notifications_per_metric_dimension_enabled=spec.per_dimension,
            repeat_notification_duration="PT2H" if spec.severity in ("CRITICAL", "ERROR") else None,
            alarm_summary=f"[{spec.severity}] genai-{env}: {spec.title}. runbook: {spec.runbook}",
            body=(f"{spec.title} ({spec.namespace}).\n"
                  f"alarm-id: {spec.id}\n"
                  f"runbook: {spec.runbook}\n"
                  f"Runbook: {link}"),
            freeform_tags={"alarm-id": spec.id, "runbook": spec.runbook},
            defined_tags=args["defined_tags"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        return alarm.id
