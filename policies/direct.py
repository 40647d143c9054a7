"""Evaluate rules directly: each rule's pulumi-policy validator, called the way the analyzer calls it.

``policies.engine.Evaluator`` sends every resource through pulumi-policy's analyzer servicer
(``Analyze`` / ``AnalyzeStack``), which re-serialises and re-wraps a resource's properties once
per policy and every resource of the stack once per stack policy. This path does the same work
once per resource and then calls each policy's ``validate`` with the same arguments and the
same outcome mapping as the servicer (pulumi-policy 1.21, ``sdk/python/lib/pulumi_policy/policy.py``,
``_PolicyAnalyzerServicer.Analyze`` and ``AnalyzeStack``,
https://github.com/pulumi/pulumi-policy/blob/master/sdk/python/lib/pulumi_policy/policy.py):

- properties go through the same wire round trip (``google.protobuf.Struct`` → ``MessageToDict``,
  here ``core.wire.struct_to_dict``, which reads a Struct the same way → ``deserialize_properties``:
  numbers become floats, secrets are unwrapped) and the same
  ``unknown_checking_proxy``, so reading an unknown raises ``UnknownValueError``;
- ``UnknownValueError`` → *indeterminate* (the servicer's "can't run policy … during preview"),
  after any violation the rule reported before it;
- ``args.not_applicable(...)`` → *not applicable*, whatever the rule reported before it;
- a violation message is the servicer's ``description + "\\n" + message`` cut after the first
  line, exactly as ``Evaluator`` reads it back; a stack violation's URN defaults to the stack's;
- disabled rules are skipped; per-rule config (minus ``enforcementLevel``) reaches the rule as
  ``args.get_config()`` after the same Struct round trip;
- any other exception propagates, as it does out of the servicer.

``tests/policies/test_direct.py`` proves the two paths give identical findings on every rule's
fixtures, on dev and prod and on generated stacks; ``benchmarks/check_bench.py`` repeats that on
100 generated stacks. ``blueprint check`` uses this path by default and the servicer path with
``--engine crossguard``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from inspect import isawaitable
from types import MappingProxyType
from typing import Any

from google.protobuf import json_format
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
    _NotApplicableError,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from core.wire import struct_to_dict
from policies.engine import Evaluator, Resource, _message_text, _struct
from policies.findings import ENGINE, Finding
from policies.rules import all_rules
from policies.rules._base import Rule

STACK_TYPE = "pulumi:pulumi:Stack"
_NO_TAGS: Mapping[str, str] = MappingProxyType({})
_INDETERMINATE = "reads a value unknown until deployment"


def _wire_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties as the servicer hands them to a policy (before the unknown-checking proxy)."""
    return deserialize_properties(struct_to_dict(_struct(props)))


def _options(protect: bool) -> PolicyResourceOptions:
    # What the servicer's _get_resource_options builds from AnalyzerResourceOptions(protect=...).
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _run(result: Any) -> None:
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(asyncio.ensure_future(result, loop=loop))
        finally:
            loop.close()


class _Outcome:
    """One rule's run: the violations it reported and how it ended."""

    __slots__ = ("ended", "violations")

    def __init__(self) -> None:
        self.violations: list[tuple[str, str]] = []
        self.ended = "ok"  # ok | unknown | not_applicable

    def report(self, message: str, urn: str | None = None) -> None:
        # The servicer's report_violation checks the same two types.
        if message and not isinstance(message, str):
            raise TypeError("Expected message to be a string")
        if urn is not None and not isinstance(urn, str):
            raise TypeError("Expected urn to be a string")
        self.violations.append((message, urn or ""))


class DirectEvaluator:
    """Same interface and findings as ``policies.engine.Evaluator``, without the servicer."""

    def __init__(self, rules: Sequence[Rule] | None = None, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.rules = list(rules if rules is not None else all_rules())
        self.by_id = {r.id: r for r in self.rules}
        self.levels = {r.id: (config or {}).get(r.id, {}).get("enforcementLevel", r.enforcement) for r in self.rules}
        self._policies = {r.id: r.policy() for r in self.rules}
        self._descriptions = {r.id: self._policies[r.id].description or "" for r in self.rules}
        self._config = {r.id: self._rule_config(config, r.id) for r in self.rules}
        by_type: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            if self.levels[rule.id] == "disabled":
                continue
            for t in rule.types:
                by_type[t].append(rule)
        self._by_type = dict(by_type)
        self._stack_rules = [r for r in self.rules if r.kind == "stack" and self.levels[r.id] != "disabled"]

    @staticmethod
    def _rule_config(config: Mapping[str, Mapping[str, Any]] | None, rule_id: str) -> dict[str, Any] | None:
        entry = dict((config or {}).get(rule_id, {}))
        entry.pop("enforcementLevel", None)
        # The servicer stores Configure's Struct as a dict and hands out a copy only when non-empty.
        return json_format.MessageToDict(_struct(entry)) if entry else None

    def _finding(self, rule: Rule, urn: str, type_: str, status: str, message: str = "") -> Finding:
        return Finding(rule=rule.id, engine=ENGINE, urn=urn, type=type_, status=status, severity=rule.severity,
                       message=message, enforcement=self.levels[rule.id], title=rule.title, controls=rule.controls)

    def _call(self, rule: Rule, args: ResourceValidationArgs | StackValidationArgs) -> _Outcome:
        outcome = _Outcome()
        policy: Any = self._policies[rule.id]  # a resource policy gets resource args, a stack policy stack args
        try:
            _run(policy.validate(args, outcome.report))
        except UnknownValueError:
            outcome.ended = "unknown"
        except _NotApplicableError:
            outcome.ended = "not_applicable"
        return outcome

    def _findings(self, rule: Rule, outcome: _Outcome, urn: str, type_: str, *, per_urn: bool) -> list[Finding]:
        if outcome.ended == "not_applicable":
            return [self._finding(rule, urn, type_, "not_applicable")]
        out = []
        description = self._descriptions[rule.id]
        for message, target in outcome.violations:
            text = description + (f"\n{message}" if message else "")
            out.append(self._finding(rule, target if (per_urn and target) else urn, type_, "fail", _message_text(text)))
        if outcome.ended == "unknown":
            out.append(self._finding(rule, urn, type_, "indeterminate", _INDETERMINATE))
        if not out:
            out.append(self._finding(rule, urn, type_, "pass"))
        return out

    def evaluate(self, resources: Iterable[Resource], *, stack_urn: str = "") -> list[Finding]:
        resources = list(resources)
        wire = {id(r): _wire_props(r.props) for r in resources}
        findings: list[Finding] = []
        for res in resources:
            rules = self._by_type.get(res.type)
            if not rules:
                continue
            props = unknown_checking_proxy(wire[id(res)])
            for rule in rules:
                args = ResourceValidationArgs(res.type, props, res.urn, res.name, _options(res.protect), None,
                                              self._config[rule.id], _NO_TAGS)
                findings.extend(self._findings(rule, self._call(rule, args), res.urn, res.type, per_urn=False))
        if self._stack_rules:
            policy_resources = self._stack_resources(resources, wire)
            for rule in self._stack_rules:
                stack_args = StackValidationArgs(policy_resources, self._config[rule.id], _NO_TAGS)
                findings.extend(self._findings(rule, self._call(rule, stack_args), stack_urn, STACK_TYPE, per_urn=True))
        return findings

    @staticmethod
    def _stack_resources(resources: Sequence[Resource], wire: Mapping[int, dict[str, Any]]) -> list[PolicyResource]:
        """The servicer's AnalyzeStack resources: parents, dependencies and property dependencies linked."""
        out = [PolicyResource(r.type, unknown_checking_proxy(wire[id(r)]), r.urn, r.name, _options(r.protect), None,
                              None, [], {}) for r in resources]
        by_urn = {p.urn: p for p in out}
        for res, policy_resource in zip(resources, out, strict=True):
            if res.parent and res.parent in by_urn:
                policy_resource.parent = by_urn[res.parent]
            policy_resource.dependencies.extend(by_urn[d] for d in res.dependencies if d in by_urn)
            for key, urns in res.property_dependencies.items():
                policy_resource.property_dependencies[key] = [by_urn[u] for u in urns if u in by_urn]
        return out


@cache
def evaluator(kind: str = "direct") -> DirectEvaluator | Evaluator:
    """One configured evaluator per kind and process (``blueprint check --engine direct|crossguard``:
    the same findings either way; the analyzer's servicers cost ~0.3 s to set up)."""
    return Evaluator() if kind == "crossguard" else DirectEvaluator()
