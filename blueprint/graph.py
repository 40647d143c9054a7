"""The resource graph (``out/<stack>/graph.json``): the contract between planning and checking.

Each node is ``{urn, type, name, parent, plane, provider, custom, inputs, dependencies,
propertyDependencies, protect, retainOnDelete}`` (docs/architecture.md); component nodes also
carry the ``outputs`` they registered. ``inputs`` are the engine's camelCase properties, exactly what a
CrossGuard policy sees, except that secret values are replaced by SECRET_MARKER and unknown
values (preview) by UNKNOWN_MARKER.

:func:`load_graph_json` is the one reader of a graph file: every command that reads a graph
(``check``, ``graph``, ``manifests``, ``router-config``, the alarm table) goes through it, so the
format check and the shape check apply everywhere. A malformed graph is one
:class:`GraphFormatError` line naming the file and the JSON path (never a value).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.inputs import InputError, escape, key_path, read_text
from core.markers import SECRET_MARKER, UNKNOWN_MARKER
from core.names import project_name_problem, stack_name_problem

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

    def to_json(self, *, copy: bool = True) -> dict[str, Any]:
        """The node's JSON form; ``copy=False`` shares the nested values (for writing, not editing)."""
        data = asdict(self) if copy else {name: getattr(self, name) for name in _NODE_FIELDS}
        if data.get("outputs") is None:
            data.pop("outputs", None)
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
    def to_json(self, *, copy: bool = True) -> dict[str, Any]:
        """The graph's JSON form (what :meth:`write` writes); ``copy=False`` shares the nodes' nested
        values instead of copying them (to serialize at once, never to edit)."""
        return {
            "format": FORMAT,
            "project": self.project,
            "stack": self.stack,
            "preview": self.preview,
            "markers": {"secret": SECRET_MARKER, "unknown": UNKNOWN_MARKER},
            "nodes": [n.to_json(copy=copy) for n in self.nodes],
            "outputs": self.outputs,
        }

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(copy=False), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> Graph:
        """A graph file, checked by :func:`load_graph_json` (GraphFormatError if malformed)."""
        return cls.from_json(load_graph_json(path))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Graph:
        """A graph from its checked JSON form (the output of :func:`load_graph_json`)."""
        nodes = [Node(**{k: n.get(k) for k in _NODE_FIELDS if k != "outputs"}, outputs=n.get("outputs"))
                 for n in data["nodes"]]
        return cls(project=data["project"], stack=data["stack"], preview=data["preview"], nodes=nodes,
                   outputs=data.get("outputs", {}))


# ------------------------------------------------------------------------------------------------
# The one reader of graph files
# ------------------------------------------------------------------------------------------------

#: Graph files above this size are refused unread (prod's graph is ~0.6 MB).
MAX_GRAPH_BYTES = 32 << 20
#: Inputs and outputs nest at most this deep (prod's deepest input is 10 levels).
MAX_VALUE_DEPTH = 64
_TOP_FIELDS = {"format", "project", "stack", "preview", "markers", "nodes", "outputs"}
_OPT_STR = (str, type(None))
_NODE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "urn": str, "type": str, "name": str, "parent": _OPT_STR, "plane": _OPT_STR, "provider": _OPT_STR, "custom": bool,
    "inputs": dict, "dependencies": list, "propertyDependencies": dict, "protect": bool, "retainOnDelete": bool,
    "outputs": dict}
_OPTIONAL_NODE_FIELDS = {"outputs"}
_TYPE_NAMES: dict[type | tuple[type, ...], str] = {str: "a string", bool: "true or false", dict: "an object",
                                                    list: "a list", _OPT_STR: "a string or null"}


class GraphFormatError(ValueError):
    """A graph file that is not a well-formed graph of this format: file, JSON path, what is wrong."""


def _non_finite(text: str) -> float:
    raise ValueError(f"{text} is not a finite number")


def load_graph_json(path: Path) -> dict[str, Any]:
    """Read and check a graph file; returns its JSON form (plain dicts and lists), or GraphFormatError."""
    label = escape(str(path), 200)
    try:
        text = read_text(path, label=label, max_bytes=MAX_GRAPH_BYTES)
    except InputError as exc:
        raise GraphFormatError(str(exc)) from None
    try:
        data = json.loads(text, parse_constant=_non_finite)
    except RecursionError:
        raise GraphFormatError(f"{label}: nested too deeply to be a resource graph") from None
    except json.JSONDecodeError as exc:
        raise GraphFormatError(f"{label}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except ValueError:
        raise GraphFormatError(f"{label}: not valid JSON (NaN, infinity or an oversized number)") from None
    _check_graph(data, label)
    checked: dict[str, Any] = data
    return checked


def _check_graph(data: Any, label: str) -> None:
    def fail(where: list[str | int], message: str) -> GraphFormatError:
        return GraphFormatError(f"{label}: {key_path(where)}: {message}" if where else f"{label}: {message}")

    if not isinstance(data, dict):
        raise fail([], "not a resource graph (expected the JSON object `blueprint plan` writes)")
    unknown = sorted(set(data) - _TOP_FIELDS)
    if unknown:
        raise fail([unknown[0]], "unknown top-level key; allowed: " + ", ".join(sorted(_TOP_FIELDS)))
    for key in ("format", "project", "stack", "preview", "nodes"):
        if key not in data:
            raise fail([], f"missing required key '{key}'")
    fmt = data["format"]
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt != FORMAT:
        raise fail(["format"], f"not a graph of format {FORMAT} (written by `blueprint plan`)")
    problem = project_name_problem(data["project"])
    if problem:
        raise fail(["project"], problem)
    problem = stack_name_problem(data["stack"])
    if problem:
        raise fail(["stack"], problem)
    if not isinstance(data["preview"], bool):
        raise fail(["preview"], "wrong type; expected true or false")
    if "markers" in data and data["markers"] != {"secret": SECRET_MARKER, "unknown": UNKNOWN_MARKER}:
        raise fail(["markers"], f"not this format's markers; expected secret {SECRET_MARKER} and unknown {UNKNOWN_MARKER}")
    if not isinstance(data.get("outputs", {}), dict):
        raise fail(["outputs"], "wrong type; expected an object")
    _check_depth(data.get("outputs", {}), ["outputs"], fail)  # an object: checked just above
    nodes = data["nodes"]
    if not isinstance(nodes, list):
        raise fail(["nodes"], "wrong type; expected a list of nodes")
    prefix = f"urn:pulumi:{data['stack']}::{data['project']}::"
    urns: set[str] = set()
    for i, node in enumerate(nodes):
        where: list[str | int] = ["nodes", i]
        if not isinstance(node, dict):
            raise fail(where, "wrong type; expected an object")
        for key, kind in _NODE_FIELDS.items():
            if key not in node:
                if key in _OPTIONAL_NODE_FIELDS:
                    continue
                raise fail(where, f"missing required key '{key}'")
            value = node[key]
            if not isinstance(value, kind):
                raise fail([*where, key], f"wrong type; expected {_TYPE_NAMES[kind]}")
        extra = sorted(set(node) - set(_NODE_FIELDS))
        if extra:
            raise fail([*where, extra[0]], "unknown node key; allowed: " + ", ".join(sorted(_NODE_FIELDS)))
        if not node["urn"].startswith(prefix):
            raise fail([*where, "urn"], "not a URN of this graph's stack and project (urn:pulumi:<stack>::<project>::…)")
        if node["urn"] in urns:
            raise fail([*where, "urn"], "duplicate URN; each resource appears once")
        urns.add(node["urn"])
        if not all(isinstance(d, str) for d in node["dependencies"]):
            raise fail([*where, "dependencies"], "wrong type; expected a list of URN strings")
        for key, deps in node["propertyDependencies"].items():
            if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
                raise fail([*where, "propertyDependencies", key], "wrong type; expected a list of URN strings")
        _check_depth(node["inputs"], [*where, "inputs"], fail)
        _check_depth(node.get("outputs") or {}, [*where, "outputs"], fail)
    for i, node in enumerate(nodes):
        refs = [("parent", node["parent"])] if node["parent"] is not None else []
        refs += [("dependencies", d) for d in node["dependencies"]]
        refs += [("propertyDependencies", d) for deps in node["propertyDependencies"].values() for d in deps]
        for key, urn in refs:
            if urn not in urns:
                raise fail(["nodes", i, key], "names a URN that is not in the graph")


def _check_depth(value: Any, where: list[str | int], fail: Any) -> None:
    """Iteratively: nesting at most MAX_VALUE_DEPTH (consumers recurse), and every number finite
    (``1e400`` parses as infinity; NaN and Infinity tokens are refused while parsing)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth >= MAX_VALUE_DEPTH:
            raise fail(where, f"nested deeper than {MAX_VALUE_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif isinstance(child, float) and not math.isfinite(child):
                raise fail(where, "not a finite number (NaN and infinity are not allowed)")
