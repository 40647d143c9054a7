"""`blueprint check`: exit codes, formats (SARIF validated), waivers, --graph, --all, preview graphs."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from blueprint.cli import main
from tests.conftest import ROOT, plan_variant

pytestmark = pytest.mark.policy
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--project-dir", str(ROOT), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def graphs(tmp_path_factory, planned) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("graphs")
    paths = {s: planned(s).write(directory / f"{s}.json") for s in ("dev", "prod")}
    broken = json.loads(paths["prod"].read_text())
    for node in broken["nodes"]:
        if node["type"] == "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule":
            node["inputs"].update(direction="INGRESS", source="0.0.0.0/0", protocol="6",
                                  tcpOptions={"destinationPortRange": {"min": 22.0, "max": 22.0}})
            break
    paths["broken"] = directory / "broken.json"
    paths["broken"].write_text(json.dumps(broken))
    paths["preview"] = plan_variant("dev", preview=True).write(directory / "preview.json")
    return paths


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_dev_and_prod_pass_every_mandatory_rule(capsys, graphs, stack):
    code, out, _ = _run(capsys, "check", "--graph", str(graphs[stack]))
    assert code == 0, out
    assert "OK (0 blocking)" in out


def test_a_mandatory_failure_exits_1_naming_rule_resource_and_fix(capsys, graphs):
    code, out, _ = _run(capsys, "check", "--graph", str(graphs["broken"]), "--format", "json")
    assert code == 1
    fails = [f for r in json.loads(out)["results"] for f in r["findings"] if f["status"] == "fail"
             and f["enforcement"] == "mandatory"]
    assert {f["rule"] for f in fails} >= {"OCI-NET-001"}
    assert all(f["urn"].startswith("urn:pulumi:prod::") for f in fails)
    assert all("0.0.0.0/0" not in f["message"] for f in fails)  # messages name properties, not values
    from policies.rules import all_rules

    cited = {r.id: list(r.controls) for r in all_rules()}
    assert all(f["controls"] == cited[f["rule"]] for f in fails)  # each finding names what it evidences
    assert any(f["controls"] for f in fails)


def test_sarif_is_valid_sarif_2_1_0(capsys, graphs):
    code, out, _ = _run(capsys, "check", "--graph", str(graphs["broken"]), "--format", "sarif")
    assert code == 1
    doc = json.loads(out)
    jsonschema.validate(doc, SARIF_SCHEMA)
    assert any(r["ruleId"] == "OCI-NET-001" and r["level"] == "error" for r in doc["runs"][0]["results"])


def test_junit_counts_failures(capsys, graphs):
    code, out, _ = _run(capsys, "check", "--graph", str(graphs["broken"]), "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 1
    assert any(case.find("failure") is not None and "OCI-NET-001" in case.get("classname", "")
               for case in suite.iter("testcase"))


def test_preview_graph_is_indeterminate_not_pass(capsys, graphs):
    code, out, _ = _run(capsys, "check", "--graph", str(graphs["preview"]), "--format", "json")
    findings = [f for r in json.loads(out)["results"] for f in r["findings"]]
    assert any(f["status"] == "indeterminate" and f["enforcement"] == "mandatory" for f in findings)
    assert code == 1  # a mandatory rule never degrades silently
    code, _, _ = _run(capsys, "check", "--graph", str(graphs["preview"]), "--format", "json", "--allow-indeterminate")
    assert code == 0


def test_bad_graph_file_is_one_line_exit_2(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = _run(capsys, "check", "--graph", str(bad))
    assert code == 2 and "bad.json:1: not valid JSON" in err and "Traceback" not in err


def test_all_checks_every_stack_file(capsys, tmp_path):
    code, out, _ = _run(capsys, "--out", str(tmp_path), "check", "--all", "--format", "json")
    stacks = {r["summary"]["stack"] for r in json.loads(out)["results"]}
    assert stacks == {"dev", "prod"}
    assert code == 0


def test_the_policy_pack_assembles_every_rule(monkeypatch):
    import runpy

    import pulumi_policy

    from policies.rules import all_rules

    built = {}

    class Recorder:
        def __init__(self, name, enforcement_level, policies, **_):
            built.update(name=name, policies=policies)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", Recorder)
    runpy.run_path(str(ROOT / "policies" / "__main__.py"), run_name="__main__")
    assert built["name"] == "genai-platform"
    assert [p.name for p in built["policies"]] == [r.id for r in all_rules()]
    assert (ROOT / "policies" / "PulumiPolicy.yaml").is_file()
