"""Separation of duties: the human role groups of a workload compartment and what each may do.

The roles follow the OCI Core Landing Zone's segregation of duties (network, security,
application/platform, database and auditor administrators, each granted only the families of its
service; https://github.com/oci-landing-zones/terraform-oci-core-landingzone, IAM policies), with a
GenAI role for the model plane. The stack names one IAM group per role
(``genai-platform:governance.groups``). Most grants are scoped to the workload compartment
(``ROLE_GRANTS``); the tag namespace and the role policies live in the parent compartment
(``PARENT_GRANTS``) and budgets in the root compartment (``TENANCY_GRANTS``).

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
# Each service's own policy reference page (resource-types, verbs, the variables a where may name).
_CORE = "https://docs.oracle.com/iaas/Content/Identity/Reference/corepolicyreference.htm"
_LB = "https://docs.oracle.com/iaas/Content/Identity/Reference/lbpolicyreference.htm"
_WAF = "https://docs.oracle.com/iaas/Content/Identity/Reference/wafpolicyreference.htm"
_LOGGING = "https://docs.oracle.com/iaas/Content/Identity/Reference/loggingpolicyreference.htm"
_VAULT = "https://docs.oracle.com/iaas/Content/Identity/Reference/keypolicyreference.htm"
_CLOUD_GUARD = "https://docs.oracle.com/en-us/iaas/cloud-guard/using/prerequisites.htm"
_BASTION = "https://docs.oracle.com/en-us/iaas/Content/Bastion/Reference/bastionpolicyreference.htm"
_EVENTS = "https://docs.oracle.com/iaas/Content/Identity/Reference/eventspolicyreference.htm"
_NOTIFICATIONS = "https://docs.oracle.com/iaas/Content/Identity/Reference/notificationpolicyreference.htm"
_AUDIT = "https://docs.oracle.com/iaas/Content/Identity/Reference/auditpolicyreference.htm"
_OKE = "https://docs.oracle.com/iaas/Content/Identity/Reference/contengpolicyreference.htm"
_API_GATEWAY = "https://docs.oracle.com/iaas/Content/Identity/Reference/apigatewaypolicyreference.htm"
_APM = ("https://docs.oracle.com/en-us/iaas/application-performance-monitoring/doc/"
        "perform-oracle-cloud-infrastructure-prerequisite-tasks.html")
_MONITORING = "https://docs.oracle.com/iaas/Content/Identity/Reference/monitoringpolicyreference.htm"
_CONNECTOR_HUB = "https://docs.oracle.com/iaas/Content/Identity/Reference/serviceconnectorhubpolicyreference.htm"
_OCI_CACHE = "https://docs.oracle.com/en-us/iaas/Content/ocicache/permissions.htm"
_REGISTRY = "https://docs.oracle.com/en-us/iaas/Content/Registry/Concepts/registrypolicyrepoaccess.htm"
_DATABASE = "https://docs.oracle.com/iaas/Content/Identity/Reference/databasepolicyreference.htm"
_DATABASE_TOOLS = "https://docs.oracle.com/en-us/iaas/database-tools/doc/resource-types.html"
_OBJECT_STORAGE = "https://docs.oracle.com/iaas/Content/Identity/Reference/objectstoragepolicyreference.htm"
_GENAI = "https://docs.oracle.com/iaas/Content/generative-ai/iam-policies.htm"
_GENAI_AGENTS = "https://docs.oracle.com/en-us/iaas/Content/generative-ai-agents/iam-policies.htm"
#: IAM's own page: policies, compartments and tag namespaces, and the note that applying a defined
#: tag needs ``use`` on its namespace (``target.tag-namespace.name`` narrows it to one namespace).
_IAM = "https://docs.oracle.com/iaas/Content/Identity/Reference/iampolicyreference.htm"
#: "you need to have permissions to manage budgets in the root compartment of the tenancy".
_BUDGETS = "https://docs.oracle.com/iaas/Content/Billing/Concepts/budgetsoverview.htm"

#: The roles, in the order their policies are written. One IAM group each.
ROLES = ("network", "security", "platform", "database", "genai", "auditor")

_NO_STORAGE_DELETE = ("all {request.permission != 'BUCKET_DELETE', request.permission != 'OBJECT_DELETE'}")
_NO_BUCKET_DELETE = "request.permission != 'BUCKET_DELETE'"
#: ``{sample_bucket}`` in a condition is the stack's evaluation-sample bucket (``core.buckets``).
SAMPLE_BUCKET = "{sample_bucket}"
_NO_OBJECT_DELETE_NOR_SAMPLES = ("all {request.permission != 'OBJECT_DELETE', "
                                 f"target.bucket.name != '{SAMPLE_BUCKET}'}}")
_NO_VOLUME_DELETE = ("all {request.permission != 'VOLUME_DELETE', request.permission != 'VOLUME_BACKUP_DELETE', "
                     "request.permission != 'BOOT_VOLUME_BACKUP_DELETE'}")
_NO_DATABASE_DELETE = "request.permission != 'AUTONOMOUS_DATABASE_DELETE'"
_NO_VAULT_DELETE = "all {request.permission != 'VAULT_DELETE', request.permission != 'KEY_DELETE'}"

Row = tuple[str, str, str | None, str]

ROLE_GRANTS: Mapping[str, tuple[Row, ...]] = {
    # VCN, subnets, gateways, NSGs, the public front's load balancer and its WAF; reads flow logs.
    "network": (
        ("manage", "virtual-network-family", None, _CORE),
        ("manage", "load-balancers", None, _LB),
        ("manage", "waf-family", None, _WAF),
        ("read", "log-groups", None, _LOGGING),
    ),
    # Vault and keys (never deleted by a person: deletion is a scheduled, reviewed change), secrets,
    # Cloud Guard, the bastion, security events and the security topic, the tag namespace.
    "security": (
        ("manage", "vaults", _NO_VAULT_DELETE, _VAULT),
        ("manage", "keys", _NO_VAULT_DELETE, _VAULT),
        ("manage", "secret-family", None, _VAULT),
        ("manage", "cloud-guard-family", None, _CLOUD_GUARD),
        ("manage", "bastion-family", None, _BASTION),
        ("manage", "cloudevents-rules", None, _EVENTS),
        ("manage", "ons-family", None, _NOTIFICATIONS),
        ("read", "audit-events", None, _AUDIT),
    ),
    # The orchestration, experience/ingress and operations planes: OKE and its nodes, the gateway,
    # logging, APM, alarms, the audit connector, the cache; uses (never reads) keys and networks.
    "platform": (
        ("manage", "cluster-family", None, _OKE),
        ("manage", "instance-family", None, _CORE),
        ("manage", "volume-family", _NO_VOLUME_DELETE, _CORE),
        ("manage", "api-gateway-family", None, _API_GATEWAY),
        ("manage", "logging-family", None, _LOGGING),
        ("manage", "apm-domains", None, _APM),
        ("manage", "alarms", None, _MONITORING),
        ("read", "metrics", None, _MONITORING),
        ("manage", "serviceconnectors", None, _CONNECTOR_HUB),
        ("manage", "redis-family", None, _OCI_CACHE),
        ("manage", "repos", None, _REGISTRY),
        ("use", "ons-topics", None, _NOTIFICATIONS),
        ("use", "virtual-network-family", None, _CORE),
        ("use", "key-delegate", None, _VAULT),
        ("use", "vaults", None, _VAULT),
        ("read", "secrets", None, _VAULT),
    ),
    # The data plane: Autonomous Database (never deleted by a person), Database Tools, the buckets.
    "database": (
        ("manage", "autonomous-database-family", _NO_DATABASE_DELETE, _DATABASE),
        ("manage", "database-tools-family", None, _DATABASE_TOOLS),
        # Buckets and objects apart: the objects grant keeps the evaluation-sample bucket out (only the
        # online evaluation job reads samples), and a condition on target.bucket.name would refuse
        # ListBuckets, which names no bucket.
        ("manage", "buckets", _NO_BUCKET_DELETE, _OBJECT_STORAGE),
        ("manage", "objects", _NO_OBJECT_DELETE_NOR_SAMPLES, _OBJECT_STORAGE),
        ("read", "objectstorage-namespaces", None, _OBJECT_STORAGE),
        ("use", "subnets", None, _CORE),
        ("use", "vnics", None, _CORE),
        ("use", "network-security-groups", None, _CORE),
        ("use", "key-delegate", None, _VAULT),
        ("use", "vaults", None, _VAULT),
        ("read", "secrets", None, _VAULT),
    ),
    # The model plane: endpoints, dedicated clusters, agents and their knowledge bases; reads the
    # buckets the knowledge bases ingest (metadata, not the documents).
    "genai": (
        ("manage", "generative-ai-family", None, _GENAI),
        ("manage", "genai-agent-family", None, _GENAI_AGENTS),
        ("read", "buckets", None, _OBJECT_STORAGE),
        ("use", "subnets", None, _CORE),
        ("use", "vnics", None, _CORE),
        ("use", "network-security-groups", None, _CORE),
    ),
    # Everything listed, configuration readable, no content: no secret bundles, no objects, no logs.
    "auditor": (
        ("inspect", "all-resources", None, POLICY_REFERENCE),
        ("read", "audit-events", None, _AUDIT),
        ("read", "virtual-network-family", None, _CORE),
        ("read", "load-balancers", None, _LB),
        ("read", "cluster-family", None, _OKE),
        ("read", "api-gateway-family", None, _API_GATEWAY),
        ("read", "autonomous-database-family", None, _DATABASE),
        ("read", "generative-ai-family", None, _GENAI),
        ("read", "genai-agent-family", None, _GENAI_AGENTS),
        ("read", "buckets", None, _OBJECT_STORAGE),
        ("read", "vaults", None, _VAULT),
        ("read", "keys", None, _VAULT),
        ("read", "secrets", None, _VAULT),
        ("read", "log-groups", None, _LOGGING),
        ("read", "alarms", None, _MONITORING),
        ("read", "metrics", None, _MONITORING),
        ("read", "cloud-guard-family", None, _CLOUD_GUARD),
    ),
}

#: ``{tag_namespace}`` in a condition is the stack's tag namespace (``genai-<env>``).
TAG_NAMESPACE = "{tag_namespace}"
_OUR_TAGS = f"target.tag-namespace.name='{TAG_NAMESPACE}'"

#: Grants in the PARENT compartment, where the tag namespace and the role policies live (a
#: statement about the workload compartment cannot reach them). Every role that creates resources
#: applies the stack's defined tags, which needs ``use`` on that namespace; the security role
#: administers it; auditors read it and the policies. All narrowed to the stack's namespace where
#: the resource-type allows it (``target.tag-namespace.name``; policies have no such variable).
PARENT_GRANTS: Mapping[str, tuple[Row, ...]] = {
    "network": (("use", "tag-namespaces", _OUR_TAGS, _IAM),),
    "security": (("manage", "tag-namespaces", _OUR_TAGS, _IAM),),
    "platform": (("use", "tag-namespaces", _OUR_TAGS, _IAM),),
    "database": (("use", "tag-namespaces", _OUR_TAGS, _IAM),),
    "genai": (("use", "tag-namespaces", _OUR_TAGS, _IAM),),
    "auditor": (("read", "tag-namespaces", _OUR_TAGS, _IAM), ("read", "policies", None, _IAM)),
}

#: Grants in the TENANCY (root compartment): budgets exist only there, whatever compartment they
#: track. Read-only: a budget changes through the stack (``operations.budget``), not by hand.
TENANCY_GRANTS: Mapping[str, tuple[Row, ...]] = {
    "platform": (("read", "usage-budgets", None, _BUDGETS),),
    "auditor": (("read", "usage-budgets", None, _BUDGETS),),
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
