"""What an alarm may watch: OCI's service metrics (``policies/oci_metrics.yaml``, each entry with its
OCI reference page) and the custom metrics our own code declares it publishes (the router's
contract, ``router/hooks/genai_router_hooks/contract.py``: ``genai_router``, ``genai_safety``
and ``genai_quality``).

``problems(namespace, query)`` lists what in an alarm query is in neither: an unknown namespace,
a metric the namespace does not have, a filter or ``groupBy`` dimension the metric does not
carry, or any filter or ``groupBy`` on a metric whose dimensions no source we read names. OCI
accepts all of these silently (an unknown dimension "filters nothing", an unknown metric has no
data), so an alarm with such a query never fires; the metric-contract rule
(``policies/rules/metrics.py``) turns each into a finding. Messages name positions, never values.

    python -m policies.metric_catalogue        # the catalogue as a table
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.mql import MqlError, parse
from router.hooks.genai_router_hooks import contract

CATALOGUE = Path(__file__).with_name("oci_metrics.yaml")
READ_VALUES = ("name", "dimensions", "issue")


@dataclass(frozen=True)
class KnownMetric:
    namespace: str
    name: str
    unit: str
    dimensions: tuple[str, ...]
    source: str
    """The OCI page (service metrics) or the declaring module (our own)."""
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Dimensions whose values are an enumeration: the values the service publishes."""
    dimensions_read: bool = True
    """False where no source names the metric's dimensions: an alarm may then filter or group on none."""


def _fail(where: str, what: str) -> ValueError:
    return ValueError(f"{CATALOGUE.name}: {where}: {what}")


@cache
def oci_metrics() -> Mapping[tuple[str, str], KnownMetric]:
    """The OCI service metrics of the checked-in catalogue (raises ValueError naming a malformed entry)."""
    doc: Any = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("namespaces"), dict):
        raise _fail("top level", "expected a 'namespaces' mapping")
    out: dict[tuple[str, str], KnownMetric] = {}
    for ns, body in doc["namespaces"].items():
        if not str(ns).startswith(contract.RESERVED_PREFIXES):
            raise _fail(f"namespaces.{ns}", f"OCI service namespaces start with {' or '.join(contract.RESERVED_PREFIXES)}")
        if not isinstance(body, dict) or not str(body.get("doc", "")).startswith("https://docs."):
            raise _fail(f"namespaces.{ns}", "needs 'doc', the URL of OCI's metric reference page")
        for name, m in (body.get("metrics") or {}).items():
            where = f"namespaces.{ns}.metrics.{name}"
            if not isinstance(m, dict) or not isinstance(m.get("unit"), str) or not m.get("description"):
                raise _fail(where, "needs 'unit' and 'description'")
            read = m.get("read")
            if not isinstance(read, list) or any(r not in READ_VALUES for r in read) or not m.get("evidence"):
                raise _fail(where, f"needs 'read' (any of {', '.join(READ_VALUES)}) and 'evidence'")
            dims = m.get("dimensions")
            if not isinstance(dims, list) or not all(isinstance(d, str) and d for d in dims):
                raise _fail(where, "needs a 'dimensions' list of names")
            if not dims and "dimensions" in read:
                raise _fail(where, "'read' names dimensions but the 'dimensions' list is empty")
            values = m.get("values") or {}
            if not isinstance(values, dict) or any(d not in dims or not isinstance(v, list) or not v
                                                   for d, v in values.items()):
                raise _fail(where, "'values' maps some of its dimensions to non-empty lists")
            out[(ns, name)] = KnownMetric(ns, name, m["unit"], tuple(dims), body["doc"],
                                          {d: tuple(map(str, v)) for d, v in values.items()},
                                          dimensions_read="dimensions" in read)
    return out


@cache
def custom_metrics() -> Mapping[tuple[str, str], KnownMetric]:
    """The custom metrics our code declares (the router's contract)."""
    return {m.key: KnownMetric(m.namespace, m.name, m.unit, m.dimensions, contract.__name__)
            for m in contract.METRICS}


def known() -> dict[tuple[str, str], KnownMetric]:
    return {**oci_metrics(), **custom_metrics()}


def namespaces() -> set[str]:
    return {ns for ns, _ in known()}


def problems(namespace: Any, query: Any) -> list[str]:
    """What in ``query`` (an alarm's MQL on ``namespace``) no catalogue or contract declares."""
    if not isinstance(namespace, str) or namespace not in namespaces():
        return ["namespace is neither an OCI namespace of the catalogue nor one our code publishes"]
    try:
        parsed = parse(query) if isinstance(query, str) else None
    except MqlError as exc:
        return [f"query is not valid MQL ({exc})"]
    if parsed is None:
        return ["query is not a string"]
    catalogue = known()
    out: list[str] = []
    for i, cond in enumerate(parsed.conditions, start=1):
        metric = catalogue.get((namespace, cond.metric))
        if metric is None:
            out.append(f"condition {i}: the metric is not published in this namespace")
            continue
        for j, f in enumerate(cond.filters, start=1):
            if not metric.dimensions_read:
                out.append(f"condition {i}: filter {j} names a dimension, but no source read names the metric's "
                           "dimensions")
            elif f.dimension not in metric.dimensions:
                out.append(f"condition {i}: filter {j} names a dimension the metric does not carry")
            elif f.dimension in metric.values and f.operator != "!=" and not _can_match(f.operator, f.value,
                                                                                      metric.values[f.dimension]):
                out.append(f"condition {i}: filter {j} matches no value the service publishes for its dimension")
        for j, d in enumerate(cond.group_by or (), start=1):
            if not metric.dimensions_read:
                out.append(f"condition {i}: groupBy dimension {j} is named, but no source read names the metric's "
                           "dimensions")
            elif d not in metric.dimensions:
                out.append(f"condition {i}: groupBy dimension {j} is not a dimension of the metric")
    return out


def _can_match(operator: str, pattern: str, allowed: tuple[str, ...]) -> bool:
    if operator == "=":
        return pattern in allowed
    return any(fnmatch.fnmatchcase(v, alt) for alt in pattern.split("|") for v in allowed)


def table() -> str:
    rows = ["| namespace | metric | unit | dimensions | source |", "|---|---|---|---|---|"]
    for (ns, name), m in sorted(known().items()):
        rows.append(f"| {ns} | {name} | {m.unit} | {', '.join(m.dimensions)} | {m.source} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
