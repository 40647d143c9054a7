"""Runbooks ↔ alarms, both ways, against the planned graphs.

- Every alarm in prod names (``runbook: <id>`` in its body) a runbook that exists, and is listed in
  that runbook's ``detection``.
- Every ``detection`` entry of every runbook is an alarm (``alarm-id`` tag) or budget rule that prod
  creates — except in runbooks marked ``requires: [<plane>]``, whose alarms appear only once that
  plane's ids are wired; those are skipped on prod (and printed) but checked on the wired graph.
- Front matter validates against runbooks/runbook.schema.json; the body has the five sections.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from blueprint import engine
from blueprint.alarms import alarm_rows
from blueprint.graph import Graph
from blueprint.stackconfig import load_stack_config
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

RUNBOOKS = ROOT / "runbooks"
WIRED_DIR = ROOT / "tests" / "components" / "wired_operations"
SECTIONS = ("Triage", "Immediate action", "Rollback", "Verification", "Follow-up")
OPERATING_MODEL_TYPES = ("model-timeout", "tool-failure", "quality-degradation", "cost-overrun", "prompt-injection",
                         "data-breach")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


def split(path: Path) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise AssertionError(f"{path.name}: no YAML front matter between '---' lines")
    return yaml.safe_load(match.group(1)), match.group(2)


def load_runbooks() -> dict[str, tuple[dict[str, Any], str]]:
    return {p.stem: split(p) for p in sorted(RUNBOOKS.glob("*.md")) if p.name != "README.md"}


def detectors(graph: Graph, component: str) -> dict[str, set[str | None]]:
    """alarm id or budget rule id → runbooks its notifications name."""
    out: dict[str, set[str | None]] = {}
    for row in alarm_rows(graph):
        if f"::{component}-" in row.urn:
            out.setdefault(row.alarm_id, set()).add(row.runbook)
    for node in graph.by_type("oci:Budget/rule:Rule"):
        if f"::{component}-" in node.urn:
            found = re.search(r"runbook: ([a-z0-9-]+)", node.inputs.get("message", ""))
            out.setdefault(node.inputs["displayName"], set()).add(found.group(1) if found else None)
    return out


@pytest.fixture(scope="module")
def runbooks() -> dict[str, tuple[dict[str, Any], str]]:
    return load_runbooks()


@pytest.fixture(scope="module")
def prod(planned: Callable[[str], Graph]) -> Graph:
    return planned("prod")


@pytest.fixture(scope="module")
def wired() -> Graph:
    return engine.plan("prod", WIRED_DIR, config=load_stack_config(ROOT, "prod")).graph


# -- the files themselves -----------------------------------------------------------------------

def test_front_matter_is_valid_and_names_its_file(runbooks: dict[str, tuple[dict[str, Any], str]]) -> None:
    schema = json.loads((RUNBOOKS / "runbook.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for name, (front, _) in runbooks.items():
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(front)]
        assert not errors, f"{name}.md: {errors}"
        assert front["id"] == name, f"{name}.md: id differs from the file name"


def test_schema_rejects_bad_front_matter() -> None:
    schema = json.loads((RUNBOOKS / "runbook.schema.json").read_text(encoding="utf-8"))
    good = {"id": "x-y", "title": "A title", "severity": "P1", "detection": ["a-b"], "owner": "on-call",
            "escalation": ["lead"], "mitigation_target": "PT30M"}
    jsonschema.validate(good, schema)
    for bad in ({**good, "severity": "P0"}, {**good, "detection": []}, {**good, "mitigation_target": "30 minutes"},
                {**good, "requires": ["billing"]}, {**good, "extra": 1}, {k: v for k, v in good.items() if k != "owner"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_bodies_have_the_five_sections_with_commands(runbooks: dict[str, tuple[dict[str, Any], str]]) -> None:
    for name, (_, body) in runbooks.items():
        headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
        assert list(headings) == list(SECTIONS), f"{name}.md: sections {headings}"
        parts = re.split(r"^## .+$", body, flags=re.MULTILINE)[1:]
        assert all(len(p.strip()) > 40 for p in parts), f"{name}.md: an empty section"
        assert re.search(r"\b(oci|kubectl|blueprint|pulumi) [a-z-]+", body), f"{name}.md: no concrete command"


def test_operating_model_incident_types_are_covered(runbooks: dict[str, tuple[dict[str, Any], str]]) -> None:
    covered = {front.get("incident_type") for front, _ in runbooks.values()}
    assert set(OPERATING_MODEL_TYPES) <= covered
    assert set(OPERATING_MODEL_TYPES) <= set(runbooks)


# -- alarms ↔ runbooks --------------------------------------------------------------------------

def check_both_ways(graph: Graph, component: str, runbooks: dict[str, tuple[dict[str, Any], str]],
                    *, skip_requires: bool) -> list[str]:
    found = detectors(graph, component)
    assert found, "no alarms planned"
    problems: list[str] = []
    for detector, names in sorted(found.items()):
        for runbook in names:
            if runbook not in runbooks:
                problems.append(f"{detector}: names runbook {runbook!r}, which does not exist")
            elif detector not in runbooks[runbook][0]["detection"]:
                problems.append(f"{detector}: not in the detection list of runbooks/{runbook}.md")
    skipped: list[str] = []
    for name, (front, _) in runbooks.items():
        for detector in front["detection"]:
            if detector in found:
                continue
            if skip_requires and front.get("requires"):
                skipped.append(f"{name}: {detector} (requires {', '.join(front['requires'])})")
            else:
                problems.append(f"runbooks/{name}.md: detection {detector!r} is not an alarm or budget rule of the graph")
    assert not problems, "\n".join(problems)
    return skipped


def test_prod_alarms_and_runbooks_match_both_ways(prod: Graph, runbooks: dict[str, tuple[dict[str, Any], str]],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    skipped = check_both_ways(prod, "prod-operations", runbooks, skip_requires=True)
    with capsys.disabled():
        print("\nskipped on prod until their planes are wired:\n  " + "\n  ".join(skipped))
    # Exactly the runbooks marked `requires` are skipped; nothing else.
    assert {s.split(":")[0] for s in skipped} == {n for n, (f, _) in runbooks.items() if f.get("requires")}


def test_wired_alarms_and_runbooks_match_both_ways_without_skips(
        wired: Graph, runbooks: dict[str, tuple[dict[str, Any], str]]) -> None:
    assert check_both_ways(wired, "wired-operations", runbooks, skip_requires=False) == []


def test_requires_marks_exactly_the_runbooks_whose_alarms_need_wiring(
        prod: Graph, wired: Graph, runbooks: dict[str, tuple[dict[str, Any], str]]) -> None:
    in_prod, in_wired = detectors(prod, "prod-operations"), detectors(wired, "wired-operations")
    for name, (front, _) in runbooks.items():
        needs_wiring = any(d not in in_prod and d in in_wired for d in front["detection"])
        assert needs_wiring == bool(front.get("requires")), name


def test_a_missing_runbook_is_caught(prod: Graph, runbooks: dict[str, tuple[dict[str, Any], str]]) -> None:
    broken = {k: v for k, v in runbooks.items() if k != "latency-slo"}
    with pytest.raises(AssertionError, match="slo-latency-p95: names runbook 'latency-slo'"):
        check_both_ways(prod, "prod-operations", broken, skip_requires=True)
    stale = dict(runbooks)
    front, body = stale["cost-overrun"]
    stale["cost-overrun"] = ({**front, "detection": [*front["detection"], "slo-cost-gone"]}, body)
    with pytest.raises(AssertionError, match="detection 'slo-cost-gone'"):
        check_both_ways(prod, "prod-operations", stale, skip_requires=True)
