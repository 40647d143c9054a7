"""Scorecard and readiness checklist: computed from the stack, every entry names its evidence, honest verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance import readiness
from compliance.readiness import CHECKLIST, GOLDEN_MIN_CASES, Facts, evaluate, stage_of
from policies.engine import check_graph
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

#: the operating model's pre-launch checklist and its Required flags
REQUIRED = {"RBAC configured": True, "Network isolation": True, "Secrets management": True, "Input validation": True,
            "Timeouts configured": True, "Retries with backoff": True, "Fallback behavior": True,
            "Circuit breakers": False, "Golden set tests": True, "CI/CD integration": True, "Online evaluation": False,
            "Budget alerts": True, "Rate limiting": True, "Cost attribution": False, "Distributed tracing": True,
            "SLOs defined": True, "Alerting configured": True, "Prompt versioning": True, "Audit logging": True,
            "Runbooks documented": True}


@pytest.fixture(scope="module")
def prod(planned):
    graph = planned("prod").to_json()
    return graph, check_graph(graph)


@pytest.mark.parametrize(("total", "stage"), [(6, 1), (12, 1), (13, 2), (18, 2), (19, 3), (24, 3), (25, 4), (28, 4),
                                              (29, 5), (30, 5)])
def test_stage_bands(total, stage):
    assert stage_of(total)[0] == stage


def test_the_checklist_carries_the_operating_models_items_and_required_flags():
    assert {name: required for _, name, required, _ in CHECKLIST} == REQUIRED


def test_every_score_and_item_names_its_evidence(prod):
    graph, findings = prod
    data = evaluate(graph, findings, ROOT)
    sc = data["scorecard"]
    assert sc["total"] == sum(d["score"] for d in sc["dimensions"]) and stage_of(sc["total"])[0] == sc["stage"]
    assert [d["dimension"] for d in sc["dimensions"]] == ["Versioning", "Monitoring", "Evaluation", "Cost Mgmt",
                                                         "Incident Response", "Governance"]
    for d in sc["dimensions"]:
        assert 1 <= d["score"] <= 5 and d["evidence"]
        assert d["score"] == 5 or d["next"].startswith(f"level {d['score'] + 1} ")
    assert all(i["evidence"] for i in data["checklist"])


def test_the_verdict_is_ready_only_when_every_required_item_passes(prod, monkeypatch):
    graph, findings = prod
    data = evaluate(graph, findings, ROOT)
    failing_required = [i["item"] for i in data["checklist"] if i["required"] and i["result"] == "fail"]
    assert data["blocking"] == failing_required
    assert data["verdict"] == ("ready" if not failing_required else "not ready")
    passing = tuple((c, n, r, lambda f: (True, "forced")) for c, n, r, _ in CHECKLIST)
    monkeypatch.setattr(readiness, "CHECKLIST", passing)
    assert evaluate(graph, findings, ROOT)["verdict"] == "ready"
    one_recommended_failing = tuple((c, n, r, (lambda f: (False, "x")) if not r else (lambda f: (True, "y")))
                                    for c, n, r, _ in CHECKLIST)
    monkeypatch.setattr(readiness, "CHECKLIST", one_recommended_failing)
    assert evaluate(graph, findings, ROOT)["verdict"] == "ready"
    one_required_failing = tuple((c, n, r, (lambda f: (False, "x")) if n == "Audit logging" else (lambda f: (True, "y")))
                                 for c, n, r, _ in CHECKLIST)
    monkeypatch.setattr(readiness, "CHECKLIST", one_required_failing)
    assert evaluate(graph, findings, ROOT)["blocking"] == ["Audit logging"]


def _project(tmp_path: Path, golden_cases: int, prompt: str | None) -> Path:
    project = tmp_path / "project"
    (project / "runbooks").mkdir(parents=True)
    if golden_cases:
        (project / "evals" / "golden").mkdir(parents=True)
        (project / "evals" / "golden" / "assistant.jsonl").write_text(
            "".join(json.dumps({"id": f"c{i}", "question": "q"}) + "\n" for i in range(golden_cases)))
    if prompt is not None:
        (project / "prompts" / "assistant").mkdir(parents=True)
        (project / "prompts" / "assistant" / "v1.md").write_text(prompt)
    return project


def test_missing_evidence_fails_naming_it_and_passes_once_it_exists(prod, tmp_path):
    graph, findings = prod

    def item(project: Path, name: str) -> tuple[bool, str]:
        check = next(c for _, n, _, c in CHECKLIST if n == name)
        return check(Facts(graph, findings, project))

    bare = _project(tmp_path / "a", 0, None)
    assert item(bare, "Golden set tests") == (False, "missing: no golden set under evals/ (golden*.jsonl|json|yaml "
                                                     "tracked in git)")
    assert item(bare, "Prompt versioning")[1].startswith("missing: no prompts/")
    small = _project(tmp_path / "b", 10, "no version here")
    ok, text = item(small, "Golden set tests")
    assert not ok and "10 golden cases" in text and f"need {GOLDEN_MIN_CASES}+" in text
    assert item(small, "Prompt versioning")[0] is False
    full = _project(tmp_path / "c", GOLDEN_MIN_CASES, "---\nversion: 1.2.0\n---\nYou answer from the documents.\n")
    assert item(full, "Golden set tests")[0] is True
    assert item(full, "Prompt versioning")[0] is True


def test_the_router_config_is_the_one_the_router_deployment_mounts(prod):
    """prod also plans the online evaluator's ConfigMap with the same key; the items read the router's."""
    graph, findings = prod
    config = Facts(graph, findings, ROOT).router_config()
    assert config.get("model_list"), "the router's LiteLLM config (model_list) was not found"
    assert "genai_router" in config
    others = [n for n in graph["nodes"] if n["type"] == readiness.CONFIGMAP
              and (n["inputs"].get("metadata") or {}).get("name") != "genai-router-config"]
    assert others, "prod should plan a second ConfigMap (the online evaluator's) for this test to mean anything"


def test_tracing_passes_only_when_the_router_really_sends_spans(prod):
    """Distributed tracing: the router's config names the APM domain's OTLP traces URL and its pod gets
    the data key; without the key (or with no URL) the item fails and says which is missing."""
    import copy

    graph, findings = prod

    def item(g):
        return next(i for i in evaluate(g, findings, ROOT)["checklist"] if i["item"] == "Distributed tracing")

    assert item(graph)["result"] == "pass"
    keyless = copy.deepcopy(graph)
    for n in keyless["nodes"]:
        if n["type"] == "kubernetes:apps/v1:Deployment":
            for c in n["inputs"]["spec"]["template"]["spec"]["containers"]:
                c["env"] = [e for e in c.get("env") or [] if e["name"] != "GENAI_ROUTER_APM_DATA_KEY_FILE"]
    result = item(keyless)
    assert result["result"] == "fail" and "the router pod gets no APM data key" in result["evidence"]


@pytest.mark.parametrize(("variant", "source"), [
    ("prod", "live traffic from the evaluation-sample bucket"),
    ("prod-public", "live traffic from the router's request log"),
    ("prod-restricted", "the golden set only (the tier keeps no traffic sample)"),
])
def test_online_evaluation_names_where_the_plan_reads_live_traffic(planned, variant, source):
    from tests.components.tiers import tier_graph

    graph = planned("prod") if variant == "prod" else tier_graph(variant.removeprefix("prod-"))
    item = {i["item"]: i for i in evaluate(graph.to_json(), check_graph(graph.to_json()), ROOT)["checklist"]}
    assert source in item["Online evaluation"]["evidence"]


def _online(graph, project: Path = ROOT) -> tuple[bool, str]:
    check = next(c for _, n, _, c in CHECKLIST if n == "Online evaluation")
    return check(Facts(graph, [], project))


def _mutated(graph, token: str, change) -> dict:
    import copy
    out = copy.deepcopy(graph)
    for node in out["nodes"]:
        if node["type"] == token:
            change(node)
    return out


def _job_container(node) -> dict:
    return node["inputs"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]


def test_online_evaluation_is_read_from_the_plan_not_from_file_names(prod, tmp_path):
    graph, _ = prod
    ok, text = _online(graph, tmp_path)  # a project without evals/ or router/ files: the plan alone decides
    assert ok, text
    assert "runs python -m evals.online hardened like the router" in text and "may post genai_quality" in text


@pytest.mark.parametrize(("token", "change", "named"), [
    ("kubernetes:batch/v1:CronJob", lambda n: n.update(type="kubernetes:batch/v1:Job"), "the evaluation CronJob"),
    ("kubernetes:batch/v1:CronJob", lambda n: _job_container(n)["securityContext"].update(readOnlyRootFilesystem=False),
     "security contexts"),
    ("kubernetes:batch/v1:CronJob", lambda n: _job_container(n)["resources"].pop("limits"), "CPU and memory limits"),
    ("oci:Identity/policy:Policy",
     lambda n: n["inputs"].update(statements=[s for s in n["inputs"].get("statements", []) if "genai_quality" not in s]),
     "post genai_quality"),
    ("oci:Monitoring/alarm:Alarm",
     lambda n: n["inputs"].update(query=n["inputs"]["query"].replace("groundedness", "accuracy"))
     if n["inputs"].get("namespace") == "genai_quality" else None, "queries a metric the job does not post"),
    ("oci:Monitoring/alarm:Alarm",
     lambda n: n["inputs"].update(query=n["inputs"]["query"].replace("[60m]", '[60m]{tenant = "x"}'))
     if n["inputs"].get("namespace") == "genai_quality" else None, "dimension the job does not post"),
    ("oci:Monitoring/alarm:Alarm",
     lambda n: n["inputs"].update(namespace="genai_router") if n["inputs"].get("namespace") == "genai_quality" else None,
     "a quality alarm on genai_quality"),
])
def test_online_evaluation_fails_naming_what_the_plan_lacks(prod, token, change, named):
    graph, _ = prod
    ok, text = _online(_mutated(graph, token, change))
    assert not ok and named in text, text
