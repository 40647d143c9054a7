"""Plan benchmark: cold and warm offline plans of dev and prod, and resources per second.

cold  = a fresh Python process: import the SDKs, run the program once (what `blueprint plan` costs)
warm  = re-plan in the same process (what tests and `check --all` pay per extra plan)

Run: .venv/bin/python benchmarks/plan_bench.py [--repeat N]
Aims: prod cold plan <= 5 s (issue 2); warm re-plan of prod <= 0.25 s on the 2-core machine (issue 14).
Prints the load average, and wall and CPU seconds (``time.process_time``) of each warm re-plan:
on the shared machine wall time stretches with the other processes' load, CPU time much less.
Recorded figures, with the load they were measured under: README.md, "Benchmarks".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLD = """
import json, logging, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
logging.getLogger("blueprint.engine").propagate = False
from pathlib import Path
from blueprint import engine
r = engine.plan({stack!r}, Path({root!r}))
print(json.dumps({{"total": time.perf_counter() - t0, "plan": r.seconds,
                  "resources": sum(1 for _ in r.graph.resources())}}))
"""


def cold(stack: str) -> dict[str, float]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT), stack=stack)],
                         capture_output=True, text=True, check=True, timeout=300)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["process"] = time.perf_counter() - started
    return data


def warm(stack: str, repeat: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds of ``repeat`` re-plans, after one plan that primes imports (and, from
    the second plan on, the engine's one-off freeze of the long-lived heap: that first re-plan is
    timed too)."""
    from blueprint import engine

    logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
    logging.getLogger("blueprint.engine").propagate = False
    result = engine.plan(stack, ROOT)  # prime imports
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = engine.plan(stack, ROOT)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu, sum(1 for _ in result.graph.resources())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="warm re-plans per stack (default 10)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time stretches with load; "
          "CPU time much less)")
    header = ("stack", "resources", "cold process", "cold plan", "warm median", "warm min", "CPU median", "CPU min",
              "res/s warm")
    print(f"{header[0]:<6} {header[1]:>9} {header[2]:>13} {header[3]:>10} {header[4]:>12} {header[5]:>9} "
          f"{header[6]:>11} {header[7]:>8} {header[8]:>11}")
    for stack in ("dev", "prod"):
        c = cold(stack)
        w, cpu, resources = warm(stack, args.repeat)
        med = statistics.median(w)
        print(f"{stack:<6} {resources:>9} {c['process']:>12.2f}s {c['plan']:>9.2f}s {med:>11.3f}s {min(w):>8.3f}s "
              f"{statistics.median(cpu):>10.3f}s {min(cpu):>7.3f}s {resources / med:>11.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
