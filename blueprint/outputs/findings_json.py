"""`check --format json`: per stack a summary and every finding, with the controls its rule evidences."""

from __future__ import annotations

import json
from collections.abc import Sequence

from blueprint.outputs import OutputFormat, RenderOptions
from policies.findings import StackResult


def render(results: Sequence[StackResult], options: RenderOptions) -> str:
    return json.dumps({"results": [{"summary": r.summary(), "findings": [f.to_json() for f in r.findings]}
                                   for r in results]}, indent=1, sort_keys=True)


FORMAT = OutputFormat(name="json", kind="findings", suffix=".json", description="findings as JSON", render=render)
