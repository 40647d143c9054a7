"""The rule contract: a pure ``validate(args, report_violation)`` plus metadata (docs/architecture.md).

A rule is declared once, with its fixtures, and becomes a real pulumi-policy
``ResourceValidationPolicy`` or ``StackValidationPolicy``. Rules read properties through the
analyzer's unknown-checking proxy: touching an unknown raises, and the engine reports the result
as *indeterminate* — never as a pass.

Messages name properties, never their values: a value may be a secret.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError

from core.markers import UNKNOWN_MARKER as UNKNOWN  # the engine turns it into a real unknown
from core.severity import ENFORCEMENTS, MANDATORY, SEVERITIES
from core.tiers import TIERS

_MISSING = object()

Check = Callable[[Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[Sequence[Any]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Fixture:
    """A resource for a rule's fixtures: its type and properties (the name is pass/fail/unknown)."""

    type: str
    props: Mapping[str, Any]
    protect: bool = False
    name: str = ""
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """One concern, one rule. ``check`` yields violation messages (resource) or (urn, message) (stack)."""

    id: str
    title: str
    severity: str
    enforcement: str
    types: tuple[str, ...]
    remediation: str
    controls: tuple[str, ...]
    check: Callable[..., Iterable[Any]]
    fixtures: Mapping[str, Any]
    tiers: tuple[str, ...] = TIERS
    kind: str = "resource"  # resource | stack
    family: str = ""
    #: the check reads the resource's tier (classification rules): untagged resources are not applicable
    needs_tier: bool = False
    #: stack rules: how to break a compliant graph (dict form) so that this rule, and only it, fails
    mutate: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if not self.title.startswith("Ensure "):
            raise ValueError(f"{self.id}: title must start with 'Ensure '")
        if self.severity not in SEVERITIES or self.enforcement not in ENFORCEMENTS:
            raise ValueError(f"{self.id}: bad severity or enforcement")
        if set(self.fixtures) != {"pass", "fail", "unknown"}:
            raise ValueError(f"{self.id}: needs pass, fail and unknown fixtures")
        if self.kind == "resource" and not self.types:
            raise ValueError(f"{self.id}: a resource rule names its resource types")

    # -- the pure validator of the contract ------------------------------------------------------
    def validate(self, args: Any, report_violation: ReportViolation) -> None:
        try:
            self._validate(args, report_violation)
        except (UnknownValueError, _NotApplicableError):
            raise  # the analyzer reports these itself: indeterminate, not applicable
        except Exception as exc:
            report_violation(f"rule could not evaluate the resource ({type(exc).__name__})", None)

    def _validate(self, args: Any, report_violation: ReportViolation) -> None:
        if self.kind == "stack":
            for urn, message in self.check(args.resources):
                report_violation(message, urn or None)
            return
        if args.resource_type not in self.types:
            args.not_applicable("resource type not targeted")
            return
        if self.tiers != TIERS or self.needs_tier:
            tier = tier_of(args.props)
            if tier is None or tier not in self.tiers:
                args.not_applicable("classification tier not targeted")
                return
        for message in self.check(args.props):
            report_violation(message, None)

    def policy(self) -> ResourceValidationPolicy | StackValidationPolicy:
        """This rule as a pulumi-policy policy object (what the pack and the analyzer run)."""
        level = EnforcementLevel.MANDATORY if self.enforcement == MANDATORY else EnforcementLevel.ADVISORY
        description = f"{self.title}. Remediation: {self.remediation}"
        if self.kind == "stack":
            def stack_validate(args: StackValidationArgs, report: ReportViolation) -> None:
                self.validate(args, report)
            return StackValidationPolicy(name=self.id, description=description, validate=stack_validate,
                                         enforcement_level=level)

        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            self.validate(args, report)
        return ResourceValidationPolicy(name=self.id, description=description, validate=validate,
                                        enforcement_level=level)


# ---------------------------------------------------------------------------------------------
# Property access helpers (work on plain dicts and on the analyzer's proxies)
# ---------------------------------------------------------------------------------------------


def get(props: Any, path: str, default: Any = None) -> Any:
    """Dotted path with ``[]`` for lists is not supported here: use ``items`` for lists."""
    node = props
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def has(props: Any, path: str) -> bool:
    return get(props, path, _MISSING) is not _MISSING


def items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value)


def tier_of(props: Any) -> str | None:
    """The resource's classification tier, from its ``<namespace>.classification`` defined tag."""
    tags = get(props, "definedTags") or {}
    for key in tags:
        if key.endswith(".classification"):
            value = tags[key]
            return value if isinstance(value, str) else None
    return None


def tagged(tier: str, **props: Any) -> dict[str, Any]:
    """Fixture helper: properties plus the defined tags of a resource in ``tier``."""
    return {"definedTags": {"genai-fx.classification": tier, "genai-fx.cost-center": "CC-1",
                            "genai-fx.environment": "fx", "genai-fx.owner": "team@example.com"}, **props}


def set_path(props: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of props with ``path`` set (intermediate mappings created)."""
    out = copy.deepcopy(dict(props))
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


# ---------------------------------------------------------------------------------------------
# Declarative builders: most rules are "this property must satisfy that"
# ---------------------------------------------------------------------------------------------


def prop_rule(
    id: str,
    title: str,
    types: Sequence[str],
    path: str,
    ok: Callable[[Any], bool],
    *,
    good: Any,
    bad: Any,
    severity: str,
    remediation: str,
    controls: Sequence[str],
    expectation: str,
    tiers: Sequence[str] = TIERS,
    enforcement: str = MANDATORY,
    missing_ok: bool = False,
    base: Mapping[str, Any] | None = None,
) -> Rule:
    """A rule on one property. Missing counts as a violation unless ``missing_ok``."""

    def check(props: Mapping[str, Any]) -> Iterable[str]:
        value = get(props, path, _MISSING)
        if value is _MISSING or value is None:
            if not missing_ok:
                yield f"'{path}' is not set; expected {expectation}"
            return
        if not ok(value):
            yield f"'{path}' does not meet the requirement; expected {expectation}"

    tier = list(tiers)[-1]
    start = tagged(tier, **(base or {}))
    fixtures = {
        "pass": Fixture(types[0], set_path(start, path, good)),
        "fail": Fixture(types[0], set_path(start, path, bad)),
        "unknown": Fixture(types[0], set_path(start, path, UNKNOWN)),
    }
    return Rule(id=id, title=title, severity=severity, enforcement=enforcement, types=tuple(types),
                remediation=remediation, controls=tuple(controls), check=check, fixtures=fixtures,
                tiers=tuple(tiers))


def custom_rule(
    id: str,
    title: str,
    types: Sequence[str],
    check: Check,
    *,
    passing: Mapping[str, Any],
    failing: Mapping[str, Any],
    unknown: Mapping[str, Any],
    severity: str,
    remediation: str,
    controls: Sequence[str],
    tiers: Sequence[str] = TIERS,
    enforcement: str = MANDATORY,
) -> Rule:
    """A resource rule with hand-written logic and hand-written fixture properties."""
    tier = list(tiers)[-1]
    fixtures = {name: Fixture(types[0], tagged(tier, **props))
                for name, props in (("pass", passing), ("fail", failing), ("unknown", unknown))}
    return Rule(id=id, title=title, severity=severity, enforcement=enforcement, types=tuple(types),
                remediation=remediation, controls=tuple(controls), check=check, fixtures=fixtures, tiers=tuple(tiers))


def stack_rule(
    id: str,
    title: str,
    check: StackCheck,
    *,
    passing: Sequence[Fixture],
    failing: Sequence[Fixture],
    unknown: Sequence[Fixture],
    mutate: Callable[[dict[str, Any]], dict[str, Any]],
    severity: str,
    remediation: str,
    controls: Sequence[str],
    enforcement: str = MANDATORY,
) -> Rule:
    return Rule(id=id, title=title, severity=severity, enforcement=enforcement, types=(), remediation=remediation,
                controls=tuple(controls), check=check, kind="stack", mutate=mutate,
                fixtures={"pass": tuple(passing), "fail": tuple(failing), "unknown": tuple(unknown)})


# ---------------------------------------------------------------------------------------------
# Graph mutations for stack rules (``Rule.mutate``): break a compliant graph in one way
# ---------------------------------------------------------------------------------------------


def drop_first(type_: str, where: Callable[[dict[str, Any]], bool] = lambda n: True) -> Callable[[dict], dict]:
    def mutate(graph: dict[str, Any]) -> dict[str, Any]:
        for i, node in enumerate(graph["nodes"]):
            if node["type"] == type_ and where(node):
                del graph["nodes"][i]
                break
        return graph
    return mutate


def edit_first(type_: str, change: Callable[[dict[str, Any]], None], where: Callable[[dict], bool] = lambda n: True):
    def mutate(graph: dict[str, Any]) -> dict[str, Any]:
        for node in graph["nodes"]:
            if node["type"] == type_ and where(node):
                change(node)
                break
        return graph
    return mutate


def drop_all(type_: str) -> Callable[[dict], dict]:
    def mutate(graph: dict[str, Any]) -> dict[str, Any]:
        graph["nodes"] = [n for n in graph["nodes"] if n["type"] != type_]
        return graph
    return mutate


def add_node(node: dict[str, Any]) -> Callable[[dict], dict]:
    def mutate(graph: dict[str, Any]) -> dict[str, Any]:
        template = next(n for n in graph["nodes"] if n.get("custom") and n["inputs"].get("definedTags"))
        new = copy.deepcopy(node)
        new.setdefault("parent", template["parent"])
        new.setdefault("custom", True)
        new.setdefault("dependencies", [])
        new.setdefault("propertyDependencies", {})
        new.setdefault("protect", False)
        new["inputs"] = {"definedTags": template["inputs"]["definedTags"],
                         "compartmentId": template["inputs"].get("compartmentId", "x"), **new.get("inputs", {})}
        graph["nodes"].append(new)
        return graph
    return mutate
