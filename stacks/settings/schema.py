"""The stack-config JSON schema: ``stacks/stack.schema.json`` with every ``stacks/schema/<plane>.json``.

Schema errors are worded by ``core.schema_errors`` (key path, what was wrong, what is allowed).
"""

from __future__ import annotations

import ipaddress
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from core.markers import SECRET_MARKER

SCHEMA_DIR = Path(__file__).resolve().parent.parent
"""``stacks/``: holds ``stack.schema.json`` and ``schema/<plane>.json``."""


def _load_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def stack_validator() -> jsonschema.protocols.Validator:
    """The stack-config validator, with every plane schema under stacks/schema/ registered."""
    root = _load_json(SCHEMA_DIR / "stack.schema.json")
    resources = [(root["$id"], Resource.from_contents(root))]
    for part in sorted((SCHEMA_DIR / "schema").glob("*.json")):
        doc = _load_json(part)
        resources.append((doc["$id"], Resource.from_contents(doc)))
    registry: Registry = Registry().with_resources(resources)
    cls = jsonschema.validators.validator_for(root)
    cls.check_schema(root)
    return cls(root, registry=registry, format_checker=_format_checker())


def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the type keyword reports it
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return isinstance(net, ipaddress.IPv4Network) and "/" in value


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("cidr")(_is_cidr)
    return checker


def is_offline_secret(error: jsonschema.ValidationError) -> bool:
    """A ``secure:`` value the offline engine could not decrypt: its format is checked where it is decrypted."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    return error.validator == "pattern" and bool(schema.get("x-secret")) and error.instance == SECRET_MARKER
