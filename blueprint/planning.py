"""Planning stacks offline and keeping their graphs fresh: what `plan`, `check`, `report` and the
other commands share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from blueprint.console import EXIT_ENGINE, EXIT_OK, console, report_input_error


def plan_stack(stack: str, project_dir: Path, out_dir: Path, *, preview: bool = False, quiet: bool = False) -> Any:
    """Plan one stack and write its graph. Returns (PlanResult, path) or raises a reported error."""
    from blueprint import engine
    from blueprint.stackconfig import stack_out_dir

    directory = stack_out_dir(out_dir, stack)  # refuses a name Pulumi refuses, before any path is built
    result = engine.plan(stack, project_dir, preview=preview)
    path = result.graph.write(directory / "graph.json")
    if not quiet:
        from blueprint.render import summary_tree

        out = console()
        out.print(summary_tree(result.graph))
        out.print(f"wrote {path} ({len(result.graph.nodes)} nodes) in {result.seconds:.2f} s")
    return result, path


def write_diagrams(graph: Any, directory: Path) -> list[Path]:
    from blueprint.render import dot, mermaid

    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "architecture.mmd", directory / "architecture.dot"]
    paths[0].write_text(mermaid(graph), encoding="utf-8")
    paths[1].write_text(dot(graph), encoding="utf-8")
    return paths


def run_plan(stacks: Sequence[str], project_dir: Path, out_dir: Path, *, preview: bool, diagrams: bool,
             checklist: bool = False) -> int:
    """Plan each stack, reporting bad input per stack; the worst exit code. ``checklist``: print the
    stack's out-of-band prerequisites (what must exist before its first deploy) after its summary."""
    from blueprint.lookups import UnlistedLookupError
    from blueprint.stackconfig import StackConfigError
    from core.inputs import escape
    from core.problems import SettingsError

    worst = EXIT_OK
    for stack in stacks:
        try:
            result, _ = plan_stack(stack, project_dir, out_dir, preview=preview)
        except (SettingsError, StackConfigError) as exc:
            worst = max(worst, report_input_error(stack, exc))
            continue
        except UnlistedLookupError as exc:
            console(stderr=True).print(f"error: stack '{escape(stack)}': {exc}", markup=False)
            worst = max(worst, EXIT_ENGINE)
            continue
        if diagrams:
            write_diagrams(result.graph, out_dir / stack)
        if checklist:
            print_checklist(stack, project_dir)
    return worst


def before_first_deploy(stack: str, project_dir: Path) -> list[Any]:
    """The out-of-band prerequisites (core/tables/prerequisites.yaml) that apply to this stack."""
    from blueprint.stackconfig import load_stack_config, namespace_values
    from core.tables import prerequisites

    config = namespace_values(load_stack_config(project_dir, stack))
    return [p for p in prerequisites() if p.applies(config)]


def print_checklist(stack: str, project_dir: Path) -> None:
    """The checklist: what to do, the stack key that points at it (never its value), the page saying how."""
    from core.inputs import escape

    out = console()
    out.print(f"before the first deploy of '{escape(stack)}' (out of band; core/tables/prerequisites.yaml):",
              markup=False)
    for p in before_first_deploy(stack, project_dir):
        out.print(f"  [ ] {p.what}\n      {p.config} | {p.doc}", markup=False, soft_wrap=True)


def graph_inputs(project_dir: Path, stack: str) -> list[Path]:
    """The files a stack's graph is computed from (stale graph = any of them is newer)."""
    from blueprint.stackconfig import stack_file

    inputs = [stack_file(project_dir, stack), project_dir / "Pulumi.yaml"]
    return inputs + list((project_dir / "components").glob("*.py")) + list((project_dir / "stacks").rglob("*.py"))


def fresh_graph(stack: str, project_dir: Path, out_dir: Path) -> Path | None:
    """The stack's written graph if it exists and is newer than every input it is computed from."""
    from blueprint.stackconfig import stack_out_dir

    path = stack_out_dir(out_dir, stack) / "graph.json"
    stale = not path.exists() or any(p.exists() and p.stat().st_mtime > path.stat().st_mtime
                                     for p in graph_inputs(project_dir, stack))
    return None if stale else path


def ensure_graph(stack: str, project_dir: Path, out_dir: Path) -> Path:
    """The stack's graph, planning it first (offline) when it is missing or older than its inputs."""
    path = fresh_graph(stack, project_dir, out_dir)
    if path is None:
        _, path = plan_stack(stack, project_dir, out_dir, quiet=True)
    return path
