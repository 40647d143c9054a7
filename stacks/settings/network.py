"""Network settings (``genai-platform:network``, schema ``stacks/schema/network.json``).

Parses the stack's network object and builds the network plane's inputs (``components/network.py``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.tiers import TierPolicy
from stacks.settings.common import Report, tier_minimum

if TYPE_CHECKING:
    from components.governance import GovernanceFoundation
    from components.network import NetworkPlaneArgs
    from stacks.settings import Settings

SUBNET_ROLES = ("ingress", "okeApi", "workers", "pods", "data", "model", "bastion", "publicIngress")


@dataclass(frozen=True)
class Placement:
    availability_domains: int
    fault_domains: int


@dataclass(frozen=True)
class NetworkSettings:
    vcn_cidr: str
    subnets: Mapping[str, str]
    public_api: bool
    api_client_cidrs: tuple[str, ...]
    router_port: int
    flow_log_retention_days: int
    placement: Placement


def public_api_requested(n: Mapping[str, Any]) -> bool:
    """Whether the stack asks for a public API (whether or not its tier allows one)."""
    return bool(n.get("publicApi", False))


def parse(n: dict[str, Any], tier: TierPolicy, p: Report) -> NetworkSettings | None:
    """Schema-valid ``network`` object → settings, or None after reporting every problem."""
    ok = True
    vcn = ipaddress.IPv4Network(n["vcnCidr"])
    if not vcn.is_private:
        p("network.vcnCidr", "not a private range; allowed: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
        ok = False
    if not 16 <= vcn.prefixlen <= 24:
        p("network.vcnCidr", "wrong size; allowed: a /16 to /24 block")
        ok = False
    vcn_ok = ok  # containment is only worth reporting against a usable VCN block
    subnets: dict[str, ipaddress.IPv4Network] = {}
    for role, cidr in n["subnets"].items():
        net = ipaddress.IPv4Network(cidr)
        if vcn_ok and not net.subnet_of(vcn):
            p(f"network.subnets.{role}", "outside the VCN; allowed: a block inside network.vcnCidr")
            ok = False
        elif net.prefixlen > 29:
            p(f"network.subnets.{role}", "too small; allowed: /29 or larger (OCI reserves 3 addresses per subnet)")
            ok = False
        subnets[role] = net
    for (ra, a), (rb, b) in _pairs(subnets):
        if a.overlaps(b):
            p(f"network.subnets.{rb}", f"overlaps network.subnets.{ra}; allowed: non-overlapping blocks")
            ok = False
    public_api = public_api_requested(n)
    if public_api and not tier.public_api_allowed:
        p("network.publicApi", f"a public API is not allowed for the {tier.name} tier; allowed: false")
        ok = False
    elif public_api and "publicIngress" not in subnets:
        p("network.subnets", "missing required key 'publicIngress' (needed when network.publicApi is true)")
        ok = False
    if not public_api and "publicIngress" in subnets:
        p("network.subnets.publicIngress", "only allowed when network.publicApi is true")
        ok = False
    clients = n.get("apiClientCidrs", [str(vcn)])
    for i, cidr in enumerate(clients):
        if ipaddress.ip_network(cidr).prefixlen == 0 and not public_api:
            p(f"network.apiClientCidrs[{i}]", "opens the private API to every address; allowed: specific networks")
            ok = False
    retention = n.get("flowLogRetentionDays", tier.retention.log_days)
    ok &= tier_minimum(p, "network.flowLogRetentionDays", retention, tier.retention.log_days, tier.name)
    placement = n.get("placement", {})
    if not ok:
        return None
    return NetworkSettings(
        vcn_cidr=str(vcn),
        subnets={role: str(net) for role, net in subnets.items()},
        public_api=public_api,
        api_client_cidrs=tuple(clients),
        router_port=n.get("routerPort", 4000),
        flow_log_retention_days=retention,
        placement=Placement(
            availability_domains=placement.get("availabilityDomains", 1),
            fault_domains=placement.get("faultDomains", 3),
        ),
    )


def _pairs(items: Mapping[str, ipaddress.IPv4Network]) -> Iterator[tuple[tuple[str, ipaddress.IPv4Network], ...]]:
    entries = list(items.items())
    for i, a in enumerate(entries):
        for b in entries[i + 1:]:
            yield a, b


def network_args(settings: Settings, governance: GovernanceFoundation) -> NetworkPlaneArgs:
    """The network plane's inputs: its compartment and tags from the governance foundation."""
    g, n = settings.governance, settings.network
    return {
        "compartment_id": governance.compartment_id,
        "tenancy_id": g.tenancy_id,
        "environment": g.environment,
        "vcn_cidr": n.vcn_cidr,
        "subnet_cidrs": n.subnets,
        "defined_tags": governance.defined_tags,
        "public_api": n.public_api,
        "api_client_cidrs": n.api_client_cidrs,
        "router_port": n.router_port,
        "flow_log_retention_days": n.flow_log_retention_days,
        "availability_domains": n.placement.availability_domains,
        "fault_domains": n.placement.fault_domains,
        "protect_stateful": g.protect_stateful,
    }
