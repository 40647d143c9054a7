"""Checked-in tables the deployability rules and the planes share (one home per requirement).

``key_grants.yaml``: every Vault key use → the IAM grants OCI requires first, each row citing its
OCI documentation page. ``prerequisites.yaml``: what a stack references but cannot create, the
"before the first deploy" checklist `blueprint plan` prints. ``grant_sources.yaml``: every other kind
of IAM grant the planes write (service and resource principals, workload identities) → what it is for
and its OCI documentation page, with whether that page was read. Loaded and validated once; a
malformed row is an error naming the row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
VERBS = ("inspect", "read", "use", "manage")


def _rows(file: str, required: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``core/tables/<file>[i]``, row) for every row of a table, each checked to carry ``required``."""
    for i, row in enumerate(yaml.safe_load((HERE / file).read_text(encoding="utf-8"))):
        where = f"core/tables/{file}[{i}]"
        missing = [k for k in required if k not in row]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        yield where, row


@dataclass(frozen=True)
class KeyGrant:
    """One required grant: who (service or resource principal), verb, resource-type."""

    subject: str
    """'service <name>' ({region} substituted) or 'principal <request.principal.type>'."""
    verb: str
    resource: str
    scope: str = "key"
    """'key': condition target.key.id = the key; 'vault': target.vault.id = the key's vault (none: vaults read)."""

    @property
    def is_service(self) -> bool:
        return self.subject.startswith("service ")

    @property
    def name(self) -> str:
        """The service name or the principal type."""
        return self.subject.split(" ", 1)[1]


@dataclass(frozen=True)
class KeyUse:
    """A resource type whose property names a Vault key, and what OCI requires before it uses it."""

    id: str
    resource: str
    property: str
    use: str
    doc: str
    grants: tuple[KeyGrant, ...]


@cache
def key_uses() -> tuple[KeyUse, ...]:
    out = []
    for where, row in _rows("key_grants.yaml", ("id", "resource", "property", "use", "doc", "grants")):
        if not str(row["doc"]).startswith("https://docs.oracle.com/"):
            raise ValueError(f"{where}.doc: must cite an OCI documentation page")
        grants = tuple(KeyGrant(**g) for g in row["grants"])
        for g in grants:
            if g.verb not in VERBS or not g.subject.startswith(("service ", "principal ")):
                raise ValueError(f"{where}.grants: verb or subject not allowed")
        out.append(KeyUse(row["id"], row["resource"], row["property"], row["use"], row["doc"], grants))
    return tuple(out)


def key_use(id_: str) -> KeyUse:
    """The row with this id (KeyError when the table has none)."""
    return {u.id: u for u in key_uses()}[id_]


@dataclass(frozen=True)
class Prerequisite:
    """Something a stack references but cannot create: done once, before the first deploy."""

    id: str
    what: str
    config: str
    """The stack config key (or file) that points at it; never its value."""
    doc: str
    kubernetes: tuple[str, str, str] | None = None
    """(kind, namespace, name) of a Kubernetes object this prerequisite provides."""
    when: str | None = None
    """A key path under the stack's namespace (``orchestration.router.database``): applies only when it is set."""

    def applies(self, config: Mapping[str, Any]) -> bool:
        """Whether this prerequisite applies to a stack with these namespace values."""
        if self.when is None:
            return True
        node: Any = config
        for part in self.when.split("."):
            if not isinstance(node, Mapping) or node.get(part) in (None, False, "", []):
                return False
            node = node[part]
        return True


@cache
def prerequisites() -> tuple[Prerequisite, ...]:
    out = []
    for where, row in _rows("prerequisites.yaml", ("id", "what", "config", "doc")):
        if not str(row["doc"]).startswith("https://"):
            raise ValueError(f"{where}.doc: must cite a public https page")
        k8s = row.get("kubernetes")
        obj = (str(k8s["kind"]), str(k8s["namespace"]), str(k8s["name"])) if k8s else None
        out.append(Prerequisite(row["id"], row["what"], row["config"], row["doc"], obj, row.get("when")))
    return tuple(out)


def out_of_band_kubernetes() -> set[tuple[str, str, str]]:
    """Kubernetes objects declared as provided out of band: (kind, namespace, name)."""
    return {p.kubernetes for p in prerequisites() if p.kubernetes is not None}


#: How far a grant source's page was read (``grant_sources.yaml``: ``read``).
READ_STATES = ("true", "partial", "false")


@dataclass(frozen=True)
class GrantSource:
    """One kind of IAM grant (subject, verb, resource-type), what it is for and the page behind it."""

    id: str
    plane: str
    subject: str
    """'service <name>' ({region}: the stack's region), 'principal <type>' or 'workload'."""
    verb: str
    resource: str
    narrowed_by: tuple[str, ...]
    """Where-condition variables the statement must also name ('a|b': either)."""
    purpose: str
    doc: str
    also: tuple[str, ...]
    read: str
    """'true', 'partial' or 'false' (READ_STATES)."""
    evidence: str


@cache
def grant_sources() -> tuple[GrantSource, ...]:
    out = []
    for where, row in _rows("grant_sources.yaml", ("id", "plane", "subject", "verb", "resource", "narrowed_by", "for",
                                                   "doc", "read", "evidence")):
        pages = [row["doc"], *row.get("also", [])]
        if not all(str(p).startswith("https://docs.oracle.com/") for p in pages):
            raise ValueError(f"{where}.doc: must cite OCI documentation pages")
        read = str(row["read"]).lower()
        if read not in READ_STATES:
            raise ValueError(f"{where}.read: not an allowed value; allowed: {', '.join(READ_STATES)}")
        subject = str(row["subject"])
        if row["verb"] not in VERBS or not (subject == "workload" or subject.startswith(("service ", "principal "))):
            raise ValueError(f"{where}: verb or subject not allowed")
        out.append(GrantSource(row["id"], row["plane"], subject, row["verb"], row["resource"],
                               tuple(row["narrowed_by"]), row["for"], row["doc"], tuple(row.get("also", [])),
                               read, " ".join(str(row["evidence"]).split())))
    ids = [s.id for s in out]
    if len(ids) != len(set(ids)):
        raise ValueError("core/tables/grant_sources.yaml: ids must be unique")
    return tuple(out)


def grant_source(id_: str) -> GrantSource:
    """The row with this id (KeyError when the table has none)."""
    return {s.id: s for s in grant_sources()}[id_]
