"""Assembling a stack's compliance evidence: the models of every framework, the artifacts written (the
formats themselves are ``blueprint/outputs/report_*``), the manifest of SHA-256 hashes and the diff.

Layout under ``out/<stack>/compliance/``: ``<framework>/report.{md,html,csv,json}``,
``<framework>/component-definition.json``, ``<framework>/assessment-results.json``,
``readiness.{md,json}``, ``grants.{md,json}``, ``manifest.json`` (and ``diff.md`` with ``--against``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from compliance import model as cmodel
from policies.findings import StackResult

MANIFEST_FORMAT = "genai-platform/compliance-manifest@1"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def project_commit(project_dir: Path) -> str:
    """The project's git commit (``+modified`` when the work tree differs), or ``unknown`` outside git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+modified" if dirty else "")


def config_sha256(project_dir: Path, stack: str) -> str:
    path = project_dir / f"Pulumi.{stack}.yaml"
    return sha256_file(path) if path.is_file() else "none"


def facts(result: StackResult, project: str, project_dir: Path, rules: int, today: date) -> dict[str, Any]:
    return {"project": project, "stack": result.stack, "commit": project_commit(project_dir),
            "config_sha256": config_sha256(project_dir, result.stack), "generated": today.isoformat(), "rules": rules}


def models(result: StackResult, stack_facts: Mapping[str, Any], frameworks: Sequence[str] | None = None,
           *, redacted: bool = False) -> dict[str, dict[str, Any]]:
    from compliance.catalogs import catalogs
    from policies.rules import all_rules

    out = {}
    for fid, catalog in catalogs().items():
        if frameworks and fid not in frameworks:
            continue
        built = cmodel.build(catalog, all_rules(), result.findings, stack_facts)
        out[fid] = cmodel.redact(built) if redacted else built
    return out


@dataclass
class Written:
    directory: Path
    artifacts: list[Path] = field(default_factory=list)

    def write(self, relative: str, text: str) -> Path:
        path = self.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        self.artifacts.append(path)
        return path


def write_manifest(written: Written, stack_facts: Mapping[str, Any], extra: Mapping[str, Any]) -> Path:
    manifest = {
        "format": MANIFEST_FORMAT, **{k: stack_facts[k] for k in ("project", "stack", "commit", "config_sha256", "generated")},
        **extra,
        "artifacts": [{"path": p.relative_to(written.directory).as_posix(), "sha256": sha256_file(p),
                       "bytes": p.stat().st_size} for p in sorted(written.artifacts)],
    }
    path = written.directory / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def diff_markdown(stack: str, against: str, diffs: Mapping[str, Mapping[str, list[dict[str, str]]]]) -> str:
    """Compliance as a diff, for a pull-request comment."""
    total = sum(len(v) for d in diffs.values() for v in d.values())
    lines = [f"## Compliance diff: `{stack}` against `{against}`", ""]
    if not total:
        return "\n".join([*lines, "No control changes status."])
    heads = {"newly_failing": "Newly failing", "fixed": "Fixed", "uncovered": "Newly uncovered (evidence lost)",
             "changed": "Other status changes"}
    for key, head in heads.items():
        items = [(fid, item) for fid, d in diffs.items() for item in d[key]]
        if not items:
            continue
        lines += [f"### {head} ({len(items)})", "", "| framework | control | title | before | after |", "|---|---|---|---|---|"]
        lines += [f"| {fid} | {i['id']} | {i['title']} | {cmodel.STATUS_LABELS.get(i['before'], i['before'])} | "
                  f"{cmodel.STATUS_LABELS[i['after']]} |" for fid, i in items]
        lines.append("")
    return "\n".join(lines).rstrip()
