"""The resource graph (``out/<stack>/graph.json``): the contract between planning and checking.

Each node is ``{urn, type, name, parent, plane, provider, custom, inputs, dependencies,
propertyDependencies, protect, retainOnDelete}`` (DESIGN.md); component nodes also carry the
``outputs`` they registered. ``inputs`` are the engine's camelCase properties, exactly what a
CrossGuard policy sees, except that secret values are replaced by SECRET_MARKER and unknown
values (preview) by UNKNOWN_MARKER.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SECRET_MARKER = "[secret]"
UNKNOWN_MARKER = "[unknown]"
FORMAT = 1


@dataclass
class Node:
    urn: str
    type: str
    name: str
    parent: str | None
    plane: str | None
    provider: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    propertyDependencies: dict[str, list[str]]
    protect: bool
    retainOnDelete: bool
    outputs: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["outputs"] is None:
            del data["outputs"]
        return data


@dataclass
class Graph:
    project: str
    stack: str
    preview: bool
    nodes: list[Node]
    outputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_nodes(cls, *, project: str, stack: str, preview: bool, nodes: list[Node],
                   component_outputs: Mapping[str, dict[str, Any]], stack_outputs: dict[str, Any]) -> Graph:
        from components import PLANE_OF

        by_urn = {n.urn: n for n in nodes}
        for node in nodes:
            top = node
            while top.parent is not None and top.parent in by_urn:
                top = by_urn[top.parent]
            node.plane = PLANE_OF.get(top.type)
            if not node.custom and node.urn in component_outputs:
                node.outputs = component_outputs[node.urn]
        # Registration order depends on asyncio scheduling; URN order is stable across runs.
        nodes = sorted(nodes, key=lambda n: n.urn)
        return cls(project=project, stack=stack, preview=preview, nodes=nodes, outputs=stack_outputs)

    # -- queries ------------------------------------------------------------------------------
    def by_type(self, type_token: str) -> list[Node]:
        return [n for n in self.nodes if n.type == type_token]

    def resources(self) -> Iterator[Node]:
        """Custom resources only (what a provider creates)."""
        return (n for n in self.nodes if n.custom)

    def node(self, urn: str) -> Node:
        for n in self.nodes:
            if n.urn == urn:
                return n
        raise KeyError(urn)

    # -- persistence --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "project": self.project,
            "stack": self.stack,
            "preview": self.preview,
            "markers": {"secret": SECRET_MARKER, "unknown": UNKNOWN_MARKER},
            "nodes": [n.to_json() for n in self.nodes],
            "outputs": self.outputs,
        }

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> Graph:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a graph of format {FORMAT}")
        nodes = [Node(**n) for n in data["nodes"]]
        return cls(project=data["project"], stack=data["stack"], preview=data["preview"], nodes=nodes,
                   outputs=data.get("outputs", {}))
