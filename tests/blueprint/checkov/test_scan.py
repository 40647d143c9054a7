"""checkov over our plans, for real (its own venv, offline): it reads the exported plan and the
router's manifests faithfully, and `blueprint check --engine all` merges its findings with ours.

Two checkov runs: prod as planned, and prod mutated in three ways (a world-open SSH rule, an OKE API
endpoint outside any NSG, a Secret as an environment variable on a second workload).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from typing import Any

import pytest

from blueprint.checkov.scan import CHECKOV, scan_graph
from blueprint.cli import main
from core.markers import SECRET_MARKER, UNKNOWN_MARKER
from policies.engine import stack_urn
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
CLUSTER = "oci:ContainerEngine/cluster:Cluster"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


@pytest.fixture(scope="module", autouse=True)
def _checkov_installed():
    # `make test` installs it (test-main depends on setup-checkov); never skipped.
    assert CHECKOV.exists(), "run `make setup-checkov`"


@pytest.fixture(scope="module")
def prod(planned) -> dict[str, Any]:
    return planned("prod").to_json()


def _by_check(findings) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for f in findings:
        out[f.rule][f.status].add(f.urn)
    return out


@pytest.fixture(scope="module")
def prod_findings(prod):
    return _by_check(scan_graph(prod, stack_urn(prod)))


def mutated_prod(prod: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    graph = copy.deepcopy(prod)
    nodes = graph["nodes"]
    rule = next(n for n in nodes if n["type"] == NSG_RULE and n["inputs"].get("direction") == "INGRESS"
                and n["inputs"].get("tcpOptions"))
    rule["inputs"].update(source="0.0.0.0/0", sourceType="CIDR_BLOCK", protocol="6",
                          tcpOptions={"destinationPortRange": {"min": 22.0, "max": 22.0}})
    cluster = next(n for n in nodes if n["type"] == CLUSTER)
    cluster["inputs"]["endpointConfig"] = {k: v for k, v in cluster["inputs"]["endpointConfig"].items() if k != "nsgIds"}
    worker = copy.deepcopy(next(n for n in nodes if n["type"] == DEPLOYMENT))
    worker["urn"] = worker["urn"].replace("router-deployment", "worker-deployment")
    worker["name"] = "prod-worker-deployment"
    worker["inputs"]["metadata"]["name"] = "genai-worker"
    container = worker["inputs"]["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [{"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "worker", "key": "token"}}}]
    nodes.append(worker)
    return graph, {"ssh": rule["urn"], "cluster": cluster["urn"], "worker": worker["urn"]}


@pytest.fixture(scope="module")
def mutated(prod):
    graph, where = mutated_prod(prod)
    return graph, where, _by_check(scan_graph(graph, stack_urn(graph)))


def test_checkov_reads_prod_faithfully(prod, prod_findings):
    rules = [n["urn"] for n in prod["nodes"] if n["type"] == NSG_RULE]
    ingress = {n["urn"] for n in prod["nodes"] if n["type"] == NSG_RULE and n["inputs"]["direction"] == "INGRESS"}
    # port-22 check ran on every ingress NSG rule (it reads direction, source and the tcp_options block) and passed
    assert prod_findings["CKV_OCI_22"]["pass"] >= ingress and not prod_findings["CKV_OCI_22"]["fail"]
    # the cluster's endpoint NSG is visible through endpoint_config[0].nsg_ids; node pool in-transit encryption too
    assert prod_findings["CKV2_OCI_3"]["pass"] and not prod_findings["CKV2_OCI_3"]["fail"]
    assert prod_findings["CKV2_OCI_5"]["pass"] and not prod_findings["CKV2_OCI_5"]["fail"]
    # buckets: CMK, versioning, events, not public all read from the exported values
    for check in ("CKV_OCI_7", "CKV_OCI_8", "CKV_OCI_9", "CKV_OCI_10"):
        assert prod_findings[check]["pass"] and not prod_findings[check]["fail"], check
    # the disputed checks fail exactly where their logic says: every stateful ingress rule; every rule
    # without a port range unless it is a one-protocol ingress rule (OKE's all-protocol pod <-> node
    # rules between NSGs, egress ICMP), though none admits RDP from anywhere
    assert prod_findings["CKV_OCI_21"]["fail"] == ingress

    def rdp_check_fails(props: dict[str, Any]) -> bool:
        ranged = (props.get("tcpOptions") or props.get("udpOptions") or {}).get("destinationPortRange")
        one_protocol_ingress = props["direction"] == "INGRESS" and props["protocol"] != "all" \
            and props.get("source") != "0.0.0.0/0"
        return not ranged and not one_protocol_ingress

    expected = {n["urn"] for n in prod["nodes"] if n["type"] == NSG_RULE and rdp_check_fails(n["inputs"])}
    assert expected and prod_findings["CKV2_OCI_2"]["fail"] == expected
    assert prod_findings["CKV2_OCI_2"]["pass"] == set(rules) - expected
    # the router manifests are scanned: without LiteLLM's own database the router takes no secret
    # from the environment any more (issue 10, defect 4), so CKV_K8S_35 passes on its Deployment
    (router,) = [n["urn"] for n in prod["nodes"] if n["type"] == DEPLOYMENT]
    assert router in prod_findings["CKV_K8S_35"]["pass"] and not prod_findings["CKV_K8S_35"]["fail"]
    assert "CHECKOV-COVERAGE" not in prod_findings


def test_a_check_passing_on_prod_fails_on_the_mutated_resource(mutated):
    _, where, findings = mutated
    assert where["ssh"] in findings["CKV_OCI_22"]["fail"]
    assert where["cluster"] in findings["CKV2_OCI_3"]["fail"]
    assert where["worker"] in findings["CKV_K8S_35"]["fail"]


def _check(tmp_path, graph, engine: str, fmt: str = "json") -> tuple[int, dict[str, Any]]:
    path = tmp_path / f"{engine}.graph.json"
    path.write_text(json.dumps(graph), encoding="utf-8")
    report = tmp_path / f"{engine}.{fmt}"
    code = main(["--project-dir", str(ROOT), "check", "--graph", str(path), "--engine", engine, "--format", fmt,
                 "--output", str(report)])
    return code, json.loads(report.read_text(encoding="utf-8"))


def test_world_open_ssh_fails_under_both_engines(tmp_path, mutated):
    graph, where, _ = mutated
    code, report = _check(tmp_path, graph, "all")
    assert code == 1
    failing = {(f["engine"], f["rule"]) for r in report["results"] for f in r["findings"]
               if f["status"] == "fail" and f["urn"] == where["ssh"]}
    assert {("crossguard", "OCI-NET-001"), ("checkov", "CKV_OCI_22")} <= failing
    # the disputed checks on that very rule are no longer waived: our re-test failed there
    assert ("checkov", "CKV_OCI_21") in failing
    by_urn = {(f["engine"], f["rule"], f["urn"]): f["status"] for r in report["results"] for f in r["findings"]}
    assert by_urn[("crossguard", "OCI-OKE-008", where["cluster"])] == "fail"
    assert by_urn[("checkov", "CKV2_OCI_3", where["cluster"])] == "fail"
    assert by_urn[("crossguard", "K8S-POD-014", where["worker"])] == "fail"
    assert by_urn[("checkov", "CKV_K8S_35", where["worker"])] == "fail"


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_no_failure_left_unreviewed_under_both_engines(tmp_path, planned, stack):
    """Every failure of either engine on dev and prod is a reviewed disputed check or waiver."""
    code, report = _check(tmp_path, planned(stack).to_json(), "all", "sarif")
    assert code == 0
    runs = {run["tool"]["driver"]["name"]: run for run in report["runs"]}
    assert set(runs) == {"genai-platform-blueprint", "checkov"}
    checkov = runs["checkov"]["results"]
    assert checkov and all(r.get("suppressions") for r in checkov if r["level"] == "error")
    disputed = {r["ruleId"] for r in checkov if "disputed upstream" in r["suppressions"][0]["justification"]}
    assert disputed == {"CKV_OCI_21", "CKV2_OCI_2", "CKV2_OCI_6"}
    assert all(r.get("suppressions") for r in runs["genai-platform-blueprint"]["results"] if r["level"] == "error")


def test_sarif_with_both_engines_matches_the_schema(tmp_path, prod):
    import jsonschema

    _, report = _check(tmp_path, prod, "all", "sarif")
    schema = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(report)


def test_a_preview_graph_exports_without_markers_and_says_what_it_could_not_scan():
    """A first preview: ids unknown. The plan carries them in after_unknown; manifests with unknown
    values cannot be written, which the scan reports as an indeterminate coverage finding."""
    from blueprint.checkov.scan import _k8s_objects
    from blueprint.checkov.tfplan import export
    from tests.conftest import plan_variant

    graph = plan_variant("prod", preview=True).to_json()
    exported = export(graph)
    text = json.dumps(exported.plan)
    assert UNKNOWN_MARKER not in text and SECRET_MARKER not in text and exported.unmapped == {}
    assert any(len(c["change"]["after_unknown"]) > 1 for c in exported.plan["resource_changes"])
    manifests, _, why = _k8s_objects(graph)
    assert manifests == [] and why and "unknown" in why
