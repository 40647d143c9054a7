"""Data-plane settings (``genai-platform:data``, schema ``stacks/schema/data.json``).

Parses the stack's data object and builds the data plane's inputs (``components/data.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.tiers import TierPolicy
from stacks.settings.common import Report, Secret, tier_minimum

if TYPE_CHECKING:
    from components.data import DataPlaneArgs
    from components.governance import GovernanceFoundation
    from components.network import NetworkPlane
    from stacks.settings import Settings


@dataclass(frozen=True)
class DatabaseSettings:
    ecpu_count: int
    storage_gb: int
    auto_scaling: bool
    backup_retention_days: int
    db_name: str
    rag_user: str
    vector_function: str
    admin_password: Secret | None
    """Only when the stack sets one; otherwise the Vault generates the password."""
    wallet_secret_id: str | None
    """Out-of-band Vault secret with the database's SSO wallet, for the mTLS Database Tools connection."""
    wallet_password: Secret | None
    """Password of the wallet the data plane creates when no wallet secret is named."""


@dataclass(frozen=True)
class CacheSettings:
    """The router replicas' OCI Cache cluster (``data.cache``)."""

    node_count: int
    memory_gbs: float


@dataclass(frozen=True)
class DataSettings:
    customer_managed_keys: bool
    database: DatabaseSettings
    traces_prefix: str
    documents_prefix: str
    access_log_retention_days: int
    data_retention_days: int
    """Age at which traces and noncurrent object versions expire (the tier's retention.dataDays)."""
    cache: CacheSettings


def parse(d: dict[str, Any], tier: TierPolicy, p: Report) -> DataSettings | None:
    """Schema-valid ``data`` object (possibly empty) → settings, or None after reporting every problem."""
    ok = True
    cmk = d.get("customerManagedKeys", True)
    if not cmk and tier.customer_managed_keys:
        p("data.customerManagedKeys",
          f"the {tier.name} tier requires customer-managed keys; allowed: true (or omit it)")
        ok = False
    db = d.get("database", {})
    # Customer-managed-key tiers keep a month of backups at least (recovery after key incidents).
    min_backup = 30 if tier.customer_managed_keys else 7
    backup = db.get("backupRetentionDays", 60 if tier.customer_managed_keys else 7)
    ok &= tier_minimum(p, "data.database.backupRetentionDays", backup, min_backup, tier.name,
                       allowed=f"{min_backup} to 60")
    log_days = d.get("accessLogRetentionDays", tier.retention.log_days)
    ok &= tier_minimum(p, "data.accessLogRetentionDays", log_days, tier.retention.log_days, tier.name)
    buckets = d.get("buckets", {})
    traces = buckets.get("tracesPrefix", "traces/")
    documents = buckets.get("documentsPrefix", "documents/")
    if not ok:
        return None
    password = db.get("adminPassword")
    wallet_password = db.get("walletPassword")
    cache = d.get("cache", {})
    return DataSettings(
        customer_managed_keys=cmk,
        database=DatabaseSettings(
            ecpu_count=db.get("ecpuCount", 2),
            storage_gb=db.get("storageGb", 20),
            auto_scaling=db.get("autoScaling", False),
            backup_retention_days=backup,
            db_name=db.get("dbName", "genaivec"),
            rag_user=db.get("ragUser", "GENAI_RAG"),
            vector_function=db.get("vectorFunction", "GENAI_RETRIEVE"),
            admin_password=Secret(password) if password is not None else None,
            wallet_secret_id=db.get("walletSecretId"),
            wallet_password=Secret(wallet_password) if wallet_password is not None else None,
        ),
        traces_prefix=traces,
        documents_prefix=documents,
        access_log_retention_days=log_days,
        data_retention_days=tier.retention.data_days,
        cache=CacheSettings(node_count=cache.get("nodeCount", 3), memory_gbs=float(cache.get("memoryGbs", 2))),
    )


def data_args(settings: Settings, governance: GovernanceFoundation, network: NetworkPlane) -> DataPlaneArgs:
    """The data plane's inputs: keys and vault from governance, subnet and NSGs from the network."""
    g, d = settings.governance, settings.data
    db = d.database
    return {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "region": settings.region,
        "defined_tags": governance.defined_tags,
        "data_subnet_id": network.subnet_ids["data"],
        "data_nsg_id": network.nsg_ids["data"],
        "model_nsg_id": network.nsg_ids["model"],
        "vault_id": governance.vault_id,
        "data_key_id": governance.key_ids["data"],
        "storage_key_id": governance.key_ids["storage"],
        "secrets_key_id": governance.key_ids["secrets"],
        "data_retention_days": d.data_retention_days,
        "customer_managed_keys": d.customer_managed_keys,
        "ecpu_count": db.ecpu_count,
        "storage_gb": db.storage_gb,
        "auto_scaling": db.auto_scaling,
        "backup_retention_days": db.backup_retention_days,
        "db_name": db.db_name,
        "rag_user": db.rag_user,
        "wallet_secret_id": db.wallet_secret_id,
        "wallet_password": db.wallet_password.reveal() if db.wallet_password else None,
        "admin_password": db.admin_password.reveal() if db.admin_password else None,
        "traces_prefix": d.traces_prefix,
        "access_log_retention_days": d.access_log_retention_days,
        "eval_sample_retention_days": s.retention_days if (s := settings.evaluation.sampling) else None,
        "protect_stateful": g.protect_stateful,
        "cache": {"nsg_id": network.nsg_ids["cache"], "node_count": d.cache.node_count,
                  "memory_gbs": d.cache.memory_gbs},
    }
