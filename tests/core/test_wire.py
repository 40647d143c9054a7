"""core.wire reads a Struct exactly as google.protobuf.json_format.MessageToDict does."""

from __future__ import annotations

import math

import pytest
from google.protobuf import json_format, struct_pb2

from core.wire import struct_to_dict

pytestmark = pytest.mark.unit

SAMPLES = [
    {},
    {"s": "text", "n": 443, "f": 0.5, "neg": -2, "t": True, "f0": False, "none": None},
    {"nested": {"list": [1, "two", None, [True, {"deep": {"x": 1e300}}]], "empty": {}, "nothing": []}},
    {"order": 1, "keys": 2, "stay": 3, "as": 4, "written": 5},
    {"secret": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "x"}},
]


def _struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


@pytest.mark.parametrize("sample", SAMPLES)
def test_same_values_types_and_order_as_message_to_dict(sample):
    message = _struct(sample)
    ours, theirs = struct_to_dict(message), json_format.MessageToDict(message)
    assert ours == theirs
    assert repr(ours) == repr(theirs)  # floats stay floats, key order is the same


def test_an_unset_value_reads_as_none_like_message_to_dict():
    message = struct_pb2.Struct()
    message.fields["unset"].CopyFrom(struct_pb2.Value())
    assert struct_to_dict(message) == json_format.MessageToDict(message) == {"unset": None}


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_non_finite_numbers_are_refused_like_message_to_dict(number):
    message = _struct({"x": [number]})
    with pytest.raises(ValueError):
        json_format.MessageToDict(message)
    with pytest.raises(ValueError):
        struct_to_dict(message)
