"""Shared fixtures: plan a stack (or a variant of one) offline, in-process, once per session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from blueprint import engine
from blueprint.graph import Graph
from blueprint.stackconfig import load_stack_config, with_overrides

ROOT = Path(__file__).resolve().parent.parent
logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
logging.getLogger("blueprint.engine").propagate = False

_CACHE: dict[str, Graph] = {}


def plan_variant(stack: str = "prod", overrides: dict[str, Any] | None = None, *, preview: bool = False,
                 name: str | None = None) -> Graph:
    """Plan ``Pulumi.<stack>.yaml`` with config overrides (full keys, deep-merged) applied."""
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
    from stacks.settings import NAMESPACE, _decode

    cfg = load_stack_config(ROOT, stack)
    raw = {k.split(":", 1)[1]: _decode(v) for k, v in cfg.values.items() if k.startswith(NAMESPACE + ":")}
    return raw, cfg.values.get("oci:region", "")
