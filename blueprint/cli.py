"""`blueprint`: plan, draw, check and report on genai-platform stacks without a cloud.

Exit codes: 0 ok; 1 checks failed; 2 bad input (stack config, stack file, arguments); 3 the
offline engine could not answer the program (e.g. an unlisted data lookup).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_ENGINE = 0, 1, 2, 3

#: Extra subcommands other modules contribute: name → (add_parser, run).
SubcommandHook = Callable[[argparse._SubParsersAction], None]
_EXTENSIONS: list[SubcommandHook] = []


def find_project_dir(start: Path) -> Path:
    for candidate in (start, *start.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    raise FileNotFoundError("no Pulumi.yaml here or in any parent directory")


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def plan_stack(stack: str, project_dir: Path, out_dir: Path, *, preview: bool = False, quiet: bool = False):
    """Plan one stack and write its graph. Returns (PlanResult, path) or raises a reported error."""
    from blueprint import engine

    result = engine.plan(stack, project_dir, preview=preview)
    path = result.graph.write(out_dir / stack / "graph.json")
    if not quiet:
        from blueprint.render import summary_tree

        console = _console()
        console.print(summary_tree(result.graph))
        console.print(f"wrote {path} ({len(result.graph.nodes)} nodes) in {result.seconds:.2f} s")
    return result, path


def _report_input_error(stack: str, exc: Exception) -> int:
    from stacks.settings import SettingsError

    err = _console(stderr=True)
    if isinstance(exc, SettingsError):
        err.print(f"error: stack '{stack}' has an invalid configuration ({len(exc.problems)} problem(s)); nothing was planned:")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False)
    else:
        err.print(f"error: stack '{stack}': {exc}", markup=False)
    return EXIT_INPUT


def run_plan(stacks: Sequence[str], project_dir: Path, out_dir: Path, *, preview: bool, diagrams: bool) -> int:
    from blueprint.lookups import UnlistedLookupError
    from blueprint.stackconfig import StackConfigError
    from stacks.settings import SettingsError

    worst = EXIT_OK
    for stack in stacks:
        try:
            result, _ = plan_stack(stack, project_dir, out_dir, preview=preview)
        except (SettingsError, StackConfigError) as exc:
            worst = max(worst, _report_input_error(stack, exc))
            continue
        except UnlistedLookupError as exc:
            _console(stderr=True).print(f"error: stack '{stack}': {exc}", markup=False)
            worst = max(worst, EXIT_ENGINE)
            continue
        if diagrams:
            write_diagrams(result.graph, out_dir / stack)
    return worst


def write_diagrams(graph, directory: Path) -> list[Path]:
    from blueprint.render import dot, mermaid

    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "architecture.mmd", directory / "architecture.dot"]
    paths[0].write_text(mermaid(graph), encoding="utf-8")
    paths[1].write_text(dot(graph), encoding="utf-8")
    return paths


def run_graph(stack: str, project_dir: Path, out_dir: Path) -> int:
    from blueprint.graph import Graph

    graph_path = out_dir / stack / "graph.json"
    if not graph_path.is_file():
        code = run_plan([stack], project_dir, out_dir, preview=False, diagrams=False)
        if code:
            return code
    paths = write_diagrams(Graph.read(graph_path), out_dir / stack)
    for p in paths:
        _console().print(f"wrote {p}")
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

    for hook in _EXTENSIONS:
        hook(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
    logging.getLogger("blueprint.engine").propagate = False
    _load_extensions()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        project_dir = (args.project_dir or find_project_dir(Path.cwd())).resolve()
    except FileNotFoundError as exc:
        _console(stderr=True).print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    out_dir = (args.out or project_dir / "out").resolve()
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    if args.command == "plan":
        return run_plan(args.stacks, project_dir, out_dir, preview=args.preview, diagrams=False)
    if args.command == "graph":
        return run_graph(args.stack, project_dir, out_dir)
    if args.command == "demo":
        stacks = args.stacks or ["dev", "prod"]
        planned = run_plan(stacks, project_dir, out_dir, preview=False, diagrams=True)
        if planned:
            return planned
        # The demo ends with what a security reviewer sees: every policy rule over each plan.
        from datetime import date

        from blueprint.check import blocking, print_table, run_stacks

        results = run_stacks(stacks, project_dir, out_dir, [], date.today())
        print_table(results, show_pass=False, allow_indeterminate=False)
        return EXIT_FAILED if blocking(results) else EXIT_OK
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"unknown command {args.command}")
    code: int = handler(args, project_dir, out_dir)
    return code


def _load_extensions() -> None:
    """Subcommands living in other packages register themselves via ``register(hook)``."""
    import importlib

    for module in ("blueprint.check", "blueprint.manifests", "blueprint.routerconfig", "blueprint.report"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def register(hook: SubcommandHook) -> None:
    if hook not in _EXTENSIONS:
        _EXTENSIONS.append(hook)


if __name__ == "__main__":
    raise SystemExit(main())
