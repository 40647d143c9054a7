"""`report`: the framework's compliance model itself, as JSON (what every other report format renders)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions


def render(model: Mapping[str, Any], options: RenderOptions) -> str:
    return json.dumps(model, indent=1, sort_keys=True)


FORMAT = OutputFormat(name="json", kind="report", suffix=".json", filename="report.json",
                      description="the compliance model (JSON)", render=render)
