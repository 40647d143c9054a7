"""The one graph reader: every malformed graph file is one line naming file and JSON path, exit 2, no traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from blueprint.cli import main
from blueprint.graph import Graph, GraphFormatError, load_graph_json
from tests.conftest import ROOT, cli_error

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dev_json(planned) -> dict[str, Any]:
    data: dict[str, Any] = planned("dev").to_json()
    return data


def _first_custom(g: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = next(n for n in g["nodes"] if n["custom"] and n["dependencies"])
    return node


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(g: dict[str, Any]) -> None:
        target: Any = g
        for part in path[:-1]:
            target = _first_custom(g) if part == "NODE" else target[part]
        target[path[-1]] = value
    return change


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda g: _first_custom(g).pop(key)


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"x": value}
    return value


# (case, change to the dev graph, expected fragment of the one error line)
MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("nodes not a list", _set(["nodes"], {"a": 1}), "nodes: wrong type; expected a list of nodes"),
    ("node not an object", lambda g: g["nodes"].__setitem__(0, "urn:x"), "nodes[0]: wrong type; expected an object"),
    ("node without urn", _drop("urn"), "missing required key 'urn'"),
    ("node without type", _drop("type"), "missing required key 'type'"),
    ("inputs not an object", _set(["NODE", "inputs"], ["a"]), ".inputs: wrong type; expected an object"),
    ("non-numeric dependencies", _set(["NODE", "dependencies"], [1, 2]),
     ".dependencies: wrong type; expected a list of URN strings"),
    ("dependencies not a list", _set(["NODE", "dependencies"], "urn:x"), ".dependencies: wrong type; expected a list"),
    ("dangling dependency", _set(["NODE", "dependencies"], ["urn:pulumi:dev::genai-platform::x::y"]),
     ".dependencies: names a URN that is not in the graph"),
    ("custom not a boolean", _set(["NODE", "custom"], "yes"), ".custom: wrong type; expected true or false"),
    ("unknown node key", _set(["NODE", "evil"], 1), ".evil: unknown node key"),
    ("deeply nested inputs", _set(["NODE", "inputs"], _deep(80)), ".inputs: nested deeper than 64 levels"),
    ("nonsense format", _set(["format"], "one"), "format: not a graph of format 1"),
    ("future format", _set(["format"], 2), "format: not a graph of format 1"),
    ("boolean format", _set(["format"], True), "format: not a graph of format 1"),
    ("nonsense stack", _set(["stack"], "../../etc"), "stack: not a valid stack name"),
    ("stack not text", _set(["stack"], 7), "stack: a stack name must be text"),
    ("stack not the URNs' stack", _set(["stack"], "prod"), ".urn: not a URN of this graph's stack and project"),
    ("nonsense project", _set(["project"], "9 lives"), "project: not a valid project name"),
    ("preview not a boolean", _set(["preview"], "no"), "preview: wrong type; expected true or false"),
    ("other markers", _set(["markers"], {"secret": "***", "unknown": "?"}), "markers: not this format's markers"),
    ("graph not an object", lambda g: None, ""),  # replaced below by a list document
]


@pytest.mark.parametrize("case,change,expected", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_graph_shapes(capsys, tmp_path, dev_json, case, change, expected):
    graph = copy.deepcopy(dev_json)
    change(graph)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps([graph] if case == "graph not an object" else graph))
    line = check_error(capsys, path)
    assert expected in line
    if case == "graph not an object":
        assert "not a resource graph" in line


def check_error(capsys, path: Path) -> str:
    line = cli_error(capsys, "check", "--graph", str(path))
    assert line.startswith(f"error: {path}"), line
    return line


@pytest.mark.parametrize("token,expected", [
    ("NaN", "not valid JSON (NaN, infinity or an oversized number)"),
    ("Infinity", "not valid JSON (NaN, infinity or an oversized number)"),
    ("-Infinity", "not valid JSON (NaN, infinity or an oversized number)"),
    ("9" * 5000, "not valid JSON (NaN, infinity or an oversized number)"),
    ("1e400", ".inputs: not a finite number (NaN and infinity are not allowed)"),
    ("[[-1e999]]", ".inputs: not a finite number (NaN and infinity are not allowed)"),
])
def test_non_finite_numbers_in_inputs(capsys, tmp_path, dev_json, token, expected):
    graph = copy.deepcopy(dev_json)
    _first_custom(graph)["inputs"]["poison"] = "@@"
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(graph).replace('"@@"', token))
    assert expected in check_error(capsys, path)


def test_deep_nesting_of_the_whole_file(capsys, tmp_path):
    path = tmp_path / "graph.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    assert "nested too deeply" in check_error(capsys, path)


@pytest.mark.parametrize("case", ["not json", "missing", "directory", "not utf-8", "empty object"])
def test_unreadable_graph_files(capsys, tmp_path, case):
    path = tmp_path / "graph.json"
    if case == "not json":
        path.write_text("{nodes: [")
    elif case == "directory":
        path.mkdir()
    elif case == "not utf-8":
        path.write_bytes(b'{"format": 1, "stack": "d\xe9v"}')
    elif case == "empty object":
        path.write_text("{}")
    expected = {"not json": "graph.json:1: not valid JSON", "missing": "file not found",
                "directory": "is a directory", "not utf-8": "not UTF-8 text", "empty object": "missing required key"}
    assert expected[case] in check_error(capsys, path)


def test_the_reader_round_trips_a_planned_graph(tmp_path, planned):
    graph = planned("prod")
    path = graph.write(tmp_path / "g.json")
    assert load_graph_json(path) == json.loads(path.read_text())
    assert Graph.read(path).to_json() == graph.to_json()


def test_every_command_reading_a_graph_uses_the_checked_reader(capsys, tmp_path, dev_json):
    """`graph` and `manifests` read out/<stack>/graph.json: a corrupted one is the same one-line error."""
    out = tmp_path / "out"
    (out / "dev").mkdir(parents=True)
    graph = copy.deepcopy(dev_json)
    graph["nodes"] = "broken"
    (out / "dev" / "graph.json").write_text(json.dumps(graph))
    for command in (["graph", "dev"], ["manifests", "dev"]):
        code = main(["--project-dir", str(ROOT), "--out", str(out), *command])
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err
        assert err.strip().endswith("nodes: wrong type; expected a list of nodes"), err
    with pytest.raises(GraphFormatError, match="nodes: wrong type"):
        Graph.read(out / "dev" / "graph.json")
