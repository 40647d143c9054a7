"""Wording of JSON-schema errors: what was wrong and what is allowed, never the value.

Used for the stack config (``stacks/settings``) and the classification matrix (``core.tiers``).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from core.inputs import escape, key_path


def dotted(path: Any) -> str:
    """A JSON path as the user writes it: ``network.subnets.data``, ``model.catalog[0].name`` (keys escaped)."""
    return key_path(path)


_JSON_TYPES = {"object": "an object (mapping)", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false"}


def describe(error: jsonschema.ValidationError) -> str:
    """One line: what was wrong and what the schema allows (the value itself is never quoted)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    value: Any = error.validator_value
    if v == "type":
        names = [value] if isinstance(value, str) else list(value)
        return "wrong type; expected " + " or ".join(_JSON_TYPES.get(n, n) for n in names)
    if v == "enum":
        return "not an allowed value; allowed: " + ", ".join(json.dumps(x) for x in value)
    if v == "const":
        return f"must be {json.dumps(value)}"
    if v == "required":
        missing = [k for k in value if isinstance(error.instance, dict) and k not in error.instance]
        return "missing required key " + ", ".join(f"'{escape(k)}'" for k in missing)
    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        return "unknown key " + ", ".join(f"'{escape(str(k))}'" for k in extra) + "; allowed keys: " + ", ".join(allowed)
    if v == "pattern":
        return "badly formed; expected " + schema.get("x-allowed", "a value matching the documented format")
    if v == "format":
        return "not a valid IPv4 CIDR block; expected a.b.c.d/n with no host bits set"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        lo, hi = schema.get("minimum"), schema.get("maximum")
        above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if above is None and below is None:
            return f"out of range; allowed: {lo if lo is not None else '-inf'} to {hi if hi is not None else 'inf'}"
        # An exclusive bound is not a value of the range: "0 to 1" (or "-inf to 1") would misstate (0, 1].
        bounds = [f"more than {above}" if above is not None else f"at least {lo}" if lo is not None else "",
                  f"less than {below}" if below is not None else f"at most {hi}" if hi is not None else ""]
        return "out of range; allowed: " + " and ".join(b for b in bounds if b)
    if v in ("minItems", "maxItems"):
        lo, hi = schema.get("minItems", 0), schema.get("maxItems")
        return f"wrong number of items; allowed: {lo} to {hi if hi is not None else 'any number'}"
    if v == "uniqueItems":
        return "has duplicate items; items must be unique"
    if v in ("minLength", "maxLength"):
        return f"wrong length; allowed: {schema.get('minLength', 0)} to {schema.get('maxLength', 'any')} characters"
    return f"failed the '{v}' check of the schema"
