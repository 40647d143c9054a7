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
from evals import contract, online
from prompts import registry
from tests.edge_helpers import inputs_of, raw_config

CRONJOB = "kubernetes:batch/v1:CronJob"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _by_name(graph: Any, token: str, name: str) -> dict[str, Any]:
    (found,) = [i for i in inputs_of(graph, token) if i["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cronjob_runs_the_router_image_as_the_router(planned, stack: str) -> None:
    graph = planned(stack)
    job = _by_name(graph, CRONJOB, APP)
    router = _by_name(graph, DEPLOYMENT, ROUTER_APP)
    pod, rpod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"], router["spec"]["template"]["spec"]
    (c,), rc = pod["containers"], rpod["containers"][0]
    assert job["metadata"]["namespace"] == router["metadata"]["namespace"]
    assert pod["serviceAccountName"] == rpod["serviceAccountName"] and pod["automountServiceAccountToken"] is True
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
