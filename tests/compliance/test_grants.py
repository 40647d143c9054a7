"""Every planned IAM statement maps to the table row (and OCI page) that requires it; a statement
without one is reported by policy and index, an unknown one as unknown, never as matched."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from compliance.grants import MATCHED, POLICY, UNKNOWN, UNMATCHED, source_of, statement_sources, summary, to_json, to_markdown
from core.markers import UNKNOWN_MARKER
from core.tables import grant_sources
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

GOLDENS = sorted((ROOT / "tests" / "graphs").glob("*.json"))
_OCID = "ocid1.compartment.oc1..aaaaaaaaexample"
UNCITED = (f"Allow any-user to manage objects in compartment id {_OCID} where all "
           "{request.principal.type='fnfunc', target.bucket.name='genai-prod-documents'}")


@pytest.fixture(scope="module")
def prod(planned) -> dict[str, Any]:
    return planned("prod").to_json()


def _policy(graph: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in graph["nodes"] if n["type"] == POLICY and n["name"] == name)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_statement_of_dev_and_prod_has_a_source(planned, stack):
    rows = statement_sources(planned(stack).to_json())
    assert [(r.policy, r.index, r.problem) for r in rows if r.status != MATCHED] == []
    counts = summary(rows)
    assert counts["statements"] >= 90 and counts["policies"] >= 15
    tables = {r.source.table for r in rows if r.source}
    assert tables == {"iam_roles", "key_grants", "grant_sources"}


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.stem)
def test_every_statement_of_every_tier_variant_has_a_source(golden):
    rows = statement_sources(json.loads(golden.read_text()))
    assert [(r.policy, r.index, r.problem) for r in rows if r.status != MATCHED] == []


def test_every_grant_source_row_is_used_by_some_plan():
    used = {r.source.id for g in GOLDENS for r in statement_sources(json.loads(g.read_text()))
            if r.source and r.source.table == "grant_sources"}
    assert {s.id for s in grant_sources()} - used == set()


def test_an_extra_uncited_statement_is_unmatched_by_policy_and_index(prod):
    graph = copy.deepcopy(prod)
    policy = _policy(graph, "prod-model-policy")
    policy["inputs"]["statements"].append(UNCITED)
    index = len(policy["inputs"]["statements"]) - 1
    rows = statement_sources(graph)
    bad = [r for r in rows if r.status != MATCHED]
    assert [(r.policy, r.index, r.status) for r in bad] == [("prod-model-policy", index, UNMATCHED)]
    assert "grant_sources.yaml" in bad[0].problem
    md = to_markdown("prod", rows)
    assert f"| `prod-model-policy` | {index} | unmatched |" in md
    assert to_json("prod", rows)["summary"][UNMATCHED] == 1


@pytest.mark.parametrize("statement", [
    # the right verb and resource-type, but not narrowed the way the row requires
    "Allow any-user to use metrics in compartment id {c} where all {{request.principal.type='workload', "
    "request.principal.cluster_id='ocid1.cluster.oc1.fra.x', request.principal.namespace='n', "
    "request.principal.service_account='s'}}",
    # a workload grant that does not name the cluster is no workload identity
    "Allow any-user to use generative-ai-chat in compartment id {c} where all {{request.principal.type='workload', "
    "request.principal.namespace='n', request.principal.service_account='s'}}",
    # a role group granted what its role has no row for
    "Allow group 'Default'/'genai-prod-network-admins' to manage keys in compartment id {c}",
    # a role row's resource-type with the wrong where-condition
    "Allow group 'Default'/'genai-prod-database-admins' to manage objects in compartment id {c}",
    # a key grant to a service the key table does not name
    "Allow service objectstorage-eu-frankfurt-1 to manage keys in compartment id {c} where target.key.id='ocid1.key.oc1.fra.x'",
    "Allow dynamic-group 'Default'/'anything' to read buckets in compartment id {c}",
    "Allow any-user to read buckets in compartment id {c} where request.principal.type='fnfunc'",
    "this is not a policy statement",
])
def test_statements_no_row_grants_are_unmatched(prod, statement):
    roles = {"genai-prod-network-admins": {"network"}, "genai-prod-database-admins": {"database"}}
    found, why = source_of(statement.format(c=_OCID), roles)
    assert found is None and why


def test_a_role_group_matches_only_its_own_roles_rows(prod):
    statement = f"Allow group 'Default'/'genai-prod-genai-admins' to manage generative-ai-family in compartment id {_OCID}"
    assert source_of(statement, {"genai-prod-genai-admins": {"genai"}})[0].id == "genai:manage generative-ai-family"
    assert source_of(statement, {"genai-prod-genai-admins": {"auditor"}})[0] is None


@pytest.mark.parametrize("value", [None, UNKNOWN_MARKER, f"Allow any-user to use keys in compartment id {UNKNOWN_MARKER}"])
def test_an_unknown_statement_is_unknown_not_matched(prod, value):
    graph = copy.deepcopy(prod)
    _policy(graph, "prod-router-log-push")["inputs"]["statements"][0] = value
    rows = statement_sources(graph)
    bad = [(r.policy, r.index, r.status) for r in rows if r.status != MATCHED]
    assert bad == [("prod-router-log-push", 0, UNKNOWN)]


def test_unknown_statement_lists_are_unknown_and_the_report_still_renders(prod):
    graph = copy.deepcopy(prod)
    _policy(graph, "prod-data-service-policy")["inputs"]["statements"] = UNKNOWN_MARKER
    rows = statement_sources(graph)
    bad = [(r.policy, r.index, r.status) for r in rows if r.status != MATCHED]
    assert bad == [("prod-data-service-policy", None, UNKNOWN)]
    assert "| `prod-data-service-policy` | — | unknown |" in to_markdown("prod", rows)


def test_a_preview_plan_is_reported_unknown_never_matched(tmp_path):
    from tests.conftest import plan_variant

    rows = statement_sources(plan_variant("dev", preview=True).to_json())
    assert summary(rows)[UNKNOWN] >= 10
    assert all(r.source is None for r in rows if r.status == UNKNOWN)
    assert all(r.status == MATCHED for r in rows if r.statement is not None)


def test_the_markdown_lists_every_policy_statement_and_page(prod):
    rows = statement_sources(prod)
    md = to_markdown("prod", rows)
    policies = [n["name"] for n in prod["nodes"] if n["type"] == POLICY]
    assert all(f"## `{p}`" in md for p in policies)
    assert all(r.source.doc in md for r in rows if r.source)
    assert "100 matched" in md or f"{summary(rows)[MATCHED]} matched" in md
    # the grant kinds table names each grant_sources row's read state; rows not fully read say why
    assert "| no (unconfirmed) |" in md and "| yes |" in md
    section = md[md.index("## Citations not fully confirmed"):]
    doubtful = {r.source.id for r in rows if r.source and r.source.read in ("partial", "false")}
    assert doubtful and all(f"- `{rid}` (" in section for rid in doubtful)
    assert all(s.evidence in section for s in grant_sources() if s.id in doubtful)
