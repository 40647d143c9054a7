"""Governance settings (``genai-platform:governance``, schema ``stacks/schema/governance.json``).

Parses the stack's governance object and builds the inputs of the governance foundation and the
administrative-access bastion (``components/governance.py``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.tiers import PROTECTION_ORDER, VAULT_TYPE_ORDER, TierPolicy
from stacks.settings.common import Report, Secret

if TYPE_CHECKING:
    from components.governance import AdminAccessArgs, GovernanceFoundation, GovernanceFoundationArgs
    from components.network import NetworkPlane
    from stacks.settings import Settings


@dataclass(frozen=True)
class GovernanceSettings:
    environment: str
    tenancy_id: str
    parent_compartment_id: str
    cost_center: str
    owner: str
    role_groups: Mapping[str, str]
    """IAM group per role (network, security, platform, database, genai, auditor)."""
    protect_stateful: bool
    vault_type: str
    key_protection_mode: str
    key_rotation_days: int | None
    """Automatic rotation interval; None where the vault type cannot rotate automatically."""
    security_emails: tuple[str, ...]
    security_https_endpoints: tuple[Secret, ...]
    bastion_client_cidrs: tuple[str, ...]
    bastion_max_session_ttl_minutes: int


def _at_least(order: Mapping[str, int], asked: str, minimum: str) -> bool:
    return order[asked] >= order[minimum]


def parse(g: dict[str, Any], tier: TierPolicy, p: Report) -> GovernanceSettings | None:
    """Schema-valid ``governance`` object → settings, or None after reporting what the tier forbids."""
    vault = g.get("vault", {})
    protection = vault.get("protectionMode", tier.vault_protection_mode)
    vault_type = vault.get("type", tier.vault_type)
    rotation = vault.get("rotationDays", min(90, tier.key_rotation_max_days))
    # OCI rotates keys automatically only in virtual private vaults; elsewhere rotation is manual.
    ok = True
    if not _at_least(PROTECTION_ORDER, protection, tier.vault_protection_mode):
        p("governance.vault.protectionMode",
          f"less than the {tier.name} tier requires; allowed: {tier.vault_protection_mode} or stronger")
        ok = False
    if not _at_least(VAULT_TYPE_ORDER, vault_type, tier.vault_type):
        p("governance.vault.type", f"less than the {tier.name} tier requires; allowed: {tier.vault_type}")
        ok = False
    if "rotationDays" in vault and vault_type != "VIRTUAL_PRIVATE":
        p("governance.vault.rotationDays",
          "automatic rotation needs a VIRTUAL_PRIVATE vault; allowed: omit it, or set governance.vault.type to VIRTUAL_PRIVATE")
        ok = False
    elif rotation > tier.key_rotation_max_days:
        p("governance.vault.rotationDays",
          f"longer than the {tier.name} tier allows; allowed: at most {tier.key_rotation_max_days}")
        ok = False
    for i, cidr in enumerate(g["bastion"]["clientCidrs"]):
        if ipaddress.ip_network(cidr).prefixlen == 0:
            p(f"governance.bastion.clientCidrs[{i}]",
              "opens the bastion to the whole internet; allowed: a specific network, never /0")
            ok = False
    if not ok:
        return None
    return GovernanceSettings(
        environment=g["environment"],
        tenancy_id=g["tenancyId"],
        parent_compartment_id=g["parentCompartmentId"],
        cost_center=g["costCenter"],
        owner=g["owner"],
        role_groups=dict(g["groups"]),
        protect_stateful=g.get("protectStateful", True),
        vault_type=vault_type,
        key_protection_mode=protection,
        key_rotation_days=rotation if vault_type == "VIRTUAL_PRIVATE" else None,
        security_emails=tuple(g["notifications"]["securityEmails"]),
        security_https_endpoints=tuple(Secret(u) for u in g["notifications"].get("securityHttpsEndpoints", [])),
        bastion_client_cidrs=tuple(g["bastion"]["clientCidrs"]),
        bastion_max_session_ttl_minutes=g["bastion"].get("maxSessionTtlMinutes", 60),
    )


def governance_args(settings: Settings) -> GovernanceFoundationArgs:
    """The governance foundation's inputs: settings only (it is the first plane)."""
    g = settings.governance
    return {
        "tenancy_id": g.tenancy_id,
        "parent_compartment_id": g.parent_compartment_id,
        "environment": g.environment,
        "classification": settings.tier.name,
        "cost_center": g.cost_center,
        "owner": g.owner,
        "role_groups": g.role_groups,
        "security_emails": g.security_emails,
        "security_https_endpoints": [s.reveal() for s in g.security_https_endpoints],
        "vault_type": g.vault_type,
        "key_protection_mode": g.key_protection_mode,
        "key_rotation_days": g.key_rotation_days,
        "protect_stateful": g.protect_stateful,
    }


def admin_args(settings: Settings, governance: GovernanceFoundation, network: NetworkPlane) -> AdminAccessArgs:
    """The bastion's inputs: its subnet from the network plane."""
    g = settings.governance
    return {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "target_subnet_id": network.subnet_ids["bastion"],
        "client_cidrs": g.bastion_client_cidrs,
        "max_session_ttl_minutes": g.bastion_max_session_ttl_minutes,
        "defined_tags": governance.defined_tags,
    }
