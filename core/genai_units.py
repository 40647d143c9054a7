"""Dedicated AI cluster unit shapes: what each serves and what it costs (one home for both).

Read by the model plane's settings (a dedicated model's price per request, stacks/settings/model.py)
and by the deployability rules (the budget covers the clusters' committed hours, DEP-016).

The prices here are list prices. A stack whose tenancy pays contracted rates sets them per shape
(``genai-platform:model.unitPrices``); :func:`unit_hour_usd` is the one place the effective price is
chosen, so metering, budgets, cost order and DEP-016 all use the stack's price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitShape:
    """A hosting dedicated AI cluster unit shape and what OCI charges for one unit of it.

    Shape ↔ model, pricing-page product and unit-price multiplier: "Matching Base Models to Clusters",
    https://docs.oracle.com/en-us/iaas/Content/generative-ai/limitations.htm (e.g. cohere.command-r-plus:
    Large Cohere V2_2, "For Hosting, Multiply the Unit Price: x2"; the embed models: Embed Cohere, x1).
    Unit-hour list prices: the product's "AI Unit Per Hour" line (part number ``part``) of
    https://www.oracle.com/cloud/price-list/ (USD list prices; a stack on contracted rates sets genai-platform:model.unitPrices).
    Shape names: the provider's DedicatedAiCluster unit_shape (oci-go-sdk generativeai/dedicated_ai_cluster.go,
    vendored in https://github.com/oracle/terraform-provider-oci).
    ``evidence`` says, per row, what was read where and when, and what was not re-read.
    """

    mode: str
    """What the cluster's endpoint serves: chat or embedding."""
    product: str
    part: str
    unit_hour_usd: float
    multiplier: int
    """Unit prices one unit of this shape costs."""
    evidence: str
    """Where the shape, multiplier, part number and price were read (and the date), or that they were not."""


#: No Oracle-hosted copy of the price list is readable here: searched 2026-11-26 for B108082-B108085, "AI Unit
#: Per Hour" and the product names (oracle.com/cloud/price-list, the cost estimator's JSON at
#: apexapps.oracle.com/pls/apex/cetools/api/v1/products/, Oracle blog posts and docs): none stored. All four part
#: numbers, product names and prices agree with a third-party copy that says it took every Generative AI rate and
#: part number from Oracle's Cost Estimator catalogue (GENAI_DEDICATED, "AI unit / hour":
#: https://github.com/mangoproxy23/oci-intake-appv2/blob/24f3c52240e0a6a34b41c3c994e2c544ce28a294/oci_catalog.py,
#: read 2026-11-26; the copy DEFAULT_MODEL_PARTS in stacks/settings/model.py cites for the on-demand parts). A
#: secondary source, not Oracle's: after a deploy `blueprint verify <stack> --only prices` reads each part number
#: from Oracle's public catalogue and says which part number or price is wrong (blueprint/verify.py, README "After
#: the first deploy"). Contracted rates differ from these list prices: genai-platform:model.unitPrices.
_PRICE_SECONDARY = ("part number and unit-hour price not read on an Oracle page (searched 2026-11-26); they agree with "
                    "a third-party copy of Oracle's Cost Estimator catalogue (oci_catalog.py GENAI_DEDICATED, above); "
                    "to be verified by `blueprint verify --only prices`")
UNIT_SHAPES: dict[str, UnitShape] = {
    "SMALL_COHERE_V2": UnitShape(
        "chat", "Small Cohere - Dedicated", "B108083", 6.50, 1,
        "limitations.htm (mirror docs.public.oneportal.content.oci.oraclecloud.com, read 2026-11-26): "
        "cohere.command-r-16k 'Unit Size: Small Cohere V2', hosting 'Required Units: 1', 'Pricing Page Product "
        "Name: Small Cohere - Dedicated', no hosting multiplier listed (x1); " + _PRICE_SECONDARY),
    "LARGE_COHERE_V2_2": UnitShape(
        "chat", "Large Cohere - Dedicated", "B108082", 24.00, 2,
        "limitations.htm (same read): cohere.command-r-plus 'Unit Size: Large Cohere V2_2', 'Pricing Page Product "
        "Name: Large Cohere - Dedicated', 'For Hosting, Multiply the Unit Price: x2'; " + _PRICE_SECONDARY),
    "LARGE_GENERIC": UnitShape(
        "chat", "Large Meta - Dedicated", "B108085", 12.00, 2,
        "limitations.htm (same read): meta.llama-3-70b-instruct 'Unit Size: Large Generic', hosting 'Required "
        "Units: 1', 'Pricing Page Product Name: Large Meta - Dedicated', 'For Hosting, Multiply the Unit Price: x2'. "
        "meta.llama-3.3-70b-instruct is benchmarked 'hosted on one Large Generic unit' "
        "(https://docs.oracle.com/en-us/iaas/Content/generative-ai/benchmark-meta-llama-3-3-70b-instruct.htm, read "
        "2026-11-26 on a mirror); its own hosting multiplier was not read: searched again 2026-11-26 (docs and pages "
        "search for limitations.htm's llama-3.3 row and meta-llama-3-3-70b.htm): every stored copy of the model page "
        "(en-us, pt-br, de-de, it-it, fr-ca, fr-fr, ja-jp, es-ww, a mirror) ends before its 'Dedicated AI Cluster for "
        "the Model' table, and no copy of limitations.htm has the llama-3.3 row: x2 stays assumed from the Llama 3 / "
        "3.1 rows; " + _PRICE_SECONDARY),
    "EMBED_COHERE": UnitShape(
        "embedding", "Embed Cohere - Dedicated", "B108084", 10.90, 1,
        "limitations.htm embedding rows (Embed Cohere, x1) not re-read 2026-11-26; " + _PRICE_SECONDARY),
}
#: A hosting cluster commits to at least 744 unit-hours (a month)
#: (https://docs.oracle.com/en-us/iaas/Content/generative-ai/pay-dedicated.htm).
HOSTING_COMMITMENT_HOURS = 744


def unit_hour_usd(unit_shape: str, negotiated: Mapping[str, float] | None = None) -> float:
    """The effective USD price of one unit-hour of a shape: the stack's negotiated price for it
    (``model.unitPrices``), else the list price (``UNIT_SHAPES``)."""
    if negotiated and unit_shape in negotiated:
        return float(negotiated[unit_shape])
    return UNIT_SHAPES[unit_shape].unit_hour_usd


def hourly_usd(unit_shape: str, unit_count: float, negotiated: Mapping[str, float] | None = None) -> float:
    """What a hosting cluster costs per hour: units × the shape's multiplier × its effective unit-hour price."""
    return unit_count * UNIT_SHAPES[unit_shape].multiplier * unit_hour_usd(unit_shape, negotiated)
