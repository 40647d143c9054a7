"""Every planned IAM statement and the source that requires it: the auditor's ``grants.md``.

Each statement of each ``oci:Identity/policy:Policy`` in a stack's graph is parsed with the OCI
policy grammar (``policies.rules.identity.parse``) and matched to one row of the three tables that
hold the project's grants, each row citing its OCI documentation page:

- ``group`` subjects: the role rows of ``components/iam_roles.py`` (the group's role is read from the
  role policy that names it; its workload-compartment and parent-compartment rows, or its tenancy rows
  for a statement ``in tenancy``), matched on verb, resource-type and where-condition;
- statements naming ``target.key.id`` or ``target.vault.id``: the Vault key grants of
  ``core/tables/key_grants.yaml`` (service or resource-principal subject, verb, resource-type);
- everything else (service principals, resource principals, OKE workload identities):
  ``core/tables/grant_sources.yaml`` (subject, verb, resource-type and the variables the
  where-condition must name).

A statement that matches no row is *unmatched* (its policy and index are reported); one whose value
is not known at plan time (a preview) is *unknown*, never matched. Only statements, policy names and
table rows are written: no other property value.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from compliance.model import markdown_cell as _cell
from components.iam_roles import PARENT_GRANTS, ROLE_GRANTS, ROLE_PURPOSES, SAMPLE_BUCKET, TAG_NAMESPACE, TENANCY_GRANTS
from core.markers import UNKNOWN_MARKER
from policies.grant_sources import Cited, cited_grant, single
from policies.rules.identity import POLICY, parse

#: Statement states: matched to a source row, matched to none, or not known at plan time.
MATCHED, UNMATCHED, UNKNOWN = "matched", "unmatched", "unknown"
TABLES = {"iam_roles": "components/iam_roles.py", "key_grants": "core/tables/key_grants.yaml",
          "grant_sources": "core/tables/grant_sources.yaml"}
#: The row a statement comes from (``policies.grant_sources.Cited``; table 'iam_roles' for role rows here).
Source = Cited


@dataclass(frozen=True)
class StatementSource:
    """One planned statement and its source (or why it has none)."""

    policy: str
    """The policy's resource name in the plan."""
    policy_name: str
    """The policy's IAM name (``name`` input), or '' when unknown."""
    index: int | None
    """Position in the policy's statements; None when the whole list is unknown."""
    statement: str | None
    status: str
    problem: str = ""
    source: Source | None = None


# -- role groups (components/iam_roles.py) ---------------------------------------------------------


def _where_text(statement: str) -> str | None:
    _, sep, where = statement.partition(" where ")
    return where if sep else None


def _role_source(role: str, row: tuple[str, str, str | None, str]) -> Source:
    verb, resource, _where, doc = row
    return Source("iam_roles", f"{role}:{verb} {resource}", ROLE_PURPOSES[role], doc, None)


def _where_pattern(where: str | None) -> re.Pattern[str] | None:
    if where is None:
        return None
    escaped = re.escape(where)
    for placeholder in (TAG_NAMESPACE, SAMPLE_BUCKET):
        escaped = escaped.replace(re.escape(placeholder), "[^']+")
    return re.compile(escaped + r"\Z")


def _group_roles(policies: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Group label → the roles whose policy (its description starts with the role's purpose) names it."""
    out: dict[str, set[str]] = {}
    for node in policies:
        inputs = node.get("inputs") or {}
        description = inputs.get("description")
        roles = [r for r, purpose in ROLE_PURPOSES.items() if isinstance(description, str) and description.startswith(purpose)]
        statements = inputs.get("statements")
        if len(roles) != 1 or not isinstance(statements, list):
            continue
        for text in statements:
            parsed = parse(text) if isinstance(text, str) else None
            if parsed and (parsed.get("subject") or {}).get("type") == "group":
                for value in (parsed.get("subject") or {}).get("values") or []:
                    out.setdefault(str(value.get("label")), set()).add(roles[0])
    return out


def _match_group(parsed: Mapping[str, Any], statement: str, roles: Iterable[str]) -> Source | None:
    verb, resource = single(parsed, "actions"), single(parsed, "resources")
    tenancy = (parsed.get("location") or {}).get("type") == "tenancy"
    where = _where_text(statement)
    for role in roles:
        rows = TENANCY_GRANTS.get(role, ()) if tenancy else (*ROLE_GRANTS.get(role, ()), *PARENT_GRANTS.get(role, ()))
        for row in rows:
            pattern = _where_pattern(row[2])
            same_where = (where is None) if pattern is None else (where is not None and bool(pattern.match(where)))
            if row[0] == verb and row[1] == resource and same_where:
                return _role_source(role, row)
    return None


def source_of(statement: str, group_roles: Mapping[str, set[str]] | None = None) -> tuple[Source | None, str]:
    """The source row of one statement, or (None, why not)."""
    parsed = parse(statement)
    if parsed is None:
        return None, "not a valid OCI policy statement"
    if parsed.get("kind") != "allow":
        return None, "not an allow statement"
    subject = parsed.get("subject") or {}
    if subject.get("type") == "group":
        labels = [str(v.get("label")) for v in subject.get("values") or []]
        roles = sorted(set().union(*[(group_roles or {}).get(label, set()) for label in labels])) or list(ROLE_GRANTS)
        found = _match_group(parsed, statement, roles)
        return (found, "") if found else (None, "no role row of components/iam_roles.py grants it")
    return cited_grant(parsed)


def _unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and UNKNOWN_MARKER in value)


def statement_sources(graph: Mapping[str, Any]) -> list[StatementSource]:
    """Every planned statement of every policy in the graph with its source, in plan order."""
    policies = [n for n in graph.get("nodes") or [] if n.get("type") == POLICY]
    roles = _group_roles(policies)
    out: list[StatementSource] = []
    for node in policies:
        inputs = node.get("inputs") or {}
        raw_name = inputs.get("name")
        name = raw_name if isinstance(raw_name, str) and not _unknown(raw_name) else ""
        policy = str(node.get("name"))
        statements = inputs.get("statements")
        if not isinstance(statements, list):
            out.append(StatementSource(policy, name, None, None, UNKNOWN, "its statements are not known at plan time"))
            continue
        for i, text in enumerate(statements):
            if _unknown(text) or not isinstance(text, str):
                out.append(StatementSource(policy, name, i, None, UNKNOWN, "not known at plan time"))
                continue
            found, why = source_of(text, roles)
            out.append(StatementSource(policy, name, i, text, MATCHED if found else UNMATCHED, why, found))
    return out


# -- the auditor's artefacts ---------------------------------------------------------------------


def summary(rows: Sequence[StatementSource]) -> dict[str, int]:
    counts = Counter(r.status for r in rows)
    return {"policies": len({r.policy for r in rows}), "statements": len(rows),
            **{s: counts.get(s, 0) for s in (MATCHED, UNMATCHED, UNKNOWN)}}


def to_json(stack: str, rows: Sequence[StatementSource]) -> dict[str, Any]:
    return {"stack": stack, "summary": summary(rows), "tables": TABLES, "statements": [asdict(r) for r in rows]}


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


_READ = {"true": "yes", "partial": "in part", "false": "no (unconfirmed)", None: "—"}


def to_markdown(stack: str, rows: Sequence[StatementSource]) -> str:
    s = summary(rows)
    lines = [f"# IAM grants of `{stack}` and their sources", "",
             f"{s['statements']} statement(s) in {s['policies']} policies: {s[MATCHED]} matched to a source, "
             f"{s[UNMATCHED]} unmatched, {s[UNKNOWN]} not known at plan time.", "",
             "Sources: " + "; ".join(f"`{path}` ({kind})" for kind, path in
                                     zip(("human role groups", "Vault key grants", "service and resource principals, "
                                          "workload identities"), TABLES.values(), strict=True)) + ". "
             "*Page read* is recorded for the last table only: whether the cited page was read and says what "
             "the row claims (its evidence is in the table).", ""]
    bad = [r for r in rows if r.status != MATCHED]
    if bad:
        lines += ["## Without a source", "", "| policy | statement | status | why |", "|---|---|---|---|"]
        lines += [f"| {_code(r.policy)} | {'—' if r.index is None else r.index} | {r.status} | {_cell(r.problem)} |"
                  for r in bad]
        lines.append("")
    used: dict[tuple[str, str], tuple[Source, int]] = {}
    for r in rows:
        if r.source is not None:
            key = (r.source.table, r.source.id)
            used[key] = (r.source, used.get(key, (r.source, 0))[1] + 1)
    lines += ["## Grant kinds", "", "| source | for | page | page read | statements |", "|---|---|---|---|---|"]
    lines += [f"| {_code(TABLES[src.table])} {_code(src.id)} | {_cell(src.purpose)} | {src.doc} | {_READ[src.read]} | {n} |"
              for src, n in sorted(used.values(), key=lambda v: (v[0].table, v[0].id))]
    lines.append("")
    doubtful = sorted((src for src, _n in used.values() if src.read in ("partial", "false")), key=lambda c: c.id)
    if doubtful:
        lines += ["## Citations not fully confirmed", "",
                  "Rows whose page was read only in part, or not at all: what was read and what was not.", ""]
        lines += [f"- {_code(src.id)} ({_READ[src.read]}): {src.evidence} Pages: {', '.join((src.doc, *src.also))}"
                  for src in doubtful]
        lines.append("")
    for policy in dict.fromkeys(r.policy for r in rows):
        mine = [r for r in rows if r.policy == policy]
        title = f"## {_code(policy)}" + (f" ({_code(mine[0].policy_name)})" if mine[0].policy_name else "")
        lines += [title, "", "| # | statement | source | page |", "|---|---|---|---|"]
        for r in mine:
            statement = _code(r.statement) if r.statement is not None else "*not known at plan time*"
            source = (f"{_code(r.source.id)}: {_cell(r.source.purpose)}" if r.source else f"**{r.status}**: {_cell(r.problem)}")
            lines.append(f"| {'—' if r.index is None else r.index} | {_cell(statement)} | {source} | "
                         f"{r.source.doc if r.source else '—'} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_json_text(stack: str, rows: Sequence[StatementSource]) -> str:
    return json.dumps(to_json(stack, rows), indent=1)
