"""Identity and access (CIS OCI Foundations 3.1 section 1): IAM statements parsed with a real grammar.

Statements are parsed by ``oci-lexer-parser`` (an ANTLR grammar of OCI policy syntax), not by
regular expressions, so quoting, identity domains, conditions and odd spacing are understood as
OCI understands them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from policies.grant_sources import cited_grant
from policies.rules._base import UNKNOWN, Rule, custom_rule, items

POLICY = "oci:Identity/policy:Policy"
DYNAMIC_GROUP = "oci:Identity/dynamicGroup:DynamicGroup"
VERBS = frozenset({"inspect", "read", "use", "manage"})
_COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexample"


@lru_cache(maxsize=4096)
def parse(statement: str) -> dict[str, Any] | None:
    """One statement → the grammar's JSON form, or None if it does not parse."""
    import oci_lexer_parser

    try:
        result = oci_lexer_parser.parse_policy_statements(statement)
    except Exception:
        return None
    result_map: dict[str, Any] = dict(result) if isinstance(result, dict) else {}
    statements = result_map.get("statements") or []
    if len(statements) != 1 or result_map.get("errors"):
        return None
    parsed: dict[str, Any] = statements[0]
    return parsed


def _statements(props: Mapping[str, Any]) -> Iterable[tuple[int, dict[str, Any] | None]]:
    for i, text in enumerate(items(props.get("statements"))):
        yield i, parse(str(text))


def _on_all_resources(parsed: dict[str, Any], verbs: frozenset[str]) -> bool:
    return (bool(verbs & set((parsed.get("actions") or {}).get("values", [])))
            and (parsed.get("resources") or {}).get("type") == "all-resources")


def check_parses(props: Mapping[str, Any]) -> Iterable[str]:
    for i, parsed in _statements(props):
        if parsed is None:
            yield f"'statements[{i}]' is not a valid OCI policy statement"


def check_manage_all(props: Mapping[str, Any]) -> Iterable[str]:
    """No administrator of everything: separation of duties (OCI Core Landing Zone role groups)."""
    for i, parsed in _statements(props):
        if parsed and _on_all_resources(parsed, frozenset({"manage"})):
            yield f"'statements[{i}]' grants manage all-resources"


def check_read_all(props: Mapping[str, Any]) -> Iterable[str]:
    """read/use all-resources include secret-bundles (secret contents), objects and log-content."""
    for i, parsed in _statements(props):
        if parsed and _on_all_resources(parsed, frozenset({"read", "use"})):
            yield f"'statements[{i}]' grants read or use on all-resources, which includes secret contents, objects and log content"


def check_any_user(props: Mapping[str, Any]) -> Iterable[str]:
    for i, parsed in _statements(props):
        if parsed and (parsed.get("subject") or {}).get("type") in ("any-user", "any-group") and not parsed.get("conditions"):
            yield f"'statements[{i}]' grants to any-user without a where-condition"


#: Resource-types that exist only in the root compartment, granted there read-only: budgets
#: ("permissions to manage budgets in the root compartment",
#: https://docs.oracle.com/iaas/Content/Billing/Concepts/budgetsoverview.htm).
_ROOT_ONLY = frozenset({"usage-budgets"})


def _tenancy_exempt(parsed: dict[str, Any]) -> bool:
    """A tenancy-wide statement that cannot be written narrower: reading a root-only resource-type,
    or a tag namespace in the root compartment narrowed to that namespace by name."""
    verbs = set((parsed.get("actions") or {}).get("values", []))
    resources = parsed.get("resources") or {}
    named = set(resources.get("values", [])) if resources.get("type") == "specific" else set()
    if named and named <= _ROOT_ONLY and verbs <= {"inspect", "read"}:
        return True
    return named == {"tag-namespaces"} and "target.tag-namespace.name" in json.dumps(parsed.get("conditions"))


def check_compartment_scope(props: Mapping[str, Any]) -> Iterable[str]:
    for i, parsed in _statements(props):
        if (parsed and (parsed.get("location") or {}).get("type") not in ("compartment-id", "compartment")
                and not _tenancy_exempt(parsed)):
            yield f"'statements[{i}]' is not scoped to a compartment"


def check_verbs(props: Mapping[str, Any]) -> Iterable[str]:
    for i, parsed in _statements(props):
        actions = (parsed or {}).get("actions") or {}
        if parsed and (actions.get("type") != "verbs" or not set(actions.get("values", [])) <= VERBS):
            yield f"'statements[{i}]' uses something other than the verbs inspect, read, use, manage"


_STORAGE = {"object-family", "buckets", "objects", "volume-family", "volumes", "volume-backups", "file-family",
            "file-systems", "mount-targets", "export-sets"}


def only_permission(conditions: Any) -> str | None:
    """The one permission a where-clause narrows a grant to (``request.permission='X'`` alone, or inside an
    ``all {…}`` group), else None: such a grant holds nothing but X, whatever its verb."""
    clauses = [conditions] if isinstance(conditions, Mapping) and conditions.get("type") == "clause" else (
        conditions.get("items") or [] if isinstance(conditions, Mapping) and conditions.get("mode") == "all" else [])
    for c in clauses:
        node = (c or {}).get("node") or {} if isinstance(c, Mapping) else {}
        rhs = node.get("rhs") or {}
        if node.get("lhs") == "request.permission" and node.get("op") == "eq" and isinstance(rhs, Mapping):
            return str(rhs.get("value"))
    return None


def check_storage_delete(props: Mapping[str, Any]) -> Iterable[str]:
    """CIS 1.15: storage service-level admins cannot delete what they manage. A grant narrowed to one
    permission that is not a delete (``request.permission='OBJECT_CREATE'``) passes: it excludes them all."""
    for i, parsed in _statements(props):
        # Services (e.g. objectstorage-<region> for lifecycle rules) are not storage administrators.
        if not parsed or (parsed.get("subject") or {}).get("type") == "service":
            continue
        resources = set((parsed.get("resources") or {}).get("values", []))
        if "manage" in (parsed.get("actions") or {}).get("values", []) and resources & _STORAGE:
            only = only_permission(parsed.get("conditions"))
            if only is not None:
                if "DELETE" in only:
                    yield f"'statements[{i}]' grants a delete permission on storage"
                continue
            conditions = str(parsed.get("conditions") or "")
            if "request.permission" not in conditions or "DELETE" not in conditions:
                yield f"'statements[{i}]' lets a subject manage storage without excluding delete permissions"


def check_cited(props: Mapping[str, Any]) -> Iterable[str]:
    """Statements to a service, a resource principal or a workload identity (any subject but a group: role
    groups are the role rules' and components/iam_roles.py's) must be a grant a checked-in table cites."""
    for i, parsed in _statements(props):
        if not parsed or parsed.get("kind") != "allow" or (parsed.get("subject") or {}).get("type") == "group":
            continue
        found, why = cited_grant(parsed)
        if found is None:
            yield f"'statements[{i}]' is a grant no checked-in table cites: {why}"


def check_described(props: Mapping[str, Any]) -> Iterable[str]:
    if not props.get("description"):
        yield "'description' is empty; say who the policy is for and why"


def check_dynamic_group_scope(props: Mapping[str, Any]) -> Iterable[str]:
    rule = props.get("matchingRule")
    if not isinstance(rule, str) or "compartment.id" not in rule:
        yield "'matchingRule' does not restrict members to a compartment (compartment.id)"


def _policy(statement: str | list[str], **extra: Any) -> dict[str, Any]:
    statements = statement if isinstance(statement, list) else [statement]
    return {"statements": statements, "compartmentId": _COMPARTMENT, "description": "d", **extra}


_IAM = ("soc2:CC6.1", "soc2:CC6.3", "iso27001-2022:A.5.15", "nist-800-53r5:AC-6", "pci-dss:7.2", "hipaa:164.312(a)(1)")
_SCOPED = f"in compartment id {_COMPARTMENT}"

RULES: list[Rule] = [
    custom_rule("OCI-IAM-001", "Ensure IAM policy statements are valid OCI policy syntax", (POLICY,), check_parses,
                severity="high", remediation="Fix the statement so it parses as OCI policy syntax (Allow <subject> to <verb> …).",
                controls=_IAM,
                passing=_policy(f"Allow group 'Default'/'readers' to read objects {_SCOPED}"),
                failing=_policy("Let everyone do anything"), unknown=_policy([UNKNOWN])),
    custom_rule("OCI-IAM-002", "Ensure no IAM statement grants manage all-resources", (POLICY,),
                check_manage_all, severity="critical",
                remediation="Give each role group the families it needs (components/iam_roles.py); nobody administers everything.",
                controls=("cis-oci-3.1:1.2", *_IAM),
                passing=_policy(f"Allow group 'Default'/'genai-network-admins' to manage virtual-network-family {_SCOPED}"),
                failing=_policy(f"Allow group 'Default'/'genai-admins' to manage all-resources {_SCOPED}"),
                unknown=_policy(UNKNOWN)),
    custom_rule("OCI-IAM-003", "Ensure any-user statements are limited by a where-condition", (POLICY,), check_any_user,
                severity="critical", remediation="Add a where clause (e.g. request.principal.type='workload' and the namespace).",
                controls=_IAM,
                passing=_policy(f"Allow any-user to use generative-ai-family {_SCOPED} where request.principal.type='workload'"),
                failing=_policy(f"Allow any-user to use generative-ai-family {_SCOPED}"), unknown=_policy(UNKNOWN)),
    custom_rule("OCI-IAM-004", "Ensure IAM policy statements are scoped to a compartment, not the tenancy", (POLICY,),
                check_compartment_scope, severity="high",
                remediation="Write 'in compartment id <workload compartment OCID>' instead of 'in tenancy'.",
                controls=_IAM,
                passing=_policy(f"Allow group g to read buckets {_SCOPED}"),
                failing=_policy("Allow group g to read buckets in tenancy"), unknown=_policy(UNKNOWN)),
    custom_rule("OCI-IAM-005", "Ensure IAM policy statements use only the verbs inspect, read, use and manage", (POLICY,),
                check_verbs, severity="medium", remediation="Use one of inspect/read/use/manage (or fix a typo in the verb).",
                controls=_IAM,
                passing=_policy(f"Allow group g to use buckets {_SCOPED}"),
                failing=_policy(f"Allow group g to frobnicate buckets {_SCOPED}"), unknown=_policy(UNKNOWN)),
    custom_rule("OCI-IAM-006", "Ensure storage service-level administrators cannot delete the resources they manage",
                (POLICY,), check_storage_delete, severity="medium",
                remediation="Add where request.permission!='BUCKET_DELETE' (and OBJECT_DELETE, VOLUME_DELETE …).",
                controls=("cis-oci-3.1:1.15", *_IAM),
                passing=_policy(f"Allow group storage-ops to manage buckets {_SCOPED} "
                                "where request.permission!='BUCKET_DELETE'"),
                failing=_policy(f"Allow group storage-ops to manage buckets {_SCOPED}"), unknown=_policy(UNKNOWN)),
    custom_rule("OCI-IAM-007", "Ensure every IAM policy has a description", (POLICY,), check_described,
                severity="low", enforcement="advisory", remediation="Describe who the policy serves and why.",
                controls=("soc2:CC6.1",), passing=_policy(f"Allow group g to read buckets {_SCOPED}"),
                failing=_policy(f"Allow group g to read buckets {_SCOPED}", description=""),
                unknown=_policy(f"Allow group g to read buckets {_SCOPED}", description=UNKNOWN)),
    custom_rule("OCI-IAM-008", "Ensure dynamic groups match only resources of one compartment", (DYNAMIC_GROUP,),
                check_dynamic_group_scope, severity="high",
                remediation="Add ALL {…, resource.compartment.id = '<workload compartment OCID>'} to the matching rule.",
                controls=_IAM,
                passing={"matchingRule": f"ALL {{resource.type = 'genaiagent', resource.compartment.id = '{_COMPARTMENT}'}}"},
                failing={"matchingRule": "ANY {resource.type = 'genaiagent'}"}, unknown={"matchingRule": UNKNOWN}),
    custom_rule("OCI-IAM-009", "Ensure no IAM statement grants read or use on all-resources", (POLICY,),
                check_read_all, severity="high",
                remediation="Grant inspect all-resources plus read on metadata types (buckets, secrets, log-groups); "
                            "never read on secret-bundles, objects or log-content to people who only audit.",
                controls=_IAM,
                passing=_policy(f"Allow group 'Default'/'genai-auditors' to inspect all-resources {_SCOPED}"),
                failing=_policy(f"Allow group 'Default'/'genai-auditors' to read all-resources {_SCOPED}"),
                unknown=_policy(UNKNOWN)),
    custom_rule("OCI-IAM-010", "Ensure every IAM grant to a service, resource principal or workload identity cites "
                "the OCI page that requires it", (POLICY,), check_cited, severity="medium", enforcement="advisory",
                remediation="Add the grant's row (subject, verb, resource-type, where-variables, purpose, OCI page and "
                            "whether it was read) to core/tables/grant_sources.yaml, or key_grants.yaml for a key "
                            "grant; or remove the grant.",
                controls=_IAM,
                passing=_policy(f"Allow any-user to use generative-ai-chat {_SCOPED} where all "
                                "{request.principal.type='workload', request.principal.cluster_id='ocid1.cluster.oc1..c', "
                                "request.principal.namespace='genai-router', request.principal.service_account='genai-router'}"),
                failing=_policy(f"Allow any-user to manage objects {_SCOPED} where all "
                                "{request.principal.type='fnfunc', target.bucket.name='genai-prod-documents'}"),
                unknown=_policy([UNKNOWN])),
]
