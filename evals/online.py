"""Online evaluation: the orchestration plane's CronJob, in the router's image and identity.

Each run
- samples `sample_size` scored cases of every configured use case's golden set (a fresh random
  sample per run), sends them through the router with `metadata.use_case` so the router applies
  the pinned or canary system prompt (and names it in `x-genai-prompt-version`), and scores the
  answers like `blueprint eval` (source `golden`);
- reads the last hour of recent production requests where the tier keeps them (the router's
  request log with Logging Search, or the evaluation-sample bucket with ListObjects + GetObject)
  and scores up to `sample_size` of them per use case with what needs no reference answer
  (`evals.traces`: groundedness against the documents the prompt carried, question-answer
  relevance, the guardrails' verdicts; source `traffic`); the run prints what it skipped and why;
and posts the means per use case, prompt version and source to OCI Monitoring (`evals.contract`:
namespace genai_quality) with PostMetricData on the telemetry-ingestion endpoint, signed by OKE
workload identity.

    python -m evals.online            # config: $GENAI_EVAL_CONFIG (the job's ConfigMap)

Config (YAML): router_url, model, compartment_ocid, region, use_cases, sample_size; optional
embedding_model (without one relevance is not scored or posted), sample_bucket and
object_storage_namespace (the evaluation-sample bucket), or router_log_id and router_log_group_id
(the request log; without either, traffic is not read), and monitoring_endpoint /
logging_search_endpoint / objectstorage_endpoint (tests point them at the loopback stub). Exit 1
when a metric could not be posted or traffic could not be read (the CronJob's failed-jobs history
and the absent datapoints both show it).
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from evals import contract, golden, runner, traces
from evals.client import TENANT_HEADER, Client

CONFIG_ENV = "GENAI_EVAL_CONFIG"
REQUIRED = ("router_url", "model", "compartment_ocid", "region", "use_cases", "sample_size")


@dataclass(frozen=True)
class Point:
    metric: str
    use_case: str
    prompt_version: str
    value: float
    count: int
    source: str = contract.GOLDEN


def load_config(path: Path) -> dict[str, Any]:
    cfg = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [k for k in REQUIRED if k not in cfg]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    return dict(cfg)


def sample(cases: Sequence[golden.Case], n: int, rng: random.Random) -> list[golden.Case]:
    scored = [c for c in cases if not c.adversarial]
    return rng.sample(scored, min(n, len(scored)))


def points(use_case: str, results: Sequence[runner.CaseResult]) -> list[Point]:
    """Means per prompt version of the run's scored cases (count = cases behind each mean)."""
    by_version: dict[str, list[runner.CaseResult]] = defaultdict(list)
    for r in results:
        if not r.adversarial:
            by_version[r.prompt_version or f"{use_case}@unknown"].append(r)
    out = []
    for version, rs in sorted(by_version.items()):
        for name in contract.GOLDEN_METRICS:
            scored = [getattr(r, name) for r in rs]
            if all(v is None for v in scored):
                continue  # e.g. relevance without an embedding model
            values = [float(v or 0.0) for v in scored]
            out.append(Point(name, use_case, version, sum(values) / len(values), len(values)))
    return out


def traffic_points(scores: Sequence[traces.Score]) -> list[Point]:
    """Means per use case and prompt version of the sampled traffic (count = traces behind each mean)."""
    by_ref: dict[tuple[str, str], list[traces.Score]] = defaultdict(list)
    for s in scores:
        by_ref[(s.use_case, s.prompt_version)].append(s)
    out = []
    for (use_case, version), ss in sorted(by_ref.items()):
        for name in contract.TRAFFIC_METRICS:
            values = [v for v in (getattr(s, name) for s in ss) if v is not None]
            if values:
                out.append(Point(name, use_case, version, sum(values) / len(values), len(values), contract.TRAFFIC))
    return out


def evaluate_traffic(cfg: Mapping[str, Any], client: Client, rng: random.Random,
                     now: datetime) -> tuple[list[Point], traces.Sample]:
    """Recent production requests from the evaluation-sample bucket or the router's log, sampled and scored."""
    from_bucket = bool(cfg.get("sample_bucket"))
    read = traces.read_samples(cfg, now) if from_bucket else traces.search(cfg, now)
    s = traces.sample(read, list(cfg["use_cases"]), int(cfg["sample_size"]), rng, samples=from_bucket)
    return traffic_points(traces.score(s.traces, client, cfg.get("embedding_model"))), s


def client_for(cfg: Mapping[str, Any]) -> Client:
    """The router client; the job names itself as tenant so its own requests are not sampled as traffic."""
    return Client(str(cfg["router_url"]), headers={TENANT_HEADER: traces.EVAL_TENANT})


def evaluate(cfg: Mapping[str, Any], client: Client, rng: random.Random) -> list[Point]:
    from prompts import registry

    out: list[Point] = []
    for use_case in cfg["use_cases"]:
        cases = sample(golden.load(golden.path_for(use_case)), int(cfg["sample_size"]), rng)
        prompt = registry.latest(use_case)  # its template renders the user message; the router picks the system prompt
        results = runner.run(client, cases, prompt, model=str(cfg["model"]), embedding_model=cfg.get("embedding_model"),
                             pricing=runner.Pricing(0.0, "characters"), router_prompt=True)
        out += points(use_case, results)
    return out


def metric_data(cfg: Mapping[str, Any], pts: Sequence[Point], at: datetime) -> list[dict[str, Any]]:
    """PostMetricData's metricData (MetricDataDetails as JSON), one stream per metric/use case/version."""
    return [{
        "namespace": contract.QUALITY_NS,
        "compartmentId": str(cfg["compartment_ocid"]),
        "name": p.metric,
        "dimensions": {contract.USE_CASE: p.use_case, contract.PROMPT_VERSION: p.prompt_version,
                       contract.SOURCE: p.source},
        "metadata": {"unit": contract.BY_NAME[p.metric].unit},
        "datapoints": [{"timestamp": at.isoformat(), "value": p.value, "count": p.count}],
    } for p in pts]


def post(cfg: Mapping[str, Any], data: list[dict[str, Any]]) -> int:
    """Post with the OCI SDK (workload identity); returns the number of streams OCI rejected."""
    import oci
    from genai_router_hooks import monitoring, signing

    client = oci.monitoring.MonitoringClient(
        dict(signing.client_config(str(cfg["region"]))), signer=signing.get_signer(),
        service_endpoint=cfg.get("monitoring_endpoint") or monitoring.ingestion_endpoint(str(cfg["region"])))
    details = oci.monitoring.models.PostMetricDataDetails(metric_data=[
        oci.monitoring.models.MetricDataDetails(
            namespace=d["namespace"], compartment_id=d["compartmentId"], name=d["name"], dimensions=d["dimensions"],
            metadata=d["metadata"], datapoints=[oci.monitoring.models.Datapoint(
                timestamp=datetime.fromisoformat(dp["timestamp"]), value=dp["value"], count=dp["count"])
                for dp in d["datapoints"]])
        for d in data])
    return int(client.post_metric_data(details).data.failed_metrics_count or 0)


def main(argv: Sequence[str] | None = None) -> int:
    path = os.environ.get(CONFIG_ENV)
    if not path:
        print(f"error: set {CONFIG_ENV} to the evaluation config", file=sys.stderr)
        return 2
    cfg = load_config(Path(path))
    started = time.time()
    client, rng = client_for(cfg), random.Random()
    pts = evaluate(cfg, client, rng)
    unread = 0
    from_bucket = bool(cfg.get("sample_bucket") and cfg.get("object_storage_namespace"))
    if from_bucket or (cfg.get("router_log_id") and cfg.get("router_log_group_id")):
        where = "the evaluation samples" if from_bucket else "the router's log"
        try:
            traffic, s = evaluate_traffic(cfg, client, rng, datetime.now(UTC))
            pts += traffic
            print(traces.summary(s, "samples" if from_bucket else "log entries"))
        except Exception as exc:  # the golden half still posts; the run fails so the CronJob shows it
            print(f"error: {where} could not be read ({type(exc).__name__})", file=sys.stderr)
            unread = 1
    else:
        print("traffic: not read (the tier keeps no traffic to score: its trafficSample store is none)")
    failed = post(cfg, metric_data(cfg, pts, datetime.now(UTC)))
    for p in pts:
        print(f"{p.use_case} {p.prompt_version} {p.source} {p.metric} {p.value:.3f} (n={p.count})")
    print(f"posted {len(pts) - failed}/{len(pts)} streams in {time.time() - started:.1f} s")
    return 1 if failed or unread else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
