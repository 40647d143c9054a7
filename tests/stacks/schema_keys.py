"""The keys of the stack schema (``stacks/schema/<plane>.json``), walked once for the schema-driven
tests (test_schema_errors: every key's error; test_schema_defaults: every key's default)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from tests.conftest import ROOT

SCHEMA_DIR = ROOT / "stacks" / "schema"


def _walk(doc: dict[str, Any], node: dict[str, Any], path: str,
          required: bool) -> Iterator[tuple[str, dict[str, Any], bool]]:
    if "$ref" in node and node["$ref"].startswith("#/$defs/"):
        node = {**doc["$defs"][node["$ref"].removeprefix("#/$defs/")], **{k: v for k, v in node.items() if k != "$ref"}}
    yield path, node, required
    for key, sub in node.get("properties", {}).items():
        yield from _walk(doc, sub, f"{path}.{key}", key in node.get("required", ()))


def keys() -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(dotted key path, schema node, required in its parent) for every key of every plane's schema
    (objects' properties, recursively)."""
    for file in sorted(SCHEMA_DIR.glob("*.json")):
        doc = json.loads(file.read_text(encoding="utf-8"))
        for path, node, required in _walk(doc, doc, file.stem, True):
            if path != file.stem:
                yield path, node, required


def documented() -> Iterator[tuple[str, dict[str, Any]]]:
    """(dotted key path, schema node) for every key of every plane's schema."""
    for path, node, _required in keys():
        yield path, node


def set_key(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted key path in a raw stack config, creating parents."""
    *parents, last = path.split(".")
    for key in parents:
        raw = raw.setdefault(key, {})
    raw[last] = copy.deepcopy(value)


def drop_key(raw: dict[str, Any], path: str) -> None:
    """Remove a dotted key path from a raw stack config (nothing if absent)."""
    *parents, last = path.split(".")
    for key in parents:
        raw = raw.get(key, {})
    raw.pop(last, None)
