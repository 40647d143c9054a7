"""Waivers (``policies/waivers.yaml``, schema ``policies/waivers.schema.json``): reviewed acceptances
of a rule's failure on matching resources, each with a reason, an approver and an expiry.

A waived failure becomes *waived*; an expired waiver, or one that matches no failure, becomes a
failure of its own, so stale exceptions cannot hide.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path

from core.inputs import InputError, escape, key_path
from core.schema import StrictDraft202012
from core.yamlsafe import load_yaml
from policies.findings import ENGINE, Finding, Waiver

WAIVER_SCHEMA = Path(__file__).resolve().parent / "waivers.schema.json"
EXPIRED_RULE, UNMATCHED_RULE = "WAIVER-EXPIRED", "WAIVER-UNMATCHED"
EXPIRED_TITLE = "Ensure waivers are within their expiry date"
UNMATCHED_TITLE = "Ensure every waiver still waives something"


class WaiverFileError(ValueError):
    """The waiver file is unreadable or breaks its schema; the message names the file and where."""


def load_waivers(path: Path | None, *, required: bool = False) -> list[Waiver]:
    """The reviewed waivers in ``path``; a missing file is no waivers unless ``required`` (named with --waivers).

    Read with ``core.yamlsafe`` (an unquoted 2027-03-31 stays that text; duplicate keys, aliases
    bombs, deep nesting, non-UTF-8, directories and unreadable files are one-line errors) and checked
    against waivers.schema.json with JSON Schema's semantics (``core.schema``): impossible dates, a
    trailing newline or control characters in a pattern-checked field are schema errors.
    """
    if path is None or (not required and not path.exists() and not path.is_symlink()):
        return []
    label = escape(str(path), 200)
    try:
        data = load_yaml(path, label=label)
    except InputError as exc:
        raise WaiverFileError(str(exc)) from None
    if data is None:
        data = {"waivers": []}
    schema = json.loads(WAIVER_SCHEMA.read_text(encoding="utf-8"))
    validator = StrictDraft202012(schema, format_checker=StrictDraft202012.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        where = key_path(errors[0].absolute_path) or "(top level)"
        raise WaiverFileError(f"{label}: {where}: does not match the waiver schema ({errors[0].validator} check)")
    return [Waiver(rule=item["rule"], urn=item["urn"], reason=item["reason"], approver=item["approver"],
                   expires=date.fromisoformat(item["expires"]), stack=item.get("stack", "*"))
            for item in data.get("waivers", [])]


def matches(waiver: Waiver, finding: Finding, stack: str) -> bool:
    return waiver.rule == finding.rule and fnmatch.fnmatchcase(finding.urn, waiver.urn) \
        and fnmatch.fnmatchcase(stack, waiver.stack)


def apply_waivers(findings: list[Finding], waivers: Sequence[Waiver], stack: str, today: date,
                  engines: Collection[str] = (ENGINE,)) -> list[Finding]:
    """Waived failures become 'waived'; expired or unmatched waivers become failures of their own.

    A failure matched only by an expired waiver stays a failure and keeps that waiver attached, so
    reports can show whose acceptance lapsed and when. Only waivers for the engines that ran
    (``engines``) count: a checkov waiver is neither used nor unmatched when checkov did not run.
    """
    waivers = [w for w in waivers if w.engine in engines]
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
