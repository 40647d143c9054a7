"""The stack-config JSON schema: ``stacks/stack.schema.json`` with every ``stacks/schema/<plane>.json``.

Schema errors are worded by ``core.schema_errors`` (key path, what was wrong, what is allowed).
The validator follows JSON Schema's own semantics (``core.schema``): a pattern's ``$`` matches only
at the end of the text (no trailing newline slips past it) and ``integer`` means a whole number
written as one (``2.0`` is not a count). Before the schema, :func:`raw_problems` refuses what no
schema keyword expresses: control characters and terminal escapes in any text or key, NaN and
infinities, integers beyond 2**53, non-string keys and values nested deeper than the reader allows.
"""

from __future__ import annotations

import ipaddress
import json
import math
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from core.markers import SECRET_MARKER, OfflineSecret
from core.schema import strict
from core.yamlsafe import MAX_DEPTH, MAX_SAFE_INTEGER

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
    base = jsonschema.validators.validator_for(root)
    base.check_schema(root)
    resources = [(root["$id"], Resource.from_contents(root))]
    for part in sorted((SCHEMA_DIR / "schema").glob("*.json")):
        doc = _load_json(part)
        base.check_schema(doc)
        # Without its "$schema", a plane schema is validated by this validator's class (jsonschema
        # switches to the stock class of a referenced schema's dialect, dropping core.schema's semantics).
        if doc.pop("$schema", base.META_SCHEMA["$id"]) != base.META_SCHEMA["$id"]:
            raise ValueError(f"{part.name}: every plane schema must use the stack schema's dialect")
        resources.append((doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)))
    registry: Registry = Registry().with_resources(resources)
    validator: jsonschema.protocols.Validator = strict(base)(root, registry=registry, format_checker=_format_checker())
    return validator


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


#: Keywords that judge a string's content: the offline placeholder cannot satisfy them, the real secret will.
_CONTENT_KEYWORDS = frozenset({"pattern", "minLength", "maxLength", "format"})


def is_offline_secret(error: jsonschema.ValidationError, offline_secret: Callable[[str], bool]) -> bool:
    """A ``secure:`` value the offline engine could not decrypt: its content is checked where it is decrypted.

    Only where the engine itself put the placeholder (its ``OfflineSecret`` object, or
    ``offline_secret(path)`` for the key paths it marked secret) and only for content checks: the
    same text written as a plain value, or in a key that takes no secret, is judged like any other.
    """
    from core.schema_errors import dotted

    schema = error.schema if isinstance(error.schema, dict) else {}
    return (error.validator in _CONTENT_KEYWORDS and bool(schema.get("x-secret")) and error.instance == SECRET_MARKER
            and (isinstance(error.instance, OfflineSecret) or offline_secret(dotted(error.absolute_path))))


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in text)


def raw_problems(raw: Mapping[str, Any]) -> Iterator[tuple[list[str | int], str]]:
    """(key path, message) for each value no schema keyword can refuse; iterative, so any depth is safe."""
    stack: list[tuple[Any, list[str | int]]] = [(raw, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            yield path[:MAX_DEPTH], f"nested deeper than {MAX_DEPTH} levels"
            continue
        if isinstance(value, Mapping):
            for key, child in value.items():
                if not isinstance(key, str):
                    yield path, "has a key that is not text; allowed: string keys (quote them)"
                elif _has_control(key):
                    yield [*path, key], "key contains a control character or terminal escape; allowed: printable text"
                else:
                    stack.append((child, [*path, key]))
        elif isinstance(value, list):
            stack.extend((child, [*path, i]) for i, child in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, float) and not math.isfinite(value):
            yield path, "not a finite number; allowed: a finite number"
        elif isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
            yield path, "too large; allowed: at most 2**53 in magnitude"
        elif isinstance(value, str) and _has_control(value):
            yield path, "contains a control character or terminal escape; allowed: printable text"
