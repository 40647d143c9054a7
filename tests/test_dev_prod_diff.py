"""dev and prod differ exactly where their stack files differ, and nowhere else.

Both graphs are normalised (environment name, tier and cost centre replaced by placeholders), then
compared resource by resource and property by property. Every remaining difference must be
explained by a config key that differs between Pulumi.dev.yaml and Pulumi.prod.yaml; a new
difference (or a missing one) fails until it is listed here with the key that causes it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.integration

#: (resource type name, normalised property path) → the config key(s) that explain the difference.
EXPLAINED: dict[tuple[str, str], str] = {
    ("Bastion", ".clientCidrBlockAllowLists[]"): "governance.bastion.clientCidrs",
    ("CronJob", ".spec.schedule"): "evaluation.online.schedule",
    ("Bastion", ".maxSessionTtlInSeconds"): "governance.bastion.maxSessionTtlMinutes",
    ("Compartment", ".enableDelete"): "governance.protectStateful",
    ("Key", ".autoKeyRotationDetails.rotationIntervalInDays"): "governance.vault.rotationDays",
    ("Key", ".isAutoRotationEnabled"): "governance.vault.type (rotation needs VIRTUAL_PRIVATE)",
    ("Key", ".protectionMode"): "governance.vault.protectionMode",
    ("Vault", ".vaultType"): "governance.vault.type",
    ("Log", ".retentionDuration"): "network.flowLogRetentionDays",
    ("NetworkSecurityGroupSecurityRule", ".source"): "network.apiClientCidrs, network.subnets (bastion)",
    ("NetworkSecurityGroupSecurityRule", ".destination"): "network.apiClientCidrs (rule order shifts)",
    ("NetworkSecurityGroupSecurityRule", ".sourceType"): "network.apiClientCidrs (rule order shifts)",
    ("NetworkSecurityGroupSecurityRule", ".destinationType"): "network.apiClientCidrs (rule order shifts)",
    ("NetworkSecurityGroupSecurityRule", ".description"): "network.apiClientCidrs (rule order shifts)",
    ("NetworkSecurityGroupSecurityRule", ".tcpOptions.destinationPortRange.min"): "network.apiClientCidrs (order)",
    ("NetworkSecurityGroupSecurityRule", ".tcpOptions.destinationPortRange.max"): "network.apiClientCidrs (order)",
    ("Subnet", ".cidrBlock"): "network.subnets",
    ("Vcn", ".cidrBlocks[]"): "network.vcnCidr",
    ("Subscription", ".endpoint"): "governance.notifications.securityEmails",
    ("Compartment", "protect"): "governance.protectStateful",
    ("Key", "protect"): "governance.protectStateful",
    ("Vault", "protect"): "governance.protectStateful",
    ("TagNamespace", "protect"): "governance.protectStateful",
    ("Key", ".managementEndpoint"): "governance.vault.type (a different vault)",
    ("TagDefault", ".value"): "classification, governance.costCenter (the tag defaults' values)",
    # data and model planes
    ("AgentAgent", ".llmConfig.routingLlmCustomization.llmSelection.endpointId"): "model.dedicatedClusters",
    ("AgentAgent", ".llmConfig.routingLlmCustomization.llmSelection.llmSelectionType"): "model.dedicatedClusters",
    ("AgentAgentEndpoint", ".guardrailConfig.contentModerationConfig.outputGuardrailMode"): "classification (guardrails)",
    ("AgentAgentEndpoint", ".guardrailConfig.personallyIdentifiableInformationConfig.outputGuardrailMode"):
        "classification (guardrails)",
    ("AgentAgentEndpoint", ".humanInputConfig.shouldEnableHumanInput"): "classification (humanInputRequired)",
    ("AgentAgentEndpoint", ".sessionConfig.idleTimeoutInSeconds"): "model.agent.sessionIdleTimeoutSeconds",
    ("AutonomousDatabase", ".backupRetentionPeriodInDays"): "data.database.backupRetentionDays",
    ("AutonomousDatabase", ".computeCount"): "data.database.ecpuCount",
    ("AutonomousDatabase", ".dataStorageSizeInGb"): "data.database.storageGb",
    ("AutonomousDatabase", ".isAutoScalingEnabled"): "data.database.autoScaling",
    ("AutonomousDatabase", ".isBackupRetentionLocked"): "governance.protectStateful",
    ("AutonomousDatabase", "protect"): "governance.protectStateful",
    ("Bucket", ".kmsKeyId"): "classification (customerManagedKeys, audit archive)",
    ("Bucket", "protect"): "governance.protectStateful",
    ("ObjectLifecyclePolicy", ".rules[].timeAmount"): "classification (retention.dataDays, auditArchiveDays)",
    ("Policy", ".statements[]"): "classification (customerManagedKeys: key grants)",
    ("Secret", "protect"): "governance.protectStateful",
    ("LogGroup", "protect"): "governance.protectStateful",
    # operations plane
    ("ApmDomain", ".isFreeTier"): "operations.apm.freeTier",
    ("ApmDomain", "protect"): "governance.protectStateful",
    ("Budget", ".amount"): "operations.budget.amount",
    ("Rule", ".recipients"): "operations.budget.recipients",
    ("Config", ".repeatIntervalInSeconds"): "operations.apm.probeIntervalSeconds",
    ("Config", ".timeoutInSeconds"): "operations.apm.probeIntervalSeconds (OCI caps the timeout at 30% of it)",
    ("Config", ".target"): "operations.apm.healthUrl",
    ("Config", ".vantagePoints[].name"): "operations.apm.vantagePoints",
    ("OnPremiseVantagePoint", ".name"): "operations.apm.vantagePoints",
    # ingress, experience and orchestration planes
    ("Cluster", ".imagePolicyConfig.isPolicyEnabled"): "classification (imageSignatureVerification)",
    ("Cluster", ".imagePolicyConfig.keyDetails[].kmsKeyId"): "orchestration.imageSigningKeyId",
    ("Cluster", "protect"): "governance.protectStateful",
    ("ConfigMap", ".data.config.yaml"): "the router config: model catalogue, tier, budgets (model, operations)",
    ("Deployment", ".spec.template.metadata.annotations.genai.platform/config-hash"): "the router config (as above)",
    ("Deployment", ".spec.replicas"): "orchestration.router.replicas",
    ("HorizontalPodAutoscaler", ".spec.minReplicas"): "orchestration.router.replicas",
    ("HorizontalPodAutoscaler", ".spec.maxReplicas"): "orchestration.router.maxReplicas",
    ("Deployment", ".specification.requestPolicies.authentication.audiences[]"): "ingress.jwt.audiences",
    ("Deployment", ".specification.requestPolicies.authentication.issuers[]"): "ingress.jwt.issuers",
    ("Deployment", ".specification.requestPolicies.authentication.publicKeys.uri"): "ingress.jwt.jwksUri",
    ("Deployment", ".specification.requestPolicies.cors.allowedOrigins[]"): "ingress.corsAllowedOrigins",
    ("Deployment", ".specification.requestPolicies.rateLimiting.rateInRequestsPerSecond"): "ingress.rateLimitPerSecond",
    ("Log", ".configuration.source.service"): "none: OCI's OKE log service is literally 'oke-k8s-cp-prod' (name normalisation)",
    ("NetworkPolicy", ".spec.egress[].to[].ipBlock.except[]"): "network.vcnCidr",
    ("NetworkPolicy", ".spec.ingress[].from[].ipBlock.cidr"): "network.subnets.ingress",
    ("NetworkPolicy", ".spec.egress[].to[].ipBlock.cidr"): "network.subnets.data (OCI Cache's endpoints)",
    ("Deployment", ".spec.template.spec.containers[].env[].value"):
        "the router's log OCID and OCI Cache FQDN (their names carry the stack's region and resources)",
    ("NodePool", ".nodeConfigDetails.kmsKeyId"): "classification (customerManagedKeys)",
    ("NodePool", ".nodeConfigDetails.placementConfigs[].availabilityDomain"): "network.placement.availabilityDomains",
    ("NodePool", ".nodeConfigDetails.placementConfigs[].faultDomains[]"): "network.placement.faultDomains",
    ("NodePool", ".nodeConfigDetails.placementConfigs[].subnetId"): "network.placement (one entry per AD)",
    ("NodePool", ".nodeConfigDetails.size"): "orchestration.nodePool.size",
    ("NodePool", ".nodeShapeConfig.memoryInGbs"): "orchestration.nodePool.memoryGbs",
    ("NodePool", ".nodeShapeConfig.ocpus"): "orchestration.nodePool.ocpus",
}

#: Resources only one stack has, by normalised name → the config key that explains it.
ONLY_IN = {
    "ENV-governance-security-email-1": "governance.notifications.securityEmails (prod has two)",
    "ENV-network-nsg-ingress-ingress-3": "network.apiClientCidrs (prod has two)",
    "ENV-network-nsg-ingress-egress-3": "network.apiClientCidrs (rule numbering shifts)",
    "ENV-network-nsg-ingress-egress-8": "network.apiClientCidrs (rule numbering shifts)",
    **{f"ENV-model-dedicated-{kind}-{name}": "model.dedicatedClusters (prod has three)"
       for kind in ("cluster", "endpoint") for name in ("command-r-plus", "llama-3.3-70b", "embed-multilingual")},
    "ENV-model-private-endpoint": "classification (privateEndpointsOnly)",
    **{f"ENV-operations-alarm-dedicated-cluster-{alarm}": "model.dedicatedClusters (their endpoints' alarms)"
       for alarm in ("latency", "server-errors")},
    "ENV-operations-sub-critical-pagerduty-1": "operations.notifications.critical.pagerDutyUrls",
    "ENV-operations-vantage-point-1": "operations.apm.vantagePoints (prod has two)",
    "ENV-operations-sub-warning-slack-1": "operations.notifications.warning.slackUrls",
    "ENV-experience-plan-premium": "ingress.usagePlans (prod has a premium plan)",
    "ENV-experience-subscriber-retail": "ingress.tenants",
    "ENV-experience-subscriber-support": "ingress.tenants",
    "ENV-experience-subscriber-team-sandbox": "ingress.tenants",
}


def _placeholders(stack: str, graph) -> dict[str, str]:
    ns = f"genai-{stack}"
    tags = next(n.inputs["definedTags"] for n in graph.resources() if n.inputs.get("definedTags"))
    return {tags[f"{ns}.classification"]: "TIER", tags[f"{ns}.cost-center"]: "COSTCENTER"}


def _normalise(value: Any, stack: str, subs: dict[str, str]) -> Any:
    if isinstance(value, str):
        value = re.sub(rf"(?<![a-z]){stack}(?![a-z])|(?<=genai){stack}", "ENV", value)
        return re.sub(r"ocid1\.[a-z]+\.oc1\.[a-z]*\.[a-z0-9]+", "OCID", value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            tag_value = isinstance(v, str) and k.startswith(f"genai-{stack}.")  # a defined tag's value
            out[_normalise(k, stack, subs)] = subs[v] if tag_value and v in subs else _normalise(v, stack, subs)
        return out
    if isinstance(value, list):
        return [_normalise(v, stack, subs) for v in value]
    return value


def _flatten(value: Any, path: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _flatten(v, f"{path}[]")
    else:
        yield path, value


def _index(stack: str, graph) -> dict[str, tuple[str, dict, bool]]:
    subs = _placeholders(stack, graph)
    return {_normalise(n.name, stack, subs): (n.type.rsplit(":", 1)[-1], _normalise(n.inputs, stack, subs), n.protect)
            for n in graph.resources()}


def test_dev_and_prod_differ_only_where_config_differs(planned):
    dev, prod = _index("dev", planned("dev")), _index("prod", planned("prod"))
    assert set(dev) ^ set(prod) == set(ONLY_IN)
    differences: set[tuple[str, str]] = set()
    for name in set(dev) & set(prod):
        (kind, a, pa), (_, b, pb) = dev[name], prod[name]
        fa, fb = sorted(_flatten(a)), sorted(_flatten(b))
        paths = {p for p, _ in fa} | {p for p, _ in fb}
        for path in paths:
            if sorted(v for p, v in fa if p == path) != sorted(v for p, v in fb if p == path):
                differences.add((kind, path))
        if pa != pb:
            differences.add((kind, "protect"))
    unexplained = differences - set(EXPLAINED)
    assert not unexplained, f"differences no config key explains: {sorted(unexplained)}"
    never_seen = set(EXPLAINED) - differences
    assert not never_seen, f"expected differences that did not appear: {sorted(never_seen)}"
