"""Check benchmark: all rules over prod, and `check --all` over generated stacks.

1. A full check of prod's graph through the analyzer servicer: seconds, findings, and
   rule x resource evaluations per second (each rule against each resource of a type it targets,
   plus every stack rule against the whole graph).
2. `--all` over N generated stack files (variants of dev and prod: names, CIDRs, tiers) in a
   scratch copy of the project, planned and checked two at a time, as `blueprint check --all` does.

Run: .venv/bin/python benchmarks/check_bench.py [--stacks 100] [--repeat 5]
Aim (issue 7): all rules over prod in <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
logging.getLogger("blueprint.engine").propagate = False


def full_check(repeat: int) -> None:
    from blueprint import engine
    from policies.engine import Evaluator, check_graph
    from policies.rules import all_rules

    graph = engine.plan("prod", ROOT).graph.to_json()
    started = time.perf_counter()
    evaluator = Evaluator()
    setup = time.perf_counter() - started
    times, findings = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        findings = check_graph(graph, evaluator)
        times.append(time.perf_counter() - t0)
    rules = all_rules()
    resources = [n for n in graph["nodes"] if n["custom"]]
    evaluations = sum(1 for r in rules for n in resources if n["type"] in r.types) + sum(r.kind == "stack" for r in rules)
    median = statistics.median(times)
    print(f"prod: {len(rules)} rules, {len(resources)} resources, {len(findings)} findings")
    print(f"  evaluator setup (servicers configured once): {setup:.3f} s")
    print(f"  full check: median {median:.3f} s, min {min(times):.3f} s over {repeat} runs")
    print(f"  {evaluations} rule x resource evaluations -> {evaluations / median:,.0f} per second")
    print(f"  rules x resources (all pairs) -> {len(rules) * len(resources) / median:,.0f} per second")


def generated_project(count: int) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="blueprint-bench-"))
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, scratch / name)
    for folder in ("stacks", "components", "policies", "blueprint", "router"):
        if (ROOT / folder).exists():
            (scratch / folder).symlink_to(ROOT / folder)
    tiers = ("internal", "confidential")
    for i in range(count):
        base = "dev" if i % 2 == 0 else "prod"
        doc = yaml.safe_load((ROOT / f"Pulumi.{base}.yaml").read_text())
        cfg = doc["config"]
        env = f"s{i:03d}"
        cfg["genai-platform:governance"]["environment"] = env
        cfg["genai-platform:classification"] = tiers[i % 2]
        second = 10 + (i % 200)
        net = cfg["genai-platform:network"]
        old = net["vcnCidr"].split(".")[1]
        net["vcnCidr"] = net["vcnCidr"].replace(f"10.{old}.", f"10.{second}.", 1)
        net["subnets"] = {k: v.replace(f"10.{old}.", f"10.{second}.", 1) for k, v in net["subnets"].items()}
        if "apiClientCidrs" in net:
            net["apiClientCidrs"] = [c.replace(f"10.{old}.", f"10.{second}.", 1) for c in net["apiClientCidrs"]]
        (scratch / f"Pulumi.{env}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return scratch


def check_all(count: int) -> None:
    from blueprint.runner import run_stacks
    from blueprint.stackconfig import list_stacks
    from policies.findings import blocking

    project = generated_project(count)
    try:
        stacks = list_stacks(project)
        started = time.perf_counter()
        results = run_stacks(stacks, project, project / "out", [], date.today(), workers=2)
        seconds = time.perf_counter() - started
        findings = sum(len(r.findings) for r in results)
        resources = sum(r.resources for r in results)
        print(f"--all over {len(stacks)} generated stacks (plan + check, 2 workers): {seconds:.1f} s, "
              f"{seconds / len(stacks):.2f} s per stack, {resources} resources, {findings} findings, "
              f"{len(blocking(results))} blocking")
        print(json.dumps({"check_seconds_total": round(sum(r.seconds for r in results), 2)}))
    finally:
        shutil.rmtree(project, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    full_check(args.repeat)
    check_all(args.stacks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
