"""Classification tiers and the matrix that says what each requires (``policies/classification.yaml``).

The matrix is data, kept beside the policy rules that check plans against it; this module is its
one loader. Settings take their defaults and minimums from it, the governance plane tags every
resource with its tier, and the ``CLS-*`` rules read the same rows: change a tier in the YAML and
all three follow.

Importing this module needs only the standard library (the router's own venv imports ``Tier``);
the loader imports PyYAML and jsonschema when first called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, get_args

Tier = Literal["public", "internal", "confidential", "restricted"]
#: The tiers, least to most sensitive.
TIERS: tuple[str, ...] = get_args(Tier)

ROOT = Path(__file__).resolve().parent.parent
MATRIX_PATH = ROOT / "policies" / "classification.yaml"
MATRIX_SCHEMA_PATH = ROOT / "policies" / "classification.schema.json"

#: Strength orders of the matrix's vault settings: a stack may ask for more than its tier, never less.
PROTECTION_ORDER: Mapping[str, int] = {"SOFTWARE": 0, "HSM": 1}
VAULT_TYPE_ORDER: Mapping[str, int] = {"DEFAULT": 0, "VIRTUAL_PRIVATE": 1}
GUARDRAIL_MODE_ORDER: Mapping[str, int] = {"INFORM": 0, "BLOCK": 1}


@dataclass(frozen=True)
class Retention:
    log_days: int
    data_days: int
    audit_archive_days: int


@dataclass(frozen=True)
class Guardrails:
    """Agent endpoint guardrail modes of a tier: INFORM (detect and report) or BLOCK (refuse)."""

    content_moderation_input: str
    content_moderation_output: str
    prompt_injection_input: str
    pii_input: str
    pii_output: str


TRAFFIC_STORES: tuple[str, ...] = ("request-log", "sample-bucket", "none")
"""Where the online evaluation job finds live traffic (the matrix's ``trafficSample.store``)."""
REQUEST_LOG, SAMPLE_BUCKET = "request-log", "sample-bucket"


@dataclass(frozen=True)
class TrafficSample:
    """A tier's decision on evaluation samples of live traffic (``trafficSample`` in the matrix)."""

    store: str
    """``request-log`` (the request log already holds the text), ``sample-bucket`` (a sampled copy in a
    private, short-lived bucket under the tier's data controls) or ``none`` (golden set only)."""
    max_rate: float
    """Largest share of answered requests a stack may sample."""
    max_retention_days: int
    """Longest a sample may live before the bucket's lifecycle rule deletes it."""


@dataclass(frozen=True)
class TierPolicy:
    """One row of the classification matrix (policies/classification.yaml)."""

    name: str
    customer_managed_keys: bool
    private_endpoints_only: bool
    public_api_allowed: bool
    vault_protection_mode: str
    vault_type: str
    key_rotation_max_days: int
    allowed_serving: tuple[str, ...]
    prompt_logging: str
    image_signature_verification: bool
    regions: tuple[str, ...]
    retention: Retention
    guardrails: Guardrails
    human_input_required: bool
    traffic_sample: TrafficSample
    operating_model: Mapping[str, str]
    """The tier's row of the operating model's classification table (allowedModels, logging, controls)."""
    rationale: Mapping[str, str]
    """Matrix key → why this tier's value deliberately differs from the operating model's row."""


@cache
def load_matrix(path: Path = MATRIX_PATH) -> Mapping[str, TierPolicy]:
    """The classification matrix, schema-checked; a broken matrix is a SettingsError too."""
    import json

    from core.inputs import InputError
    from core.problems import Problem, SettingsError
    from core.schema import StrictDraft202012
    from core.schema_errors import describe, dotted
    from core.yamlsafe import load_yaml

    try:  # the bounded reader: duplicate keys, alias bombs, deep nesting, bad files are one line
        raw = load_yaml(path)
    except InputError as exc:
        where = exc.file + (f":{exc.line}" if exc.line is not None else "") + (f":{exc.where}" if exc.where else "")
        raise SettingsError([Problem(where, f"cannot read the classification matrix ({exc.message})")]) from None
    schema = json.loads(MATRIX_SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(StrictDraft202012(schema).iter_errors(raw), key=lambda e: [str(p) for p in e.path])
    if errors:
        raise SettingsError([Problem(f"{path.name}:{dotted(e.absolute_path)}", describe(e)) for e in errors])
    tiers: dict[str, TierPolicy] = {}
    for name, row in raw["tiers"].items():
        tiers[name] = TierPolicy(
            name=name,
            customer_managed_keys=row["customerManagedKeys"],
            private_endpoints_only=row["privateEndpointsOnly"],
            public_api_allowed=row["publicApiAllowed"],
            vault_protection_mode=row["vault"]["protectionMode"],
            vault_type=row["vault"]["type"],
            key_rotation_max_days=row["keyRotationMaxDays"],
            allowed_serving=tuple(row["allowedServing"]),
            prompt_logging=row["promptLogging"],
            image_signature_verification=row["imageSignatureVerification"],
            regions=tuple(row["regions"]),
            retention=Retention(
                log_days=row["retention"]["logDays"],
                data_days=row["retention"]["dataDays"],
                audit_archive_days=row["retention"]["auditArchiveDays"],
            ),
            guardrails=Guardrails(
                content_moderation_input=row["guardrails"]["contentModeration"]["input"],
                content_moderation_output=row["guardrails"]["contentModeration"]["output"],
                prompt_injection_input=row["guardrails"]["promptInjection"]["input"],
                pii_input=row["guardrails"]["pii"]["input"],
                pii_output=row["guardrails"]["pii"]["output"],
            ),
            human_input_required=row["humanInputRequired"],
            traffic_sample=TrafficSample(
                store=row["trafficSample"]["store"],
                max_rate=float(row["trafficSample"]["maxRate"]),
                max_retention_days=row["trafficSample"]["maxRetentionDays"],
            ),
            operating_model=dict(row["operatingModel"]),
            rationale=dict(row.get("rationale", {})),
        )
    return tiers
