"""Evaluate rules the way the Pulumi engine does: through pulumi-policy's analyzer service.

Every resource goes through ``Analyze`` and the stack through ``AnalyzeStack`` of pulumi-policy's
own servicer (the class the CLI talks to over gRPC), after ``Configure`` with the policy config.
So enforcement levels, not-applicable results and unknown values behave exactly as under
``pulumi preview --policy-pack``: a rule that reads an unknown value is reported by the servicer
as "can't run during preview", which we record as *indeterminate*, never as a pass.

The servicer is private API of pulumi-policy; it is pinned (requirements.lock) and touched only here.
For speed, resources are sent to a servicer holding only the rules for their type (a rule for
another type would answer not-applicable anyway).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from core.markers import SECRET_MARKER, UNKNOWN_MARKER
from core.severity import ADVISORY, MANDATORY
from policies.findings import ENGINE, Finding
from policies.rules import all_rules
from policies.rules._base import Fixture, Rule

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_CANT_RUN = "can't run policy"
PACK_NAME, PACK_VERSION = "genai-platform", "1.0.0"


@dataclass(frozen=True)
class Resource:
    """What the analyzer needs of one resource (from a graph node or a rule fixture)."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def from_node(cls, node: Mapping[str, Any]) -> Resource:
        """A graph node as the CLI's stack policies see it: a custom resource's properties, a component's
        registered outputs (AnalyzeStack is called on each resource's final outputs, and registering a
        component's outputs replaces them: pulumi/pulumi pkg/resource/deploy/step_generator.go
        ``AnalyzeResources``, step_executor.go ``ExecuteRegisterResourceOutputs``)."""
        props = node.get("inputs") if node.get("custom", True) else node.get("outputs")
        return cls(urn=node["urn"], type=node["type"], name=node["name"], props=props or {},
                   protect=bool(node.get("protect")), parent=node.get("parent"),
                   dependencies=tuple(node.get("dependencies") or ()),
                   property_dependencies=node.get("propertyDependencies") or {})

    @classmethod
    def from_fixture(cls, fixture: Fixture, name: str) -> Resource:
        label = fixture.name or name
        urn = label if label.startswith("urn:") else f"urn:pulumi:fx::fx::{fixture.type}::{label}"
        return cls(urn=urn, type=fixture.type, name=label, props=fixture.props, protect=fixture.protect,
                   parent=fixture.parent, dependencies=fixture.dependencies,
                   property_dependencies=fixture.property_dependencies)


def _wire(value: Any) -> Any:
    """Graph form → the engine's wire form: markers back to real unknowns and secrets."""
    if isinstance(value, str):
        if value == UNKNOWN_MARKER:
            return _UNKNOWN_SENTINEL
        if value == SECRET_MARKER:
            return {_SIG: _SECRET_SIG, "value": SECRET_MARKER}
        return value
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(_wire(dict(props)))
    return struct


def _servicer(rules: Sequence[Rule], config: Mapping[str, Mapping[str, Any]] | None) -> _PolicyAnalyzerServicer:
    servicer = _PolicyAnalyzerServicer(PACK_NAME, PACK_VERSION, [r.policy() for r in rules], EnforcementLevel.ADVISORY)
    request = proto.ConfigureAnalyzerRequest()
    for rule in rules:
        entry = dict((config or {}).get(rule.id, {}))
        level = entry.pop("enforcementLevel", rule.enforcement)
        policy_config = request.policyConfig[rule.id]
        policy_config.enforcementLevel = {ADVISORY: proto.ADVISORY, MANDATORY: proto.MANDATORY,
                                          "disabled": proto.DISABLED}[level]
        policy_config.properties.update(entry)
    servicer.Configure(request, None)
    return servicer


def _message_text(text: str) -> str:
    """A diagnostic's text is the rule's description, a newline, then the rule's own message."""
    return text.split("\n", 1)[1] if "\n" in text else text


class Evaluator:
    """Holds the configured servicers; evaluate() any number of resource sets against them."""

    def __init__(self, rules: Sequence[Rule] | None = None, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.rules = list(rules if rules is not None else all_rules())
        self.by_id = {r.id: r for r in self.rules}
        by_type: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            for t in rule.types:
                by_type[t].append(rule)
        self.levels = {r.id: (config or {}).get(r.id, {}).get("enforcementLevel", r.enforcement) for r in self.rules}
        self._by_type = {t: (rules_, _servicer(rules_, config)) for t, rules_ in by_type.items()}
        stack_rules = [r for r in self.rules if r.kind == "stack"]
        self._stack = (stack_rules, _servicer(stack_rules, config)) if stack_rules else None

    def _finding(self, rule: Rule, urn: str, type_: str, status: str, message: str = "") -> Finding:
        return Finding(rule=rule.id, engine=ENGINE, urn=urn, type=type_, status=status, severity=rule.severity,
                       message=message, enforcement=self.levels[rule.id], title=rule.title, controls=rule.controls)

    def evaluate(self, resources: Iterable[Resource], *, stack_urn: str = "") -> list[Finding]:
        resources = list(resources)
        findings: list[Finding] = []
        for res in resources:
            entry = self._by_type.get(res.type)
            if entry is None:
                continue
            rules, servicer = entry
            request = proto.AnalyzeRequest(type=res.type, properties=_struct(res.props), urn=res.urn, name=res.name,
                                           options=proto.AnalyzerResourceOptions(protect=res.protect))
            findings.extend(self._collect(rules, servicer.Analyze(request, None), res.urn, res.type, per_urn=False))
        if self._stack is not None:
            rules, servicer = self._stack
            request = proto.AnalyzeStackRequest()
            for res in resources:
                item = request.resources.add(type=res.type, urn=res.urn, name=res.name, parent=res.parent or "",
                                             options=proto.AnalyzerResourceOptions(protect=res.protect))
                item.properties.CopyFrom(_struct(res.props))
                item.dependencies.extend(res.dependencies)
                for key, urns in res.property_dependencies.items():
                    item.propertyDependencies[key].urns.extend(urns)
            findings.extend(self._collect(rules, servicer.AnalyzeStack(request, None), stack_urn, "pulumi:pulumi:Stack",
                                          per_urn=True))
        return findings

    def _collect(self, rules: Sequence[Rule], response: Any, urn: str, type_: str, *, per_urn: bool) -> list[Finding]:
        diagnostics: dict[str, list[Any]] = defaultdict(list)
        for d in response.diagnostics:
            diagnostics[d.policyName].append(d)
        not_applicable = {n.policy_name for n in response.not_applicable}
        out: list[Finding] = []
        for rule in rules:
            if self.levels[rule.id] == "disabled":
                continue
            if rule.id in not_applicable:
                out.append(self._finding(rule, urn, type_, "not_applicable"))
                continue
            diags = diagnostics.get(rule.id, [])
            if not diags:
                out.append(self._finding(rule, urn, type_, "pass"))
                continue
            for d in diags:
                if d.message.startswith(_CANT_RUN):
                    # The rule read a value that is unknown until deploy: neither pass nor fail.
                    out.append(self._finding(rule, urn, type_, "indeterminate", "reads a value unknown until deployment"))
                else:
                    target = d.urn if (per_urn and d.urn) else urn
                    out.append(self._finding(rule, target, type_, "fail", _message_text(d.message)))
        return out


def graph_resources(graph: Mapping[str, Any]) -> list[Resource]:
    """Every node of a graph (dict form). Components have no resource rules, but stack rules see them
    (as under the CLI), so a resource's parent resolves to its component."""
    return [Resource.from_node(n) for n in graph["nodes"]]


def stack_urn(graph: Mapping[str, Any]) -> str:
    return f"urn:pulumi:{graph['stack']}::{graph['project']}::pulumi:pulumi:Stack::{graph['project']}-{graph['stack']}"


class RuleEvaluator(Protocol):
    """What check_graph needs: this module's Evaluator or policies.direct.DirectEvaluator."""

    def evaluate(self, resources: Iterable[Resource], *, stack_urn: str = "") -> list[Finding]: ...


def check_graph(graph: Mapping[str, Any], evaluator: RuleEvaluator | None = None) -> list[Finding]:
    evaluator = evaluator or Evaluator()
    return evaluator.evaluate(graph_resources(graph), stack_urn=stack_urn(graph))

