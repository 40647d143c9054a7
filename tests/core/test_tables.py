"""The checked-in tables the deployability rules read: every row well-formed, cited and real."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from core.tables import READ_STATES, grant_sources, key_uses, prerequisites

pytestmark = pytest.mark.policy


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_key_use_names_a_real_pulumi_oci_property_and_cites_oci_docs() -> None:
    rows = key_uses()
    assert {r.id for r in rows} >= {"oke-cluster-secrets", "oke-node-boot-volumes", "bucket", "autonomous-database",
                                    "vault-secret"}
    for row in rows:
        assert row.doc.startswith("https://docs.oracle.com/"), row.id
        _, module, cls = row.resource.split(":")
        resource = getattr(importlib.import_module(f"pulumi_oci.{module.split('/')[0].lower()}"), cls)
        top = _snake(row.property.split(".")[0])
        assert top in inspect.signature(resource._internal_init).parameters, row.id


def test_every_prerequisite_names_its_config_and_a_page() -> None:
    rows = prerequisites()
    assert len({r.id for r in rows}) == len(rows)
    for row in rows:
        assert row.doc.startswith("https://") and row.what and row.config, row.id


def test_every_grant_source_cites_oci_docs_and_says_whether_it_was_read() -> None:
    rows = grant_sources()
    assert len({r.id for r in rows}) == len(rows) >= 15
    for row in rows:
        assert row.doc.startswith("https://docs.oracle.com/") and row.purpose and row.evidence, row.id
        assert row.read in READ_STATES, row.id
        assert row.subject == "workload" or row.subject.startswith(("service ", "principal ")), row.id
    # an unread page is said to be unread, never presented as read
    assert all("not" in r.evidence.lower() for r in rows if r.read != "true")


_GOOD = {"id": "x", "plane": "data", "subject": "principal p", "verb": "read", "resource": "buckets", "narrowed_by": [],
         "for": "f", "doc": "https://docs.oracle.com/x.htm", "read": "true", "evidence": "e"}


@pytest.mark.parametrize(("change", "message"), [
    ({"doc": "https://example.com/x.htm"}, "core/tables/grant_sources.yaml[0].doc: must cite OCI documentation pages"),
    ({"also": ["http://docs.oracle.com/y"]}, "core/tables/grant_sources.yaml[0].doc: must cite OCI documentation pages"),
    ({"read": "maybe"}, "core/tables/grant_sources.yaml[0].read: not an allowed value; allowed: true, partial, false"),
    ({"verb": "own"}, "core/tables/grant_sources.yaml[0]: verb or subject not allowed"),
    ({"subject": "group g"}, "core/tables/grant_sources.yaml[0]: verb or subject not allowed"),
    ({"evidence": None}, "core/tables/grant_sources.yaml[0]: missing evidence"),
])
def test_a_malformed_grant_source_row_is_an_error_naming_it(tmp_path, monkeypatch, change, message) -> None:
    import yaml

    import core.tables as tables

    row = {k: v for k, v in {**_GOOD, **change}.items() if v is not None}
    (tmp_path / "grant_sources.yaml").write_text(yaml.safe_dump([row]))
    monkeypatch.setattr(tables, "HERE", tmp_path)
    tables.grant_sources.cache_clear()
    try:
        with pytest.raises(ValueError) as err:
            tables.grant_sources()
        assert str(err.value) == message
    finally:
        monkeypatch.undo()
        tables.grant_sources.cache_clear()
