"""Framework catalogs: schema-checked, complete where the issue demands it, and every rule citation resolves."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml

from compliance.catalogs import CATALOG_DIR, CatalogError, catalogs, check_citations, load_catalogs
from policies.rules import all_rules

pytestmark = pytest.mark.unit

#: CIS OCI Foundations Benchmark 3.1.0 recommendation ids (the benchmark's table of contents)
CIS_OCI_31 = (
    [f"1.{i}" for i in range(1, 18)] + [f"2.{i}" for i in range(1, 9)] + ["3.1", "3.2", "3.3"]
    + [f"4.{i}" for i in range(1, 19)] + ["5.1.1", "5.1.2", "5.1.3", "5.2.1", "5.2.2", "5.3.1", "6.1", "6.2"])


def test_every_control_a_rule_cites_resolves_in_a_catalog():
    loaded = catalogs()
    known = {c.ref for cat in loaded.values() for c in cat.controls}
    cited = {ref for r in all_rules() for ref in r.controls}
    assert cited <= known
    assert {ref.split(":")[0] for ref in cited} >= {"cis-oci-3.1", "soc2", "iso27001-2022", "iso42001", "nist-ai-rmf",
                                                   "eu-ai-act", "owasp-llm", "gdpr", "hipaa", "pci-dss", "nist-800-53r5"}


def test_a_rule_citing_an_unknown_control_fails_loading_naming_rule_and_id():
    rule = replace(all_rules()[0], controls=("cis-oci-3.1:9.9",))
    with pytest.raises(CatalogError, match=r"cites cis-oci-3\.1:9\.9") as exc:
        check_citations(load_catalogs(), [rule])
    assert rule.id in str(exc.value)
    with pytest.raises(CatalogError, match="cites nope:1"):
        check_citations(load_catalogs(), [replace(rule, controls=("nope:1",))])


def test_cis_oci_3_1_is_complete_with_level_and_assessment():
    cis = load_catalogs()["cis-oci-3.1"]
    assert [c.id for c in cis.controls] == CIS_OCI_31
    assert all(c.level in (1, 2) and c.assessment in ("automated", "manual") for c in cis.controls)
    assert {c.id for c in cis.controls if c.level == 2} == {"1.15", "3.1", "3.2", "4.13", "4.17", "5.1.2", "5.1.3",
                                                            "5.2.1", "5.2.2", "5.3.1"}
    assert cis.source.startswith("https://")


@pytest.mark.parametrize(("framework", "count"), [("iso27001-2022", 93), ("nist-ai-rmf", 72), ("iso42001", 38),
                                                  ("owasp-llm", 10), ("soc2", 61), ("hipaa", 12)])
def test_framework_catalogs_hold_every_control(framework, count):
    assert len(load_catalogs()[framework].controls) == count


def test_live_and_process_controls_say_what_would_evidence_them():
    for cat in load_catalogs().values():
        for c in cat.controls:
            assert c.evidence in ("plan", "plan+live", "live", "process")
            assert c.evidence == "plan" or c.how, c.ref


def _broken_copy(tmp_path, mutate):
    directory = tmp_path / "catalogs"
    shutil.copytree(CATALOG_DIR, directory)
    path = directory / "owasp-llm.yaml"
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data))
    return directory


def test_a_process_control_without_how_breaks_the_schema(tmp_path):
    def drop_how(data):
        data["controls"][3].pop("how")
    with pytest.raises(CatalogError, match=r"owasp-llm\.yaml: controls\.3: does not match the catalog schema"):
        load_catalogs(_broken_copy(tmp_path, drop_how))


def test_duplicate_control_ids_and_unknown_evidence_are_errors(tmp_path):
    def dup(data):
        data["controls"][1]["id"] = data["controls"][0]["id"]
    with pytest.raises(CatalogError, match="duplicate control ids: LLM01"):
        load_catalogs(_broken_copy(tmp_path / "a", dup))

    def bad_evidence(data):
        data["controls"][0]["evidence"] = "vibes"
    with pytest.raises(CatalogError, match=r"controls\.0\.evidence"):
        load_catalogs(_broken_copy(tmp_path / "b", bad_evidence))
