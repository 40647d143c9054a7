"""Classification: what each data tier requires, read from policies/classification.yaml.

Every rule here takes its tiers and thresholds from the matrix at load time, so changing a tier
there changes what is checked (and what settings demand) without touching a rule. A resource's
tier is its ``<namespace>.classification`` defined tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from core.severity import MANDATORY
from core.tiers import GUARDRAIL_MODE_ORDER, PROTECTION_ORDER, TIERS, VAULT_TYPE_ORDER, TierPolicy, load_matrix
from policies.rules._base import UNKNOWN, Fixture, Rule, get, items, set_path, tagged, tier_of

BUCKET = "oci:ObjectStorage/bucket:Bucket"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
CLUSTER = "oci:ContainerEngine/cluster:Cluster"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
KEY = "oci:Kms/key:Key"
VAULT = "oci:Kms/vault:Vault"
GATEWAY = "oci:ApiGateway/gateway:Gateway"
LOAD_BALANCER = "oci:LoadBalancer/loadBalancer:LoadBalancer"
SUBNET = "oci:Core/subnet:Subnet"
IGW = "oci:Core/internetGateway:InternetGateway"
LOG = "oci:Logging/log:Log"
AGENT = "oci:GenerativeAi/agentAgent:AgentAgent"
AGENT_ENDPOINT = "oci:GenerativeAi/agentAgentEndpoint:AgentAgentEndpoint"
ENDPOINT = "oci:GenerativeAi/endpoint:Endpoint"

MATRIX: Mapping[str, TierPolicy] = load_matrix()
_PROTECTION, _VAULT, _MODE = PROTECTION_ORDER, VAULT_TYPE_ORDER, GUARDRAIL_MODE_ORDER
_CLS = ("soc2:C1.1", "iso27001-2022:A.5.12", "nist-800-53r5:RA-2")


def tiers_where(predicate: Callable[[TierPolicy], bool]) -> tuple[str, ...]:
    return tuple(name for name, policy in MATRIX.items() if predicate(policy))


def _policy(props: Mapping[str, Any]) -> TierPolicy:
    tier = tier_of(props)
    assert tier is not None  # the rule only runs for tiers it targets
    return MATRIX[tier]


def cls_rule(id: str, title: str, types: tuple[str, ...], check: Callable[[Mapping[str, Any]], Iterable[str]], *,
             tiers: tuple[str, ...], path: str, good: Callable[[TierPolicy], Any], bad: Callable[[TierPolicy], Any],
             severity: str, remediation: str, controls: tuple[str, ...] = (), base: Mapping[str, Any] | None = None) -> Rule:
    """A tier rule whose fixtures come from the matrix row of the strictest tier it targets."""
    tier = tiers[-1] if tiers else TIERS[-1]
    policy = MATRIX[tier]
    start = tagged(tier, **(base or {}))
    fixtures = {"pass": Fixture(types[0], set_path(start, path, good(policy))),
                "fail": Fixture(types[0], set_path(start, path, bad(policy))),
                "unknown": Fixture(types[0], set_path(start, path, UNKNOWN))}
    return Rule(id=id, title=title, severity=severity, enforcement=MANDATORY, types=types, remediation=remediation,
                controls=(*_CLS, *controls), check=check, fixtures=fixtures, tiers=tiers or ("__none__",),
                needs_tier=True)


def _required(path: str, label: str) -> Callable[[Mapping[str, Any]], Iterable[str]]:
    def check(props: Mapping[str, Any]) -> Iterable[str]:
        if not get(props, path):
            yield f"'{path}' is not set; its classification tier requires {label}"
    return check


def _equals(path: str, expected: Any, label: str) -> Callable[[Mapping[str, Any]], Iterable[str]]:
    def check(props: Mapping[str, Any]) -> Iterable[str]:
        if get(props, path) != expected:
            yield f"'{path}' is not {label}, which its classification tier requires"
    return check


def _key_protection(props: Mapping[str, Any]) -> Iterable[str]:
    mode = props.get("protectionMode")
    if _PROTECTION.get(str(mode), -1) < _PROTECTION[_policy(props).vault_protection_mode]:
        yield "'protectionMode' is weaker than its classification tier's minimum"


def _vault_type(props: Mapping[str, Any]) -> Iterable[str]:
    if _VAULT.get(str(props.get("vaultType")), -1) < _VAULT[_policy(props).vault_type]:
        yield "'vaultType' is weaker than its classification tier's minimum"


def _rotation(props: Mapping[str, Any]) -> Iterable[str]:
    limit = _policy(props).key_rotation_max_days
    days = get(props, "autoKeyRotationDetails.rotationIntervalInDays")
    if props.get("isAutoRotationEnabled") is not True or days is None or float(days) > limit:
        yield f"'autoKeyRotationDetails.rotationIntervalInDays' is missing or longer than the tier's {limit} days"


def _log_retention(props: Mapping[str, Any]) -> Iterable[str]:
    minimum = _policy(props).retention.log_days
    value = props.get("retentionDuration")
    if value is None or float(value) < minimum:
        yield f"'retentionDuration' is shorter than its classification tier's {minimum} days"


def _region_of_ads(props: Mapping[str, Any]) -> Iterable[str]:
    allowed = {r.upper() for r in _policy(props).regions}
    for i, placement in enumerate(items(get(props, "nodeConfigDetails.placementConfigs"))):
        ad = str(placement.get("availabilityDomain") or "")
        region = ad.split(":", 1)[-1].rsplit("-AD-", 1)[0]
        if region not in allowed:
            yield f"'nodeConfigDetails.placementConfigs[{i}].availabilityDomain' is outside the tier's region allow-list"


def _region_of_key(props: Mapping[str, Any]) -> Iterable[str]:
    endpoint = str(props.get("managementEndpoint") or "")
    if not any(f".kms.{region}." in endpoint for region in _policy(props).regions):
        yield "'managementEndpoint' is not in a region on the tier's allow-list"


def _serving(props: Mapping[str, Any]) -> Iterable[str]:
    selection = get(props, "llmConfig.routingLlmCustomization.llmSelection") or {}
    if selection.get("llmSelectionType") != "CUSTOM_GEN_AI_ENDPOINT" or not selection.get("endpointId"):
        yield "'llmConfig.routingLlmCustomization.llmSelection' does not route to a dedicated or private endpoint"


def _guardrail_rule(n: int, key: str, path: str, label: str) -> Rule:
    def check(props: Mapping[str, Any]) -> Iterable[str]:
        required = getattr(_policy(props).guardrails, key)
        if _MODE.get(str(get(props, path)), -1) < _MODE[required]:
            yield f"'{path}' is weaker than its classification tier's {required}"
    return cls_rule(f"CLS-AGT-{n:03d}", f"Ensure the {label} guardrail meets the tier's minimum mode", (AGENT_ENDPOINT,),
                    check, tiers=tuple(MATRIX), path=path, good=lambda p: getattr(p.guardrails, key), bad=lambda p: "DISABLE",
                    severity="high", remediation=f"Set {path} to the tier's mode (policies/classification.yaml guardrails).",
                    controls=("nist-ai-rmf:MANAGE-2.2",))


def _output_retention(props: Mapping[str, Any]) -> Iterable[str]:
    limit = _policy(props).retention.data_days * 24 * 60
    minutes = get(props, "outputConfig.retentionPeriodInMinutes")
    if minutes is None or float(minutes) > limit:
        yield "'outputConfig.retentionPeriodInMinutes' is missing or longer than the tier's data retention"


CMK = tiers_where(lambda p: p.customer_managed_keys)
PRIVATE_API = tiers_where(lambda p: not p.public_api_allowed)
PRIVATE_ONLY = tiers_where(lambda p: p.private_endpoints_only)
NO_ON_DEMAND = tiers_where(lambda p: "on-demand" not in p.allowed_serving)
ROTATING = tiers_where(lambda p: p.vault_type == "VIRTUAL_PRIVATE")
_KEY = "ocid1.key.oc1.fra.aaaaaaaaexample"

RULES: list[Rule] = [
    cls_rule("CLS-CMK-001", "Ensure buckets holding tiered data use a customer-managed key", (BUCKET,),
             _required("kmsKeyId", "a customer-managed key"), tiers=CMK, path="kmsKeyId", good=lambda p: _KEY,
             bad=lambda p: "", severity="high", remediation="Set kms_key_id to the vault's storage key."),
    cls_rule("CLS-CMK-002", "Ensure Autonomous Databases holding tiered data use a customer-managed key", (ADB,),
             _required("kmsKeyId", "a customer-managed key"), tiers=CMK, path="kmsKeyId", good=lambda p: _KEY,
             bad=lambda p: "", severity="high", remediation="Set kms_key_id and vault_id to the vault's data key."),
    cls_rule("CLS-CMK-003", "Ensure OKE clusters processing tiered data encrypt secrets with a customer-managed key",
             (CLUSTER,), _required("kmsKeyId", "a customer-managed key"), tiers=CMK, path="kmsKeyId", good=lambda p: _KEY,
             bad=lambda p: "", severity="high", remediation="Set kms_key_id to the vault's secrets key."),
    cls_rule("CLS-CMK-004", "Ensure OKE node boot volumes use a customer-managed key where the tier requires it",
             (NODE_POOL,), _required("nodeConfigDetails.kmsKeyId", "a customer-managed key"), tiers=CMK,
             path="nodeConfigDetails.kmsKeyId", good=lambda p: _KEY, bad=lambda p: "", severity="medium",
             remediation="Set node_config_details.kms_key_id to the vault's compute key."),
    cls_rule("CLS-KEY-001", "Ensure master keys meet the tier's protection mode", (KEY,), _key_protection,
             tiers=tuple(MATRIX), path="protectionMode", good=lambda p: "HSM", bad=lambda p: "SOFTWARE",
             severity="high", remediation="Create keys with protection_mode HSM where the tier requires it."),
    cls_rule("CLS-KEY-002", "Ensure vaults meet the tier's vault type", (VAULT,), _vault_type, tiers=tuple(MATRIX),
             path="vaultType", good=lambda p: p.vault_type, bad=lambda p: "BOGUS", severity="high",
             remediation="Use a VIRTUAL_PRIVATE vault (dedicated HSM partition) where the tier requires it."),
    cls_rule("CLS-KEY-003", "Ensure keys rotate automatically within the tier's maximum interval", (KEY,), _rotation,
             tiers=ROTATING, path="autoKeyRotationDetails.rotationIntervalInDays",
             good=lambda p: float(p.key_rotation_max_days), bad=lambda p: float(p.key_rotation_max_days + 1),
             base={"isAutoRotationEnabled": True}, severity="high",
             remediation="Enable auto-rotation with an interval no longer than keyRotationMaxDays."),
    cls_rule("CLS-NET-001", "Ensure API gateways are private in tiers that forbid a public API", (GATEWAY,),
             _equals("endpointType", "PRIVATE", "PRIVATE"), tiers=PRIVATE_API, path="endpointType",
             good=lambda p: "PRIVATE", bad=lambda p: "PUBLIC", severity="critical",
             remediation="Set endpoint_type='PRIVATE'; publish through a WAF-protected load balancer only where allowed."),
    cls_rule("CLS-NET-002", "Ensure load balancers are private in tiers that forbid a public API", (LOAD_BALANCER,),
             _equals("isPrivate", True, "private"), tiers=PRIVATE_API, path="isPrivate", good=lambda p: True,
             bad=lambda p: False, severity="critical", remediation="Set is_private=True."),
    cls_rule("CLS-NET-003", "Ensure subnets forbid public IPs in tiers that forbid a public API", (SUBNET,),
             _equals("prohibitPublicIpOnVnic", True, "true"), tiers=PRIVATE_API, path="prohibitPublicIpOnVnic",
             good=lambda p: True, bad=lambda p: False, severity="critical",
             remediation="Set prohibit_public_ip_on_vnic=True on every subnet."),
    cls_rule("CLS-NET-004", "Ensure no internet gateway is enabled in tiers that forbid a public API", (IGW,),
             _equals("enabled", False, "disabled"), tiers=PRIVATE_API, path="enabled", good=lambda p: False,
             bad=lambda p: True, severity="critical", remediation="Remove the internet gateway; egress through NAT only."),
    cls_rule("CLS-NET-005", "Ensure Generative AI endpoints use a private endpoint in private-only tiers", (ENDPOINT,),
             _required("generativeAiPrivateEndpointId", "a private endpoint"), tiers=PRIVATE_ONLY,
             path="generativeAiPrivateEndpointId", good=lambda p: "ocid1.generativeaiprivateendpoint.oc1.fra.x",
             bad=lambda p: "", severity="critical", remediation="Attach the endpoint to the model-subnet private endpoint."),
    cls_rule("CLS-MOD-001", "Ensure agents route only to dedicated or private endpoints where on-demand serving is forbidden",
             (AGENT,), _serving, tiers=NO_ON_DEMAND, path="llmConfig.routingLlmCustomization.llmSelection",
             good=lambda p: {"llmSelectionType": "CUSTOM_GEN_AI_ENDPOINT", "endpointId": "ocid1.generativeaiendpoint.x"},
             bad=lambda p: {"llmSelectionType": "DEFAULT"}, severity="critical",
             remediation="Select CUSTOM_GEN_AI_ENDPOINT with the dedicated cluster's endpoint."),
    cls_rule("CLS-RES-001", "Ensure OKE nodes run only in the tier's allowed regions", (NODE_POOL,), _region_of_ads,
             tiers=tuple(MATRIX), path="nodeConfigDetails.placementConfigs",
             good=lambda p: [{"availabilityDomain": f"Uocm:{p.regions[0].upper()}-AD-1"}],
             bad=lambda p: [{"availabilityDomain": "Uocm:AP-TOKYO-1-AD-1"}], severity="high",
             remediation="Deploy the stack only to a region on the tier's allow-list (residency).",
             controls=("gdpr:Art.44",)),
    cls_rule("CLS-RES-002", "Ensure master keys live in the tier's allowed regions", (KEY,), _region_of_key,
             tiers=tuple(MATRIX), path="managementEndpoint",
             good=lambda p: f"https://x-management.kms.{p.regions[0]}.oraclecloud.com",
             bad=lambda p: "https://x-management.kms.ap-tokyo-1.oraclecloud.com", severity="high",
             remediation="Create the vault in a region on the tier's allow-list.", controls=("gdpr:Art.44",)),
    cls_rule("CLS-LOG-001", "Ensure logs are kept at least as long as the tier requires", (LOG,), _log_retention,
             tiers=tuple(MATRIX), path="retentionDuration", good=lambda p: float(p.retention.log_days),
             bad=lambda p: float(p.retention.log_days - 1), severity="medium",
             remediation="Raise retention_duration to the tier's retention.logDays (OCI Logging caps at 180; archive beyond).",
             controls=("nist-800-53r5:AU-11", "pci-dss:10.5")),
    cls_rule("CLS-AGT-001", "Ensure agent endpoints ask a human before acting where the tier requires it",
             (AGENT_ENDPOINT,), _equals("humanInputConfig.shouldEnableHumanInput", True, "enabled"),
             tiers=tiers_where(lambda p: p.human_input_required), path="humanInputConfig.shouldEnableHumanInput",
             good=lambda p: True, bad=lambda p: False, severity="high",
             remediation="Set human_input_config.should_enable_human_input=True.",
             controls=("nist-ai-rmf:MANAGE-2.4", "nist-ai-rmf:MAP-3.5", "eu-ai-act:Art.14", "gdpr:Art.22", "owasp-llm:LLM06")),
    _guardrail_rule(2, "prompt_injection_input", "guardrailConfig.promptInjectionConfig.inputGuardrailMode", "prompt-injection"),
    _guardrail_rule(3, "content_moderation_input", "guardrailConfig.contentModerationConfig.inputGuardrailMode",
                    "content-moderation input"),
    _guardrail_rule(4, "content_moderation_output", "guardrailConfig.contentModerationConfig.outputGuardrailMode",
                    "content-moderation output"),
    _guardrail_rule(5, "pii_input", "guardrailConfig.personallyIdentifiableInformationConfig.inputGuardrailMode", "PII input"),
    _guardrail_rule(6, "pii_output", "guardrailConfig.personallyIdentifiableInformationConfig.outputGuardrailMode",
                    "PII output"),
    cls_rule("CLS-AGT-007", "Ensure agent outputs are kept no longer than the tier's data retention", (AGENT_ENDPOINT,),
             _output_retention, tiers=tuple(MATRIX), path="outputConfig.retentionPeriodInMinutes",
             good=lambda p: float(p.retention.data_days * 1440), bad=lambda p: float(p.retention.data_days * 1440 + 1),
             severity="medium", remediation="Set output_config.retention_period_in_minutes within retention.dataDays.",
             controls=("soc2:P4.2", "gdpr:Art.5(1)(e)", "nist-800-53r5:SI-12")),
    cls_rule("CLS-OKE-001", "Ensure OKE verifies image signatures where the tier requires it", (CLUSTER,),
             _equals("imagePolicyConfig.isPolicyEnabled", True, "enabled"),
             tiers=tiers_where(lambda p: p.image_signature_verification), path="imagePolicyConfig.isPolicyEnabled",
             good=lambda p: True, bad=lambda p: False, severity="high",
             remediation="Enable image_policy_config with the signing key from the vault.",
             controls=("nist-800-53r5:SI-7", "nist-800-53r5:SR-11", "nist-800-190:4.1")),
]
