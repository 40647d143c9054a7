"""The program's rules (docs/architecture.md, "The program").

The same code must behave identically under the CLI and offline.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit

PROGRAM_FILES = [ROOT / "__main__.py", *sorted((ROOT / "stacks").rglob("*.py")), *sorted((ROOT / "components").glob("*.py"))]
FORBIDDEN_CALLS = {"is_dry_run", "getenv", "putenv"}
FORBIDDEN_ATTRS = {"environ"}


def violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRS | FORBIDDEN_CALLS:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_CALLS:
            found.append(f"line {node.lineno}: {node.id}")
    return found


@pytest.mark.parametrize("path", PROGRAM_FILES, ids=[str(p.relative_to(ROOT)) for p in PROGRAM_FILES])
def test_program_reads_no_environment_and_never_branches_on_preview(path: Path):
    assert violations(path.read_text()) == []


def test_the_scanner_catches_both():
    assert len(violations("import os, pulumi\nif pulumi.runtime.is_dry_run(): x = os.environ['A']\n")) == 2


def test_importing_the_program_modules_declares_nothing():
    modules = ["stacks.settings", "stacks.platform"] + [f"components.{p.stem}" for p in (ROOT / "components").glob("*.py")]
    code = (f"import importlib, sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "import pulumi.runtime.settings as s\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(s.get_root_resource() is None and not s.SETTINGS.outputs)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "True"
