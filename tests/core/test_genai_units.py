"""The dedicated AI cluster unit shapes the schema allows are exactly the ones core.genai_units prices."""

from __future__ import annotations

import json

import pytest

from core.genai_units import UNIT_SHAPES, hourly_usd, unit_hour_usd
from tests.conftest import ROOT

pytestmark = pytest.mark.unit


def test_schema_allows_exactly_the_priced_shapes() -> None:
    schema = json.loads((ROOT / "stacks" / "schema" / "model.json").read_text(encoding="utf-8"))
    enum = schema["properties"]["dedicatedClusters"]["items"]["properties"]["unitShape"]["enum"]
    assert sorted(enum) == sorted(UNIT_SHAPES)
    # model.unitPrices: one negotiated price per priced shape, no other key.
    assert list(schema["properties"]["unitPrices"]["properties"]) == list(UNIT_SHAPES)


def test_hourly_cost_is_units_times_multiplier_times_unit_price() -> None:
    # limitations.htm: Large Cohere V2_2 hosts at "Multiply the Unit Price: x2".
    assert hourly_usd("LARGE_COHERE_V2_2", 2) == pytest.approx(2 * 2 * UNIT_SHAPES["LARGE_COHERE_V2_2"].unit_hour_usd)
    assert {s.mode for s in UNIT_SHAPES.values()} == {"chat", "embedding"}
    assert [n for n, s in UNIT_SHAPES.items() if s.mode == "embedding"] == ["EMBED_COHERE"]


def test_every_shape_says_where_its_facts_were_read_and_what_was_not() -> None:
    for name, shape in UNIT_SHAPES.items():
        assert "limitations.htm" in shape.evidence, name
        # Until Oracle's price list is read, every row says its price comes from a secondary copy, not Oracle's.
        assert "not read on an Oracle page" in shape.evidence and "2026-11-26" in shape.evidence, name
        assert "third-party copy" in shape.evidence, name


def test_the_effective_unit_price_is_the_stacks_where_set_else_the_list_price() -> None:
    negotiated = {"LARGE_COHERE_V2_2": 15.0}
    assert unit_hour_usd("LARGE_COHERE_V2_2", negotiated) == 15.0
    assert unit_hour_usd("SMALL_COHERE_V2", negotiated) == UNIT_SHAPES["SMALL_COHERE_V2"].unit_hour_usd
    assert unit_hour_usd("LARGE_COHERE_V2_2") == UNIT_SHAPES["LARGE_COHERE_V2_2"].unit_hour_usd
    assert hourly_usd("LARGE_COHERE_V2_2", 2, negotiated) == pytest.approx(2 * 2 * 15.0)
