"""Tier variants of the prod stack, planned once per process and shared by the data and model plane tests.

Each variant changes only what the tier forces: the classification, and for restricted the flow-log
retention (its logDays is 180). The region (eu-frankfurt-1) and the HSM virtual private vault of
prod are allowed by every tier. The public variant also opts out of customer-managed keys, which
its tier allows, so the tests see both sides of that switch.
"""

from __future__ import annotations

from typing import Any

from blueprint.canned import ocid_kind
from blueprint.graph import Graph, Node
from blueprint.lookups import fake_ocid
from tests.conftest import plan_variant

TIER_OVERRIDES: dict[str, dict[str, Any]] = {
    "public": {"genai-platform:classification": "public", "genai-platform:data": {"customerManagedKeys": False}},
    "internal": {"genai-platform:classification": "internal"},
    "confidential": {"genai-platform:classification": "confidential"},
    "restricted": {"genai-platform:classification": "restricted",
                   "genai-platform:network": {"flowLogRetentionDays": 180},
                   "genai-platform:operations": {"logRetentionDays": 180}},
}
TIERS = tuple(TIER_OVERRIDES)
REGION = "eu-frankfurt-1"

_GRAPHS: dict[str, Graph] = {}


def tier_graph(tier: str) -> Graph:
    """The prod stack planned as ``tier`` (planned once, then cached)."""
    if tier not in _GRAPHS:
        _GRAPHS[tier] = plan_variant("prod", TIER_OVERRIDES[tier], name=f"prod-{tier}")
    return _GRAPHS[tier]


def ocid(node: Node) -> str:
    """The OCID the offline engine gave a resource (deterministic: type and name)."""
    return fake_ocid(ocid_kind(node.type), REGION, f"{node.type}::{node.name}")


def one(graph: Graph, type_token: str, name_suffix: str) -> Node:
    found = [n for n in graph.by_type(type_token) if n.name.endswith(name_suffix)]
    assert len(found) == 1, f"expected one {type_token} named *{name_suffix}, found {len(found)}"
    return found[0]


def plane_nodes(graph: Graph, plane: str) -> list[Node]:
    return [n for n in graph.resources() if n.plane == plane]


def resource_table(planes: tuple[str, ...] = ("data", "model")) -> str:
    """Markdown table: per tier, the resource types (with counts) each plane creates."""
    rows = ["| tier | plane | resources |", "|---|---|---|"]
    for tier in TIERS:
        graph = tier_graph(tier)
        for plane in planes:
            counts: dict[str, int] = {}
            for node in plane_nodes(graph, plane):
                short = node.type.split(":", 1)[1].split("/")[0] + "." + node.type.rsplit(":", 1)[1]
                counts[short] = counts.get(short, 0) + 1
            cells = ", ".join(f"{n}× {t}" for t, n in sorted(counts.items()))
            rows.append(f"| {tier} | {plane} ({sum(counts.values())}) | {cells} |")
    return "\n".join(rows)


if __name__ == "__main__":
    # PYTHONPATH=tests .venv/bin/python tests/components/tiers.py
    print(resource_table())
