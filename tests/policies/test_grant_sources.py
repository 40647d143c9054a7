"""policies/grant_sources.py: a parsed statement to a service, resource principal or workload identity →
the key_grants.yaml or grant_sources.yaml row that cites it (rule OCI-IAM-010 reads it)."""

from __future__ import annotations

import json

import pytest

from policies.grant_sources import cited_grant, subject_of
from policies.rules.identity import POLICY, check_cited, parse
from tests.conftest import ROOT

pytestmark = pytest.mark.policy

_C = "in compartment id ocid1.compartment.oc1..aaaaaaaaexample"
_WORKLOAD = ("request.principal.type='workload', request.principal.cluster_id='ocid1.cluster.oc1..c', "
             "request.principal.namespace='n', request.principal.service_account='s'")


@pytest.mark.parametrize(("statement", "subject"), [
    (f"Allow service objectstorage-eu-frankfurt-1 to manage object-family {_C}", "service objectstorage-eu-frankfurt-1"),
    (f"Allow any-user to read buckets {_C} where request.principal.type='genaiagent'", "principal genaiagent"),
    (f"Allow any-user to use metrics {_C} where all {{{_WORKLOAD}}}", "workload"),
    # a workload grant that leaves out the cluster is no workload identity
    (f"Allow any-user to use metrics {_C} where all {{request.principal.type='workload', "
     "request.principal.namespace='n', request.principal.service_account='s'}", None),
    (f"Allow group 'Default'/'g' to read buckets {_C}", None),
    (f"Allow any-user to read buckets {_C} where request.principal.id='ocid1.x'", None),
])
def test_the_subject_in_the_tables_terms(statement, subject):
    assert subject_of(parse(statement)) == subject


@pytest.mark.parametrize(("statement", "table", "row"), [
    (f"Allow service objectstorage-us-ashburn-1 to manage object-family {_C}", "grant_sources", "objectstorage-lifecycle"),
    (f"Allow service objectstorage-us-ashburn-1 to use keys {_C} where target.key.id='ocid1.key.oc1..k'", "key_grants", "bucket"),
    (f"Allow any-user to read vaults {_C} where all {{request.principal.type='autonomousdatabase', "
     "target.vault.id='ocid1.vault.oc1..v'}", "key_grants", "autonomous-database"),
    (f"Allow any-user to use metrics {_C} where all {{{_WORKLOAD}, target.metrics.namespace='genai_router'}}",
     "grant_sources", "workload-metrics"),
    (f"Allow any-user to read secret-family {_C} where all {{request.principal.type='databasetoolsconnection', "
     "target.secret.id='ocid1.vaultsecret.oc1..w'}", "grant_sources", "dbtools-connection-secrets"),
])
def test_a_cited_grant_names_its_table_and_row(statement, table, row):
    found, why = cited_grant(parse(statement))
    assert found is not None, why
    assert (found.table, found.id) == (table, row) and found.doc.startswith("https://docs.oracle.com/")


@pytest.mark.parametrize("statement", [
    # the row requires target.metrics.namespace
    f"Allow any-user to use metrics {_C} where all {{{_WORKLOAD}}}",
    # a key grant with a verb the key table does not give
    f"Allow service objectstorage-us-ashburn-1 to manage keys {_C} where target.key.id='ocid1.key.oc1..k'",
    f"Allow any-user to manage objects {_C} where request.principal.type='fnfunc'",
    f"Allow dynamic-group 'Default'/'d' to read buckets {_C}",
    # two resource-types in one statement: no row is written that way
    f"Allow any-user to use generative-ai-chat, generative-ai-text-embedding {_C} where all {{{_WORKLOAD}}}",
])
def test_a_grant_no_row_cites_is_reported_with_why(statement):
    parsed = parse(statement)
    if parsed is None:  # the grammar refuses it: OCI-IAM-001's finding, not this rule's
        return
    found, why = cited_grant(parsed)
    assert found is None and why


@pytest.mark.parametrize("golden", sorted((ROOT / "tests" / "graphs").glob("*.json")), ids=lambda p: p.stem)
def test_every_planned_policy_passes_oci_iam_010(golden):
    policies = [n for n in json.loads(golden.read_text())["nodes"] if n["type"] == POLICY]
    assert policies
    assert {n["name"]: list(check_cited(n["inputs"])) for n in policies if list(check_cited(n["inputs"]))} == {}
