"""MON-001 (policies/rules/metrics.py) on prod: the Generative AI endpoint alarms pass as planned (no
dimension filter) and fail when a mutation re-adds the unread ``resourceId`` filter."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from blueprint.graph import Graph
from policies.engine import check_graph
from policies.rules.metrics import ALARM

pytestmark = [pytest.mark.policy, pytest.mark.integration]

ENDPOINT_OCID = "ocid1.generativeaiendpoint.oc1.eu-frankfurt-1.aaaaaaaamutation"
ENDPOINT_ALARMS = ("dedicated-cluster-latency", "dedicated-cluster-server-errors")


def _endpoint_alarms(graph: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in graph["nodes"] if n["type"] == ALARM
            and (n["inputs"].get("freeformTags") or {}).get("alarm-id") in ENDPOINT_ALARMS]


def _mon001(graph: dict[str, Any]) -> dict[str, str]:
    return {f.urn: f.status for f in check_graph(graph) if f.rule == "MON-001"}


def test_the_planned_endpoint_alarms_pass(planned: Callable[[str], Graph]) -> None:
    prod = planned("prod").to_json()
    alarms = _endpoint_alarms(prod)
    assert len(alarms) == len(ENDPOINT_ALARMS)
    statuses = _mon001(prod)
    assert all(statuses.get(a["urn"], "pass") == "pass" for a in alarms)


@pytest.mark.parametrize("alarm_id", ENDPOINT_ALARMS)
def test_re_adding_the_unread_resource_id_filter_fails(planned: Callable[[str], Graph], alarm_id: str) -> None:
    prod = copy.deepcopy(planned("prod").to_json())
    (alarm,) = [a for a in _endpoint_alarms(prod) if a["inputs"]["freeformTags"]["alarm-id"] == alarm_id]
    metric, rest = alarm["inputs"]["query"].split("[5m]", 1)
    alarm["inputs"]["query"] = f'{metric}[5m]{{resourceId = "{ENDPOINT_OCID}"}}{rest}'
    statuses = _mon001(prod)
    assert statuses[alarm["urn"]] == "fail"
    assert [urn for urn, s in statuses.items() if s == "fail"] == [alarm["urn"]]
