"""The router workload as planned: its container runs the image as the image expects (defect 3).

The planned Deployment of each stack is read the way the kubelet runs it (router/container.py)
against router/Dockerfile: the config the process is told to read (`--config`), the file our
hooks read (GENAI_ROUTER_CONFIG) and LiteLLM's CONFIG_FILE_PATH are one file, mounted read-only
from the planned ConfigMap. The live half (the real proxy started with the planned argv and env)
is tests/router/test_container.py, in the router's venv.
"""

from __future__ import annotations

import pytest

from components.router_workload import worker_args, workers_for
from router import container as contract
from tests.conftest import ROOT
from tests.edge_helpers import inputs_of

IMAGE = contract.parse_dockerfile((ROOT / "router" / "Dockerfile").read_text(encoding="utf-8"))


def _pod_and_config_maps(graph):
    (dep,) = inputs_of(graph, "kubernetes:apps/v1:Deployment")
    config_maps = {c["metadata"]["name"]: c["data"] for c in inputs_of(graph, "kubernetes:core/v1:ConfigMap")}
    return dep["spec"]["template"]["spec"], config_maps


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_planned_container_agrees_with_the_image(planned, stack: str) -> None:
    pod, config_maps = _pod_and_config_maps(planned(stack))
    assert contract.contract_problems(IMAGE, pod, config_maps) == []


def test_the_config_is_where_the_hooks_read_it(planned) -> None:
    pod, _ = _pod_and_config_maps(planned("prod"))
    (router,) = pod["containers"]
    argv, env = contract.process(IMAGE, router)
    path = contract.flags(argv)["config"]
    assert path == env["GENAI_ROUTER_CONFIG"] == env["CONFIG_FILE_PATH"] == contract.CONFIG_PATH
    mounts = {m["mountPath"]: m for m in router["volumeMounts"]}
    assert mounts[contract.CONFIG_DIR]["readOnly"] is True


def test_the_pod_runs_as_the_images_user(planned) -> None:
    pod, _ = _pod_and_config_maps(planned("prod"))
    assert pod["securityContext"]["runAsUser"] == float(contract.RUN_AS) == float(IMAGE.user.split(":")[0])


@pytest.mark.parametrize("limit, workers", [("2000m", 2), ("2", 2), ("1500m", 1), ("500m", 1), ("4", 4)])
def test_workers_follow_the_cpu_limit(limit: str, workers: int) -> None:
    """One proxy worker per whole core of the CPU limit (at least one)."""
    assert workers_for(limit) == workers


def test_several_workers_run_under_gunicorn() -> None:
    assert worker_args("2000m") == ["--num_workers", "2", "--run_gunicorn"]
    assert worker_args("1") == ["--num_workers", "1"]
