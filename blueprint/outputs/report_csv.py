"""`report`: CSV for spreadsheets — a summary row per control, then a detail row per control × rule × resource
(with the waiver's approver and expiry)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions

COLUMNS = ("row", "framework", "control", "section", "title", "level", "evidence", "control_status", "rule", "severity",
           "enforcement", "resource", "result", "message", "waiver_approver", "waiver_expires", "waiver_reason", "remediation")


def render(model: Mapping[str, Any], options: RenderOptions) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    framework = model["framework"]["id"]
    for c in model["controls"]:
        base = {"framework": framework, "control": c["id"], "section": c["section"], "title": c["title"],
                "level": c.get("level", ""), "evidence": c["evidence"], "control_status": c["status"]}
        writer.writerow({**base, "row": "summary", "rule": " ".join(r["id"] for r in c["rules"]),
                         "message": c.get("how", "") if not c["rules"] else ""})
        for r in c["rules"]:
            for res in r["results"]:
                waiver = res.get("waiver") or {}
                writer.writerow({**base, "row": "detail", "rule": r["id"], "severity": r["severity"],
                                 "enforcement": r["enforcement"], "resource": res["urn"], "result": res["status"],
                                 "message": res["message"], "waiver_approver": waiver.get("approver", ""),
                                 "waiver_expires": waiver.get("expires", ""), "waiver_reason": waiver.get("reason", ""),
                                 "remediation": r["remediation"]})
    return buffer.getvalue().rstrip("\n")


FORMAT = OutputFormat(name="csv", kind="report", suffix=".csv", filename="report.csv",
                      description="summary and detail rows (CSV)", render=render)
