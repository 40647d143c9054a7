"""Ingress plane: a private gateway unless a public API is asked for and allowed; then LB + WAF only."""

from __future__ import annotations

from typing import Any

import pytest

from blueprint.graph import Graph
from core.markers import SECRET_MARKER
from core.problems import SettingsError
from stacks.settings import validate
from tests.conftest import plan_variant
from tests.edge_helpers import PUBLIC_DEV, inputs_of, raw_config

GATEWAY = "oci:ApiGateway/gateway:Gateway"
DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
LB = "oci:LoadBalancer/loadBalancer:LoadBalancer"
WAF = "oci:Waf/appFirewall:AppFirewall"
WAF_POLICY = "oci:Waf/appFirewallPolicy:AppFirewallPolicy"


@pytest.fixture(scope="module")
def public_dev() -> Graph:
    return plan_variant("dev", PUBLIC_DEV, name="dev-public")


def public_things(graph: Graph) -> list[str]:
    """Every resource that is reachable from the internet, by what makes it so."""
    found = []
    for n in graph.resources():
        i: dict[str, Any] = n.inputs
        if n.type == GATEWAY and i.get("endpointType") != "PRIVATE":
            found.append(n.type)
        if n.type == LB and i.get("isPrivate") is not True:
            found.append(n.type)
        if n.type == "oci:Core/subnet:Subnet" and i.get("prohibitPublicIpOnVnic") is not True:
            found.append(n.type)
        if n.type == "oci:ContainerEngine/cluster:Cluster" and i["endpointConfig"].get("isPublicIpEnabled") is not False:
            found.append(n.type)
        if n.type == WAF:
            found.append(n.type)
        if n.type == "kubernetes:core/v1:Service" and (
                i["spec"].get("type") in ("LoadBalancer", "NodePort")
                and i["metadata"].get("annotations", {}).get("service.beta.kubernetes.io/oci-load-balancer-internal") != "true"):
            found.append(n.type)
    return sorted(found)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_public_endpoint_unless_asked(planned, stack: str) -> None:
    graph = planned(stack)
    assert public_things(graph) == []
    assert not graph.by_type(LB) and not graph.by_type(WAF)
    (gw,) = inputs_of(graph, GATEWAY)
    assert gw["endpointType"] == "PRIVATE"


def test_public_variant_has_waf_front_and_nothing_else_public(public_dev: Graph) -> None:
    # The public subnet, its load balancer and the WAF attached to it are the only public things.
    assert public_things(public_dev) == sorted(["oci:Core/subnet:Subnet", LB, WAF])
    (lb_node,) = public_dev.by_type(LB)
    (waf,) = inputs_of(public_dev, WAF)
    assert waf["loadBalancerId"].startswith("ocid1.loadbalancer.") and waf["backendType"] == "LOAD_BALANCER"
    (policy_node,) = public_dev.by_type(WAF_POLICY)
    assert waf["webAppFirewallPolicyId"].startswith("ocid1.appfirewallpolicy.")
    policy = policy_node.inputs
    capabilities = {c["key"] for rule in policy["requestProtection"]["rules"] for c in rule["protectionCapabilities"]}
    assert {"9410000", "9420000", "9320000"} <= capabilities  # XSS, SQL injection, RCE
    assert policy["requestRateLimiting"]["rules"][0]["configurations"][0]["requestsLimit"] == 600
    assert policy["requestAccessControl"]["rules"][0]["actionName"] == "reject"
    (gw,) = inputs_of(public_dev, GATEWAY)
    assert gw["endpointType"] == "PRIVATE", "the gateway stays private behind the WAF-protected load balancer"
    (listener,) = inputs_of(public_dev, "oci:LoadBalancer/listener:Listener")
    assert listener["sslConfiguration"]["certificateIds"] == [PUBLIC_DEV["genai-platform:ingress"]["certificateId"]]
    assert listener["hostnameNames"] == ["api"]
    (host,) = inputs_of(public_dev, "oci:LoadBalancer/hostname:Hostname")
    assert host["hostname"] == PUBLIC_DEV["genai-platform:ingress"]["customDomain"]
    assert lb_node.inputs["subnetIds"] != [gw["subnetId"]]


def test_internal_refuses_public_api() -> None:
    """The operating model's internal tier uses private endpoints: no public front either."""
    raw, region = raw_config("dev")
    raw["network"] = {**raw["network"], "publicApi": True,
                      "subnets": {**raw["network"]["subnets"], "publicIngress": "10.40.4.0/24"}}
    raw["ingress"] = {**raw["ingress"], **PUBLIC_DEV["genai-platform:ingress"]}
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="dev")
    assert [p.path for p in exc.value.problems] == ["genai-platform:network.publicApi"]


def test_confidential_refuses_public_api() -> None:
    raw, region = raw_config("prod")
    raw["network"] = {**raw["network"], "publicApi": True,
                      "subnets": {**raw["network"]["subnets"], "publicIngress": "10.20.4.0/24"}}
    raw["ingress"] = {**raw["ingress"], **PUBLIC_DEV["genai-platform:ingress"]}
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="prod")
    assert [p.path for p in exc.value.problems] == ["genai-platform:network.publicApi"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_gateway_has_auth_rate_limit_quota_and_logs(planned, stack: str) -> None:
    graph = planned(stack)
    (dep,) = graph.by_type(DEPLOYMENT)
    policies = dep.inputs["specification"]["requestPolicies"]
    auth = policies["authentication"]
    raw, _ = raw_config(stack)
    assert auth["type"] == "JWT_AUTHENTICATION"
    assert auth["issuers"] == raw["ingress"]["jwt"]["issuers"]
    assert auth["audiences"] == raw["ingress"]["jwt"]["audiences"]
    assert auth["publicKeys"] == {"type": "REMOTE_JWKS", "uri": raw["ingress"]["jwt"]["jwksUri"],
                                  "maxCacheDurationInHours": 1.0, "isSslVerifyDisabled": False}
    assert policies["rateLimiting"]["rateKey"] == "CLIENT_IP"
    assert policies["rateLimiting"]["rateInRequestsPerSecond"] == raw["ingress"].get("rateLimitPerSecond", 20)
    assert policies["cors"]["allowedOrigins"] == raw["ingress"]["corsAllowedOrigins"]
    logging = dep.inputs["specification"]["loggingPolicies"]
    assert logging["accessLog"]["isEnabled"] and logging["executionLog"]["isEnabled"]
    logs = {n.inputs["configuration"]["source"]["category"] for n in graph.by_type("oci:Logging/log:Log")
            if n.inputs.get("configuration", {}).get("source", {}).get("service") == "apigateway"}
    assert logs == {"access", "execution"}
    for log in graph.by_type("oci:Logging/log:Log"):
        if log.inputs.get("configuration", {}).get("source", {}).get("service") == "apigateway":
            assert dep.urn in log.dependencies
    plans = inputs_of(graph, "oci:ApiGateway/usagePlan:UsagePlan")
    assert plans and all(p["entitlements"][0]["quota"]["operationOnBreach"] == "REJECT" for p in plans)
    subscribers = inputs_of(graph, "oci:ApiGateway/subscriber:Subscriber")
    assert len(subscribers) == len(raw["ingress"]["tenants"])
    assert all(c["token"] == SECRET_MARKER for s in subscribers for c in s["clients"])


def test_tenant_tokens_never_in_graph(planned) -> None:
    text = planned("prod").to_json().__repr__()
    assert "offline-token-" not in text


BAD_INGRESS: list[tuple[dict[str, Any], str]] = [
    ({"jwt": {"issuers": ["http://idcs.example.com"]}}, "ingress.jwt.issuers[0]"),
    ({"jwt": {"audiences": []}}, "ingress.jwt.audiences"),
    ({"jwt": {"jwksUri": "ftp://keys.example.com/jwk"}}, "ingress.jwt.jwksUri"),
    ({"jwt": {"maxClockSkewSeconds": 600}}, "ingress.jwt.maxClockSkewSeconds"),
    ({"corsAllowedOrigins": ["*"]}, "ingress.corsAllowedOrigins[0]"),
    ({"rateLimitPerSecond": 0}, "ingress.rateLimitPerSecond"),
    ({"maxRequestBodyMb": 50}, "ingress.maxRequestBodyMb"),
    ({"usagePlans": [{"name": "Gold!", "requestsPerSecond": 1, "monthlyRequests": 1}]}, "ingress.usagePlans[0].name"),
    ({"usagePlans": [{"name": "gold", "requestsPerSecond": 0, "monthlyRequests": 1}]}, "ingress.usagePlans[0].requestsPerSecond"),
    ({"usagePlans": [{"name": "gold", "requestsPerSecond": 1, "monthlyRequests": 0}]}, "ingress.usagePlans[0].monthlyRequests"),
    ({"usagePlans": [{"name": "standard", "requestsPerSecond": 1, "monthlyRequests": 1}] * 2}, "ingress.usagePlans[1].name"),
    ({"tenants": [{"name": "a1", "plan": "nosuch", "tokenSecretId": "ocid1.vaultsecret.oc1.eu-frankfurt-1.abc"}]},
     "ingress.tenants[0].plan"),
    ({"tenants": [{"name": "a1", "plan": "standard", "tokenSecretId": "s3cr3t-token-value"}]},
     "ingress.tenants[0].tokenSecretId"),
    ({"tenants": [{"name": "A", "plan": "standard", "tokenSecretId": "ocid1.vaultsecret.oc1.eu-frankfurt-1.abc"}]},
     "ingress.tenants[0].name"),
    ({"customDomain": "api.example.com"}, "ingress.customDomain"),
    ({"certificateId": "ocid1.certificate.oc1.eu-frankfurt-1.abc"}, "ingress.certificateId"),
    ({"wafRequestsPerMinute": 100}, "ingress.wafRequestsPerMinute"),
    ({"bogus": 1}, "ingress"),
]


@pytest.mark.parametrize(("override", "path"), BAD_INGRESS, ids=[p for _, p in BAD_INGRESS])
def test_bad_ingress_values_name_the_key(override: dict[str, Any], path: str) -> None:
    raw, region = raw_config("dev")
    ingress = dict(raw["ingress"])
    for key, value in override.items():
        ingress[key] = {**ingress[key], **value} if key == "jwt" else value
    raw["ingress"] = ingress
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="dev")
    assert [p.path for p in exc.value.problems] == [f"genai-platform:{path}"]
    for problem in exc.value.problems:
        assert "\n" not in str(problem)
        for value in override.values():
            for leaf in _leaves(value):
                assert leaf not in problem.message


def test_public_api_needs_domain_and_certificate() -> None:
    raw, region = raw_config("dev")
    raw["classification"] = "public"
    raw["network"] = {**raw["network"], "publicApi": True,
                      "subnets": {**raw["network"]["subnets"], "publicIngress": "10.40.4.0/24"}}
    with pytest.raises(SettingsError) as exc:
        validate(raw, region=region, project="genai-platform", stack="dev")
    assert sorted(str(p) for p in exc.value.problems) == [
        "genai-platform:ingress: missing required key 'certificateId' (needed when network.publicApi is true)",
        "genai-platform:ingress: missing required key 'customDomain' (needed when network.publicApi is true)",
    ]


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value] if isinstance(value, str) and len(value) > 3 else []


def test_every_taggable_edge_resource_carries_the_defined_tags(public_dev: Graph) -> None:
    import inspect

    import pulumi_oci

    edge = {"experience", "ingress", "orchestration"}
    checked = 0
    for node in public_dev.resources():
        if node.plane not in edge or not node.type.startswith("oci:"):
            continue
        module, _, cls = node.type[len("oci:"):].partition("/")
        klass = getattr(getattr(pulumi_oci, module.lower()), cls.rsplit(":", 1)[-1])
        if "defined_tags" not in inspect.signature(klass._internal_init).parameters:
            continue
        tags = node.inputs.get("definedTags") or {}
        assert sorted(k.split(".", 1)[1] for k in tags) == ["classification", "cost-center", "environment", "owner"], node.urn
        checked += 1
    assert checked >= 12
