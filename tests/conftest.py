"""Shared fixtures: plan a stack (or a variant of one) offline, in-process, once per session.

Imports of the engine are lazy: the router suite runs from this same tree in .venv-router, where
Pulumi is deliberately absent, and pytest loads this file there too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from blueprint.graph import Graph

ROOT = Path(__file__).resolve().parent.parent
logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
logging.getLogger("blueprint.engine").propagate = False

_CACHE: dict[str, Graph] = {}


def plan_variant(stack: str = "prod", overrides: dict[str, Any] | None = None, *, preview: bool = False,
                 name: str | None = None) -> Graph:
    """Plan ``Pulumi.<stack>.yaml`` with config overrides (full keys, deep-merged) applied."""
    from blueprint import engine
    from blueprint.stackconfig import load_stack_config, with_overrides

    cfg = load_stack_config(ROOT, stack)
    if overrides:
        cfg = with_overrides(cfg, overrides, stack=name or stack)
    return engine.plan(cfg.stack, ROOT, preview=preview, config=cfg).graph


@pytest.fixture(scope="session")
def planned() -> Callable[[str], Graph]:
    """planned('dev') → the dev graph, planned once per test session."""

    def get(stack: str) -> Graph:
        if stack not in _CACHE:
            _CACHE[stack] = plan_variant(stack)
        return _CACHE[stack]

    return get


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def raw_stack_config(stack: str) -> tuple[dict[str, Any], str]:
    """Pulumi.<stack>.yaml's namespace keys as the program sees them offline (secure values → placeholder)."""
    from blueprint.stackconfig import load_stack_config, namespace_values

    cfg = load_stack_config(ROOT, stack)
    return namespace_values(cfg), cfg.values.get("oci:region", "")


def accepts_defined_tags(type_token: str) -> bool:
    """Whether the pulumi-oci resource class for ``type_token`` takes ``defined_tags``."""
    import importlib
    import inspect

    if not type_token.startswith("oci:"):
        return False  # Kubernetes objects and providers carry labels, not OCI defined tags
    module = type_token.split(":")[1].split("/")[0].lower()
    resource = getattr(importlib.import_module(f"pulumi_oci.{module}"), type_token.rsplit(":", 1)[-1])
    return "defined_tags" in inspect.signature(resource._internal_init).parameters


def cli_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI expecting bad input: exit 2, no traceback, exactly one line on stderr (returned)."""
    from blueprint.cli import main

    code = main(["--project-dir", str(ROOT), *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert code == 2, out.out
    lines = out.err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]
