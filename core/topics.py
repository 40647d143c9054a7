"""Notification topics of the operations plane: who hears about what.

Settings read one subscriber list per topic (``operations.notifications.<topic>``), the
operations component creates one ONS topic per entry, and every alarm names one of them.
"""

from __future__ import annotations

from collections.abc import Mapping

TOPICS: Mapping[str, str] = {
    "critical": "Pages the on-call engineer (P1/P2): SLO fast burn, safety, outages",
    "warning": "Opens a ticket (P3): slow burn, quality drift, capacity",
    "info": "Informational: trends and resolved notices",
    "cost": "Cost: per-query cost alarms (budget rules mail their recipients directly)",
}
