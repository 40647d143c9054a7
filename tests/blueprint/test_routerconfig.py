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


def test_prod_router_config_serves_two_chat_models_with_fallbacks_an_embedding_model_and_budgets(
        planned, tmp_path: Path) -> None:
    """Issue 10 defect 8, as `blueprint router-config prod` prints it: each dedicated model on its own endpoint."""
    planned("prod").write(tmp_path / "prod" / "graph.json")
    config = yaml.safe_load(render_for("prod", ROOT, tmp_path))
    by_mode: dict[str, list[dict]] = {}
    for d in config["model_list"]:
        by_mode.setdefault(d["model_info"]["mode"], []).append(d)
    chat = {d["model_name"] for d in by_mode["chat"]}
    assert len(chat) >= 2 and len(by_mode["embedding"]) == 1
    fallbacks = {src: chain for entry in config["router_settings"]["fallbacks"] for src, chain in entry.items()}
    assert set(fallbacks) == chat and all(set(chain) <= chat and chain for chain in fallbacks.values())
    assert [d["model_info"]["downgrade_to"] for d in config["model_list"] if "max_budget" in d["model_info"]]
    endpoints = [d["litellm_params"]["oci_endpoint_id"] for d in config["model_list"]]
    assert len(set(endpoints)) == len(endpoints) == 3  # the three clusters' endpoints, as planned
