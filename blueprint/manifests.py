"""`blueprint manifests <stack>`: the Kubernetes objects of a stack's graph as plain manifests.

Reads ``out/<stack>/graph.json`` (planning the stack first when it is missing), turns every
``kubernetes:*`` resource node's inputs into a manifest (``out/<stack>/manifests/NN-<kind>-<name>.yaml``)
and validates each against the Kubernetes API schemas (``kubernetes-validate``) of the cluster's
Kubernetes version, taken from the stack's settings. When the package ships no schemas for that
minor version, the newest shipped version at or below it is used and the command says so; a
cluster newer than anything shipped by more than one minor version is an error, not a silent pass.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from blueprint.console import EXIT_FAILED, EXIT_INPUT, EXIT_OK, console
from blueprint.graph import Graph
from core.markers import SECRET_MARKER, UNKNOWN_MARKER

#: Manifests are applied in this order (namespaces first, then what lives in them).
KIND_ORDER = ("Namespace", "ServiceAccount", "ConfigMap", "NetworkPolicy", "Deployment", "Service",
              "HorizontalPodAutoscaler", "PodDisruptionBudget")
#: How many minor versions the schemas may lag the cluster before validation is refused.
MAX_MINOR_LAG = 1


class ManifestError(Exception):
    """A graph's Kubernetes objects cannot be written as valid manifests."""


def manifests_of(graph: Graph) -> list[dict[str, Any]]:
    """Every Kubernetes object in the graph as a manifest dict (apiVersion, kind, metadata, ...)."""
    objects = []
    for node in graph.resources():
        if not node.type.startswith("kubernetes:") or node.type.startswith("pulumi:providers:"):
            continue
        obj = {k: v for k, v in node.inputs.items() if k not in ("apiVersion", "kind")}
        manifest = {"apiVersion": node.inputs["apiVersion"], "kind": node.inputs["kind"], **_ints(obj)}
        problems = list(_markers(manifest))
        if problems:
            raise ManifestError(f"{node.urn}: {', '.join(problems)} cannot be written to a manifest")
        objects.append(manifest)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    objects.sort(key=lambda m: (order.get(m["kind"], len(order)), m["metadata"].get("namespace", ""), m["metadata"]["name"]))
    return objects


def _ints(value: Any) -> Any:
    """The engine hands numbers over as floats; Kubernetes wants integers where they are whole."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def _markers(value: Any, path: str = "") -> Iterable[str]:
    if value in (SECRET_MARKER, UNKNOWN_MARKER):
        yield f"{path or '.'} ({'a secret' if value == SECRET_MARKER else 'an unknown value'})"
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _markers(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _markers(v, f"{path}[{i}]")


def schema_version(cluster_version: str) -> str:
    """The kubernetes-validate schema version to validate a cluster of ``cluster_version`` (v1.33.1) against."""
    from kubernetes_validate import utils

    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", cluster_version)
    if not match:
        raise ManifestError(f"cannot read the Kubernetes version '{cluster_version}'")
    wanted = (int(match.group(1)), int(match.group(2)))
    shipped = sorted({tuple(int(x) for x in v.split(".")[:2]) for v in utils.all_versions()})
    exact = [v for v in shipped if v == wanted]
    if exact:
        return f"{wanted[0]}.{wanted[1]}.0"
    older = [v for v in shipped if v < wanted]
    if older and wanted[0] == older[-1][0] and wanted[1] - older[-1][1] <= MAX_MINOR_LAG:
        return f"{older[-1][0]}.{older[-1][1]}.0"
    raise ManifestError(
        f"kubernetes-validate ships no schemas for Kubernetes {wanted[0]}.{wanted[1]} "
        f"(shipped: {shipped[0][0]}.{shipped[0][1]} to {shipped[-1][0]}.{shipped[-1][1]}); upgrade the pinned package")


def validate_manifests(manifests: Iterable[Mapping[str, Any]], version: str) -> list[str]:
    """Schema problems, one line per object (kind/name: message); empty when all validate (strict)."""
    import kubernetes_validate

    problems = []
    for m in manifests:
        try:
            kubernetes_validate.validate(dict(m), version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(p) for p in exc.path) or "."
            problems.append(f"{m['kind']}/{m['metadata']['name']}: {where}: {exc.message}")
    return problems


def write_manifests(manifests: list[dict[str, Any]], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.yaml"):
        old.unlink()
    paths = []
    for i, m in enumerate(manifests, start=1):
        path = directory / f"{i:02d}-{m['kind'].lower()}-{m['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(m, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def cluster_version(graph: Graph) -> str:
    """The Kubernetes version of the stack's OKE cluster (set from orchestration.kubernetesVersion)."""
    versions = {n.inputs.get("kubernetesVersion") for n in graph.by_type("oci:ContainerEngine/cluster:Cluster")}
    if len(versions) != 1 or not isinstance(next(iter(versions)), str):
        raise ManifestError("the graph has no single OKE cluster with a known kubernetesVersion")
    return str(next(iter(versions)))


def run(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    from blueprint.console import report_input_error
    from blueprint.graph import GraphFormatError
    from blueprint.planning import run_plan
    from blueprint.stackconfig import StackConfigError, stack_out_dir
    from core.inputs import escape

    stack = args.stack
    try:
        graph_path = stack_out_dir(out_dir, stack) / "graph.json"
    except StackConfigError as exc:
        return report_input_error(stack, exc)
    if args.replan or not graph_path.is_file():
        code = run_plan([stack], project_dir, out_dir, preview=False, diagrams=False)
        if code:
            return code
    out, err = console(), console(stderr=True)
    try:
        graph = Graph.read(graph_path)
        wanted = cluster_version(graph)
        version = schema_version(wanted)
        manifests = manifests_of(graph)
    except GraphFormatError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    except ManifestError as exc:
        err.print(f"error: stack '{escape(stack)}': {exc}", markup=False)
        return EXIT_INPUT
    if not manifests:
        err.print(f"error: stack '{escape(stack)}': the graph has no Kubernetes objects", markup=False)
        return EXIT_INPUT
    if version.rsplit(".", 1)[0] != ".".join(wanted.lstrip("v").split(".")[:2]):
        out.print(f"note: no schemas for Kubernetes {wanted}; validating against {version}")
    paths = write_manifests(manifests, graph_path.parent / "manifests")
    problems = validate_manifests(manifests, version)
    for problem in problems:
        err.print(f"invalid: {problem}", markup=False)
    out.print(f"wrote {len(paths)} manifests to {graph_path.parent / 'manifests'} "
                  f"(Kubernetes {wanted}, validated against the {version} schemas: {len(problems)} problem(s))")
    return EXIT_FAILED if problems else EXIT_OK


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("manifests", help="write the stack's Kubernetes objects as validated manifests (out/<stack>/manifests)")
    p.add_argument("stack")
    p.add_argument("--replan", action="store_true", help="plan the stack again even if out/<stack>/graph.json exists")
    p.set_defaults(handler=run)

