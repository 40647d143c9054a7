"""Which checked-in table row a parsed IAM statement to a service, a resource principal or an OKE
workload identity comes from (``core/tables/key_grants.yaml`` for key and vault grants,
``core/tables/grant_sources.yaml`` for the rest), each row citing its OCI documentation page.

Statements arrive parsed by the OCI policy grammar (``policies.rules.identity.parse``). Rule
OCI-IAM-010 reads ``cited_grant``; ``compliance/grants.py`` adds the role groups (whose rows live in
``components/iam_roles.py``, which policies never import) and writes the auditor's ``grants.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.tables import GrantSource, grant_sources, key_uses

WORKLOAD_IDENTITY = ("request.principal.cluster_id", "request.principal.namespace", "request.principal.service_account")
KEY_SCOPES = frozenset({"target.key.id", "target.vault.id"})


@dataclass(frozen=True)
class Cited:
    """The table row a statement comes from."""

    table: str
    """'key_grants' or 'grant_sources' (compliance/grants.py adds 'iam_roles')."""
    id: str
    purpose: str
    doc: str
    read: str | None
    """grant_sources rows: 'true', 'partial' or 'false' (was the page read); None for the other tables."""
    also: tuple[str, ...] = ()
    """grant_sources rows: further pages the row rests on."""
    evidence: str = ""
    """grant_sources rows: what was read on the pages, and what was not."""


def clauses(node: Any) -> list[tuple[str, str, str]]:
    """Every (variable, op, value) of a parsed where-condition, through nested groups."""
    if not isinstance(node, Mapping):
        return []
    if node.get("type") == "clause":
        inner = node.get("node") or {}
        return [(str(inner.get("lhs")), str(inner.get("op")), str((inner.get("rhs") or {}).get("value")))]
    return [c for item in node.get("items") or [] for c in clauses(item)]


def single(parsed: Mapping[str, Any], key: str) -> str | None:
    """The statement's one verb (``actions``) or one resource-type (``resources``; ``all-resources`` is one)."""
    part = parsed.get(key) or {}
    if key == "resources" and part.get("type") == "all-resources":
        return "all-resources"
    values = part.get("values") or []
    return str(values[0]) if len(values) == 1 else None


def subject_of(parsed: Mapping[str, Any]) -> str | None:
    """The subject in the tables' terms: 'service <name>', 'principal <type>' or 'workload' (None otherwise)."""
    subject = parsed.get("subject") or {}
    if subject.get("type") == "service":
        labels = [str(v.get("label")) for v in subject.get("values") or []]
        return f"service {labels[0]}" if len(labels) == 1 else None
    variables = {lhs: value for lhs, op, value in clauses(parsed.get("conditions")) if op == "eq"}
    if subject.get("type") == "any-user" and "request.principal.type" in variables:
        kind = variables["request.principal.type"]
        if kind == "workload":
            return "workload" if all(v in variables for v in WORKLOAD_IDENTITY) else None
        return f"principal {kind}"
    return None


def _subject_matches(row_subject: str, subject: str) -> bool:
    if row_subject.startswith("service "):
        pattern = re.escape(row_subject).replace(re.escape("{region}"), "[a-z0-9-]+")
        return re.fullmatch(pattern, subject) is not None
    return row_subject == subject


def _narrowed(row: GrantSource, names: set[str]) -> bool:
    return all(any(alt in names for alt in need.split("|")) for need in row.narrowed_by)


def cited_grant(parsed: Mapping[str, Any]) -> tuple[Cited | None, str]:
    """The row a service, resource-principal or workload statement comes from, or (None, why not)."""
    subject = subject_of(parsed)
    if subject is None:
        return None, "its subject is neither a service, a resource principal nor a workload identity"
    verb, resource = single(parsed, "actions"), single(parsed, "resources")
    if verb is None or resource is None:
        return None, "names more than one verb or resource-type"
    names = {lhs for lhs, _op, _value in clauses(parsed.get("conditions"))}
    if names & KEY_SCOPES:
        for use in key_uses():
            for grant in use.grants:
                scoped = "target.key.id" if grant.scope == "key" else "target.vault.id"
                if scoped in names and grant.verb == verb and grant.resource == resource \
                        and _subject_matches(grant.subject, subject):
                    return Cited("key_grants", use.id, use.use, use.doc, None), ""
        return None, "no row of core/tables/key_grants.yaml grants it"
    for row in grant_sources():
        if row.verb == verb and row.resource == resource and _subject_matches(row.subject, subject) \
                and _narrowed(row, names):
            return Cited("grant_sources", row.id, row.purpose, row.doc, row.read, row.also, row.evidence), ""
    return None, "no row of core/tables/grant_sources.yaml grants it"
