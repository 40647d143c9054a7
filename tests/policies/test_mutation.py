"""Mutation test: for every rule, a copy of the compliant prod graph broken in just that rule's way
makes `check` fail naming that rule. No rule is left that nothing can trigger."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policies.direct import DirectEvaluator
from policies.engine import check_graph
from policies.rules import all_rules
from policies.rules._base import TIERS, Rule, tier_of

pytestmark = [pytest.mark.policy, pytest.mark.integration]

RULES = all_rules()


@pytest.fixture(scope="module")
def evaluator() -> DirectEvaluator:
    # The default path of `blueprint check`; tests/policies/test_direct.py proves it gives the
    # analyzer servicer's findings (and test_rules.py runs every fixture through the servicer).
    return DirectEvaluator()


@pytest.fixture(scope="module")
def prod(planned) -> dict[str, Any]:
    return planned("prod").to_json()


@pytest.fixture(scope="module")
def baseline(prod, evaluator) -> dict[tuple[str, str], str]:
    """prod's statuses under the shipped, reviewed waivers (a waived failure is not a pass to break)."""
    from datetime import date

    from policies.waivers import apply_waivers, load_waivers
    from tests.conftest import ROOT

    waivers = load_waivers(ROOT / "policies" / "waivers.yaml")
    return {(f.rule, f.urn): f.status for f in apply_waivers(check_graph(prod, evaluator), waivers, "prod", date.today())}


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Replace each top-level property the failing fixture sets (its value is complete and failing);
    the resource keeps its own tags, so its tier is unchanged."""
    for key, value in patch.items():
        if key != "definedTags":
            target[key] = copy.deepcopy(value)


def mutate(rule: Rule, graph: dict[str, Any], baseline: dict[tuple[str, str], str]) -> tuple[dict[str, Any], str]:
    """Break ``rule`` in a copy of ``graph``; returns the graph and how it was broken."""
    graph = copy.deepcopy(graph)
    if rule.kind == "stack":
        assert rule.mutate is not None
        return rule.mutate(graph), "stack mutation"
    failing = rule.fixtures["fail"]
    # Tier thresholds differ: edit a resource only if it is in the tier the failing fixture was made for.
    same_tier = rule.needs_tier or rule.tiers != TIERS
    # Nodes of the fixture's own type first: a workload rule's Deployment-shaped fixture merged into a
    # CronJob would not reach its pod spec (spec.jobTemplate.spec.template).
    nodes = sorted(graph["nodes"], key=lambda n: n["type"] != failing.type)
    for node in nodes:
        if same_tier and tier_of(node["inputs"]) != tier_of(failing.props):
            continue
        if node["type"] in rule.types and baseline.get((rule.id, node["urn"])) == "pass":
            _merge(node["inputs"], dict(failing.props))
            return graph, f"edited {node['name']}"
    # No resource of this type in prod yet: add one shaped like the failing fixture.
    component = next(n for n in graph["nodes"] if not n["custom"])
    graph["nodes"].append({
        "urn": f"urn:pulumi:prod::genai-platform::{component['type']}${failing.type}::mutant-{rule.id.lower()}",
        "type": failing.type, "name": f"mutant-{rule.id.lower()}", "parent": component["urn"], "plane": component["plane"],
        "provider": None, "custom": True, "inputs": copy.deepcopy(dict(failing.props)), "dependencies": [],
        "propertyDependencies": {}, "protect": False, "retainOnDelete": False})
    return graph, "added a failing resource"


def test_prod_is_compliant_to_start_with(baseline, evaluator):
    by_id = {r.id: r for r in RULES}
    blocking = [k for k, status in baseline.items() if status in ("fail", "indeterminate")
                and by_id.get(k[0]) and by_id[k[0]].enforcement == "mandatory"]
    assert blocking == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_breaking_the_rule_makes_check_fail_naming_it(rule, prod, baseline, evaluator):
    mutated, how = mutate(rule, prod, baseline)
    findings = check_graph(mutated, evaluator)
    failed = {f.rule for f in findings if f.status == "fail"}
    assert rule.id in failed, f"{rule.id} did not fire after: {how}"
    if rule.enforcement == "mandatory":
        before = {k[0] for k, s in baseline.items() if s == "fail"}
        assert rule.id not in before, f"{rule.id} already failed on the unmutated graph"
