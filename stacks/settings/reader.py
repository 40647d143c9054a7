"""The Pulumi config reader: the only place that reads ``pulumi.Config`` (or the runtime's config)."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from stacks.settings.common import NAMESPACE


def _config_map() -> dict[str, Any]:
    """All config the engine handed the program (the CLI, or the offline engine)."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def decode(value: Any) -> Any:
    """Structured config arrives JSON-encoded; scalars arrive as strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):  # not JSON, an oversized number, or nested too deeply:
            return value  # left as text, so the schema reports the key's wrong type
    return value


def read_config() -> tuple[dict[str, Any], str | None]:
    """This stack's namespace keys (namespace stripped, structured values decoded) and its ``oci:region``."""
    prefix = NAMESPACE + ":"
    raw: dict[str, Any] = {}
    for key, value in _config_map().items():
        if key.startswith(prefix):
            raw[key[len(prefix):]] = decode(value)
    return raw, pulumi.Config("oci").get("region")
