"""Alarm scenarios: recorded datapoints on a simulated clock, shaped by the declarations.

Router, safety and quality datapoints are made from the router's metric contract
(``router/hooks/genai_router_hooks/contract.py``): each metric is looked up by name (a renamed or
undeclared metric raises) and its minute of observations becomes datapoints exactly as its
declared ``aggregation`` says (sum, ratio, mean, distribution). OCI service datapoints are checked
against the checked-in catalogue (``policies/oci_metrics.yaml``): namespace, metric and every
dimension must be there. The monitored resource ids come from the planned graph's alarm queries.

A scenario is a healthy steady state plus faults; ``SCENARIOS`` says, per scenario, which prod
alarms fire (every other alarm must stay silent).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from components.mql_eval import Datapoint, Recording
from policies import metric_catalogue
from router.hooks.genai_router_hooks import contract

MINUTE = 60
MODELS = ("chat", "chat-small")
"""Logical model names (the contract's ``model`` dimension) of the simulated traffic."""
REQUESTS_PER_MINUTE = 200
"""Per model."""
CANARY_EVERY = 20
"""Every 20th request of a model goes to its candidate version (the operating model's 5 % canary):
each model's traffic is two streams of release labels, which the alarms aggregate across."""


def release_dims(model: str, release: str) -> dict[str, str]:
    """The contract's dimensions of one model's stable or candidate stream (no use case)."""
    return {contract.MODEL: model, contract.VERSION: f"{model}-{release}", contract.RELEASE: release,
            contract.PROMPT_VERSION: contract.NONE}


def two_significant(value: float) -> float:
    """The contract's distribution bucketing: values rounded to 2 significant digits."""
    if value == 0:
        return 0.0
    digits = 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def router_points(namespace: str, name: str, minute: int, dims: Mapping[str, str], observed: object) -> list[Datapoint]:
    """One minute of observations of a declared custom metric → its datapoints, per its aggregation.

    ``observed``: a total (sum), a (numerator, denominator) pair (ratio), or a list of values
    (mean, distribution).
    """
    m = contract.metric(namespace, name)  # KeyError on an undeclared (e.g. renamed) metric
    if set(dims) != set(m.dimensions):
        raise ValueError(f"{namespace}/{name} is declared with dimensions {m.dimensions}, not {tuple(dims)}")
    ts = float(minute * MINUTE)
    if m.aggregation == "sum":
        assert isinstance(observed, (int, float))
        return [Datapoint(namespace, name, dims, ts, float(observed), 1)]
    if m.aggregation == "ratio":
        assert isinstance(observed, tuple)
        num, den = observed
        return [Datapoint(namespace, name, dims, ts, num / den, int(den))] if den else []
    assert isinstance(observed, list)
    if not observed:
        return []
    if m.aggregation == "mean":
        return [Datapoint(namespace, name, dims, ts, sum(observed) / len(observed), len(observed))]
    if m.aggregation == "distribution":
        buckets: dict[float, int] = {}
        for v in observed:
            buckets[two_significant(v)] = buckets.get(two_significant(v), 0) + 1
        return [Datapoint(namespace, name, dims, ts, v, c) for v, c in sorted(buckets.items())]
    raise ValueError(f"{namespace}/{name}: unknown aggregation")


def oci_point(namespace: str, name: str, minute: int, dims: Mapping[str, str], value: float) -> Datapoint:
    """An OCI service datapoint; the catalogue must list the metric and every dimension used (any name,
    where the catalogue reads none: the scenarios then try more than one)."""
    known = metric_catalogue.oci_metrics().get((namespace, name))
    if known is None:
        raise KeyError(f"{namespace}/{name} is not in policies/oci_metrics.yaml")
    extra = set(dims) - set(known.dimensions)
    if extra and known.dimensions_read:
        raise ValueError(f"{namespace}/{name} has no dimension {sorted(extra)}")
    for dim, allowed in known.values.items():
        if dim in dims and dims[dim] not in allowed:
            raise ValueError(f"{namespace}/{name}: {dim} takes {allowed}")
    return Datapoint(namespace, name, dims, float(minute * MINUTE), value, 1)


@dataclass(frozen=True)
class Ids:
    """The monitored resource ids, as the planned alarms name them."""

    gateway: str
    cluster: str
    database: str
    dedicated: tuple[str, ...]
    """The dedicated AI endpoints (the endpoint alarms name none: they watch every stream)."""
    monitor: str


@dataclass
class World:
    """What happens minute by minute: the healthy defaults, overridden per scenario."""

    minutes: int = 150
    error_ratio: Callable[[int, str], float] = lambda m, model: 0.0005
    latency_ms: Callable[[int, str], list[float]] = lambda m, model: [800.0 + 11 * (i % 200)
                                                                      for i in range(REQUESTS_PER_MINUTE)]
    timeouts: Callable[[int, str], int] = lambda m, model: 0
    tool_errors: Callable[[int], Mapping[str, int]] = lambda m: {}
    cost_per_query: Callable[[int, str], float] = lambda m, model: 0.02
    groundedness: Callable[[int], list[float]] = lambda m: [0.93, 0.9, 0.95] if m % 10 == 0 else []
    injections: Callable[[int], int] = lambda m: 0
    harmful: Callable[[int], int] = lambda m: 0
    sensitive: Callable[[int], int] = lambda m: 0
    availability: Callable[[int], float] = lambda m: 1.0
    gateway_5xx: Callable[[int], int] = lambda m: 1 if m % 7 == 0 else 0
    nodes: Callable[[int], Mapping[str, int]] = lambda m: {"ACTIVE": 3}
    unschedulable: Callable[[int], int] = lambda m: 0
    db_cpu: Callable[[int], float] = lambda m: 35.0
    db_storage: Callable[[int], float] = lambda m: 42.0
    dedicated_latency: Callable[[int, int], list[float]] = lambda m, endpoint: [1200.0 + 7 * i for i in range(100)]
    """Per minute and endpoint (its index among the stack's dedicated endpoints)."""
    dedicated_errors: Callable[[int, int], int] = lambda m, endpoint: 0
    endpoint_dimension: str = "resourceId"
    """The name OCI gives the dimension that identifies an endpoint's streams: no page names it."""
    extra: list[Datapoint] = field(default_factory=list)

    def record(self, ids: Ids) -> Recording:
        return Recording().extend(self.points(ids))

    def points(self, ids: Ids) -> Iterable[Datapoint]:
        r, s, q = contract.ROUTER_NS, contract.SAFETY_NS, contract.QUALITY_NS
        n = REQUESTS_PER_MINUTE
        for m in range(1, self.minutes + 1):
            for model in MODELS:
                latency = self.latency_ms(m, model)
                for release in ("stable", "candidate"):
                    d = release_dims(model, release)
                    stable = release == "stable"  # counts of rare events: all on the stable stream

                    def mine(i: int, stable: bool = stable) -> bool:
                        return (i % CANARY_EVERY != 0) == stable

                    k = sum(1 for i in range(n) if mine(i))
                    yield from router_points(r, "requests", m, d, k)
                    yield from router_points(r, "error_ratio", m, d, (round(self.error_ratio(m, model) * k, 6), k))
                    yield from router_points(r, "latency_ms", m, d, [v for i, v in enumerate(latency) if mine(i)])
                    yield from router_points(r, "model_timeouts", m, d, self.timeouts(m, model) if stable else 0)
                    yield from router_points(r, "cost_per_query_usd", m, d, [self.cost_per_query(m, model)] * k)
                    first = stable and model == MODELS[0]
                    yield from router_points(s, "prompt_injections", m, d, self.injections(m) if first else 0)
                    yield from router_points(s, "harmful_outputs", m, d, self.harmful(m) if first else 0)
                    yield from router_points(s, "sensitive_data_detections", m, d, self.sensitive(m) if first else 0)
            for tool, count in self.tool_errors(m).items():
                yield from router_points(r, "tool_errors", m, {**release_dims(MODELS[0], "stable"), contract.TOOL: tool},
                                         count)
            yield from router_points(q, "groundedness", m, {contract.USE_CASE: "policy-qa",
                                                            contract.PROMPT_VERSION: "v1", contract.SOURCE: "golden"},
                                     self.groundedness(m))
            yield oci_point("oracle_apm_synthetics", "Availability", m, {"MonitorId": ids.monitor}, self.availability(m))
            gw = {"resourceId": ids.gateway}
            yield oci_point("oci_apigateway", "HttpResponses", m, {**gw, "httpStatusCategory": "2xx"}, 400.0)
            yield oci_point("oci_apigateway", "HttpResponses", m, {**gw, "httpStatusCategory": "5xx"}, self.gateway_5xx(m))
            for state, count in self.nodes(m).items():
                yield oci_point("oci_oke", "NodeState", m, {"clusterId": ids.cluster, "nodeState": state}, count)
            yield oci_point("oci_oke", "UnschedulablePods", m, {"resourceId": ids.cluster}, self.unschedulable(m))
            adb = {"resourceId": ids.database}
            yield oci_point("oci_autonomous_database", "CpuUtilization", m, adb, self.db_cpu(m))
            yield oci_point("oci_autonomous_database", "StorageUtilization", m, adb, self.db_storage(m))
            for e, endpoint in enumerate(ids.dedicated):
                gen = {self.endpoint_dimension: endpoint}
                for v in self.dedicated_latency(m, e):
                    yield oci_point("oci_generativeai", "InvocationLatency", m, gen, v)
                yield oci_point("oci_generativeai", "ServerErrorCount", m, gen, self.dedicated_errors(m, e))
        yield from self.extra


def during(start: int, end: int, inside: object, outside: object) -> Callable[..., object]:
    """A World field that is ``inside`` for minutes start..end-1 and ``outside`` otherwise."""
    return lambda m, *_: inside if start <= m < end else outside


def _world(**changes: object) -> World:
    w = World()
    for key, value in changes.items():
        setattr(w, key, value)
    return w


BASE = World()
HEALTHY_LATENCY = BASE.latency_ms(0, MODELS[0])
NINE_SECONDS = [9000.0] * 20 + HEALTHY_LATENCY[: REQUESTS_PER_MINUTE - 20]  # 10% of requests at 9 s → p95 = 9 s


SATURATED_ONE_OF_THREE = "one dedicated AI endpoint of three at p95 7 s (10 calls a minute) for 20 minutes"


@dataclass(frozen=True)
class Scenario:
    name: str
    world: World
    fires: frozenset[str]
    """Alarm ids that must fire; every other alarm of the graph must stay silent."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("healthy: 0.05% upstream 5xx, p95 under 3 s", BASE, frozenset()),
    Scenario("20% upstream 5xx for 10 minutes", _world(error_ratio=during(90, 100, 0.2, 0.0005)),
             frozenset({"slo-availability-fast-burn"})),
    Scenario("20% upstream 5xx for 3 minutes (burns under the fast-burn rate)",
             _world(error_ratio=during(90, 93, 0.2, 0.0005)), frozenset()),
    Scenario("1% upstream 5xx for 7 hours", _world(minutes=480, error_ratio=during(30, 480, 0.01, 0.0005)),
             frozenset({"slo-availability-slow-burn"})),
    Scenario("p95 latency of 9 s for 10 minutes", _world(latency_ms=during(90, 100, NINE_SECONDS, HEALTHY_LATENCY)),
             frozenset({"slo-latency-p95"})),
    Scenario("model calls time out (4 a minute for 10 minutes)", _world(timeouts=during(90, 100, 4, 0)),
             frozenset({"router-model-timeouts"})),
    Scenario("one tool failing 5 times a minute for 10 minutes",
             _world(tool_errors=during(90, 100, {"search": 5}, {"search": 0})), frozenset({"router-tool-errors"})),
    Scenario("tool errors spread over tools, under the per-tool threshold",
             _world(tool_errors=during(90, 100, {"search": 1, "crm": 1}, {})), frozenset()),
    Scenario("cost per query 0.25 USD for 60 minutes", _world(cost_per_query=during(60, 120, 0.25, 0.02)),
             frozenset({"slo-cost-per-query"})),
    Scenario("groundedness 0.6 for 90 minutes",
             _world(groundedness=lambda m: ([0.6, 0.62] if 40 <= m < 130 else [0.93]) if m % 5 == 0 else []),
             frozenset({"slo-quality-groundedness"})),
    Scenario("a prompt injection", _world(injections=during(90, 91, 1, 0)), frozenset({"safety-prompt-injection"})),
    Scenario("a harmful output", _world(harmful=during(90, 91, 1, 0)), frozenset({"slo-safety-harmful-output"})),
    Scenario("personal data in a response", _world(sensitive=during(90, 91, 1, 0)),
             frozenset({"safety-sensitive-data-egress"})),
    Scenario("health probe failing for 10 minutes", _world(availability=during(90, 100, 0.0, 1.0)),
             frozenset({"synthetic-probe-failure"})),
    Scenario("API gateway 5 5xx a minute for 10 minutes", _world(gateway_5xx=during(90, 100, 5, 0)),
             frozenset({"gateway-5xx"})),
    Scenario("a worker node FAILING for 20 minutes",
             _world(nodes=during(90, 110, {"ACTIVE": 2, "FAILING": 1}, {"ACTIVE": 3})), frozenset({"oke-node-not-ready"})),
    # The OKE metrics page names the state FAILED, the Container Engine API FAILING: the alarm takes both.
    Scenario("a worker node FAILED (the metrics page's name) for 20 minutes",
             _world(nodes=during(90, 110, {"ACTIVE": 2, "FAILED": 1}, {"ACTIVE": 3})), frozenset({"oke-node-not-ready"})),
    Scenario("3 pods unschedulable for 20 minutes", _world(unschedulable=during(90, 110, 3, 0)),
             frozenset({"oke-unschedulable-pods"})),
    Scenario("database CPU at 95% for 30 minutes", _world(db_cpu=during(90, 120, 95.0, 35.0)), frozenset({"database-cpu"})),
    Scenario("database storage at 90% from minute 60", _world(db_storage=during(60, 999, 90.0, 42.0)),
             frozenset({"database-storage"})),
    # The endpoint alarms watch every endpoint's stream without naming one: one saturated endpoint of
    # three fires them, whatever OCI calls the dimension. The saturated one serves 10 calls a minute beside
    # two healthy ones at 100: pooled, its calls are under 5% of all and the p95 is healthy, so only a
    # per-stream evaluation fires (test_alarm_scenarios: the pooled query stays silent).
    Scenario(SATURATED_ONE_OF_THREE,
             _world(dedicated_latency=lambda m, e: ([7000.0] * 10 if e == 1 and 90 <= m < 110
                                                    else BASE.dedicated_latency(m, e))),
             frozenset({"dedicated-cluster-latency"})),
    Scenario("the same, with the endpoints' streams under another dimension name",
             _world(endpoint_dimension="endpointId",
                    dedicated_latency=lambda m, e: ([7000.0] * 100 if e == 2 and 90 <= m < 110
                                                    else BASE.dedicated_latency(m, e))),
             frozenset({"dedicated-cluster-latency"})),
    Scenario("one dedicated AI endpoint at p95 5 s (under the 6 s threshold) for 40 minutes",
             _world(dedicated_latency=lambda m, e: ([5000.0] * 100 if e == 0 and 60 <= m < 100
                                                    else BASE.dedicated_latency(m, e))),
             frozenset()),
    Scenario("server errors on one dedicated AI endpoint for 10 minutes",
             _world(dedicated_errors=lambda m, e: 2 if e == 0 and 90 <= m < 100 else 0),
             frozenset({"dedicated-cluster-server-errors"})),
)
