"""Pulumi's wire values (``google.protobuf.Struct``) read as plain Python, the way
``google.protobuf.json_format.MessageToDict`` reads them: numbers as floats (NaN and infinity
refused), strings, booleans, None, lists and dicts in field order.

The offline engine reads every registration's inputs this way and the direct rule evaluator reads
every resource's properties this way (as pulumi-policy's analyzer servicer does with
``MessageToDict``); walking the Struct directly skips protobuf's reflection-driven printer.
tests/core/test_wire.py checks it against ``MessageToDict``.
"""

from __future__ import annotations

import math
from typing import Any

from google.protobuf import struct_pb2


def struct_to_dict(message: struct_pb2.Struct) -> dict[str, Any]:
    fields = message.fields
    return {key: value_to_python(fields[key]) for key in fields}


def value_to_python(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [value_to_python(item) for item in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        number = value.number_value
        if not math.isfinite(number):
            raise ValueError("a Struct number is NaN or infinite")  # as MessageToDict refuses it
        return number
    return None  # null_value, or no kind set
