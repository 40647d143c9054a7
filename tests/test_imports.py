"""Imports point down the flow (docs/architecture.md): config → settings → components → graph → findings → reports.

Every ``import`` statement of every project module counts, including imports inside functions
(lazy imports are still dependencies). Packages: ``core`` (shared terms), ``stacks`` (settings
and composition), ``components`` (planes), ``policies`` (rules), ``blueprint`` (engine, check,
reports, CLI), ``router`` (the inference router's config and hooks).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "stacks", "components", "policies", "blueprint", "router", "compliance", "evals", "prompts")

#: package → project packages it must never import.
FORBIDDEN: dict[str, frozenset[str]] = {
    "core": frozenset(PACKAGES) - {"core"},
    "components": frozenset({"stacks", "policies", "blueprint"}),
    "policies": frozenset({"stacks", "blueprint"}),
    "router": frozenset({"stacks", "components", "policies", "blueprint"}),
}


def imported_packages(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level project package) for every import in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in PACKAGES:
                yield node.lineno, top


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if ".venv" not in p.parts)


def edges() -> dict[str, set[str]]:
    """package → project packages it imports."""
    out: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for package in PACKAGES:
        for path in modules_of(package):
            out[package] |= {top for _, top in imported_packages(path) if top != package}
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_down_the_flow(package: str) -> None:
    bad = [f"{path.relative_to(ROOT)}:{line} imports {top}"
           for path in modules_of(package)
           for line, top in imported_packages(path) if top in FORBIDDEN[package]]
    assert bad == []


def test_blueprint_imports_nothing_that_imports_it_back() -> None:
    graph = edges()
    back = sorted(p for p in graph["blueprint"] if "blueprint" in graph[p])
    assert back == [], f"these packages import blueprint and are imported by it: {back}"


def test_the_import_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from stacks.settings import validate\n    import policies.rules\n")
    assert sorted(imported_packages(module)) == [(4, "stacks"), (5, "policies")]
