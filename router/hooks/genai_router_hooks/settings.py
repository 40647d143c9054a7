"""The hooks' own settings: the `genai_router` section of the rendered proxy config.

LiteLLM ignores top-level config keys it does not know, so the renderer writes the hooks'
settings beside LiteLLM's in the same file; the proxy's `CONFIG_FILE_PATH` (or
`GENAI_ROUTER_CONFIG`) names it. Prices come from each deployment's `model_info`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import yaml


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The `genai_router` section; raises rather than run with guardrails silently off."""
    path = os.environ.get("GENAI_ROUTER_CONFIG") or os.environ.get("CONFIG_FILE_PATH")
    if not path or not os.path.exists(path):
        raise RuntimeError("genai_router_hooks: set GENAI_ROUTER_CONFIG to the rendered config.yaml")
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    section = doc.get("genai_router")
    if not isinstance(section, dict):
        raise RuntimeError(
            "genai_router_hooks: the config has no genai_router section; render it with router.render"
        )
    return dict(section)
