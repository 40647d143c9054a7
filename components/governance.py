"""Governance plane: the foundation every other plane stands on.

Provisions the workload compartment under the configured parent; a tag namespace with the
defined tags (classification, cost-center, environment, owner) and tag defaults so every resource
in the compartment carries them; a Vault and its master encryption keys (protection mode and
rotation per classification tier); a Cloud Guard target on the compartment; the security
notifications topic and its subscriptions; Events rules for identity and network changes (the
CIS OCI Foundations 4.x family) targeting that topic; and, once the network exists, a Bastion for
administrative access to private subnets (``AdminAccess``).

It also holds the one IAM-statement builder every plane uses (``Subject``, ``Grant``,
``statements``): statements are always scoped to a compartment by OCID, verbs come only from
inspect/read/use/manage, ``all-resources`` only with ``inspect`` (never ``read``, ``use`` or
``manage``), and ``any-user`` only with a where-condition. The human role groups and their grants
(separation of duties, no administrator of everything) are the table in ``components/iam_roles.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_oci as oci

from components import register_plane
from components.iam_roles import (
    PARENT_GRANTS,
    ROLE_GRANTS,
    ROLE_PURPOSES,
    ROLES,
    SAMPLE_BUCKET,
    TAG_NAMESPACE,
    TENANCY_GRANTS,
)
from core.buckets import sample_bucket_name
from core.cis_events import EVENT_RULES
from core.tables import key_use
from core.tiers import TIERS

GOVERNANCE_TYPE = register_plane("genai:index:GovernanceFoundation", "governance")
ADMIN_ACCESS_TYPE = register_plane("genai:index:AdminAccess", "governance")

#: Purposes for which the vault holds a master encryption key; planes pick theirs by name.
KEY_PURPOSES = ("data", "storage", "compute", "secrets", "logs")

# --------------------------------------------------------------------------------------------
# IAM statement builder
# --------------------------------------------------------------------------------------------

VERBS = ("inspect", "read", "use", "manage")

#: Resource-types and families a statement may name (OCI policy reference); anything else is a typo.
RESOURCE_TYPES = frozenset({
    "all-resources", "virtual-network-family", "instance-family", "volume-family", "object-family",
    "objects", "buckets", "objectstorage-namespaces", "database-family", "autonomous-database-family", "autonomous-databases",
    "cluster-family", "clusters", "cluster-node-pools", "repos", "vaults", "keys", "secret-family",
    "secrets", "secret-bundles", "key-delegate", "log-groups", "log-content", "logging-family",
    "metrics", "alarms", "ons-family", "ons-topics", "cloudevents-rules", "api-gateway-family",
    "generative-ai-family", "genai-agent-family", "generative-ai-chat", "generative-ai-text-embedding",
    "bastion-family", "bastion-sessions", "apm-domains", "usage-budgets", "tag-namespaces",
    "tag-defaults", "cloud-guard-family", "database-tools-family", "load-balancers", "waf-family",
    "network-security-groups", "vnics", "subnets", "compartments", "dynamic-groups", "policies",
    "stream-family", "functions-family", "serviceconnectors", "redis-family", "audit-events",
})


@dataclass(frozen=True)
class Subject:
    """Who a statement grants to, in OCI policy syntax."""

    text: str
    is_any_user: bool = False

    @staticmethod
    def group(name: str) -> Subject:
        domain, _, group = name.rpartition("/")
        quoted = f"'{domain}'/'{group}'" if domain else f"'{group}'"
        return Subject(f"group {quoted}")

    @staticmethod
    def dynamic_group(name: str) -> Subject:
        domain, _, group = name.rpartition("/")
        quoted = f"'{domain}'/'{group}'" if domain else f"'{group}'"
        return Subject(f"dynamic-group {quoted}")

    @staticmethod
    def any_user() -> Subject:
        """Every principal; the builder only accepts it with a ``where`` condition."""
        return Subject("any-user", is_any_user=True)

    @staticmethod
    def service(name: str) -> Subject:
        return Subject(f"service {name}")


@dataclass(frozen=True)
class Grant:
    """One permission: a verb on a resource-type, optionally narrowed by a condition."""

    verb: str
    resource: str
    where: str | None = None


def render_statement(subject: Subject, grant: Grant, compartment_ocid: str) -> str:
    """One statement as text. Raises ValueError on anything a security reviewer would reject."""
    if grant.verb not in VERBS:
        raise ValueError(f"IAM verb must be one of {', '.join(VERBS)}")
    if grant.resource not in RESOURCE_TYPES:
        raise ValueError(f"IAM resource-type '{grant.resource}' is not a known OCI resource-type or family")
    if grant.resource == "all-resources" and grant.verb != "inspect":
        # manage: an administrator of everything; read/use: includes secret bundles, objects, log content.
        raise ValueError(f"'{grant.verb} all-resources' is never granted; name the families the subject needs")
    if subject.is_any_user and not grant.where:
        raise ValueError("'any-user' statements need a where-condition")
    # In a preview the OCID is unknown and apply() never runs this: only real OCIDs get here. The
    # root compartment's OCID is the tenancy's, which OCI policy syntax writes as "in tenancy".
    if compartment_ocid.startswith("ocid1.tenancy."):
        location = "tenancy"
    elif compartment_ocid.startswith("ocid1.compartment."):
        location = f"compartment id {compartment_ocid}"
    else:
        raise ValueError("IAM statements must be scoped to a compartment OCID")
    text = f"Allow {subject.text} to {grant.verb} {grant.resource} in {location}"
    return f"{text} where {grant.where}" if grant.where else text


def statements(subject: Subject, grants: Sequence[Grant], compartment_id: pulumi.Input[str]) -> pulumi.Output[list[str]]:
    """Statements for one subject, all scoped to one compartment (by OCID, resolved at deploy time)."""
    return pulumi.Output.from_input(compartment_id).apply(
        lambda ocid: [render_statement(subject, g, ocid) for g in grants]
    )


@dataclass(frozen=True)
class Workload:
    """One OKE workload identity: the cluster, namespace and service account a pod runs as.

    Its grants name the cluster as well as the namespace and service account, so no other enhanced
    cluster with the same names inherits them ("Granting Workloads Access to OCI Resources",
    https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contenggrantingworkloadaccesstoresources.htm:
    ``where all {request.principal.type = 'workload', request.principal.namespace = '<namespace>',
    request.principal.service_account = '<service account>', request.principal.cluster_id = '<cluster>'}``)."""

    cluster_id: str
    namespace: str
    service_account: str

    def where(self, *extra: str) -> str:
        """The ``where`` of a grant to this workload identity, plus the ``extra`` conditions."""
        identity = ("request.principal.type='workload'",
                    f"request.principal.cluster_id='{self.cluster_id}'",
                    f"request.principal.namespace='{self.namespace}'",
                    f"request.principal.service_account='{self.service_account}'")
        return "all {" + ", ".join((*identity, *extra)) + "}"


def workload_policy(resource_name: str, *, cluster_id: pulumi.Input[str], namespace: pulumi.Input[str],
                    service_account: str, grants: Callable[..., Sequence[Grant]], inputs: Sequence[pulumi.Input[Any]] = (),
                    compartment_id: pulumi.Input[str], name: str, description: str,
                    defined_tags: pulumi.Input[Mapping[str, str]], opts: pulumi.ResourceOptions) -> oci.identity.Policy:
    """A policy for this workload's statements: ``grants(workload, *resolved inputs)`` granted to ``any-user``
    narrowed to the workload identity (``Workload``), in ``compartment_id``. ``inputs`` are the deploy-time
    values the grants name besides the identity (a log group, ...), resolved before ``grants`` is called."""
    resolved: pulumi.Output[list[str]] = pulumi.Output.all(cluster_id, namespace, *inputs).apply(
        lambda v: statements(Subject.any_user(), grants(Workload(v[0], v[1], service_account), *v[2:]), compartment_id))
    return oci.identity.Policy(resource_name, compartment_id=compartment_id, name=name, description=description,
                               statements=resolved, defined_tags=defined_tags, opts=opts)


def render_rows(subject: Subject, rows: Sequence[tuple[str, str, str | None, str]], compartment_ocid: str,
                namespace: str = "", sample_bucket: str = "") -> list[str]:
    """Statements for rows of ``components.iam_roles`` ((verb, resource, where, source)), ``{tag_namespace}``
    in a condition read as the stack's namespace and ``{sample_bucket}`` as its evaluation-sample bucket."""
    def where_of(where: str | None) -> str | None:
        return where.replace(TAG_NAMESPACE, namespace).replace(SAMPLE_BUCKET, sample_bucket) if where else None

    return [render_statement(subject, Grant(verb, resource, where_of(where)), compartment_ocid)
            for verb, resource, where, _source in rows]


def role_statements(subject: Subject, role: str, workload_ocid: str, parent_ocid: str, namespace: str,
                    environment: str) -> list[str]:
    """One role group's statements: its grants in the workload compartment, then in the parent one
    (where the tag namespace and the policies live). The sample bucket is named whether the stack has
    one or not: no role reads samples, today or after a tier change."""
    return (render_rows(subject, ROLE_GRANTS[role], workload_ocid, sample_bucket=sample_bucket_name(environment))
            + render_rows(subject, PARENT_GRANTS[role], parent_ocid, namespace))


def _role_policy_statements(subject: Subject, role: str, workload_id: pulumi.Input[str], parent_id: pulumi.Input[str],
                            namespace: pulumi.Input[str], environment: str) -> pulumi.Output[list[str]]:
    return pulumi.Output.all(workload_id, parent_id, namespace).apply(
        lambda ids: role_statements(subject, role, str(ids[0]), str(ids[1]), str(ids[2]), environment))


def key_grants(use_id: str, key_id: str, region: str, vault_id: str | None = None) -> list[tuple[Subject, Grant]]:
    """The grants OCI requires before a resource uses ``key_id`` as ``use_id`` (core/tables/key_grants.yaml).

    Every grant is narrowed to that key (``target.key.id``), or for a vault read to its vault.
    """
    out: list[tuple[Subject, Grant]] = []
    for g in key_use(use_id).grants:
        target = f"target.key.id='{key_id}'" if g.scope == "key" else (
            f"target.vault.id='{vault_id}'" if vault_id else None)
        if g.is_service:
            if "{region}" in g.name and not region:
                raise ValueError(f"key use '{use_id}': its service principal is regional; pass the region")
            out.append((Subject.service(g.name.replace("{region}", region)), Grant(g.verb, g.resource, target)))
        else:
            principal = f"request.principal.type='{g.name}'"
            where = f"all {{{principal}, {target}}}" if target else principal
            out.append((Subject.any_user(), Grant(g.verb, g.resource, where)))
    return out


def key_grant_statements(uses: Sequence[tuple[str, pulumi.Input[str]]], region: str, compartment_id: pulumi.Input[str],
                         vault_id: pulumi.Input[str] | None = None) -> pulumi.Output[list[str]]:
    """Statements for every (key use, key OCID) pair, resolved at deploy time."""
    keys = [k for _, k in uses]
    return pulumi.Output.all(compartment_id, vault_id, *keys).apply(lambda resolved: [
        render_statement(subject, grant, resolved[0])
        for (use_id, _), key in zip(uses, resolved[2:], strict=True)
        for subject, grant in key_grants(use_id, key, region, resolved[1])])


# --------------------------------------------------------------------------------------------
# Events: the CIS OCI Foundations 4.x notification family
# --------------------------------------------------------------------------------------------

# The CIS OCI 4.x event catalogue lives with the policies that check it (one source for both).

# --------------------------------------------------------------------------------------------
# GovernanceFoundation
# --------------------------------------------------------------------------------------------


class GovernanceFoundationArgs(TypedDict):
    """Inputs of the governance foundation."""

    tenancy_id: pulumi.Input[str]
    """Tenancy OCID: identity event rules live in its root compartment."""
    parent_compartment_id: pulumi.Input[str]
    """Compartment under which the workload compartment and the tag namespace are created."""
    environment: str
    """Environment name (dev, prod, …): names the compartment and the tag namespace."""
    classification: str
    """Classification tier; the value of the classification defined tag."""
    cost_center: str
    """Value of the cost-center defined tag (cost attribution)."""
    owner: str
    """Owning team's address; value of the owner defined tag."""
    role_groups: Mapping[str, str]
    """IAM group per role of ``components.iam_roles.ROLES`` (network, security, platform, database, genai,
    auditor); each gets its role's grants in the workload compartment only."""
    security_emails: Sequence[str]
    """Email subscribers of the security topic."""
    vault_type: str
    """DEFAULT or VIRTUAL_PRIVATE (dedicated HSM partition; needed for automatic rotation)."""
    key_protection_mode: str
    """HSM or SOFTWARE protection for master keys."""
    key_rotation_days: int | None
    """Automatic rotation interval in days (virtual private vaults only); None disables auto-rotation."""
    security_https_endpoints: Sequence[pulumi.Input[str]]
    """HTTPS subscribers of the security topic (secrets: webhook URLs carry tokens)."""
    protect_stateful: bool
    """Protect the compartment, tag namespace, vault and keys from deletion."""


class GovernanceFoundation(pulumi.ComponentResource):
    """Compartment, tags, vault and keys, Cloud Guard, security events and notifications, IAM."""

    compartment_id: pulumi.Output[str]
    """OCID of the workload compartment every other plane provisions into."""
    tag_namespace: pulumi.Output[str]
    """Name of the tag namespace holding the defined tags."""
    defined_tags: pulumi.Output[dict[str, str]]
    """The defined tags every resource carries ({namespace.tag: value}); depends on the tag definitions."""
    vault_id: pulumi.Output[str]
    """OCID of the vault."""
    key_ids: dict[str, pulumi.Output[str]]
    """Master encryption key OCID per purpose (see KEY_PURPOSES)."""
    security_topic_id: pulumi.Output[str]
    """OCID of the security notifications topic."""

    def __init__(self, name: str, args: GovernanceFoundationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(GOVERNANCE_TYPE, name, None, opts)
        protect = args["protect_stateful"]
        env = args["environment"]
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=protect)

        # Tag namespace in the parent compartment: the workload compartment itself carries the tags.
        ns = oci.identity.TagNamespace(
            f"{name}-tags",
            compartment_id=args["parent_compartment_id"],
            name=f"genai-{env}",
            description=f"genai-platform {env}: classification, cost attribution, ownership",
            opts=stateful,
        )
        tag_values = {
            "classification": args["classification"],
            "cost-center": args["cost_center"],
            "environment": env,
            "owner": args["owner"],
        }
        tags: dict[str, oci.identity.Tag] = {}
        for key in tag_values:
            tags[key] = oci.identity.Tag(
                f"{name}-tag-{key}",
                tag_namespace_id=ns.id,
                name=key,
                description=_TAG_DESCRIPTIONS[key],
                is_cost_tracking=key in ("cost-center", "environment"),
                validator=oci.identity.TagValidatorArgs(validator_type="ENUM", values=list(TIERS))
                if key == "classification" else None,
                opts=child,
            )
        self.tag_namespace = ns.name
        own_tags = pulumi.Output.all(ns.name, *[t.name for t in tags.values()]).apply(
            lambda names: {f"{names[0]}.{tag}": tag_values[tag] for tag in names[1:]}
        )
        tagged = own_tags

        compartment = oci.identity.Compartment(
            f"{name}-compartment",
            compartment_id=args["parent_compartment_id"],
            name=f"genai-{env}",
            description=f"genai-platform workload compartment ({env})",
            # Deleting a compartment through Pulumi is refused unless explicitly allowed.
            enable_delete=not protect,
            defined_tags=tagged,
            opts=stateful,
        )
        self.compartment_id = compartment.id

        # OKE tags the load balancers and volumes it creates for the cluster (options.serviceLbConfig,
        # persistentVolumeConfig) with the stack's defined tags, and the namespace lives in another
        # compartment: the cluster's principal needs use on it first (core/tables/grant_sources.yaml, row
        # cluster-tag-namespace: its page and whether it was read), narrowed here to this compartment's
        # clusters and this namespace. Every resource's tags depend on this policy, so nothing is tagged
        # before the grant exists.
        tag_use = oci.identity.Policy(
            f"{name}-tag-use-policy",
            compartment_id=args["parent_compartment_id"],
            name=f"genai-{env}-tag-use",
            description="OKE clusters of the workload compartment may apply the stack's defined tags",
            statements=pulumi.Output.all(args["parent_compartment_id"], compartment.id, ns.name).apply(
                lambda ids: [render_statement(Subject.any_user(), Grant(
                    "use", "tag-namespaces",
                    f"all {{request.principal.type='cluster', request.principal.compartment.id='{ids[1]}', "
                    f"target.tag-namespace.name='{ids[2]}'}}"), ids[0])]),
            defined_tags=own_tags,
            opts=child,
        )
        self.defined_tags = pulumi.Output.all(own_tags, tag_use.id).apply(lambda resolved: resolved[0])
        tagged = self.defined_tags
        for key, tag in tags.items():
            # Tag defaults stamp resources created outside this program too (console, CLI).
            oci.identity.TagDefault(
                f"{name}-default-{key}",
                compartment_id=compartment.id,
                tag_definition_id=tag.id,
                value=tag_values[key],
                is_required=False,
                opts=child,
            )

        vault_type = args["vault_type"]
        vault = oci.kms.Vault(
            f"{name}-vault",
            compartment_id=compartment.id,
            display_name=f"genai-{env}-vault",
            vault_type=vault_type,
            defined_tags=tagged,
            opts=stateful,
        )
        self.vault_id = vault.id
        rotation = args["key_rotation_days"]
        self.key_ids = {}
        for purpose in KEY_PURPOSES:
            master_key = oci.kms.Key(
                f"{name}-key-{purpose}",
                compartment_id=compartment.id,
                display_name=f"genai-{env}-{purpose}",
                key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32),
                management_endpoint=vault.management_endpoint,
                protection_mode=args["key_protection_mode"],
                is_auto_rotation_enabled=rotation is not None,
                auto_key_rotation_details=oci.kms.KeyAutoKeyRotationDetailsArgs(rotation_interval_in_days=rotation)
                if rotation is not None else None,
                defined_tags=tagged,
                opts=stateful,
            )
            self.key_ids[purpose] = master_key.id

        topic = oci.ons.NotificationTopic(
            f"{name}-security-topic",
            compartment_id=compartment.id,
            name=f"genai-{env}-security",
            description="Security events: identity and network changes, Cloud Guard problems",
            defined_tags=tagged,
            opts=child,
        )
        self.security_topic_id = topic.id
        for i, email in enumerate(args["security_emails"]):
            oci.ons.Subscription(
                f"{name}-security-email-{i}",
                compartment_id=compartment.id,
                topic_id=topic.id,
                protocol="EMAIL",
                endpoint=email,
                defined_tags=tagged,
                opts=child,
            )
        for i, url in enumerate(args["security_https_endpoints"]):
            oci.ons.Subscription(
                f"{name}-security-https-{i}",
                compartment_id=compartment.id,
                topic_id=topic.id,
                protocol="CUSTOM_HTTPS",
                endpoint=pulumi.Output.secret(url),
                defined_tags=tagged,
                opts=child,
            )

        for key, (cis, scope, event_types) in EVENT_RULES.items():
            oci.events.Rule(
                f"{name}-events-{key}",
                compartment_id=args["tenancy_id"] if scope == "tenancy" else compartment.id,
                display_name=f"genai-{env}-{key}-changes",
                description=f"CIS OCI 3.1 {cis}: notify on {key.replace('-', ' ')} changes",
                condition=json.dumps({"eventType": list(event_types)}, separators=(",", ":")),
                is_enabled=True,
                actions=oci.events.RuleActionsArgs(action=[
                    oci.events.RuleActionsActionArgs(action_type="ONS", is_enabled=True, topic_id=topic.id),
                ]),
                defined_tags=tagged,
                opts=child,
            )

        # Cloud Guard: Oracle-managed configuration, activity and threat detector recipes and the
        # Oracle-managed responder recipe, attached to the workload compartment.
        lookup = pulumi.InvokeOutputOptions(parent=self)
        detectors = oci.cloudguard.get_detector_recipes_output(compartment_id=args["tenancy_id"], opts=lookup)
        responders = oci.cloudguard.get_responder_recipes_output(compartment_id=args["tenancy_id"], opts=lookup)
        oci.cloudguard.Target(
            f"{name}-cloud-guard",
            compartment_id=compartment.id,
            display_name=f"genai-{env}",
            description="Cloud Guard target for the genai-platform workload compartment",
            target_resource_id=compartment.id,
            target_resource_type="COMPARTMENT",
            target_detector_recipes=detectors.apply(_oracle_detector_recipes),
            target_responder_recipes=responders.apply(_oracle_responder_recipes),
            defined_tags=tagged,
            opts=child,
        )

        # Separation of duties: one policy per role group, each with only its role's grants.
        # The workload compartment's grants, then the parent's (the tag namespace, the policies).
        for role in ROLES:
            oci.identity.Policy(
                f"{name}-{role}-policy",
                compartment_id=args["parent_compartment_id"],
                name=f"genai-{env}-{role}",
                description=f"{ROLE_PURPOSES[role]}; the workload compartment, and the stack's tag namespace",
                statements=_role_policy_statements(Subject.group(args["role_groups"][role]), role, compartment.id,
                                                   args["parent_compartment_id"], ns.name, env),
                defined_tags=tagged,
                opts=child,
            )
        # Budgets exist only in the root compartment; a policy there lets roles read them.
        oci.identity.Policy(
            f"{name}-budget-readers-policy",
            compartment_id=args["tenancy_id"],
            name=f"genai-{env}-budget-readers",
            description="Platform administrators and auditors read the budgets (they live in the root compartment)",
            statements=pulumi.Output.from_input(args["tenancy_id"]).apply(lambda tenancy: [
                statement for role, rows in TENANCY_GRANTS.items()
                for statement in render_rows(Subject.group(args["role_groups"][role]), rows, tenancy)]),
            defined_tags=tagged,
            opts=child,
        )

        self.register_outputs({
            "compartmentId": self.compartment_id,
            "tagNamespace": self.tag_namespace,
            "vaultId": self.vault_id,
            "keyIds": self.key_ids,
            "securityTopicId": self.security_topic_id,
        })


_TAG_DESCRIPTIONS = {
    "classification": "Data-classification tier of what the resource holds or processes",
    "cost-center": "Cost centre charged for the resource",
    "environment": "Deployment environment",
    "owner": "Owning team",
}

_DETECTORS = ("IAAS_CONFIGURATION_DETECTOR", "IAAS_ACTIVITY_DETECTOR", "IAAS_THREAT_DETECTOR")


def _oracle_detector_recipes(result: Any) -> list[oci.cloudguard.TargetTargetDetectorRecipeArgs]:
    items = [item for coll in result.detector_recipe_collections for item in coll.items]
    chosen = [i for i in items if i.owner == "ORACLE" and i.detector in _DETECTORS]
    return [oci.cloudguard.TargetTargetDetectorRecipeArgs(detector_recipe_id=i.id)
            for i in sorted(chosen, key=lambda i: i.detector)]


def _oracle_responder_recipes(result: Any) -> list[oci.cloudguard.TargetTargetResponderRecipeArgs]:
    items = [item for coll in result.responder_recipe_collections for item in coll.items]
    return [oci.cloudguard.TargetTargetResponderRecipeArgs(responder_recipe_id=i.id)
            for i in items if i.owner == "ORACLE"][:1]


# --------------------------------------------------------------------------------------------
# AdminAccess: the bastion (created once the network exists)
# --------------------------------------------------------------------------------------------


class AdminAccessArgs(TypedDict):
    """Inputs of the administrative-access bastion."""

    compartment_id: pulumi.Input[str]
    """Workload compartment."""
    environment: str
    """Environment name; part of the bastion's name."""
    target_subnet_id: pulumi.Input[str]
    """The bastion subnet: the bastion's private endpoint lives there."""
    client_cidrs: Sequence[str]
    """Networks allowed to open sessions; never 0.0.0.0/0."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation."""
    max_session_ttl_minutes: int
    """Longest session, in minutes."""


class AdminAccess(pulumi.ComponentResource):
    """A standard OCI Bastion: time-limited SSH/port-forwarding sessions into private subnets."""

    bastion_id: pulumi.Output[str]
    """OCID of the bastion."""
    private_ip: pulumi.Output[str]
    """The bastion's private endpoint address (for NSG rules that admit it)."""

    def __init__(self, name: str, args: AdminAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ADMIN_ACCESS_TYPE, name, None, opts)
        if any(cidr.endswith("/0") for cidr in args["client_cidrs"]):
            raise ValueError("bastion client CIDRs must not include /0")
        bastion = oci.bastion.Bastion(
            f"{name}-bastion",
            bastion_type="standard",
            compartment_id=args["compartment_id"],
            target_subnet_id=args["target_subnet_id"],
            # Bastion names allow letters and digits only.
            name="genai" + "".join(ch for ch in args["environment"] if ch.isalnum()) + "bastion",
            client_cidr_block_allow_lists=list(args["client_cidrs"]),
            max_session_ttl_in_seconds=60 * args["max_session_ttl_minutes"],
            defined_tags=args["defined_tags"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bastion_id = bastion.id
        self.private_ip = bastion.private_endpoint_ip_address
        self.register_outputs({"bastionId": self.bastion_id})
