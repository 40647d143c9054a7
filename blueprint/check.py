"""`blueprint check`: run every policy rule over a stack's graph, the way security reviewers do in CI.

Exit codes: 0 no mandatory failure; 1 a mandatory rule failed (or was indeterminate, unless
--allow-indeterminate), or a waiver is expired or matches nothing; 2 bad input.
Formats: a table grouped by severity (default), json, sarif (2.1.0) and junit.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import yaml

from blueprint import cli

SEVERITY_ORDER = ("critical", "high", "medium", "low")
WAIVER_SCHEMA = Path(__file__).resolve().parent.parent / "policies" / "waivers.schema.json"


class CheckInputError(Exception):
    """Bad input to check (graph or waiver file); the message names the file and the problem."""


# ------------------------------------------------------------------------------------------------
# Waivers
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    rule: str
    urn: str
    reason: str
    approver: str
    expires: date
    stack: str = "*"

    @property
    def label(self) -> str:
        return f"{self.rule} @ {self.urn}"


def load_waivers(path: Path | None, today: date | None = None) -> list[Waiver]:
    if path is None or not path.exists():
        return []
    import jsonschema

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {"waivers": []}
    except yaml.YAMLError:
        raise CheckInputError(f"{path}: not valid YAML") from None
    # YAML reads an unquoted 2027-03-31 as a date: compare it as the ISO string the schema describes.
    for item in (data.get("waivers") or []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("expires"), date):
            item["expires"] = item["expires"].isoformat()
    schema = json.loads(WAIVER_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise CheckInputError(f"{path}: {where}: does not match the waiver schema ({errors[0].validator} check)")
    out = []
    for item in data.get("waivers", []):
        expires = item["expires"] if isinstance(item["expires"], date) else date.fromisoformat(str(item["expires"]))
        out.append(Waiver(rule=item["rule"], urn=item["urn"], reason=item["reason"], approver=item["approver"],
                          expires=expires, stack=item.get("stack", "*")))
    return out


def apply_waivers(findings: list[Any], waivers: Sequence[Waiver], stack: str, today: date) -> list[Any]:
    """Waived failures become 'waived'; expired or unmatched waivers become failures of their own."""
    from policies.engine import ENGINE, Finding

    used: set[Waiver] = set()
    for finding in findings:
        if finding.status != "fail":
            continue
        for waiver in waivers:
            if waiver.rule == finding.rule and fnmatch.fnmatchcase(finding.urn, waiver.urn) \
                    and fnmatch.fnmatchcase(stack, waiver.stack):
                used.add(waiver)
                if waiver.expires >= today:
                    finding.status = "waived"
                    finding.waiver = f"{waiver.approver} until {waiver.expires.isoformat()}: {waiver.reason}"
                break
    extra = []
    for waiver in waivers:
        if not fnmatch.fnmatchcase(stack, waiver.stack):
            continue
        if waiver.expires < today:
            extra.append(Finding("WAIVER-EXPIRED", ENGINE, waiver.urn, "waiver", "fail", "high",
                                 f"waiver for {waiver.rule} expired on {waiver.expires.isoformat()}; renew or fix",
                                 title="Ensure waivers are within their expiry date"))
        elif waiver not in used:
            extra.append(Finding("WAIVER-UNMATCHED", ENGINE, waiver.urn, "waiver", "fail", "medium",
                                 f"waiver for {waiver.rule} matches no failing finding; remove it",
                                 title="Ensure every waiver still waives something"))
    return findings + extra


# ------------------------------------------------------------------------------------------------
# Running
# ------------------------------------------------------------------------------------------------


@dataclass
class StackResult:
    stack: str
    findings: list[Any]
    resources: int
    seconds: float

    def failing(self, allow_indeterminate: bool) -> list[Any]:
        blocking_statuses = {"fail"} if allow_indeterminate else {"fail", "indeterminate"}
        return [f for f in self.findings if f.enforcement == "mandatory" and f.status in blocking_statuses]


def check_graph_file(graph_path: Path, waivers: Sequence[Waiver], today: date) -> StackResult:
    import time

    from policies.engine import check_graph

    try:
        graph = json.loads(graph_path.read_text(encoding="utf-8"))
        stack = graph["stack"]
        nodes = graph["nodes"]
    except (OSError, ValueError, KeyError, TypeError):
        raise CheckInputError(f"{graph_path}: not a readable resource graph (expected graph.json from `blueprint plan`)") \
            from None
    started = time.perf_counter()
    findings = apply_waivers(check_graph(graph), waivers, stack, today)
    return StackResult(stack, findings, sum(1 for n in nodes if n.get("custom")), time.perf_counter() - started)


def ensure_graph(stack: str, project_dir: Path, out_dir: Path) -> Path:
    """The stack's graph, planning it first (offline) when it is missing or older than its inputs."""
    path = out_dir / stack / "graph.json"
    inputs = [project_dir / f"Pulumi.{stack}.yaml", project_dir / "Pulumi.yaml"]
    inputs += list((project_dir / "components").glob("*.py")) + list((project_dir / "stacks").rglob("*.py"))
    stale = not path.exists() or any(p.exists() and p.stat().st_mtime > path.stat().st_mtime for p in inputs)
    if stale:
        cli.plan_stack(stack, project_dir, out_dir, quiet=True)
    return path


def _plan_and_check(job: tuple[str, str, str, list[Waiver], str]) -> StackResult:
    stack, project_dir, out_dir, waivers, today = job
    import logging

    logging.getLogger("blueprint.engine").addHandler(logging.NullHandler())
    logging.getLogger("blueprint.engine").propagate = False
    path = ensure_graph(stack, Path(project_dir), Path(out_dir))
    return check_graph_file(path, waivers, date.fromisoformat(today))


def run_stacks(stacks: Sequence[str], project_dir: Path, out_dir: Path, waivers: Sequence[Waiver], today: date,
               workers: int = 1) -> list[StackResult]:
    jobs = [(s, str(project_dir), str(out_dir), list(waivers), today.isoformat()) for s in stacks]
    if workers <= 1 or len(jobs) <= 1:
        return [_plan_and_check(job) for job in jobs]
    # spawn, not fork: the parent may hold gRPC/asyncio threads from planning, which fork can deadlock.
    import multiprocessing

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_plan_and_check, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


# ------------------------------------------------------------------------------------------------
# Formats
# ------------------------------------------------------------------------------------------------


def summary(result: StackResult) -> dict[str, Any]:
    counts = Counter(f.status for f in result.findings)
    return {"stack": result.stack, "resources": result.resources, "findings": len(result.findings),
            **{k: counts.get(k, 0) for k in ("pass", "fail", "indeterminate", "not_applicable", "waived")}}


def to_json(results: Sequence[StackResult]) -> str:
    return json.dumps({"results": [{"summary": summary(r), "findings": [f.to_json() for f in r.findings]}
                                   for r in results]}, indent=1, sort_keys=True)


def _sarif_level(finding: Any) -> str:
    if finding.status == "fail":
        return "error" if finding.enforcement == "mandatory" else "warning"
    if finding.status == "indeterminate":
        return "warning"
    return "none"


def to_sarif(results: Sequence[StackResult]) -> str:
    from policies.rules import all_rules

    rules = list(all_rules())
    meta = [{"id": "WAIVER-EXPIRED", "title": "Ensure waivers are within their expiry date", "severity": "high"},
            {"id": "WAIVER-UNMATCHED", "title": "Ensure every waiver still waives something", "severity": "medium"}]
    driver_rules = [{
        "id": r.id, "name": r.id.replace("-", ""), "shortDescription": {"text": r.title},
        "fullDescription": {"text": f"{r.title}. {r.remediation}"}, "help": {"text": r.remediation},
        "defaultConfiguration": {"level": "error" if r.enforcement == "mandatory" else "warning"},
        "properties": {"severity": r.severity, "family": r.family, "tags": list(r.controls)},
    } for r in rules] + [{"id": m["id"], "name": m["id"].replace("-", ""), "shortDescription": {"text": m["title"]},
                          "defaultConfiguration": {"level": "error"}, "properties": {"severity": m["severity"]}}
                         for m in meta]
    index = {r["id"]: i for i, r in enumerate(driver_rules)}
    sarif_results = []
    for result in results:
        for f in result.findings:
            if f.status not in ("fail", "indeterminate", "waived"):
                continue
            item: dict[str, Any] = {
                "ruleId": f.rule, "ruleIndex": index.get(f.rule, 0), "level": _sarif_level(f),
                "kind": "review" if f.status == "indeterminate" else "fail",
                "message": {"text": f.message or f.title},
                "locations": [{"logicalLocations": [{"fullyQualifiedName": f.urn or result.stack, "kind": "resource"}]}],
                "properties": {"stack": result.stack, "severity": f.severity, "resourceType": f.type},
            }
            if f.status == "waived":
                item["suppressions"] = [{"kind": "external", "justification": f.waiver or ""}]
            sarif_results.append(item)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "genai-platform-blueprint", "version": "1.0.0",
                            "informationUri": "https://example.invalid/genai-platform", "rules": driver_rules}},
        "results": sarif_results,
    }]}
    return json.dumps(doc, indent=1)


def to_junit(results: Sequence[StackResult], allow_indeterminate: bool) -> str:
    suites = ET.Element("testsuites", name="blueprint check")
    for result in results:
        relevant = [f for f in result.findings if f.status != "not_applicable"]
        failures = [f for f in relevant if f.status == "fail"]
        errors = [f for f in relevant if f.status == "indeterminate" and not allow_indeterminate]
        suite = ET.SubElement(suites, "testsuite", name=result.stack, tests=str(len(relevant)),
                              failures=str(len(failures)), errors=str(len(errors)), time=f"{result.seconds:.3f}")
        for f in relevant:
            case = ET.SubElement(suite, "testcase", classname=f"{result.stack}.{f.rule}", name=f.urn or result.stack)
            if f.status == "fail":
                ET.SubElement(case, "failure", type=f"{f.severity}/{f.enforcement}", message=f.message).text = f.title
            elif f.status == "indeterminate":
                tag = "skipped" if allow_indeterminate else "error"
                ET.SubElement(case, tag, message=f.message)
            elif f.status == "waived":
                ET.SubElement(case, "skipped", message=f"waived: {f.waiver}")
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def print_table(results: Sequence[StackResult], show_pass: bool, allow_indeterminate: bool) -> None:
    from rich.table import Table

    console = cli._console()
    for result in results:
        s = summary(result)
        shown = [f for f in result.findings if show_pass or f.status in ("fail", "indeterminate", "waived")]
        table = Table(title=f"blueprint check {result.stack}: {s['resources']} resources, {s['findings']} findings",
                      show_lines=False)
        for col in ("severity", "rule", "status", "enforcement", "resource", "what is wrong"):
            table.add_column(col)
        ordered = sorted(shown, key=lambda f: (SEVERITY_ORDER.index(f.severity) if f.severity in SEVERITY_ORDER else 9,
                                               f.rule, f.urn))
        for f in ordered:
            table.add_row(f.severity, f.rule, f.status, f.enforcement, f.urn.rsplit("::", 1)[-1] or result.stack,
                          f.message or f.title)
        if ordered:
            console.print(table)
        blocking = result.failing(allow_indeterminate)
        console.print(f"{result.stack}: {s['pass']} pass, {s['fail']} fail, {s['indeterminate']} indeterminate, "
                      f"{s['waived']} waived, {s['not_applicable']} not applicable — "
                      + ("[red]FAILED[/]" if blocking else "[green]OK[/]") + f" ({len(blocking)} blocking)")


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------


def add_check_command(sub: Any) -> None:
    p = sub.add_parser("check", help="check stacks against every policy rule (exit 1 on a mandatory failure)")
    p.add_argument("stacks", nargs="*", metavar="stack")
    p.add_argument("--graph", type=Path, help="check this graph.json instead of planning a stack")
    p.add_argument("--all", action="store_true", help="every Pulumi.<stack>.yaml, two at a time")
    p.add_argument("--format", choices=("table", "json", "sarif", "junit"), default="table")
    p.add_argument("--output", type=Path, help="write the report here instead of standard output")
    p.add_argument("--waivers", type=Path, default=None, help="waiver file (default: policies/waivers.yaml)")
    p.add_argument("--allow-indeterminate", action="store_true", help="do not fail on mandatory rules left indeterminate")
    p.add_argument("--show-pass", action="store_true", help="list passing findings in the table too")
    p.add_argument("--workers", type=int, default=2, help="processes for --all (default 2)")
    p.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    from blueprint.stackconfig import StackConfigError, list_stacks
    from stacks.settings import SettingsError

    today = date.today()
    err = cli._console(stderr=True)
    try:
        waivers = load_waivers(args.waivers or project_dir / "policies" / "waivers.yaml", today)
        if args.graph:
            results = [check_graph_file(args.graph, waivers, today)]
        else:
            stacks = list_stacks(project_dir) if args.all else args.stacks
            if not stacks:
                err.print("error: name a stack, --graph FILE or --all", markup=False)
                return cli.EXIT_INPUT
            results = run_stacks(stacks, project_dir, out_dir, waivers, today, workers=args.workers if args.all else 1)
    except CheckInputError as exc:
        err.print(f"error: {exc}", markup=False)
        return cli.EXIT_INPUT
    except (SettingsError, StackConfigError) as exc:
        return cli._report_input_error("?", exc)
    report: str | None
    if args.format == "json":
        report = to_json(results)
    elif args.format == "sarif":
        report = to_sarif(results)
    elif args.format == "junit":
        report = to_junit(results, args.allow_indeterminate)
    else:
        report = None
        print_table(results, args.show_pass, args.allow_indeterminate)
    if report is not None:
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(report + "\n", encoding="utf-8")
        else:
            sys.stdout.write(report + "\n")
    return cli.EXIT_FAILED if any(r.failing(args.allow_indeterminate) for r in results) else cli.EXIT_OK


def blocking(results: Iterable[StackResult], allow_indeterminate: bool = False) -> list[Any]:
    return [f for r in results for f in r.failing(allow_indeterminate)]


cli.register(add_check_command)
