"""Ingress plane: the API Gateway and, only when a public API is asked for and allowed, its public front.

The gateway is always PRIVATE, in the ingress subnet behind the ingress NSG. A public API does not
make the gateway public: OCI's WAF attaches to a load balancer, not to API Gateway, so a public
gateway would be reachable around the WAF. Instead a public load balancer in the publicIngress
subnet terminates TLS for the custom domain (certificate from the OCI Certificates service, by
reference), passes every request through a WAF policy (OWASP protection capabilities, a per-client
rate limit, an access-control rule admitting only the API's paths, a body-inspection size limit),
and forwards to the private gateway over HTTPS. The load balancer and WAF are the only public
resources of the stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pulumi
import pulumi_oci as oci

from components import register_plane

INGRESS_TYPE = register_plane("genai:index:IngressPlane", "ingress")

#: Paths the WAF admits: the API's paths (components/openapi/genai-api.yaml) start with these.
API_PATH_PREFIXES = ("/v1/", "/health")

#: OCI WAF protection capabilities (OWASP ModSecurity Core Rule Set based, collaborative groups):
#: key → what it protects against. Keys come from OCI's protection-capability catalog
#: (`oci waf protection-capability list`); they were not checked against a live catalog offline.
OWASP_CAPABILITIES: Mapping[str, str] = {
    "9300000": "local file inclusion",
    "9310000": "remote file inclusion",
    "9320000": "remote code execution (Unix)",
    "9330000": "PHP injection",
    "9410000": "cross-site scripting",
    "9420000": "SQL injection",
    "9430000": "session fixation",
}

_waf = oci.waf


class IngressPlaneArgs(TypedDict):
    """Inputs of the ingress plane."""

    compartment_id: pulumi.Input[str]
    """Workload compartment."""
    environment: str
    """Environment name; part of display names."""
    subnet_ids: Mapping[str, pulumi.Input[str]]
    """Subnet OCID per role (ingress; publicIngress when public_api)."""
    nsg_ids: Mapping[str, pulumi.Input[str]]
    """NSG OCID per role (ingress; publicIngress when public_api)."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation."""
    public_api: bool
    """Publish the API through a public load balancer with a WAF."""
    tier_allows_public: bool
    """Whether the classification tier allows a public API (a public API it forbids is refused)."""
    certificate_id: pulumi.Input[str] | None
    """Certificates-service certificate for the custom domain (public only; None when private)."""
    custom_domain: str | None
    """Host name of the public API (public only; None when private)."""
    waf_requests_per_minute: int
    """WAF rate limit per client IP per minute (public only)."""
    max_request_body_mb: int
    """Largest request body the WAF inspects and admits, MiB (public only)."""


class IngressPlane(pulumi.ComponentResource):
    """Private API Gateway; public load balancer with WAF and TLS only when asked and allowed."""

    gateway_id: pulumi.Output[str]
    """OCID of the API Gateway."""
    gateway_hostname: pulumi.Output[str]
    """The gateway's private host name."""
    public_load_balancer_id: pulumi.Output[str] | None
    """OCID of the public load balancer, or None for a private-only API."""
    waf_policy_id: pulumi.Output[str] | None
    """OCID of the WAF policy, or None for a private-only API."""

    def __init__(self, name: str, args: IngressPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(INGRESS_TYPE, name, None, opts)
        env, comp, tags = args["environment"], args["compartment_id"], args["defined_tags"]
        child = pulumi.ResourceOptions(parent=self)
        public = args["public_api"]
        if public and not args["tier_allows_public"]:
            raise ValueError("a public API was asked for but the classification tier does not allow one")

        gateway = oci.apigateway.Gateway(
            f"{name}-gateway",
            compartment_id=comp,
            display_name=f"genai-{env}-gateway",
            endpoint_type="PRIVATE",
            subnet_id=args["subnet_ids"]["ingress"],
            network_security_group_ids=[args["nsg_ids"]["ingress"]],
            defined_tags=tags,
            opts=child,
        )
        self.gateway_id = gateway.id
        self.gateway_hostname = gateway.hostname
        self.public_load_balancer_id = None
        self.waf_policy_id = None
        if public:
            self._public_front(name, args, gateway, child)

        self.register_outputs({
            "gatewayId": self.gateway_id,
            "gatewayHostname": self.gateway_hostname,
            "publicLoadBalancerId": self.public_load_balancer_id,
            "wafPolicyId": self.waf_policy_id,
        })

    def _public_front(self, name: str, args: IngressPlaneArgs, gateway: oci.apigateway.Gateway,
                      child: pulumi.ResourceOptions) -> None:
        env, comp, tags = args["environment"], args["compartment_id"], args["defined_tags"]
        if args["certificate_id"] is None or args["custom_domain"] is None:
            raise ValueError("a public API needs certificate_id and custom_domain")
        lb = oci.loadbalancer.LoadBalancer(
            f"{name}-public-lb",
            compartment_id=comp,
            display_name=f"genai-{env}-public-api",
            shape="flexible",
            shape_details=oci.loadbalancer.LoadBalancerShapeDetailsArgs(minimum_bandwidth_in_mbps=10,
                                                                        maximum_bandwidth_in_mbps=100),
            subnet_ids=[args["subnet_ids"]["publicIngress"]],
            network_security_group_ids=[args["nsg_ids"]["publicIngress"]],
            is_private=False,
            is_delete_protection_enabled=True,
            is_request_id_enabled=True,
            defined_tags=tags,
            opts=child,
        )
        self.public_load_balancer_id = lb.id
        backend_set = oci.loadbalancer.BackendSet(
            f"{name}-public-gateway-backends",
            load_balancer_id=lb.id,
            name="api-gateway",
            policy="ROUND_ROBIN",
            health_checker=oci.loadbalancer.BackendSetHealthCheckerArgs(
                protocol="HTTP", port=443, url_path="/health", return_code=200, is_force_plain_text=False),
            ssl_configuration=oci.loadbalancer.BackendSetSslConfigurationArgs(
                protocols=["TLSv1.2", "TLSv1.3"], verify_peer_certificate=False),
            opts=child,
        )
        oci.loadbalancer.Backend(
            f"{name}-public-gateway-backend",
            load_balancer_id=lb.id,
            backendset_name=backend_set.name,
            ip_address=gateway.ip_addresses.apply(lambda ips: ips[0].ip_address),
            port=443,
            opts=child,
        )
        hostname = oci.loadbalancer.Hostname(
            f"{name}-public-hostname",
            load_balancer_id=lb.id,
            name="api",
            hostname=args["custom_domain"],
            opts=child,
        )
        oci.loadbalancer.Listener(
            f"{name}-public-https",
            load_balancer_id=lb.id,
            name="https",
            port=443,
            protocol="HTTP",
            default_backend_set_name=backend_set.name,
            hostname_names=[hostname.name],
            ssl_configuration=oci.loadbalancer.ListenerSslConfigurationArgs(
                certificate_ids=[args["certificate_id"]],
                protocols=["TLSv1.2", "TLSv1.3"],
                cipher_suite_name="oci-default-http2-tls-12-13-ssl-cipher-suite-v1",
                server_order_preference="ENABLED",
            ),
            opts=child,
        )

        prefixes = API_PATH_PREFIXES
        path_ok = " || ".join(f"starts_with(http.request.url.path, '{p}')" for p in prefixes)
        per_minute = args["waf_requests_per_minute"]
        policy = _waf.AppFirewallPolicy(
            f"{name}-waf-policy",
            compartment_id=comp,
            display_name=f"genai-{env}-public-api",
            actions=[
                _waf.AppFirewallPolicyActionArgs(name="allow", type="ALLOW"),
                _waf.AppFirewallPolicyActionArgs(
                    name="reject", type="RETURN_HTTP_RESPONSE", code=403,
                    body=_waf.AppFirewallPolicyActionBodyArgs(type="STATIC_TEXT", text='{"error":{"message":"forbidden"}}'),
                    headers=[_waf.AppFirewallPolicyActionHeaderArgs(name="Content-Type", value="application/json")]),
                _waf.AppFirewallPolicyActionArgs(
                    name="too-many", type="RETURN_HTTP_RESPONSE", code=429,
                    body=_waf.AppFirewallPolicyActionBodyArgs(type="STATIC_TEXT", text='{"error":{"message":"rate limited"}}'),
                    headers=[_waf.AppFirewallPolicyActionHeaderArgs(name="Content-Type", value="application/json")]),
            ],
            request_access_control=_waf.AppFirewallPolicyRequestAccessControlArgs(
                default_action_name="allow",
                rules=[_waf.AppFirewallPolicyRequestAccessControlRuleArgs(
                    name="only-api-paths", type="ACCESS_CONTROL", action_name="reject",
                    condition_language="JMESPATH", condition=f"!({path_ok})")],
            ),
            request_rate_limiting=_waf.AppFirewallPolicyRequestRateLimitingArgs(rules=[
                _waf.AppFirewallPolicyRequestRateLimitingRuleArgs(
                    name="per-client", type="REQUEST_RATE_LIMITING", action_name="too-many",
                    configurations=[_waf.AppFirewallPolicyRequestRateLimitingRuleConfigurationArgs(
                        period_in_seconds=60, requests_limit=per_minute, action_duration_in_seconds=60)]),
            ]),
            request_protection=_waf.AppFirewallPolicyRequestProtectionArgs(
                body_inspection_size_limit_in_bytes=args["max_request_body_mb"] * 1024 * 1024,
                body_inspection_size_limit_exceeded_action_name="reject",
                rules=[_waf.AppFirewallPolicyRequestProtectionRuleArgs(
                    name="owasp", type="PROTECTION", action_name="reject", is_body_inspection_enabled=True,
                    protection_capabilities=[
                        _waf.AppFirewallPolicyRequestProtectionRuleProtectionCapabilityArgs(key=key, version=1)
                        for key in OWASP_CAPABILITIES
                    ])],
            ),
            defined_tags=tags,
            opts=child,
        )
        self.waf_policy_id = policy.id
        _waf.AppFirewall(
            f"{name}-waf",
            compartment_id=comp,
            display_name=f"genai-{env}-public-api",
            backend_type="LOAD_BALANCER",
            load_balancer_id=lb.id,
            web_app_firewall_policy_id=policy.id,
            defined_tags=tags,
            opts=child,
        )
