"""Kubernetes workloads (pulumi-kubernetes resources): the pod security baseline and its companions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from policies.rules._base import UNKNOWN, Fixture, Rule, get, items, stack_rule

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
WORKLOADS = (DEPLOYMENT, "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job",
             "kubernetes:batch/v1:CronJob", "kubernetes:core/v1:Pod")
#: Workloads that serve until stopped. Liveness and readiness probes are theirs: a Job or CronJob
#: runs to completion and sits behind no Service (a readiness probe gates Service endpoints,
#: https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/), and
#: `activeDeadlineSeconds` bounds a hung run instead of a liveness probe.
LONG_RUNNING = tuple(t for t in WORKLOADS if not t.startswith("kubernetes:batch/"))
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
#: Pod Security Admission's namespace label and the level we enforce
#: (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
PSA_ENFORCE, PSA_LEVEL = "pod-security.kubernetes.io/enforce", "restricted"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
_K8S = ("nist-800-190:4.4", "soc2:CC6.8")
#: CIS Kubernetes Benchmark v1.10 section 5 recommendations each rule evidences (none for probes,
#: replicas, resources or digests, which the benchmark does not cover).
_CIS = {"K8S-POD-001": ("5.2.7",), "K8S-POD-002": ("5.7.3",), "K8S-POD-003": ("5.2.6",), "K8S-POD-004": ("5.2.2",),
        "K8S-POD-005": ("5.2.8", "5.2.9", "5.2.10"), "K8S-POD-010": ("5.7.2",),
        "K8S-POD-011": ("5.2.3", "5.2.4", "5.2.5"), "K8S-POD-013": ("5.7.4", "5.7.1"), "K8S-NET-001": ("5.3.2",),
        "K8S-POD-014": ("5.4.1",), "K8S-PSA-001": ("5.2.1",)}
#: image provenance (digest pins) is SP 800-190's image countermeasure, not a container one
_EXTRA = {"K8S-POD-009": ("nist-800-190:4.1",)}


def _controls(rule_id: str) -> tuple[str, ...]:
    return (*(f"cis-kubernetes-1.10:{c}" for c in _CIS.get(rule_id, ())), *_K8S, *_EXTRA.get(rule_id, ()))


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any]:
    if resource_type == "kubernetes:core/v1:Pod":
        return get(props, "spec") or {}
    if resource_type == "kubernetes:batch/v1:CronJob":
        return get(props, "spec.jobTemplate.spec.template.spec") or {}
    return get(props, "spec.template.spec") or {}


def containers(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return items(spec.get("containers")) + items(spec.get("initContainers"))


def _container_rule(rid: str, title: str, test: Callable[[Mapping[str, Any], Mapping[str, Any]], str | None], *,
                    good: Mapping[str, Any], bad: Mapping[str, Any], severity: str, remediation: str,
                    pod_good: Mapping[str, Any] | None = None, enforcement: str = "mandatory",
                    types: tuple[str, ...] = WORKLOADS) -> Rule:
    """A rule on every container of a workload; ``test(container, pod_spec)`` returns what is wrong or None."""

    def make(container: Mapping[str, Any]) -> dict[str, Any]:
        return {"metadata": {"name": "router", "namespace": "genai-router"},
                "spec": {"replicas": 2.0, "template": {"spec": {**(pod_good or {}), "containers": [
                    {"name": "router", "image": "ghcr.io/x/router@sha256:" + "a" * 64, **container}]}}}}

    class _Check:
        def __call__(self, props: Mapping[str, Any], resource_type: str = DEPLOYMENT) -> Iterable[str]:
            spec = pod_spec(resource_type, props)
            for i, c in enumerate(containers(spec)):
                problem = test(c, spec)
                if problem:
                    yield f"'containers[{i}]' {problem}"

    check = _Check()
    fixtures = {"pass": Fixture(DEPLOYMENT, make(good)), "fail": Fixture(DEPLOYMENT, make(bad)),
                "unknown": Fixture(DEPLOYMENT, {"spec": {"template": {"spec": {"containers": UNKNOWN}}}})}
    return _WorkloadRule(id=rid, title=title, severity=severity, enforcement=enforcement, types=types,
                         remediation=remediation, controls=_controls(rid), check=check, fixtures=fixtures)


class _WorkloadRule(Rule):
    """Workload rules need the resource type to find the pod spec (Pod vs Deployment vs CronJob)."""

    def _validate(self, args: Any, report_violation: Any) -> None:
        if args.resource_type not in self.types:
            args.not_applicable("resource type not targeted")
            return
        for message in self.check(args.props, args.resource_type):
            report_violation(message)


def _sc(container: Mapping[str, Any], spec: Mapping[str, Any], key: str) -> Any:
    value = get(container, f"securityContext.{key}")
    return value if value is not None else get(spec, f"securityContext.{key}")


def _non_root(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    return None if _sc(c, spec, "runAsNonRoot") is True else "may run as root ('securityContext.runAsNonRoot' not true)"


def _read_only(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    ok = get(c, "securityContext.readOnlyRootFilesystem") is True
    return None if ok else "has a writable root filesystem ('securityContext.readOnlyRootFilesystem' not true)"


def _no_escalation(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    ok = get(c, "securityContext.allowPrivilegeEscalation") is False
    return None if ok else "may escalate privileges ('securityContext.allowPrivilegeEscalation' not false)"


def _not_privileged(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    return "is privileged ('securityContext.privileged')" if get(c, "securityContext.privileged") is True else None


def _drop_all(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    dropped = items(get(c, "securityContext.capabilities.drop"))
    return None if "ALL" in dropped else "keeps Linux capabilities ('securityContext.capabilities.drop' lacks ALL)"


def _resources(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    for kind in ("requests", "limits"):
        values = get(c, f"resources.{kind}") or {}
        if "cpu" not in values or "memory" not in values:
            return f"lacks 'resources.{kind}' for cpu and memory"
    return None


def _probe(kind: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], str | None]:
    def test(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
        return None if c.get(kind) else f"has no '{kind}'"
    return test


def _digest(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    image = str(c.get("image") or "")
    return None if "@sha256:" in image else "'image' is not pinned by digest (@sha256:…)"


def _secrets_as_files(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    """Secrets in environment variables leak into child processes, crash dumps and `kubectl describe`
    (https://kubernetes.io/docs/concepts/security/secrets-good-practices/); mount them as files."""
    for i, env in enumerate(items(c.get("env"))):
        if get(env, "valueFrom.secretKeyRef") is not None:
            return f"'env[{i}].valueFrom.secretKeyRef' takes a Secret as an environment variable"
    for i, source in enumerate(items(c.get("envFrom"))):
        if get(source, "secretRef") is not None:
            return f"'envFrom[{i}].secretRef' takes a Secret as environment variables"
    return None


def _psa_restricted(props: Mapping[str, Any], resource_type: str = NAMESPACE) -> Iterable[str]:
    if get(props, "metadata.name") in ("kube-system", "kube-public", "kube-node-lease"):
        return
    labels = get(props, "metadata.labels") or {}
    if labels.get(PSA_ENFORCE) != PSA_LEVEL:
        yield f"'metadata.labels' does not set {PSA_ENFORCE}: {PSA_LEVEL}"


def _seccomp(c: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    profile = _sc(c, spec, "seccompProfile") or {}
    return None if profile.get("type") in ("RuntimeDefault", "Localhost") else "has no RuntimeDefault seccomp profile"


def _host_namespaces(props: Mapping[str, Any], resource_type: str = DEPLOYMENT) -> Iterable[str]:
    spec = pod_spec(resource_type, props)
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key) is True:
            yield f"'{key}' shares the node's namespace with the pod"


def _replicas(props: Mapping[str, Any], resource_type: str = DEPLOYMENT) -> Iterable[str]:
    replicas = get(props, "spec.replicas")
    if replicas is None or float(replicas) < 2:
        yield "'spec.replicas' is below 2: one node or pod failure is an outage"


def _namespace(props: Mapping[str, Any], resource_type: str = DEPLOYMENT) -> Iterable[str]:
    if get(props, "metadata.namespace") in (None, "", "default"):
        yield "'metadata.namespace' is missing or the shared namespace; use a dedicated one"


def _internal_lb(props: Mapping[str, Any], resource_type: str = SERVICE) -> Iterable[str]:
    if get(props, "spec.type") == "LoadBalancer":
        annotations = get(props, "metadata.annotations") or {}
        if str(annotations.get("service.beta.kubernetes.io/oci-load-balancer-internal")).lower() != "true":
            yield "'metadata.annotations' lacks the OCI internal load balancer annotation"


def _workload(props_check: Callable[..., Iterable[str]], rid: str, title: str, types: Sequence[str], passing: Any,
              failing: Any, unknown: Any, severity: str, remediation: str, enforcement: str = "mandatory") -> Rule:
    fixtures = {"pass": Fixture(types[0], passing), "fail": Fixture(types[0], failing),
                "unknown": Fixture(types[0], unknown)}
    return _WorkloadRule(id=rid, title=title, severity=severity, enforcement=enforcement, types=tuple(types),
                         remediation=remediation, controls=_controls(rid), check=props_check, fixtures=fixtures)


def network_policies(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    covered = {get(p.props, "metadata.namespace") for p in resources if p.resource_type == NETWORK_POLICY}
    for r in resources:
        if r.resource_type in WORKLOADS and get(r.props, "metadata.namespace") not in covered:
            yield r.urn, "workload's namespace has no NetworkPolicy"


def _drop_network_policies(graph: dict[str, Any]) -> dict[str, Any]:
    graph["nodes"] = [n for n in graph["nodes"] if n["type"] != NETWORK_POLICY]
    if not any(n["type"] in WORKLOADS for n in graph["nodes"]):
        graph["nodes"].append({"urn": "urn:pulumi:mut::genai-platform::kubernetes:apps/v1:Deployment::m", "type": DEPLOYMENT,
                               "name": "m", "custom": True, "parent": None, "dependencies": [], "propertyDependencies": {},
                               "protect": False, "inputs": {"metadata": {"namespace": "mutant"}}})
    return graph


_META = {"metadata": {"name": "router", "namespace": "genai-router"}}
_SPEC = {"template": {"spec": {"containers": [{"name": "c"}]}}}

RULES: list[Rule] = [
    _container_rule("K8S-POD-001", "Ensure containers run as a non-root user", _non_root,
                    good={"securityContext": {"runAsNonRoot": True, "runAsUser": 10001.0}}, bad={}, severity="high",
                    remediation="Set securityContext.runAsNonRoot=true and a numeric runAsUser."),
    _container_rule("K8S-POD-002", "Ensure containers have a read-only root filesystem", _read_only,
                    good={"securityContext": {"readOnlyRootFilesystem": True}}, bad={"securityContext": {}}, severity="medium",
                    remediation="Set securityContext.readOnlyRootFilesystem=true; mount emptyDir for scratch space."),
    _container_rule("K8S-POD-003", "Ensure containers cannot escalate privileges", _no_escalation,
                    good={"securityContext": {"allowPrivilegeEscalation": False}}, bad={"securityContext": {}},
                    severity="high", remediation="Set securityContext.allowPrivilegeEscalation=false."),
    _container_rule("K8S-POD-004", "Ensure no container runs privileged", _not_privileged,
                    good={"securityContext": {"privileged": False}}, bad={"securityContext": {"privileged": True}},
                    severity="critical", remediation="Remove securityContext.privileged."),
    _container_rule("K8S-POD-005", "Ensure containers drop all Linux capabilities", _drop_all,
                    good={"securityContext": {"capabilities": {"drop": ["ALL"]}}}, bad={"securityContext": {}},
                    severity="medium", remediation="Set securityContext.capabilities.drop=[ALL]; add back only what is needed."),
    _container_rule("K8S-POD-006", "Ensure containers declare CPU and memory requests and limits", _resources,
                    good={"resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                                        "limits": {"cpu": "2", "memory": "2Gi"}}},
                    bad={"resources": {"requests": {"cpu": "500m"}}}, severity="medium",
                    remediation="Set resources.requests and resources.limits for cpu and memory."),
    _container_rule("K8S-POD-007", "Ensure containers have a liveness probe", _probe("livenessProbe"),
                    good={"livenessProbe": {"httpGet": {"path": "/health/liveliness", "port": 4000.0}}}, bad={},
                    severity="medium", remediation="Add a livenessProbe.", types=LONG_RUNNING),
    _container_rule("K8S-POD-008", "Ensure containers have a readiness probe", _probe("readinessProbe"),
                    good={"readinessProbe": {"httpGet": {"path": "/health/readiness", "port": 4000.0}}}, bad={},
                    severity="medium", remediation="Add a readinessProbe so traffic reaches only ready pods.",
                    types=LONG_RUNNING),
    _container_rule("K8S-POD-009", "Ensure container images are pinned by digest", _digest,
                    good={}, bad={"image": "ghcr.io/x/router:latest"}, severity="high",
                    remediation="Reference images as repo@sha256:<digest> (settings hold the digest)."),
    _container_rule("K8S-POD-010", "Ensure containers run with the RuntimeDefault seccomp profile", _seccomp,
                    good={"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}, bad={"securityContext": {}},
                    severity="medium", remediation="Set securityContext.seccompProfile.type=RuntimeDefault."),
    # checkov's CKV_K8S_35 asks the same of manifests; ours sees the planned objects, offline and in preview.
    _container_rule("K8S-POD-014", "Ensure containers receive secrets as mounted files, not environment variables",
                    _secrets_as_files,
                    good={"env": [{"name": "LOG_LEVEL", "value": "INFO"}],
                          "volumeMounts": [{"name": "keys", "mountPath": "/var/run/secrets/app", "readOnly": True}]},
                    bad={"env": [{"name": "SALT", "valueFrom": {"secretKeyRef": {"name": "app", "key": "salt"}}}]},
                    severity="medium",
                    remediation="Mount the Secret as a read-only volume and point the application at the file."),
    _workload(_psa_restricted, "K8S-PSA-001", "Ensure every namespace enforces the restricted pod security standard",
              (NAMESPACE,), {"metadata": {"name": "genai-router", "labels": {PSA_ENFORCE: PSA_LEVEL}}},
              {"metadata": {"name": "genai-router", "labels": {PSA_ENFORCE: "privileged"}}},
              {"metadata": {"name": "genai-router", "labels": UNKNOWN}}, "high",
              f"Label the namespace {PSA_ENFORCE}: {PSA_LEVEL} (and audit/warn at the same level)."),
    _workload(_host_namespaces, "K8S-POD-011", "Ensure pods do not share the node's network, PID or IPC namespace",
              WORKLOADS, {**_META, "spec": _SPEC}, {**_META, "spec": {"template": {"spec": {"hostNetwork": True}}}},
              {**_META, "spec": {"template": {"spec": UNKNOWN}}}, "critical",
              "Remove hostNetwork, hostPID and hostIPC."),
    _workload(_replicas, "K8S-POD-012", "Ensure Deployments run at least two replicas", (DEPLOYMENT,),
              {**_META, "spec": {"replicas": 2.0, **_SPEC}}, {**_META, "spec": {"replicas": 1.0, **_SPEC}},
              {**_META, "spec": {"replicas": UNKNOWN}}, "medium", "Run two or more replicas with a PodDisruptionBudget.",
              enforcement="advisory"),
    _workload(_namespace, "K8S-POD-013", "Ensure workloads do not run in the default namespace", WORKLOADS,
              {**_META, "spec": _SPEC}, {"metadata": {"name": "x", "namespace": "default"}, "spec": _SPEC},
              {"metadata": UNKNOWN}, "low", "Put each workload in its own namespace with its own NetworkPolicies."),
    _workload(_internal_lb, "K8S-SVC-001", "Ensure LoadBalancer services create internal load balancers", (SERVICE,),
              {"metadata": {"annotations": {"service.beta.kubernetes.io/oci-load-balancer-internal": "true"}},
               "spec": {"type": "LoadBalancer"}},
              {"metadata": {"annotations": {}}, "spec": {"type": "LoadBalancer"}},
              {"metadata": UNKNOWN, "spec": {"type": "LoadBalancer"}}, "critical",
              "Annotate service.beta.kubernetes.io/oci-load-balancer-internal: 'true' (public entry is the WAF LB)."),
    stack_rule("K8S-NET-001", "Ensure every namespace with workloads has a NetworkPolicy", network_policies,
               passing=[Fixture(DEPLOYMENT, _META, name="urn:d"),
                        Fixture(NETWORK_POLICY, {"metadata": {"namespace": "genai-router"}}, name="urn:np")],
               failing=[Fixture(DEPLOYMENT, _META, name="urn:d")],
               unknown=[Fixture(DEPLOYMENT, {"metadata": UNKNOWN}, name="urn:d")],
               mutate=_drop_network_policies, severity="high",
               remediation="Add a default-deny NetworkPolicy and explicit allows for the namespace.",
               controls=_controls("K8S-NET-001")),
]
