"""Dedicated AI cluster unit shapes: what each serves and what it costs (one home for both).

Read by the model plane's settings (a dedicated model's price per request, stacks/settings/model.py)
and by the deployability rules (the budget covers the clusters' committed hours, DEP-016).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitShape:
    """A hosting dedicated AI cluster unit shape and what OCI charges for one unit of it.

    Shape ↔ model, pricing-page product and unit-price multiplier: "Matching Base Models to Clusters",
    https://docs.oracle.com/en-us/iaas/Content/generative-ai/limitations.htm (e.g. cohere.command-r-plus:
    Large Cohere V2_2, "For Hosting, Multiply the Unit Price: x2"; the embed models: Embed Cohere, x1).
    Unit-hour list prices: the product's "AI Unit Per Hour" line (part number ``part``) of
    https://www.oracle.com/cloud/price-list/ (USD, read November 2026; negotiated rates differ: check yours).
    Shape names: the provider's DedicatedAiCluster unit_shape (oci-go-sdk generativeai/dedicated_ai_cluster.go,
    vendored in https://github.com/oracle/terraform-provider-oci).
    """

    mode: str
    """What the cluster's endpoint serves: chat or embedding."""
    product: str
    part: str
    unit_hour_usd: float
    multiplier: int
    """Unit prices one unit of this shape costs."""


UNIT_SHAPES: dict[str, UnitShape] = {
    "SMALL_COHERE_V2": UnitShape("chat", "Small Cohere - Dedicated", "B108083", 6.50, 1),
    "LARGE_COHERE_V2_2": UnitShape("chat", "Large Cohere - Dedicated", "B108082", 24.00, 2),
    "LARGE_GENERIC": UnitShape("chat", "Large Meta - Dedicated", "B108085", 12.00, 2),
    "EMBED_COHERE": UnitShape("embedding", "Embed Cohere - Dedicated", "B108084", 10.90, 1),
}
#: A hosting cluster commits to at least 744 unit-hours (a month)
#: (https://docs.oracle.com/en-us/iaas/Content/generative-ai/pay-dedicated.htm).
HOSTING_COMMITMENT_HOURS = 744


def hourly_usd(unit_shape: str, unit_count: float) -> float:
    """What a hosting cluster costs per hour: units × the shape's multiplier × its unit-hour price."""
    shape = UNIT_SHAPES[unit_shape]
    return unit_count * shape.multiplier * shape.unit_hour_usd
