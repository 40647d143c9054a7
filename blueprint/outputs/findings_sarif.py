"""`check --format sarif`: SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html)
for code-scanning UIs. Failures, indeterminate results and waived failures (as suppressions) only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions
from policies.findings import Finding, StackResult
from policies.waivers import EXPIRED_RULE, EXPIRED_TITLE, UNMATCHED_RULE, UNMATCHED_TITLE


def _level(finding: Finding) -> str:
    if finding.status == "fail":
        return "error" if finding.enforcement == "mandatory" else "warning"
    if finding.status == "indeterminate":
        return "warning"
    return "none"


def render(results: Sequence[StackResult], options: RenderOptions) -> str:
    from policies.rules import all_rules

    meta = [(EXPIRED_RULE, EXPIRED_TITLE, "high"), (UNMATCHED_RULE, UNMATCHED_TITLE, "medium")]
    driver_rules = [{
        "id": r.id, "name": r.id.replace("-", ""), "shortDescription": {"text": r.title},
        "fullDescription": {"text": f"{r.title}. {r.remediation}"}, "help": {"text": r.remediation},
        "defaultConfiguration": {"level": "error" if r.enforcement == "mandatory" else "warning"},
        "properties": {"severity": r.severity, "family": r.family, "tags": list(r.controls)},
    } for r in all_rules()] + [{"id": rid, "name": rid.replace("-", ""), "shortDescription": {"text": title},
                                "defaultConfiguration": {"level": "error"}, "properties": {"severity": severity}}
                               for rid, title, severity in meta]
    index = {r["id"]: i for i, r in enumerate(driver_rules)}
    sarif_results = []
    for result in results:
        for f in result.findings:
            if f.status not in ("fail", "indeterminate", "waived"):
                continue
            item: dict[str, Any] = {
                "ruleId": f.rule, "ruleIndex": index.get(f.rule, 0), "level": _level(f),
                "kind": "review" if f.status == "indeterminate" else "fail",
                "message": {"text": f.message or f.title},
                "locations": [{"logicalLocations": [{"fullyQualifiedName": f.urn or result.stack, "kind": "resource"}]}],
                "properties": {"stack": result.stack, "severity": f.severity, "resourceType": f.type},
            }
            if f.status == "waived":
                item["suppressions"] = [{"kind": "external", "justification": f.waiver.summary if f.waiver else ""}]
            sarif_results.append(item)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "genai-platform-blueprint", "version": "1.0.0",
                            "informationUri": "https://example.invalid/genai-platform", "rules": driver_rules}},
        "results": sarif_results,
    }]}
    return json.dumps(doc, indent=1)


FORMAT = OutputFormat(name="sarif", kind="findings", suffix=".sarif", description="SARIF 2.1.0", render=render)
