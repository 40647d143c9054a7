"""Evaluate alarm queries (the MQL subset ``components/mql.py`` parses) over recorded datapoints on
a simulated clock: the alarm tests' engine, as ``promtool test rules`` is for Prometheus rules.

Plain Python (standard library only), so the router's own venv can feed it the metric batches the
proxy posts to the loopback OCI stub.

Semantics, from OCI Monitoring's documentation:

- A *metric stream* is one metric with one set of dimension values; a datapoint is
  ``{timestamp, value, count}`` where ``count`` is "the number of occurrences of the associated
  value in the set of data" (default 1)
  (https://docs.oracle.com/en-us/iaas/tools/python/latest/api/monitoring/models/oci.monitoring.models.Datapoint.html).
  Statistics therefore weigh each datapoint by its count: ``sum`` = Σ value×count,
  ``mean`` = Σ value×count ÷ Σ count, ``count`` = Σ count, ``percentile(p)`` = the smallest value
  whose cumulative count reaches p of the total (nearest rank), ``max``/``min``/``last`` ignore
  counts, ``rate`` = (last − first) ÷ seconds between them.
- ``metric[5m]`` aggregates each 5-minute window; an alarm's query is evaluated every
  ``resolution`` (alarms accept only ``1m``) over the window ending at the evaluation time
  (https://docs.oracle.com/en-us/iaas/Content/Monitoring/Reference/mql.htm).
- Dimension filters ``{a = "x", b =~ "y*|z"}`` are ANDed; ``=~`` is fuzzy matching: ``|``
  separates alternatives and ``*`` matches any characters. "If the dimension doesn't exist, then
  data isn't filtered" (https://docs.oracle.com/en-us/iaas/Content/Monitoring/Tasks/query-metric-dimension.htm):
  a filter on a dimension no stream of the metric carries is ignored, exactly the silent failure
  the metric-contract rule (``policies/rules/metrics.py``) keeps out of our alarms.
- Without grouping each stream is evaluated on its own; ``.grouping()`` aggregates all matching
  streams into one, ``.groupBy(d, …)`` one per combination of ``d`` values. The condition holds
  when any resulting stream breaches.
- ``&&`` binds tighter than ``||``.
- Pending duration: "the period of time that the condition must persist before the alarm
  state changes from OK to FIRING"
  (https://docs.oracle.com/en-us/iaas/api/#/en/monitoring/20180401/Alarm/): the alarm fires at the
  first evaluation at which the condition has held at every evaluation of the last ``pending``.
  A condition without data is *not* breached (OCI reports such an alarm as OK unless it
  uses ``absent()``).

``Recording`` holds datapoints; ``evaluate(query, recording, start, end, pending)`` returns an
``Outcome`` (fired or not, when, and the value that breached).
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from components.mql import Condition, Query, parse

RESOLUTION_S = 60
_UNIT_S = {"m": 60, "h": 3600, "d": 86400}
_ISO = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")


class EvalError(ValueError):
    """A query the evaluator cannot evaluate (names the part, never a dimension value)."""


@dataclass(frozen=True)
class Datapoint:
    namespace: str
    metric: str
    dimensions: Mapping[str, str]
    timestamp: float
    """Seconds on the simulated clock."""
    value: float
    count: int = 1


@dataclass
class Recording:
    """Datapoints per (namespace, metric), kept in time order."""

    _streams: dict[tuple[str, str], dict[tuple[tuple[str, str], ...], list[tuple[float, float, int]]]] = field(
        default_factory=dict)

    def add(self, point: Datapoint) -> None:
        if point.count < 1:
            raise EvalError("a datapoint's count must be at least 1")
        streams = self._streams.setdefault((point.namespace, point.metric), {})
        series = streams.setdefault(tuple(sorted(point.dimensions.items())), [])
        bisect.insort(series, (float(point.timestamp), float(point.value), int(point.count)))

    def extend(self, points: Iterable[Datapoint]) -> Recording:
        for p in points:
            self.add(p)
        return self

    def metrics(self) -> set[tuple[str, str]]:
        return set(self._streams)

    def streams(self, namespace: str, metric: str) -> dict[tuple[tuple[str, str], ...], list[tuple[float, float, int]]]:
        return self._streams.get((namespace, metric), {})


def from_metric_data(details: Iterable[Mapping[str, Any]], *, at: float | None = None) -> list[Datapoint]:
    """Datapoints from PostMetricData's ``metricData`` (MetricDataDetails: namespace, name, dimensions,
    datapoints of RFC 3339 timestamp, value and count;
    https://docs.oracle.com/en-us/iaas/api/#/en/monitoring/20180401/datatypes/MetricDataDetails),
    as the router posts them. ``at`` re-times every datapoint onto one simulated second (a
    captured minute replayed on the scenario clock)."""
    out = []
    for d in details:
        for p in d.get("datapoints") or ():
            ts = at if at is not None else datetime.fromisoformat(str(p["timestamp"]).replace("Z", "+00:00")).timestamp()
            out.append(Datapoint(str(d["namespace"]), str(d["name"]), dict(d.get("dimensions") or {}), float(ts),
                                 float(p["value"]), int(p.get("count") or 1)))
    return out


def interval_seconds(interval: str) -> int:
    return int(interval[:-1]) * _UNIT_S[interval[-1]]


def duration_seconds(iso: str) -> int:
    """Seconds of an alarm pending duration such as ``PT5M`` or ``PT1H30M``."""
    m = _ISO.fullmatch(iso)
    if m is None or not (m.group(1) or m.group(2)):
        raise EvalError("pending duration must look like PT5M or PT1H")
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60


def _fuzzy(pattern: str, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, alt) for alt in pattern.split("|"))


def stream_matches(dims: Mapping[str, str], cond: Condition, known: set[str]) -> bool:
    """Whether a stream with dimensions ``dims`` passes the condition's filters (``known``: the dimension
    names the metric's streams carry; a filter on any other name filters nothing, as OCI does)."""
    for f in cond.filters:
        if f.dimension not in known:
            continue  # OCI: a dimension the metric does not have filters nothing
        value = dims.get(f.dimension)
        if f.operator == "=":
            ok = value == f.value
        elif f.operator == "!=":
            ok = value != f.value
        else:
            ok = value is not None and _fuzzy(f.value, value)
        if not ok:
            return False
    return True


def statistic(name: str, points: Sequence[tuple[float, float, int]], percentile: float | None = None) -> float:
    """One statistic over (timestamp, value, count) datapoints (non-empty, time-ordered)."""
    if name == "sum":
        return sum(v * c for _, v, c in points)
    if name == "count":
        return float(sum(c for _, _, c in points))
    if name == "mean":
        return sum(v * c for _, v, c in points) / sum(c for _, _, c in points)
    if name == "max":
        return max(v for _, v, _ in points)
    if name == "min":
        return min(v for _, v, _ in points)
    if name == "last":
        return points[-1][1]
    if name == "rate":
        elapsed = points[-1][0] - points[0][0]
        return 0.0 if elapsed <= 0 else (points[-1][1] - points[0][1]) / elapsed
    if name == "percentile":
        if percentile is None:
            raise EvalError("percentile() needs its argument")
        ordered = sorted((v, c) for _, v, c in points)
        total = sum(c for _, c in ordered)
        rank, seen = percentile * total, 0
        for v, c in ordered:
            seen += c
            if seen >= rank:
                return v
        return ordered[-1][0]
    raise EvalError(f"statistic {name!r} is not supported")


def _compare(value: float, operator: str, threshold: tuple[float, ...]) -> bool:
    if operator == "in":
        return threshold[0] <= value <= threshold[1]
    if operator == "not in":
        return not threshold[0] <= value <= threshold[1]
    t = threshold[0]
    return {">": value > t, ">=": value >= t, "<": value < t, "<=": value <= t, "==": value == t,
            "!=": value != t}[operator]


@dataclass(frozen=True)
class StreamValue:
    dimensions: Mapping[str, str]
    value: float | None
    """None for an absent stream (``absent()`` conditions)."""
    breached: bool


def evaluate_condition(cond: Condition, recording: Recording, namespace: str, at: float) -> list[StreamValue]:
    """Each resulting stream's statistic over the window (at − interval, at] and whether it breaches."""
    window = interval_seconds(cond.interval)
    streams = recording.streams(namespace, cond.metric)
    known = {d for key in streams for d, _ in key}
    groups: dict[tuple[tuple[str, str], ...], list[tuple[float, float, int]]] = {}
    seen_groups: set[tuple[tuple[str, str], ...]] = set()
    for key, series in streams.items():
        dims = dict(key)
        if not stream_matches(dims, cond, known):
            continue
        group = key if cond.group_by is None else tuple((d, dims.get(d, "")) for d in cond.group_by)
        seen_groups.add(group)
        lo = bisect.bisect_right(series, (at - window, float("inf"), 0))
        hi = bisect.bisect_right(series, (at, float("inf"), 0))
        if hi > lo:
            groups.setdefault(group, []).extend(series[lo:hi])
    if cond.statistic == "absent":
        if not seen_groups:
            return [StreamValue({}, None, True)]
        return [StreamValue(dict(g), None, g not in groups) for g in sorted(seen_groups)]
    out = []
    for group, points in sorted(groups.items()):
        points.sort()
        value = statistic(cond.statistic, points, cond.percentile)
        assert cond.operator is not None
        out.append(StreamValue(dict(group), value, _compare(value, cond.operator, cond.threshold)))
    return out


def condition_holds(query: Query, recording: Recording, namespace: str, at: float) -> tuple[bool, float | None]:
    """Whether the whole query holds at ``at`` (&& before ||), and the first breaching value."""
    results = [evaluate_condition(c, recording, namespace, at) for c in query.conditions]
    firsts = [next((s for s in r if s.breached), None) for r in results]
    terms: list[list[int]] = [[0]]
    for i, join in enumerate(query.joins, start=1):
        if join == "&&":
            terms[-1].append(i)
        else:
            terms.append([i])
    for term in terms:
        if all(firsts[i] is not None for i in term):
            hit = firsts[term[0]]
            return True, hit.value if hit else None
    return False, None


@dataclass(frozen=True)
class Outcome:
    fired: bool
    fired_at: float | None
    """Simulated time of the first FIRING evaluation."""
    value: float | None
    """The breaching statistic at that evaluation."""
    breached_evaluations: int
    """Evaluations at which the condition held (pending or firing)."""


def evaluate(query: str | Query, recording: Recording, namespace: str, *, start: float, end: float,
             pending: str = "PT1M", resolution_s: int = RESOLUTION_S) -> Outcome:
    """Run an alarm from ``start`` to ``end`` (inclusive), evaluating every ``resolution_s``."""
    parsed = parse(query) if isinstance(query, str) else query
    pending_s = duration_seconds(pending)
    breach_since: float | None = None
    breached = 0
    t = start
    while t <= end:
        holds, value = condition_holds(parsed, recording, namespace, t)
        if holds:
            breached += 1
            breach_since = t if breach_since is None else breach_since
            if t - breach_since >= pending_s:
                return Outcome(True, t, value, breached)
        else:
            breach_since = None
        t += resolution_s
    return Outcome(False, None, None, breached)
