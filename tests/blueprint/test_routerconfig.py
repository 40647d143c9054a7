"""`blueprint router-config <stack>` prints exactly what the stack's router ConfigMap holds (defect 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from blueprint.routerconfig import render_for
from components.router_workload import APP
from router.container import CONFIG_FILE
from tests.conftest import ROOT
from tests.edge_helpers import inputs_of


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_router_config_command_prints_the_deployed_configmap(planned, stack: str, tmp_path: Path) -> None:
    graph = planned(stack)
    graph.write(tmp_path / stack / "graph.json")
    printed = render_for(stack, ROOT, tmp_path)
    (config_map,) = [c for c in inputs_of(graph, "kubernetes:core/v1:ConfigMap") if c["metadata"]["name"] == f"{APP}-config"]
    assert printed == config_map["data"][CONFIG_FILE]
    assert yaml.safe_load(printed)["general_settings"]["max_request_size_mb"] > 0
