"""The MQL evaluator: count-weighted statistics, windows, filters, grouping, joins, pending duration."""

from __future__ import annotations

import pytest

from components.mql import parse
from components.mql_eval import (
    Datapoint,
    EvalError,
    Recording,
    duration_seconds,
    evaluate,
    evaluate_condition,
    from_metric_data,
    statistic,
)

pytestmark = pytest.mark.unit

NS = "ns"


def rec(*points: tuple[str, dict[str, str], float, float, int]) -> Recording:
    return Recording().extend(Datapoint(NS, m, d, t, v, c) for m, d, t, v, c in points)


def test_statistics_weigh_datapoints_by_count() -> None:
    pts = [(0.0, 0.5, 10), (60.0, 0.0, 30)]  # 5 errors of 10, then 0 of 30
    assert statistic("mean", pts) == pytest.approx(5 / 40)
    assert statistic("sum", pts) == pytest.approx(5.0)
    assert statistic("count", pts) == 40.0
    assert statistic("max", pts) == 0.5 and statistic("min", pts) == 0.0 and statistic("last", pts) == 0.0
    assert statistic("rate", [(0.0, 1.0, 1), (60.0, 61.0, 1)]) == pytest.approx(1.0)


def test_percentile_is_nearest_rank_over_counts() -> None:
    pts = [(0.0, 100.0, 94), (0.0, 9000.0, 6)]  # 6% of requests at 9 s
    assert statistic("percentile", pts, 0.95) == 9000.0
    assert statistic("percentile", [(0.0, 100.0, 96), (0.0, 9000.0, 4)], 0.95) == 100.0
    with pytest.raises(EvalError):
        statistic("median", pts)


def test_window_is_the_interval_ending_at_the_evaluation() -> None:
    r = rec(("m", {}, 60, 1, 1), ("m", {}, 120, 1, 1), ("m", {}, 400, 1, 1))
    (s,) = evaluate_condition(parse("m[5m].sum() > 0").conditions[0], r, NS, 360)
    assert s.value == 1.0  # (60, 360]: the point at 60 is outside, 120 inside, 400 not yet
    (s,) = evaluate_condition(parse("m[5m].sum() > 0").conditions[0], r, NS, 400)
    assert s.value == 2.0
    (s,) = evaluate_condition(parse("m[1m].sum() > 0").conditions[0], r, NS, 420)
    assert s.value == 1.0


def test_filters_fuzzy_and_missing_dimension() -> None:
    r = rec(("m", {"a": "x1"}, 60, 1, 1), ("m", {"a": "y"}, 60, 5, 1))
    values = lambda q: [s.value for s in evaluate_condition(parse(q).conditions[0], r, NS, 60)]  # noqa: E731
    assert values('m[1m]{a = "x1"}.sum() > 0') == [1.0]
    assert values('m[1m]{a != "x1"}.sum() > 0') == [5.0]
    assert values('m[1m]{a =~ "x*|z"}.sum() > 0') == [1.0]
    # OCI: a filter on a dimension the metric does not have filters nothing.
    assert sorted(values('m[1m]{nope = "q"}.sum() > 0')) == [1.0, 5.0]


def test_streams_separate_unless_grouped() -> None:
    r = rec(("m", {"a": "1", "b": "p"}, 60, 3, 1), ("m", {"a": "1", "b": "q"}, 60, 4, 1),
            ("m", {"a": "2", "b": "p"}, 60, 5, 1))
    cond = lambda q: evaluate_condition(parse(q).conditions[0], r, NS, 60)  # noqa: E731
    assert sorted(s.value for s in cond("m[1m].sum() > 0")) == [3.0, 4.0, 5.0]
    assert [s.value for s in cond("m[1m].grouping().sum() > 0")] == [12.0]
    assert sorted((s.dimensions["a"], s.value) for s in cond("m[1m].groupBy(a).sum() > 6")) == [("1", 7.0), ("2", 5.0)]
    assert [s.breached for s in cond("m[1m].groupBy(a).sum() > 6")] == [True, False]


def test_absent_and_joins() -> None:
    r = rec(("m", {}, 60, 1, 1), ("n", {}, 60, 10, 1))
    assert evaluate("m[1m].absent()", r, NS, start=600, end=600, pending="PT1M").breached_evaluations == 1
    assert evaluate("m[1m].absent()", r, NS, start=60, end=60).breached_evaluations == 0
    assert evaluate("zzz[1m].absent()", r, NS, start=60, end=60).breached_evaluations == 1
    # && binds tighter than ||: false && true || true
    assert evaluate("m[1m].sum() > 5 && n[1m].sum() > 5 || n[1m].sum() > 9", r, NS, start=60, end=60).breached_evaluations
    assert not evaluate("m[1m].sum() > 5 && n[1m].sum() > 5", r, NS, start=60, end=60).breached_evaluations
    assert evaluate("m[1m].sum() in (1, 2)", r, NS, start=60, end=60).breached_evaluations
    assert not evaluate("m[1m].sum() not in (1, 2)", r, NS, start=60, end=60).breached_evaluations


def test_pending_duration_must_elapse_with_the_condition_held() -> None:
    r = rec(*[("m", {}, 60 * i, 1, 1) for i in range(1, 8)])
    q = "m[1m].sum() > 0"
    out = evaluate(q, r, NS, start=60, end=600, pending="PT5M")
    assert out.fired and out.fired_at == 360 and out.value == 1.0
    assert not evaluate(q, r, NS, start=60, end=600, pending="PT10M").fired  # held 7 minutes only
    gap = rec(*[("m", {}, 60 * i, 1, 1) for i in (1, 2, 3, 5, 6, 7)])  # a minute without breach resets
    assert not evaluate(q, gap, NS, start=60, end=600, pending="PT3M").fired


def test_no_data_is_not_a_breach_and_bad_input_is_rejected() -> None:
    assert not evaluate("m[5m].sum() > 0", Recording(), NS, start=0, end=3600).fired
    assert not evaluate("m[5m].sum() < 1", Recording(), NS, start=0, end=3600).fired
    assert duration_seconds("PT1H30M") == 5400
    for bad in ("5m", "PT", "P1D"):
        with pytest.raises(EvalError):
            duration_seconds(bad)
    with pytest.raises(EvalError):
        Recording().add(Datapoint(NS, "m", {}, 0, 1, 0))


def test_posted_metric_data_becomes_datapoints() -> None:
    posted = [{"namespace": "genai_router", "name": "error_ratio", "dimensions": {"model": "chat"},
               "metadata": {"unit": "ratio"},
               "datapoints": [{"timestamp": "2026-11-26T12:00:00Z", "value": 0.2, "count": 50},
                              {"timestamp": "2026-11-26T12:01:00.000Z", "value": 0.0}]}]
    a, b = from_metric_data(posted)
    assert (a.namespace, a.metric, dict(a.dimensions), a.value, a.count) == ("genai_router", "error_ratio",
                                                                               {"model": "chat"}, 0.2, 50)
    assert b.timestamp - a.timestamp == 60 and b.count == 1
    assert {p.timestamp for p in from_metric_data(posted, at=600.0)} == {600.0}
