"""Settings of the data and model planes: defaults from the tier, one tested error per wrong value."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.genai_units import UNIT_SHAPES
from core.problems import Problem, SettingsError
from core.tiers import load_matrix
from stacks.settings import Settings, validate
from stacks.settings.model import default_catalog
from tests.conftest import raw_stack_config

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _raw(stack: str) -> dict[str, Any]:
    return raw_stack_config(stack)[0]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out.get(k, {}), v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _settings(stack: str = "prod", over: dict[str, Any] | None = None) -> Settings:
    return validate(_merge(_raw(stack), over or {}), region="eu-frankfurt-1", project="genai-platform", stack=stack)


def _problems(stack: str, over: dict[str, Any]) -> list[Problem]:
    with pytest.raises(SettingsError) as err:
        _settings(stack, over)
    return err.value.problems


# --------------------------------------------------------------------------------------------
# Defaults derived from the tier
# --------------------------------------------------------------------------------------------


def test_prod_and_dev_read_their_data_and_model_keys() -> None:
    prod, dev = _settings("prod"), _settings("dev")
    assert (prod.data.database.ecpu_count, dev.data.database.ecpu_count) == (8, 2)
    assert (prod.data.database.backup_retention_days, dev.data.database.backup_retention_days) == (60, 7)
    assert [(c.name, c.mode, c.unit_count) for c in prod.model.dedicated_clusters] == [
        ("command-r-plus", "chat", 2), ("llama-3.3-70b", "chat", 1), ("embed-multilingual", "embedding", 1)]
    assert dev.model.dedicated_clusters == ()
    assert prod.model.embedding_model == dev.model.embedding_model == "embed-multilingual"


@pytest.mark.parametrize("tier", ["public", "internal", "confidential", "restricted"])
def test_defaults_follow_the_tier(tier: str) -> None:
    raw = _raw("prod")
    raw["classification"] = tier
    raw["network"]["flowLogRetentionDays"] = 180
    raw["operations"]["logRetentionDays"] = 180
    del raw["data"], raw["model"]
    s = validate(raw, region="eu-frankfurt-1", project="p", stack="prod")
    policy = load_matrix()[tier]
    assert s.data.customer_managed_keys is True  # secure default in every tier
    assert s.data.data_retention_days == policy.retention.data_days
    assert s.data.access_log_retention_days == policy.retention.log_days
    assert s.data.database.backup_retention_days == (60 if policy.customer_managed_keys else 7)
    assert s.model.private_endpoint is policy.private_endpoints_only
    # Tiers whose only serving mode is a dedicated cluster get a chat cluster by default (confidential, restricted).
    only_dedicated = tuple(policy.allowed_serving) == ("dedicated-cluster",)
    assert [c.mode for c in s.model.dedicated_clusters] == (["chat"] if only_dedicated else [])
    assert s.model.agent is not None and s.model.agent.human_input is policy.human_input_required
    assert {e.serving for e in s.model.catalog} <= set(policy.allowed_serving)
    assert (s.orchestration.router.namespace, s.orchestration.router.service_account) == ("genai-router", "genai-router")


def test_default_catalogue_per_tier() -> None:
    m = load_matrix()
    assert {(e.serving, e.mode) for e in default_catalog(m["public"])} == {("on-demand", "chat"), ("on-demand", "embedding")}
    assert {e.serving for e in default_catalog(m["internal"])} == {"on-demand"}
    assert default_catalog(m["confidential"]) == default_catalog(m["restricted"]) == ()


def test_a_dedicated_model_is_priced_from_its_cluster() -> None:
    """Unit-hours × the shape's multiplier × its unit price, spread over the planned requests per hour."""
    (primary, fallback, embed) = _settings("prod").model.dedicated_clusters
    shape = UNIT_SHAPES["LARGE_COHERE_V2_2"]
    assert primary.hourly_usd == pytest.approx(2 * shape.multiplier * shape.unit_hour_usd)
    entry = primary.catalog_entry()
    assert (entry.serving, entry.pricing_unit) == ("dedicated-cluster", "requests")
    assert entry.price == pytest.approx(primary.hourly_usd / 36000, rel=1e-5)
    assert (fallback.mode, embed.mode) == ("chat", "embedding")


def test_a_negotiated_unit_price_reprices_the_dedicated_model_and_nothing_else() -> None:
    """model.unitPrices: the shape's unit-hour price for metering (and so budgets, cost order, the SLO)."""
    listed = _settings("prod")
    negotiated = _settings("prod", {"model": {"unitPrices": {"LARGE_COHERE_V2_2": 15.0}}})
    (primary, fallback, embed) = negotiated.model.dedicated_clusters
    shape = UNIT_SHAPES["LARGE_COHERE_V2_2"]
    assert negotiated.model.unit_prices == {"LARGE_COHERE_V2_2": 15.0}
    assert primary.hourly_usd == pytest.approx(2 * shape.multiplier * 15.0)
    assert primary.catalog_entry().price == pytest.approx(2 * shape.multiplier * 15.0 / 36000, rel=1e-5)
    assert primary.catalog_entry().price < listed.model.dedicated_clusters[0].catalog_entry().price
    # Shapes the stack does not override keep their list price.
    assert (fallback.hourly_usd, embed.hourly_usd) == (listed.model.dedicated_clusters[1].hourly_usd,
                                                       listed.model.dedicated_clusters[2].hourly_usd)
    assert listed.model.unit_prices == {}


def test_public_may_opt_out_of_customer_managed_keys() -> None:
    s = _settings("dev", {"classification": "public", "data": {"customerManagedKeys": False}})
    assert s.data.customer_managed_keys is False


def test_admin_password_is_wrapped_as_secret() -> None:
    s = _settings("dev", {"data": {"database": {"adminPassword": "Not-shown-123456"}}})
    assert s.data.database.admin_password is not None
    assert "Not-shown" not in repr(s.data.database)


def test_catalogue_entries_are_read() -> None:
    entry = {"name": "fast", "modelId": "cohere.command-r-08-2024", "serving": "on-demand", "price": 0.0015,
             "pricingUnit": "characters", "mode": "chat", "rpm": 60, "tpm": 100000}
    # dev canaries command-r (genai-platform:evaluation.modelCanary): canary the new catalogue's model instead
    s = _settings("dev", {"model": {"catalog": [entry]}, "evaluation": {"modelCanary": {"model": "fast"}}})
    assert [e.to_json() for e in s.model.catalog] == [entry]


# --------------------------------------------------------------------------------------------
# One error per wrong value of every new key
# --------------------------------------------------------------------------------------------

_GOOD = {"name": "m", "modelId": "cohere.command-r-08-2024", "serving": "on-demand", "price": 1,
         "pricingUnit": "characters"}
_CLUSTER = {"name": "primary", "modelId": "cohere.command-r-plus-08-2024", "unitShape": "LARGE_COHERE_V2_2"}

#: (stack, override, expected problem path, words the message must contain)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # data
    ("prod", {"data": {"customerManagedKeys": False}}, "data.customerManagedKeys", "requires customer-managed keys"),
    ("dev", {"data": {"customerManagedKeys": "yes"}}, "data.customerManagedKeys", "true or false"),
    ("dev", {"data": {"database": {"ecpuCount": 1}}}, "data.database.ecpuCount", "out of range"),
    ("dev", {"data": {"database": {"ecpuCount": 2.5}}}, "data.database.ecpuCount", "whole number"),
    ("dev", {"data": {"database": {"storageGb": 10}}}, "data.database.storageGb", "out of range"),
    ("dev", {"data": {"database": {"autoScaling": 1}}}, "data.database.autoScaling", "true or false"),
    ("dev", {"data": {"database": {"backupRetentionDays": 61}}}, "data.database.backupRetentionDays", "out of range"),
    ("dev", {"data": {"database": {"backupRetentionDays": 3}}}, "data.database.backupRetentionDays", "7 to 60"),
    ("prod", {"data": {"database": {"backupRetentionDays": 14}}}, "data.database.backupRetentionDays", "30 to 60"),
    ("dev", {"data": {"database": {"dbName": "1db"}}}, "data.database.dbName", "a letter followed by"),
    ("dev", {"data": {"database": {"ragUser": "rag"}}}, "data.database.ragUser", "upper-case database user"),
    ("dev", {"data": {"database": {"vectorFunction": "drop table;"}}}, "data.database.vectorFunction",
     "PL/SQL function name"),
    ("dev", {"data": {"database": {"walletSecretId": "ocid1.key.oc1..x"}}}, "data.database.walletSecretId",
     "Vault secret OCID"),
    ("dev", {"data": {"database": {"adminPassword": "short"}}}, "data.database.adminPassword", "wrong length"),
    ("dev", {"data": {"database": {"walletPassword": "short1"}}}, "data.database.walletPassword", "at least 8 characters"),
    ("dev", {"data": {"database": {"walletPassword": "onlyletters"}}}, "data.database.walletPassword",
     "with a letter and a digit or special character"),
    ("dev", {"data": {"database": {"sku": "x"}}}, "data.database", "unknown key 'sku'"),
    ("dev", {"data": {"buckets": {"tracesPrefix": "Traces"}}}, "data.buckets.tracesPrefix", "ending in '/'"),
    ("dev", {"data": {"buckets": {"documentsPrefix": "/docs/"}}}, "data.buckets.documentsPrefix", "ending in '/'"),
    ("dev", {"data": {"accessLogRetentionDays": 45}}, "data.accessLogRetentionDays", "allowed: 30, 60"),
    ("prod", {"data": {"accessLogRetentionDays": 60}}, "data.accessLogRetentionDays", "at least 90"),
    # model
    ("prod", {"model": {"privateEndpoint": False}}, "model.privateEndpoint", "private endpoints only"),
    # private-endpoint serving cannot be deployed (OCI's private endpoints front dedicated clusters only).
    ("dev", {"model": {"catalog": [{**_GOOD, "serving": "private-endpoint"}]}},
     "model.catalog[0].serving", 'not an allowed value; allowed: "on-demand"'),
    ("dev", {"model": {"dnsPrefix": "Genai"}}, "model.dnsPrefix", "lower-case letter"),
    ("dev", {"classification": "restricted", "network": {"flowLogRetentionDays": 180},
             "operations": {"logRetentionDays": 180},
             "orchestration": {"imageSigningKeyId": "ocid1.key.oc1.eu-frankfurt-1.aaaaaaaaexamplesigningkey",
                               "router": {"replicas": 2}},
             "governance": {"vault": {"protectionMode": "HSM", "type": "VIRTUAL_PRIVATE", "rotationDays": 90}},
             "data": {"database": {"backupRetentionDays": 30}},
             "model": {"dedicatedClusters": []}},
     "model.dedicatedClusters", "only from dedicated AI clusters"),
    ("prod", {"model": {"dedicatedClusters": [{**_CLUSTER, "unitShape": "EMBED_COHERE"}]}}, "model.dedicatedClusters",
     "at least one chat cluster"),
    ("dev", {"model": {"dedicatedClusters": [{**_CLUSTER, "unitShape": "HUGE"}]}},
     "model.dedicatedClusters[0].unitShape", "not an allowed value"),
    ("dev", {"model": {"dedicatedClusters": [{**_CLUSTER, "unitCount": 0}]}}, "model.dedicatedClusters[0].unitCount",
     "out of range"),
    ("dev", {"model": {"dedicatedClusters": [{**_CLUSTER, "plannedRequestsPerHour": 0}]}},
     "model.dedicatedClusters[0].plannedRequestsPerHour", "out of range"),
    ("dev", {"model": {"dedicatedClusters": [{**_CLUSTER, "modelId": "Bad Model"}]}},
     "model.dedicatedClusters[0].modelId", "OCI base model name"),
    ("dev", {"model": {"dedicatedClusters": [{k: v for k, v in _CLUSTER.items() if k != "unitShape"}]}},
     "model.dedicatedClusters[0]", "missing required key 'unitShape'"),
    ("dev", {"model": {"dedicatedClusters": [_CLUSTER, _CLUSTER]}}, "model.dedicatedClusters[1].name", "duplicate"),
    ("dev", {"model": {"dedicatedClusters": [{**_CLUSTER, "name": "m"}], "catalog": [_GOOD]}},
     "model.catalog[0].name", "duplicate"),
    ("prod", {"model": {"catalog": [_GOOD]}}, "model.catalog[0].serving", "not allowed for the confidential tier"),
    ("dev", {"model": {"catalog": [{**_GOOD, "serving": "dedicated-cluster"}]}}, "model.catalog[0].serving",
     "not an allowed value"),
    ("dev", {"model": {"catalog": [{**_GOOD, "mode": "rerank"}]}}, "model.catalog[0].mode", "not an allowed value"),
    ("dev", {"model": {"catalog": [_GOOD, _GOOD]}}, "model.catalog[1].name", "duplicate"),
    ("dev", {"model": {"catalog": []}}, "model.catalog", "wrong number of items"),
    ("dev", {"model": {"catalog": [{k: v for k, v in _GOOD.items() if k != "price"}]}}, "model.catalog[0]",
     "missing required key 'price'"),
    # Cost tiers are derived from prices, never labelled by hand.
    ("dev", {"model": {"catalog": [{**_GOOD, "costTier": "economy"}]}}, "model.catalog[0]", "unknown key 'costTier'"),
    ("dev", {"model": {"catalog": [{**_GOOD, "name": "Big Model"}]}}, "model.catalog[0].name", "lower-case logical"),
    ("dev", {"model": {"catalog": [{**_GOOD, "modelId": "x y"}]}}, "model.catalog[0].modelId", "OCI model name"),
    ("dev", {"model": {"catalog": [{**_GOOD, "serving": "batch"}]}}, "model.catalog[0].serving",
     "not an allowed value"),
    ("dev", {"model": {"catalog": [{**_GOOD, "price": -1}]}}, "model.catalog[0].price", "out of range"),
    ("dev", {"model": {"catalog": [{**_GOOD, "pricingUnit": "requests"}]}}, "model.catalog[0].pricingUnit",
     "not an allowed value"),
    ("dev", {"model": {"catalog": [{**_GOOD, "rpm": 0}]}}, "model.catalog[0].rpm", "out of range"),
    ("dev", {"model": {"catalog": [{**_GOOD, "tpm": "many"}]}}, "model.catalog[0].tpm", "whole number"),
    ("dev", {"model": {"agent": {"enabled": "no"}}}, "model.agent.enabled", "true or false"),
    ("dev", {"model": {"agent": {"sessionIdleTimeoutSeconds": 60}}}, "model.agent.sessionIdleTimeoutSeconds",
     "out of range"),
    ("prod", {"model": {"agent": {"humanInput": False}}}, "model.agent.humanInput", "requires human input"),
    ("dev", {"model": {"agent": {"traceRetentionMinutes": 10}}}, "model.agent.traceRetentionMinutes", "out of range"),
    # The router's identity lives in orchestration.router, beside the cluster it runs on.
    ("dev", {"model": {"router": {"namespace": "llm"}}}, "model", "unknown key 'router'"),
    ("dev", {"model": {"serving": "on-demand"}}, "model", "unknown key 'serving'"),
]


@pytest.mark.parametrize(("stack", "override", "path", "words"), CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_wrong_value_is_reported_at_its_key(stack: str, override: dict[str, Any], path: str, words: str) -> None:
    problems = _problems(stack, override)
    paths = [p.path for p in problems]
    assert f"genai-platform:{path}" in paths, paths
    message = next(p.message for p in problems if p.path == f"genai-platform:{path}")
    assert words in message
    assert len(problems) == 1, problems


def test_messages_never_echo_the_value() -> None:
    secretish = "Sup3r-Secret-Value-XYZ-long-enough-to-fail-the-length-check"
    problems = _problems("dev", {"data": {"database": {"adminPassword": secretish, "ragUser": secretish}}})
    assert len(problems) == 2
    for p in problems:
        assert secretish not in str(p)


def test_matrix_guardrail_modes_are_schema_checked(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "policies" / "classification.yaml").read_text(encoding="utf-8"))
    raw["tiers"]["internal"]["guardrails"]["pii"]["output"] = "IGNORE"
    del raw["tiers"]["public"]["humanInputRequired"]
    bad = tmp_path / "classification.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_matrix(bad)
    paths = {p.path for p in err.value.problems}
    assert "classification.yaml:tiers.internal.guardrails.pii.output" in paths
    assert "classification.yaml:tiers.public" in paths
