"""One home per concept: shared terms are defined once (in ``core/``) and imported everywhere else.

A definition is a literal that lists the whole set (every tier, every severity, every topic) or a
marker string; a rule that targets two tiers uses the names, it does not define them. The router's
workload identity has one definition (``stacks/settings/orchestration.py``) and one place that
writes the IAM condition naming it (``components/orchestration.py``).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from core.markers import SECRET_MARKER, UNKNOWN_MARKER
from core.severity import ENFORCEMENTS, SEVERITIES
from core.tiers import MATRIX_PATH, TIERS
from core.topics import TOPICS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("core", "stacks", "components", "policies", "blueprint", "router", "compliance", "evals", "prompts")


def python_files(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if ".venv" not in p.parts)


def string_sets(path: Path) -> Iterator[tuple[int, frozenset[str]]]:
    """(line, the string constants) of every tuple, list or set literal (Literal[...] included) and dict's keys."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            elts = node.elts
        elif isinstance(node, ast.Dict):
            elts = [k for k in node.keys if k is not None]
        else:
            continue
        found = frozenset(e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
        if found:
            yield node.lineno, found


def strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, value) of every string constant that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def definitions_of(terms: tuple[str, ...] | frozenset[str], packages: tuple[str, ...] = SOURCES) -> list[str]:
    """file:line of every literal that lists all of ``terms``."""
    return [f"{p.relative_to(ROOT)}:{line}" for p in python_files(*packages)
            for line, found in string_sets(p) if set(terms) <= found]


@pytest.mark.parametrize(("name", "terms", "home"), [
    ("tier names", TIERS, "core/tiers.py"),
    ("severities", SEVERITIES, "core/severity.py"),
    ("enforcement levels", ENFORCEMENTS, "core/severity.py"),
    ("notification topics", tuple(TOPICS), "core/topics.py"),
], ids=["tiers", "severities", "enforcements", "topics"])
def test_each_set_of_terms_is_defined_once(name: str, terms: tuple[str, ...], home: str) -> None:
    found = definitions_of(terms)
    assert [f.split(":")[0] for f in found] == [home], f"{name} defined in {found}"


@pytest.mark.parametrize("marker", [SECRET_MARKER, UNKNOWN_MARKER])
def test_graph_markers_are_written_once(marker: str) -> None:
    found = [f"{p.relative_to(ROOT)}:{line}" for p in python_files(*SOURCES, "tests")
             for line, value in strings(p) if marker in value]
    assert [f.split(":")[0] for f in found] == ["core/markers.py"], found


def test_the_tenant_header_is_written_once() -> None:
    """The gateway sets it, the hooks read it, a rule checks it: one literal, in the hooks the image runs."""
    found = [f"{p.relative_to(ROOT)}:{line}" for p in python_files(*SOURCES)
             for line, value in strings(p) if value.lower() == "x-genai-tenant"]
    assert [f.split(":")[0] for f in found] == ["router/hooks/genai_router_hooks/releases.py"], found


def test_the_subject_header_is_written_once() -> None:
    """The gateway sets it and the hooks tell the gateway's requests from the online job's by it."""
    found = [f"{p.relative_to(ROOT)}:{line}" for p in python_files(*SOURCES)
             for line, value in strings(p) if value.lower() == "x-genai-subject"]
    assert [f.split(":")[0] for f in found] == ["router/hooks/genai_router_hooks/releases.py"], found


def test_the_router_workload_identity_condition_is_written_once() -> None:
    """One place writes a workload-identity condition: ``components.governance.Workload.where``, which the
    router's and the online evaluation job's grants use (rules in policies/ read them)."""
    found = [f"{p.relative_to(ROOT)}:{line}" for p in python_files("stacks", "components")
             for line, value in strings(p) if "request.principal.type='workload'" in value]
    assert [f.split(":")[0] for f in found] == ["components/governance.py"], found


def test_the_router_identity_is_configured_in_one_place() -> None:
    keyed = {}
    for schema in sorted((ROOT / "stacks" / "schema").glob("*.json")):
        text = schema.read_text(encoding="utf-8")
        keyed[schema.stem] = ('"serviceAccount"' in text, "Kubernetes namespace" in text)
    assert [plane for plane, (sa, _) in keyed.items() if sa] == ["orchestration"]
    assert [plane for plane, (_, ns) in keyed.items() if ns] == ["orchestration"]
    # Parsers that default a namespace or service account: only the router's, in orchestration settings.
    defaults = [f"{p.relative_to(ROOT)}:{node.lineno}" for p in python_files("stacks", "components")
                for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in ("namespace", "serviceAccount")]
    assert sorted({f.split(":")[0] for f in defaults}) == ["stacks/settings/orchestration.py"], defaults
    assert len(defaults) == 2


def test_data_copies_of_the_tier_names_agree() -> None:
    """The schemas and the matrix are data, not code: they may list the tiers, but in the same order."""
    stack_schema = json.loads((ROOT / "stacks" / "stack.schema.json").read_text(encoding="utf-8"))
    assert tuple(stack_schema["properties"]["classification"]["enum"]) == TIERS
    assert tuple(yaml.safe_load(MATRIX_PATH.read_text(encoding="utf-8"))["tiers"]) == TIERS


def test_a_stray_definition_is_found(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('X = ("critical", "high", "medium", "low")\nY = ("confidential", "restricted")\n'
                      'Z = Literal["public", "internal", "confidential", "restricted"]\n')
    assert [line for line, found in string_sets(module) if set(SEVERITIES) <= found] == [1]
    assert [line for line, found in string_sets(module) if set(TIERS) <= found] == [3]
