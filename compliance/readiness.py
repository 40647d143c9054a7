"""The operating model's maturity scorecard and pre-launch readiness checklist, computed from a stack's
graph, its check results and the repository — every score and item names the facts it rests on.

Scorecard: six dimensions scored 1–5, a level counting only when it and every level below it are
evidenced; the total maps to Stage 1–5 by the bands 6–12, 13–18, 19–24, 25–28, 29–30. Checklist:
twenty items with the operating model's Required flags; the verdict is *ready* only when every
Required item passes. What the platform cannot evidence yet fails and says what is missing; it
turns to pass by itself once the evidence (a file, a resource, a passing rule) exists.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components import mql
from components.online_eval import COMMAND
from components.router_workload import APP as ROUTER_APP
from core.apm import OTLP_PRIVATE_TRACES_PATH
from evals import contract
from policies.findings import Finding
from router.container import APM_DATA_KEY_FILE_ENV

#: (low, high, stage, name) — the operating model's scoring bands
STAGES = ((6, 12, 1, "Ad-hoc"), (13, 18, 2, "Managed"), (19, 24, 3, "Measured"), (25, 28, 4, "Optimized"),
          (29, 30, 5, "Autonomous"))
#: the operating model's checklist asks for a golden set of 500+ cases
GOLDEN_MIN_CASES = 500
MIN_RUNBOOKS = 3
_SEMVER = re.compile(r"(?m)^\s*[\"']?version[\"']?\s*[:=]\s*[\"']?\d+\.\d+\.\d+")

CONFIGMAP = "kubernetes:core/v1:ConfigMap"
CRONJOB = "kubernetes:batch/v1:CronJob"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
T = {"apm": "oci:Apm/apmDomain:ApmDomain", "alarm": "oci:Monitoring/alarm:Alarm", "log": "oci:Logging/log:Log",
     "budget": "oci:Budget/budget:Budget", "budget_rule": "oci:Budget/rule:Rule", "tag": "oci:Identity/tag:Tag",
     "secret": "oci:Vault/secret:Secret", "policy": "oci:Identity/policy:Policy", "waf": "oci:Waf/webAppFirewall:WebAppFirewall",
     "usage_plan": "oci:ApiGateway/usagePlan:UsagePlan", "subscription": "oci:Ons/subscription:Subscription",
     "function": "oci:Functions/function:Function"}


def stage_of(total: int) -> tuple[int, str]:
    for low, high, stage, name in STAGES:
        if low <= total <= high:
            return stage, name
    raise ValueError("a scorecard total lies between 6 and 30")


@dataclass
class Facts:
    """What the scorecard and checklist read: the graph, the findings, the repository."""

    graph: Mapping[str, Any]
    findings: Sequence[Finding]
    project_dir: Path
    _by_rule: dict[str, list[Finding]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            grouped[f.rule].append(f)
        self._by_rule = dict(grouped)

    def nodes(self, key: str) -> list[Mapping[str, Any]]:
        token = T.get(key, key)
        return [n for n in self.graph["nodes"] if n["type"] == token]

    def rules_pass(self, *rule_ids: str) -> tuple[bool, str]:
        """All these rules evaluated here and none fails, is indeterminate or waived."""
        parts, ok = [], True
        for rid in rule_ids:
            results = [f for f in self._by_rule.get(rid, []) if f.status != "not_applicable"]
            bad = [f for f in results if f.status != "pass"]
            if not results:
                ok = False
                scoped = len(self._by_rule.get(rid, []))
                parts.append(f"{rid} not applicable to any of {scoped} resources here (no evidence)" if scoped
                             else f"{rid} evaluated nothing (no evidence)")
            elif bad:
                ok = False
                parts.append(f"{rid} {len(bad)} not passing ({', '.join(sorted({f.status for f in bad}))})")
            else:
                parts.append(f"{rid} pass ×{len(results)}")
        return ok, "; ".join(parts)

    def router_config(self) -> dict[str, Any]:
        """The LiteLLM config of the router: the ConfigMap a Deployment mounts (the online evaluator's
        CronJob mounts a ConfigMap with the same key, which is not the router's)."""
        mounted = {(v.get("configMap") or {}).get("name")
                   for d in self.nodes("kubernetes:apps/v1:Deployment")
                   for v in (((d["inputs"].get("spec") or {}).get("template") or {}).get("spec") or {}).get("volumes") or []}
        for n in self.nodes(CONFIGMAP):
            if (n["inputs"].get("metadata") or {}).get("name") not in mounted:
                continue
            text = (n["inputs"].get("data") or {}).get("config.yaml")
            if isinstance(text, str):
                loaded = yaml.safe_load(text)
                return loaded if isinstance(loaded, dict) else {}
        return {}

    def router_env_has(self, name: str) -> bool:
        """Whether a Deployment's container (the router's) sets environment variable ``name``."""
        for d in self.nodes("kubernetes:apps/v1:Deployment"):
            pod = (((d["inputs"].get("spec") or {}).get("template") or {}).get("spec") or {})
            for c in pod.get("containers") or []:
                if any(e.get("name") == name for e in c.get("env") or []):
                    return True
        return False

    def repo_files(self, directory: str) -> list[Path]:
        """Files under a project directory that git tracks (everything, outside git)."""
        root = self.project_dir / directory
        if not root.is_dir():
            return []
        try:
            listed = subprocess.run(["git", "-C", str(self.project_dir), "ls-files", directory], capture_output=True,
                                    text=True, check=True, timeout=30).stdout.split()
            return [self.project_dir / p for p in listed if not p.endswith("README.md")]
        except (OSError, subprocess.SubprocessError):
            return [p for p in root.rglob("*") if p.is_file() and p.name != "README.md"]

    def runbooks(self) -> list[Path]:
        return sorted(p for p in (self.project_dir / "runbooks").glob("*.md") if p.name != "README.md")

    def golden_cases(self) -> tuple[int, list[str]]:
        """Cases in golden-set files under evals/ (JSONL lines, JSON/YAML lists or their ``cases``)."""
        total, files = 0, []
        for path in self.repo_files("evals"):
            if "golden" not in path.as_posix().lower() or path.suffix not in (".jsonl", ".json", ".yaml", ".yml"):
                continue
            try:
                text = path.read_text(encoding="utf-8")
                if path.suffix == ".jsonl":
                    count = sum(1 for line in text.splitlines() if line.strip())
                else:
                    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
                    data = data.get("cases", []) if isinstance(data, dict) else data
                    count = len(data) if isinstance(data, list) else 0
            except (OSError, ValueError, yaml.YAMLError):
                continue
            if count:
                total += count
                files.append(path.relative_to(self.project_dir).as_posix())
        return total, files

    def ci_text(self) -> str:
        parts = [(self.project_dir / p) for p in (".ci/run", "Makefile")]
        return "\n".join(p.read_text(encoding="utf-8") for p in parts if p.is_file())


# ------------------------------------------------------------------------------------------------
# Checklist
# ------------------------------------------------------------------------------------------------

@dataclass
class Item:
    category: str
    name: str
    required: bool
    passed: bool
    evidence: str


def _item(category: str, name: str, required: bool, check: Callable[[Facts], tuple[bool, str]], facts: Facts) -> Item:
    passed, evidence = check(facts)
    return Item(category, name, required, passed, evidence)


def _rbac(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("OCI-IAM-002", "OCI-IAM-003", "OCI-IAM-004", "OCI-API-002")
    return ok and bool(f.nodes("policy")), f"{len(f.nodes('policy'))} IAM policies; {text}"


def _network(f: Facts) -> tuple[bool, str]:
    return f.rules_pass("OCI-NET-006", "OCI-OKE-001", "GENAI-MOD-005", "OCI-DB-001", "CLS-NET-001")


def _secrets(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("OCI-DB-003", "OCI-KMS-003")
    return ok and bool(f.nodes("secret")), f"{len(f.nodes('secret'))} Vault secrets; {text}"


def _input_validation(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("STK-010", "GENAI-AGT-003", "GENAI-AGT-005")
    size = (f.router_config().get("general_settings") or {}).get("max_request_size_mb")
    return ok and size is not None, f"{text}; router max_request_size_mb={size}"


def _timeouts(f: Facts) -> tuple[bool, str]:
    cfg = f.router_config()
    router = (cfg.get("router_settings") or {}).get("timeout")
    request = (cfg.get("litellm_settings") or {}).get("request_timeout")
    models = cfg.get("model_list") or []
    per_model = sum(1 for m in models if (m.get("litellm_params") or {}).get("timeout"))
    ok = bool(router and request and models and per_model == len(models))
    return ok, f"router timeout={router}, request_timeout={request}, {per_model}/{len(models)} deployments with a timeout"


def _retries(f: Facts) -> tuple[bool, str]:
    settings = f.router_config().get("router_settings") or {}
    retries, policy = settings.get("num_retries"), settings.get("retry_policy") or {}
    ok = bool(retries) and bool(policy)
    return ok, f"router num_retries={retries}, retry_policy for {len(policy)} error classes (LiteLLM retries with backoff)"


def _fallback(f: Facts) -> tuple[bool, str]:
    cfg = f.router_config()
    fallbacks = (cfg.get("router_settings") or {}).get("fallbacks") or []
    downgrades = [m for m in cfg.get("model_list") or [] if (m.get("model_info") or {}).get("downgrade_to")]
    if fallbacks or downgrades:
        return True, f"{len(fallbacks)} fallback chains, {len(downgrades)} budget downgrades in the router config"
    return False, "router fallbacks is empty and no deployment downgrades: nothing to degrade to when the model fails"


def _circuit(f: Facts) -> tuple[bool, str]:
    settings = f.router_config().get("router_settings") or {}
    fails, cooldown = settings.get("allowed_fails"), settings.get("cooldown_time")
    return bool(fails and cooldown), f"router allowed_fails={fails}, cooldown_time={cooldown} (failing deployments cool down)"


def _golden(f: Facts) -> tuple[bool, str]:
    count, files = f.golden_cases()
    if not files:
        return False, "missing: no golden set under evals/ (golden*.jsonl|json|yaml tracked in git)"
    return count >= GOLDEN_MIN_CASES, f"{count} golden cases in {', '.join(files)} (need {GOLDEN_MIN_CASES}+)"


def _cicd(f: Facts) -> tuple[bool, str]:
    text = f.ci_text()
    ok = (f.project_dir / ".ci/run").is_file() and "make test" in text
    if not ok:
        return False, "missing: .ci/run running make test"
    return True, ".ci/run runs make test (lint, types, every rule over dev and prod)"


def _traffic_source(f: Facts) -> str:
    """Where the planned online evaluation job reads live traffic (its ConfigMap), as the tier decided."""
    for n in f.nodes("kubernetes:core/v1:ConfigMap"):
        text = str(((n["inputs"].get("data") or {}).get("config.yaml")) or "")
        if "router_url:" not in text or "sample_size:" not in text:
            continue
        if "sample_bucket:" in text:
            return "live traffic from the evaluation-sample bucket (STK-017 guards it)"
        if "router_log_id:" in text:
            return "live traffic from the router's request log"
        return "the golden set only (the tier keeps no traffic sample)"
    return "no online evaluation job planned"


def _online_eval(f: Facts) -> tuple[bool, str]:
    """Read from the plan: the evaluation CronJob runs the online job (``evals.online``) hardened like the router,
    its own workload identity may post ``genai_quality``, and every quality alarm queries only metrics and
    dimensions the job posts (``evals.contract``)."""
    missing: list[str] = []
    jobs = [n for n in f.nodes(CRONJOB) if any(c.get("command") == COMMAND for c in _containers(n))]
    router = [n for n in f.nodes(DEPLOYMENT) if (n["inputs"].get("metadata") or {}).get("name") == ROUTER_APP]
    if not jobs:
        missing.append(f"the evaluation CronJob (a container running {' '.join(COMMAND)})")
    else:
        missing += _job_hardening(jobs[0], router[0] if router else None)
        account = _pod_spec(jobs[0]).get("serviceAccountName")
        needles = ("use metrics", f"target.metrics.namespace='{contract.QUALITY_NS}'",
                   f"request.principal.service_account='{account}'")
        statements = [str(s) for p in f.nodes("policy") for s in p["inputs"].get("statements") or []]
        if not account or not any(all(x in s for x in needles) for s in statements):
            missing.append(f"a grant letting the job's workload identity post {contract.QUALITY_NS}")
    alarms = [n for n in f.nodes("alarm") if n["inputs"].get("namespace") == contract.QUALITY_NS]
    if not alarms:
        missing.append(f"a quality alarm on {contract.QUALITY_NS}")
    for alarm in alarms:
        problem = _quality_query_problem(alarm["inputs"].get("query"))
        if problem:
            missing.append(f"alarm {alarm['name']} {problem}")
    if missing:
        return False, f"{len(jobs)} evaluation CronJobs, {len(alarms)} quality alarms; missing: {'; '.join(missing)}"
    return True, (f"CronJob {jobs[0]['name']} runs {' '.join(COMMAND)} hardened like the router and may post "
                  f"{contract.QUALITY_NS}; {len(alarms)} quality alarms query only what it posts; it scores "
                  f"{_traffic_source(f)}")


def _pod_spec(node: Mapping[str, Any]) -> Mapping[str, Any]:
    spec = node["inputs"].get("spec") or {}
    template = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") if node["type"] == CRONJOB \
        else spec.get("template")
    return (template or {}).get("spec") or {}


def _containers(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in _pod_spec(node).get("containers") or [] if isinstance(c, Mapping)]


def _job_hardening(job: Mapping[str, Any], router: Mapping[str, Any] | None) -> list[str]:
    """What the job's pod lacks of the router's hardening (non-root, read-only root filesystem, the same
    security contexts, CPU and memory limits)."""
    if router is None or not _containers(router):
        return ["the router Deployment to compare the job's hardening with"]
    (c, *_), rc = _containers(job), _containers(router)[0]
    sc = c.get("securityContext") or {}
    limits = set((c.get("resources") or {}).get("limits") or {})
    out = []
    if sc != rc.get("securityContext") or _pod_spec(job).get("securityContext") != _pod_spec(router).get("securityContext"):
        out.append("the router's container and pod security contexts on the job")
    if sc.get("runAsNonRoot") is not True or sc.get("readOnlyRootFilesystem") is not True:
        out.append("a non-root job with a read-only root filesystem")
    if not {"cpu", "memory"} <= limits:
        out.append("CPU and memory limits on the job")
    return out


def _quality_query_problem(query: Any) -> str | None:
    """Why a quality alarm's query watches something the job does not post (None when it does not)."""
    try:
        conditions = mql.parse(str(query)).conditions
    except mql.MqlError:
        return "has a query that does not parse"
    for cond in conditions:
        if cond.metric not in contract.BY_NAME:
            return "queries a metric the job does not post"
        if not {x.dimension for x in cond.filters} | set(cond.group_by or ()) <= set(contract.DIMENSIONS):
            return "filters on a dimension the job does not post"
    return None


def _budget(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("STK-012")
    rules = f.nodes("budget_rule")
    return ok and bool(rules), f"{len(f.nodes('budget'))} budgets, {len(rules)} alert rules; {text}"


def _rate(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("OCI-API-003")
    return ok, f"{text}; {len(f.nodes('usage_plan'))} API usage plans"


def _attribution(f: Facts) -> tuple[bool, str]:
    costed = [n["inputs"].get("name") for n in f.nodes("tag") if n["inputs"].get("isCostTracking") is True]
    ok, text = f.rules_pass("STK-007")
    return ok and bool(costed), f"cost-tracking tags {', '.join(map(str, costed)) or 'none'}; {text}"


def _tracing(f: Facts) -> tuple[bool, str]:
    """Traces really leave the router: its config names an APM domain's OTLP traces URL and its pod
    has the domain's data key (the file the hooks read, from a Secret volume)."""
    ok, text = f.rules_pass("GENAI-AGT-010")
    telemetry = f.router_config().get("genai_router") or {}
    otel = str(telemetry.get("otel_endpoint") or "")
    missing = []
    if OTLP_PRIVATE_TRACES_PATH not in otel:
        missing.append("the router's otel_endpoint is not an APM OTLP traces URL")
    if not f.router_env_has(APM_DATA_KEY_FILE_ENV):
        missing.append("the router pod gets no APM data key")
    evidence = f"{len(f.nodes('apm'))} APM domains; {text}; "
    evidence += ("router spans to the APM domain's OTLP traces URL with its data key" if not missing
                 else "missing: " + "; ".join(missing))
    return ok and bool(f.nodes("apm")) and not missing, evidence


def _slos(f: Facts) -> tuple[bool, str]:
    slo = [n["name"] for n in f.nodes("alarm") if "-slo-" in n["name"]]
    if not slo:
        return False, "missing: SLO alarms"
    return True, f"{len(slo)} SLO alarms (availability burn, latency, quality, cost, safety)"


def _alerting(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("OCI-LOG-023", "STK-002", "STK-004")
    return ok and bool(f.nodes("alarm")), f"{len(f.nodes('alarm'))} alarms, {len(f.nodes('subscription'))} subscriptions; {text}"


def _prompts(f: Facts) -> tuple[bool, str]:
    files = [p for p in f.repo_files("prompts") if p.is_file()]
    if not files:
        return False, "missing: no prompts/ directory tracked in git"
    versioned = [p for p in files if _SEMVER.search(p.read_text(encoding="utf-8", errors="replace"))]
    return bool(versioned), f"{len(files)} files under prompts/ in git, {len(versioned)} with a semantic version"


def _audit(f: Facts) -> tuple[bool, str]:
    ok, text = f.rules_pass("OCI-LOG-024", "STK-001", "STK-013")
    return ok, f"{len(f.nodes('log'))} service logs; {text} (OCI Audit itself is always on in the tenancy)"


def _runbooks(f: Facts) -> tuple[bool, str]:
    books = f.runbooks()
    ok, text = f.rules_pass("STK-004")
    return ok and len(books) >= MIN_RUNBOOKS, f"{len(books)} runbooks under runbooks/ (need {MIN_RUNBOOKS}+); {text}"


CHECKLIST: tuple[tuple[str, str, bool, Callable[[Facts], tuple[bool, str]]], ...] = (
    ("Security", "RBAC configured", True, _rbac),
    ("Security", "Network isolation", True, _network),
    ("Security", "Secrets management", True, _secrets),
    ("Security", "Input validation", True, _input_validation),
    ("Reliability", "Timeouts configured", True, _timeouts),
    ("Reliability", "Retries with backoff", True, _retries),
    ("Reliability", "Fallback behavior", True, _fallback),
    ("Reliability", "Circuit breakers", False, _circuit),
    ("Quality", "Golden set tests", True, _golden),
    ("Quality", "CI/CD integration", True, _cicd),
    ("Quality", "Online evaluation", False, _online_eval),
    ("Cost", "Budget alerts", True, _budget),
    ("Cost", "Rate limiting", True, _rate),
    ("Cost", "Cost attribution", False, _attribution),
    ("Observability", "Distributed tracing", True, _tracing),
    ("Observability", "SLOs defined", True, _slos),
    ("Observability", "Alerting configured", True, _alerting),
    ("Governance", "Prompt versioning", True, _prompts),
    ("Governance", "Audit logging", True, _audit),
    ("Governance", "Runbooks documented", True, _runbooks),
)


def checklist(facts: Facts) -> list[Item]:
    return [_item(cat, name, req, check, facts) for cat, name, req, check in CHECKLIST]


# ------------------------------------------------------------------------------------------------
# Scorecard
# ------------------------------------------------------------------------------------------------

Level = tuple[str, Callable[[Facts], tuple[bool, str]]]


def _lv_prompts_git(f: Facts) -> tuple[bool, str]:
    files = f.repo_files("prompts")
    return bool(files), f"{len(files)} prompt files in git" if files else "no prompts/ in git"


def _lv_prompts_semver(f: Facts) -> tuple[bool, str]:
    return _prompts(f)


def _lv_promotion(f: Facts) -> tuple[bool, str]:
    ok = "promote" in f.ci_text()
    return ok, "CI promotes prompt versions" if ok else "no automated promotion step in CI"


def _never(what: str) -> Callable[[Facts], tuple[bool, str]]:
    return lambda f: (False, f"not evidenced: {what}")


def _lv_logs(f: Facts) -> tuple[bool, str]:
    enabled = [n for n in f.nodes("log") if n["inputs"].get("isEnabled") is True]
    return bool(enabled), f"{len(enabled)} enabled service logs"


def _lv_traces_metrics(f: Facts) -> tuple[bool, str]:
    ok, text = _tracing(f)
    return ok and bool(f.nodes("alarm")), f"{text}; {len(f.nodes('alarm'))} metric alarms"


def _lv_anomaly(f: Facts) -> tuple[bool, str]:
    anomalous = [n for n in f.nodes("alarm") if "anomaly" in str(n["inputs"].get("query", "")).lower()]
    return bool(anomalous), f"{len(anomalous)} anomaly-detection alarms"


def _lv_golden_any(f: Facts) -> tuple[bool, str]:
    count, files = f.golden_cases()
    return bool(files), f"{count} golden cases" if files else "no golden set under evals/"


def _lv_evals_ci(f: Facts) -> tuple[bool, str]:
    """CI runs the evaluations: named in .ci/run or the Makefile, or as tests under tests/evals that make test's pytest runs."""
    suites = [p for p in f.repo_files("tests/evals") if p.name.startswith("test_") and p.suffix == ".py"]
    text = f.ci_text()
    if "evals" in text or (suites and "pytest" in text and "make test" in text):
        return True, f"make test (CI) runs the evaluation suites ({len(suites)} test files under tests/evals)"
    return False, "CI (.ci/run, Makefile) runs no evaluation suite"


def _lv_bill(f: Facts) -> tuple[bool, str]:
    return bool(f.nodes("budget")), f"{len(f.nodes('budget'))} budgets with {len(f.nodes('budget_rule'))} alert rules"


def _lv_per_request(f: Facts) -> tuple[bool, str]:
    models = f.router_config().get("model_list") or []
    priced = [m for m in models if "pricing_unit" in (m.get("model_info") or {})]
    metering = (f.project_dir / "router/hooks/genai_router_hooks/metering.py").is_file()
    hook = "present" if metering else "missing"
    return bool(priced) and metering, f"{len(priced)}/{len(models)} deployments priced, router metering hook {hook}"


def _lv_budget_enforced(f: Facts) -> tuple[bool, str]:
    capped = [m for m in f.router_config().get("model_list") or [] if (m.get("model_info") or {}).get("max_budget")]
    return bool(capped), f"{len(capped)} deployments with an enforced budget (max_budget)"


def _lv_runbooks(f: Facts) -> tuple[bool, str]:
    return bool(f.runbooks()), f"{len(f.runbooks())} runbooks"


def _lv_detection(f: Facts) -> tuple[bool, str]:
    return _alerting(f)


def _lv_remediation(f: Facts) -> tuple[bool, str]:
    functions = f.nodes("function")
    return bool(functions), f"{len(functions)} remediation functions triggered by alarms or events"


def _lv_manual_review(f: Facts) -> tuple[bool, str]:
    path = f.project_dir / "policies/waivers.yaml"
    if not path.is_file():
        return False, "no waiver review"
    return True, "reviewed waivers (approver, expiry) in policies/waivers.yaml"


def _lv_policy_code(f: Facts) -> tuple[bool, str]:
    mandatory = [x for x in f.findings if x.enforcement == "mandatory"]
    blocking = [x for x in mandatory if x.status in ("fail", "indeterminate")]
    rules = len({x.rule for x in f.findings})
    return bool(mandatory) and not blocking, f"{rules} rules evaluated, {len(blocking)} mandatory failures"


def _lv_automated_compliance(f: Facts) -> tuple[bool, str]:
    from compliance.catalogs import catalogs

    loaded = catalogs()
    ok, text = _cicd(f)
    return ok, f"{len(loaded)} framework catalogs, every rule citation resolved, reports generated from the plan; {text}"


SCORECARD: tuple[tuple[str, tuple[Level, ...]], ...] = (
    ("Versioning", (("Git for prompts", _lv_prompts_git), ("Semantic versioning + registry", _lv_prompts_semver),
                    ("Automated promotion", _lv_promotion), ("ML-selected versions", _never("ML-selected versions")))),
    ("Monitoring", (("Error logs only", _lv_logs), ("Full traces + metrics", _lv_traces_metrics),
                    ("Anomaly detection", _lv_anomaly), ("Predictive alerts", _never("predictive alerting")))),
    ("Evaluation", (("Golden sets", _lv_golden_any), ("Automated in CI/CD", _lv_evals_ci),
                    ("Online A/B tests", _online_eval), ("Continuous learning", _never("continuous learning")))),
    ("Cost Mgmt", (("Bill review", _lv_bill), ("Per-request tracking", _lv_per_request),
                   ("Budget enforcement", _lv_budget_enforced), ("Dynamic optimization", _never("dynamic cost optimization")))),
    ("Incident Response", (("Runbooks", _lv_runbooks), ("Automated detection", _lv_detection),
                           ("Auto-remediation", _lv_remediation), ("Predictive prevention", _never("predictive prevention")))),
    ("Governance", (("Manual review", _lv_manual_review), ("Policy-as-code", _lv_policy_code),
                    ("Automated compliance", _lv_automated_compliance),
                    ("Continuous audit", _never("continuous audit of a live tenancy")))),
)


def scorecard(facts: Facts) -> dict[str, Any]:
    dimensions: list[dict[str, Any]] = []
    for name, levels in SCORECARD:
        score, evidence, missing = 1, [], ""
        for i, (label, check) in enumerate(levels, start=2):
            ok, text = check(facts)
            if not ok:
                missing = f"level {i} ({label}): {text}"
                break
            score = i
            evidence.append(f"level {i} ({label}): {text}")
        dimensions.append({"dimension": name, "score": score, "next": missing,
                           "evidence": evidence or ["level 1: nothing above it evidenced"]})
    total = sum(d["score"] for d in dimensions)
    stage, stage_name = stage_of(total)
    return {"dimensions": dimensions, "total": total, "stage": stage, "stage_name": stage_name}


def evaluate(graph: Mapping[str, Any], findings: Sequence[Finding], project_dir: Path) -> dict[str, Any]:
    facts = Facts(graph, findings, project_dir)
    items = checklist(facts)
    failed_required = [i.name for i in items if i.required and not i.passed]
    return {"stack": graph["stack"], "scorecard": scorecard(facts),
            "checklist": [{"category": i.category, "item": i.name, "required": i.required,
                           "result": "pass" if i.passed else "fail", "evidence": i.evidence} for i in items],
            "verdict": "ready" if not failed_required else "not ready", "blocking": failed_required}


def to_markdown(data: Mapping[str, Any]) -> str:
    sc = data["scorecard"]
    lines = [f"## Maturity scorecard — {data['stack']}: {sc['total']}/30, Stage {sc['stage']} ({sc['stage_name']})", "",
             "| dimension | score | evidence | next level |", "|---|---:|---|---|"]
    for d in sc["dimensions"]:
        lines.append(f"| {d['dimension']} | {d['score']} | {'<br>'.join(d['evidence'])} | {d['next'] or '—'} |")
    lines += ["", f"## Pre-launch readiness — {data['stack']}: **{data['verdict']}**", "",
              "| category | item | required | result | evidence |", "|---|---|---|---|---|"]
    for i in data["checklist"]:
        lines.append(f"| {i['category']} | {i['item']} | {'yes' if i['required'] else 'recommended'} | {i['result']} | "
                     f"{i['evidence']} |")
    if data["blocking"]:
        lines += ["", "Required items failing: " + ", ".join(data["blocking"]) + "."]
    return "\n".join(lines)
