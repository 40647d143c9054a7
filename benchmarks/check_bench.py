"""Check benchmark: our rules over prod (direct path and analyzer path), `check --all` over generated
stacks, the direct/analyzer equivalence on those stacks, and `blueprint check --graph` vs checkov.

1. A full check of prod's graph in-process, through each evaluation path (direct, the default; and
   pulumi-policy's analyzer servicer, `--engine crossguard`): min and median seconds over repeats,
   and rule x resource evaluations per second.
2. `--all` over N generated stack files (variants of dev and prod: names, CIDRs, tiers;
   tests/generated_stacks.py) in a scratch project: `blueprint check --all --workers 2` run as a
   fresh process (imports, cold start, both workers, the report), its wall time and the CPU
   seconds of all its processes (getrusage of the waited children); then the same graphs checked
   again in this process, which gives the check's share. With --equivalence, every generated
   graph is also checked through both paths and the findings compared (they must be identical).
3. The whole-process ratio: `blueprint check --graph prod.json` (our rules, direct) against
   checkov on the same exported plan (`checkov -f tfplan.json --framework terraform_plan`),
   each a fresh process, interleaved in one run; min and median over repeats.

Run: .venv/bin/python benchmarks/check_bench.py [--stacks 100] [--repeat 5] [--equivalence] [--skip-all]
Aims (issue 14): full prod check in-process <= 0.1 s; --all over 100 stacks <= 30 s on two cores.
Figures depend on the machine and its load: quote the min of repeats, the CPU seconds and the load
average. Recorded figures: README.md, "Benchmarks".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
logging.getLogger("blueprint.engine").propagate = False


def _times(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def full_check(repeat: int) -> dict:
    from blueprint import engine
    from policies.direct import DirectEvaluator
    from policies.engine import Evaluator, check_graph
    from policies.rules import all_rules

    graph = engine.plan("prod", ROOT).graph.to_json()
    rules = all_rules()
    resources = [n for n in graph["nodes"] if n["custom"]]
    evaluations = sum(1 for r in rules for n in resources if n["type"] in r.types) + sum(r.kind == "stack" for r in rules)
    print(f"prod: {len(rules)} rules, {len(resources)} resources, {evaluations} rule x resource evaluations")
    figures = {}
    for label, make in (("direct (default)", DirectEvaluator), ("crossguard (analyzer servicer)", Evaluator)):
        started = time.perf_counter()
        evaluator = make()
        setup = time.perf_counter() - started
        findings = check_graph(graph, evaluator)
        times, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            check_graph(graph, evaluator)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        figures[label] = min(times)
        print(f"  {label:<31} setup {setup:.3f} s; full check min {min(times):.3f} s, median "
              f"{statistics.median(times):.3f} s over {repeat} (CPU min {min(cpu):.3f} s, median "
              f"{statistics.median(cpu):.3f} s); {len(findings)} findings; {evaluations / min(times):,.0f} evaluations/s")
    return figures


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check_all(count: int, equivalence: bool) -> None:
    """`blueprint check --all` as a user runs it: a fresh process, two workers, shipped waivers."""
    from blueprint.runner import run_stacks
    from blueprint.stackconfig import list_stacks
    from policies.direct import DirectEvaluator
    from policies.engine import Evaluator, check_graph
    from policies.waivers import load_waivers
    from tests.generated_stacks import generated_project

    project = generated_project(count)
    try:
        stacks = list_stacks(project)
        report = project / "all.json"
        command = [sys.executable, "-m", "blueprint", "--project-dir", str(project), "--out", str(project / "out"),
                   "check", "--all", "--workers", "2", "--format", "json", "--output", str(report)]
        started, started_cpu = time.perf_counter(), _cpu_of_children()
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=project, timeout=1800)
        seconds, cpu = time.perf_counter() - started, _cpu_of_children() - started_cpu
        if not report.exists():
            raise SystemExit(f"check --all wrote no report (exit {done.returncode}): {done.stderr[-2000:]}")
        summaries = [r["summary"] for r in json.loads(report.read_text(encoding="utf-8"))["results"]]
        print(f"--all over {len(summaries)} generated stacks (`blueprint check --all`, a fresh process, plan + check, "
              f"2 workers, direct, shipped waivers): {seconds:.1f} s wall, {cpu:.1f} CPU s in all processes "
              f"({cpu / 2:.1f} s on two idle cores); {sum(s['resources'] for s in summaries)} resources, "
              f"{sum(s['findings'] for s in summaries)} findings, {sum(s['fail'] for s in summaries)} failing")
        # The same graphs checked again in this process (fresh, so nothing is re-planned): the check's share.
        waivers = load_waivers(ROOT / "policies" / "waivers.yaml")
        results = run_stacks(stacks, project, project / "out", waivers, date.today(), workers=1)
        print(f"  of which checking (the graphs already planned, one process): "
              f"{sum(r.seconds for r in results):.2f} s in total, {sum(r.seconds for r in results) / len(results):.3f} s "
              f"per stack")
        if equivalence:
            direct, servicer = DirectEvaluator(), Evaluator()
            differing = []
            for stack in stacks:
                graph = json.loads((project / "out" / stack / "graph.json").read_text(encoding="utf-8"))
                if check_graph(graph, direct) != check_graph(graph, servicer):
                    differing.append(stack)
            print(f"equivalence over {len(stacks)} generated stacks: "
                  f"{len(stacks) - len(differing)} identical, {len(differing)} differing {differing[:5]}")
    finally:
        shutil.rmtree(project, ignore_errors=True)


def versus_checkov(repeat: int) -> None:
    from blueprint import engine
    from blueprint.checkov.scan import CHECKOV, OFFLINE_ENV
    from blueprint.checkov.tfplan import export

    if not CHECKOV.exists():
        print("checkov ratio: skipped (run `make setup-checkov`)")
        return
    scratch = Path(tempfile.mkdtemp(prefix="blueprint-ratio-"))
    try:
        graph = engine.plan("prod", ROOT).graph.to_json()
        (scratch / "graph.json").write_text(json.dumps(graph), encoding="utf-8")
        (scratch / "tfplan.json").write_text(json.dumps(export(graph).plan), encoding="utf-8")
        ours_cmd = [sys.executable, "-m", "blueprint", "--project-dir", str(ROOT), "--out", str(scratch / "out"),
                    "check", "--graph", str(scratch / "graph.json"), "--format", "json",
                    "--output", str(scratch / "ours.json")]
        theirs_cmd = [str(CHECKOV), "--skip-download", "--framework", "terraform_plan", "--file",
                      str(scratch / "tfplan.json"), "--output", "json"]
        env = {**os.environ, **OFFLINE_ENV}
        ours, theirs, ratios = [], [], []
        for _ in range(repeat):  # interleaved, so both see the same load
            t = _times(lambda: subprocess.run(ours_cmd, capture_output=True, check=False, env=env), 1)[0]
            c = _times(lambda: subprocess.run(theirs_cmd, capture_output=True, check=False, env=env, cwd=scratch), 1)[0]
            ours.append(t)
            theirs.append(c)
            ratios.append(c / t)
        checks = json.loads(subprocess.run(theirs_cmd, capture_output=True, text=True, check=False, env=env,
                                           cwd=scratch).stdout)
        summary = (checks if isinstance(checks, dict) else checks[0])["summary"]
        print(f"whole process on the same prod plan ({repeat} interleaved runs): `blueprint check --graph` min "
              f"{min(ours):.2f} s, median {statistics.median(ours):.2f} s; checkov terraform_plan min {min(theirs):.2f} s, "
              f"median {statistics.median(theirs):.2f} s ({summary['passed']} passed, {summary['failed']} failed); "
              f"checkov / blueprint = {min(theirs) / min(ours):.2f}x (ratio of mins), "
              f"{statistics.median(ratios):.2f}x (median of per-run ratios)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--equivalence", action="store_true", help="compare direct vs analyzer on every generated stack")
    parser.add_argument("--skip-all", action="store_true", help="skip the --all run")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine may be shared)")
    full_check(args.repeat)
    versus_checkov(args.repeat)
    if not args.skip_all:
        check_all(args.stacks, args.equivalence)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
