"""Deployability rules read YAML out of the graph, which is input: hostile YAML never hangs or crashes them."""

from __future__ import annotations

import pytest

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
