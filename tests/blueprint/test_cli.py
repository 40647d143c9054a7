"""The CLI: plan, graph and demo write what they promise; bad input exits 2 with one clear line."""

from __future__ import annotations

import json

import pytest

from blueprint.cli import main
from blueprint.graph import Graph
from blueprint.render import dot, mermaid, summary_text
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_plan_writes_the_graph_and_prints_a_per_plane_summary(tmp_path, capsys):
    assert main(["--project-dir", str(ROOT), "--out", str(tmp_path), "plan", "dev"]) == 0
    out = capsys.readouterr().out
    assert "governance" in out and "network" in out and "Core.Subnet" in out
    data = json.loads((tmp_path / "dev" / "graph.json").read_text())
    assert data["stack"] == "dev" and data["nodes"]


def test_graph_writes_mermaid_and_dot(tmp_path):
    assert main(["--project-dir", str(ROOT), "--out", str(tmp_path), "graph", "prod"]) == 0
    mmd = (tmp_path / "prod" / "architecture.mmd").read_text()
    gv = (tmp_path / "prod" / "architecture.dot").read_text()
    assert mmd.startswith("flowchart LR") and 'subgraph network["network plane"]' in mmd
    assert gv.startswith('digraph "genai-platform-prod"') and "cluster_governance" in gv


def test_missing_stack_file_is_one_clear_line(tmp_path, capsys):
    assert main(["--project-dir", str(ROOT), "--out", str(tmp_path), "plan", "staging"]) == 2
    err = capsys.readouterr().err
    assert "Pulumi.staging.yaml: file not found" in err
    assert "Traceback" not in err


def test_summary_and_diagrams_count_every_resource(planned):
    graph: Graph = planned("prod")
    total = sum(1 for _ in graph.resources())
    text = summary_text(graph)
    assert text.splitlines()[0] == f"genai-platform/prod: {total} resources"
    planes = [ln for ln in text.splitlines() if ln.startswith("  ") and not ln.startswith("    ")]
    assert sum(int(ln.split("(")[1].rstrip(")")) for ln in planes) == total
    assert "network -->|" in mermaid(graph) or "governance -->|" in mermaid(graph)
    assert dot(graph).count("subgraph cluster_") == len({n.plane for n in graph.resources()})
