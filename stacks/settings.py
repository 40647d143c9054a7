"""Stack settings: the only reader of ``pulumi.Config``.

Raw stack config (``Pulumi.<stack>.yaml``, namespace ``genai-platform:``) is validated against
``stacks/stack.schema.json`` and the data-classification matrix, then frozen into typed settings
before any resource is declared. Components never read config; they receive these values.

Every problem is reported at once, one line each, naming the key path, what was wrong and what is
allowed. No value is ever echoed back: a config value may be a secret.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pulumi
import yaml
from referencing import Registry, Resource

NAMESPACE = "genai-platform"
ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path(__file__).resolve().parent
MATRIX_PATH = ROOT / "policies" / "classification.yaml"
MATRIX_SCHEMA_PATH = ROOT / "policies" / "classification.schema.json"

#: What the offline engine puts in place of a ``secure:`` value it cannot decrypt.
OFFLINE_SECRET = "[secret]"

TIERS = ("public", "internal", "confidential", "restricted")
SUBNET_ROLES = ("ingress", "okeApi", "workers", "pods", "data", "model", "bastion", "publicIngress")
_PROTECTION_ORDER = {"SOFTWARE": 0, "HSM": 1}
_VAULT_TYPE_ORDER = {"DEFAULT": 0, "VIRTUAL_PRIVATE": 1}


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the stack config: where, and what (never the value)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SettingsError(pulumi.RunError):
    """Raised before any resource is declared; the Pulumi CLI prints it without a traceback."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("invalid stack configuration:\n" + "\n".join(str(p) for p in problems))


# --------------------------------------------------------------------------------------------
# Typed settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """A config value that must never be printed; components wrap it with ``pulumi.Output.secret``."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"


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


@dataclass(frozen=True)
class GovernanceSettings:
    environment: str
    tenancy_id: str
    parent_compartment_id: str
    cost_center: str
    owner: str
    admin_group: str
    auditor_group: str | None
    protect_stateful: bool
    vault_type: str
    key_protection_mode: str
    key_rotation_days: int | None
    """Automatic rotation interval; None where the vault type cannot rotate automatically."""
    security_emails: tuple[str, ...]
    security_https_endpoints: tuple[Secret, ...]
    bastion_client_cidrs: tuple[str, ...]
    bastion_max_session_ttl_minutes: int


@dataclass(frozen=True)
class Placement:
    availability_domains: int
    fault_domains: int


@dataclass(frozen=True)
class NetworkSettings:
    vcn_cidr: str
    subnets: Mapping[str, str]
    public_api: bool
    api_client_cidrs: tuple[str, ...]
    router_port: int
    flow_log_retention_days: int
    placement: Placement


@dataclass(frozen=True)
class AlarmThresholds:
    """Alarm thresholds; defaults are the operating model's SLOs (stacks/schema/operations.json)."""

    availability_target: float = 0.999
    fast_burn_rate: float = 14.4
    slow_burn_rate: float = 6.0
    latency_p95_ms: int = 8000
    groundedness_min: float = 0.85
    cost_per_query_max_usd: float = 0.10
    model_timeouts_per_5m: int = 5
    tool_errors_per_5m: int = 10
    prompt_injections_per_5m: int = 0
    gateway_5xx_per_5m: int = 10
    database_cpu_percent: int = 80
    database_storage_percent: int = 85
    dedicated_cluster_latency_p95_ms: int = 6000


@dataclass(frozen=True)
class Channel:
    """Subscribers of one notification topic; webhook URLs are secrets."""

    emails: tuple[str, ...] = ()
    pagerduty_urls: tuple[Secret, ...] = ()
    slack_urls: tuple[Secret, ...] = ()
    https_urls: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class BudgetSettings:
    amount: int
    actual_percentages: tuple[int, ...]
    forecast_percentages: tuple[int, ...]
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class OperationsSettings:
    log_retention_days: int
    audit_archive_days: int
    apm_free_tier: bool
    health_url: str
    vantage_points: tuple[str, ...]
    probe_interval_seconds: int
    thresholds: AlarmThresholds
    channels: Mapping[str, Channel]
    """Subscribers per topic: critical, warning, info, cost (every topic present, possibly empty)."""
    budget: BudgetSettings
    runbook_base_url: str


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
    """Vault secret with the database's SSO wallet, for the mTLS Database Tools connection."""


@dataclass(frozen=True)
class DataSettings:
    customer_managed_keys: bool
    database: DatabaseSettings
    traces_prefix: str
    documents_prefix: str
    access_log_retention_days: int
    data_retention_days: int
    """Age at which traces and noncurrent object versions expire (the tier's retention.dataDays)."""


@dataclass(frozen=True)
class CatalogEntry:
    """One model the router may route to (the shape the router's config renderer reads)."""

    name: str
    model_id: str
    serving: str
    price: float
    pricing_unit: str
    cost_tier: str
    rpm: int | None = None
    tpm: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "modelId": self.model_id, "serving": self.serving,
                               "price": self.price, "pricingUnit": self.pricing_unit, "costTier": self.cost_tier}
        if self.rpm is not None:
            out["rpm"] = self.rpm
        if self.tpm is not None:
            out["tpm"] = self.tpm
        return out


@dataclass(frozen=True)
class DedicatedClusterSettings:
    unit_shape: str
    unit_count: int
    model_id: str


@dataclass(frozen=True)
class AgentSettings:
    session_idle_timeout_seconds: int
    human_input: bool
    trace_retention_minutes: int


@dataclass(frozen=True)
class ModelSettings:
    private_endpoint: bool
    dns_prefix: str
    dedicated_cluster: DedicatedClusterSettings | None
    """None when the stack has no dedicated AI cluster."""
    catalog: tuple[CatalogEntry, ...]
    agent: AgentSettings | None
    """None when the stack has no agent."""
    router_namespace: str
    router_service_account: str


@dataclass(frozen=True)
class JwtSettings:
    issuers: tuple[str, ...]
    audiences: tuple[str, ...]
    jwks_uri: str
    max_clock_skew_seconds: int


@dataclass(frozen=True)
class UsagePlanSettings:
    name: str
    requests_per_second: int
    monthly_requests: int


@dataclass(frozen=True)
class TenantSettings:
    name: str
    plan: str
    token_secret_id: str
    """OCID of the Vault secret holding the client token; the token itself never enters config."""


@dataclass(frozen=True)
class IngressSettings:
    jwt: JwtSettings
    cors_allowed_origins: tuple[str, ...]
    rate_limit_per_second: int
    max_request_body_mb: int
    usage_plans: tuple[UsagePlanSettings, ...]
    tenants: tuple[TenantSettings, ...]
    custom_domain: str | None
    certificate_id: str | None
    waf_requests_per_minute: int


@dataclass(frozen=True)
class NodePoolSettings:
    shape: str
    ocpus: int
    memory_gbs: int
    size: int
    boot_volume_gbs: int
    max_pods_per_node: int


@dataclass(frozen=True)
class RouterSettings:
    image: str
    namespace: str
    replicas: int
    max_replicas: int
    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str
    database: bool


@dataclass(frozen=True)
class OrchestrationSettings:
    kubernetes_version: str
    node_image_id: str
    image_signature_verification: bool
    image_signing_key_id: str | None
    node_pool: NodePoolSettings
    router: RouterSettings


@dataclass(frozen=True)
class Settings:
    """Everything the program needs, validated and frozen."""

    project: str
    stack: str
    region: str
    tier: TierPolicy
    governance: GovernanceSettings
    network: NetworkSettings
    operations: OperationsSettings
    data: DataSettings
    model: ModelSettings
    ingress: IngressSettings
    orchestration: OrchestrationSettings

    @property
    def environment(self) -> str:
        return self.governance.environment


# --------------------------------------------------------------------------------------------
# Schema and matrix loading
# --------------------------------------------------------------------------------------------


def _load_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def stack_validator() -> jsonschema.protocols.Validator:
    """The stack-config validator, with every plane schema under stacks/schema/ registered."""
    root = _load_json(SCHEMA_DIR / "stack.schema.json")
    resources = [(root["$id"], Resource.from_contents(root))]
    for part in sorted((SCHEMA_DIR / "schema").glob("*.json")):
        doc = _load_json(part)
        resources.append((doc["$id"], Resource.from_contents(doc)))
    registry: Registry = Registry().with_resources(resources)
    cls = jsonschema.validators.validator_for(root)
    cls.check_schema(root)
    return cls(root, registry=registry, format_checker=_format_checker())


def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the type keyword reports it
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return isinstance(net, ipaddress.IPv4Network) and "/" in value


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("cidr")(_is_cidr)
    return checker


@cache
def load_matrix(path: Path = MATRIX_PATH) -> Mapping[str, TierPolicy]:
    """The classification matrix, schema-checked; a broken matrix is a SettingsError too."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problem = Problem(str(path), f"cannot read the classification matrix ({type(exc).__name__})")
        raise SettingsError([problem]) from None
    schema = _load_json(MATRIX_SCHEMA_PATH)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(raw), key=lambda e: list(e.path))
    if errors:
        raise SettingsError([Problem(f"{path.name}:{_dotted(e.absolute_path)}", _describe(e)) for e in errors])
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
        )
    return tiers


# --------------------------------------------------------------------------------------------
# Error wording: what was wrong and what is allowed, never the value
# --------------------------------------------------------------------------------------------


def _dotted(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_JSON_TYPES = {"object": "an object (mapping)", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false"}


def _describe(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    value: Any = error.validator_value
    if v == "type":
        names = [value] if isinstance(value, str) else list(value)
        return "wrong type; expected " + " or ".join(_JSON_TYPES.get(n, n) for n in names)
    if v == "enum":
        return "not an allowed value; allowed: " + ", ".join(json.dumps(x) for x in value)
    if v == "const":
        return f"must be {json.dumps(value)}"
    if v == "required":
        missing = [k for k in value if isinstance(error.instance, dict) and k not in error.instance]
        return "missing required key " + ", ".join(f"'{k}'" for k in missing)
    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        return "unknown key " + ", ".join(f"'{k}'" for k in extra) + "; allowed keys: " + ", ".join(allowed)
    if v == "pattern":
        return "badly formed; expected " + schema.get("x-allowed", "a value matching the documented format")
    if v == "format":
        return "not a valid IPv4 CIDR block; expected a.b.c.d/n with no host bits set"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        lo, hi = schema.get("minimum"), schema.get("maximum")
        return f"out of range; allowed: {lo if lo is not None else '-inf'} to {hi if hi is not None else 'inf'}"
    if v in ("minItems", "maxItems"):
        lo, hi = schema.get("minItems", 0), schema.get("maxItems")
        return f"wrong number of items; allowed: {lo} to {hi if hi is not None else 'any number'}"
    if v == "uniqueItems":
        return "has duplicate items; items must be unique"
    if v in ("minLength", "maxLength"):
        return f"wrong length; allowed: {schema.get('minLength', 0)} to {schema.get('maxLength', 'any')} characters"
    return f"failed the '{v}' check of the schema"


# --------------------------------------------------------------------------------------------
# Reading config
# --------------------------------------------------------------------------------------------


def _config_map() -> dict[str, Any]:
    """All config the engine handed the program (the CLI, or the offline engine)."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def _decode(value: Any) -> Any:
    """Structured config arrives JSON-encoded; scalars arrive as strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def load_settings() -> Settings:
    """Read this stack's config through Pulumi and return validated settings (or raise SettingsError)."""
    prefix = NAMESPACE + ":"
    raw: dict[str, Any] = {}
    for key, value in _config_map().items():
        if key.startswith(prefix):
            raw[key[len(prefix):]] = _decode(value)
    region = pulumi.Config("oci").get("region")
    return validate(raw, region=region, project=pulumi.get_project(), stack=pulumi.get_stack())


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def validate(raw: Mapping[str, Any], *, region: str | None, project: str, stack: str) -> Settings:
    """Pure: raw config mapping (namespace stripped) → Settings, or SettingsError listing every problem."""
    problems: list[Problem] = []

    def p(path: str, message: str) -> None:
        problems.append(Problem(f"{NAMESPACE}:{path}" if path else NAMESPACE, message))

    if not isinstance(raw, Mapping):
        raise SettingsError([Problem(NAMESPACE, "stack config must be a mapping of keys")])

    validator = stack_validator()
    errors = sorted(validator.iter_errors(dict(raw)), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for err in errors:
        if _is_offline_secret(err):
            continue
        p(_dotted(err.absolute_path), _describe(err))
    if region is None:
        problems.append(Problem("oci:region", "missing; set the stack's region with `pulumi config set oci:region <region>`"))
    elif not isinstance(region, str) or not _REGION.fullmatch(region):
        problems.append(Problem("oci:region", "badly formed; expected an OCI region identifier such as eu-frankfurt-1"))
    if problems:
        raise SettingsError(problems)

    matrix = load_matrix()
    tier = matrix[raw["classification"]]
    assert region is not None
    gov_raw: dict[str, Any] = raw["governance"]
    net_raw: dict[str, Any] = raw["network"]

    # Residency: the region must be on the tier's allow-list.
    if region not in tier.regions:
        allowed = ", ".join(tier.regions)
        problems.append(Problem("oci:region", f"not allowed for the {tier.name} tier; allowed regions: {allowed}"))

    governance = _governance(gov_raw, tier, p)
    network = _network(net_raw, tier, p)
    operations = _operations(raw["operations"], tier, p)
    data = _data(raw.get("data", {}), tier, p)
    model = _model(raw.get("model", {}), tier, p)
    # A public API the tier forbids is already one problem (network.publicApi): don't add its consequences.
    public_requested = net_raw.get("publicApi", False)
    ingress = _ingress(raw["ingress"], None if public_requested and not tier.public_api_allowed else public_requested, p)
    orchestration = _orchestration(raw["orchestration"], tier, p)
    if problems:
        raise SettingsError(problems)
    assert governance is not None and network is not None and operations is not None
    assert data is not None and model is not None and ingress is not None and orchestration is not None
    return Settings(project=project, stack=stack, region=region, tier=tier, governance=governance, network=network,
                    operations=operations, data=data, model=model, ingress=ingress, orchestration=orchestration)


_REGION = re.compile(r"[a-z]{2}-[a-z]+-[0-9]")


def _is_offline_secret(error: jsonschema.ValidationError) -> bool:
    """A ``secure:`` value the offline engine could not decrypt: its format is checked where it is decrypted."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    return error.validator == "pattern" and bool(schema.get("x-secret")) and error.instance == OFFLINE_SECRET


def _at_least(order: Mapping[str, int], asked: str, minimum: str) -> bool:
    return order[asked] >= order[minimum]


def _governance(g: dict[str, Any], tier: TierPolicy, p: Any) -> GovernanceSettings | None:
    vault = g.get("vault", {})
    protection = vault.get("protectionMode", tier.vault_protection_mode)
    vault_type = vault.get("type", tier.vault_type)
    rotation = vault.get("rotationDays", min(90, tier.key_rotation_max_days))
    # OCI rotates keys automatically only in virtual private vaults; elsewhere rotation is manual.
    ok = True
    if not _at_least(_PROTECTION_ORDER, protection, tier.vault_protection_mode):
        p("governance.vault.protectionMode",
          f"less than the {tier.name} tier requires; allowed: {tier.vault_protection_mode} or stronger")
        ok = False
    if not _at_least(_VAULT_TYPE_ORDER, vault_type, tier.vault_type):
        p("governance.vault.type", f"less than the {tier.name} tier requires; allowed: {tier.vault_type}")
        ok = False
    if "rotationDays" in vault and vault_type != "VIRTUAL_PRIVATE":
        p("governance.vault.rotationDays",
          "automatic rotation needs a VIRTUAL_PRIVATE vault; allowed: omit it, or set governance.vault.type to VIRTUAL_PRIVATE")
        ok = False
    elif rotation > tier.key_rotation_max_days:
        p("governance.vault.rotationDays",
          f"longer than the {tier.name} tier allows; allowed: at most {tier.key_rotation_max_days}")
        ok = False
    for i, cidr in enumerate(g["bastion"]["clientCidrs"]):
        if ipaddress.ip_network(cidr).prefixlen == 0:
            p(f"governance.bastion.clientCidrs[{i}]",
              "opens the bastion to the whole internet; allowed: a specific network, never /0")
            ok = False
    if not ok:
        return None
    return GovernanceSettings(
        environment=g["environment"],
        tenancy_id=g["tenancyId"],
        parent_compartment_id=g["parentCompartmentId"],
        cost_center=g["costCenter"],
        owner=g["owner"],
        admin_group=g["adminGroup"],
        auditor_group=g.get("auditorGroup"),
        protect_stateful=g.get("protectStateful", True),
        vault_type=vault_type,
        key_protection_mode=protection,
        key_rotation_days=rotation if vault_type == "VIRTUAL_PRIVATE" else None,
        security_emails=tuple(g["notifications"]["securityEmails"]),
        security_https_endpoints=tuple(Secret(u) for u in g["notifications"].get("securityHttpsEndpoints", [])),
        bastion_client_cidrs=tuple(g["bastion"]["clientCidrs"]),
        bastion_max_session_ttl_minutes=g["bastion"].get("maxSessionTtlMinutes", 60),
    )


def _network(n: dict[str, Any], tier: TierPolicy, p: Any) -> NetworkSettings | None:
    ok = True
    vcn = ipaddress.IPv4Network(n["vcnCidr"])
    if not vcn.is_private:
        p("network.vcnCidr", "not a private range; allowed: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
        ok = False
    if not 16 <= vcn.prefixlen <= 24:
        p("network.vcnCidr", "wrong size; allowed: a /16 to /24 block")
        ok = False
    vcn_ok = ok  # containment is only worth reporting against a usable VCN block
    subnets: dict[str, ipaddress.IPv4Network] = {}
    for role, cidr in n["subnets"].items():
        net = ipaddress.IPv4Network(cidr)
        if vcn_ok and not net.subnet_of(vcn):
            p(f"network.subnets.{role}", "outside the VCN; allowed: a block inside network.vcnCidr")
            ok = False
        elif net.prefixlen > 29:
            p(f"network.subnets.{role}", "too small; allowed: /29 or larger (OCI reserves 3 addresses per subnet)")
            ok = False
        subnets[role] = net
    for (ra, a), (rb, b) in _pairs(subnets):
        if a.overlaps(b):
            p(f"network.subnets.{rb}", f"overlaps network.subnets.{ra}; allowed: non-overlapping blocks")
            ok = False
    public_api = n.get("publicApi", False)
    if public_api and not tier.public_api_allowed:
        p("network.publicApi", f"a public API is not allowed for the {tier.name} tier; allowed: false")
        ok = False
    elif public_api and "publicIngress" not in subnets:
        p("network.subnets", "missing required key 'publicIngress' (needed when network.publicApi is true)")
        ok = False
    if not public_api and "publicIngress" in subnets:
        p("network.subnets.publicIngress", "only allowed when network.publicApi is true")
        ok = False
    clients = n.get("apiClientCidrs", [str(vcn)])
    for i, cidr in enumerate(clients):
        if ipaddress.ip_network(cidr).prefixlen == 0 and not public_api:
            p(f"network.apiClientCidrs[{i}]", "opens the private API to every address; allowed: specific networks")
            ok = False
    retention = n.get("flowLogRetentionDays", tier.retention.log_days)
    if retention < tier.retention.log_days:
        p("network.flowLogRetentionDays",
          f"shorter than the {tier.name} tier requires; allowed: at least {tier.retention.log_days}")
        ok = False
    placement = n.get("placement", {})
    if not ok:
        return None
    return NetworkSettings(
        vcn_cidr=str(vcn),
        subnets={role: str(net) for role, net in subnets.items()},
        public_api=public_api,
        api_client_cidrs=tuple(clients),
        router_port=n.get("routerPort", 4000),
        flow_log_retention_days=retention,
        placement=Placement(
            availability_domains=placement.get("availabilityDomains", 1),
            fault_domains=placement.get("faultDomains", 3),
        ),
    )


def _pairs(items: Mapping[str, ipaddress.IPv4Network]) -> Iterator[tuple[tuple[str, ipaddress.IPv4Network], ...]]:
    entries = list(items.items())
    for i, a in enumerate(entries):
        for b in entries[i + 1:]:
            yield a, b


#: Budget alert rules the operating model requires: these ACTUAL and FORECAST percentages at least.
REQUIRED_ACTUAL_PERCENTAGES = (50, 75, 90, 100)
REQUIRED_FORECAST_PERCENTAGES = (100,)
TOPICS = ("critical", "warning", "info", "cost")
_THRESHOLD_KEYS = {
    "availabilityTarget": "availability_target", "fastBurnRate": "fast_burn_rate", "slowBurnRate": "slow_burn_rate",
    "latencyP95Ms": "latency_p95_ms", "groundednessMin": "groundedness_min",
    "costPerQueryMaxUsd": "cost_per_query_max_usd", "modelTimeoutsPer5m": "model_timeouts_per_5m",
    "toolErrorsPer5m": "tool_errors_per_5m", "promptInjectionsPer5m": "prompt_injections_per_5m",
    "gateway5xxPer5m": "gateway_5xx_per_5m", "databaseCpuPercent": "database_cpu_percent",
    "databaseStoragePercent": "database_storage_percent",
    "dedicatedClusterLatencyP95Ms": "dedicated_cluster_latency_p95_ms",
}


def _operations(o: dict[str, Any], tier: TierPolicy, p: Any) -> OperationsSettings | None:
    ok = True
    # OCI Logging keeps logs at most 180 days; longer audit evidence goes to the archive bucket.
    minimum_logs = min(tier.retention.log_days, 180)
    retention = o.get("logRetentionDays", max(30, -(-minimum_logs // 30) * 30))
    if retention < minimum_logs:
        p("operations.logRetentionDays",
          f"shorter than the {tier.name} tier requires; allowed: at least {minimum_logs}")
        ok = False
    archive = o.get("auditArchiveDays", tier.retention.audit_archive_days)
    if archive < tier.retention.audit_archive_days:
        p("operations.auditArchiveDays",
          f"shorter than the {tier.name} tier requires; allowed: at least {tier.retention.audit_archive_days}")
        ok = False
    t = o.get("thresholds", {})
    thresholds = AlarmThresholds(**{_THRESHOLD_KEYS[k]: v for k, v in t.items()})
    if thresholds.slow_burn_rate >= thresholds.fast_burn_rate:
        p("operations.thresholds.slowBurnRate",
          "not below operations.thresholds.fastBurnRate; allowed: a slow burn rate lower than the fast one")
        ok = False
    budget = o["budget"]
    actual = tuple(sorted(budget.get("actualPercentages", REQUIRED_ACTUAL_PERCENTAGES)))
    forecast = tuple(sorted(budget.get("forecastPercentages", REQUIRED_FORECAST_PERCENTAGES)))
    for key, chosen, required in (("actualPercentages", actual, REQUIRED_ACTUAL_PERCENTAGES),
                                  ("forecastPercentages", forecast, REQUIRED_FORECAST_PERCENTAGES)):
        missing = [str(x) for x in required if x not in chosen]
        if missing:
            p(f"operations.budget.{key}",
              "lacks a rule the operating model requires; allowed: a list including " + ", ".join(map(str, required)))
            ok = False
    notifications = o["notifications"]
    if not notifications["critical"].get("emails") and not notifications["critical"].get("pagerDutyUrls"):
        p("operations.notifications.critical",
          "nobody is paged; allowed: at least one entry in emails or pagerDutyUrls")
        ok = False
    if not ok:
        return None
    apm = o["apm"]
    channels = {
        topic: Channel(
            emails=tuple(c.get("emails", ())),
            pagerduty_urls=tuple(Secret(u) for u in c.get("pagerDutyUrls", ())),
            slack_urls=tuple(Secret(u) for u in c.get("slackUrls", ())),
            https_urls=tuple(Secret(u) for u in c.get("httpsUrls", ())),
        )
        for topic in TOPICS
        for c in [notifications.get(topic, {})]
    }
    return OperationsSettings(
        log_retention_days=retention,
        audit_archive_days=archive,
        apm_free_tier=apm.get("freeTier", False),
        health_url=apm["healthUrl"],
        vantage_points=tuple(apm["vantagePoints"]),
        probe_interval_seconds=apm.get("probeIntervalSeconds", 300),
        thresholds=thresholds,
        channels=channels,
        budget=BudgetSettings(amount=budget["amount"], actual_percentages=actual,
                              forecast_percentages=forecast, recipients=tuple(budget["recipients"])),
        runbook_base_url=o.get("runbookBaseUrl", "runbooks/"),
    )


def _data(d: dict[str, Any], tier: TierPolicy, p: Any) -> DataSettings | None:
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
    if backup < min_backup:
        p("data.database.backupRetentionDays",
          f"shorter than the {tier.name} tier requires; allowed: {min_backup} to 60")
        ok = False
    log_days = d.get("accessLogRetentionDays", tier.retention.log_days)
    if log_days < tier.retention.log_days:
        p("data.accessLogRetentionDays",
          f"shorter than the {tier.name} tier requires; allowed: at least {tier.retention.log_days}")
        ok = False
    buckets = d.get("buckets", {})
    traces = buckets.get("tracesPrefix", "traces/")
    documents = buckets.get("documentsPrefix", "documents/")
    if not ok:
        return None
    password = db.get("adminPassword")
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
        ),
        traces_prefix=traces,
        documents_prefix=documents,
        access_log_retention_days=log_days,
        data_retention_days=tier.retention.data_days,
    )


#: The catalogue a stack gets when it lists none: OCI's current Cohere and Meta chat models, served as
#: the tier allows (on-demand where allowed, else through the private endpoint, else the cluster).
#: Prices are USD per 10,000 pricing units (OCI list prices, November 2026; check before relying on them).
_DEFAULT_MODELS = (
    ("command-r-plus", "cohere.command-r-plus-08-2024", 0.0156, "characters", "premium"),
    ("command-r", "cohere.command-r-08-2024", 0.0015, "characters", "standard"),
    ("llama-3.3-70b", "meta.llama-3.3-70b-instruct", 0.0072, "characters", "economy"),
)
_DEFAULT_CLUSTER_MODEL = "cohere.command-r-plus-08-2024"


def default_catalog(tier: TierPolicy, cluster_model: str | None) -> tuple[CatalogEntry, ...]:
    """The tier's default allow-list of models.

    On-demand where the tier allows it; otherwise the stack's dedicated cluster when it has one (OCI
    documents Generative AI private endpoints for dedicated-cluster endpoints); otherwise the
    pretrained models through the private endpoint.
    """
    def shared(serving: str) -> tuple[CatalogEntry, ...]:
        return tuple(CatalogEntry(n, m, serving, price, unit, cost) for n, m, price, unit, cost in _DEFAULT_MODELS)

    if "on-demand" in tier.allowed_serving:
        return shared("on-demand")
    if cluster_model is None and "private-endpoint" in tier.allowed_serving:
        return shared("private-endpoint")
    model = cluster_model or _DEFAULT_CLUSTER_MODEL
    # A dedicated cluster is billed per unit-hour, not per use: the marginal price is zero.
    return (CatalogEntry("dedicated", model, "dedicated-cluster", 0.0, "characters", "premium"),)


def _model(m: dict[str, Any], tier: TierPolicy, p: Any) -> ModelSettings | None:
    ok = True
    only_cluster = tuple(tier.allowed_serving) == ("dedicated-cluster",)
    dc = m.get("dedicatedCluster", {})
    cluster_on = dc.get("enabled", only_cluster)
    if not cluster_on and only_cluster:
        p("model.dedicatedCluster.enabled",
          f"the {tier.name} tier serves models only from a dedicated AI cluster; allowed: true (or omit it)")
        ok = False
    if cluster_on and "dedicated-cluster" not in tier.allowed_serving:
        p("model.dedicatedCluster.enabled", f"dedicated-cluster serving is not allowed for the {tier.name} tier")
        ok = False
    cluster_model = dc.get("modelId", _DEFAULT_CLUSTER_MODEL)
    raw_catalog = m.get("catalog")
    if raw_catalog is None:
        catalog = default_catalog(tier, cluster_model if cluster_on else None)
    else:
        catalog = tuple(CatalogEntry(e["name"], e["modelId"], e["serving"], float(e["price"]), e["pricingUnit"],
                                     e["costTier"], e.get("rpm"), e.get("tpm")) for e in raw_catalog)
    allowed = ", ".join(tier.allowed_serving)
    seen: set[str] = set()
    # A defaulted catalogue fits the tier by construction; only the stack's own entries are checked.
    for i, entry in enumerate(catalog if raw_catalog is not None else ()):
        if entry.serving not in tier.allowed_serving:
            p(f"model.catalog[{i}].serving", f"not allowed for the {tier.name} tier; allowed: {allowed}")
            ok = False
        if entry.serving == "dedicated-cluster" and not cluster_on:
            p(f"model.catalog[{i}].serving",
              "dedicated-cluster serving needs model.dedicatedCluster.enabled: true")
            ok = False
        if entry.name in seen:
            p(f"model.catalog[{i}].name", "duplicate logical name; allowed: each name once")
            ok = False
        seen.add(entry.name)
    uses_private = any(e.serving == "private-endpoint" for e in catalog)
    private = m.get("privateEndpoint", tier.private_endpoints_only or uses_private)
    if not private and tier.private_endpoints_only:
        p("model.privateEndpoint", f"the {tier.name} tier allows private endpoints only; allowed: true (or omit it)")
        ok = False
    elif not private and uses_private:
        p("model.privateEndpoint", "the catalogue uses private-endpoint serving; allowed: true (or omit it)")
        ok = False
    a = m.get("agent", {})
    human = a.get("humanInput", tier.human_input_required)
    if not human and tier.human_input_required:
        p("model.agent.humanInput", f"the {tier.name} tier requires human input; allowed: true (or omit it)")
        ok = False
    if not ok:
        return None
    router = m.get("router", {})
    return ModelSettings(
        private_endpoint=private,
        dns_prefix=m.get("dnsPrefix", "genai"),
        dedicated_cluster=DedicatedClusterSettings(
            unit_shape=dc.get("unitShape", "LARGE_COHERE_V2_2"),
            unit_count=dc.get("unitCount", 1),
            model_id=cluster_model,
        ) if cluster_on else None,
        catalog=catalog,
        agent=AgentSettings(
            session_idle_timeout_seconds=a.get("sessionIdleTimeoutSeconds", 3600),
            human_input=human,
            trace_retention_minutes=a.get("traceRetentionMinutes", 1440),
        ) if a.get("enabled", True) else None,
        router_namespace=router.get("namespace", "genai-router"),
        router_service_account=router.get("serviceAccount", "genai-router"),
    )


def _ingress(i: dict[str, Any], public_api: bool | None, p: Any) -> IngressSettings | None:
    """``public_api`` None: a public API the tier forbids (reported at network.publicApi); skip its consequences."""
    ok = True
    plans = tuple(UsagePlanSettings(u["name"], u["requestsPerSecond"], u["monthlyRequests"])
                  for u in i.get("usagePlans", [{"name": "standard", "requestsPerSecond": 10, "monthlyRequests": 1_000_000}]))
    names = [u.name for u in plans]
    for idx, name in enumerate(names):
        if name in names[:idx]:
            p(f"ingress.usagePlans[{idx}].name", "duplicates an earlier plan's name; allowed: unique plan names")
            ok = False
    tenants = tuple(TenantSettings(t["name"], t["plan"], t["tokenSecretId"]) for t in i.get("tenants", []))
    for idx, tenant in enumerate(tenants):
        if tenant.plan not in names:
            p(f"ingress.tenants[{idx}].plan", "names no plan in ingress.usagePlans; allowed: " + ", ".join(names))
            ok = False
        if tenant.name in [t.name for t in tenants[:idx]]:
            p(f"ingress.tenants[{idx}].name", "duplicates an earlier tenant's name; allowed: unique tenant names")
            ok = False
    for key in ("customDomain", "certificateId"):
        if public_api is True and key not in i:
            p("ingress", f"missing required key '{key}' (needed when network.publicApi is true)")
            ok = False
        if public_api is False and key in i:
            p(f"ingress.{key}", "only allowed when network.publicApi is true")
            ok = False
    if public_api is False and "wafRequestsPerMinute" in i:
        p("ingress.wafRequestsPerMinute", "only allowed when network.publicApi is true (the WAF fronts the public load balancer)")
        ok = False
    if not ok:
        return None
    jwt = i["jwt"]
    return IngressSettings(
        jwt=JwtSettings(issuers=tuple(jwt["issuers"]), audiences=tuple(jwt["audiences"]), jwks_uri=jwt["jwksUri"],
                        max_clock_skew_seconds=jwt.get("maxClockSkewSeconds", 30)),
        cors_allowed_origins=tuple(i.get("corsAllowedOrigins", [])),
        rate_limit_per_second=i.get("rateLimitPerSecond", 20),
        max_request_body_mb=i.get("maxRequestBodyMb", 4),
        usage_plans=plans,
        tenants=tenants,
        custom_domain=i.get("customDomain"),
        certificate_id=i.get("certificateId"),
        waf_requests_per_minute=i.get("wafRequestsPerMinute", 600),
    )


def _orchestration(o: dict[str, Any], tier: TierPolicy, p: Any) -> OrchestrationSettings | None:
    ok = True
    verify = tier.image_signature_verification or "imageSigningKeyId" in o
    if tier.image_signature_verification and "imageSigningKeyId" not in o:
        p("orchestration.imageSigningKeyId",
          f"missing; the {tier.name} tier requires image signature verification; allowed: the OCID of a Vault signing key")
        ok = False
    r = o["router"]
    replicas = r.get("replicas", 2)
    max_replicas = r.get("maxReplicas", max(6, replicas))
    # Tiers that keep customer data need the router to survive a node or fault-domain loss.
    if tier.private_endpoints_only and replicas < 2:
        p("orchestration.router.replicas", f"fewer than the {tier.name} tier requires; allowed: at least 2")
        ok = False
    if max_replicas < replicas:
        p("orchestration.router.maxReplicas", "below orchestration.router.replicas; allowed: at least replicas")
        ok = False
    defaults = {"cpuRequest": "500m", "cpuLimit": "2000m", "memoryRequest": "768Mi", "memoryLimit": "2048Mi"}
    for req, lim in (("cpuRequest", "cpuLimit"), ("memoryRequest", "memoryLimit")):
        if _quantity(r.get(req, defaults[req])) > _quantity(r.get(lim, defaults[lim])):
            p(f"orchestration.router.{req}", f"above orchestration.router.{lim}; allowed: at most the limit")
            ok = False
    if not ok:
        return None
    n = o.get("nodePool", {})
    return OrchestrationSettings(
        kubernetes_version=o.get("kubernetesVersion", "v1.33.1"),
        node_image_id=o["nodeImageId"],
        image_signature_verification=verify,
        image_signing_key_id=o.get("imageSigningKeyId"),
        node_pool=NodePoolSettings(shape=n.get("shape", "VM.Standard.E5.Flex"), ocpus=n.get("ocpus", 2),
                                   memory_gbs=n.get("memoryGbs", 32), size=n.get("size", 3),
                                   boot_volume_gbs=n.get("bootVolumeGbs", 100), max_pods_per_node=n.get("maxPodsPerNode", 31)),
        router=RouterSettings(image=r["image"], namespace=r.get("namespace", "genai-router"), replicas=replicas,
                              max_replicas=max_replicas, cpu_request=r.get("cpuRequest", "500m"),
                              cpu_limit=r.get("cpuLimit", "2000m"), memory_request=r.get("memoryRequest", "768Mi"),
                              memory_limit=r.get("memoryLimit", "2048Mi"), database=r.get("database", False)),
    )


def _quantity(text: str) -> int:
    """'500m' → 500, '768Mi' → 768 (the schema fixed the unit per key)."""
    return int(text.rstrip("miM"))
