"""Every path and command the release runbooks name exists and works as written.

quality-degradation and model-timeout walk on-call through a rollback by configuration: this test
reads their code spans and checks each one against the repository: files and directories exist;
`.venv/bin/blueprint ...` lines parse with the real CLI and name golden sets and prompt versions
that exist; `pulumi config set --path KEY VALUE` lines name keys of the stack schema and, applied
to the prod stack file, leave a valid configuration; `kubectl` lines name the workloads the stack
deploys; `oci monitoring` lines query our namespaces with valid MQL; `python -m` modules import.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from blueprint.cli import build_parser
from blueprint.stackconfig import settings_for
from components import mql
from components.online_eval import APP as EVAL_APP
from components.router_workload import APP as ROUTER_APP
from prompts import registry
from tests.conftest import ROOT

RUNBOOKS = ("quality-degradation", "model-timeout")
OUR_NAMESPACES = ("genai_router", "genai_quality", "genai_safety", "oci_generativeai")
_SPAN = re.compile(r"```sh\n(.*?)```|`([^`\n]+)`", re.DOTALL)
_PATH = re.compile(r"(?<![\w/.$-])((?:prompts|evals|runbooks|router|stacks|components|blueprint|tests)/[\w./-]*"
                   r"|Pulumi\.\w+\.yaml)")
ENV = {"$STACK": "prod", "$NS": "genai-router", "$C": "ocid1.compartment.oc1..x"}


def commands(runbook: str) -> list[str]:
    """Shell commands of a runbook: fenced sh blocks (continuations joined) and inline code spans."""
    text = (ROOT / "runbooks" / f"{runbook}.md").read_text(encoding="utf-8")
    out: list[str] = []
    for block, inline in _SPAN.findall(text):
        if block:
            out += [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]
        else:
            out.append(inline.strip())
    return out


def _expand(cmd: str) -> str:
    for var, value in ENV.items():
        cmd = cmd.replace(var, value)
    return cmd


@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_named_paths_exist(runbook: str) -> None:
    for cmd in commands(runbook):
        for path in _PATH.findall(cmd):
            if "<" in path:
                continue
            assert (ROOT / path.rstrip(".,")).exists(), f"{runbook}: {path} does not exist"


@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_blueprint_commands_parse_and_name_real_versions(runbook: str) -> None:
    found = [c for c in commands(runbook) if c.startswith(".venv/bin/blueprint ")]
    assert found or runbook == "model-timeout"
    for cmd in found:
        argv = shlex.split(_expand(cmd))[1:]
        args = build_parser().parse_args(argv)  # SystemExit (argparse error) fails the test
        if args.command == "eval":
            assert args.golden.is_file() or (ROOT / args.golden).is_file(), cmd
            use_case = Path(args.golden).stem
            for version in args.compare or ():
                registry.get(use_case, version)


def _set_path(doc: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        doc = doc.setdefault(k, {})
    doc[keys[-1]] = value


def _get(doc: dict[str, Any], keys: list[str]) -> Any:
    for k in keys:
        if not isinstance(doc, dict) or k not in doc:
            return None
        doc = doc[k]
    return doc


@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_config_commands_apply_to_the_stacks_that_run_them(runbook: str, tmp_path: Path) -> None:
    """Each `pulumi config set --path` names a real key; applied to every stack file that has the
    object it changes (e.g. the canary being rolled back), the configuration stays valid."""
    import yaml

    found = [c for c in commands(runbook) if c.startswith("pulumi config set --path")]
    assert found, f"{runbook}: the rollback is a config change; no pulumi config set command"
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for cmd in found:
        argv = shlex.split(cmd)
        key, value = argv[4], argv[5]
        assert argv[6:] == ["-s", "$STACK"], cmd
        namespace, _, path = key.partition(":")
        assert namespace == "genai-platform", cmd
        top, *rest = path.split(".")
        applied = 0
        for stack_file in sorted(ROOT.glob("Pulumi.*.yaml")):
            if stack_file.name == "Pulumi.yaml":
                continue
            doc = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
            section = doc["config"].get(f"genai-platform:{top}")
            if _get(section, rest[:-1]) is None:
                continue  # this stack has nothing of that kind to change
            _set_path(section, ".".join(rest), yaml.safe_load(value))
            (tmp_path / stack_file.name).write_text(yaml.safe_dump(doc), encoding="utf-8")
            settings_for(tmp_path, stack_file.name.split(".")[1])  # SettingsError names a bad key or value
            applied += 1
        assert applied, f"{runbook}: no stack has {key.rsplit('.', 1)[0]}; the command changes nothing"


@pytest.mark.parametrize("runbook", RUNBOOKS)
def test_kubectl_and_oci_commands_name_what_the_stack_deploys(runbook: str) -> None:
    workloads = {f"deployment/{ROUTER_APP}", f"cronjob/{EVAL_APP}"}
    for cmd in commands(runbook):
        if cmd.startswith("kubectl"):
            for ref in re.findall(r"\b(?:deployment|cronjob)/[\w-]+", cmd):
                assert ref in workloads, f"{runbook}: {ref} is not deployed"
            assert "-n genai-router" in _expand(cmd)
        if cmd.startswith("oci monitoring"):
            ns = re.search(r"--namespace (\S+)", cmd)
            query = re.search(r"--query-text '([^']+)'", cmd)
            assert ns and ns.group(1) in OUR_NAMESPACES, cmd
            assert query is not None
            mql.parse(query.group(1) + " >= 0", for_alarm=False)
        if cmd.startswith(".venv/bin/python -m "):
            assert importlib.util.find_spec(cmd.split()[2]) is not None, cmd
