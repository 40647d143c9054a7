"""Separation of duties: the human role groups of a workload compartment and what each may do.

The roles follow the OCI Core Landing Zone's segregation of duties (network, security,
application/platform, database and auditor administrators, each granted only the families of its
service; https://github.com/oci-landing-zones/terraform-oci-core-landingzone, IAM policies), with a
GenAI role for the model plane. The stack names one IAM group per role
(``genai-platform:governance.groups``); every grant below is scoped to the workload compartment.

What no role gets, and why (each enforced by a rule in ``policies/rules/identity.py``):

* ``manage all-resources`` (OCI-IAM-002): one compromised group would own the whole platform.
* ``read all-resources`` (OCI-IAM-009): ``read`` on everything includes ``secret-bundles`` (the
  secret contents), ``objects`` (the documents) and ``log-content`` (prompts at the ``full``
  logging level). Auditors get ``inspect all-resources`` plus ``read`` on metadata types only.
* storage ``manage`` without excluding the delete permissions (OCI-IAM-006, CIS OCI 1.15).

Each row: (verb, resource-type, where-condition or None, the OCI policy reference page that defines
the resource-type and the permissions named in the condition). ``POLICY_REFERENCE`` is the index of
every service's page; rows cite the service's own page where it was read.
"""

from __future__ import annotations

from collections.abc import Mapping

POLICY_REFERENCE = "https://docs.oracle.com/iaas/Content/Identity/Reference/policyreference.htm"
_VAULT = "https://docs.oracle.com/iaas/Content/Identity/Reference/keypolicyreference.htm"
_CONNECTOR_HUB = "https://docs.oracle.com/iaas/Content/Identity/Reference/serviceconnectorhubpolicyreference.htm"
_OCI_CACHE = "https://docs.oracle.com/en-us/iaas/Content/ocicache/permissions.htm"
_DATABASE_TOOLS = "https://docs.oracle.com/en-us/iaas/database-tools/doc/resource-types.html"

#: The roles, in the order their policies are written. One IAM group each.
ROLES = ("network", "security", "platform", "database", "genai", "auditor")

_NO_STORAGE_DELETE = ("all {request.permission != 'BUCKET_DELETE', request.permission != 'OBJECT_DELETE'}")
_NO_VOLUME_DELETE = ("all {request.permission != 'VOLUME_DELETE', request.permission != 'VOLUME_BACKUP_DELETE', "
                     "request.permission != 'BOOT_VOLUME_BACKUP_DELETE'}")
_NO_DATABASE_DELETE = "request.permission != 'AUTONOMOUS_DATABASE_DELETE'"
_NO_VAULT_DELETE = "all {request.permission != 'VAULT_DELETE', request.permission != 'KEY_DELETE'}"

Row = tuple[str, str, str | None, str]

ROLE_GRANTS: Mapping[str, tuple[Row, ...]] = {
    # VCN, subnets, gateways, NSGs, the public front's load balancer and its WAF; reads flow logs.
    "network": (
        ("manage", "virtual-network-family", None, POLICY_REFERENCE),
        ("manage", "load-balancers", None, POLICY_REFERENCE),
        ("manage", "waf-family", None, POLICY_REFERENCE),
        ("read", "log-groups", None, POLICY_REFERENCE),
    ),
    # Vault and keys (never deleted by a person: deletion is a scheduled, reviewed change), secrets,
    # Cloud Guard, the bastion, security events and the security topic, the tag namespace.
    "security": (
        ("manage", "vaults", _NO_VAULT_DELETE, _VAULT),
        ("manage", "keys", _NO_VAULT_DELETE, _VAULT),
        ("manage", "secret-family", None, _VAULT),
        ("manage", "cloud-guard-family", None, POLICY_REFERENCE),
        ("manage", "bastion-family", None, POLICY_REFERENCE),
        ("manage", "cloudevents-rules", None, POLICY_REFERENCE),
        ("manage", "ons-family", None, POLICY_REFERENCE),
        ("manage", "tag-namespaces", None, POLICY_REFERENCE),
        ("read", "audit-events", None, POLICY_REFERENCE),
    ),
    # The orchestration, experience/ingress and operations planes: OKE and its nodes, the gateway,
    # logging, APM, alarms, the audit connector, the cache; uses (never reads) keys and networks.
    "platform": (
        ("manage", "cluster-family", None, POLICY_REFERENCE),
        ("manage", "instance-family", None, POLICY_REFERENCE),
        ("manage", "volume-family", _NO_VOLUME_DELETE, POLICY_REFERENCE),
        ("manage", "api-gateway-family", None, POLICY_REFERENCE),
        ("manage", "logging-family", None, POLICY_REFERENCE),
        ("manage", "apm-domains", None, POLICY_REFERENCE),
        ("manage", "alarms", None, POLICY_REFERENCE),
        ("read", "metrics", None, POLICY_REFERENCE),
        ("manage", "serviceconnectors", None, _CONNECTOR_HUB),
        ("manage", "redis-family", None, _OCI_CACHE),
        ("manage", "repos", None, POLICY_REFERENCE),
        ("use", "ons-topics", None, POLICY_REFERENCE),
        ("use", "virtual-network-family", None, POLICY_REFERENCE),
        ("use", "key-delegate", None, _VAULT),
        ("use", "vaults", None, _VAULT),
        ("read", "secrets", None, _VAULT),
    ),
    # The data plane: Autonomous Database (never deleted by a person), Database Tools, the buckets.
    "database": (
        ("manage", "autonomous-database-family", _NO_DATABASE_DELETE, POLICY_REFERENCE),
        ("manage", "database-tools-family", None, _DATABASE_TOOLS),
        ("manage", "object-family", _NO_STORAGE_DELETE, POLICY_REFERENCE),
        ("use", "subnets", None, POLICY_REFERENCE),
        ("use", "vnics", None, POLICY_REFERENCE),
        ("use", "network-security-groups", None, POLICY_REFERENCE),
        ("use", "key-delegate", None, _VAULT),
        ("use", "vaults", None, _VAULT),
        ("read", "secrets", None, _VAULT),
    ),
    # The model plane: endpoints, dedicated clusters, agents and their knowledge bases; reads the
    # buckets the knowledge bases ingest (metadata, not the documents).
    "genai": (
        ("manage", "generative-ai-family", None, POLICY_REFERENCE),
        ("manage", "genai-agent-family", None, POLICY_REFERENCE),
        ("read", "buckets", None, POLICY_REFERENCE),
        ("use", "subnets", None, POLICY_REFERENCE),
        ("use", "vnics", None, POLICY_REFERENCE),
        ("use", "network-security-groups", None, POLICY_REFERENCE),
    ),
    # Everything listed, configuration readable, no content: no secret bundles, no objects, no logs.
    "auditor": (
        ("inspect", "all-resources", None, POLICY_REFERENCE),
        ("read", "audit-events", None, POLICY_REFERENCE),
        ("read", "policies", None, POLICY_REFERENCE),
        ("read", "virtual-network-family", None, POLICY_REFERENCE),
        ("read", "load-balancers", None, POLICY_REFERENCE),
        ("read", "cluster-family", None, POLICY_REFERENCE),
        ("read", "api-gateway-family", None, POLICY_REFERENCE),
        ("read", "autonomous-database-family", None, POLICY_REFERENCE),
        ("read", "generative-ai-family", None, POLICY_REFERENCE),
        ("read", "genai-agent-family", None, POLICY_REFERENCE),
        ("read", "buckets", None, POLICY_REFERENCE),
        ("read", "vaults", None, _VAULT),
        ("read", "keys", None, _VAULT),
        ("read", "secrets", None, _VAULT),
        ("read", "log-groups", None, POLICY_REFERENCE),
        ("read", "alarms", None, POLICY_REFERENCE),
        ("read", "metrics", None, POLICY_REFERENCE),
        ("read", "cloud-guard-family", None, POLICY_REFERENCE),
        ("read", "tag-namespaces", None, POLICY_REFERENCE),
    ),
}

#: What each role's policy says it is for (the IAM policy description).
ROLE_PURPOSES: Mapping[str, str] = {
    "network": "Network administrators: VCN, NSGs, load balancer and WAF of the workload compartment",
    "security": "Security administrators: vault, keys, secrets, Cloud Guard, bastion, security events, tags",
    "platform": "Platform administrators: OKE, API Gateway, logging, APM, alarms, connectors, cache",
    "database": "Database administrators: Autonomous Database, Database Tools, buckets (no deletion)",
    "genai": "GenAI administrators: Generative AI endpoints, dedicated clusters and agents",
    "auditor": "Auditors: inspect everything, read configuration, never secret contents, documents or logs",
}
