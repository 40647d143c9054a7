"""Network plane over the dev and prod graphs (and a public-API variant)."""

from __future__ import annotations

import ipaddress

import pytest

from components.network import NsgRule, nsg_rules
from tests.conftest import plan_variant

pytestmark = pytest.mark.integration

STACKS = ["dev", "prod"]
SUBNET = "oci:Core/subnet:Subnet"
RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"


@pytest.fixture(scope="module")
def public_dev():
    """dev (internal tier, which allows a public API) publishing its API through a public subnet."""
    from tests.edge_helpers import PUBLIC_DEV

    return plan_variant("dev", PUBLIC_DEV, name="devpublic")


def _opens_admin_port_to_world(inputs: dict) -> bool:
    if inputs.get("direction") != "INGRESS" or inputs.get("source") not in ("0.0.0.0/0", "::/0"):
        return False
    if inputs.get("protocol") == "all":
        return True
    rng = (inputs.get("tcpOptions") or {}).get("destinationPortRange")
    if inputs.get("protocol") == "6" and rng is None:
        return True
    return bool(rng) and any(rng["min"] <= port <= rng["max"] for port in (22, 3389))


@pytest.mark.parametrize("stack", STACKS)
def test_no_public_ips_in_private_stacks(planned, stack):
    subnets = planned(stack).by_type(SUBNET)
    assert len(subnets) == 7
    for s in subnets:
        assert s.inputs["prohibitPublicIpOnVnic"] is True, s.name
        assert s.inputs["prohibitInternetIngress"] is True, s.name
    assert not planned(stack).by_type("oci:Core/internetGateway:InternetGateway")


def test_only_the_public_ingress_subnet_allows_public_ips(public_dev):
    public = [s for s in public_dev.by_type(SUBNET) if not s.inputs["prohibitPublicIpOnVnic"]]
    assert [s.name for s in public] == ["dev-network-subnet-publicIngress"]
    assert len(public_dev.by_type("oci:Core/internetGateway:InternetGateway")) == 1


@pytest.mark.parametrize("stack", STACKS)
def test_no_nsg_or_security_list_opens_ssh_or_rdp_to_the_world(planned, stack, public_dev):
    for graph in (planned(stack), public_dev):
        for rule in graph.by_type(RULE):
            assert not _opens_admin_port_to_world(rule.inputs), rule.name
        for sl in graph.by_type("oci:Core/defaultSecurityList:DefaultSecurityList") + graph.by_type(
                "oci:Core/securityList:SecurityList"):
            for ingress in sl.inputs.get("ingressSecurityRules", []):
                assert not _opens_admin_port_to_world({"direction": "INGRESS", **ingress}), sl.name


def test_the_checker_itself_catches_an_open_ssh_rule():
    bad = {"direction": "INGRESS", "source": "0.0.0.0/0", "protocol": "6",
           "tcpOptions": {"destinationPortRange": {"min": 20.0, "max": 25.0}}}
    assert _opens_admin_port_to_world(bad)
    assert not _opens_admin_port_to_world({**bad, "source": "10.0.0.0/8"})


@pytest.mark.parametrize("stack", STACKS)
def test_default_security_list_is_locked_down(planned, stack):
    (dsl,) = planned(stack).by_type("oci:Core/defaultSecurityList:DefaultSecurityList")
    assert dsl.inputs.get("ingressSecurityRules", []) == []
    assert dsl.inputs.get("egressSecurityRules", []) == []
    for subnet in planned(stack).by_type(SUBNET):
        assert subnet.inputs["securityListIds"] == [dsl.inputs["manageDefaultResourceId"]]


@pytest.mark.parametrize("stack", STACKS)
def test_every_subnet_has_a_flow_log(planned, stack, public_dev):
    for graph in (planned(stack), public_dev):
        subnet_urns = {s.urn for s in graph.by_type(SUBNET)}
        logged = set()
        for log in graph.by_type("oci:Logging/log:Log"):
            source = log.inputs.get("configuration", {}).get("source", {})
            if source.get("service") == "flowlogs" and log.inputs.get("isEnabled"):
                logged.update(log.propertyDependencies.get("configuration", []))
        assert subnet_urns <= logged


@pytest.mark.parametrize("stack", STACKS)
def test_private_subnets_route_only_to_nat_and_service_gateways(planned, stack):
    graph = planned(stack)
    gateways = {n.urn: n.type.rsplit(":", 1)[-1] for n in graph.resources() if n.type.endswith("Gateway")}
    for table in graph.by_type("oci:Core/routeTable:RouteTable"):
        targets = {gateways[u] for u in table.propertyDependencies.get("routeRules", []) if u in gateways}
        assert targets <= {"NatGateway", "ServiceGateway"}, table.name
        assert "ServiceGateway" in targets, table.name


@pytest.mark.parametrize("stack", STACKS)
def test_subnets_match_their_config_and_stay_inside_the_vcn(planned, stack):
    graph = planned(stack)
    vcn = ipaddress.ip_network(graph.by_type("oci:Core/vcn:Vcn")[0].inputs["cidrBlocks"][0])
    for s in graph.by_type(SUBNET):
        assert ipaddress.ip_network(s.inputs["cidrBlock"]).subnet_of(vcn)


def test_nsg_rules_are_least_privilege():
    rules = nsg_rules(public_api=False, router_port=4000, api_client_cidrs=["10.0.0.0/16"], vcn_cidr="10.0.0.0/16",
                      bastion_cidr="10.0.1.16/28")
    world_ingress = [r for r in rules if r.direction == "INGRESS" and r.peer == "0.0.0.0/0"]
    assert world_ingress == []
    # Only the API ingress and node egress for packages reach the internet, on 443 only.
    world_egress = {(r.role, r.ports) for r in rules if r.direction == "EGRESS" and r.peer == "0.0.0.0/0"}
    assert world_egress == {("ingress", (443, 443)), ("workers", (443, 443))}
    data_in = {r.peer for r in rules if r.role == "data" and r.direction == "INGRESS"}
    assert data_in == {"pods", "model", "10.0.1.16/28"}
    assert all(isinstance(r, NsgRule) and r.description for r in rules)


def test_public_variant_admits_https_from_the_world_only_on_the_public_load_balancer(public_dev):
    world = [r for r in public_dev.by_type(RULE)
             if r.inputs.get("direction") == "INGRESS" and r.inputs.get("source") == "0.0.0.0/0"]
    assert world and all("publicIngress" in r.name for r in world)
    assert all(r.inputs["tcpOptions"]["destinationPortRange"] == {"min": 443.0, "max": 443.0} for r in world)
