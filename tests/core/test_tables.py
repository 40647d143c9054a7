"""The checked-in tables the deployability rules read: every row well-formed, cited and real."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from core.tables import key_uses, prerequisites

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
