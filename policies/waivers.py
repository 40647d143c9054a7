"""Waivers (``policies/waivers.yaml``, schema ``policies/waivers.schema.json``): reviewed acceptances
of a rule's failure on matching resources, each with a reason, an approver and an expiry.

A waived failure becomes *waived*; an expired waiver, or one that matches no failure, becomes a
failure of its own, so stale exceptions cannot hide.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import yaml

from policies.findings import ENGINE, Finding, Waiver

WAIVER_SCHEMA = Path(__file__).resolve().parent / "waivers.schema.json"
EXPIRED_RULE, UNMATCHED_RULE = "WAIVER-EXPIRED", "WAIVER-UNMATCHED"
EXPIRED_TITLE = "Ensure waivers are within their expiry date"
UNMATCHED_TITLE = "Ensure every waiver still waives something"


class WaiverFileError(ValueError):
    """The waiver file is unreadable or breaks its schema; the message names the file and where."""


def load_waivers(path: Path | None) -> list[Waiver]:
    if path is None or not path.exists():
        return []
    import jsonschema

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {"waivers": []}
    except yaml.YAMLError:
        raise WaiverFileError(f"{path}: not valid YAML") from None
    # YAML reads an unquoted 2027-03-31 as a date: compare it as the ISO string the schema describes.
    for item in (data.get("waivers") or []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("expires"), date):
            item["expires"] = item["expires"].isoformat()
    schema = json.loads(WAIVER_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise WaiverFileError(f"{path}: {where}: does not match the waiver schema ({errors[0].validator} check)")
    return [Waiver(rule=item["rule"], urn=item["urn"], reason=item["reason"], approver=item["approver"],
                   expires=date.fromisoformat(str(item["expires"])), stack=item.get("stack", "*"))
            for item in data.get("waivers", [])]


def matches(waiver: Waiver, finding: Finding, stack: str) -> bool:
    return waiver.rule == finding.rule and fnmatch.fnmatchcase(finding.urn, waiver.urn) \
        and fnmatch.fnmatchcase(stack, waiver.stack)


def apply_waivers(findings: list[Finding], waivers: Sequence[Waiver], stack: str, today: date) -> list[Finding]:
    """Waived failures become 'waived'; expired or unmatched waivers become failures of their own.

    A failure matched only by an expired waiver stays a failure and keeps that waiver attached, so
    reports can show whose acceptance lapsed and when.
    """
    used: set[Waiver] = set()
    for finding in findings:
        if finding.status != "fail":
            continue
        for waiver in waivers:
            if matches(waiver, finding, stack):
                used.add(waiver)
                finding.waiver = waiver
                if waiver.expires >= today:
                    finding.status = "waived"
                break
    extra = []
    for waiver in waivers:
        if not fnmatch.fnmatchcase(stack, waiver.stack):
            continue
        if waiver.expires < today:
            extra.append(Finding(EXPIRED_RULE, ENGINE, waiver.urn, "waiver", "fail", "high",
                                 f"waiver for {waiver.rule} expired on {waiver.expires.isoformat()}; renew or fix",
                                 title=EXPIRED_TITLE, waiver=waiver))
        elif waiver not in used:
            extra.append(Finding(UNMATCHED_RULE, ENGINE, waiver.urn, "waiver", "fail", "medium",
                                 f"waiver for {waiver.rule} matches no failing finding; remove it",
                                 title=UNMATCHED_TITLE, waiver=waiver))
    return findings + extra
