"""Run checkov over a stack's graph and turn its results into findings (engine ``checkov``).

One checkov process (from its own venv, ``.venv-checkov``, set up by ``make setup-checkov``)
scans two files written to a scratch directory:

- the graph's OCI resources as a Terraform plan JSON (``tfplan.export``), with checkov's
  ``terraform_plan`` framework;
- the graph's Kubernetes objects as manifests (``blueprint.manifests.manifests_of``), with its
  ``kubernetes`` framework.

It runs offline: ``--skip-download`` and ``BC_SKIP_MAPPING=TRUE`` (no Prisma Cloud guidelines or
severities), ``CKV_SKIP_PACKAGE_UPDATE_CHECK=true`` (no version check). Each passed or failed check
becomes a finding on the graph resource it names; a failure is mandatory. Failures of checks on
the reviewed disputed list (``disputed.yaml``) are then waived only where our own re-testing rules
pass on the same resources (``blueprint.checkov.disputed``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from blueprint.checkov.tfplan import export
from policies.findings import CHECKOV_ENGINE, Finding

ENGINE = CHECKOV_ENGINE
ROOT = Path(__file__).resolve().parents[2]
LOCK = Path(__file__).resolve().parent / "requirements.lock"
#: The checkov release pinned in the lock (the SARIF driver's version).
CHECKOV_VERSION = re.search(r"^checkov==(\S+)", LOCK.read_text(encoding="utf-8"), re.M).group(1)  # type: ignore[union-attr]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
FRAMEWORKS = ("terraform_plan", "kubernetes")
#: checkov returns no severity offline; a failing check is treated as this (and as mandatory).
DEFAULT_SEVERITY = "high"
OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"}
TIMEOUT_SECONDS = 600


class CheckovError(Exception):
    """checkov is missing or failed to run; the message says how to fix it."""


def command(plan: Path, manifests: Path | None) -> list[str]:
    args = [str(CHECKOV), "--skip-download", "--output", "json", "--framework", *FRAMEWORKS, "--file", str(plan)]
    if manifests is not None:
        args += ["--file", str(manifests)]
    return args


def run_checkov(plan: Path, manifests: Path | None) -> list[dict[str, Any]]:
    """checkov's JSON reports (one per framework that found something to scan)."""
    if not CHECKOV.exists():
        raise CheckovError(f"checkov is not installed at {CHECKOV.relative_to(ROOT)}; run `make setup-checkov`")
    env = {**os.environ, **OFFLINE_ENV}
    done = subprocess.run(command(plan, manifests), capture_output=True, text=True, env=env, cwd=plan.parent,
                          timeout=TIMEOUT_SECONDS, check=False)
    # checkov exits 1 when a check fails; anything else non-zero, or no JSON, is a failure to run.
    if done.returncode not in (0, 1):
        raise CheckovError(f"checkov exited with status {done.returncode}")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise CheckovError("checkov did not print a JSON report") from None
    reports = data if isinstance(data, list) else [data]
    return [r for r in reports if isinstance(r, dict) and "results" in r]


def _k8s_key(manifest: Mapping[str, Any]) -> str:
    """checkov's resource id for a Kubernetes object: Kind.namespace.name (namespace 'default' when unset)."""
    meta = manifest.get("metadata") or {}
    return f"{manifest.get('kind')}.{meta.get('namespace') or 'default'}.{meta.get('name')}"


def _k8s_objects(graph: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]], str | None]:
    """(manifests, checkov resource id → (urn, type), why none could be written)."""
    from blueprint.graph import Graph
    from blueprint.manifests import ManifestError, manifests_of

    parsed = Graph.from_json(graph)
    try:
        manifests = manifests_of(parsed)
    except ManifestError:
        return [], {}, "the Kubernetes objects hold values unknown until deployment"
    by_key: dict[str, tuple[str, str]] = {}
    for node in parsed.nodes:
        if node.custom and node.type.startswith("kubernetes:") and "kind" in node.inputs:
            key = _k8s_key({"kind": node.inputs["kind"], "metadata": node.inputs.get("metadata") or {}})
            by_key[key] = (node.urn, node.type)
    # checkov names cluster-scoped objects (Namespace) with the 'default' namespace too.
    return manifests, by_key, None


def _findings(reports: Sequence[Mapping[str, Any]], where: Mapping[str, tuple[str, str]], stack_urn: str) -> list[Finding]:
    out: list[Finding] = []
    for report in reports:
        results = report.get("results") or {}
        for status, key in (("pass", "passed_checks"), ("fail", "failed_checks")):
            for item in results.get(key) or []:
                urn, type_ = where.get(str(item.get("resource")), (stack_urn, "checkov"))
                name = str(item.get("check_name") or item.get("check_id"))
                evaluated = (item.get("check_result") or {}).get("evaluated_keys") or []
                message = "" if status == "pass" else (
                    f"{name} (checkov {report.get('check_type')}" +
                    (f"; evaluated {', '.join(str(k) for k in evaluated)})" if evaluated else ")"))
                out.append(Finding(rule=str(item["check_id"]), engine=ENGINE, urn=urn, type=type_, status=status,
                                   severity=str(item.get("severity") or DEFAULT_SEVERITY).lower(), message=message,
                                   enforcement="mandatory", title=name))
    return out


def scan_graph(graph: Mapping[str, Any], stack_urn: str, workdir: Path | None = None) -> list[Finding]:
    """checkov's findings for a graph (dict form). Raises CheckovError when checkov cannot run."""
    exported = export(graph)
    manifests, k8s, why_not = _k8s_objects(graph)
    types = {n["urn"]: str(n["type"]) for n in graph["nodes"]}
    where: dict[str, tuple[str, str]] = {address: (urn, types[urn]) for address, urn in exported.urns.items()}
    where.update(k8s)
    with tempfile.TemporaryDirectory(prefix="blueprint-checkov-") as scratch:
        directory = workdir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        plan = directory / "tfplan.json"
        plan.write_text(json.dumps(exported.plan, indent=1, sort_keys=True), encoding="utf-8")
        manifest_file = None
        if manifests:
            manifest_file = directory / "manifests.yaml"
            manifest_file.write_text(yaml.safe_dump_all(manifests, sort_keys=False), encoding="utf-8")
        findings = _findings(run_checkov(plan, manifest_file), where, stack_urn)
    notes = [(f"{len(exported.skipped)} resource type(s) have no Terraform counterpart and were not scanned: "
              + ", ".join(exported.skipped)) if exported.skipped else "",
             f"Kubernetes manifests were not scanned: {why_not}" if why_not else ""]
    findings += [Finding(rule="CHECKOV-COVERAGE", engine=ENGINE, urn=stack_urn, type="checkov", status="indeterminate",
                         severity="medium", message=note, enforcement="mandatory",
                         title="Ensure checkov can scan every resource of the plan") for note in notes if note]
    return findings

