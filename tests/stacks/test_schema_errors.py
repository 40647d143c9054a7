"""Every config key's error is tested: a value its schema refuses is reported at that key's path, never echoed.

For each key of ``stacks/schema/<plane>.json`` (objects' properties, recursively), one value the
schema refuses is set on a base stack (dev, or dev with a public API for public-only keys), and
validation must report a problem at exactly ``genai-platform:<plane>.<key path>`` whose message
does not contain the value. A key is covered as soon as its schema entry exists.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from blueprint.stackconfig import load_stack_config, namespace_values, with_overrides
from core.problems import SettingsError
from stacks.settings import validate
from tests.conftest import ROOT
from tests.edge_helpers import PUBLIC_DEV
from tests.stacks.schema_keys import documented, set_key

pytestmark = pytest.mark.unit

BASES = {"dev": namespace_values(load_stack_config(ROOT, "dev")),
         "dev-public-api": namespace_values(with_overrides(load_stack_config(ROOT, "dev"), PUBLIC_DEV))}


def refused_value(node: dict[str, Any]) -> Any:
    """One value the schema node refuses (None: the node constrains nothing a leaf value could break)."""
    if "maximum" in node:
        return node["maximum"] + 1
    if "enum" in node:
        values = node["enum"]
        return max(values) + 1 if all(isinstance(v, int) for v in values) else "not-an-allowed-value"
    if "minimum" in node:
        return node["minimum"] - 1
    if "pattern" in node:
        return "Not Allowed!"
    kind = node.get("type")
    if kind == "boolean":
        return "maybe"
    if kind in ("string", "array"):
        return 12345
    if kind == "integer":
        return "many"
    if kind == "object":
        return "not-an-object"
    return None


CASES = [(path, value) for path, node in documented() if (value := refused_value(node)) is not None]


def problems_at(path: str, value: Any) -> dict[str, list[str]]:
    """base name → messages of the problems reported at ``path`` when it holds ``value``."""
    out: dict[str, list[str]] = {}
    for name, base in BASES.items():
        raw = copy.deepcopy(base)
        set_key(raw, path, value)
        try:
            validate(raw, region="eu-frankfurt-1", project="genai-platform", stack=name)
        except SettingsError as err:
            out[name] = [p.message for p in err.problems if p.path == f"genai-platform:{path}"]
        else:
            out[name] = []
    return out


@pytest.mark.parametrize(("path", "value"), CASES, ids=[c[0] for c in CASES])
def test_a_refused_value_is_reported_at_its_key(path: str, value: Any) -> None:
    found = problems_at(path, value)
    messages = [m for ms in found.values() for m in ms]
    assert messages, f"{path}: no problem reported at the key for a value its schema refuses"
    shown = json.dumps(value) if not isinstance(value, str) else value
    assert not any(shown in m for m in messages if len(shown) > 2), f"{path}: a message echoes the value"


def test_every_key_of_every_plane_is_covered() -> None:
    assert len(CASES) >= 100
    planes = {path.split(".")[0] for path, _ in CASES}
    assert planes == {p.stem for p in (ROOT / "stacks" / "schema").glob("*.json")}


def test_an_allowed_value_reports_nothing_at_its_key() -> None:
    assert problems_at("network.routerPort", 4000) == {"dev": [], "dev-public-api": []}
    assert all(problems_at("network.routerPort", 80).values())
