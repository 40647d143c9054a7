"""The alarm table of a planned stack: every monitoring alarm with namespace, query, threshold,
severity, pending duration and runbook, read from ``out/<stack>/graph.json``.

    python -m blueprint.alarms out/prod/graph.json
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from blueprint.graph import Graph

ALARM_TYPE = "oci:Monitoring/alarm:Alarm"
_RUNBOOK = re.compile(r"^runbook: ([a-z0-9-]+)$", re.MULTILINE)


@dataclass(frozen=True)
class AlarmRow:
    urn: str
    alarm_id: str
    display_name: str
    namespace: str
    query: str
    severity: str
    pending: str
    runbook: str | None


def alarm_rows(graph: Graph) -> list[AlarmRow]:
    rows = []
    for node in graph.by_type(ALARM_TYPE):
        i = node.inputs
        match = _RUNBOOK.search(i.get("body") or "")
        rows.append(AlarmRow(
            urn=node.urn,
            alarm_id=(i.get("freeformTags") or {}).get("alarm-id", ""),
            display_name=i.get("displayName", ""),
            namespace=i.get("namespace", ""),
            query=i.get("query", ""),
            severity=i.get("severity", ""),
            pending=i.get("pendingDuration", ""),
            runbook=match.group(1) if match else None,
        ))
    return sorted(rows, key=lambda r: r.display_name)


def threshold_of(query: str) -> str:
    """The comparison part of a query ('> 0.0144'), for the table."""
    from components.mql import parse

    cond = parse(query).conditions[-1]
    return "absent" if cond.operator is None else f"{cond.operator} {', '.join(f'{t:g}' for t in cond.threshold)}"


def markdown(graph: Graph) -> str:
    lines = ["| alarm id | namespace | query | threshold | severity | pending | runbook |",
             "|---|---|---|---|---|---|---|"]
    for r in alarm_rows(graph):
        lines.append(f"| {r.alarm_id} | {r.namespace} | `{r.query}` | {threshold_of(r.query)} | {r.severity} "
                     f"| {r.pending} | {r.runbook} |")
    return "\n".join(lines)


if __name__ == "__main__":
    from blueprint.graph import GraphFormatError

    try:
        print(markdown(Graph.read(Path(sys.argv[1] if len(sys.argv) > 1 else "out/prod/graph.json"))))
    except GraphFormatError as exc:
        sys.exit(f"error: {exc}")
