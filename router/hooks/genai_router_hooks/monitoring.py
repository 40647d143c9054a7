"""Metrics to OCI Monitoring: per-minute aggregation of the contract's metrics, posted in batches.

Observations (one per request, attempt or detection) are aggregated per minute and per stream
(metric + dimension values) on the emitter thread, as ``contract`` describes for each
aggregation, then posted with the OCI SDK's ``MonitoringClient.post_metric_data`` on the
telemetry-ingestion endpoint (``https://telemetry-ingestion.<region>.oraclecloud.com``; the SDK's
own template is the query endpoint ``telemetry.<region>``, so the ingestion one is passed as
``service_endpoint``), at most 50 streams per call, ``batch_atomicity=NON_ATOMIC`` so one bad
stream does not sink the rest. Every flush interval (and on ``flush``) the emitter posts what
it aggregated since the last post, one datapoint set per stream and minute; a minute split
across two posts becomes two datapoint sets, which every aggregation above adds up correctly
(sums add, ratios and means are weighted by their counts). Data older than OCI accepts (two
hours) is dropped and counted.
API: https://docs.oracle.com/en-us/iaas/api/#/en/monitoring/20180401/MetricData/PostMetricData
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from genai_router_hooks import contract
from genai_router_hooks.emitter import Emitter

MAX_AGE_S = 2 * 3600 - 300
"""OCI refuses datapoints two hours old; keep a five-minute margin."""


def ingestion_endpoint(region: str) -> str:
    """PostMetricData's endpoint: `telemetry` replaced by `telemetry-ingestion` (API reference)."""
    return f"https://telemetry-ingestion.{region}.oraclecloud.com"


@dataclass(frozen=True)
class Observation:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    value: float
    at: float
    """Wall-clock seconds (UNIX)."""


def observe(name: str, dims: Mapping[str, str], value: float, at: float, namespace: str = contract.ROUTER_NS
            ) -> Observation:
    """An observation of a declared metric; raises KeyError/ValueError on an undeclared name or dimension."""
    m = contract.metric(namespace, name)
    if set(dims) != set(m.dimensions):
        raise ValueError(f"metric {namespace}/{name}: dimensions must be {', '.join(m.dimensions)}")
    clean = tuple(sorted((k, str(v)[: contract.DIMENSION_VALUE_MAX] or contract.OTHER) for k, v in dims.items()))
    return Observation(namespace, name, clean, float(value), at)


def bucket(value: float) -> float:
    """Two significant digits (~1 % error): latency percentiles from few datapoints per minute."""
    return float(f"{value:.2g}")


@dataclass
class _Cell:
    total: float = 0.0
    n: int = 0
    hist: Counter[float] = field(default_factory=Counter)

    def add(self, aggregation: str, value: float) -> None:
        self.n += 1
        if aggregation == "distribution":
            self.hist[bucket(value)] += 1
        else:
            self.total += value

    def datapoints(self, aggregation: str) -> list[tuple[float, int]]:
        """(value, count) pairs for this minute, as ``contract`` documents per aggregation."""
        if aggregation == "sum":
            return [(self.total, 1)]
        if aggregation in ("ratio", "mean"):
            return [(self.total / self.n, self.n)] if self.n else []
        return sorted(self.hist.items())


StreamKey = tuple[str, str, tuple[tuple[str, str], ...]]


class MetricsEmitter(Emitter[Observation]):
    signal = "metrics"

    def __init__(self, send: Callable[[Any], int | None], compartment_ocid: str, *,
                 clock: Callable[[], float] = time.time, drop_sources: Callable[[], Mapping[str, int]] | None = None,
                 **kw: Any) -> None:
        super().__init__(send, **kw)
        self.compartment_ocid = compartment_ocid
        self.clock = clock
        self._minutes: dict[int, dict[StreamKey, _Cell]] = {}
        self._drop_sources = drop_sources
        self._reported_drops: dict[str, int] = {}

    def absorb(self, item: Observation) -> None:
        minute = int(item.at // 60)
        agg = contract.metric(item.namespace, item.name).aggregation
        cells = self._minutes.setdefault(minute, {})
        cells.setdefault((item.namespace, item.name, item.dimensions), _Cell()).add(agg, item.value)

    def _record_drops(self) -> None:
        if self._drop_sources is None:
            return
        now = self.clock()
        for signal, total in self._drop_sources().items():
            delta = total - self._reported_drops.get(signal, 0)
            if delta > 0:
                self._reported_drops[signal] = total
                self.absorb(observe("telemetry_dropped", {contract.SIGNAL: signal}, delta, now))

    def ready(self, force: bool) -> list[tuple[Any, int]]:
        self._record_drops()
        now = self.clock()
        streams: dict[StreamKey, list[tuple[int, float, int]]] = {}
        stale = 0
        for minute in sorted(self._minutes):
            for key, cell in self._minutes.pop(minute).items():
                agg = contract.metric(key[0], key[1]).aggregation
                points = cell.datapoints(agg)
                if now - minute * 60 > MAX_AGE_S:
                    stale += len(points)
                    continue
                streams.setdefault(key, []).extend((minute, v, c) for v, c in points)
        if stale:
            self._count_drop(stale)
        keys = sorted(streams)
        out: list[tuple[Any, int]] = []
        for i in range(0, len(keys), contract.MAX_STREAMS_PER_CALL):
            chunk = keys[i: i + contract.MAX_STREAMS_PER_CALL]
            details = [self._details(k, streams[k]) for k in chunk]
            out.append((post_details(details), len(chunk)))
        return out

    def _details(self, key: StreamKey, points: list[tuple[int, float, int]]) -> Any:
        from oci.monitoring.models import Datapoint, MetricDataDetails

        namespace, name, dims = key
        return MetricDataDetails(
            namespace=namespace,
            compartment_id=self.compartment_ocid,
            name=name,
            dimensions=dict(dims),
            metadata={"unit": contract.metric(namespace, name).unit},
            datapoints=[Datapoint(timestamp=datetime.fromtimestamp(m * 60, UTC), value=v, count=c)
                        for m, v, c in points],
        )


def post_details(metric_data: list[Any]) -> Any:
    from oci.monitoring.models import PostMetricDataDetails

    return PostMetricDataDetails(metric_data=metric_data, batch_atomicity="NON_ATOMIC")


def oci_sender(client: Any) -> Callable[[Any], int]:
    """``send`` for MetricsEmitter: one PostMetricData call; returns the streams OCI rejected."""

    def send(details: Any) -> int:
        resp = client.post_metric_data(details)
        return int(getattr(resp.data, "failed_metrics_count", 0) or 0)

    return send
