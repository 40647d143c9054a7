"""`blueprint`: plan, draw, check and report on genai-platform stacks without a cloud.

Exit codes: 0 ok; 1 checks failed; 2 bad input (stack config, stack file, arguments); 3 the
offline engine could not answer the program (e.g. an unlisted data lookup).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from blueprint.console import EXIT_FAILED, EXIT_INPUT, EXIT_OK, console, report_input_error
from blueprint.planning import run_plan, write_diagrams

#: Modules contributing a subcommand: each defines ``add_command(subparsers)`` and sets ``handler``.
#: The CLI imports them; they import ``blueprint.console`` / ``blueprint.planning``, never this module.
#: A module listed here must exist: a missing one is an error, never skipped.
COMMAND_MODULES = ("blueprint.check", "blueprint.manifests", "blueprint.routerconfig", "blueprint.report",
                   "blueprint.evaluate", "blueprint.verify")


def find_project_dir(start: Path) -> Path:
    for candidate in (start, *start.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    raise FileNotFoundError("no Pulumi.yaml here or in any parent directory")


def run_graph(stack: str, project_dir: Path, out_dir: Path) -> int:
    from blueprint.graph import Graph, GraphFormatError
    from blueprint.stackconfig import StackConfigError, stack_out_dir

    try:
        directory = stack_out_dir(out_dir, stack)
    except StackConfigError as exc:
        return report_input_error(stack, exc)
    graph_path = directory / "graph.json"
    if not graph_path.is_file():
        code = run_plan([stack], project_dir, out_dir, preview=False, diagrams=False)
        if code:
            return code
    try:
        graph = Graph.read(graph_path)
    except GraphFormatError as exc:
        console(stderr=True).print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    paths = write_diagrams(graph, directory)
    for p in paths:
        console().print(f"wrote {p}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="blueprint", description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=None, help="directory holding Pulumi.yaml (default: search upwards)")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: <project>/out)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="run the program offline and write out/<stack>/graph.json")
    p.add_argument("stacks", nargs="+", metavar="stack")
    p.add_argument("--preview", action="store_true", help="leave ids and computed outputs unknown, as a first preview")

    g = sub.add_parser("graph", help="write the architecture diagram (Mermaid and DOT) of a stack")
    g.add_argument("stack")

    d = sub.add_parser("demo", help="plan the given stacks (default dev and prod), print summaries, write graphs and diagrams")
    d.add_argument("stacks", nargs="*", metavar="stack")

    for module in _command_modules():
        module.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
    logging.getLogger("blueprint.engine").propagate = False
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        project_dir = (args.project_dir or find_project_dir(Path.cwd())).resolve()
    except FileNotFoundError as exc:
        console(stderr=True).print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    out_dir = (args.out or project_dir / "out").resolve()
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    if args.command == "plan":
        return run_plan(args.stacks, project_dir, out_dir, preview=args.preview, diagrams=False, checklist=True)
    if args.command == "graph":
        return run_graph(args.stack, project_dir, out_dir)
    if args.command == "demo":
        stacks = args.stacks or ["dev", "prod"]
        planned = run_plan(stacks, project_dir, out_dir, preview=False, diagrams=True)
        if planned:
            return planned
        # The demo ends with what a security reviewer sees: every policy rule over each plan.
        from datetime import date

        from blueprint import outputs
        from blueprint.runner import run_stacks
        from policies.findings import blocking

        results = run_stacks(stacks, project_dir, out_dir, [], date.today())
        color = sys.stdout.isatty()
        sys.stdout.write(outputs.render("findings", "table", results, outputs.RenderOptions(color=color)) + "\n")
        return EXIT_FAILED if blocking(results) else EXIT_OK
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"unknown command {args.command}")
    code: int = handler(args, project_dir, out_dir)
    return code


def _command_modules() -> list[ModuleType]:
    import importlib

    return [importlib.import_module(name) for name in COMMAND_MODULES]


if __name__ == "__main__":
    raise SystemExit(main())
