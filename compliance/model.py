"""The compliance model: per framework, every control's status computed from the rules' findings.

The mapping control → rules is computed from the rules' ``controls`` only (no second list). Statuses:

- ``pass``            rules evidence the control and every finding passes (``plan+live`` controls also
                      say what a live tenancy must confirm)
- ``fail``            a finding fails — including one whose waiver has expired
- ``waived``          every failing finding is under a current waiver (approver and expiry shown)
- ``indeterminate``   a finding read a value unknown until deployment
- ``not_applicable``  rules exist, but nothing in this stack is of a kind they check
- ``uncovered``       no rule evidences a ``plan`` / ``plan+live`` control: never counted as passing
- ``live_only``       a ``live`` control without rule evidence: only a live tenancy can show it
- ``process``         a ``process`` control without rule evidence: people and procedures show it

One JSON-able dict per framework is what every report format renders.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from compliance.catalogs import Catalog, Control
from policies.findings import Finding

MODEL_FORMAT = "genai-platform/compliance-report@1"
CONTROL_STATUSES = ("pass", "fail", "waived", "indeterminate", "not_applicable", "uncovered", "live_only", "process")
#: statuses that mean the plan evidenced the control one way or the other
ASSESSED = ("pass", "fail", "waived", "indeterminate")
#: how reports print each status
STATUS_LABELS = {"pass": "pass", "fail": "fail", "waived": "waived", "indeterminate": "indeterminate",
                 "not_applicable": "not applicable", "uncovered": "uncovered", "live_only": "live-only",
                 "process": "process"}
_NO_RULE_STATUS = {"plan": "uncovered", "plan+live": "uncovered", "live": "live_only", "process": "process"}


def markdown_cell(text: Any) -> str:
    """A value as one Markdown table cell: its pipes escaped, its line breaks made spaces."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def rules_by_control(rules: Iterable[Any]) -> dict[str, list[Any]]:
    """control ref → the rules citing it (from each rule's ``controls``)."""
    mapping: dict[str, list[Any]] = defaultdict(list)
    for rule in rules:
        for ref in rule.controls:
            mapping[ref].append(rule)
    return mapping


def control_status(control: Control, results: Sequence[Finding], has_rules: bool) -> str:
    if not has_rules:
        return _NO_RULE_STATUS[control.evidence]
    statuses = {f.status for f in results}
    for status in ("fail", "indeterminate", "waived", "pass"):
        if status in statuses:
            return status
    return "not_applicable"


def _result(f: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {"urn": f.urn, "status": f.status, "message": f.message}
    if f.waiver is not None:
        item["waiver"] = {"approver": f.waiver.approver, "expires": f.waiver.expires.isoformat(), "reason": f.waiver.reason,
                          "expired": f.status == "fail"}
    return item


def _counts(controls: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    c = Counter(ctrl["status"] for ctrl in controls)
    return {s: c.get(s, 0) for s in CONTROL_STATUSES}


def build(catalog: Catalog, rules: Sequence[Any], findings: Sequence[Finding], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The report model of one framework for one stack's findings."""
    by_control = rules_by_control(rules)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    controls = []
    for control in catalog.controls:
        citing = by_control.get(control.ref, [])
        relevant = [f for r in citing for f in by_rule.get(r.id, [])]
        status = control_status(control, relevant, bool(citing))
        entry: dict[str, Any] = {
            "id": control.id, "ref": control.ref, "section": control.section, "title": control.title,
            "evidence": control.evidence, "status": status,
            "rules": [{"id": r.id, "title": r.title, "severity": r.severity, "enforcement": r.enforcement,
                       "remediation": r.remediation,
                       "results": [_result(f) for f in by_rule.get(r.id, []) if f.status != "not_applicable"],
                       "not_applicable": sum(1 for f in by_rule.get(r.id, []) if f.status == "not_applicable")}
                      for r in citing],
        }
        if control.how:
            entry["how"] = control.how
        if control.level is not None:
            entry["level"] = control.level
            entry["assessment"] = control.assessment
        controls.append(entry)
    sections = []
    for name in catalog.sections():
        members = [c for c in controls if c["section"] == name]
        sections.append({"name": name, "controls": len(members), "counts": _counts(members)})
    summary: dict[str, Any] = {"controls": len(controls), "counts": _counts(controls),
                               "evidence": dict(Counter(c["evidence"] for c in controls))}
    if catalog.levels:
        summary["levels"] = {str(lv): _counts([c for c in controls if c.get("level") == lv]) for lv in (1, 2)}
    return {
        "format": MODEL_FORMAT,
        "framework": {"id": catalog.framework, "title": catalog.title, "version": catalog.version,
                      "source": catalog.source, "levels": catalog.levels},
        **dict(facts),
        "summary": summary,
        "sections": sections,
        "controls": controls,
    }


# ------------------------------------------------------------------------------------------------
# Redaction: OCIDs and e-mail addresses → stable hashes (as Oracle's CIS checker's --redact does)
# ------------------------------------------------------------------------------------------------

_OCID = re.compile(r"ocid1\.[a-z0-9_-]+\.[a-z0-9_-]*\.[a-z0-9_-]*\.[a-z0-9._-]+", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def redact_text(text: str) -> str:
    text = _OCID.sub(lambda m: f"ocid-redacted-{_digest(m.group(0))}", text)
    return _EMAIL.sub(lambda m: f"redacted-{_digest(m.group(0).lower())}@redacted.invalid", text)


def redact(value: Any) -> Any:
    """The same structure with every OCID and e-mail address in every string replaced by a stable hash."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


# ------------------------------------------------------------------------------------------------
# Compliance as a diff
# ------------------------------------------------------------------------------------------------


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Controls a change newly fails, fixes, uncovers (loses its evidence), or otherwise changes."""
    before = {c["ref"]: c for c in old["controls"]}
    out: dict[str, list[dict[str, str]]] = {"newly_failing": [], "fixed": [], "uncovered": [], "changed": []}
    for ctrl in new["controls"]:
        prev = before.get(ctrl["ref"])
        was, now = (prev["status"] if prev else "absent"), ctrl["status"]
        if was == now:
            continue
        item = {"ref": ctrl["ref"], "id": ctrl["id"], "title": ctrl["title"], "before": was, "after": now}
        if now == "fail":
            out["newly_failing"].append(item)
        elif was == "fail" and now in ("pass", "waived"):
            out["fixed"].append(item)
        elif was in ASSESSED and now not in ASSESSED:
            out["uncovered"].append(item)
        else:
            out["changed"].append(item)
    return out
