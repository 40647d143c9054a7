"""The metric contract: every alarm watches a metric that something publishes, by dimensions it has.

OCI Monitoring accepts an alarm on any namespace, metric and dimension: a metric nobody emits
has no data, and "if the dimension doesn't exist, then data isn't filtered"
(https://docs.oracle.com/en-us/iaas/Content/Monitoring/Tasks/query-metric-dimension.htm), so such
an alarm never fires or watches the wrong streams. This stack rule reads each alarm's namespace
and MQL query against ``policies/metric_catalogue.py``: OCI's service metrics (checked in, each
with its reference page) and the metrics our own code declares it publishes (the router's
contract).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from policies import metric_catalogue
from policies.rules._base import UNKNOWN, Fixture, Rule, edit_first, stack_rule

ALARM = "oci:Monitoring/alarm:Alarm"


def alarms_watch_published_metrics(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for alarm in resources:
        if alarm.resource_type != ALARM:
            continue
        for problem in metric_catalogue.problems(alarm.props.get("namespace"), alarm.props.get("query")):
            yield alarm.urn, problem


def _rename_router_metric(node: dict[str, Any]) -> None:
    node["inputs"]["query"] = node["inputs"]["query"].replace("error_ratio", "error_rate", 1)


def _fx(namespace: Any, query: Any) -> Fixture:
    return Fixture(ALARM, {"namespace": namespace, "query": query, "body": "runbook: x"}, name="urn:a", parent="urn:c")


RULES: list[Rule] = [
    stack_rule(
        "MON-001", "Ensure every alarm queries a metric and dimensions that OCI or our own code publishes",
        alarms_watch_published_metrics,
        passing=[_fx("oci_oke", 'UnschedulablePods[5m]{resourceId = "ocid1.cluster.oc1..x"}.max() > 0'),
                 _fx("oci_generativeai", "InvocationLatency[5m].percentile(0.95) > 6000")],
        # clusterId is not a dimension of UnschedulablePods: OCI would filter nothing. No source read names
        # the Generative AI endpoint metrics' dimensions: a resourceId filter on them is a guess.
        failing=[_fx("oci_oke", 'UnschedulablePods[5m]{clusterId = "ocid1.cluster.oc1..x"}.max() > 0'),
                 _fx("oci_generativeai", 'ServerErrorCount[5m]{resourceId = "ocid1.x"}.sum() > 0')],
        unknown=[_fx("oci_oke", UNKNOWN)],
        mutate=edit_first(ALARM, _rename_router_metric, lambda n: "error_ratio" in n["inputs"].get("query", "")),
        severity="high",
        remediation=("Query a metric and dimensions listed in policies/oci_metrics.yaml (with the OCI page) or "
                     "declared in router/hooks/genai_router_hooks/contract.py; add the declaration where the "
                     "metric is published."),
        controls=("soc2:CC7.2", "nist-800-53r5:SI-4", "iso27001-2022:A.8.16"),
    ),
]
