"""OSCAL 1.x documents built with compliance-trestle's models (https://github.com/oscal-compass/compliance-trestle):

- a component-definition: the platform as one component, implementing every control a rule
  evidences, each implemented requirement naming its rules;
- assessment-results: this plan's results — an observation per rule × resource, a finding per
  control (``satisfied`` only for a passing control; every other status is ``not-satisfied`` with
  the reason in its remarks, so an uncovered control can never read as satisfied).

OSCAL ids must start with a letter or underscore: control ids become ``<framework>-<id>`` with any
character outside ``[A-Za-z0-9._-]`` turned into ``_``. UUIDs are name-based (uuid5), so the same
plan gives the same ids.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from compliance.model import STATUS_LABELS

NAMESPACE = uuid.UUID("6f1c1a52-6d0e-4c39-9a51-2d7f0b3c8e11")
#: our own property names live in our namespace (OSCAL requires one for non-OSCAL names)
PROP_NS = "https://example.invalid/genai-platform/oscal"
_TOKEN_BAD = re.compile(r"[^A-Za-z0-9._-]")


def control_token(framework: str, control_id: str) -> str:
    return f"{framework}-{_TOKEN_BAD.sub('_', control_id)}"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _metadata(title: str, version: str, when: datetime) -> Any:
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.common import Metadata

    return Metadata(title=title, last_modified=when, version=version, oscal_version=OSCAL_VERSION)


def _prop(name: str, value: str) -> Any:
    from trestle.oscal.common import Property

    return Property(name=name, value=value, ns=PROP_NS)


def component_definition(model: Mapping[str, Any], when: datetime | None = None) -> Any:
    from trestle.oscal.component import ComponentDefinition, ControlImplementation, DefinedComponent, ImplementedRequirement

    when = when or datetime.now(UTC)
    fw, stack, project = model["framework"], model["stack"], model["project"]
    requirements = [
        ImplementedRequirement(
            uuid=_uuid(project, stack, fw["id"], "req", c["id"]), control_id=control_token(fw["id"], c["id"]),
            description=f"{c['title']}: evidenced in the plan by {', '.join(r['id'] for r in c['rules'])}.",
            props=[_prop("evidenced-by", r["id"]) for r in c["rules"]] + [_prop("evidence-class", c["evidence"])],
            remarks=(f"A live tenancy must also show: {c['how']}." if c.get("how") else None))
        for c in model["controls"] if c["rules"]]
    implementation = ControlImplementation(
        uuid=_uuid(project, stack, fw["id"], "impl"), source=fw["source"],
        description=f"{fw['title']} {fw['version']}: controls the platform's policy rules evidence from its plan.",
        implemented_requirements=requirements)
    component = DefinedComponent(
        uuid=_uuid(project, stack, "component"), type="service", title=f"{project} ({stack})",
        description=("Six-plane GenAI platform on Oracle Cloud Infrastructure, provisioned by a Pulumi blueprint and "
                     "checked against policy-as-code rules before deployment."),
        props=[_prop("commit", model["commit"]), _prop("stack-config-sha256", model["config_sha256"])],
        control_implementations=[implementation] if requirements else None)
    return ComponentDefinition(uuid=_uuid(project, stack, fw["id"], "component-definition"),
                               metadata=_metadata(f"{project} {stack}: {fw['title']} component definition",
                                                  model["commit"][:12], when),
                               components=[component])


def assessment_results(model: Mapping[str, Any], when: datetime | None = None) -> Any:
    from trestle.oscal.assessment_results import AssessmentResults, ImportAp, Result
    from trestle.oscal.common import (
        ControlSelections,
        Finding,
        FindingTarget,
        ObjectiveStatus,
        Observation,
        RelatedObservation,
        ReviewedControls,
        SelectControlById,
        SubjectReference,
    )

    when = when or datetime.now(UTC)
    fw, stack, project = model["framework"], model["stack"], model["project"]
    observations: list[Any] = []
    findings: list[Any] = []
    seen: dict[tuple[str, str], str] = {}
    for c in model["controls"]:
        related = []
        for r in c["rules"]:
            for res in r["results"]:
                key = (r["id"], res["urn"])
                if key not in seen:
                    seen[key] = _uuid(project, stack, "obs", *key)
                    remarks = res["message"] or None
                    if res.get("waiver"):
                        w = res["waiver"]
                        remarks = (f"{'expired ' if w['expired'] else ''}waiver: approver {w['approver']}, "
                                   f"expires {w['expires']}: {w['reason']}")
                    observations.append(Observation(
                        uuid=seen[key], title=f"{r['id']} on {res['urn'].rsplit('::', 1)[-1]}",
                        description=f"{r['title']}: {res['status']}.", methods=["TEST"], types=["finding"],
                        props=[_prop("rule", r["id"]), _prop("result", res["status"])],
                        subjects=[SubjectReference(subject_uuid=_uuid("resource", res["urn"]), type="resource",
                                                   title=res["urn"])],
                        collected=when, remarks=remarks))
                related.append(RelatedObservation(observation_uuid=seen[key]))
        satisfied = c["status"] == "pass"
        reason = "pass" if satisfied else ("fail" if c["status"] in ("fail", "waived", "indeterminate") else "other")
        note = f"status {STATUS_LABELS[c['status']]}"
        if c.get("how"):
            note += f"; outside the plan, evidence: {c['how']}"
        findings.append(Finding(
            uuid=_uuid(project, stack, fw["id"], "finding", c["id"]), title=f"{c['id']} {c['title']}",
            description=f"{fw['title']} {c['id']}: {STATUS_LABELS[c['status']]} in the plan of stack {stack}.",
            target=FindingTarget(type="objective-id", target_id=control_token(fw["id"], c["id"]),
                                 status=ObjectiveStatus(state="satisfied" if satisfied else "not-satisfied",
                                                        reason=reason, remarks=note)),
            related_observations=related or None))
    reviewed = ReviewedControls(control_selections=[ControlSelections(
        include_controls=[SelectControlById(control_id=control_token(fw["id"], c["id"])) for c in model["controls"]])])
    result = Result(uuid=_uuid(project, stack, fw["id"], "result"), title=f"{fw['title']} — plan of {stack}",
                    description="Every policy rule evaluated over the stack's offline plan (pulumi-policy analyzer).",
                    start=when, end=when, reviewed_controls=reviewed, observations=observations or None,
                    findings=findings)
    return AssessmentResults(
        uuid=_uuid(project, stack, fw["id"], "assessment-results"),
        metadata=_metadata(f"{project} {stack}: {fw['title']} assessment results", model["commit"][:12], when),
        import_ap=ImportAp(href="./component-definition.json",
                           remarks="No separate assessment plan: the plan is the policy pack run over the stack graph."),
        results=[result])


def to_json(document: Any, root: str) -> str:
    """The document wrapped in its OSCAL root key, as trestle serialises it."""
    import json

    body = json.loads(document.oscal_serialize_json(pretty=False))
    return json.dumps(body, indent=1) if root in body else json.dumps({root: body}, indent=1)
