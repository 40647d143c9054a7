"""The online evaluation CronJob in the planned graphs: the router's image, identity and hardening,
a config the job can run with, network paths to the router and to OCI only, and metrics that are
what the quality alarm queries."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components import mql
from components.online_eval import APP, COMMAND
from components.router_workload import APP as ROUTER_APP
from core.buckets import SAMPLE_BUCKET_ROLE
from evals import contract, online
from prompts import registry
from tests.components.tiers import tier_graph
from tests.edge_helpers import inputs_of, raw_config

CRONJOB = "kubernetes:batch/v1:CronJob"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _by_name(graph: Any, token: str, name: str) -> dict[str, Any]:
    (found,) = [i for i in inputs_of(graph, token) if i["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cronjob_runs_the_router_image_hardened_like_the_router(planned, stack: str) -> None:
    graph = planned(stack)
    job = _by_name(graph, CRONJOB, APP)
    router = _by_name(graph, DEPLOYMENT, ROUTER_APP)
    pod, rpod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"], router["spec"]["template"]["spec"]
    (c,), rc = pod["containers"], rpod["containers"][0]
    assert job["metadata"]["namespace"] == router["metadata"]["namespace"]
    # Its own service account (own workload identity), in the router's namespace; the token is mounted.
    assert pod["serviceAccountName"] == APP != rpod["serviceAccountName"] and pod["automountServiceAccountToken"] is True
    account = _by_name(graph, "kubernetes:core/v1:ServiceAccount", APP)
    assert account["metadata"]["namespace"] == job["metadata"]["namespace"]
    assert c["image"] == rc["image"] and c["command"] == COMMAND
    # Hardened exactly like the router: same container and pod security contexts.
    assert c["securityContext"] == rc["securityContext"]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True and c["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"] == rpod["securityContext"]
    assert set(c["resources"]["limits"]) == {"cpu", "memory"} and set(c["resources"]["requests"]) == {"cpu", "memory"}
    identity = [e for e in rc["env"] if e["name"].startswith("OCI_")]
    assert [e for e in c["env"] if e["name"].startswith("OCI_")] == identity
    assert pod["restartPolicy"] == "Never" and job["spec"]["concurrencyPolicy"] == "Forbid"
    assert job["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_job_config_follows_the_stack(planned, stack: str) -> None:
    graph = planned(stack)
    raw, _ = raw_config(stack)
    cfg_map = _by_name(graph, "kubernetes:core/v1:ConfigMap", f"{APP}-config")
    cfg = yaml.safe_load(cfg_map["data"]["config.yaml"])
    assert set(online.REQUIRED) <= set(cfg)
    router = _by_name(graph, DEPLOYMENT, ROUTER_APP)
    port = router["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
    assert cfg["router_url"] == f"http://{ROUTER_APP}.{router['metadata']['namespace']}.svc.cluster.local:{port:g}"
    assert cfg["use_cases"] == sorted(registry.use_cases())
    assert cfg["sample_size"] == raw["evaluation"]["online"]["sampleSize"]
    job = _by_name(graph, CRONJOB, APP)
    assert job["spec"]["schedule"] == raw["evaluation"]["online"]["schedule"]
    (c,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert {"name": online.CONFIG_ENV, "value": "/etc/genai-eval/config.yaml"} in c["env"]


def test_network_paths_router_and_oci_only(planned) -> None:
    graph = planned("prod")
    egress = _by_name(graph, POLICY, "online-eval-egress")["spec"]
    assert egress["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": APP}}
    ports = sorted((p["protocol"], p["port"]) for rule in egress["egress"] for p in rule["ports"])
    assert ports == [("TCP", 53.0), ("TCP", 443.0), ("TCP", 4000.0), ("UDP", 53.0)]
    ingress = _by_name(graph, POLICY, "router-from-online-eval")["spec"]
    assert ingress["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": ROUTER_APP}}
    assert ingress["ingress"][0]["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": APP}}}]


def test_disabled_online_evaluation_plans_no_cronjob() -> None:
    from tests.conftest import plan_variant

    graph = plan_variant("dev", {"genai-platform:evaluation": {"online": {"enabled": False}}})
    assert not inputs_of(graph, CRONJOB)
    # Nothing would read samples, so none are kept: no bucket, no router grant, no pod env, no rate.
    assert not [n for n in graph.by_type("oci:ObjectStorage/bucket:Bucket")
                if n.inputs["name"].endswith(f"-{SAMPLE_BUCKET_ROLE}")]
    assert not [n for n in graph.by_type("oci:Identity/policy:Policy") if n.name.endswith("-sample-put")]
    (router,) = inputs_of(graph, DEPLOYMENT)
    env = {e["name"] for e in router["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "GENAI_ROUTER_SAMPLE_BUCKET" not in env and "GENAI_ROUTER_SAMPLE_NAMESPACE" not in env
    config = [c for c in inputs_of(graph, "kubernetes:core/v1:ConfigMap") if c["metadata"]["name"] == "genai-router-config"]
    assert config and all("traffic_sample" not in str(c["data"]) for c in config)


def test_metrics_match_the_planned_quality_alarm(planned) -> None:
    graph = planned("prod")
    alarms = [i for i in inputs_of(graph, "oci:Monitoring/alarm:Alarm") if i["namespace"] == contract.QUALITY_NS]
    assert alarms, "prod has no alarm on genai_quality"
    for alarm in alarms:
        for cond in mql.parse(alarm["query"]).conditions:
            assert cond.metric in contract.BY_NAME
            assert {f.dimension for f in cond.filters} | set(cond.group_by or ()) <= set(contract.DIMENSIONS)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_agent_instructions_are_the_pinned_ops_agent_prompt(planned, stack: str) -> None:
    raw, _ = raw_config(stack)
    pinned = registry.get("ops-agent", raw["evaluation"]["prompts"]["ops-agent"]["version"])
    (agent,) = inputs_of(planned(stack), "oci:GenerativeAi/agentAgent:AgentAgent")
    assert agent["llmConfig"]["routingLlmCustomization"]["instruction"] == pinned.system


def _graph(planned: Any, variant: str) -> Any:
    return planned(variant) if variant in ("dev", "prod") else tier_graph(variant.removeprefix("prod-"))


@pytest.mark.parametrize(("variant", "reads"), [("dev", "samples"), ("prod", "samples"), ("prod-public", "log"),
                                                ("prod-restricted", None)])
def test_job_reads_recent_traffic_where_the_tier_keeps_it_and_nothing_else(planned, variant: str,
                                                                            reads: str | None) -> None:
    """Where the tier's trafficSample store is the request log (public: prompts logged in full), the job is
    told the router's log and may read that log group only (log-content grants take target.loggroup.id
    only: https://docs.oracle.com/en-us/iaas/Content/Identity/Reference/loggingpolicyreference.htm).
    Where it is a sample bucket (dev: internal; prod: confidential), the job is told the bucket and may
    list and read its objects only, and no longer reads the log (it has no prompt text there). Where it
    is none (restricted), the job reads neither."""
    graph = _graph(planned, variant)
    stack = "dev" if variant == "dev" else "prod"
    cfg = yaml.safe_load(_by_name(graph, "kubernetes:core/v1:ConfigMap", f"{APP}-config")["data"]["config.yaml"])
    (operations,) = [n for n in graph.nodes if n.type == "genai:index:OperationsPlane"]
    (data,) = [n for n in graph.nodes if n.type == "genai:index:DataPlane"]
    assert operations.outputs is not None and data.outputs is not None
    group = operations.outputs["routerLogGroupId"]
    in_group = [n for n in graph.by_type("oci:Logging/log:Log") if n.inputs["logGroupId"] == group]
    assert [(n.name.rsplit("-", 2)[-2:], n.inputs["logType"]) for n in in_group] == [(["log", "router"], "CUSTOM")]
    bucket = f"genai-{stack}-{SAMPLE_BUCKET_ROLE}"
    if reads == "log":
        assert cfg["router_log_id"] == operations.outputs["routerLogId"] == graph.outputs["routerLogId"]
        assert cfg["router_log_group_id"] == group
    else:
        assert "router_log_id" not in cfg and "router_log_group_id" not in cfg
    if reads == "samples":
        assert cfg["sample_bucket"] == bucket == data.outputs["bucketNames"][SAMPLE_BUCKET_ROLE]
        assert cfg["object_storage_namespace"] == data.outputs["namespace"]
    else:
        assert "sample_bucket" not in cfg and SAMPLE_BUCKET_ROLE not in data.outputs["bucketNames"]
    job = _by_name(graph, CRONJOB, APP)
    sa = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["serviceAccountName"]
    mine = {n.inputs["name"]: [s for s in n.inputs.get("statements") or [] if f"service_account='{sa}'" in s]
            for n in graph.by_type("oci:Identity/policy:Policy")}
    mine = {name: found for name, found in mine.items() if found}
    assert list(mine) == [f"genai-{stack}-online-eval-workload"]  # one policy grants the job's identity
    statements = mine[f"genai-{stack}-online-eval-workload"]
    assert all("request.principal.type='workload'" in s and "request.principal.cluster_id='ocid1.cluster." in s
               and f"request.principal.namespace='{job['metadata']['namespace']}'" in s for s in statements)
    grants = sorted(s.split(" to ")[1].split(" where ")[0].split(" in compartment ")[0] for s in statements)
    expected = {"log": ["read log-content"], "samples": ["read objects"], None: []}[reads]
    assert grants == sorted([*expected, "use metrics"])  # no generative-ai: it asks the router
    if reads == "log":
        (read,) = [s for s in statements if " read log-content " in s]
        assert read.endswith(f"target.loggroup.id='{group}'}}")
    if reads == "samples":
        (read,) = [s for s in statements if " read objects " in s]
        assert read.endswith(f"target.bucket.name='{bucket}'}}")
    (post,) = [s for s in statements if " use metrics " in s]
    assert post.endswith(f"target.metrics.namespace='{contract.QUALITY_NS}'}}")
    # The router's identity may not read its log back, nor read samples; it may only create them.
    router_statements = [s for p in graph.by_type("oci:Identity/policy:Policy") for s in p.inputs.get("statements") or []
                         if "service_account='genai-router'" in s]
    assert not [s for s in router_statements if "log-content" in s and " read " in s]
    writes = [s for s in router_statements if " objects " in s]
    if reads == "samples":
        (write,) = writes
        assert " manage objects " in write and "request.permission='OBJECT_CREATE'" in write
        assert write.endswith(f"target.bucket.name='{bucket}'}}")
    else:
        assert writes == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_relevance_is_scored_online_with_the_embedding_model_the_router_serves(planned, stack: str) -> None:
    """The job scores relevance (golden and traffic) exactly when the stack has an embedding model
    (evaluation.embeddingModel, defaulted from the catalogue), and the router serves that model
    (a model_list entry of its config), so /v1/embeddings resolves."""
    from router.container import CONFIG_FILE
    from stacks.settings import validate

    graph = planned(stack)
    raw, _ = raw_config(stack)
    settings = validate(raw, region="eu-frankfurt-1", project="genai-platform", stack=stack)
    cfg = yaml.safe_load(_by_name(graph, "kubernetes:core/v1:ConfigMap", f"{APP}-config")["data"]["config.yaml"])
    assert cfg.get("embedding_model") == settings.evaluation.embedding_model
    embedders = [c.name for c in settings.model.catalog if c.mode == "embedding"]
    # Both shipped stacks serve an embedding model (the model plane's embedding cluster / catalogue entry),
    # so the job scores relevance in both; a stack without one leaves it out (tests/evals/test_online.py).
    assert embedders and cfg["embedding_model"] == embedders[0]
    router = yaml.safe_load(_by_name(graph, "kubernetes:core/v1:ConfigMap", f"{ROUTER_APP}-config")["data"][CONFIG_FILE])
    served = [m for m in router["model_list"] if m["model_name"] == cfg["embedding_model"]]
    assert served and all(m["model_info"]["mode"] == "embedding" for m in served)
