"""Network plane: private networking for every other plane.

Provisions one VCN with a subnet per role (API ingress, OKE API endpoint, OKE workers, OKE pods
for VCN-native pod networking, data, model private endpoints, bastion; a public ingress subnet
only when the stack publishes a public API and its tier allows it), a NAT gateway, a service
gateway to all Oracle Services Network services, an internet gateway only with a public subnet, a
route table per role, a network security group per role with least-privilege stateful rules
(NSG-to-NSG wherever the peer is ours), the VCN's default security list locked down to nothing,
and a VCN flow log on every subnet.

Security lists are left empty on purpose: NSGs carry every rule, so a reviewer reads one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_oci as oci

from components import register_plane
from core import ocicache

NETWORK_TYPE = register_plane("genai:index:NetworkPlane", "network")

PRIVATE_ROLES = ("ingress", "okeApi", "workers", "pods", "data", "model", "bastion")
#: NSGs without a subnet of their own: "cache" is OCI Cache's cluster in the data subnet, reachable
#: from the router's pods only.
NSG_ONLY_ROLES = ("cache",)
PUBLIC_ROLE = "publicIngress"

#: Which gateways each role's route table reaches. "services" = the service gateway (all OCI
#: services through the Oracle Services Network), "nat" = outbound-only internet, "internet" =
#: the internet gateway (public subnet only).
ROUTES: Mapping[str, tuple[str, ...]] = {
    "ingress": ("services", "nat"),  # JWKS of the identity domain for JWT validation
    "okeApi": ("services",),
    "workers": ("services", "nat"),
    "pods": ("services", "nat"),
    "data": ("services",),
    "model": ("services",),
    "bastion": ("services",),
    PUBLIC_ROLE: ("internet",),
}

_DNS = {"ingress": "ingress", "okeApi": "okeapi", "workers": "workers", "pods": "pods", "data": "data",
        "model": "model", "bastion": "bastion", PUBLIC_ROLE: "pubingress"}

TCP, ICMP, ALL = "6", "1", "all"


@dataclass(frozen=True)
class NsgRule:
    """One stateful NSG rule. ``peer`` is a role (NSG), a CIDR, or ``services`` (all OSN services)."""

    role: str
    direction: str  # INGRESS | EGRESS
    protocol: str
    ports: tuple[int, int] | None
    peer: str
    description: str


def nsg_rules(*, public_api: bool, router_port: int, api_client_cidrs: Sequence[str], vcn_cidr: str,
              bastion_cidr: str) -> list[NsgRule]:
    """The least-privilege rule set, as data: what talks to what, on which port, and why."""
    r: list[NsgRule] = []

    def rule(role: str, direction: str, protocol: str, ports: tuple[int, int] | None, peer: str, why: str) -> None:
        r.append(NsgRule(role, direction, protocol, ports, peer, why))

    def pair(src: str, dst: str, ports: tuple[int, int] | None, why: str, protocol: str = TCP) -> None:
        rule(src, "EGRESS", protocol, ports, dst, why)
        rule(dst, "INGRESS", protocol, ports, src, why)

    # API ingress: clients → gateway; gateway → router load balancer → router pods / node ports.
    for cidr in api_client_cidrs:
        rule("ingress", "INGRESS", TCP, (443, 443), cidr, "API clients to the API gateway (HTTPS)")
    rule("ingress", "INGRESS", TCP, (router_port, router_port), "ingress", "API gateway to the router's private load balancer")
    rule("ingress", "EGRESS", TCP, (router_port, router_port), "ingress", "API gateway to the router's private load balancer")
    pair("ingress", "pods", (router_port, router_port), "Router load balancer to router pods (VCN-native backends)")
    pair("ingress", "workers", (30000, 32767), "Router load balancer to node ports and health checks")
    rule("ingress", "EGRESS", TCP, (443, 443), "services", "Logging and identity through the service gateway")
    rule("ingress", "EGRESS", TCP, (443, 443), "0.0.0.0/0", "JWKS of the JWT issuer through the NAT gateway")
    if public_api:
        rule(PUBLIC_ROLE, "INGRESS", TCP, (443, 443), "0.0.0.0/0", "Public HTTPS to the WAF-protected load balancer")
        pair(PUBLIC_ROLE, "ingress", (443, 443), "Public load balancer to the API gateway")

    # OKE control plane ⇄ nodes and pods (Oracle's documented flows for VCN-native clusters).
    for peer in ("workers", "pods"):
        pair(peer, "okeApi", (6443, 6443), "Kubernetes API")
        pair(peer, "okeApi", (12250, 12250), "OKE control-plane proxy")
    rule("okeApi", "INGRESS", TCP, (6443, 6443), bastion_cidr, "Administrators through bastion port forwarding")
    pair("okeApi", "workers", (10250, 10250), "Kubelet API")
    pair("okeApi", "workers", None, "Path MTU discovery", protocol=ICMP)
    rule("okeApi", "EGRESS", TCP, (443, 443), "services", "OKE control plane to OCI services")

    # Workers and pods.
    pair("workers", "pods", None, "Nodes to pods (VCN-native networking)", protocol=ALL)
    pair("pods", "workers", None, "Pods to nodes (VCN-native networking)", protocol=ALL)
    pair("pods", "pods", None, "Pod to pod", protocol=ALL)
    rule("workers", "INGRESS", TCP, (22, 22), bastion_cidr, "SSH from bastion sessions only")
    for role in ("workers", "pods"):
        rule(role, "INGRESS", ICMP, None, vcn_cidr, "Path MTU discovery inside the VCN")
        rule(role, "EGRESS", TCP, (443, 443), "services", "OCIR images, OCI Generative AI, Object Storage, Logging")
    rule("workers", "EGRESS", TCP, (443, 443), "0.0.0.0/0", "OS package mirrors through the NAT gateway")

    # Data and model private endpoints.
    pair("pods", "data", (1522, 1522), "Router and jobs to Autonomous Database (mTLS)")
    pair("model", "data", (1522, 1522), "GenAI agent knowledge base to the vector store")
    rule("data", "INGRESS", TCP, (1522, 1522), bastion_cidr, "Administrators through bastion sessions")
    rule("data", "EGRESS", TCP, (443, 443), "services", "Backups and Vault through the service gateway")
    pair("pods", "model", (443, 443), "Router to the Generative AI private endpoint")
    # Shared budgets, tenant limits and response cache: router pods to OCI Cache (TLS), nothing else.
    pair("pods", "cache", (ocicache.PORT, ocicache.PORT), "Router pods to OCI Cache (TLS only)")
    return r


class NetworkPlaneArgs(TypedDict):
    """Inputs of the network plane."""

    compartment_id: pulumi.Input[str]
    """Workload compartment."""
    tenancy_id: pulumi.Input[str]
    """Tenancy OCID, for the availability-domain lookup."""
    environment: str
    """Environment name; part of display names and the VCN's DNS label."""
    vcn_cidr: str
    """The VCN's IPv4 block."""
    subnet_cidrs: Mapping[str, str]
    """CIDR per subnet role (see PRIVATE_ROLES; publicIngress only with public_api)."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation."""
    public_api: bool
    """Create the public ingress subnet and internet gateway (False: private only)."""
    api_client_cidrs: Sequence[str]
    """Networks allowed to call the private API gateway."""
    router_port: int
    """Port of the router's private load balancer."""
    flow_log_retention_days: int
    """Flow log retention (30-180, multiples of 30)."""
    availability_domains: int
    """How many availability domains workloads spread over."""
    fault_domains: int
    """How many fault domains per availability domain."""
    protect_stateful: bool
    """Protect the flow-log group (network evidence) from deletion."""


class NetworkPlane(pulumi.ComponentResource):
    """VCN, gateways, per-role subnets, route tables and NSGs, locked default security list, flow logs."""

    vcn_id: pulumi.Output[str]
    """OCID of the VCN."""
    subnet_ids: dict[str, pulumi.Output[str]]
    """Subnet OCID per role."""
    nsg_ids: dict[str, pulumi.Output[str]]
    """Network security group OCID per role."""
    flow_log_group_id: pulumi.Output[str]
    """Log group holding the VCN flow logs."""
    placements: pulumi.Output[list[dict[str, Any]]]
    """Availability domains and fault domains workloads spread over: [{availabilityDomain, faultDomains}]."""

    def __init__(self, name: str, args: NetworkPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NETWORK_TYPE, name, None, opts)
        env = args["environment"]
        comp = args["compartment_id"]
        tags = args["defined_tags"]
        child = pulumi.ResourceOptions(parent=self)
        public_api = args["public_api"]
        roles = [*PRIVATE_ROLES, *([PUBLIC_ROLE] if public_api else [])]
        missing = [r for r in roles if r not in args["subnet_cidrs"]]
        if missing:
            raise ValueError(f"subnet_cidrs lacks roles: {', '.join(missing)}")

        vcn = oci.core.Vcn(
            f"{name}-vcn",
            compartment_id=comp,
            cidr_blocks=[args["vcn_cidr"]],
            display_name=f"genai-{env}",
            dns_label=("genai" + "".join(c for c in env if c.isalnum()))[:15],
            defined_tags=tags,
            opts=child,
        )
        self.vcn_id = vcn.id

        # The default security list admits SSH from anywhere out of the box: empty it.
        oci.core.DefaultSecurityList(
            f"{name}-default-security-list",
            manage_default_resource_id=vcn.default_security_list_id,
            compartment_id=comp,
            display_name=f"genai-{env}-default-deny",
            ingress_security_rules=[],
            egress_security_rules=[],
            defined_tags=tags,
            opts=child,
        )

        services = oci.core.get_services_output(opts=pulumi.InvokeOutputOptions(parent=self))
        all_services = services.apply(_all_services)
        sgw = oci.core.ServiceGateway(
            f"{name}-sgw",
            compartment_id=comp,
            vcn_id=vcn.id,
            display_name=f"genai-{env}-sgw",
            services=[oci.core.ServiceGatewayServiceArgs(service_id=all_services.apply(lambda s: s["id"]))],
            defined_tags=tags,
            opts=child,
        )
        nat = oci.core.NatGateway(
            f"{name}-nat",
            compartment_id=comp,
            vcn_id=vcn.id,
            display_name=f"genai-{env}-nat",
            block_traffic=False,
            defined_tags=tags,
            opts=child,
        )
        igw = oci.core.InternetGateway(
            f"{name}-igw",
            compartment_id=comp,
            vcn_id=vcn.id,
            display_name=f"genai-{env}-igw",
            enabled=True,
            defined_tags=tags,
            opts=child,
        ) if public_api else None
        services_cidr = all_services.apply(lambda s: s["cidrBlock"])

        def route_rules(role: str) -> list[oci.core.RouteTableRouteRuleArgs]:
            rules = []
            for target in ROUTES[role]:
                if target == "services":
                    rules.append(oci.core.RouteTableRouteRuleArgs(
                        destination=services_cidr, destination_type="SERVICE_CIDR_BLOCK", network_entity_id=sgw.id,
                        description="All OCI services through the service gateway"))
                elif target == "nat":
                    rules.append(oci.core.RouteTableRouteRuleArgs(
                        destination="0.0.0.0/0", destination_type="CIDR_BLOCK", network_entity_id=nat.id,
                        description="Outbound-only internet through the NAT gateway"))
                elif target == "internet" and igw is not None:
                    rules.append(oci.core.RouteTableRouteRuleArgs(
                        destination="0.0.0.0/0", destination_type="CIDR_BLOCK", network_entity_id=igw.id,
                        description="Internet through the internet gateway (public ingress only)"))
            return rules

        self.nsg_ids = {}
        nsgs: dict[str, oci.core.NetworkSecurityGroup] = {}
        for role in [*roles, *NSG_ONLY_ROLES]:
            if role == "bastion":
                continue  # the Bastion service takes no NSG; rules admit the bastion subnet instead
            nsgs[role] = oci.core.NetworkSecurityGroup(
                f"{name}-nsg-{role}",
                compartment_id=comp,
                vcn_id=vcn.id,
                display_name=f"genai-{env}-{role}",
                defined_tags=tags,
                opts=child,
            )
            self.nsg_ids[role] = nsgs[role].id

        self.subnet_ids = {}
        log_group = oci.logging.LogGroup(
            f"{name}-flow-logs",
            compartment_id=comp,
            display_name=f"genai-{env}-network",
            description="VCN flow logs for every subnet",
            defined_tags=tags,
            # Flow logs are evidence: protected in prod like every other evidence store.
            opts=pulumi.ResourceOptions(parent=self, protect=args["protect_stateful"]),
        )
        self.flow_log_group_id = log_group.id
        for role in roles:
            table = oci.core.RouteTable(
                f"{name}-rt-{role}",
                compartment_id=comp,
                vcn_id=vcn.id,
                display_name=f"genai-{env}-{role}",
                route_rules=route_rules(role),
                defined_tags=tags,
                opts=child,
            )
            private = role != PUBLIC_ROLE
            subnet = oci.core.Subnet(
                f"{name}-subnet-{role}",
                compartment_id=comp,
                vcn_id=vcn.id,
                cidr_block=args["subnet_cidrs"][role],
                display_name=f"genai-{env}-{role}",
                dns_label=_DNS[role],
                prohibit_public_ip_on_vnic=private,
                prohibit_internet_ingress=private,
                route_table_id=table.id,
                security_list_ids=[vcn.default_security_list_id],
                defined_tags=tags,
                opts=child,
            )
            self.subnet_ids[role] = subnet.id
            oci.logging.Log(
                f"{name}-flow-log-{role}",
                display_name=f"genai-{env}-{role}-flow",
                log_group_id=log_group.id,
                log_type="SERVICE",
                is_enabled=True,
                retention_duration=args["flow_log_retention_days"],
                configuration=oci.logging.LogConfigurationArgs(
                    compartment_id=comp,
                    source=oci.logging.LogConfigurationSourceArgs(
                        category="all", resource=subnet.id, service="flowlogs", source_type="OCISERVICE"),
                ),
                defined_tags=tags,
                opts=child,
            )

        rules = nsg_rules(
            public_api=public_api,
            router_port=args["router_port"],
            api_client_cidrs=args["api_client_cidrs"],
            vcn_cidr=args["vcn_cidr"],
            bastion_cidr=args["subnet_cidrs"]["bastion"],
        )
        counters: dict[str, int] = {}
        for rule in rules:
            if rule.role not in nsgs:
                continue
            index = counters[rule.role] = counters.get(rule.role, 0) + 1
            self._rule(f"{name}-nsg-{rule.role}-{rule.direction.lower()}-{index}", rule, nsgs, services_cidr, child)

        ads = oci.identity.get_availability_domains_output(compartment_id=args["tenancy_id"],
                                                           opts=pulumi.InvokeOutputOptions(parent=self))
        ad_count, fd_count = args["availability_domains"], args["fault_domains"]
        self.placements = ads.apply(lambda r: _placements(r, ad_count, fd_count))

        self.register_outputs({
            "vcnId": self.vcn_id,
            "subnetIds": self.subnet_ids,
            "nsgIds": self.nsg_ids,
            "flowLogGroupId": self.flow_log_group_id,
            "placements": self.placements,
        })

    @staticmethod
    def _rule(resource_name: str, rule: NsgRule, nsgs: Mapping[str, oci.core.NetworkSecurityGroup],
              services_cidr: pulumi.Output[str], child: pulumi.ResourceOptions) -> None:
        peer: pulumi.Input[str]
        if rule.peer in nsgs:
            peer, peer_type = nsgs[rule.peer].id, "NETWORK_SECURITY_GROUP"
        elif rule.peer == "services":
            peer, peer_type = services_cidr, "SERVICE_CIDR_BLOCK"
        else:
            peer, peer_type = rule.peer, "CIDR_BLOCK"
        ports = None
        if rule.ports is not None:
            rng = oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsDestinationPortRangeArgs(
                min=rule.ports[0], max=rule.ports[1])
            ports = oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsArgs(destination_port_range=rng)
        icmp = (oci.core.NetworkSecurityGroupSecurityRuleIcmpOptionsArgs(type=3, code=4)
                if rule.protocol == ICMP else None)
        ingress = rule.direction == "INGRESS"
        oci.core.NetworkSecurityGroupSecurityRule(
            resource_name,
            network_security_group_id=nsgs[rule.role].id,
            direction=rule.direction,
            protocol=rule.protocol,
            description=rule.description,
            stateless=False,
            source=peer if ingress else None,
            source_type=peer_type if ingress else None,
            destination=None if ingress else peer,
            destination_type=None if ingress else peer_type,
            tcp_options=ports,
            icmp_options=icmp,
            opts=child,
        )


def _all_services(result: Any) -> dict[str, str]:
    """The 'All <region> Services In Oracle Services Network' entry of the services lookup."""
    for svc in result.services:
        if svc.name.startswith("All ") and svc.name.endswith("Services In Oracle Services Network"):
            return {"id": svc.id, "cidrBlock": svc.cidr_block}
    raise ValueError("the services lookup has no 'All … Services In Oracle Services Network' entry")


def _placements(result: Any, ad_count: int, fd_count: int) -> list[dict[str, Any]]:
    names = sorted(ad.name for ad in result.availability_domains)
    if len(names) < ad_count:
        raise ValueError(f"the region has {len(names)} availability domain(s); placement asks for {ad_count}")
    faults = [f"FAULT-DOMAIN-{i}" for i in range(1, fd_count + 1)]
    return [{"availabilityDomain": ad, "faultDomains": faults} for ad in names[:ad_count]]
