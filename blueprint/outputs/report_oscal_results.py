"""`report`: OSCAL assessment-results (observations per rule × resource, findings per control)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions


def render(model: Mapping[str, Any], options: RenderOptions) -> str:
    from compliance.oscal import assessment_results, to_json

    return to_json(assessment_results(model), "assessment-results")


FORMAT = OutputFormat(name="oscal-results", kind="report", suffix=".json", filename="assessment-results.json",
                      description="OSCAL assessment-results", render=render)
