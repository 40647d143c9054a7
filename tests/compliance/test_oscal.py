"""OSCAL documents are built with compliance-trestle's models and pass `trestle validate`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from compliance.catalogs import catalogs
from compliance.model import build
from compliance.oscal import assessment_results, component_definition, control_token, to_json
from policies.findings import ENGINE, Finding
from policies.rules import all_rules

pytestmark = pytest.mark.integration
TRESTLE = Path(sys.executable).parent / "trestle"


def _model(framework: str):
    findings = [Finding("OCI-NET-001", ENGINE, "urn:pulumi:prod::p::t::ssh", "t", "fail", "critical", "port 22"),
                Finding("OCI-NET-002", ENGINE, "urn:pulumi:prod::p::t::list", "t", "pass", "critical", "")]
    facts = {"project": "genai-platform", "stack": "prod", "commit": "c0ffee" * 4, "config_sha256": "0" * 64,
             "generated": date.today().isoformat(), "rules": len(all_rules())}
    return build(catalogs()[framework], all_rules(), findings, facts)


#: trestle's workspace layout: <models dir>/<name>/<root key>.json
DIRS = {"component-definition": "component-definitions", "assessment-results": "assessment-results"}


def _validate(workspace: Path, kind: str, name: str, text: str) -> subprocess.CompletedProcess[str]:
    target = workspace / DIRS[kind] / name / f"{kind}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return subprocess.run([str(TRESTLE), "validate", "-f", str(target)], cwd=workspace, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("trestle")
    done = subprocess.run([str(TRESTLE), "init"], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("framework", ["cis-oci-3.1", "hipaa"])
def test_component_definition_and_assessment_results_pass_trestle_validate(workspace, framework):
    model = _model(framework)
    cd = _validate(workspace, "component-definition", framework, to_json(component_definition(model), "component-definition"))
    assert cd.returncode == 0, cd.stdout + cd.stderr
    ar = _validate(workspace, "assessment-results", framework, to_json(assessment_results(model), "assessment-results"))
    assert ar.returncode == 0, ar.stdout + ar.stderr


def test_trestle_rejects_a_broken_document(workspace):
    doc = json.loads(to_json(assessment_results(_model("hipaa")), "assessment-results"))
    doc["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "waived"
    bad = _validate(workspace, "assessment-results", "broken", json.dumps(doc))
    assert bad.returncode != 0


def test_findings_are_satisfied_only_for_passing_controls_and_ids_start_with_a_letter():
    model = _model("cis-oci-3.1")
    status = {control_token("cis-oci-3.1", c["id"]): c["status"] for c in model["controls"]}
    doc = json.loads(to_json(assessment_results(model), "assessment-results"))
    findings = doc["assessment-results"]["results"][0]["findings"]
    assert len(findings) == len(model["controls"])
    for f in findings:
        target = f["target"]
        assert target["target-id"][0].isalpha()
        assert target["status"]["state"] == ("satisfied" if status[target["target-id"]] == "pass" else "not-satisfied")
    assert status["cis-oci-3.1-2.3"] == "fail" and status["cis-oci-3.1-1.7"] == "live_only"
    observed = doc["assessment-results"]["results"][0]["observations"]
    assert {o["title"] for o in observed} >= {"OCI-NET-001 on ssh", "OCI-NET-002 on list"}
    cd = json.loads(to_json(component_definition(model), "component-definition"))
    implemented = cd["component-definition"]["components"][0]["control-implementations"][0]["implemented-requirements"]
    assert {r["control-id"] for r in implemented} == {control_token("cis-oci-3.1", c["id"]) for c in model["controls"]
                                                       if c["rules"]}


def test_trestle_is_installed():
    assert shutil.which(str(TRESTLE))
