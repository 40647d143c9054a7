"""Every field of every component Args TypedDict has a docstring line under it (docs/architecture.md, "Components")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit


def undocumented_fields(source: str) -> list[str]:
    """'Class.field' for each Args field with no string literal directly under it."""
    missing: list[str] = []
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef):
            continue
        if not any(isinstance(b, ast.Name) and b.id == "TypedDict" for b in cls.bases):
            continue
        body = cls.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                nxt = body[i + 1] if i + 1 < len(body) else None
                documented = (isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                              and isinstance(nxt.value.value, str) and nxt.value.value.strip())
                if not documented:
                    missing.append(f"{cls.name}.{stmt.target.id}")
    return missing


COMPONENT_FILES = sorted((ROOT / "components").glob("*.py"))


@pytest.mark.parametrize("path", COMPONENT_FILES, ids=[p.name for p in COMPONENT_FILES])
def test_every_args_field_is_documented(path: Path):
    assert undocumented_fields(path.read_text()) == []


def test_there_are_args_to_check():
    found = sum(p.read_text().count("(TypedDict):") for p in COMPONENT_FILES)
    assert found >= 3


def test_the_checker_flags_an_undocumented_field():
    source = '''
class ExampleArgs(TypedDict):
    documented: int
    """Says what it is."""
    bare: str
    empty: str
    """ """
'''
    assert undocumented_fields(source) == ["ExampleArgs.bare", "ExampleArgs.empty"]
