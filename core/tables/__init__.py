"""Checked-in tables the deployability rules and the planes share (one home per requirement).

``key_grants.yaml``: every Vault key use → the IAM grants OCI requires first, each row citing its
OCI documentation page. ``prerequisites.yaml``: what a stack references but cannot create, the
"before the first deploy" checklist `blueprint plan` prints. Loaded and validated once; a malformed
row is an error naming the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
VERBS = ("inspect", "read", "use", "manage")


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
    rows = yaml.safe_load((HERE / "key_grants.yaml").read_text(encoding="utf-8"))
    out = []
    for i, row in enumerate(rows):
        where = f"core/tables/key_grants.yaml[{i}]"
        missing = [k for k in ("id", "resource", "property", "use", "doc", "grants") if k not in row]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
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
    rows = yaml.safe_load((HERE / "prerequisites.yaml").read_text(encoding="utf-8"))
    out = []
    for i, row in enumerate(rows):
        where = f"core/tables/prerequisites.yaml[{i}]"
        missing = [k for k in ("id", "what", "config", "doc") if k not in row]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        if not str(row["doc"]).startswith("https://"):
            raise ValueError(f"{where}.doc: must cite a public https page")
        k8s = row.get("kubernetes")
        obj = (str(k8s["kind"]), str(k8s["namespace"]), str(k8s["name"])) if k8s else None
        out.append(Prerequisite(row["id"], row["what"], row["config"], row["doc"], obj, row.get("when")))
    return tuple(out)


def out_of_band_kubernetes() -> set[tuple[str, str, str]]:
    """Kubernetes objects declared as provided out of band: (kind, namespace, name)."""
    return {p.kubernetes for p in prerequisites() if p.kubernetes is not None}
