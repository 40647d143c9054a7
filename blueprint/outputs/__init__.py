"""Output formats behind one registry: every module here defines ``FORMAT``; a new format is one new file.

A format has a ``kind``: ``findings`` formats render `blueprint check` results (a list of
``StackResult``); ``report`` formats render one framework's compliance model for `blueprint report`.
``render`` returns the whole document as text.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class RenderOptions:
    allow_indeterminate: bool = False
    show_pass: bool = False
    #: the table may use colour (a terminal, not a file)
    color: bool = False
    width: int | None = None


@dataclass(frozen=True)
class OutputFormat:
    name: str
    kind: str  # findings | report
    suffix: str
    description: str
    render: Callable[..., str]
    #: report formats: the file each framework's document is written to
    filename: str = ""


@cache
def formats() -> dict[str, OutputFormat]:
    found: dict[str, OutputFormat] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        fmt = importlib.import_module(f"{__name__}.{info.name}").FORMAT
        key = (fmt.kind, fmt.name)
        if any((f.kind, f.name) == key for f in found.values()):
            raise ValueError(f"output format {fmt.kind}/{fmt.name} is defined twice")
        found[f"{fmt.kind}:{fmt.name}"] = fmt
    return found


def names(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in formats().values() if f.kind == kind)


def get(kind: str, name: str) -> OutputFormat:
    return formats()[f"{kind}:{name}"]


def render(kind: str, name: str, model: Any, options: RenderOptions | None = None) -> str:
    return get(kind, name).render(model, options or RenderOptions())
