"""The reviewed list of disputed checkov checks (``disputed.yaml``) and how it waives a failure.

A checkov failure of a listed check becomes *waived* only when the rules the entry names to
re-test the underlying concern ran and passed: on the flagged resource (``scope: resource``) or
on every resource of the stack they apply to (``scope: stack``). If any of them failed, was
indeterminate, or did not run at all, the checkov failure stands, so the list cannot hide a true
positive. ``tests/blueprint/checkov/test_disputed.py`` breaks each concern in prod and shows
both our rule and the checkov finding failing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from policies.findings import Finding, Waiver

HERE = Path(__file__).resolve().parent
DISPUTED_FILE = HERE / "disputed.yaml"
SCHEMA_FILE = HERE / "disputed.schema.json"


@dataclass(frozen=True)
class Disputed:
    check: str
    title: str
    reason: str
    upstream: str
    scope: str
    rules: tuple[str, ...]
    approver: str
    review_by: date


@cache
def disputed_checks(path: Path = DISPUTED_FILE) -> dict[str, Disputed]:
    """The list, validated against its schema; every re-testing rule must exist."""
    import jsonschema

    from policies.rules import all_rules

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    known = {r.id for r in all_rules()}
    out: dict[str, Disputed] = {}
    for item in data["disputed"]:
        missing = [r for r in item["retest"]["rules"] if r not in known]
        if missing:
            raise ValueError(f"{path.name}: {item['check']} names rules that do not exist: {', '.join(missing)}")
        out[item["check"]] = Disputed(item["check"], item["title"], item["reason"], item["upstream"],
                                      item["retest"]["scope"], tuple(item["retest"]["rules"]), item["approver"],
                                      date.fromisoformat(str(item["review_by"])))
    return out


def _retest_passes(entry: Disputed, urn: str, ours: Sequence[Finding]) -> bool:
    for rule in entry.rules:
        relevant = [f for f in ours if f.rule == rule and f.status != "not_applicable"
                    and (entry.scope == "stack" or f.urn == urn)]
        if not relevant or any(f.status != "pass" for f in relevant):
            return False
    return True


def apply_disputed(checkov: list[Finding], ours: Sequence[Finding], today: date | None = None) -> list[Finding]:
    """Waive failing checkov findings of disputed checks whose concern our rules re-tested and passed.

    An entry past its ``review_by`` date waives nothing until it is reviewed again.
    """
    listed = disputed_checks()
    today = today or date.today()
    for finding in checkov:
        entry = listed.get(finding.rule)
        if finding.status != "fail" or entry is None:
            continue
        if entry.review_by < today:
            finding.message += f" (disputed check, but its review lapsed on {entry.review_by.isoformat()}: not waived)"
        elif _retest_passes(entry, finding.urn, ours):
            finding.status = "waived"
            finding.waiver = Waiver(rule=entry.check, urn=finding.urn, approver=entry.approver, expires=entry.review_by,
                                    reason=f"disputed upstream ({entry.upstream}); the concern is re-tested by "
                                           f"{', '.join(entry.rules)} ({entry.scope}), which pass")
        else:
            finding.message += f" (disputed check, but {', '.join(entry.rules)} did not all pass: not waived)"
    return checkov
