"""`check --format sarif`: SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html)
for code-scanning UIs. Failures, indeterminate results and waived failures (as suppressions) only;
one run per engine (our rules; checkov's checks when `--engine checkov|all` ran it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from blueprint.checkov.scan import CHECKOV_VERSION
from blueprint.outputs import OutputFormat, RenderOptions
from policies.findings import CHECKOV_ENGINE, ENGINE, Finding, StackResult
from policies.waivers import EXPIRED_RULE, EXPIRED_TITLE, UNMATCHED_RULE, UNMATCHED_TITLE


def _level(finding: Finding) -> str:
    if finding.status == "fail":
        return "error" if finding.enforcement == "mandatory" else "warning"
    if finding.status == "indeterminate":
        return "warning"
    return "none"


def _our_rules() -> list[dict[str, Any]]:
    from policies.rules import all_rules

    meta = [(EXPIRED_RULE, EXPIRED_TITLE, "high"), (UNMATCHED_RULE, UNMATCHED_TITLE, "medium")]
    return [{
        "id": r.id, "name": r.id.replace("-", ""), "shortDescription": {"text": r.title},
        "fullDescription": {"text": f"{r.title}. {r.remediation}"}, "help": {"text": r.remediation},
        "defaultConfiguration": {"level": "error" if r.enforcement == "mandatory" else "warning"},
        "properties": {"severity": r.severity, "family": r.family, "tags": list(r.controls)},
    } for r in all_rules()] + [{"id": rid, "name": rid.replace("-", ""), "shortDescription": {"text": title},
                                "defaultConfiguration": {"level": "error"}, "properties": {"severity": severity}}
                               for rid, title, severity in meta]


def _checkov_rules(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """checkov's checks as they appear in its findings (offline, checkov reports names, not guidelines)."""
    seen: dict[str, str] = {}
    for f in findings:
        seen.setdefault(f.rule, f.title or f.rule)
    return [{"id": rid, "name": rid.replace("_", ""), "shortDescription": {"text": title},
             "defaultConfiguration": {"level": "error"}} for rid, title in sorted(seen.items())]


def _results(results: Sequence[StackResult], engine: str, index: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for result in results:
        for f in result.findings:
            if f.engine != engine or f.status not in ("fail", "indeterminate", "waived"):
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
            out.append(item)
    return out


def render(results: Sequence[StackResult], options: RenderOptions) -> str:
    """One SARIF run per engine that produced findings: our rules first, then checkov's checks."""
    engines = {f.engine for r in results for f in r.findings}
    runs = []
    if ENGINE in engines or CHECKOV_ENGINE not in engines:
        rules = _our_rules()
        runs.append({"tool": {"driver": {"name": "genai-platform-blueprint", "version": "1.0.0",
                                         "informationUri": "https://example.invalid/genai-platform", "rules": rules}},
                     "results": _results(results, ENGINE, {r["id"]: i for i, r in enumerate(rules)})})
    if CHECKOV_ENGINE in engines:
        rules = _checkov_rules([f for r in results for f in r.findings if f.engine == CHECKOV_ENGINE])
        runs.append({"tool": {"driver": {"name": "checkov", "version": CHECKOV_VERSION,
                                         "informationUri": "https://www.checkov.io/", "rules": rules}},
                     "results": _results(results, CHECKOV_ENGINE, {r["id"]: i for i, r in enumerate(rules)})})
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": runs}
    return json.dumps(doc, indent=1)


FORMAT = OutputFormat(name="sarif", kind="findings", suffix=".sarif", description="SARIF 2.1.0", render=render)
