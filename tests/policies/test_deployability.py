"""Deployability rules read YAML out of the graph, which is input: hostile YAML never hangs or crashes them."""

from __future__ import annotations

import pytest
import yaml

from policies.engine import Evaluator, Resource
from policies.rules._base import Fixture
from policies.rules.deployability import K8S_CONFIG_MAP

pytestmark = pytest.mark.policy


def _bomb() -> str:
    rows = ["model_list: &a [" + ",".join(["lol"] * 10) + "]"]
    rows += [f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    return "\n".join(rows) + "\ngenai_router: {}\n"


@pytest.mark.parametrize("text", [_bomb(), "model_list: !!python/object:os.system {}\ngenai_router: {}\n",
                                  "model_list: [\n", "model_list: [a, b]\ngenai_router: {}\n",
                                  "model_list: [{model_name: a}]\nrouter_settings: {fallbacks: [x]}\ngenai_router: {}\n"])
def test_a_hostile_or_misshapen_router_config_in_the_graph_is_skipped(text: str) -> None:
    config_map = Fixture(K8S_CONFIG_MAP, {"metadata": {"name": "genai-router-config", "namespace": "n"},
                                          "data": {"config.yaml": text}}, name="urn:cm")
    findings = Evaluator().evaluate([Resource.from_fixture(config_map, "x")], stack_urn="urn:stack")
    assert not [f for f in findings if f.rule == "DEP-009" and f.status == "fail"]


def _dep015(fixtures: list[Fixture]) -> list[str]:
    resources = [Resource.from_fixture(f, "x") for f in fixtures]
    return [f.status for f in Evaluator().evaluate(resources, stack_urn="urn:stack") if f.rule == "DEP-015"]


def test_dep015_accepts_a_read_grant_naming_the_planned_wallet_secret() -> None:
    """The plane's own wallet secret is granted by name (the grant precedes the database the wallet needs)."""
    from policies.rules.deployability import _connection, _sso

    planned = "ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaaplanned"
    assert "fail" not in _dep015(_connection(_sso(planned), "target.secret.name='genai-x-adb-wallet'",
                                             planned_secret="genai-x-adb-wallet"))
    # Another secret's name, or a name grant for a secret the connection does not take its wallet from: fails.
    assert "fail" in _dep015(_connection(_sso(planned), "target.secret.name='genai-x-adb-rag'",
                                         planned_secret="genai-x-adb-wallet"))
    assert "fail" in _dep015(_connection(_sso(planned), "target.secret.name='genai-x-adb-wallet'"))


@pytest.mark.parametrize("overrides", [
    None,  # the stack's walletPassword: the plane creates the wallet and its secret
    {"genai-platform:data": {"database": {"walletSecretId": "ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaawallet"}}},
], ids=["planned-wallet", "out-of-band-wallet"])
def test_dep015_is_mandatory_and_passes_both_ways_a_stack_supplies_the_wallet(overrides: dict | None) -> None:
    """DEP-015 fails the check where it fails; a stack with either wallet source passes it (the mandatory bar)."""
    from policies.engine import check_graph
    from policies.rules.deployability import RULES
    from tests.conftest import plan_variant

    (rule,) = [r for r in RULES if r.id == "DEP-015"]
    assert rule.enforcement == "mandatory"
    graph = plan_variant("dev", overrides, name="dev-wallet" if overrides else None).to_json()
    assert {f.status for f in check_graph(graph) if f.rule == "DEP-015"} == {"pass"}


# -- DEP-016: the budget covers the clusters' committed hours, at the stack's unit-hour prices ------------


def _dep016_findings(unit_prices: dict | None, amount: float, direct: bool) -> list:
    """A hosting cluster of 2 x LARGE_COHERE_V2_2 under its model plane (which registers the stack's
    negotiated prices as its unitPrices output) and a monthly budget of ``amount``."""
    from policies.direct import DirectEvaluator
    from policies.rules.deployability import BUDGET, _hosting

    plane = Fixture("genai:index:ModelPlane", {"unitPrices": unit_prices or {}}, name="urn:model")
    cluster = _hosting()
    cluster = Fixture(cluster.type, cluster.props, name=cluster.name, parent="urn:model")
    fixtures = [plane, cluster, Fixture(BUDGET, {"amount": amount}, name="urn:b")]
    evaluator = DirectEvaluator() if direct else Evaluator()
    findings = evaluator.evaluate([Resource.from_fixture(f, "x") for f in fixtures], stack_urn="urn:stack")
    return [f for f in findings if f.rule == "DEP-016"]


def _dep016(unit_prices: dict | None, amount: float, direct: bool) -> set[str]:
    return {f.status for f in _dep016_findings(unit_prices, amount, direct)}


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "crossguard"])
def test_dep016_prices_the_commitment_at_the_stacks_negotiated_unit_price(direct: bool) -> None:
    # List: 2 units x 2 (multiplier) x 24 USD x 744 h = 71,424 USD a month; negotiated at 8 USD: 23,808.
    assert _dep016(None, 25000.0, direct) == {"fail"}
    assert _dep016({"LARGE_COHERE_V2_2": 8.0}, 25000.0, direct) == {"pass"}
    assert _dep016({"LARGE_COHERE_V2_2": 9.0}, 25000.0, direct) == {"fail"}  # 26,784 USD
    assert _dep016({"SMALL_COHERE_V2": 1.0}, 25000.0, direct) == {"fail"}  # another shape: the list price


def test_dep016_names_the_list_commitment_but_never_one_priced_at_the_stacks_rates() -> None:
    (listed,) = [f.message for f in _dep016_findings(None, 25000.0, True) if f.status == "fail"]
    (negotiated,) = [f.message for f in _dep016_findings({"LARGE_COHERE_V2_2": 9.0}, 25000.0, True) if f.status == "fail"]
    assert "71,424 USD" in listed and "list unit prices" in listed
    assert "model.unitPrices" in negotiated and "26,784" not in negotiated and "USD" not in negotiated


def test_dep016_follows_model_unit_prices_through_the_plan() -> None:
    """prod's clusters cost 130.90 USD an hour at list prices (97,390 USD a month); with LARGE_COHERE_V2_2
    negotiated at 12 USD they cost 82.90 (61,678 a month): a 70,000 USD budget fails the first, passes the second."""
    from policies.engine import check_graph
    from tests.conftest import plan_variant

    budget = {"genai-platform:operations": {"budget": {"amount": 70000}}}
    listed = plan_variant("prod", budget, name="prod-budget").to_json()
    negotiated = plan_variant("prod", {**budget, "genai-platform:model": {"unitPrices": {"LARGE_COHERE_V2_2": 12.0}}},
                              name="prod-negotiated").to_json()
    (plane,) = [n for n in negotiated["nodes"] if n["type"] == "genai:index:ModelPlane"]
    assert plane["outputs"]["unitPrices"] == {"LARGE_COHERE_V2_2": 12.0}
    assert {f.status for f in check_graph(listed) if f.rule == "DEP-016"} == {"fail"}
    assert {f.status for f in check_graph(negotiated) if f.rule == "DEP-016"} == {"pass"}
    # The router's deployed config meters the primary at the negotiated price: 2 x 2 x 12 / 36,000 per request.
    (config_map,) = [n for n in negotiated["nodes"] if n["type"] == K8S_CONFIG_MAP
                     and n["inputs"]["metadata"]["name"] == "genai-router-config"]
    models = {m["model_name"]: m["model_info"] for m in yaml.safe_load(config_map["inputs"]["data"]["config.yaml"])["model_list"]}
    assert models["command-r-plus"]["price"] == pytest.approx(2 * 2 * 12.0 / 36000, rel=1e-5)
