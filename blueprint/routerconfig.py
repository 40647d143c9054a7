"""`blueprint router-config <stack>`: print the LiteLLM proxy config the stack deploys.

The config comes from the stack's settings (router inputs) rendered by router/render.py; the
deploy-time OCIDs (compartment, dedicated endpoints) come from the stack's offline plan.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from blueprint.console import EXIT_INPUT, EXIT_OK, console, report_input_error


def add_command(sub: Any) -> None:
    p = sub.add_parser("router-config", help="print the inference router's LiteLLM config for a stack")
    p.add_argument("stack")
    p.add_argument("--output", type=Path, help="write it here instead of standard output")
    p.set_defaults(handler=run)


def render_for(stack: str, project_dir: Path, out_dir: Path) -> str:
    from blueprint.graph import load_graph_json
    from blueprint.planning import ensure_graph
    from blueprint.stackconfig import settings_for
    from stacks.router import router_config

    settings = settings_for(project_dir, stack)
    outputs = load_graph_json(ensure_graph(stack, project_dir, out_dir)).get("outputs", {})
    return router_config(settings, compartment_ocid=outputs.get("compartmentId", ""),
                         dedicated_endpoint_ocids=outputs.get("dedicatedEndpointIds") or {},
                         apm_data_upload_endpoint=outputs.get("apmDataUploadEndpoint", ""))


def run(args: argparse.Namespace, project_dir: Path, out_dir: Path) -> int:
    from blueprint.graph import GraphFormatError
    from blueprint.stackconfig import StackConfigError
    from core.inputs import escape
    from core.problems import SettingsError

    try:
        text = render_for(args.stack, project_dir, out_dir)
    except (SettingsError, StackConfigError) as exc:
        return report_input_error(args.stack, exc)
    except GraphFormatError as exc:
        console(stderr=True).print(f"error: {exc}", markup=False)
        return EXIT_INPUT
    except ValueError as exc:  # the catalogue breaks the tier: named by the renderer, no values
        console(stderr=True).print(f"error: stack '{escape(args.stack)}': {exc}", markup=False)
        return EXIT_INPUT
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK

