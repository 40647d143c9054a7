"""The classification matrix (policies/classification.yaml) against the operating model's table.

Each tier quotes its operating-model row (allowed models, logging, OCI controls). A value that
departs from what the row asks must carry a ``rationale`` beside it; a rationale must explain a
real departure (no stale notes). The operating model's words are mapped to matrix keys here, in one
place, so a tier edited against the table fails until the edit is explained.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from core.tiers import TIERS, TierPolicy, load_matrix

pytestmark = pytest.mark.policy

MATRIX = load_matrix()

_LOGGING = {"Full": "full", "Metadata": "metadata", "Audit only": "audit-only"}


def _departures(policy: TierPolicy, below: TierPolicy | None) -> dict[str, bool]:
    """Matrix key → does this tier's value depart from its operating-model row?"""
    row = policy.operating_model
    controls, models = row["controls"], row["allowedModels"]
    out = {"promptLogging": policy.prompt_logging != _LOGGING[row["logging"]],
           # The row decides evaluation samples only through its logging: where it logs in full, the
           # request log is the sample; a separate sample store (or none) is the matrix's own decision.
           "trafficSample": policy.traffic_sample.store != "request-log"}
    if controls == "Private endpoints":
        out["privateEndpointsOnly"] = not policy.private_endpoints_only
        out["publicApiAllowed"] = policy.public_api_allowed
    if controls == "Customer keys":
        out["customerManagedKeys"] = not policy.customer_managed_keys
    if controls == "Data residency":
        # Residency: fewer regions than the tier below, never more.
        out["regions"] = below is not None and not set(policy.regions) < set(below.regions)
    if models == "Dedicated cluster":
        out["allowedServing"] = tuple(policy.allowed_serving) != ("dedicated-cluster",)
    elif models not in ("All", "OCI-hosted only"):
        out["allowedServing"] = True  # a product the platform does not provision: always a departure
    return out


def _tiers() -> list[tuple[TierPolicy, TierPolicy | None]]:
    return [(MATRIX[name], MATRIX[TIERS[i - 1]] if i else None) for i, name in enumerate(TIERS)]


@pytest.mark.parametrize("policy,below", _tiers(), ids=list(TIERS))
def test_every_departure_from_the_operating_model_is_explained(policy: TierPolicy, below: TierPolicy | None) -> None:
    unexplained = [key for key, departs in _departures(policy, below).items() if departs and key not in policy.rationale]
    assert not unexplained, f"{policy.name}: departs from the operating model without a rationale: {unexplained}"


@pytest.mark.parametrize("policy,below", _tiers(), ids=list(TIERS))
def test_every_rationale_explains_a_real_departure(policy: TierPolicy, below: TierPolicy | None) -> None:
    departures = _departures(policy, below)
    stale = [key for key in policy.rationale if not departures.get(key)]
    assert not stale, f"{policy.name}: rationale for a value that matches the operating model: {stale}"


def test_traffic_is_read_from_the_request_log_only_where_it_holds_the_text() -> None:
    """A tier whose store is the request log logs prompts in full; a tier keeping a sample bucket caps
    its rate and retention above zero; a tier with no store samples nothing."""
    for name in TIERS:
        t = MATRIX[name].traffic_sample
        if t.store == "request-log":
            assert MATRIX[name].prompt_logging == "full", name
        elif t.store == "sample-bucket":
            assert 0 < t.max_rate <= 1 and t.max_retention_days >= 1, name
        else:
            assert (t.max_rate, t.max_retention_days) == (0, 0), name
    assert [MATRIX[n].traffic_sample.store for n in TIERS] == ["request-log", "sample-bucket", "sample-bucket", "none"]


def test_the_operating_models_rows_are_the_ones_quoted() -> None:
    """The table as the operating model states it (its Data Classification and Handling section)."""
    assert {name: dict(MATRIX[name].operating_model) for name in TIERS} == {
        "public": {"allowedModels": "All", "logging": "Full", "controls": "Standard"},
        "internal": {"allowedModels": "OCI-hosted only", "logging": "Metadata", "controls": "Private endpoints"},
        "confidential": {"allowedModels": "Dedicated cluster", "logging": "Audit only", "controls": "Customer keys"},
        "restricted": {"allowedModels": "Private Agent Factory", "logging": "Audit only", "controls": "Data residency"},
    }


def test_no_tier_allows_a_serving_mode_oci_cannot_deploy() -> None:
    """A Generative AI private endpoint fronts endpoints on a hosting dedicated AI cluster only."""
    for name in TIERS:
        assert "private-endpoint" not in MATRIX[name].allowed_serving, name


@pytest.mark.parametrize("mutate,key", [
    (lambda p: {"prompt_logging": "metadata"}, "promptLogging"),
    (lambda p: {"customer_managed_keys": False}, "customerManagedKeys"),
    (lambda p: {"allowed_serving": ("on-demand", "dedicated-cluster")}, "allowedServing"),
])
def test_an_unexplained_edit_to_confidential_is_caught(mutate: Callable[[TierPolicy], Mapping[str, object]],
                                                        key: str) -> None:
    from dataclasses import replace

    confidential = MATRIX["confidential"]
    edited = replace(confidential, **mutate(confidential))  # type: ignore[arg-type]
    assert _departures(edited, MATRIX["internal"])[key]
    assert key not in edited.rationale
