"""Alarm tests, as ``promtool test rules`` tests Prometheus rules: every prod alarm, as planned (query,
namespace, pending duration from the graph), is evaluated by ``components/mql_eval.py`` over each
scenario of ``tests/components/scenarios.py`` on a simulated clock.

- Each scenario names the alarms it must fire; every other prod alarm must stay silent in it.
- Every prod alarm fires in at least one scenario and stays silent in at least one.
- The alarm × scenario table is printed (``pytest -s tests/components/test_alarm_scenarios.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest

from blueprint.alarms import AlarmRow, alarm_rows
from blueprint.graph import Graph
from components.mql import parse
from components.mql_eval import Datapoint, Outcome, Recording, evaluate
from tests.components import scenarios
from tests.components.scenarios import (
    SATURATED_ONE_OF_THREE,
    SCENARIOS,
    Ids,
    Scenario,
    World,
    oci_point,
    release_dims,
    router_points,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

#: The prod alarms as planned, for the router suite (its venv has no Pulumi to plan them).
PROD_ALARMS_GOLDEN = ROOT / "tests" / "router" / "golden" / "prod-alarms.json"


@pytest.fixture(scope="module")
def prod(planned: Callable[[str], Graph]) -> Graph:
    return planned("prod")


@pytest.fixture(scope="module")
def alarms(prod: Graph) -> dict[str, AlarmRow]:
    rows = [r for r in alarm_rows(prod) if "::prod-operations-" in r.urn]
    assert len({r.alarm_id for r in rows}) == len(rows), "one alarm per id in prod"
    return {r.alarm_id: r for r in rows}


def filter_value(row: AlarmRow, dimension: str) -> str:
    (cond,) = parse(row.query).conditions
    return next(f.value for f in cond.filters if f.dimension == dimension and f.operator == "=")


@pytest.fixture(scope="module")
def ids(alarms: dict[str, AlarmRow], prod: Graph) -> Ids:
    return Ids(gateway=filter_value(alarms["gateway-5xx"], "resourceId"),
               cluster=filter_value(alarms["oke-node-not-ready"], "clusterId"),
               database=filter_value(alarms["database-cpu"], "resourceId"),
               dedicated=tuple(prod.outputs["dedicatedEndpointIds"].values()),
               monitor=filter_value(alarms["synthetic-probe-failure"], "MonitorId"))


def run(row: AlarmRow, recording: Recording, minutes: int) -> Outcome:
    return evaluate(row.query, recording, row.namespace, start=scenarios.MINUTE,
                    end=minutes * scenarios.MINUTE, pending=row.pending)


@pytest.fixture(scope="module")
def outcomes(alarms: dict[str, AlarmRow], ids: Ids) -> dict[str, dict[str, Outcome]]:
    out: dict[str, dict[str, Outcome]] = {}
    for scenario in SCENARIOS:
        recording = scenario.world.record(ids)
        out[scenario.name] = {a: run(row, recording, scenario.world.minutes) for a, row in alarms.items()}
    return out


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_fires_exactly_its_alarms(scenario: Scenario, outcomes: dict[str, dict[str, Outcome]],
                                           alarms: dict[str, AlarmRow]) -> None:
    assert scenario.fires <= set(alarms), f"names alarms prod does not have: {sorted(scenario.fires - set(alarms))}"
    fired = {a for a, o in outcomes[scenario.name].items() if o.fired}
    assert fired == set(scenario.fires), f"fired {sorted(fired)}, expected {sorted(scenario.fires)}"


def test_every_prod_alarm_fires_somewhere_and_is_silent_somewhere(
        outcomes: dict[str, dict[str, Outcome]], alarms: dict[str, AlarmRow], capsys: pytest.CaptureFixture[str]) -> None:
    missing = []
    for alarm in sorted(alarms):
        results = [outcomes[s.name][alarm].fired for s in SCENARIOS]
        if True not in results:
            missing.append(f"{alarm}: no scenario fires it")
        if False not in results:
            missing.append(f"{alarm}: no scenario keeps it silent")
    with capsys.disabled():
        print("\n" + table(outcomes, sorted(alarms)))
    assert not missing, "\n".join(missing)


def table(outcomes: dict[str, dict[str, Outcome]], alarm_ids: list[str]) -> str:
    """Markdown: one row per alarm, one column per scenario (numbered), F = fires (minute), · = silent."""
    lines = ["scenarios:"] + [f"  S{i}: {s.name}" for i, s in enumerate(SCENARIOS, start=1)]
    head = "| alarm | " + " | ".join(f"S{i}" for i in range(1, len(SCENARIOS) + 1)) + " |"
    lines += ["", head, "|---" * (len(SCENARIOS) + 1) + "|"]
    for a in alarm_ids:
        cells = []
        for s in SCENARIOS:
            o = outcomes[s.name][a]
            cells.append(f"F@{int(o.fired_at // 60)}m" if o.fired and o.fired_at is not None else "·")
        lines.append(f"| {a} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_the_router_suites_copy_of_the_prod_alarms_is_current(alarms: dict[str, AlarmRow]) -> None:
    planned = [{"id": a, "namespace": r.namespace, "query": r.query, "pending": r.pending}
               for a, r in sorted(alarms.items())]
    text = json.dumps(planned, indent=1) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        PROD_ALARMS_GOLDEN.write_text(text, encoding="utf-8")
    assert text == PROD_ALARMS_GOLDEN.read_text(encoding="utf-8"), "regenerate with UPDATE_GOLDEN=1 if intended"


# -- the datapoints are tied to the declarations ---------------------------------------------------

def test_a_renamed_router_metric_breaks_the_scenarios() -> None:
    with pytest.raises(KeyError, match="genai_router/error_rate is not declared"):
        router_points("genai_router", "error_rate", 1, {"model": "chat"}, (1, 100))
    with pytest.raises(ValueError, match="declared with dimensions"):
        router_points("genai_router", "error_ratio", 1, {"route": "chat"}, (1, 100))


def test_oci_points_must_be_in_the_catalogue() -> None:
    with pytest.raises(KeyError, match=r"not in policies/oci_metrics\.yaml"):
        oci_point("oci_oke", "NodeReady", 1, {}, 1)
    with pytest.raises(ValueError, match="no dimension"):
        oci_point("oci_oke", "UnschedulablePods", 1, {"clusterId": "x"}, 1)
    with pytest.raises(ValueError, match="nodeState takes"):
        oci_point("oci_oke", "NodeState", 1, {"clusterId": "x", "nodeState": "NotReady"}, 1)


def test_distribution_buckets_keep_every_request_in_the_percentile() -> None:
    points = router_points("genai_router", "latency_ms", 1, release_dims("chat", "stable"), [1234.0, 1240.0, 9000.0])
    assert [(p.value, p.count) for p in points] == [(1200.0, 2), (9000.0, 1)]


# -- the defects issue 11 named, shown by the evaluator ---------------------------------------------

def test_the_old_unschedulable_query_watched_every_cluster(alarms: dict[str, AlarmRow], ids: Ids) -> None:
    """UnschedulablePods has no clusterId: OCI ignores that filter, so the old alarm fired on pods of
    any cluster in the compartment; the fixed one (resourceId) watches only ours."""
    other = World(unschedulable=lambda m: 0)
    other.extra = [oci_point("oci_oke", "UnschedulablePods", m, {"resourceId": "ocid1.cluster.oc1..another"}, 4.0)
                   for m in range(1, other.minutes + 1)]
    recording = other.record(ids)
    old = alarms["oke-unschedulable-pods"].query.replace("resourceId", "clusterId")
    assert evaluate(old, recording, "oci_oke", start=60, end=other.minutes * 60, pending="PT10M").fired
    assert not run(alarms["oke-unschedulable-pods"], recording, other.minutes).fired


def test_the_old_node_query_could_never_fire(alarms: dict[str, AlarmRow], ids: Ids) -> None:
    """nodeState never takes "NotReady": with a node failing, the old alarm stays silent; the fixed one fires."""
    failing = World(nodes=lambda m: {"ACTIVE": 2, "FAILING": 1})
    recording = failing.record(ids)
    row = alarms["oke-node-not-ready"]
    old = row.query.replace('nodeState =~ "FAILING|FAILED|INACTIVE"', 'nodeState = "NotReady"')
    assert old != row.query
    assert not evaluate(old, recording, "oci_oke", start=60, end=failing.minutes * 60, pending=row.pending).fired
    assert run(row, recording, failing.minutes).fired


def test_extra_datapoints_are_recorded() -> None:
    w = World(minutes=1)
    w.extra = [Datapoint("x", "y", {}, 60.0, 1.0)]
    assert ("x", "y") in w.record(Ids("g", "c", "d", ("e",), "m")).metrics()


def test_each_endpoint_stream_is_evaluated_on_its_own(alarms: dict[str, AlarmRow], ids: Ids) -> None:
    """The endpoint alarms have no filter and no grouping: each endpoint's stream is evaluated on its own.
    One saturated endpoint (10 calls a minute at 7 s) beside two healthy ones (100 each) fires; pooled into
    one stream (``.grouping()``) its calls are under 5% and the p95 looks healthy."""
    (scenario,) = [s for s in SCENARIOS if s.name == SATURATED_ONE_OF_THREE]
    recording = scenario.world.record(ids)
    assert len(recording.streams("oci_generativeai", "InvocationLatency")) == len(ids.dedicated) == 3
    row = alarms["dedicated-cluster-latency"]
    outcome = run(row, recording, scenario.world.minutes)
    assert outcome.fired and outcome.value == 7000.0
    pooled = row.query.replace("].percentile", "].grouping().percentile")
    assert pooled != row.query
    assert not evaluate(pooled, recording, row.namespace, start=scenarios.MINUTE,
                        end=scenario.world.minutes * scenarios.MINUTE, pending=row.pending).fired
