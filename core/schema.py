"""JSON Schema validation with JSON Schema's own string and number semantics, not Python's.

Two places where the ``jsonschema`` package follows Python rather than the specification bite input
validation:

- ``pattern`` is an ECMA-262 regular expression (JSON Schema 2020-12, section 6.3.3), where ``$``
  (without the multiline flag) matches only at the very end of the text. ``jsonschema`` hands the
  pattern to Python's ``re.search``, where ``$`` also matches *before a final newline*, so
  ``^[a-z]+$`` accepts ``"abc\\n"``. Here every unescaped ``$`` outside a character class is
  compiled as ``\\Z`` (end of text only).
- ``integer`` accepts ``2.0`` (a number with a zero fraction). Config counts must be written as
  whole numbers; ``2.0`` is refused like ``2.5``.

https://json-schema.org/draft/2020-12/json-schema-validation#section-6.3.3
https://262.ecma-international.org/#sec-assertion (``$`` without the m flag: end of input)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import jsonschema
from jsonschema import ValidationError


def ecma_anchors(pattern: str) -> str:
    """``pattern`` with each unescaped ``$`` outside ``[...]`` replaced by ``\\Z``."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "$":
            ch = r"\Z"
        out.append(ch)
        i += 1
    return "".join(out)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_anchors(pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"does not match {pattern!r}")


def _is_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def strict(cls: Any) -> Any:
    """A validator class like ``cls`` with ECMA ``$`` in patterns and whole-number-only integers."""
    return jsonschema.validators.extend(
        cls, validators={"pattern": _pattern},
        type_checker=cls.TYPE_CHECKER.redefine("integer", _is_integer),
    )


StrictDraft202012 = strict(jsonschema.Draft202012Validator)
