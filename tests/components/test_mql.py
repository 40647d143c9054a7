"""The MQL parser: accepts the documented alarm-query forms, rejects malformed ones with a located error."""

from __future__ import annotations

import pytest

from components.mql import MqlError, parse

pytestmark = pytest.mark.unit


def test_simple_threshold() -> None:
    q = parse("CpuUtilization[1m].mean() > 80")
    (c,) = q.conditions
    assert (c.metric, c.interval, c.statistic, c.operator, c.threshold) == ("CpuUtilization", "1m", "mean", ">", (80.0,))
    assert c.filters == () and c.group_by is None and q.joins == ()


def test_filters_grouping_percentile() -> None:
    q = parse('latency_ms[5m]{model = "cohere", route =~ "chat*"}.groupBy(model, route).percentile(0.95) >= 8000')
    (c,) = q.conditions
    assert [(f.dimension, f.operator, f.value) for f in c.filters] == [("model", "=", "cohere"), ("route", "=~", "chat*")]
    assert c.group_by == ("model", "route")
    assert c.statistic == "percentile" and c.percentile == 0.95
    assert (c.operator, c.threshold) == (">=", (8000.0,))


def test_grouping_absent_range_and_joins() -> None:
    q = parse("requests[5m].grouping().absent() || errors[1h].sum() not in (0, 5) && x[60m].rate() < 0.5")
    assert q.joins == ("||", "&&")
    assert q.conditions[0].statistic == "absent" and q.conditions[0].group_by == ()
    assert q.conditions[0].operator is None
    assert (q.conditions[1].operator, q.conditions[1].threshold) == ("not in", (0.0, 5.0))
    assert q.conditions[2].statistic == "rate"


def test_every_statistic_and_comparator() -> None:
    for stat in ("rate", "sum", "mean", "min", "max", "count", "last"):
        for op in (">", ">=", "<", "<=", "==", "!="):
            assert parse(f"m[1m].{stat}() {op} 1").conditions[0].statistic == stat


@pytest.mark.parametrize("query, fragment", [
    ("", "empty query"),
    ("CpuUtilization.mean() > 80", "'[' and an interval"),
    ("CpuUtilization[].mean() > 80", "an interval"),
    ("CpuUtilization[5x].mean() > 80", "unexpected character at offset 15"),
    ("CpuUtilization[2h].mean() > 80", "1m to 60m, or 1h"),
    ("CpuUtilization[61m].mean() > 80", "1m to 60m, or 1h"),
    ("CpuUtilization[0m].mean() > 80", "at least 1"),
    ("CpuUtilization[5m].median() > 80", "unknown statistic"),
    ("CpuUtilization[5m].mean > 80", "expected ("),
    ("CpuUtilization[5m].mean()", "a comparison"),
    ("CpuUtilization[5m].mean() > ", "a numeric threshold"),
    ("CpuUtilization[5m].mean() => 80", "a comparison"),
    ("CpuUtilization[5m]{resourceId = x}.mean() > 80", "double-quoted"),
    ("CpuUtilization[5m]{resourceId > \"x\"}.mean() > 80", "'=', '=~' or '!='"),
    ('CpuUtilization[5m]{resourceId = "x"', "',' or '}'"),
    ("CpuUtilization[5m].percentile(95) > 80", "between 0 and 1"),
    ("CpuUtilization[5m].groupBy().mean() > 80", "a dimension to group by"),
    ("CpuUtilization[5m].mean() > 80 &&", "a metric name"),
    ("CpuUtilization[5m].mean() > 80 80", "end of query"),
    ("CpuUtilization[5m].mean() in (5, 1)", "lower bound above"),
    ("(errors[1m].sum() / requests[1m].sum()) > 0.01", "unexpected character"),  # no arithmetic
    ("(errors[1m].sum()) > 0.01", "a metric name"),
    ("errors[1m].sum() / requests[1m].sum() > 0.01", "unexpected character"),
    ("Cpu$[1m].mean() > 1", "unexpected character"),
])
def test_malformed_queries_are_rejected(query: str, fragment: str) -> None:
    with pytest.raises(MqlError) as err:
        parse(query)
    assert fragment in str(err.value)


def test_longer_intervals_allowed_outside_alarms() -> None:
    assert parse("m[1d].mean() > 1", for_alarm=False).conditions[0].interval == "1d"
