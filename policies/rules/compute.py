"""OKE, API Gateway and load balancers: the compute and edge resources (CIS OCI 3.1 section 3 and ours)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from policies.rules._base import UNKNOWN, Rule, custom_rule, get, items, prop_rule
from router.container import TENANT_HEADER

CLUSTER = "oci:ContainerEngine/cluster:Cluster"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
GATEWAY = "oci:ApiGateway/gateway:Gateway"
DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
LOAD_BALANCER = "oci:LoadBalancer/loadBalancer:LoadBalancer"

_EDGE = ("soc2:CC6.6", "nist-800-53r5:SC-7", "iso27001-2022:A.8.20")


def _private_endpoint(props: Mapping[str, Any]) -> Iterable[str]:
    config = props.get("endpointConfig") or {}
    if not config.get("subnetId"):
        yield "'endpointConfig.subnetId' is not set: the Kubernetes API endpoint is not in our VCN"
    if config.get("isPublicIpEnabled") is not False:
        yield "'endpointConfig.isPublicIpEnabled' is not false"


#: PodSecurityPolicy was removed in Kubernetes 1.25; OKE supports neither it nor its admission controller
#: from 1.25 and enables the PodSecurity admission controller by default from 1.23
#: (https://docs.oracle.com/iaas/Content/ContEng/Tasks/contengusingpspswithoke.htm).
POD_SECURITY_ADMISSION_FROM = (1, 25)


def _pod_security_admission(props: Mapping[str, Any]) -> Iterable[str]:
    version = str(props.get("kubernetesVersion") or "")
    parts = version.removeprefix("v").split(".")
    try:
        minor = (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        yield "'kubernetesVersion' is not a Kubernetes version (vMAJOR.MINOR.PATCH)"
        return
    if minor < POD_SECURITY_ADMISSION_FROM:
        yield "'kubernetesVersion' predates 1.25: pods are not governed by the PodSecurity admission controller alone"
    if get(props, "options.admissionControllerOptions.isPodSecurityPolicyEnabled") is True:
        yield "'options.admissionControllerOptions.isPodSecurityPolicyEnabled' is set; PodSecurityPolicy no longer exists"


def _vcn_native(props: Mapping[str, Any]) -> Iterable[str]:
    options = items(props.get("clusterPodNetworkOptions"))
    if not any(o.get("cniType") == "OCI_VCN_IP_NATIVE" for o in options):
        yield "'clusterPodNetworkOptions' does not select OCI_VCN_IP_NATIVE pod networking"


#: Routes that may be anonymous: liveness probes only.
PUBLIC_PATHS = ("/health", "/healthz", "/livez", "/readyz")


def _authenticated(props: Mapping[str, Any]) -> Iterable[str]:
    auth = get(props, "specification.requestPolicies.authentication")
    if not auth or auth.get("type") not in ("JWT_AUTHENTICATION", "CUSTOM_AUTHENTICATION", "TOKEN_AUTHENTICATION"):
        yield "'specification.requestPolicies.authentication' is not a JWT, token or custom authorizer"
        return
    if auth.get("isAnonymousAccessAllowed") is not True:
        return  # every route requires authentication
    # Anonymous access is enabled for the deployment: each route must then opt in or out explicitly.
    for i, route in enumerate(items(get(props, "specification.routes"))):
        kind = get(route, "requestPolicies.authorization.type")
        if route.get("path") in PUBLIC_PATHS:
            continue
        if kind not in ("AUTHENTICATION_ONLY", "ANY_OF"):
            yield f"'specification.routes[{i}]' is reachable without authentication"


def _tenant_from_token(props: Mapping[str, Any]) -> Iterable[str]:
    """Every authenticated route sets the tenant header the router's per-tenant limits key on from the
    validated token (``${request.auth[...]}``), overwriting what the client sent; otherwise a client
    picks its own tenant and escapes its limits (components/experience.py)."""
    for i, route in enumerate(items(get(props, "specification.routes"))):
        if get(route, "requestPolicies.authorization.type") == "ANONYMOUS":
            continue
        sets = [h for h in items(get(route, "requestPolicies.headerTransformations.setHeaders.items"))
                if str(h.get("name", "")).lower() == TENANT_HEADER]
        where = f"'specification.routes[{i}]'"
        if not sets:
            yield f"{where} does not set the tenant header from the token"
            continue
        header = sets[0]
        if header.get("ifExists") != "OVERWRITE":
            yield f"{where} keeps a client-sent tenant header ('ifExists' is not OVERWRITE)"
        if not all(str(v).startswith("${request.auth[") for v in items(header.get("values"))) or not items(
                header.get("values")):
            yield f"{where} sets the tenant header from something other than the authenticated token"


def _tenant_route(path: str, set_headers: list[dict[str, Any]] | None, kind: str = "AUTHENTICATION_ONLY"
                  ) -> dict[str, Any]:
    policies: dict[str, Any] = {"authorization": {"type": kind}}
    if set_headers is not None:
        policies["headerTransformations"] = {"setHeaders": {"items": set_headers}}
    return {"path": path, "requestPolicies": policies}


_TENANT = {"name": TENANT_HEADER, "values": ["${request.auth[sub]}"], "ifExists": "OVERWRITE"}


def _rate_limited(props: Mapping[str, Any]) -> Iterable[str]:
    limit = get(props, "specification.requestPolicies.rateLimiting")
    if not limit or not limit.get("rateInRequestsPerSecond"):
        yield "'specification.requestPolicies.rateLimiting' is not set"


def _logging(kind: str) -> Any:
    def check(props: Mapping[str, Any]) -> Iterable[str]:
        if get(props, f"specification.loggingPolicies.{kind}.isEnabled") is not True:
            yield f"'specification.loggingPolicies.{kind}.isEnabled' is not true"
    return check


def _cors(props: Mapping[str, Any]) -> Iterable[str]:
    origins = get(props, "specification.requestPolicies.cors.allowedOrigins")
    if origins is not None and "*" in items(origins):
        yield "'specification.requestPolicies.cors.allowedOrigins' allows every origin"


def _spec(**request_policies: Any) -> dict[str, Any]:
    return {"specification": {"requestPolicies": request_policies,
                              "loggingPolicies": {"accessLog": {"isEnabled": True}, "executionLog": {"isEnabled": True}}}}


_JWT = {"type": "JWT_AUTHENTICATION", "issuers": ["https://idcs.example.com"], "isAnonymousAccessAllowed": False}

RULES: list[Rule] = [
    custom_rule("OCI-OKE-001", "Ensure the Kubernetes API endpoint of every OKE cluster is private", (CLUSTER,),
                _private_endpoint, severity="critical",
                remediation="Place endpoint_config in the OKE API subnet with is_public_ip_enabled=False; reach it through the bastion.",
                controls=_EDGE, passing={"endpointConfig": {"subnetId": "ocid1.subnet.oc1.fra.x", "isPublicIpEnabled": False}},
                failing={"endpointConfig": {"subnetId": "ocid1.subnet.oc1.fra.x", "isPublicIpEnabled": True}},
                unknown={"endpointConfig": UNKNOWN}),
    prop_rule("OCI-OKE-002", "Ensure OKE encrypts Kubernetes secrets with a Vault key", (CLUSTER,), "kmsKeyId",
              lambda v: bool(v), good="ocid1.key.oc1.fra.x", bad="", expectation="a Vault key OCID", severity="high",
              remediation="Set kms_key_id to the governance vault's secrets key.",
              controls=("nist-800-53r5:SC-28", "soc2:CC6.1")),
    prop_rule("OCI-OKE-003", "Ensure OKE clusters are enhanced clusters (workload identity)", (CLUSTER,), "type",
              lambda v: v == "ENHANCED_CLUSTER", good="ENHANCED_CLUSTER", bad="BASIC_CLUSTER",
              expectation="ENHANCED_CLUSTER", severity="medium",
              remediation="Set type='ENHANCED_CLUSTER' so pods authenticate with workload identity, not node principals.",
              controls=("nist-800-53r5:IA-9", "soc2:CC6.1")),
    custom_rule("OCI-OKE-004", "Ensure OKE clusters use VCN-native pod networking", (CLUSTER,), _vcn_native,
                severity="low", enforcement="advisory",
                remediation="Set cluster_pod_network_options to OCI_VCN_IP_NATIVE so NSGs apply to pods.",
                controls=("nist-800-53r5:SC-7",), passing={"clusterPodNetworkOptions": [{"cniType": "OCI_VCN_IP_NATIVE"}]},
                failing={"clusterPodNetworkOptions": [{"cniType": "FLANNEL_OVERLAY"}]},
                unknown={"clusterPodNetworkOptions": UNKNOWN}),
    prop_rule("OCI-OKE-005", "Ensure in-transit encryption is enabled for OKE node boot and block volumes", (NODE_POOL,),
              "nodeConfigDetails.isPvEncryptionInTransitEnabled", lambda v: v is True, good=True, bad=False,
              expectation="true", severity="medium",
              remediation="Set node_config_details.is_pv_encryption_in_transit_enabled=True.",
              controls=("cis-oci-3.1:3.3", "nist-800-53r5:SC-8", "hipaa:164.312(e)(1)")),
    prop_rule("OCI-OKE-006", "Ensure OKE node pools carry no SSH public key", (NODE_POOL,), "sshPublicKey",
              lambda v: not v, good="", bad="ssh-rsa AAAA…", expectation="no key; use Bastion managed SSH sessions",
              severity="low", enforcement="advisory", missing_ok=True,
              remediation="Remove ssh_public_key; open Bastion managed-SSH sessions when a node must be reached.",
              controls=("nist-800-53r5:AC-17",)),
    prop_rule("OCI-OKE-007", "Ensure OKE node pools place nodes in network security groups", (NODE_POOL,),
              "nodeConfigDetails.nsgIds", lambda v: len(items(v)) > 0, good=["ocid1.networksecuritygroup.oc1.fra.x"],
              bad=[], expectation="at least one NSG", severity="medium",
              remediation="Set node_config_details.nsg_ids to the workers NSG.", controls=_EDGE),
    # checkov's CKV2_OCI_3 asks the same; ours also runs offline, per tier and in `pulumi preview`.
    prop_rule("OCI-OKE-008", "Ensure the Kubernetes API endpoint of every OKE cluster is in a network security group",
              (CLUSTER,), "endpointConfig.nsgIds", lambda v: len(items(v)) > 0,
              good=["ocid1.networksecuritygroup.oc1.fra.x"], bad=[], expectation="at least one NSG", severity="high",
              remediation="Set endpoint_config.nsg_ids to the OKE API NSG, which admits 6443/12250 only from the "
                          "workers and the bastion (https://docs.oracle.com/iaas/Content/ContEng/Concepts/"
                          "contengnetworkconfig.htm).",
              controls=(*_EDGE, "nist-800-190:4.3")),
    custom_rule("OCI-OKE-009", "Ensure OKE clusters enforce pod security through the PodSecurity admission controller "
                "(Kubernetes 1.25 or later, no PodSecurityPolicy)", (CLUSTER,), _pod_security_admission, severity="medium",
                remediation="Run Kubernetes 1.25 or later, leave is_pod_security_policy_enabled unset and label each "
                            "namespace with pod-security.kubernetes.io/enforce: restricted.",
                controls=("cis-kubernetes-1.10:5.2.1", "nist-800-190:4.4"),
                passing={"kubernetesVersion": "v1.33.1"}, failing={"kubernetesVersion": "v1.24.1"},
                unknown={"kubernetesVersion": UNKNOWN}),
    prop_rule("OCI-API-001", "Ensure API gateways are attached to network security groups", (GATEWAY,),
              "networkSecurityGroupIds", lambda v: len(items(v)) > 0, good=["ocid1.networksecuritygroup.oc1.fra.x"],
              bad=[], expectation="at least one NSG", severity="medium",
              remediation="Set network_security_group_ids to the ingress NSG.", controls=_EDGE),
    custom_rule("OCI-API-002", "Ensure every API deployment authenticates its callers", (DEPLOYMENT,), _authenticated,
                severity="critical", remediation="Add a JWT_AUTHENTICATION request policy with issuers, audiences and JWKS.",
                controls=("soc2:CC6.1", "nist-800-53r5:IA-2", "iso27001-2022:A.8.5", "hipaa:164.312(d)", "pci-dss:8.3"),
                passing={"specification": {**_spec(authentication={**_JWT, "isAnonymousAccessAllowed": True})["specification"],
                                           "routes": [{"path": "/health", "requestPolicies": {"authorization": {"type": "ANONYMOUS"}}},
                                                      {"path": "/v1/chat/completions",
                                                       "requestPolicies": {"authorization": {"type": "AUTHENTICATION_ONLY"}}}]}},
                failing={"specification": {**_spec(authentication={**_JWT, "isAnonymousAccessAllowed": True})["specification"],
                                           "routes": [{"path": "/v1/chat/completions",
                                                       "requestPolicies": {"authorization": {"type": "ANONYMOUS"}}}]}},
                unknown={"specification": UNKNOWN}),
    custom_rule("OCI-API-003", "Ensure every API deployment rate-limits clients", (DEPLOYMENT,), _rate_limited,
                severity="high", remediation="Add a rate_limiting request policy keyed by CLIENT_IP (and usage plans per tenant).",
                controls=("soc2:A1.1", "nist-800-53r5:SC-5", "owasp-llm:LLM10"),
                passing=_spec(authentication=_JWT, rateLimiting={"rateInRequestsPerSecond": 10.0, "rateKey": "CLIENT_IP"}),
                failing=_spec(authentication=_JWT), unknown={"specification": UNKNOWN}),
    custom_rule("OCI-API-004", "Ensure API deployments keep access logs", (DEPLOYMENT,), _logging("accessLog"),
                severity="medium", remediation="Enable the access log and a SERVICE log (apigateway, access).",
                controls=("soc2:CC7.2", "nist-800-53r5:AU-2", "hipaa:164.312(b)", "pci-dss:10.2"),
                passing=_spec(), failing={"specification": {"loggingPolicies": {"accessLog": {"isEnabled": False}}}},
                unknown={"specification": {"loggingPolicies": UNKNOWN}}),
    custom_rule("OCI-API-005", "Ensure API deployments keep execution logs", (DEPLOYMENT,), _logging("executionLog"),
                severity="medium", remediation="Enable the execution log (log level INFO or WARN).",
                controls=("soc2:CC7.2", "nist-800-53r5:AU-2", "hipaa:164.312(b)", "pci-dss:10.2"),
                passing=_spec(), failing={"specification": {"loggingPolicies": {"executionLog": {"isEnabled": False}}}},
                unknown={"specification": {"loggingPolicies": UNKNOWN}}),
    custom_rule("OCI-API-006", "Ensure API deployments do not allow cross-origin calls from every origin", (DEPLOYMENT,), _cors,
                severity="medium", remediation="List the allowed origins explicitly.", controls=("soc2:CC6.6",),
                passing=_spec(cors={"allowedOrigins": ["https://app.example.com"]}),
                failing=_spec(cors={"allowedOrigins": ["*"]}),
                unknown={"specification": {"requestPolicies": {"cors": {"allowedOrigins": UNKNOWN}}}}),
    custom_rule("OCI-API-007", "Ensure every authenticated API route sets the tenant header from the token, "
                "overwriting any client value", (DEPLOYMENT,), _tenant_from_token, severity="high",
                remediation=f"Add a setHeaders item {TENANT_HEADER} = ${{request.auth[sub]}} with ifExists OVERWRITE "
                            "to every authenticated route (https://docs.oracle.com/en-us/iaas/Content/APIGateway/"
                            "Tasks/apigatewaycontextvariables.htm): the router's per-tenant limits key on it.",
                controls=("soc2:CC6.1", "nist-800-53r5:SC-5", "owasp-llm:LLM10"),
                passing={"specification": {"routes": [_tenant_route("/health", None, "ANONYMOUS"),
                                                      _tenant_route("/v1/chat/completions", [_TENANT])]}},
                failing={"specification": {"routes": [_tenant_route("/v1/chat/completions",
                                                                     [{**_TENANT, "ifExists": "SKIP"}])]}},
                unknown={"specification": {"routes": UNKNOWN}}),
    prop_rule("OCI-LB-001", "Ensure load balancers are protected from accidental deletion", (LOAD_BALANCER,),
              "isDeleteProtectionEnabled", lambda v: v is True, good=True, bad=False, expectation="true",
              severity="low", enforcement="advisory", remediation="Set is_delete_protection_enabled=True.",
              controls=("soc2:A1.2",)),
    prop_rule("OCI-LB-002", "Ensure load balancers are attached to network security groups", (LOAD_BALANCER,),
              "networkSecurityGroupIds", lambda v: len(items(v)) > 0, good=["ocid1.networksecuritygroup.oc1.fra.x"],
              bad=[], expectation="at least one NSG", severity="medium",
              remediation="Set network_security_group_ids (public LB NSG admits only 443).", controls=_EDGE),
]
