"""`blueprint check`: run every policy rule over a stack's graph, the way security reviewers do in CI.

Exit codes: 0 no mandatory failure; 1 a mandatory rule failed (or was indeterminate, unless
--allow-indeterminate), or a waiver is expired or matches nothing; 2 bad input.
Formats: every ``findings`` format of ``blueprint/outputs`` (table by severity, json, sarif, junit).
The findings model is ``policies/findings.py``, waivers ``policies/waivers.py``, the process pool
``blueprint/runner.py``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from blueprint import outputs
from blueprint.checkov.scan import CheckovError
from blueprint.console import EXIT_FAILED, EXIT_INPUT, EXIT_OK, console, report_input_error
from blueprint.runner import DEFAULT_ENGINE, ENGINES, GraphFileError, check_graph_file, run_stacks
from policies.findings import StackResult
from policies.waivers import WaiverFileError, load_waivers


def add_command(sub: Any) -> None:
    p = sub.add_parser("check", help="check stacks against every policy rule (exit 1 on a mandatory failure)")
    p.add_argument("stacks", nargs="*", metavar="stack")
    p.add_argument("--graph", type=Path, help="check this graph.json instead of planning a stack")
    p.add_argument("--all", action="store_true", help="every Pulumi.<stack>.yaml, two at a time")
    p.add_argument("--format", choices=outputs.names("findings"), default="table")
    p.add_argument("--output", type=Path, help="write the report here instead of standard output")
    p.add_argument("--waivers", type=Path, default=None, help="waiver file (default: policies/waivers.yaml)")
    p.add_argument("--allow-indeterminate", action="store_true", help="do not fail on mandatory rules left indeterminate")
    p.add_argument("--show-pass", action="store_true", help="list passing findings in the table too")
    p.add_argument("--workers", type=int, default=2, help="processes for --all (default 2)")
    p.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                   help="direct: our rules (default); crossguard: our rules through pulumi-policy's analyzer "
                        "(same findings, slower); checkov: checkov's Terraform-plan and Kubernetes checks; all: both")
    p.set_defaults(handler=run)


def collect(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> list[StackResult] | int:
    """The check's results, or an exit code after reporting bad input (one line, no values)."""
    from blueprint.stackconfig import StackConfigError, list_stacks
    from core.problems import SettingsError

    today = date.today()
    err = console(stderr=True)
    try:
        waivers = load_waivers(args.waivers or project_dir / "policies" / "waivers.yaml", required=args.waivers is not None)
        if args.graph:
            return [check_graph_file(args.graph, waivers, today, args.engine)]
        stacks = list_stacks(project_dir) if args.all else args.stacks
        if not stacks:
            err.print("error: name a stack, --graph FILE or --all", markup=False)
            return EXIT_INPUT
        return run_stacks(stacks, project_dir, out_dir, waivers, today, workers=args.workers if args.all else 1,
                          engine=args.engine)
    except (GraphFileError, WaiverFileError, CheckovError) as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    except (SettingsError, StackConfigError) as exc:
        return report_input_error("?", exc)


def run(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    results = collect(args, project_dir, out_dir)
    if isinstance(results, int):
        return results
    to_terminal = args.format == "table" and not args.output
    options = outputs.RenderOptions(allow_indeterminate=args.allow_indeterminate, show_pass=args.show_pass,
                                    color=to_terminal and sys.stdout.isatty())
    report = outputs.render("findings", args.format, results, options)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report + "\n", encoding="utf-8")
    else:
        sys.stdout.write(report + "\n")
    return EXIT_FAILED if any(r.failing(args.allow_indeterminate) for r in results) else EXIT_OK
