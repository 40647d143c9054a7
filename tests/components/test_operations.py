"""Operations plane: what prod and dev plan, and what appears once other planes hand in their ids.

``wired`` plans tests/components/wired_operations/__main__.py: the prod platform plus an operations
plane given fake ids of every monitored resource (and one that leaves gateway/OKE logs to their
planes), so every alarm type and every service log is exercised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from blueprint import engine
from blueprint.alarms import ALARM_TYPE, alarm_rows
from blueprint.graph import Graph, Node
from blueprint.stackconfig import load_stack_config
from components.mql import parse
from components.operations import ALARMS, LOG_GROUPS
from core.markers import SECRET_MARKER
from core.topics import TOPICS
from tests.conftest import ROOT, plan_variant

pytestmark = pytest.mark.integration

WIRED_DIR = Path(__file__).parent / "wired_operations"
LOG = "oci:Logging/log:Log"
SEVERITIES = {"CRITICAL", "ERROR", "WARNING", "INFO"}
ISO_DURATION = re.compile(r"^PT([0-9]+H)?([0-9]+M)?$")
TAG_KEYS = {"classification", "cost-center", "environment", "owner"}


@pytest.fixture(scope="module")
def prod(planned: Callable[[str], Graph]) -> Graph:
    return planned("prod")


@pytest.fixture(scope="module")
def dev(planned: Callable[[str], Graph]) -> Graph:
    return planned("dev")


@pytest.fixture(scope="module")
def wired() -> Graph:
    return engine.plan("prod", WIRED_DIR, config=load_stack_config(ROOT, "prod")).graph


def ops_nodes(graph: Graph, component: str, type_token: str | None = None) -> list[Node]:
    marker = f"::{component}-"
    return [n for n in graph.resources() if marker in n.urn and (type_token is None or n.type == type_token)]


def alarm_ids(graph: Graph, component: str) -> list[str]:
    return [n.inputs["freeformTags"]["alarm-id"] for n in ops_nodes(graph, component, ALARM_TYPE)]


# -- which alarms exist -------------------------------------------------------------------------

def test_prod_creates_every_slo_alarm_and_infra_alarms_only_for_wired_planes(prod: Graph) -> None:
    wired = {n.plane for n in prod.nodes if not n.custom}  # planes whose components exist in prod
    expected = sorted(a.id for a in ALARMS if a.requires is None or a.requires in wired)
    planned = alarm_ids(prod, "prod-operations")
    assert sorted(set(planned)) == expected
    # One of each, the endpoint alarms too (prod has three dedicated endpoints: one alarm watches them all).
    assert all(planned.count(a) == 1 for a in expected)
    assert all(a.requires is not None and a.requires not in wired for a in ALARMS if a.id not in expected)


def test_wired_ids_create_every_alarm_type_once(wired: Graph) -> None:
    ids = alarm_ids(wired, "wired-operations")
    assert set(ids) == {a.id for a in ALARMS}
    assert ids.count("dedicated-cluster-latency") == 1 and ids.count("dedicated-cluster-server-errors") == 1
    assert ids.count("gateway-5xx") == 1


def test_infra_alarm_queries_target_the_handed_in_ids(wired: Graph) -> None:
    by_id: dict[str, list[str]] = {}
    for n in ops_nodes(wired, "wired-operations", ALARM_TYPE):
        by_id.setdefault(n.inputs["freeformTags"]["alarm-id"], []).append(n.inputs["query"])
    assert "fakegateway" in by_id["gateway-5xx"][0] and 'httpStatusCategory = "5xx"' in by_id["gateway-5xx"][0]
    assert all("fakecluster" in q for q in by_id["oke-node-not-ready"] + by_id["oke-unschedulable-pods"])
    assert all("fakeadb" in q for q in by_id["database-cpu"] + by_id["database-storage"])
    # The endpoint alarms name no endpoint: their dimension is read on no page (components/operations.py).
    for alarm in ("dedicated-cluster-latency", "dedicated-cluster-server-errors"):
        assert "fakeendpoint" not in by_id[alarm][0] and "{" not in by_id[alarm][0]


def test_prod_endpoint_alarms_watch_every_stream_of_the_stack_compartment(prod: Graph) -> None:
    """No dimension filter, split per metric stream, over the compartment that holds the endpoints; no
    dependency on one endpoint or cluster (an alarm watches all of them, and one added later)."""
    endpoints = prod.by_type("oci:GenerativeAi/endpoint:Endpoint")
    assert len(endpoints) == 3
    (compartment,) = {n.inputs["compartmentId"] for n in endpoints}
    alarms = [n for n in ops_nodes(prod, "prod-operations", ALARM_TYPE)
              if n.inputs["freeformTags"]["alarm-id"].startswith("dedicated-cluster-")]
    assert len(alarms) == 2
    genai = {n.urn for n in endpoints} | {
        n.urn for n in prod.by_type("oci:GenerativeAi/dedicatedAiCluster:DedicatedAiCluster")}
    for alarm in alarms:
        assert alarm.inputs["namespace"] == "oci_generativeai"
        assert "{" not in alarm.inputs["query"] and "groupBy" not in alarm.inputs["query"], alarm.name
        assert alarm.inputs["isNotificationsPerMetricDimensionEnabled"] is True, alarm.name
        assert alarm.inputs["metricCompartmentId"] == compartment, alarm.name
        assert not set(alarm.propertyDependencies.get("query", [])) & genai, alarm.name


def test_dev_without_dedicated_endpoints_has_no_endpoint_alarms(dev: Graph) -> None:
    assert not dev.by_type("oci:GenerativeAi/endpoint:Endpoint")
    assert not [a for a in alarm_ids(dev, "dev-operations") if a.startswith("dedicated-cluster-")]


# -- every alarm is well formed -----------------------------------------------------------------

@pytest.mark.parametrize("graph_name, component", [("prod", "prod-operations"), ("wired", "wired-operations"),
                                                   ("dev", "dev-operations")])
def test_every_alarm_is_complete(graph_name: str, component: str, request: pytest.FixtureRequest) -> None:
    graph: Graph = request.getfixturevalue(graph_name)
    topic_nodes = ops_nodes(graph, component, "oci:Ons/notificationTopic:NotificationTopic")
    topics = {n.name.rsplit("-topic-", 1)[1]: n.urn for n in topic_nodes}
    specs = {a.id: a for a in ALARMS}
    nodes = ops_nodes(graph, component, ALARM_TYPE)
    assert nodes
    for node in nodes:
        i = node.inputs
        spec = specs[i["freeformTags"]["alarm-id"]]
        query = parse(i["query"])  # raises on malformed MQL
        assert i["namespace"] == spec.namespace, node.name
        assert i["severity"] in SEVERITIES and i["severity"] == spec.severity
        assert ISO_DURATION.fullmatch(i["pendingDuration"]), node.name
        assert i["destinations"], node.name
        assert topics[spec.topic] in node.propertyDependencies["destinations"], node.name
        assert f"runbook: {spec.runbook}\n" in i["body"] and f"runbooks/{spec.runbook}.md" in i["body"]
        assert i["displayName"].endswith(spec.id)
        assert i["isNotificationsPerMetricDimensionEnabled"] is spec.per_dimension
        assert i["metricCompartmentId"] == i["compartmentId"]
        assert query.conditions


def test_slo_thresholds_are_the_operating_model_numbers(prod: Graph) -> None:
    q = {r.alarm_id: r.query for r in alarm_rows(prod)}
    assert q["slo-availability-fast-burn"] == "error_ratio[60m].mean() > 0.0144"
    assert q["slo-availability-slow-burn"] == "error_ratio[60m].mean() > 0.006"
    assert q["slo-latency-p95"] == "latency_ms[5m].percentile(0.95) > 8000"
    assert q["slo-quality-groundedness"] == "groundedness[60m].mean() < 0.85"
    assert q["slo-cost-per-query"] == "cost_per_query_usd[60m].mean() > 0.1"
    assert q["slo-safety-harmful-output"] == "harmful_outputs[5m].sum() > 0"


def test_thresholds_follow_config() -> None:
    graph = plan_variant("dev", {"genai-platform:operations": {"thresholds": {
        "availabilityTarget": 0.99, "fastBurnRate": 10, "latencyP95Ms": 6000, "costPerQueryMaxUsd": 0.05}}},
        name="dev-thresholds")
    q = {r.alarm_id: r.query for r in alarm_rows(graph)}
    assert q["slo-availability-fast-burn"] == "error_ratio[60m].mean() > 0.1"
    assert q["slo-latency-p95"].endswith("> 6000")
    assert q["slo-cost-per-query"].endswith("> 0.05")


# -- topics and subscriptions -------------------------------------------------------------------

def subscriptions(graph: Graph, component: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for n in ops_nodes(graph, component, "oci:Ons/subscription:Subscription"):
        topic = n.name.split("-sub-", 1)[1].split("-", 1)[0]
        out.setdefault(topic, []).append((n.inputs["protocol"], n.inputs["endpoint"]))
    return out


def test_topics_per_severity(prod: Graph) -> None:
    names = sorted(n.inputs["name"] for n in ops_nodes(prod, "prod-operations", "oci:Ons/notificationTopic:NotificationTopic"))
    assert names == sorted(f"genai-prod-{t}" for t in TOPICS)


def test_prod_subscriptions_come_from_config_and_webhooks_are_secret(prod: Graph) -> None:
    subs = subscriptions(prod, "prod-operations")
    assert sorted(subs["critical"]) == [("EMAIL", "genai-oncall@example.com"), ("PAGERDUTY", SECRET_MARKER)]
    assert sorted(subs["warning"]) == [("EMAIL", "genai-oncall@example.com"), ("SLACK", SECRET_MARKER)]
    assert subs["cost"] == [("EMAIL", "genai-finops@example.com")]


def test_dev_has_no_pagerduty(dev: Graph) -> None:
    subs = subscriptions(dev, "dev-operations")
    assert all(p != "PAGERDUTY" for pairs in subs.values() for p, _ in pairs)
    assert subs["critical"] == [("EMAIL", "genai-dev-oncall@example.com")]


def test_https_subscriptions_use_custom_https() -> None:
    graph = plan_variant("dev", {"genai-platform:operations": {"notifications": {"info": {
        "httpsUrls": ["https://hooks.example.com/x"]}}}}, name="dev-https")
    assert ("CUSTOM_HTTPS", SECRET_MARKER) in subscriptions(graph, "dev-operations")["info"]


# -- budget -------------------------------------------------------------------------------------

def test_budget_and_rules(prod: Graph, dev: Graph) -> None:
    for graph, env, amount in ((prod, "prod", 110000.0), (dev, "dev", 2000.0)):
        (budget,) = ops_nodes(graph, f"{env}-operations", "oci:Budget/budget:Budget")
        assert budget.inputs["amount"] == amount and budget.inputs["resetPeriod"] == "MONTHLY"
        assert budget.inputs["compartmentId"].startswith("ocid1.tenancy.")
        assert budget.inputs["targetType"] == "COMPARTMENT" and len(budget.inputs["targets"]) == 1
        rules = {(r.inputs["type"], r.inputs["threshold"]) for r in ops_nodes(graph, f"{env}-operations", "oci:Budget/rule:Rule")}
        assert rules == {("ACTUAL", 50.0), ("ACTUAL", 75.0), ("ACTUAL", 90.0), ("ACTUAL", 100.0), ("FORECAST", 100.0)}
    for rule in ops_nodes(prod, "prod-operations", "oci:Budget/rule:Rule"):
        assert rule.inputs["thresholdType"] == "PERCENTAGE"
        assert rule.inputs["recipients"] == "genai-finops@example.com,genai-platform-team@example.com"
        assert "runbook: budget-threshold" in rule.inputs["message"]


def test_extra_budget_percentages_add_rules() -> None:
    graph = plan_variant("dev", {"genai-platform:operations": {"budget": {"actualPercentages": [25, 50, 75, 90, 100, 120]}}},
                         name="dev-budget")
    rules = {r.inputs["displayName"] for r in ops_nodes(graph, "dev-operations", "oci:Budget/rule:Rule")}
    assert {"budget-actual-25", "budget-actual-120", "budget-forecast-100"} <= rules and len(rules) == 7


# -- logs and archive ---------------------------------------------------------------------------

def test_log_groups_and_router_log(prod: Graph) -> None:
    groups = sorted(n.inputs["displayName"] for n in ops_nodes(prod, "prod-operations", "oci:Logging/logGroup:LogGroup"))
    # A group only for planes whose logs land here (the gateway and buckets keep their own), and one
    # holding the router's request log alone (the scope of the online job's read grant). No empty group.
    assert groups == sorted(["genai-prod-operations", "genai-prod-orchestration", "genai-prod-router-requests"])
    assert all(p in LOG_GROUPS for p in ("operations", "orchestration"))
    held = {n.inputs["logGroupId"] for n in ops_nodes(prod, "prod-operations", LOG)}
    assert len(held) == len(groups)
    logs = ops_nodes(prod, "prod-operations", LOG)
    assert [(n.inputs["logType"], n.inputs["retentionDuration"]) for n in logs if n.inputs["logType"] == "CUSTOM"] \
        == [("CUSTOM", 90.0)]
    assert all(n.inputs["retentionDuration"] == 90.0 for n in logs)


def test_service_logs_only_for_handed_in_ids_and_not_when_owned_elsewhere(wired: Graph) -> None:
    def sources(component: str) -> set[tuple[str, str]]:
        return {(n.inputs["configuration"]["source"]["service"], n.inputs["configuration"]["source"]["category"])
                for n in ops_nodes(wired, component, LOG) if n.inputs["logType"] == "SERVICE"}

    assert sources("wired-operations") == {("apigateway", "access"), ("apigateway", "execution"),
                                           ("objectstorage", "read"), ("objectstorage", "write"),
                                           ("oke-k8s-cp-prod", "all-service-logs")}
    assert sources("owned-operations") == {("objectstorage", "read"), ("objectstorage", "write")}
    assert all(n.inputs["retentionDuration"] == 90.0 for n in ops_nodes(wired, "wired-operations", LOG))


def test_audit_archive_bucket(prod: Graph, dev: Graph) -> None:
    for graph, env, days, cmk in ((prod, "prod", 2555.0, True), (dev, "dev", 365.0, False)):
        (bucket,) = ops_nodes(graph, f"{env}-operations", "oci:ObjectStorage/bucket:Bucket")
        assert bucket.inputs["accessType"] == "NoPublicAccess" and bucket.inputs["versioning"] == "Enabled"
        assert ("kmsKeyId" in bucket.inputs) is cmk
        assert bucket.protect is (env == "prod")
        (lifecycle,) = ops_nodes(graph, f"{env}-operations", "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy")
        deletes = [r for r in lifecycle.inputs["rules"] if r["action"] == "DELETE"]
        assert {r["target"] for r in deletes} == {"objects", "previous-object-versions"}
        assert all(float(r["timeAmount"]) == days for r in deletes)
        (connector,) = ops_nodes(graph, f"{env}-operations", "oci:Sch/connector:Connector")
        assert connector.inputs["target"]["kind"] == "objectStorage"
        assert connector.inputs["target"]["bucket"] == bucket.inputs["name"]
        assert {s["logGroupId"] for s in connector.inputs["source"]["logSources"]} >= {"_Audit"}


def test_archive_policy_is_scoped(prod: Graph) -> None:
    (policy,) = ops_nodes(prod, "prod-operations", "oci:Identity/policy:Policy")
    statements = policy.inputs["statements"]
    assert any("request.principal.type='serviceconnector'" in s and "manage objects" in s for s in statements)
    assert any(s.startswith("Allow service objectstorage-eu-frankfurt-1 to use keys") for s in statements)
    assert all(" in compartment id ocid1.compartment." in s for s in statements)


# -- APM ----------------------------------------------------------------------------------------

def test_apm_domain_and_synthetic_probe(prod: Graph, dev: Graph) -> None:
    for graph, env, url, vps, interval, free in (
        (prod, "prod", "https://genai.internal.example.com/health",
         ["genai-prod-vp-fra-ad1", "genai-prod-vp-fra-ad2"], 60.0, False),
        (dev, "dev", "https://genai-dev.internal.example.com/health", ["genai-dev-vp-fra"], 600.0, True),
    ):
        (domain,) = ops_nodes(graph, f"{env}-operations", "oci:Apm/apmDomain:ApmDomain")
        assert domain.inputs["isFreeTier"] is free
        (probe,) = ops_nodes(graph, f"{env}-operations", "oci:ApmSynthetics/config:Config")
        assert probe.inputs["monitorType"] == "REST" and probe.inputs["target"] == url
        assert [v["name"] for v in probe.inputs["vantagePoints"]] == vps
        assert probe.inputs["repeatIntervalInSeconds"] == interval
        assert probe.inputs["configuration"]["verifyResponseCodes"] == ["200"]
        # Issue 10, defect 6: the private API is probed from vantage points registered in this APM
        # domain (on-premise, workers in the VCN), created before the monitor names them.
        points = ops_nodes(graph, f"{env}-operations", "oci:ApmSynthetics/onPremiseVantagePoint:OnPremiseVantagePoint")
        assert sorted(p.inputs["name"] for p in points) == sorted(vps)
        assert all(p.inputs["type"] == "ON_PREMISE_DOCKER_VANTAGE_POINT" for p in points)
        assert all(domain.urn in p.propertyDependencies["apmDomainId"] and p.urn in probe.dependencies for p in points)


def test_public_vantage_points_are_oracles_and_not_created() -> None:
    from blueprint.stackconfig import load_stack_config, with_overrides
    from core.apm import is_public_vantage_point

    assert is_public_vantage_point("OraclePublic-eu-frankfurt-1") and not is_public_vantage_point("genai-dev-vp-fra")
    cfg = with_overrides(load_stack_config(ROOT, "dev"), {"genai-platform:operations": {"apm": {
        "vantagePoints": ["OraclePublic-eu-frankfurt-1", "genai-dev-vp-fra"]}}}, stack="dev-vp")
    graph = engine.plan(cfg.stack, ROOT, config=cfg).graph
    points = graph.by_type("oci:ApmSynthetics/onPremiseVantagePoint:OnPremiseVantagePoint")
    assert [p.inputs["name"] for p in points] == ["genai-dev-vp-fra"]


# -- cost attribution ---------------------------------------------------------------------------

def accepts_defined_tags(type_token: str) -> bool:
    """Whether the pulumi-oci class behind a type token has a defined_tags input."""
    import inspect

    import pulumi_oci

    module, cls = type_token.split(":")[1].split("/")[0].lower(), type_token.rsplit(":", 1)[1]
    init = getattr(getattr(pulumi_oci, module), cls)._internal_init
    return "defined_tags" in inspect.signature(init).parameters


def test_every_taggable_operations_resource_carries_the_four_tags(wired: Graph) -> None:
    nodes = ops_nodes(wired, "wired-operations")
    taggable = {t: accepts_defined_tags(t) for t in {n.type for n in nodes}}
    assert taggable["oci:Monitoring/alarm:Alarm"] and not taggable[
        "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy"]
    for node in nodes:
        if not taggable[node.type]:
            continue
        tags = node.inputs.get("definedTags")
        assert tags, f"{node.type} {node.name} lacks defined tags"
        assert {k.split(".", 1)[1] for k in tags} == TAG_KEYS


def test_archive_key_is_granted_before_the_archive_bucket(planned) -> None:
    """Issue 10, defect 1: Object Storage may use the archive key (that key only) before the bucket exists."""
    graph = planned("prod")
    (policy,) = [p for p in graph.by_type("oci:Identity/policy:Policy") if p.inputs["name"].endswith("-audit-archive")]
    (bucket,) = [b for b in graph.by_type("oci:ObjectStorage/bucket:Bucket") if b.name.endswith("-audit-archive")]
    assert policy.urn in bucket.dependencies
    assert any(s.startswith("Allow service objectstorage-") and f"target.key.id='{bucket.inputs['kmsKeyId']}'" in s
               for s in policy.inputs["statements"])
