"""`report`: Markdown — summary by section, the CIS level split, then every control with its rules,
resources, results and remediation (or what would evidence it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions
from compliance.model import CONTROL_STATUSES, STATUS_LABELS
from compliance.model import markdown_cell as _cell


def _counts_row(name: str, total: int, counts: Mapping[str, int]) -> str:
    return "| " + " | ".join([_cell(name), str(total), *(str(counts[s]) for s in CONTROL_STATUSES)]) + " |"


def render(model: Mapping[str, Any], options: RenderOptions) -> str:
    fw = model["framework"]
    lines = [f"# {fw['title']} {fw['version']} — stack `{model['stack']}`", "",
             f"Project `{model['project']}` at commit `{model['commit']}`, stack config sha256 `{model['config_sha256'][:16]}…`, "
             f"{model['rules']} rules, generated {model['generated']}. Catalog source: {fw['source']}", "",
             "Statuses come from the plan: *uncovered* means no rule evidences the control (never a pass); "
             "*live-only* and *process* controls need evidence a plan cannot hold (listed per control).", "",
             "## Summary by section", "",
             "| section | controls | " + " | ".join(STATUS_LABELS[s] for s in CONTROL_STATUSES) + " |",
             "|---|---:|" + "---:|" * len(CONTROL_STATUSES)]
    for sec in model["sections"]:
        lines.append(_counts_row(sec["name"], sec["controls"], sec["counts"]))
    lines.append(_counts_row("**all**", model["summary"]["controls"], model["summary"]["counts"]))
    if "levels" in model["summary"]:
        lines += ["", "## By profile level", "", "| level | " + " | ".join(STATUS_LABELS[s] for s in CONTROL_STATUSES) + " |",
                  "|---|" + "---:|" * len(CONTROL_STATUSES)]
        for level, counts in model["summary"]["levels"].items():
            lines.append("| " + " | ".join([f"Level {level}", *(str(counts[s]) for s in CONTROL_STATUSES)]) + " |")
    lines += ["", "## Controls"]
    for c in model["controls"]:
        level = f", level {c['level']} ({c['assessment']})" if "level" in c else ""
        lines += ["", f"### {c['id']} {_cell(c['title'])} — **{STATUS_LABELS[c['status']]}**", "",
                  f"Section {c['section']}; evidence class `{c['evidence']}`{level}."]
        if c.get("how"):
            lines.append(f"Outside the plan, evidence: {c['how']}.")
        if not c["rules"]:
            lines.append("No rule evidences this control.")
            continue
        lines += ["", "| rule | severity | resource | result | note |", "|---|---|---|---|---|"]
        for r in c["rules"]:
            if not r["results"]:
                lines.append(f"| {r['id']} | {r['severity']} | — | not applicable ({r['not_applicable']}) | |")
            for res in r["results"]:
                note = res["message"]
                if res.get("waiver"):
                    w = res["waiver"]
                    state = "expired" if w["expired"] else "waived"
                    note = f"{state}: approver {w['approver']}, expires {w['expires']} — {w['reason']}"
                lines.append(f"| {r['id']} | {r['severity']} | `{_cell(res['urn'])}` | {res['status']} | {_cell(note)} |")
        lines += [""] + [f"- **{r['id']}** {_cell(r['title'])}. Remediation: {_cell(r['remediation'])}" for r in c["rules"]]
    return "\n".join(lines)


FORMAT = OutputFormat(name="markdown", kind="report", suffix=".md", filename="report.md",
                      description="Markdown report", render=render)
