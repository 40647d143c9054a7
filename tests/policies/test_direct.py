"""The direct evaluation path gives exactly the analyzer servicer's findings.

Same findings (rule, engine, urn, type, status, severity, message, enforcement, title) in the same
order on every rule's pass / fail / unknown fixtures, on dev and prod (planned and previewed), on
mutated graphs that fire each family, and on generated stack variants. The 100-stack comparison
is `benchmarks/check_bench.py --equivalence`.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.direct import DirectEvaluator
from policies.engine import Evaluator, Resource, check_graph
from policies.rules import all_rules
from policies.rules._base import Fixture, Rule

pytestmark = pytest.mark.policy

RULES = all_rules()


@pytest.fixture(scope="module")
def servicer() -> Evaluator:
    return Evaluator()


@pytest.fixture(scope="module")
def direct() -> DirectEvaluator:
    return DirectEvaluator()


def _resources(fixture: Any, name: str) -> list[Resource]:
    items = fixture if isinstance(fixture, tuple) else (fixture,)
    return [Resource.from_fixture(f, name) for f in items]


@pytest.mark.parametrize("case", ["pass", "fail", "unknown"])
def test_identical_on_every_fixture(servicer, direct, case):
    differing = [rule.id for rule in RULES
                 if servicer.evaluate(_resources(rule.fixtures[case], case), stack_urn="urn:s")
                 != direct.evaluate(_resources(rule.fixtures[case], case), stack_urn="urn:s")]
    assert differing == []


def test_identical_with_config_and_disabled_rules():
    config = {RULES[0].id: {"enforcementLevel": "disabled"}, RULES[1].id: {"enforcementLevel": "advisory"}}
    fixtures = [f for r in RULES[:20] for case in ("pass", "fail") for f in _resources(r.fixtures[case], case)]
    assert Evaluator(config=config).evaluate(fixtures, stack_urn="urn:s") == \
        DirectEvaluator(config=config).evaluate(fixtures, stack_urn="urn:s")


def test_semantics_follow_the_servicer():
    """A rule that reports, then reads an unknown → fail + indeterminate; one that reports, then
    declares itself not applicable → not applicable only; another error propagates."""
    from policies.rules._base import UNKNOWN

    def report_then_read(props):
        yield "first problem"
        _ = props["later"]

    def report_then_skip(props):
        yield "first problem"
        raise _not_applicable()

    def _not_applicable():
        from pulumi_policy.policy import _NotApplicableError
        return _NotApplicableError("skip")

    fixture = Fixture("oci:Core/vcn:Vcn", {"later": UNKNOWN})
    rules = [Rule(id=f"T-{i}", title="Ensure a test", severity="low", enforcement="mandatory", types=("oci:Core/vcn:Vcn",),
                  remediation="r", controls=("x:y",), check=check,
                  fixtures={"pass": fixture, "fail": fixture, "unknown": fixture})
             for i, check in enumerate((report_then_read, report_then_skip))]
    resources = [Resource.from_fixture(fixture, "r")]
    expected = Evaluator(rules).evaluate(resources)
    assert [f.status for f in expected] == ["fail", "indeterminate", "not_applicable"]
    assert DirectEvaluator(rules).evaluate(resources) == expected


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_identical_on_dev_and_prod(planned, servicer, direct, stack):
    graph = planned(stack).to_json()
    findings = check_graph(graph, direct)
    assert findings == check_graph(graph, servicer)
    assert "pass" in {f.status for f in findings}


@pytest.mark.integration
def test_identical_on_a_preview_graph(servicer, direct):
    from tests.conftest import plan_variant

    graph = plan_variant("prod", preview=True).to_json()
    findings = check_graph(graph, direct)
    assert any(f.status == "indeterminate" for f in findings)
    assert findings == check_graph(graph, servicer)


@pytest.mark.integration
def test_identical_on_mutated_prod(planned, servicer, direct):
    """Every rule broken in prod at once (each family's failures exercised on real resources)."""
    from tests.policies.test_mutation import mutate

    graph = planned("prod").to_json()
    baseline = {(f.rule, f.urn): f.status for f in check_graph(graph, direct)}
    for rule in RULES[::7]:
        graph, _ = mutate(rule, graph, baseline)
    findings = check_graph(graph, direct)
    assert sum(f.status == "fail" for f in findings) >= len(RULES[::7])
    assert findings == check_graph(graph, servicer)


@pytest.mark.integration
def test_identical_on_generated_stacks(servicer, direct):
    import shutil

    from blueprint import engine
    from blueprint.stackconfig import list_stacks
    from tests.generated_stacks import generated_project

    project = generated_project(3, start=7)
    try:
        for stack in list_stacks(project):
            graph = engine.plan(stack, project).graph.to_json()
            assert check_graph(graph, direct) == check_graph(graph, servicer), stack
    finally:
        shutil.rmtree(project, ignore_errors=True)
