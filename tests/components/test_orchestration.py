"""Orchestration plane and router workload: private enhanced cluster, placement, hardened pods, network policy."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.problems import SettingsError
from stacks.settings import validate
from tests.edge_helpers import inputs_of, raw_config

CLUSTER = "oci:ContainerEngine/cluster:Cluster"
POOL = "oci:ContainerEngine/nodePool:NodePool"
DIGEST = re.compile(r"^[^@\s]+@sha256:[a-f0-9]{64}$")


def key_ids(graph: Any) -> dict[str, str]:
    (gov,) = [n for n in graph.nodes if n.type == "genai:index:GovernanceFoundation"]
    return dict(gov.outputs["keyIds"])


def subnet_id(graph: Any, role: str) -> str:
    (net,) = [n for n in graph.nodes if n.type == "genai:index:NetworkPlane"]
    return str(net.outputs["subnetIds"][role])


def nsg_id(graph: Any, role: str) -> str:
    (net,) = [n for n in graph.nodes if n.type == "genai:index:NetworkPlane"]
    return str(net.outputs["nsgIds"][role])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cluster_is_enhanced_private_and_encrypted(planned, stack: str) -> None:
    graph = planned(stack)
    (cluster,) = inputs_of(graph, CLUSTER)
    assert cluster["type"] == "ENHANCED_CLUSTER"
    assert cluster["endpointConfig"] == {"subnetId": subnet_id(graph, "okeApi"), "isPublicIpEnabled": False,
                                         "nsgIds": [nsg_id(graph, "okeApi")]}
    assert cluster["kmsKeyId"] == key_ids(graph)["secrets"]
    assert cluster["clusterPodNetworkOptions"] == [{"cniType": "OCI_VCN_IP_NATIVE"}]
    assert cluster["options"]["addOns"]["isKubernetesDashboardEnabled"] is False


def test_image_signature_verification_follows_the_tier(planned) -> None:
    (prod,) = inputs_of(planned("prod"), CLUSTER)
    raw, _ = raw_config("prod")
    assert prod["imagePolicyConfig"] == {"isPolicyEnabled": True,
                                         "keyDetails": [{"kmsKeyId": raw["orchestration"]["imageSigningKeyId"]}]}
    (dev,) = inputs_of(planned("dev"), CLUSTER)
    assert dev["imagePolicyConfig"]["isPolicyEnabled"] is False  # the internal tier does not require it


@pytest.mark.parametrize(("stack", "ads", "fds"), [("dev", 1, 1), ("prod", 3, 3)])
def test_node_pool_spreads_over_placements(planned, stack: str, ads: int, fds: int) -> None:
    graph = planned(stack)
    (pool,) = inputs_of(graph, POOL)
    details = pool["nodeConfigDetails"]
    placements = details["placementConfigs"]
    assert len({p["availabilityDomain"] for p in placements}) == ads
    assert all(len(p["faultDomains"]) == fds and p["subnetId"] == subnet_id(graph, "workers") for p in placements)
    assert details["isPvEncryptionInTransitEnabled"] is True
    assert details["nodePoolPodNetworkOptionDetails"]["podSubnetIds"] == [subnet_id(graph, "pods")]
    assert details["nodePoolPodNetworkOptionDetails"]["podNsgIds"] == [nsg_id(graph, "pods")]
    raw, _ = raw_config(stack)
    assert details["size"] == raw["orchestration"]["nodePool"]["size"]
    # Customer-managed boot volume keys where the tier requires them (confidential prod), not in dev.
    assert details.get("kmsKeyId") == (key_ids(graph)["compute"] if stack == "prod" else None)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_router_workload_identity_is_scoped(planned, stack: str) -> None:
    graph = planned(stack)
    (cluster_node,) = graph.by_type(CLUSTER)
    policies = [p for p in inputs_of(graph, "oci:Identity/policy:Policy") if "router-workload" in p["name"]]
    (policy,) = policies
    for statement in policy["statements"]:
        assert "request.principal.type='workload'" in statement
        assert "request.principal.namespace='genai-router'" in statement
        assert "request.principal.service_account='genai-router'" in statement
        assert "request.principal.cluster_id='ocid1.cluster." in statement
    grants = sorted(s.split(" to ")[1].split(" in compartment ")[0] for s in policy["statements"])
    assert grants == ["use generative-ai-chat", "use generative-ai-text-embedding"] + ["use metrics"] * 2
    # Metrics only to the namespaces its hooks publish, one statement each (genai_quality is the
    # online evaluation job's, under its own identity).
    metrics = [s for s in policy["statements"] if " use metrics " in s]
    assert sorted(re.search(r"target\.metrics\.namespace='(\w+)'", s).group(1) for s in metrics) == [  # type: ignore[union-attr]
        "genai_router", "genai_safety"]
    accounts = inputs_of(graph, "kubernetes:core/v1:ServiceAccount")
    assert [a["automountServiceAccountToken"] for a in accounts] == [False] * len(accounts)
    assert cluster_node.urn


WORKLOAD = "request.principal.type='workload'"


def workload_statements(graph: Any) -> dict[str, list[str]]:
    """Policy name → its statements that grant an OKE workload, across the whole graph."""
    out: dict[str, list[str]] = {}
    for policy in inputs_of(graph, "oci:Identity/policy:Policy"):
        found = [s for s in policy["statements"] if WORKLOAD in s]
        if found:
            out[policy["name"]] = found
    return out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_router_has_one_workload_grant_scoped_to_its_cluster_namespace_and_account(planned, stack: str) -> None:
    """Issue 10 defect 2: the model plane also granted the router, without the cluster and ignoring
    the configured namespace. Now one policy grants the router, and every statement names the planned
    cluster and the namespace and service account the plan creates."""
    graph = planned(stack)
    cluster_ocid = str(next(n for n in graph.nodes if n.type == "genai:index:OrchestrationPlane").outputs["clusterId"])
    assert cluster_ocid.startswith("ocid1.cluster.")
    (namespace,) = inputs_of(graph, "kubernetes:core/v1:Namespace")
    (deployment,) = inputs_of(graph, "kubernetes:apps/v1:Deployment")
    sa = deployment["spec"]["template"]["spec"]["serviceAccountName"]
    (account,) = [a for a in inputs_of(graph, "kubernetes:core/v1:ServiceAccount") if a["metadata"]["name"] == sa]
    ns = namespace["metadata"]["name"]
    assert account["metadata"]["namespace"] == ns
    grants = {name: [s for s in found if f"request.principal.service_account='{sa}'" in s]
              for name, found in workload_statements(graph).items()}
    grants = {name: found for name, found in grants.items() if found}
    # The online job has its own account and policy; the router's log grant is its own policy because the
    # log is created after the orchestration plane: `use log-content` (PutLogs) on the router log's group only.
    # Its evaluation-sample grant likewise (dev: internal, prod: confidential keep samples in a bucket):
    # create objects in that bucket only (components.orchestration.sample_writer_grant).
    assert sorted(grants) == [f"genai-{stack}-router-log-push", f"genai-{stack}-router-sample-put",
                              f"genai-{stack}-router-workload"]
    (put,) = grants[f"genai-{stack}-router-sample-put"]
    assert put.startswith("Allow any-user to manage objects in compartment id ")
    assert put.endswith(f"request.permission='OBJECT_CREATE', target.bucket.name='genai-{stack}-eval-samples'}}")
    assert f"request.principal.cluster_id='{cluster_ocid}'" in put and f"request.principal.namespace='{ns}'" in put
    (push,) = grants[f"genai-{stack}-router-log-push"]
    (operations,) = [n for n in graph.nodes if n.type == "genai:index:OperationsPlane"]
    assert operations.outputs is not None
    assert push.startswith("Allow any-user to use log-content in compartment id ")
    assert push.endswith(f"target.loggroup.id='{operations.outputs['routerLogGroupId']}'}}")
    for statement in grants[f"genai-{stack}-router-workload"]:
        assert f"request.principal.cluster_id='{cluster_ocid}'" in statement
        assert f"request.principal.namespace='{ns}'" in statement
        assert f"request.principal.service_account='{sa}'" in statement


def test_a_configured_router_identity_reaches_the_grant_and_every_manifest() -> None:
    from tests.conftest import plan_variant

    graph = plan_variant("dev", {"genai-platform:orchestration": {"router": {"namespace": "llm", "serviceAccount": "gw"}}},
                         name="dev-router-identity")
    grant = workload_statements(graph)["genai-dev-router-workload"]
    assert grant and all("request.principal.namespace='llm'" in s and "request.principal.service_account='gw'" in s
                         for s in grant)
    (namespace,) = inputs_of(graph, "kubernetes:core/v1:Namespace")
    accounts = {(a["metadata"]["name"], a["metadata"]["namespace"])
                for a in inputs_of(graph, "kubernetes:core/v1:ServiceAccount")}
    (deployment,) = inputs_of(graph, "kubernetes:apps/v1:Deployment")
    assert namespace["metadata"]["name"] == "llm"
    assert accounts == {("gw", "llm"), ("genai-online-eval", "llm")}  # the router's and the online job's own
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "gw"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_container_is_hardened(planned, stack: str) -> None:
    graph = planned(stack)
    pods = [d["spec"]["template"]["spec"] for d in inputs_of(graph, "kubernetes:apps/v1:Deployment")]
    assert pods
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for c in pod["containers"] + pod.get("initContainers", []):
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True and isinstance(sc["runAsUser"], float) and sc["runAsUser"] > 0
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert set(c["resources"]["requests"]) == {"cpu", "memory"} == set(c["resources"]["limits"])
            assert c["livenessProbe"] and c["readinessProbe"]
            assert DIGEST.match(c["image"]), "images must be pinned by digest"
            for env in c.get("env", []):
                assert "value" in env or "secretKeyRef" in env["valueFrom"] or "configMapKeyRef" in env["valueFrom"]
                if "valueFrom" in env:
                    assert "value" not in env
        spread = {t["topologyKey"] for t in pod["topologySpreadConstraints"]}
        assert spread == {"topology.kubernetes.io/zone", "oci.oraclecloud.com/fault-domain"}


def test_no_secret_reference_without_a_database(planned) -> None:
    """Issue 10, defect 4: without LiteLLM's own database the pod references no database Secret; the only
    Secret it mounts is the APM data key's, a declared out-of-band prerequisite (synced from Vault), as a
    read-only file, never an env value."""
    from core.tables import out_of_band_kubernetes

    for stack in ("dev", "prod"):
        graph = planned(stack)
        assert not graph.by_type("kubernetes:core/v1:Secret")
        (dep,) = inputs_of(graph, "kubernetes:apps/v1:Deployment")
        pod = dep["spec"]["template"]["spec"]
        assert not [e for c in pod["containers"] for e in c.get("env", []) if "valueFrom" in e]
        secrets = [v for v in pod["volumes"] if "secret" in v]
        assert [(v["name"], v["secret"]["secretName"]) for v in secrets] == [("telemetry", "genai-router-telemetry")]
        assert ("Secret", dep["metadata"]["namespace"], "genai-router-telemetry") in out_of_band_kubernetes()
        assert [m["readOnly"] for m in pod["containers"][0]["volumeMounts"] if m["name"] == "telemetry"] == [True]
        assert not pod.get("imagePullSecrets")


def test_replicas_and_autoscaling_per_stack(planned) -> None:
    for stack, replicas in (("dev", 1), ("prod", 3)):
        graph = planned(stack)
        (dep,) = inputs_of(graph, "kubernetes:apps/v1:Deployment")
        (hpa,) = inputs_of(graph, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
        assert dep["spec"]["replicas"] == replicas == hpa["spec"]["minReplicas"]
        assert inputs_of(graph, "kubernetes:policy/v1:PodDisruptionBudget")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_router_service_is_an_internal_oci_load_balancer(planned, stack: str) -> None:
    graph = planned(stack)
    (svc,) = inputs_of(graph, "kubernetes:core/v1:Service")
    ann = svc["metadata"]["annotations"]
    assert svc["spec"]["type"] == "LoadBalancer"
    assert ann["service.beta.kubernetes.io/oci-load-balancer-internal"] == "true"
    assert ann["oci.oraclecloud.com/load-balancer-type"] == "lb"
    assert ann["service.beta.kubernetes.io/oci-load-balancer-subnet1"] == subnet_id(graph, "ingress")
    assert ann["oci.oraclecloud.com/oci-network-security-groups"] == nsg_id(graph, "ingress")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_network_policies_deny_by_default(planned, stack: str) -> None:
    graph = planned(stack)
    raw, _ = raw_config(stack)
    net = raw["network"]
    policies = {p["metadata"]["name"]: p for p in inputs_of(graph, "kubernetes:networking.k8s.io/v1:NetworkPolicy")}
    assert all(p["metadata"]["namespace"] == "genai-router" for p in policies.values())
    deny = policies["default-deny-all"]["spec"]
    assert deny["podSelector"] == {} and sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in deny and "egress" not in deny
    (ingress_rule,) = policies["router-from-ingress-subnet"]["spec"]["ingress"]
    assert ingress_rule["from"] == [{"ipBlock": {"cidr": net["subnets"]["ingress"]}}]
    assert ingress_rule["ports"] == [{"protocol": "TCP", "port": float(net.get("routerPort", 4000))}]
    egress = policies["router-egress"]["spec"]["egress"]
    ports = sorted((p["protocol"], p["port"]) for rule in egress for p in rule["ports"])
    assert ports == [("TCP", 53.0), ("TCP", 443.0), ("TCP", 6379.0), ("UDP", 53.0)]
    https = next(r for r in egress if r["ports"] == [{"protocol": "TCP", "port": 443.0}])
    assert https["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [net["vcnCidr"]]}}]
    # OCI Cache's private endpoints live in the data subnet (TLS on 6379; the cache NSG admits the pods only).
    cache = next(r for r in egress if r["ports"] == [{"protocol": "TCP", "port": 6379.0}])
    assert cache["to"] == [{"ipBlock": {"cidr": net["subnets"]["data"]}}]


BAD_ORCHESTRATION: list[tuple[dict[str, Any], str]] = [
    ({"kubernetesVersion": "latest-1.33"}, "orchestration.kubernetesVersion"),
    ({"nodeImageId": "ubuntu-22.04"}, "orchestration.nodeImageId"),
    ({"imageSigningKeyId": "my-key"}, "orchestration.imageSigningKeyId"),
    ({"nodePool": {"shape": "BM.GPU.H100.8"}}, "orchestration.nodePool.shape"),
    ({"nodePool": {"ocpus": 0}}, "orchestration.nodePool.ocpus"),
    ({"nodePool": {"memoryGbs": 4}}, "orchestration.nodePool.memoryGbs"),
    ({"nodePool": {"size": 0}}, "orchestration.nodePool.size"),
    ({"nodePool": {"bootVolumeGbs": 10}}, "orchestration.nodePool.bootVolumeGbs"),
    ({"nodePool": {"maxPodsPerNode": 500}}, "orchestration.nodePool.maxPodsPerNode"),
    ({"router": {"image": "fra.ocir.io/genaiplatform/genai-router:latest"}}, "orchestration.router.image"),
    ({"router": {"namespace": "Router_NS"}}, "orchestration.router.namespace"),
    ({"router": {"serviceAccount": "-sa"}}, "orchestration.router.serviceAccount"),
    ({"router": {"replicas": 0}}, "orchestration.router.replicas"),
    ({"router": {"maxReplicas": 0}}, "orchestration.router.maxReplicas"),
    ({"router": {"replicas": 2, "maxReplicas": 1}}, "orchestration.router.maxReplicas"),
    ({"router": {"cpuRequest": "2 cores"}}, "orchestration.router.cpuRequest"),
    ({"router": {"cpuLimit": "2"}}, "orchestration.router.cpuLimit"),
    ({"router": {"memoryRequest": "1Gi"}}, "orchestration.router.memoryRequest"),
    ({"router": {"memoryLimit": "2G"}}, "orchestration.router.memoryLimit"),
    ({"router": {"cpuRequest": "3000m", "cpuLimit": "1000m"}}, "orchestration.router.cpuRequest"),
    ({"router": {"database": "yes"}}, "orchestration.router.database"),
    ({"surprise": True}, "orchestration"),
]


@pytest.mark.parametrize(("override", "path"), BAD_ORCHESTRATION, ids=[p + str(i) for i, (_, p) in enumerate(BAD_ORCHESTRATION)])
def test_bad_orchestration_values_name_the_key(override: dict[str, Any], path: str) -> None:
    raw, region = raw_config("dev")
    orch = dict(raw["orchestration"])
    for key, value in override.items():
        orch[key] = {**orch.get(key, {}), **value} if isinstance(value, dict) else value
    raw["orchestration"] = orch
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="dev")
    assert [p.path for p in exc.value.problems] == [f"genai-platform:{path}"]
    for value in override.values():
        for leaf in (value.values() if isinstance(value, dict) else [value]):
            if isinstance(leaf, str) and len(leaf) > 2:
                assert leaf not in str(exc.value.problems[0])


def test_confidential_tier_needs_signing_key_and_two_replicas() -> None:
    raw, region = raw_config("prod")
    orch = {k: v for k, v in raw["orchestration"].items() if k != "imageSigningKeyId"}
    orch["router"] = {**orch["router"], "replicas": 1}
    raw["orchestration"] = orch
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="prod")
    assert sorted(p.path for p in exc.value.problems) == [
        "genai-platform:orchestration.imageSigningKeyId", "genai-platform:orchestration.router.replicas"]


def test_database_egress_only_when_configured(planned) -> None:
    from tests.conftest import plan_variant

    graph = plan_variant("dev", {"genai-platform:orchestration": {"router": {"database": True}}}, name="dev-db")
    raw, _ = raw_config("dev")
    data_cidr = raw["network"]["subnets"]["data"]

    def egress(g: Any) -> list[Any]:
        policies = inputs_of(g, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
        (pol,) = [p for p in policies if p["metadata"]["name"] == "router-egress"]
        return list(pol["spec"]["egress"])

    db = [{"protocol": "TCP", "port": 1522.0}]
    db_rules = [r for r in egress(graph) if r["to"] == [{"ipBlock": {"cidr": data_cidr}}] and r["ports"] == db]
    assert len(db_rules) == 1
    assert not [r for r in egress(planned("dev")) if r["to"] == [{"ipBlock": {"cidr": data_cidr}}] and r["ports"] == db]
    (dep,) = inputs_of(graph, "kubernetes:apps/v1:Deployment")
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in dep["spec"]["template"]["spec"]["containers"][0]["env"]
            if "valueFrom" in e}
    assert set(refs) == {"DATABASE_URL", "LITELLM_SALT_KEY"}
    # The Secret holding them is an out-of-band prerequisite of stacks with a database, declared once.
    from core.tables import out_of_band_kubernetes, prerequisites

    assert {("Secret", dep["metadata"]["namespace"], r["name"]) for r in refs.values()} <= out_of_band_kubernetes()
    (row,) = [p for p in prerequisites() if p.kubernetes and p.kubernetes[2] == "genai-router"]
    assert row.applies({"orchestration": {"router": {"database": True}}}) and not row.applies({})


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_oke_keys_are_granted_before_the_cluster_and_nodes_use_them(planned, stack: str) -> None:
    """Issue 10, defect 1: OKE's etcd key and the boot-volume key need IAM grants, created first."""
    graph = planned(stack)
    (cluster,) = graph.by_type(CLUSTER)
    (pool,) = graph.by_type(POOL)
    (policy,) = [p for p in graph.by_type("oci:Identity/policy:Policy") if p.inputs["name"].endswith("-oke-keys")]
    keys = key_ids(graph)
    statements = policy.inputs["statements"]
    assert (f"where all {{request.principal.type='cluster', target.key.id='{keys['secrets']}'}}" in statements[0]
            and statements[0].startswith("Allow any-user to use keys in compartment id "))
    assert policy.urn in cluster.dependencies and policy.urn in pool.dependencies
    boot = [s for s in statements if f"target.key.id='{keys['compute']}'" in s]
    if stack == "prod":  # customer-managed boot volumes: oke, Block Volume and the node pool's principal
        assert [s.split(" in compartment")[0] for s in boot] == [
            "Allow service oke to use key-delegate", "Allow service blockstorage to use keys",
            "Allow any-user to use key-delegate"]
        assert "request.principal.type='nodepool'" in boot[2]
    else:
        assert boot == []
