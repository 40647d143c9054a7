"""Rule families: every module here exposes ``RULES``; the registry is the union, ids unique."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from policies.rules._base import Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule of every family module under policies/rules/ (modules starting with '_' excluded)."""
    rules: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for rule in module.RULES:
            rules.append(rule if rule.family else _with_family(rule, info.name))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
    return tuple(rules)


def _with_family(rule: Rule, family: str) -> Rule:
    from dataclasses import replace

    return replace(rule, family=family)
