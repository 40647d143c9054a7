"""`report`: OSCAL component-definition (the platform as a component, its controls evidenced by which rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blueprint.outputs import OutputFormat, RenderOptions


def render(model: Mapping[str, Any], options: RenderOptions) -> str:
    from compliance.oscal import component_definition, to_json

    return to_json(component_definition(model), "component-definition")


FORMAT = OutputFormat(name="oscal-component", kind="report", suffix=".json", filename="component-definition.json",
                      description="OSCAL component-definition", render=render)
