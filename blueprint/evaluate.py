"""`blueprint eval <stack> --golden FILE --endpoint URL`: the quality gate.

Runs a golden set (`evals/golden/<use-case>.jsonl`; the file stem names the use case and so the
prompt) against any OpenAI-compatible endpoint, normally the router, and writes
`out/<stack>/eval/<use-case>@<version>.{json,md}`. The answering model's price comes from the
stack's model catalogue (the router's own price source); the thresholds, the pinned prompt
version and the embedding model are the stack's (`genai-platform:evaluation`).

`--compare STABLE CANDIDATE` runs the set twice (each side a prompt version such as `1.0.0`, or a
model name from the catalogue) and reports per-metric differences with a paired t-test.

Exit codes: 0 gate passed, 1 gate failed (or a comparison found a significant regression),
2 bad input or an unreachable endpoint.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from blueprint.console import EXIT_FAILED, EXIT_INPUT, EXIT_OK, console, report_input_error

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def add_command(sub: Any) -> None:
    p = sub.add_parser("eval", help="run a golden set against an OpenAI-compatible endpoint and gate on the stack's thresholds")
    p.add_argument("stack")
    p.add_argument("--golden", type=Path, required=True, help="golden set, evals/golden/<use-case>.jsonl")
    p.add_argument("--endpoint", required=True, help="base URL of an OpenAI-compatible endpoint (the router)")
    p.add_argument("--model", help="logical model name from the stack's catalogue (default: its first entry)")
    p.add_argument("--embedding-model", help="embedding model for relevance (default: the stack's)")
    p.add_argument("--prompt-version", help="prompt version to evaluate (default: the stack's pin, else the latest)")
    p.add_argument("--prompts-dir", type=Path, help="prompt directory (default: the repository's prompts/)")
    p.add_argument("--api-key-env", help="name of an environment variable holding the endpoint's API key")
    p.add_argument("--compare", nargs=2, metavar=("STABLE", "CANDIDATE"),
                   help="compare two prompt versions (X.Y.Z) or two catalogue models on the golden set")
    p.set_defaults(handler=run)


class _InputError(ValueError):
    pass


def _setup(args: argparse.Namespace, project_dir: Path) -> dict[str, Any]:
    from blueprint.stackconfig import settings_for
    from evals import golden
    from prompts import registry

    settings = settings_for(project_dir, args.stack)
    catalog = {e.name: e for e in settings.model.catalog}
    try:
        cases = golden.load(args.golden)
    except golden.GoldenError as exc:
        raise _InputError(f"--golden: {exc}") from None
    use_case = args.golden.stem
    root = args.prompts_dir or registry.PROMPTS_DIR
    try:
        versions = registry.load_all(root).get(use_case)
    except registry.PromptError as exc:
        raise _InputError(f"prompts: {exc}") from None
    if not versions:
        raise _InputError(f"--golden: no prompt for use case {use_case!r} under prompts/")
    evaluation = settings.evaluation
    pins = evaluation.prompt_versions
    thresholds = evaluation.thresholds
    embedding = args.embedding_model or evaluation.embedding_model
    if not embedding:
        raise _InputError("--embedding-model: required (the stack names no embedding model)")
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
        if not api_key:
            raise _InputError("--api-key-env: the named environment variable is not set")
    return {"settings": settings, "catalog": catalog, "cases": cases, "use_case": use_case, "versions": versions,
            "pin": args.prompt_version or pins.get(use_case), "thresholds": thresholds, "embedding": embedding,
            "api_key": api_key}


def _pricing(ctx: dict[str, Any], model: str) -> Any:
    from evals.runner import Pricing

    entry = ctx["catalog"].get(model)
    if entry is None:
        raise _InputError("--model: not a logical model name in the stack's catalogue")
    return Pricing(entry.price, entry.pricing_unit)


def _prompt(ctx: dict[str, Any], version: str | None) -> Any:
    from prompts.registry import version_key

    versions = ctx["versions"]
    if version is None:
        return versions[max(versions, key=version_key)]
    if version not in versions:
        raise _InputError("--prompt-version: no such version of the use case's prompt")
    return versions[version]


def _evaluate(ctx: dict[str, Any], args: argparse.Namespace, version: str | None, model: str) -> tuple[Any, ...]:
    from evals import runner
    from evals.client import Client

    prompt = _prompt(ctx, version)
    client = Client(args.endpoint, api_key=ctx["api_key"])
    results = runner.run(client, ctx["cases"], prompt, model=model, embedding_model=ctx["embedding"],
                         pricing=_pricing(ctx, model))
    agg = runner.aggregate(results)
    return prompt, results, agg, runner.gate(agg, ctx["thresholds"])


def _gate_rows(agg: Any, t: Any) -> list[tuple[str, str, str]]:
    return [("relevance", f"{agg.relevance:.3f}", f">= {t.relevance_min:g}"),
            ("groundedness", f"{agg.groundedness:.3f}", f">= {t.groundedness_min:g}"),
            ("coverage", f"{agg.coverage:.3f}", f">= {t.coverage_min:g}"),
            ("harmful_rate", f"{agg.harmful_rate:.4f}", f"<= {t.harmful_rate_max:g}"),
            ("latency_p95_s", f"{agg.latency_p95_s:.3f}", f"<= {t.latency_p95_max_s:g}"),
            ("cost_per_request_usd", f"{agg.cost_per_request_usd:.6f}", f"<= {t.cost_per_request_max_usd:g}")]


def _print_table(title: str, rows: list[tuple[str, str, str]], failures: list[str]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for col in ("metric", "value", "threshold", "gate"):
        table.add_column(col)
    failed = {f.split(":", 1)[0] for f in failures}
    for name, value, limit in rows:
        table.add_row(name, value, limit, "FAIL" if name in failed else "pass")
    console().print(table)


def _single(ctx: dict[str, Any], args: argparse.Namespace, out_dir: Path, model: str) -> int:
    from evals import report

    prompt, results, agg, failures = _evaluate(ctx, args, ctx["pin"], model)
    rows = _gate_rows(agg, ctx["thresholds"])
    meta = {"stack": args.stack, "use_case": ctx["use_case"], "prompt_version": prompt.version, "model": model,
            "embedding_model": ctx["embedding"], "gate_rows": rows}
    doc = report.document(meta, agg, results, failures)
    paths = report.write(out_dir / args.stack / "eval", prompt.ref, doc, report.markdown(doc))
    _print_table(f"{prompt.ref} on {args.stack}: {agg.cases} cases", rows, failures)
    for f in failures:
        console(stderr=True).print(f"gate failed: {f}", markup=False)
    console().print(f"wrote {paths[0]} and {paths[1]}")
    return EXIT_FAILED if failures else EXIT_OK


def _side(ctx: dict[str, Any], spec: str, model: str) -> tuple[str | None, str]:
    """A comparison side: a prompt version (X.Y.Z) with the default model, or a catalogue model."""
    if _SEMVER.match(spec):
        return spec, model
    _pricing(ctx, spec)  # must be in the catalogue
    return ctx["pin"], spec


def _compare(ctx: dict[str, Any], args: argparse.Namespace, out_dir: Path, model: str) -> int:
    from evals import report, stats

    sides = [_side(ctx, s, model) for s in args.compare]
    runs = [_evaluate(ctx, args, v, m) for v, m in sides]
    rows: dict[str, stats.PairedResult] = {}
    for metric in report.QUALITY_METRICS:
        stable = [getattr(r, metric) or 0.0 for r in runs[0][1] if not r.adversarial]
        candidate = [getattr(r, metric) or 0.0 for r in runs[1][1] if not r.adversarial]
        rows[metric] = stats.paired_t(stable, candidate)
    labels = (args.compare[0], args.compare[1])
    md = report.comparison_markdown(labels, rows)
    doc = {"format": "genai-eval-compare/1", "stack": args.stack, "use_case": ctx["use_case"],
           "stable": labels[0], "candidate": labels[1],
           "metrics": {k: vars(v) for k, v in rows.items()},
           "candidate_gate_failures": runs[1][3]}
    paths = report.write(out_dir / args.stack / "eval", f"compare-{ctx['use_case']}-{labels[0]}-{labels[1]}", doc, md)
    console().print(md, markup=False)
    console().print(f"wrote {paths[0]} and {paths[1]}")
    regressed = [k for k, r in rows.items() if r.significant() and r.mean_difference < 0]
    for k in regressed:
        console(stderr=True).print(f"candidate regresses {k} significantly", markup=False)
    return EXIT_FAILED if regressed or runs[1][3] else EXIT_OK


def run(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    from blueprint.stackconfig import StackConfigError
    from core.problems import SettingsError
    from evals.client import EndpointError

    err = console(stderr=True)
    try:
        ctx = _setup(args, project_dir)
        model = args.model or next(iter(ctx["catalog"]))
        if args.compare:
            return _compare(ctx, args, out_dir, model)
        _pricing(ctx, model)
        return _single(ctx, args, out_dir, model)
    except (SettingsError, StackConfigError) as exc:
        return report_input_error(args.stack, exc)
    except (_InputError, EndpointError) as exc:
        err.print(f"error: eval {args.stack}: {exc}", markup=False)
        return EXIT_INPUT

