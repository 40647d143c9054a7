"""Data & retrieval plane over the four tiers: vector database, Database Tools, buckets, protection."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from blueprint import canned
from blueprint.engine import _SECRET_SIG, _SIG_KEY
from blueprint.graph import Graph
from blueprint.stackconfig import DELETE
from components.data import cwallet_sso
from core.buckets import SAMPLE_BUCKET_ROLE
from core.markers import SECRET_MARKER
from core.tiers import load_matrix
from tests.components.tiers import REGION, TIERS, ocid, one, plane_nodes, tier_graph
from tests.conftest import accepts_defined_tags, plan_variant

pytestmark = pytest.mark.integration

ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
LIFECYCLE = "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy"
LOG = "oci:Logging/log:Log"
SECRET = "oci:Vault/secret:Secret"
KEY = "oci:Kms/key:Key"
NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
SUBNET = "oci:Core/subnet:Subnet"
DBTOOLS_PE = "oci:DatabaseTools/databaseToolsPrivateEndpoint:DatabaseToolsPrivateEndpoint"
DBTOOLS_CONN = "oci:DatabaseTools/databaseToolsConnection:DatabaseToolsConnection"
WALLET = "oci:Database/autonomousDatabaseWallet:AutonomousDatabaseWallet"
COMPARTMENT = "oci:Identity/compartment:Compartment"


def _net(graph: Graph, kind: str, role: str) -> str:
    return ocid(one(graph, kind, f"-{role}"))


@pytest.mark.parametrize("tier", TIERS)
def test_vector_database_is_private_mtls_23ai_on_ecpu(tier: str) -> None:
    g = tier_graph(tier)
    adb = one(g, ADB, "-data-adb").inputs
    assert adb["dbVersion"] == "23ai"  # VECTOR type and AI Vector Search
    assert adb["computeModel"] == "ECPU" and adb["computeCount"] == 8.0
    assert adb["dataStorageSizeInGb"] == 512.0
    assert adb["isMtlsConnectionRequired"] is True
    assert adb["subnetId"] == _net(g, SUBNET, "network-subnet-data")
    assert adb["nsgIds"] == [_net(g, NSG, "network-nsg-data")]
    assert adb["backupRetentionPeriodInDays"] == 60.0
    assert adb["isBackupRetentionLocked"] is True
    assert "adminPassword" not in adb
    assert adb["secretId"] == ocid(one(g, SECRET, "-secret-adb-admin"))
    assert adb["secretVersionNumber"] == 1.0


def test_router_cache_is_private_tls_in_the_data_subnet_behind_its_own_nsg() -> None:
    """OCI Cache (shared budgets, tenant limits, response cache): one non-sharded Valkey cluster in the
    data subnet whose NSG admits the router pods' NSG on 6379 and nothing else (TLS is the service's only mode)."""
    g = tier_graph("confidential")
    cache = one(g, "oci:Redis/redisCluster:RedisCluster", "-data-cache").inputs
    assert cache["clusterMode"] == "NONSHARDED" and cache["softwareVersion"] == "VALKEY_7_2"
    assert cache["subnetId"] == _net(g, SUBNET, "network-subnet-data")
    cache_nsg = _net(g, NSG, "network-nsg-cache")
    assert cache["nsgIds"] == [cache_nsg]
    names = {ocid(n): n.name.rsplit("-nsg-", 1)[1] for n in g.by_type(NSG)}
    rules = [r.inputs for r in g.by_type("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule")
             if r.inputs["networkSecurityGroupId"] == cache_nsg]
    assert [(r["direction"], names.get(r["source"]), r["tcpOptions"]["destinationPortRange"]) for r in rules] == [
        ("INGRESS", "pods", {"min": 6379.0, "max": 6379.0})]


def test_data_nsg_admits_only_pods_model_and_bastion_on_1522() -> None:
    g = tier_graph("confidential")
    data_nsg = _net(g, NSG, "network-nsg-data")
    names = {ocid(n): n.name.rsplit("-nsg-", 1)[1] for n in g.by_type(NSG)}
    ingress = [r.inputs for r in g.by_type("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule")
               if r.inputs["networkSecurityGroupId"] == data_nsg and r.inputs["direction"] == "INGRESS"]
    peers = sorted(names.get(r["source"], r["source"]) for r in ingress)
    assert peers == ["10.20.1.16/28", "model", "pods"]  # bastion subnet, model NSG, pods NSG
    assert all(r["tcpOptions"]["destinationPortRange"] == {"min": 1522.0, "max": 1522.0} for r in ingress)


@pytest.mark.parametrize("tier", TIERS)
def test_customer_managed_keys_where_the_matrix_requires(tier: str) -> None:
    g = tier_graph(tier)
    required = load_matrix()[tier].customer_managed_keys
    adb = one(g, ADB, "-data-adb").inputs
    buckets = [b.inputs for b in plane_nodes(g, "data") if b.type == BUCKET]
    # documents, outputs, archive; and the evaluation samples where the tier keeps them in a bucket
    assert len(buckets) == 3 + (load_matrix()[tier].traffic_sample.store == "sample-bucket")
    storage_key = ocid(one(g, KEY, "-key-storage"))
    if required or tier != "public":  # only the public variant opts out (its tier allows it)
        assert adb["kmsKeyId"] == ocid(one(g, KEY, "-key-data"))
        assert adb["vaultId"] == ocid(one(g, "oci:Kms/vault:Vault", "-vault"))
        assert all(b["kmsKeyId"] == storage_key for b in buckets)
    else:
        assert "kmsKeyId" not in adb and all("kmsKeyId" not in b for b in buckets)


@pytest.mark.parametrize("tier", TIERS)
def test_buckets_private_versioned_evented_logged_and_expiring(tier: str) -> None:
    g = tier_graph(tier)
    days = str(load_matrix()[tier].retention.data_days)
    logs = {n.inputs["configuration"]["source"]["resource"]: n.inputs for n in plane_nodes(g, "data")
            if n.type == LOG and n.inputs["configuration"]["source"]["service"] == "objectstorage"}
    policies = {n.inputs["bucket"]: n.inputs["rules"] for n in g.by_type(LIFECYCLE)}
    for node in [n for n in plane_nodes(g, "data") if n.type == BUCKET]:
        b = node.inputs
        assert b["accessType"] == "NoPublicAccess" and b["versioning"] == "Enabled"
        assert b["objectEventsEnabled"] is True
        assert b["namespace"] == "genaiplatformoffline"  # from the getNamespace lookup
        log = logs[b["name"]]
        assert log["configuration"]["source"]["category"] == "write" and log["logType"] == "SERVICE"
        assert log["retentionDuration"] == 180.0
        rules = {r["name"]: r for r in policies[b["name"]]}
        if b["name"].endswith(f"-{SAMPLE_BUCKET_ROLE}"):
            continue  # its own lifecycle: test_sample_bucket_only_where_the_tier_keeps_one
        noncurrent = rules["expire-noncurrent-versions"]
        assert (noncurrent["target"], noncurrent["action"], noncurrent["timeAmount"]) == (
            "previous-object-versions", "DELETE", days)
        if b["name"].endswith("-outputs"):
            traces = rules["expire-traces"]
            assert traces["target"] == "objects" and traces["timeAmount"] == days
            assert traces["objectNameFilter"]["inclusionPrefixes"] == ["traces/"]
        else:
            assert set(rules) == {"expire-noncurrent-versions"}
        # No rule may delete current objects outside the traces prefix: versioning stays meaningful.
        for r in rules.values():
            assert r["target"] == "previous-object-versions" or r.get("objectNameFilter")


def test_database_tools_endpoint_and_connection_use_vault_references() -> None:
    g = tier_graph("confidential")
    pe = one(g, DBTOOLS_PE, "-dbtools-pe").inputs
    assert pe["subnetId"] == _net(g, SUBNET, "network-subnet-data")
    assert pe["nsgIds"] == [_net(g, NSG, "network-nsg-model")]
    assert pe["endpointServiceId"].startswith("ocid1.databasetoolsendpointservice.")
    conn = one(g, DBTOOLS_CONN, "-dbtools-connection").inputs
    assert conn["userPassword"] == {"valueType": "SECRETID", "secretId": ocid(one(g, SECRET, "-secret-adb-rag"))}
    assert conn["relatedResource"]["identifier"] == ocid(one(g, ADB, "-data-adb"))
    assert "protocol=tcps" in conn["connectionString"] and "port=1522" in conn["connectionString"]
    # prod sets a wallet password: the mTLS connection presents the wallet secret the plane creates (DEP-015).
    assert conn["keyStores"] == [{"keyStoreType": "SSO", "keyStoreContent": {
        "valueType": "SECRETID", "secretId": ocid(one(g, SECRET, "-secret-adb-wallet"))}}]


def test_an_out_of_band_wallet_secret_wins_over_the_planned_wallet() -> None:
    wallet = "ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaawallet"
    g = plan_variant("dev", {"genai-platform:data": {"database": {"walletSecretId": wallet}}}, name="dev-wallet")
    conn = one(g, DBTOOLS_CONN, "-dbtools-connection").inputs
    assert conn["keyStores"] == [{"keyStoreType": "SSO", "keyStoreContent": {"valueType": "SECRETID", "secretId": wallet}}]
    assert not g.by_type(WALLET) and not [n for n in g.by_type(SECRET) if n.name.endswith("-secret-adb-wallet")]
    statements = one(g, "oci:Identity/policy:Policy", "-data-service-policy").inputs["statements"]
    assert [s for s in statements if "adb-wallet" in s or "amaaaaaawallet" in s] == [
        f"Allow any-user to read secret-family in compartment id {ocid(one(g, COMPARTMENT, '-compartment'))} where all "
        f"{{request.principal.type='databasetoolsconnection', target.secret.id='{wallet}'}}"]


def test_the_plane_creates_the_wallet_and_its_sso_secret_before_the_connection() -> None:
    """Issue 10 defect 5: the first deploy connects. Wallet → secret (cwallet.sso) → connection, grant first."""
    g = plan_variant("dev")
    adb, policy = one(g, ADB, "-data-adb"), one(g, "oci:Identity/policy:Policy", "-data-service-policy")
    (wallet,) = g.by_type(WALLET)
    assert wallet.inputs == {"autonomousDatabaseId": ocid(adb), "password": SECRET_MARKER, "generateType": "SINGLE",
                             "base64EncodeContent": True}
    secret = one(g, SECRET, "-secret-adb-wallet")
    assert secret.inputs["secretName"] == "genai-dev-adb-wallet"
    assert secret.inputs["vaultId"] == ocid(one(g, "oci:Kms/vault:Vault", "-vault"))
    assert secret.inputs["keyId"] == ocid(one(g, KEY, "-key-secrets"))
    assert secret.inputs["secretContent"] == {"contentType": "BASE64", "content": SECRET_MARKER, "stage": "CURRENT"}
    assert secret.inputs["enableAutoGeneration"] is False
    conn = one(g, DBTOOLS_CONN, "-dbtools-connection")
    assert conn.inputs["keyStores"][0]["keyStoreContent"]["secretId"] == ocid(secret)
    # Dependency order: the grant, then the database, its wallet, the wallet's secret, the connection.
    assert policy.urn in adb.dependencies and adb.urn in wallet.dependencies
    assert wallet.urn in secret.dependencies and secret.urn in conn.dependencies
    # The connection may read that secret, by its name (fixed before the database exists), and no other wallet.
    grants = [s for s in policy.inputs["statements"] if "databasetoolsconnection" in s]
    assert sorted(s.rsplit("where all ", 1)[1] for s in grants) == [
        "{request.principal.type='databasetoolsconnection', target.secret.name='genai-dev-adb-rag'}",
        "{request.principal.type='databasetoolsconnection', target.secret.name='genai-dev-adb-wallet'}"]


def test_neither_wallet_password_nor_wallet_secret_leaves_the_connection_without_a_key_store() -> None:
    g = plan_variant("dev", {"genai-platform:data": {"database": {"walletPassword": DELETE}}}, name="dev-nowallet")
    assert not g.by_type(WALLET)
    assert one(g, DBTOOLS_CONN, "-dbtools-connection").inputs.get("keyStores") is None


def test_the_wallet_password_and_the_wallet_never_reach_the_graph_in_clear(tmp_path: Path) -> None:
    g = plan_variant("dev", {"genai-platform:data": {"database": {"walletPassword": CANARY}}}, name="dev-wallet-canary")
    g.write(tmp_path / "graph.json")
    # What the offline engine's wallet zip holds (blueprint/canned.py), extracted as the plane does.
    (wallet,) = g.by_type(WALLET)
    zipped = canned.outputs_for(WALLET, wallet.name, wallet.inputs, REGION)[1]["content"]
    forms = [CANARY, base64.b64encode(CANARY.encode()).decode(), zipped, cwallet_sso(zipped),
             base64.b64decode(cwallet_sso(zipped)).decode()]
    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(f in text for f in forms), f"wallet password or content leaked into {path.name}"


def _zip(members: dict[str, bytes]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return base64.b64encode(buffer.getvalue()).decode()


def test_cwallet_sso_is_extracted_from_the_wallet_zip_as_base64() -> None:
    sso = bytes(range(256)) * 3  # binary, as the auto-login wallet is
    wallet = _zip({"ewallet.p12": b"pkcs12", "cwallet.sso": sso, "tnsnames.ora": b"x = (description=)"})
    assert base64.b64decode(cwallet_sso(wallet)) == sso


@pytest.mark.parametrize(("content", "message"), [
    (_zip({"ewallet.p12": b"pkcs12", "wallet/cwallet.sso": b"nested"}), "wallet zip has no cwallet.sso"),
    (base64.b64encode(b"not a zip").decode(), "not a base64-encoded zip"),
    ("%%% not base64 %%%", "not a base64-encoded zip"),
])
def test_a_wallet_without_cwallet_sso_is_a_clear_error(content: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as e:
        cwallet_sso(content)
    assert content not in str(e.value)


CANARY = "Canary-Pa55word-7f3e9c"


def test_no_secret_value_in_any_written_file(tmp_path: Path) -> None:
    """A password set as a plain (non-secure) config value never reaches the graph or its files."""
    g = plan_variant("prod", {"genai-platform:data": {"database": {"adminPassword": CANARY}}}, name="prod-canary")
    secret = one(g, SECRET, "-secret-adb-admin").inputs
    assert secret["secretContent"]["content"] == SECRET_MARKER  # stored, but only as a secret
    assert secret["enableAutoGeneration"] is False
    g.write(tmp_path / "graph.json")
    forms = [CANARY, base64.b64encode(CANARY.encode()).decode()]
    written = list(tmp_path.rglob("*"))
    assert written
    for path in written:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not any(f in text for f in forms), f"secret value leaked into {path.name}"
    # Without the canary, nothing carries a password-like input at all.
    for node in tier_graph("confidential").resources():
        assert "adminPassword" not in node.inputs


# ---- protection of stateful resources (prod) ---------------------------------------------------

#: Types that hold state or evidence: protected in prod, whatever plane creates them.
STATEFUL = frozenset({
    ADB, BUCKET, SECRET, KEY, "oci:Kms/vault:Vault", "oci:Identity/compartment:Compartment",
    "oci:ContainerEngine/cluster:Cluster",
    "oci:Identity/tagNamespace:TagNamespace", "oci:Logging/logGroup:LogGroup",
})
#: Types judged stateless (recreatable from the program without loss). A type in neither set fails
#: the test below: whoever adds it must decide which it is.
STATELESS = frozenset({
    # A downloaded wallet: deleting the resource removes it from the state only (the provider's
    # deleteDatabaseAutonomousDatabaseWallet does nothing); the Vault secret holding cwallet.sso is stateful.
    "oci:Database/autonomousDatabaseWallet:AutonomousDatabaseWallet",
    # OCI Cache holds budget windows, per-minute tenant counters and cached responses: all rebuilt.
    "oci:Redis/redisCluster:RedisCluster",
    "oci:Identity/tag:Tag", "oci:Identity/tagDefault:TagDefault", "oci:Identity/policy:Policy",
    "oci:Ons/notificationTopic:NotificationTopic", "oci:Ons/subscription:Subscription", "oci:Events/rule:Rule",
    "oci:CloudGuard/target:Target", "oci:Bastion/bastion:Bastion", "oci:Core/vcn:Vcn",
    "oci:Core/defaultSecurityList:DefaultSecurityList", "oci:Core/serviceGateway:ServiceGateway",
    "oci:Core/natGateway:NatGateway", "oci:Core/internetGateway:InternetGateway", NSG,
    "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", "oci:Core/routeTable:RouteTable",
    SUBNET, LOG, LIFECYCLE, DBTOOLS_PE, DBTOOLS_CONN,
    "oci:GenerativeAi/generativeAiPrivateEndpoint:GenerativeAiPrivateEndpoint",
    "oci:GenerativeAi/dedicatedAiCluster:DedicatedAiCluster", "oci:GenerativeAi/endpoint:Endpoint",
    "oci:GenerativeAi/agentKnowledgeBase:AgentKnowledgeBase", "oci:GenerativeAi/agentDataSource:AgentDataSource",
    "oci:GenerativeAi/agentAgent:AgentAgent", "oci:GenerativeAi/agentAgentEndpoint:AgentAgentEndpoint",
    "oci:GenerativeAi/agentTool:AgentTool", "oci:GenerativeAi/agentDataIngestionJob:AgentDataIngestionJob",
    # operations plane: configuration the program recreates; evidence lives in log groups and buckets
    "oci:Apm/apmDomain:ApmDomain", "oci:ApmSynthetics/config:Config", "oci:Budget/budget:Budget",
    "oci:ApmSynthetics/onPremiseVantagePoint:OnPremiseVantagePoint",
    "oci:Budget/rule:Rule", "oci:Monitoring/alarm:Alarm", "oci:Sch/connector:Connector",
    # ingress, experience and orchestration planes
    "oci:ApiGateway/gateway:Gateway", "oci:ApiGateway/deployment:Deployment", "oci:ApiGateway/usagePlan:UsagePlan",
    "oci:ApiGateway/subscriber:Subscriber", "oci:ContainerEngine/nodePool:NodePool", "pulumi:providers:kubernetes",
    "oci:LoadBalancer/loadBalancer:LoadBalancer", "oci:Waf/webAppFirewall:WebAppFirewall",
    "oci:Waf/webAppFirewallPolicy:WebAppFirewallPolicy", "oci:Core/subnet:Subnet",
    "kubernetes:apps/v1:Deployment", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:core/v1:ConfigMap",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service", "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:policy/v1:PodDisruptionBudget",
})


@pytest.mark.parametrize("tier", ["confidential", "restricted"])
def test_every_stateful_prod_resource_is_protected(tier: str) -> None:
    g = tier_graph(tier)
    unclassified = sorted({n.type for n in g.resources()} - STATEFUL - STATELESS)
    assert not unclassified, f"classify these types as STATEFUL or STATELESS: {unclassified}"
    unprotected = sorted(n.urn for n in g.resources() if n.type in STATEFUL and not n.protect)
    assert not unprotected, f"stateful resources without protect in prod: {unprotected}"
    for n in plane_nodes(g, "data"):
        if n.type in STATEFUL:
            assert n.retainOnDelete, f"{n.name} should be retained on delete in prod"


def test_dev_does_not_protect() -> None:
    g = plan_variant("dev")
    assert all(not n.protect for n in plane_nodes(g, "data"))
    assert one(g, ADB, "-data-adb").inputs["isBackupRetentionLocked"] is False


# ---- tags -----------------------------------------------------------------------------------------




@pytest.mark.parametrize("plane", ["data", "model"])
def test_every_taggable_resource_carries_the_four_tags(plane: str) -> None:
    g = tier_graph("restricted")
    nodes = plane_nodes(g, plane)
    assert nodes
    for n in nodes:
        if accepts_defined_tags(n.type):
            tags = n.inputs.get("definedTags") or {}
            assert sorted(k.split(".", 1)[1] for k in tags) == ["classification", "cost-center", "environment", "owner"], n.name
            assert tags["genai-prod.classification"] == "restricted"


def test_region_is_one_the_tier_allows() -> None:
    for tier in TIERS:
        assert REGION in load_matrix()[tier].regions


@pytest.mark.parametrize("tier", ["public", "confidential"])
def test_service_iam_names_the_key_and_secret_it_needs(tier: str) -> None:
    g = tier_graph(tier)
    compartment = ocid(one(g, "oci:Identity/compartment:Compartment", "-compartment"))
    policy = one(g, "oci:Identity/policy:Policy", "-data-service-policy").inputs
    assert policy["compartmentId"] == compartment
    found = policy["statements"]
    assert all(f"in compartment id {compartment}" in s for s in found)
    key_statements = [s for s in found if " keys " in s]
    if tier == "public":  # opted out of customer-managed keys: no key grants at all
        assert not key_statements
    else:
        assert sorted(s.rsplit("target.key.id='", 1)[1][:-2] if s.endswith("}") else s.rsplit("target.key.id='", 1)[1][:-1]
                      for s in key_statements) == sorted([ocid(one(g, KEY, "-key-data")), ocid(one(g, KEY, "-key-storage"))])
    secrets = [s for s in found if "secret" in s]
    assert len(secrets) == 3  # the connection's password and wallet, the database's admin password
    assert any("databasetoolsconnection" in s and "target.secret.name='genai-prod-adb-rag'" in s for s in secrets)
    assert any("databasetoolsconnection" in s and "target.secret.name='genai-prod-adb-wallet'" in s for s in secrets)
    assert any("autonomousdatabase" in s and "target.secret.name='genai-prod-adb-admin'" in s for s in secrets)
    assert all(" where " in s for s in found if "any-user" in s)


def test_keys_and_secrets_are_granted_before_the_database_connection_and_buckets(planned) -> None:
    """Issue 10, defect 1: the services' grants exist before the resources that need them."""
    graph = planned("prod")
    (policy,) = [p for p in graph.by_type("oci:Identity/policy:Policy") if p.inputs["name"].endswith("-data-services")]
    users = [*graph.by_type("oci:Database/autonomousDatabase:AutonomousDatabase"),
             *graph.by_type("oci:DatabaseTools/databaseToolsConnection:DatabaseToolsConnection"),
             *[b for b in graph.by_type("oci:ObjectStorage/bucket:Bucket") if b.parent and "data" in b.parent]]
    assert len(users) >= 5
    assert all(policy.urn in u.dependencies for u in users)
    (adb,) = graph.by_type("oci:Database/autonomousDatabase:AutonomousDatabase")
    assert any("read vaults" in s and "target.vault.id=" in s for s in policy.inputs["statements"])
    assert any(f"target.key.id='{adb.inputs['kmsKeyId']}'" in s for s in policy.inputs["statements"])


@pytest.mark.parametrize("tier", TIERS)
def test_sample_bucket_only_where_the_tier_keeps_one(tier: str) -> None:
    """The evaluation-sample bucket: only for a sample-bucket tier; private, the tier's key where it needs
    one, every sample deleted after the tier's maximum retention (the stack default) and its noncurrent
    version a day later."""
    g = tier_graph(tier)
    policy = load_matrix()[tier]
    samples = [n.inputs for n in plane_nodes(g, "data") if n.type == BUCKET
               and n.inputs["name"].endswith(f"-{SAMPLE_BUCKET_ROLE}")]
    if policy.traffic_sample.store != "sample-bucket":
        assert samples == []
        return
    (b,) = samples
    assert b["name"] == "genai-prod-eval-samples" and b["accessType"] == "NoPublicAccess"
    assert b["versioning"] == "Enabled"  # OCI-STO-003 / CIS 5.1.3; the noncurrent rule below bounds it
    assert (b.get("kmsKeyId") == ocid(one(g, KEY, "-key-storage"))) is True  # prod keeps customer keys in every tier
    rules = {r["name"]: r for n in g.by_type(LIFECYCLE) if n.inputs["bucket"] == b["name"] for r in n.inputs["rules"]}
    assert {k: (r["target"], r["action"], r["timeAmount"], r["timeUnit"], r["isEnabled"]) for k, r in rules.items()} == {
        "delete-samples": ("objects", "DELETE", str(policy.traffic_sample.max_retention_days), "DAYS", True),
        "delete-deleted-samples": ("previous-object-versions", "DELETE", "1", "DAYS", True)}


ROTATED = ("Rotation-Old-Pa55-1a2b", "Rotation-New-Pa55-3c4d")


def _revealed(value):
    """A wire value with every secret wrapper replaced by the value it wraps."""
    if isinstance(value, dict):
        if set(value) == {_SIG_KEY, "value"} and value[_SIG_KEY] == _SECRET_SIG:
            return _revealed(value["value"])
        return {k: _revealed(v) for k, v in value.items()}
    return [_revealed(v) for v in value] if isinstance(value, list) else value


def _plan_seeing_inputs(password: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Graph, dict[str, dict]]:
    """dev planned with this wallet password, and what each resource was declared with, secrets in clear
    (as the offline engine's mock receives them; the graph shows them only as markers)."""
    seen: dict[str, dict] = {}
    real = canned.outputs_for

    def spy(type_token: str, name: str, inputs, region: str):
        seen[f"{type_token}::{name}"] = _revealed(json.loads(json.dumps(inputs, default=str)))
        return real(type_token, name, inputs, region)

    monkeypatch.setattr(canned, "outputs_for", spy)
    graph = plan_variant("dev", {"genai-platform:data": {"database": {"walletPassword": password}}})
    monkeypatch.setattr(canned, "outputs_for", real)
    return graph, seen


def test_rotating_the_wallet_password_changes_only_the_wallet_and_its_secrets_content(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Planned under two passwords: the wallet (a new generation: password is ForceNew in the provider) and
    the Vault secret's content (a new version of the same secret) differ; no other resource's inputs do,
    the secret keeps its name and OCID so the Database Tools connection is untouched, and neither
    password reaches the written graph."""
    (old_graph, old), (new_graph, new) = (_plan_seeing_inputs(p, monkeypatch) for p in ROTATED)
    assert old.keys() == new.keys()
    changed = sorted(k for k in old if old[k] != new[k])
    (wallet,), secret = old_graph.by_type(WALLET), one(old_graph, SECRET, "-secret-adb-wallet")
    assert changed == sorted([f"{WALLET}::{wallet.name}", f"{SECRET}::{secret.name}"])
    w_old, w_new = old[changed[0]], new[changed[0]]
    s_key = f"{SECRET}::{secret.name}"
    assert {k for k in w_old if w_old[k] != w_new[k]} == {"password"} and w_new["password"] == ROTATED[1]
    assert {k for k in old[s_key] if old[s_key][k] != new[s_key][k]} == {"secretContent"}
    assert {k for k, v in old[s_key]["secretContent"].items() if new[s_key]["secretContent"][k] != v} == {"content"}
    assert old[s_key]["secretName"] == new[s_key]["secretName"] == "genai-dev-adb-wallet"
    # No fixed version name: the second version would collide with the first (names are unique per secret).
    assert "name" not in new[s_key]["secretContent"]
    # The connection presents the secret by OCID: same secret, same id, same connection inputs.
    conn_old, conn_new = (one(g, DBTOOLS_CONN, "-dbtools-connection").inputs for g in (old_graph, new_graph))
    assert conn_old == conn_new and conn_old["keyStores"][0]["keyStoreContent"]["secretId"] == ocid(secret)
    # Written, the two plans are the same graph (secrets are markers) and carry neither password.
    texts = []
    for i, graph in enumerate((old_graph, new_graph)):
        graph.write(tmp_path / f"{i}.json")
        texts.append((tmp_path / f"{i}.json").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
    assert not any(p in t or base64.b64encode(p.encode()).decode() in t for p in ROTATED for t in texts)
