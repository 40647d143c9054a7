"""Running the policy engine over stacks: one graph file, or many stacks in a process pool.

Planning (when a graph is missing or stale) and checking happen in the worker, so `check --all`
uses every core it is given. Results are the findings model of ``policies/findings.py``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from blueprint.planning import ensure_graph
from policies.findings import CHECKOV_ENGINE, ENGINE, Finding, StackResult, Waiver
from policies.waivers import apply_waivers

#: `check --engine`: our rules evaluated directly (default) or through pulumi-policy's analyzer
#: servicer (same findings, slower; for verification), checkov alone, or our rules and checkov.
ENGINES = ("direct", "crossguard", "checkov", "all")
DEFAULT_ENGINE = "direct"


class GraphFileError(ValueError):
    """A graph file that is not a resource graph; the message names the file."""


def evaluate(graph: dict[str, Any], engine: str = DEFAULT_ENGINE) -> tuple[list[Finding], set[str]]:
    """The findings of ``engine`` over a graph (dict form), and the engines whose findings they are."""
    from policies.direct import evaluator
    from policies.engine import check_graph, stack_urn

    ours = check_graph(graph, evaluator("crossguard" if engine == "crossguard" else "direct"))
    if engine in ("direct", "crossguard"):
        return ours, {ENGINE}
    from blueprint.checkov.disputed import apply_disputed
    from blueprint.checkov.scan import scan_graph

    # Disputed checkov checks are re-tested by our rules: they run even for --engine checkov.
    theirs = apply_disputed(scan_graph(graph, stack_urn(graph)), ours)
    return (theirs, {CHECKOV_ENGINE}) if engine == "checkov" else (ours + theirs, {ENGINE, CHECKOV_ENGINE})


def check_graph_file(graph_path: Path, waivers: Sequence[Waiver], today: date, engine: str = DEFAULT_ENGINE) -> StackResult:
    from blueprint.graph import GraphFormatError, load_graph_json

    try:
        graph = load_graph_json(graph_path)
    except GraphFormatError as exc:
        raise GraphFileError(str(exc)) from None
    stack, nodes = graph["stack"], graph["nodes"]
    started = time.perf_counter()
    findings, engines = evaluate(graph, engine)
    findings = apply_waivers(findings, waivers, stack, today, engines)
    return StackResult(stack, findings, sum(1 for n in nodes if n.get("custom")), time.perf_counter() - started)


def _plan_and_check(job: tuple[str, str, str, list[Waiver], str, str]) -> StackResult:
    stack, project_dir, out_dir, waivers, today, engine = job
    import logging

    logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
    logging.getLogger("blueprint.engine").propagate = False
    path = ensure_graph(stack, Path(project_dir), Path(out_dir))
    return check_graph_file(path, waivers, date.fromisoformat(today), engine)


def _start_worker() -> None:
    from blueprint.engine import renew_event_loop

    renew_event_loop(forked=True)


def _worker_context() -> Any:
    """fork when this process can fork safely (it is single-threaded once the SDK's event loop is
    renewed), so workers start with everything the first stack loaded; spawn otherwise."""
    import multiprocessing
    import threading

    from blueprint.engine import freeze_long_lived, renew_event_loop

    if "fork" in multiprocessing.get_all_start_methods():
        renew_event_loop()
        if threading.active_count() == 1:
            freeze_long_lived()  # workers share the warm heap and never re-scan it
            return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_stacks(stacks: Sequence[str], project_dir: Path, out_dir: Path, waivers: Sequence[Waiver], today: date,
               workers: int = 1, engine: str = DEFAULT_ENGINE) -> list[StackResult]:
    jobs = [(s, str(project_dir), str(out_dir), list(waivers), today.isoformat(), engine) for s in stacks]
    if workers <= 1 or len(jobs) <= 1:
        return [_plan_and_check(job) for job in jobs]
    # The first stack runs here: it imports the SDKs, the provider modules, the program and the rules
    # (most of a cold start, ~3 s of CPU). The workers are forked from this warm process afterwards,
    # so none of them pays that again.
    first = _plan_and_check(jobs[0])
    rest = jobs[1:]
    with ProcessPoolExecutor(max_workers=min(workers, len(rest)), mp_context=_worker_context(),
                             initializer=_start_worker) as pool:
        # Small chunks (a few stacks each): a worker left idle while the other finishes a big last
        # chunk costs more than the extra round trips.
        return [first, *pool.map(_plan_and_check, rest, chunksize=max(1, len(rest) // (workers * 16)))]
