"""Evaluation reports: JSON (per case and aggregate) and Markdown, written side by side."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.runner import Aggregate, CaseResult
from evals.stats import PairedResult

QUALITY_METRICS = ("relevance", "groundedness", "coverage")


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def document(meta: dict[str, Any], agg: Aggregate, results: Sequence[CaseResult], failures: list[str]) -> dict[str, Any]:
    return {"format": "genai-eval/1", **meta, "passed": not failures, "failures": failures,
            "aggregate": agg.to_json(), "cases": [r.to_json() for r in results]}


def markdown(doc: dict[str, Any]) -> str:
    agg = doc["aggregate"]
    lines = [f"# Evaluation: {doc['use_case']}@{doc['prompt_version']} on {doc['stack']}", "",
             f"Model `{doc['model']}`, embeddings `{doc['embedding_model']}`, {agg['cases']} cases "
             f"({agg['scored']} scored, {agg['cases'] - agg['scored']} adversarial), errors {agg['errors']}.", "",
             "| metric | value | threshold |", "|---|---|---|"]
    for name, value, limit in doc["gate_rows"]:
        lines.append(f"| {name} | {value} | {limit} |")
    lines += ["", f"**Gate: {'PASS' if doc['passed'] else 'FAIL'}**", ""]
    lines += [f"- {f}" for f in doc["failures"]]
    lines += ["", "## Cases", "", "| case | status | blocked | relevance | groundedness | coverage | harmful | "
              "latency s | cost USD | cited | version |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in doc["cases"]:
        lines.append(f"| {c['id']} | {c['status']} | {c['blocked']} | {_f(c['relevance'])} | {_f(c['groundedness'])} | "
                     f"{_f(c['coverage'])} | {c['harmful']} | {c['latency_s']:.3f} | {c['cost_usd']:.6f} | "
                     f"{', '.join(c['cited'])} | {c['version']} |")
    return "\n".join(lines) + "\n"


def comparison_markdown(labels: tuple[str, str], rows: dict[str, PairedResult]) -> str:
    lines = [f"# Comparison: {labels[0]} (stable) vs {labels[1]} (candidate)", "",
             "Paired t-test over the golden set's scored cases (two-sided; significant at p < 0.05).", "",
             "| metric | n | stable | candidate | difference | t | p | significant |", "|---|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r.n} | {r.mean_stable:.3f} | {r.mean_candidate:.3f} | {r.mean_difference:+.3f} | "
                     f"{r.t:.3f} | {r.p_value:.4g} | {'yes' if r.significant() else 'no'} |")
    return "\n".join(lines) + "\n"


def write(directory: Path, stem: str, doc: dict[str, Any], md: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    jpath, mpath = directory / f"{stem}.json", directory / f"{stem}.md"
    jpath.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    mpath.write_text(md, encoding="utf-8")
    return jpath, mpath
