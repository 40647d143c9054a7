"""Networking (CIS OCI Foundations 3.1 section 2, plus our private-by-default posture)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from policies.rules._base import UNKNOWN, Rule, custom_rule, get, items, prop_rule

NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
SECURITY_LIST = "oci:Core/securityList:SecurityList"
DEFAULT_SECURITY_LIST = "oci:Core/defaultSecurityList:DefaultSecurityList"
SUBNET = "oci:Core/subnet:Subnet"
WORLD = ("0.0.0.0/0", "::/0")


def _covers(rule: Mapping[str, Any], port: int) -> bool:
    protocol = str(rule.get("protocol"))
    if protocol == "all":
        return True
    if protocol not in ("6", "17"):
        return False
    options = rule.get("tcpOptions" if protocol == "6" else "udpOptions")
    rng = get(options or {}, "destinationPortRange")
    if not rng:
        return True  # no port range: every port
    return float(rng["min"]) <= port <= float(rng["max"])


def _world_ingress_on(port: int, label: str, cis_nsg: str, cis_list: str, rule_id: str, sl_rule_id: str) -> list[Rule]:
    """One parameterised family: no ingress from anywhere to an admin port, for NSGs and security lists."""

    def nsg_check(props: Mapping[str, Any]) -> Iterable[str]:
        if props.get("direction") == "INGRESS" and props.get("source") in WORLD and _covers(props, port):
            yield f"'source' admits every address to port {port} ({label}) on an ingress rule"

    def list_check(props: Mapping[str, Any]) -> Iterable[str]:
        for i, rule in enumerate(items(props.get("ingressSecurityRules"))):
            if rule.get("source") in WORLD and _covers(rule, port):
                yield f"'ingressSecurityRules[{i}].source' admits every address to port {port} ({label})"

    tcp = {"destinationPortRange": {"min": float(port), "max": float(port)}}
    controls = ("soc2:CC6.6", "iso27001-2022:A.8.20", "nist-800-53r5:SC-7", "pci-dss:1.3")
    remediation = f"Admit {label} only from the bastion subnet or a specific admin network; use OCI Bastion sessions."
    return [
        custom_rule(rule_id, f"Ensure no network security group allows ingress from 0.0.0.0/0 to port {port}", (NSG_RULE,),
                    nsg_check, severity="critical", remediation=remediation,
                    controls=(f"cis-oci-3.1:{cis_nsg}", *controls),
                    passing={"direction": "INGRESS", "protocol": "6", "source": "10.0.1.0/28", "tcpOptions": tcp},
                    failing={"direction": "INGRESS", "protocol": "6", "source": "0.0.0.0/0", "tcpOptions": tcp},
                    unknown={"direction": "INGRESS", "protocol": "6", "source": UNKNOWN, "tcpOptions": tcp}),
        custom_rule(sl_rule_id, f"Ensure no security list allows ingress from 0.0.0.0/0 to port {port}",
                    (SECURITY_LIST, DEFAULT_SECURITY_LIST), list_check, severity="critical", remediation=remediation,
                    controls=(f"cis-oci-3.1:{cis_list}", *controls),
                    passing={"ingressSecurityRules": [{"protocol": "6", "source": "10.0.0.0/8", "tcpOptions": tcp}]},
                    failing={"ingressSecurityRules": [{"protocol": "6", "source": "0.0.0.0/0", "tcpOptions": tcp}]},
                    unknown={"ingressSecurityRules": UNKNOWN}),
    ]


def _default_list_empty(props: Mapping[str, Any]) -> Iterable[str]:
    if items(props.get("ingressSecurityRules")):
        yield "'ingressSecurityRules' is not empty on the VCN's default security list"
    if items(props.get("egressSecurityRules")):
        yield "'egressSecurityRules' is not empty on the VCN's default security list"


def _nsg_world_ingress_https_only(props: Mapping[str, Any]) -> Iterable[str]:
    if props.get("direction") == "INGRESS" and props.get("source") in WORLD:
        rng = get(props, "tcpOptions.destinationPortRange")
        if str(props.get("protocol")) != "6" or not rng or float(rng["min"]) != 443 or float(rng["max"]) != 443:
            yield "'source' admits every address on something other than TCP 443"


def _egress_world_restricted(props: Mapping[str, Any]) -> Iterable[str]:
    if props.get("direction") == "EGRESS" and props.get("destination") in WORLD and str(props.get("protocol")) == "all":
        yield "'destination' allows all protocols to every address; restrict egress by port"


def _stateful(props: Mapping[str, Any]) -> Iterable[str]:
    if props.get("stateless") is True:
        yield "'stateless' is true; stateful rules track return traffic and need no mirror rule"


def _described(props: Mapping[str, Any]) -> Iterable[str]:
    if not props.get("description"):
        yield "'description' is empty; every rule says why it exists"


RULES: list[Rule] = [
    *_world_ingress_on(22, "SSH", "2.3", "2.1", "OCI-NET-001", "OCI-NET-002"),
    *_world_ingress_on(3389, "RDP", "2.4", "2.2", "OCI-NET-003", "OCI-NET-004"),
    custom_rule("OCI-NET-005", "Ensure the default security list of every VCN restricts all traffic",
                (DEFAULT_SECURITY_LIST,), _default_list_empty, severity="high",
                remediation="Manage the VCN's default security list with empty ingress and egress rules; put rules in NSGs.",
                controls=("cis-oci-3.1:2.5", "soc2:CC6.6", "nist-800-53r5:SC-7"),
                passing={"ingressSecurityRules": [], "egressSecurityRules": []},
                failing={"ingressSecurityRules": [{"protocol": "6", "source": "0.0.0.0/0"}], "egressSecurityRules": []},
                unknown={"ingressSecurityRules": UNKNOWN, "egressSecurityRules": []}),
    prop_rule("OCI-NET-006", "Ensure private subnets prohibit public IP addresses on VNICs", (SUBNET,),
              "prohibitPublicIpOnVnic", lambda v: v is True, good=True, bad=False, expectation="true",
              severity="high", remediation="Set prohibit_public_ip_on_vnic=True; only the public ingress subnet may allow them.",
              controls=("soc2:CC6.6", "nist-800-53r5:SC-7", "iso27001-2022:A.8.22"), tiers=("confidential", "restricted")),
    prop_rule("OCI-NET-007", "Ensure private subnets prohibit internet ingress", (SUBNET,),
              "prohibitInternetIngress", lambda v: v is True, good=True, bad=False, expectation="true",
              severity="high", remediation="Set prohibit_internet_ingress=True on every private subnet.",
              controls=("soc2:CC6.6", "nist-800-53r5:SC-7"), tiers=("confidential", "restricted")),
    custom_rule("OCI-NET-008", "Ensure network security groups admit traffic from anywhere only on HTTPS", (NSG_RULE,),
                _nsg_world_ingress_https_only, severity="high",
                remediation="Limit world-facing ingress to TCP 443 on the WAF-protected public load balancer.",
                controls=("soc2:CC6.6", "nist-800-53r5:SC-7(5)"),
                passing={"direction": "INGRESS", "protocol": "6", "source": "0.0.0.0/0",
                         "tcpOptions": {"destinationPortRange": {"min": 443.0, "max": 443.0}}},
                failing={"direction": "INGRESS", "protocol": "6", "source": "0.0.0.0/0",
                         "tcpOptions": {"destinationPortRange": {"min": 80.0, "max": 80.0}}},
                unknown={"direction": "INGRESS", "protocol": "6", "source": UNKNOWN}),
    custom_rule("OCI-NET-009", "Ensure no network security group allows all protocols to every destination", (NSG_RULE,),
                _egress_world_restricted, severity="medium",
                remediation="Egress to the internet only on the ports needed (443 through the NAT gateway).",
                controls=("nist-800-53r5:SC-7(5)", "soc2:CC6.6"),
                passing={"direction": "EGRESS", "protocol": "6", "destination": "0.0.0.0/0"},
                failing={"direction": "EGRESS", "protocol": "all", "destination": "0.0.0.0/0"},
                unknown={"direction": "EGRESS", "protocol": "all", "destination": UNKNOWN}),
    custom_rule("OCI-NET-010", "Ensure network security group rules are stateful", (NSG_RULE,), _stateful,
                severity="low", enforcement="advisory",
                remediation="Use stateful rules (stateless=False) unless a measured need says otherwise.",
                controls=("nist-800-53r5:SC-7",),
                passing={"stateless": False}, failing={"stateless": True}, unknown={"stateless": UNKNOWN}),
    custom_rule("OCI-NET-011", "Ensure every network security group rule has a description", (NSG_RULE,), _described,
                severity="low", enforcement="advisory", remediation="Describe why the rule exists (who talks to whom).",
                controls=("nist-800-53r5:CM-6", "soc2:CC8.1"),
                passing={"description": "Router to Autonomous Database"}, failing={"description": ""},
                unknown={"description": UNKNOWN}),
    prop_rule("OCI-NET-012", "Ensure every subnet uses a route table of its own", (SUBNET,), "routeTableId",
              lambda v: bool(v), good="ocid1.routetable.oc1..x", bad="", expectation="a route table OCID",
              severity="medium", remediation="Give each subnet role a route table with only the gateways it needs.",
              controls=("nist-800-53r5:SC-7", "soc2:CC6.6")),
    prop_rule("OCI-NET-013", "Ensure NAT gateways do not block traffic unintentionally",
              ("oci:Core/natGateway:NatGateway",), "blockTraffic", lambda v: v is False, good=False, bad=True,
              expectation="false", severity="low", enforcement="advisory", missing_ok=True,
              remediation="Leave block_traffic false on the NAT gateway; use NSGs to restrict egress.",
              controls=("nist-800-53r5:SC-7",)),
]
