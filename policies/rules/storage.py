"""Storage, databases and keys (CIS OCI Foundations 3.1 sections 4.16 and 5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.markers import SECRET_MARKER
from policies.rules._base import UNKNOWN, Rule, custom_rule, prop_rule

BUCKET = "oci:ObjectStorage/bucket:Bucket"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
KEY = "oci:Kms/key:Key"
SECRET = "oci:Vault/secret:Secret"

_DATA = ("soc2:CC6.1", "soc2:C1.1", "iso27001-2022:A.8.24", "nist-800-53r5:SC-28", "hipaa:164.312(a)(2)(iv)", "pci-dss:3.5",
         "gdpr:Art.32")


def _aes256(props: Mapping[str, Any]) -> Iterable[str]:
    shape = props.get("keyShape") or {}
    if shape.get("algorithm") != "AES" or float(shape.get("length") or 0) < 32:
        yield "'keyShape' is not AES with a 256-bit (32-byte) key"


def _rotation(props: Mapping[str, Any]) -> Iterable[str]:
    if props.get("isAutoRotationEnabled"):
        days = (props.get("autoKeyRotationDetails") or {}).get("rotationIntervalInDays")
        if days is None or float(days) > 365:
            yield "'autoKeyRotationDetails.rotationIntervalInDays' is missing or longer than 365 days"


def _adb_private(props: Mapping[str, Any]) -> Iterable[str]:
    if not props.get("subnetId"):
        yield "'subnetId' is not set: the database has a public endpoint"
    if props.get("whitelistedIps"):
        yield "'whitelistedIps' opens the public endpoint to listed addresses"


def _adb_vault_password(props: Mapping[str, Any]) -> Iterable[str]:
    if not props.get("secretId"):
        yield "'secretId' is not set: the admin password should come from a Vault secret"
    if props.get("adminPassword") is not None:
        yield "'adminPassword' is set; use 'secretId' so no password is in the stack state"


RULES: list[Rule] = [
    prop_rule("OCI-STO-001", "Ensure no Object Storage bucket is publicly visible", (BUCKET,), "accessType",
              lambda v: v == "NoPublicAccess", good="NoPublicAccess", bad="ObjectRead", expectation="NoPublicAccess",
              severity="critical", remediation="Set access_type='NoPublicAccess'; share objects with pre-authenticated requests.",
              controls=("cis-oci-3.1:5.1.1", *_DATA)),
    prop_rule("OCI-STO-002", "Ensure Object Storage buckets are encrypted with a customer-managed key", (BUCKET,),
              "kmsKeyId", lambda v: bool(v), good="ocid1.key.oc1.fra.x", bad="", expectation="a Vault key OCID",
              severity="medium", enforcement="advisory", remediation="Set kms_key_id to the governance vault's storage key.",
              controls=("cis-oci-3.1:5.1.2", *_DATA)),
    prop_rule("OCI-STO-003", "Ensure versioning is enabled for Object Storage buckets", (BUCKET,), "versioning",
              lambda v: v == "Enabled", good="Enabled", bad="Disabled", expectation="Enabled", severity="medium",
              remediation="Set versioning='Enabled' (lifecycle rules expire noncurrent versions at the tier's retention).",
              controls=("cis-oci-3.1:5.1.3", "soc2:A1.2", "nist-800-53r5:CP-9", "hipaa:164.312(c)(1)")),
    prop_rule("OCI-STO-004", "Ensure Object Storage buckets emit object events", (BUCKET,), "objectEventsEnabled",
              lambda v: v is True, good=True, bad=False, expectation="true", severity="low",
              remediation="Set object_events_enabled=True so ingestion and audit pipelines see every change.",
              controls=("soc2:CC7.2", "nist-800-53r5:AU-12")),
    custom_rule("OCI-DB-001", "Ensure Autonomous Databases are reachable only through a private endpoint", (ADB,), _adb_private,
                severity="critical", remediation="Set subnet_id (data subnet) and nsg_ids; leave whitelisted_ips empty.",
                controls=("cis-oci-3.1:2.8", "soc2:CC6.6", "nist-800-53r5:SC-7", "iso27001-2022:A.8.22"),
                passing={"subnetId": "ocid1.subnet.oc1.fra.x"}, failing={"whitelistedIps": ["0.0.0.0/0"]},
                unknown={"subnetId": UNKNOWN}),
    prop_rule("OCI-DB-002", "Ensure Autonomous Databases require mutual TLS", (ADB,), "isMtlsConnectionRequired",
              lambda v: v is True, good=True, bad=False, expectation="true", severity="high",
              remediation="Set is_mtls_connection_required=True.", controls=("nist-800-53r5:SC-8", "soc2:CC6.7", "hipaa:164.312(e)(2)(ii)", "pci-dss:4.2")),
    custom_rule("OCI-DB-003", "Ensure the Autonomous Database admin password comes from a Vault secret", (ADB,),
                _adb_vault_password, severity="high",
                remediation="Generate the password into a Vault secret and pass secret_id/secret_version_number.",
                controls=("soc2:CC6.1", "nist-800-53r5:IA-5"),
                passing={"secretId": "ocid1.vaultsecret.oc1.fra.x"}, failing={"adminPassword": SECRET_MARKER},
                unknown={"secretId": UNKNOWN}),
    prop_rule("OCI-DB-004", "Ensure Autonomous Database backups are kept at least 7 days", (ADB,),
              "backupRetentionPeriodInDays", lambda v: float(v) >= 7, good=30.0, bad=1.0, expectation="at least 7 days",
              severity="medium", remediation="Set backup_retention_period_in_days to 7 or more.",
              controls=("soc2:A1.2", "nist-800-53r5:CP-9")),
    custom_rule("OCI-KMS-001", "Ensure master encryption keys are AES-256", (KEY,), _aes256, severity="medium",
                remediation="Use key_shape {algorithm: AES, length: 32}.", controls=("nist-800-53r5:SC-12", "soc2:CC6.1"),
                passing={"keyShape": {"algorithm": "AES", "length": 32.0}},
                failing={"keyShape": {"algorithm": "AES", "length": 16.0}}, unknown={"keyShape": UNKNOWN}),
    custom_rule("OCI-KMS-002", "Ensure customer-managed keys rotate at least every 365 days", (KEY,), _rotation,
                severity="medium", remediation="Enable auto-rotation (virtual private vaults) with an interval of 365 days or less.",
                controls=("cis-oci-3.1:4.16", "nist-800-53r5:SC-12", "iso27001-2022:A.8.24", "pci-dss:3.7"),
                passing={"isAutoRotationEnabled": True, "autoKeyRotationDetails": {"rotationIntervalInDays": 90.0}},
                failing={"isAutoRotationEnabled": True, "autoKeyRotationDetails": {"rotationIntervalInDays": 400.0}},
                unknown={"isAutoRotationEnabled": UNKNOWN}),
    prop_rule("OCI-KMS-003", "Ensure Vault secrets are encrypted with a vault key", (SECRET,), "keyId",
              lambda v: bool(v), good="ocid1.key.oc1.fra.x", bad="", expectation="a Vault key OCID", severity="high",
              remediation="Set key_id to the governance vault's secrets key.", controls=_DATA),
]
