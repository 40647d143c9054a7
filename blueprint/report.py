"""`blueprint report <stack>…`: the auditor's evidence, computed from the stack's plan and the rules.

Per framework catalog (``compliance/catalogs``): Markdown, a self-contained HTML page, CSV, JSON and
OSCAL (component-definition, assessment-results), all rendered by ``blueprint/outputs`` from one
model; then the maturity scorecard and readiness checklist, every planned IAM statement with the source
row and OCI page that requires it (``grants.{md,json}``, ``compliance/grants.py``), and a manifest with
every artifact's SHA-256, the project commit and the stack config's hash. ``--against OLD_GRAPH`` adds the
compliance diff (controls newly failing, fixed, uncovered) as Markdown for a pull request.
``--redact`` replaces OCIDs and e-mail addresses by stable hashes in every artifact.

Exit codes: 0 written; 2 bad input (stack config, graph or waiver file, catalog).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from blueprint.console import EXIT_INPUT, EXIT_OK, console, report_input_error


def add_command(sub: Any) -> None:
    p = sub.add_parser("report", help="write compliance evidence per framework, the scorecard and the readiness checklist")
    p.add_argument("stacks", nargs="*", metavar="stack")
    p.add_argument("--graph", type=Path, help="report on this graph.json instead of planning a stack")
    p.add_argument("--against", type=Path, metavar="OLD_GRAPH", help="also write the compliance diff against this graph")
    p.add_argument("--framework", action="append", metavar="ID", help="only these frameworks (repeatable; default all)")
    p.add_argument("--redact", action="store_true", help="replace OCIDs and e-mail addresses by stable hashes")
    p.add_argument("--waivers", type=Path, default=None, help="waiver file (default: policies/waivers.yaml)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    from blueprint.planning import ensure_graph
    from blueprint.runner import GraphFileError
    from blueprint.stackconfig import StackConfigError
    from compliance.catalogs import CatalogError, catalogs
    from policies.waivers import WaiverFileError, load_waivers
    from stacks.settings import SettingsError

    err = console(stderr=True)
    targets: list[tuple[str, Path]] = []
    try:
        known = catalogs()
        unknown = sorted(set(args.framework or ()) - set(known))
        if unknown:
            err.print(f"error: --framework: unknown framework id(s) {', '.join(unknown)}; known: {', '.join(known)}",
                      markup=False)
            return EXIT_INPUT
        waivers = load_waivers(args.waivers or project_dir / "policies" / "waivers.yaml", required=args.waivers is not None)
        if args.graph:
            targets.append(("", args.graph))
        for stack in args.stacks:
            targets.append((stack, ensure_graph(stack, project_dir, out_dir)))
        if not targets:
            err.print("error: name a stack or --graph FILE", markup=False)
            return EXIT_INPUT
        for _stack, graph_path in targets:
            report_one(graph_path, project_dir, out_dir, waivers, args)
    except (GraphFileError, WaiverFileError, CatalogError) as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    except (SettingsError, StackConfigError) as exc:
        return report_input_error(targets[-1][0] if targets else "?", exc)
    return EXIT_OK


def report_one(graph_path: Path, project_dir: Path, out_dir: Path, waivers: list[Any], args: argparse.Namespace) -> Path:
    from blueprint import outputs
    from blueprint.graph import load_graph_json
    from blueprint.runner import check_graph_file
    from compliance import grants, readiness
    from compliance import report as creport
    from compliance.model import STATUS_LABELS, diff, redact_text
    from policies.rules import all_rules

    today = date.today()
    result = check_graph_file(graph_path, waivers, today)
    graph = load_graph_json(graph_path)
    facts = creport.facts(result, graph["project"], project_dir, len(all_rules()), today)
    models = creport.models(result, facts, args.framework, redacted=args.redact)
    directory = out_dir / result.stack / "compliance"
    written = creport.Written(directory)
    for fid, m in models.items():
        for name in outputs.names("report"):
            fmt = outputs.get("report", name)
            written.write(f"{fid}/{fmt.filename}", fmt.render(m, outputs.RenderOptions()))
    scored = readiness.evaluate(graph, result.findings, project_dir)
    readiness_md = readiness.to_markdown(scored)
    if args.redact:
        readiness_md = redact_text(readiness_md)
    written.write("readiness.md", readiness_md)
    written.write("readiness.json", json.dumps(scored, indent=1))
    statements = grants.statement_sources(graph)
    grants_md, grants_json = grants.to_markdown(result.stack, statements), grants.to_json_text(result.stack, statements)
    if args.redact:
        grants_md, grants_json = redact_text(grants_md), redact_text(grants_json)
    written.write("grants.md", grants_md)
    written.write("grants.json", grants_json)
    granted = grants.summary(statements)
    extra: dict[str, Any] = {"graph_sha256": creport.sha256_file(graph_path), "redacted": bool(args.redact),
                             "frameworks": {fid: m["framework"]["version"] for fid, m in models.items()},
                             "verdict": scored["verdict"], "stage": scored["scorecard"]["stage"],
                             "grants": granted}
    out = console()
    diff_text = None
    if args.against:
        old = check_graph_file(args.against, waivers, today)
        old_models = creport.models(old, facts, args.framework, redacted=args.redact)
        diffs = {fid: diff(old_models[fid], models[fid]) for fid in models}
        diff_text = creport.diff_markdown(result.stack, f"{old.stack} ({args.against.name})", diffs)
        written.write("diff.md", diff_text)
        extra["against_sha256"] = creport.sha256_file(args.against)
    manifest = creport.write_manifest(written, facts, extra)
    for fid, m in models.items():
        counts = m["summary"]["counts"]
        shown = ", ".join(f"{counts[s]} {STATUS_LABELS[s]}" for s in counts if counts[s])
        levels = ""
        if "levels" in m["summary"]:
            levels = " (" + "; ".join(f"L{lv}: {c['pass']} pass, {c['fail']} fail, {c['uncovered']} uncovered"
                                      for lv, c in m["summary"]["levels"].items()) + ")"
        out.print(f"{result.stack} {fid}: {m['summary']['controls']} controls — {shown}{levels}", markup=False)
    out.print(readiness_md, markup=False)
    out.print(f"{result.stack} IAM grants: {granted['statements']} statements in {granted['policies']} policies — "
              f"{granted['matched']} with a source, {granted['unmatched']} unmatched, {granted['unknown']} unknown "
              "(grants.md)", markup=False)
    if diff_text:
        out.print(diff_text, markup=False)
    out.print(f"wrote {len(written.artifacts)} artifacts and {manifest}", markup=False)
    return manifest
