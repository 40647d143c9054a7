"""`blueprint manifests`: the graph's Kubernetes objects as manifests, valid for the cluster's version."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from blueprint import cli
from blueprint.manifests import ManifestError, manifests_of, schema_version, validate_manifests
from core.markers import SECRET_MARKER

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cli_writes_valid_manifests(out: Path, stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--project-dir", str(ROOT), "--out", str(out), "manifests", stack])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "validated against the 1.33.0 schemas: 0 problem(s)" in captured.out
    files = sorted((out / stack / "manifests").glob("*.yaml"))
    kinds = [yaml.safe_load(f.read_text())["kind"] for f in files]
    assert kinds[0] == "Namespace"
    assert {"ServiceAccount", "ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler",
            "PodDisruptionBudget", "NetworkPolicy", "CronJob"} <= set(kinds)
    assert kinds.count("NetworkPolicy") == 5  # the router's 3, the online evaluation job's 2
    dep = yaml.safe_load(next(f for f in files if "deployment" in f.name).read_text())
    assert isinstance(dep["spec"]["replicas"], int)  # floats from the engine become integers
    config = yaml.safe_load(next(f for f in files if "configmap" in f.name and "online-eval" not in f.name).read_text())
    litellm = yaml.safe_load(config["data"]["config.yaml"])
    assert litellm["model_list"] and "general_settings" in litellm


def test_validation_catches_a_bad_manifest(planned) -> None:
    manifests = manifests_of(planned("dev"))
    assert validate_manifests(manifests, "1.33.0") == []
    broken = copy.deepcopy(manifests)
    dep = next(m for m in broken if m["kind"] == "Deployment")
    dep["spec"]["replicas"] = "two"
    dep["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] = "yes"
    problems = validate_manifests(broken, "1.33.0")
    assert len(problems) == 1 and problems[0].startswith("Deployment/genai-router:")


def test_unknown_field_is_rejected_strictly(planned) -> None:
    manifests = copy.deepcopy(manifests_of(planned("dev")))
    svc = next(m for m in manifests if m["kind"] == "Service")
    svc["spec"]["loadBalancerTypo"] = "x"
    assert validate_manifests(manifests, "1.33.0")


def test_schema_version_is_explicit() -> None:
    assert schema_version("v1.33.1") == "1.33.0"
    assert schema_version("v1.37.0") == "1.37.0"
    assert schema_version("v1.38.2") == "1.37.0"  # one minor version ahead of the shipped schemas: tolerated
    with pytest.raises(ManifestError, match=r"no schemas for Kubernetes 1\.39"):
        schema_version("v1.39.0")
    with pytest.raises(ManifestError):
        schema_version("latest")


def test_secret_values_cannot_leak_into_manifests(planned) -> None:
    graph = copy.deepcopy(planned("dev"))
    cm = next(n for n in graph.nodes if n.type == "kubernetes:core/v1:ConfigMap")
    cm.inputs["data"]["config.yaml"] = SECRET_MARKER
    with pytest.raises(ManifestError, match="a secret"):
        manifests_of(graph)
