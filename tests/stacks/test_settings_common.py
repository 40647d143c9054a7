"""stacks/settings/common.py: the shared tier-minimum check and OCI Logging retention rule."""

from __future__ import annotations

import pytest

from stacks.settings.common import log_retention_for, tier_minimum

pytestmark = pytest.mark.unit


def _check(value: int, minimum: int, **kw: str) -> tuple[bool, list[tuple[str, str]]]:
    reported: list[tuple[str, str]] = []
    ok = tier_minimum(lambda path, message: reported.append((path, message)), "x.days", value, minimum,
                      "confidential", **kw)
    return ok, reported


def test_a_value_at_or_above_the_minimum_passes_silently() -> None:
    assert _check(90, 90) == (True, [])
    assert _check(120, 90) == (True, [])


def test_a_value_below_the_minimum_is_one_problem_naming_the_key_and_never_the_value() -> None:
    ok, reported = _check(37, 90)
    assert not ok
    assert reported == [("x.days", "shorter than the confidential tier requires; allowed: at least 90")]
    assert "37" not in reported[0][1]


def test_the_wording_can_name_the_shortfall_and_the_allowed_range() -> None:
    assert _check(1, 2, shortfall="fewer", allowed="2 to 60")[1] == [
        ("x.days", "fewer than the confidential tier requires; allowed: 2 to 60")]


@pytest.mark.parametrize(("minimum", "retention"), [(1, 30), (30, 30), (31, 60), (90, 90), (365, 180)])
def test_log_retention_rounds_up_to_oci_steps_and_caps_at_180(minimum: int, retention: int) -> None:
    assert log_retention_for(minimum) == retention
