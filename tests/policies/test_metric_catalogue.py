"""The metric catalogue: OCI service metrics (checked-in, with their pages) + the router's contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from blueprint.alarms import alarm_rows
from blueprint.graph import Graph
from policies import metric_catalogue
from router.hooks.genai_router_hooks import contract

pytestmark = pytest.mark.policy


def test_every_entry_cites_its_oci_page_and_says_what_was_read() -> None:
    oci = metric_catalogue.oci_metrics()
    assert oci, "catalogue is empty"
    assert all(m.namespace.startswith(contract.RESERVED_PREFIXES) and m.source.startswith("https://docs.") for m in oci.values())


def test_custom_metrics_are_exactly_the_contract() -> None:
    assert set(metric_catalogue.custom_metrics()) == {m.key for m in contract.METRICS}
    assert {"genai_router", "genai_safety", "genai_quality"} <= metric_catalogue.namespaces()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_alarm_watches_an_undeclared_metric_or_dimension(stack: str, planned: Callable[[str], Graph]) -> None:
    rows = alarm_rows(planned(stack))
    assert rows
    bad = {r.alarm_id: metric_catalogue.problems(r.namespace, r.query) for r in rows}
    assert not {k: v for k, v in bad.items() if v}


@pytest.mark.parametrize("namespace, query, problem", [
    ("genai_nope", "x[5m].sum() > 0", "namespace is neither"),
    # APM availability metrics live in oracle_apm_synthetics; the probe alarm once named this one.
    ("oci_apm_synthetics", 'Availability[5m]{MonitorId = "x"}.mean() < 1', "namespace is neither"),
    ("oracle_apm_synthetics", 'Availability[5m]{MonitorName = "x"}.mean() < 1', "filter 1 names a dimension"),
    ("genai_router", "error_rate[60m].mean() > 0.01", "condition 1: the metric is not published"),
    ("genai_router", 'error_ratio[60m]{route = "x"}.mean() > 0.01', "filter 1 names a dimension"),
    ("genai_router", "tool_errors[5m].groupBy(route).sum() > 1", "groupBy dimension 1"),
    ("oci_oke", 'UnschedulablePods[5m]{clusterId = "x"}.max() > 0', "filter 1 names a dimension"),
    ("oci_oke", 'NodeState[5m]{clusterId = "x", nodeState = "NotReady"}.max() > 0', "filter 2 matches no value"),
    ("oci_oke", 'NodeState[5m]{nodeState =~ "Not*"}.max() > 0', "filter 1 matches no value"),
    ("oci_oke", "NodeState[5m].max(", "not valid MQL"),
    ("oci_oke", None, "not a string"),
    ("genai_router", "latency_ms[5m].percentile(0.95) > 1 && error_rate[5m].mean() > 0", "condition 2"),
    # No page names the Generative AI endpoint metrics' dimensions: an alarm may filter or group on none
    # (the endpoint alarms once filtered on resourceId, which nothing read says they carry).
    ("oci_generativeai", 'InvocationLatency[5m]{resourceId = "x"}.percentile(0.95) > 6000',
     "filter 1 names a dimension, but no source read names"),
    ("oci_generativeai", "ServerErrorCount[5m].groupBy(resourceId).sum() > 0", "groupBy dimension 1 is named, but"),
])
def test_problems_name_the_position_not_the_value(namespace: str, query: str, problem: str) -> None:
    found = metric_catalogue.problems(namespace, query)
    assert any(problem in p for p in found), found
    assert all("NotReady" not in p and "clusterId" not in p for p in found)


def test_valid_queries_have_no_problems() -> None:
    assert metric_catalogue.problems("oci_oke", 'NodeState[5m]{nodeState =~ "FAILING|INACTIVE"}.max() > 0') == []
    assert metric_catalogue.problems("genai_router", "tool_errors[5m].groupBy(tool).sum() > 1") == []
    assert metric_catalogue.problems("genai_quality", "groundedness[60m].mean() < 0.85") == []
    assert metric_catalogue.problems("oracle_apm_synthetics", 'Availability[5m]{MonitorId = "x"}.mean() < 1') == []
    assert metric_catalogue.problems("oci_generativeai", "InvocationLatency[5m].percentile(0.95) > 6000") == []


def test_dimensions_are_listed_only_where_read() -> None:
    """An entry lists the dimensions a source names, or none: never a guess the alarms could filter on."""
    for m in metric_catalogue.oci_metrics().values():
        assert m.dimensions_read or not m.dimensions, m.name


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("namespaces"), "expected a 'namespaces' mapping"),
    (lambda d: d["namespaces"].update(genai_x={"doc": "https://docs.x", "metrics": {}}), "start with oci_ or oracle_"),
    (lambda d: d["namespaces"]["oci_oke"].pop("doc"), "needs 'doc'"),
    (lambda d: d["namespaces"]["oci_oke"]["metrics"]["NodeState"].pop("unit"), "needs 'unit'"),
    (lambda d: d["namespaces"]["oci_oke"]["metrics"]["NodeState"].update(dimensions=[]), "'dimensions' list is empty"),
    (lambda d: d["namespaces"]["oci_oke"]["metrics"]["NodeState"].update(dimensions="clusterId"), "'dimensions' list"),
    (lambda d: d["namespaces"]["oci_oke"]["metrics"]["NodeState"].update(read=["guess"]), "needs 'read'"),
    (lambda d: d["namespaces"]["oci_oke"]["metrics"]["NodeState"].update(values={"nope": ["A"]}), "'values'"),
])
def test_a_malformed_catalogue_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 mutate: Callable[[dict], object], message: str) -> None:
    doc = yaml.safe_load(metric_catalogue.CATALOGUE.read_text(encoding="utf-8"))
    mutate(doc)
    bad = tmp_path / "oci_metrics.yaml"
    bad.write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr(metric_catalogue, "CATALOGUE", bad)
    metric_catalogue.oci_metrics.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            metric_catalogue.oci_metrics()
    finally:
        metric_catalogue.oci_metrics.cache_clear()
