"""The one findings model every engine produces and every output format reads.

A finding is one rule's result on one resource (or the stack): pass, fail, not applicable,
indeterminate (it read a value unknown until deployment) or waived. It carries the control ids its
rule evidences (``controls``), so reports map results to frameworks without a second list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

#: Every status a finding can have, in report order.
STATUSES = ("pass", "fail", "indeterminate", "not_applicable", "waived")
#: The engine name for findings of the CrossGuard (pulumi-policy) evaluation and of waivers.
ENGINE = "crossguard"
#: The engine name for findings of the third-party cross-check (blueprint/checkov).
CHECKOV_ENGINE = "checkov"
#: Rule ids of checkov's own checks, and of our checks on checkov's coverage.
CHECKOV_PREFIXES = ("CKV_", "CKV2_", "CHECKOV-")


@dataclass(frozen=True)
class Waiver:
    """A reviewed acceptance of one rule's failure on matching resources until it expires."""

    rule: str
    urn: str
    reason: str
    approver: str
    expires: date
    stack: str = "*"

    @property
    def label(self) -> str:
        return f"{self.rule} @ {self.urn}"

    @property
    def engine(self) -> str:
        """The engine whose findings this waiver can match (checkov's check ids, or our rules')."""
        return CHECKOV_ENGINE if self.rule.startswith(CHECKOV_PREFIXES) else ENGINE

    @property
    def summary(self) -> str:
        return f"{self.approver} until {self.expires.isoformat()}: {self.reason}"

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "urn": self.urn, "stack": self.stack, "reason": self.reason,
                "approver": self.approver, "expires": self.expires.isoformat()}


@dataclass
class Finding:
    rule: str
    engine: str
    urn: str
    type: str
    status: str  # one of STATUSES
    severity: str
    message: str
    enforcement: str = "mandatory"
    title: str = ""
    waiver: Waiver | None = None
    #: framework control ids the rule evidences ("framework:control"), from the rule's metadata
    controls: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "engine": self.engine, "urn": self.urn, "type": self.type,
                                "status": self.status, "severity": self.severity, "message": self.message,
                                "enforcement": self.enforcement, "title": self.title, "controls": list(self.controls)}
        if self.waiver is not None:
            data["waiver"] = self.waiver.to_json()
        return data


@dataclass
class StackResult:
    """Every finding of one stack's check."""

    stack: str
    findings: list[Finding]
    resources: int
    seconds: float

    def failing(self, allow_indeterminate: bool) -> list[Finding]:
        blocking_statuses = {"fail"} if allow_indeterminate else {"fail", "indeterminate"}
        return [f for f in self.findings if f.enforcement == "mandatory" and f.status in blocking_statuses]

    def summary(self) -> dict[str, Any]:
        counts = Counter(f.status for f in self.findings)
        return {"stack": self.stack, "resources": self.resources, "findings": len(self.findings),
                **{k: counts.get(k, 0) for k in STATUSES}}


def blocking(results: list[StackResult], allow_indeterminate: bool = False) -> list[Finding]:
    return [f for r in results for f in r.failing(allow_indeterminate)]
