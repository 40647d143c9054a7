"""Experience plane: the published API.

The API is described once, in ``components/openapi/genai-api.yaml`` (OpenAPI 3, an
OpenAI-compatible surface). This plane turns every path and method of that document into an API
Gateway route to the inference router's private load balancer, and wraps the routes in the
deployment-wide policies: JWT authentication from the configured issuer (every route but the
unauthenticated liveness probe), CORS limited to configured origins, a per-client-IP rate limit,
usage plans and their subscribers for per-tenant quotas (client tokens read from Vault secrets,
never from config), and access and execution logs.

Per route: JSON bodies are required and must be declared as JSON; the caller's ``Authorization``
header is dropped before the router (the gateway has already validated it) and replaced by the
token's subject in ``x-genai-subject`` and in the tenant header the router's per-tenant limits key
on (``x-genai-tenant``, router/container.py), both with ``ifExists: OVERWRITE`` so a client cannot
choose its own tenant (or subject) by sending the header itself. ``${request.auth[sub]}`` is API
Gateway's context variable for the validated JWT's ``sub`` claim
(https://docs.oracle.com/en-us/iaas/Content/APIGateway/Tasks/apigatewaycontextvariables.htm);
header transformations and their ifExists behaviours:
https://docs.oracle.com/en-us/iaas/Content/APIGateway/Tasks/apigatewaymodifyingresponsesrequests.htm.
Only the unauthenticated liveness probe gets the fixed value ``anonymous`` (API Gateway fills no
``request.auth`` on an ANONYMOUS route).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import pulumi
import pulumi_oci as oci
import yaml

from components import register_plane
from router.container import SUBJECT_HEADER, TENANT_HEADER

EXPERIENCE_TYPE = register_plane("genai:index:ExperiencePlane", "experience")

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi" / "genai-api.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

#: API Gateway's longest backend read timeout; streamed chat completions need it.
MAX_READ_TIMEOUT_SECONDS = 300
CALLER = "${request.auth[sub]}"
"""The validated token's subject: the caller, and the tenant the router's limits count against."""
#: API paths served under another path by the router (LiteLLM's own /health calls every model).
ROUTER_PATHS: Mapping[str, str] = {"/health": "/health/liveliness"}

_gw = oci.apigateway


@dataclass(frozen=True)
class ApiOperation:
    """One path + method of the published API."""

    path: str
    method: str
    authenticated: bool
    json_body: bool
    streaming: bool


@cache
def load_api(path: Path = OPENAPI_PATH) -> dict[str, Any]:
    """The OpenAPI document as data."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def operations(doc: Mapping[str, Any]) -> list[ApiOperation]:
    """Every path + method in the document, with what the gateway needs to know about it."""
    default_security = doc.get("security", [])
    ops: list[ApiOperation] = []
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = op.get("security", default_security)
            content = (op.get("requestBody") or {}).get("content", {})
            responses = op.get("responses", {})
            streaming = any("text/event-stream" in (r.get("content") or {}) for r in responses.values() if isinstance(r, dict))
            body_required = bool((op.get("requestBody") or {}).get("required", False))
            ops.append(ApiOperation(path=path, method=method.upper(), authenticated=bool(security),
                                    json_body="application/json" in content and body_required, streaming=streaming))
    return ops


def backend_url(base: str, path: str) -> str:
    """The router URL for an API path; ``{param}`` becomes the gateway's ``${request.path[param]}``."""
    path = ROUTER_PATHS.get(path, path)
    return base.rstrip("/") + re.sub(r"\{([A-Za-z0-9_]+)\}", r"${request.path[\1]}", path)


class UsagePlanSpec(TypedDict):
    """A per-tenant quota plan."""

    name: str
    """Plan name."""
    requests_per_second: int
    """Rate limit per subscriber."""
    monthly_requests: int
    """Monthly request quota per subscriber."""


class TenantSpec(TypedDict):
    """A subscriber of one usage plan."""

    name: str
    """Tenant name."""
    plan: str
    """Name of the usage plan."""
    token_secret_id: str
    """OCID of the Vault secret holding the tenant's client token."""


class ExperiencePlaneArgs(TypedDict):
    """Inputs of the experience plane."""

    compartment_id: pulumi.Input[str]
    """Workload compartment."""
    environment: str
    """Environment name; part of display names."""
    gateway_id: pulumi.Input[str]
    """The API Gateway the deployment goes on (from the ingress plane)."""
    router_url: pulumi.Input[str]
    """Base URL of the router's private load balancer, http://<ip>:<port>."""
    jwt_issuers: Sequence[str]
    """Accepted JWT issuers."""
    jwt_audiences: Sequence[str]
    """Accepted JWT audiences."""
    jwks_uri: str
    """The issuer's JSON Web Key Set URL."""
    defined_tags: pulumi.Input[Mapping[str, str]]
    """Defined tags from the governance foundation."""
    log_retention_days: int
    """Access and execution log retention (30-180)."""
    protect_stateful: bool
    """Protect the log group (audit evidence) from deletion."""
    max_clock_skew_seconds: int
    """Clock skew tolerated on exp/nbf."""
    cors_allowed_origins: Sequence[str]
    """Browser origins allowed by CORS; empty: no CORS policy, cross-origin calls fail."""
    rate_limit_per_second: int
    """Requests per second per client IP."""
    usage_plans: Sequence[UsagePlanSpec]
    """Per-tenant quota plans."""
    tenants: Sequence[TenantSpec]
    """Subscribers of the usage plans."""


class ExperiencePlane(pulumi.ComponentResource):
    """API Gateway deployment generated from the OpenAPI document, its logs, usage plans and subscribers."""

    deployment_id: pulumi.Output[str]
    """OCID of the API deployment."""
    endpoint: pulumi.Output[str]
    """The deployment's endpoint URL."""
    usage_plan_ids: dict[str, pulumi.Output[str]]
    """Usage plan OCID per plan name."""
    log_group_id: pulumi.Output[str]
    """Log group holding the gateway's access and execution logs."""

    def __init__(self, name: str, args: ExperiencePlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(EXPERIENCE_TYPE, name, None, opts)
        env, comp, tags = args["environment"], args["compartment_id"], args["defined_tags"]
        child = pulumi.ResourceOptions(parent=self)
        ops = operations(load_api())
        plans = list(args["usage_plans"])

        routes = [self._route(op, args["router_url"]) for op in ops]
        cors = None
        if args["cors_allowed_origins"]:
            cors = _gw.DeploymentSpecificationRequestPoliciesCorsArgs(
                allowed_origins=list(args["cors_allowed_origins"]),
                allowed_methods=sorted({op.method for op in ops} | {"OPTIONS"}),
                allowed_headers=["authorization", "content-type", "x-genai-client-token"],
                is_allow_credentials_enabled=False,
                max_age_in_seconds=600,
            )
        deployment = _gw.Deployment(
            f"{name}-deployment",
            compartment_id=comp,
            gateway_id=args["gateway_id"],
            display_name=f"genai-{env}-api",
            path_prefix="/",
            specification=_gw.DeploymentSpecificationArgs(
                request_policies=_gw.DeploymentSpecificationRequestPoliciesArgs(
                    authentication=_gw.DeploymentSpecificationRequestPoliciesAuthenticationArgs(
                        type="JWT_AUTHENTICATION",
                        token_header="Authorization",
                        token_auth_scheme="Bearer",
                        issuers=list(args["jwt_issuers"]),
                        audiences=list(args["jwt_audiences"]),
                        max_clock_skew_in_seconds=args["max_clock_skew_seconds"],
                        # Only routes whose OpenAPI security is empty (the liveness probe) use this.
                        is_anonymous_access_allowed=any(not op.authenticated for op in ops),
                        public_keys=_gw.DeploymentSpecificationRequestPoliciesAuthenticationPublicKeysArgs(
                            type="REMOTE_JWKS", uri=args["jwks_uri"], max_cache_duration_in_hours=1,
                            is_ssl_verify_disabled=False),
                        verify_claims=[_gw.DeploymentSpecificationRequestPoliciesAuthenticationVerifyClaimArgs(
                            key="sub", is_required=True)],
                    ),
                    cors=cors,
                    rate_limiting=_gw.DeploymentSpecificationRequestPoliciesRateLimitingArgs(
                        rate_key="CLIENT_IP", rate_in_requests_per_second=args["rate_limit_per_second"]),
                    usage_plans=_gw.DeploymentSpecificationRequestPoliciesUsagePlansArgs(
                        token_locations=["request.headers[x-genai-client-token]"]) if plans else None,
                ),
                logging_policies=_gw.DeploymentSpecificationLoggingPoliciesArgs(
                    access_log=_gw.DeploymentSpecificationLoggingPoliciesAccessLogArgs(is_enabled=True),
                    execution_log=_gw.DeploymentSpecificationLoggingPoliciesExecutionLogArgs(is_enabled=True, log_level="INFO"),
                ),
                routes=routes,
            ),
            defined_tags=tags,
            opts=child,
        )
        self.deployment_id = deployment.id
        self.endpoint = deployment.endpoint

        log_group = oci.logging.LogGroup(
            f"{name}-logs",
            compartment_id=comp,
            display_name=f"genai-{env}-api",
            description="API Gateway access and execution logs",
            defined_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args["protect_stateful"]),
        )
        self.log_group_id = log_group.id
        for category in ("access", "execution"):
            oci.logging.Log(
                f"{name}-log-{category}",
                display_name=f"genai-{env}-api-{category}",
                log_group_id=log_group.id,
                log_type="SERVICE",
                is_enabled=True,
                retention_duration=args["log_retention_days"],
                configuration=oci.logging.LogConfigurationArgs(
                    compartment_id=comp,
                    source=oci.logging.LogConfigurationSourceArgs(
                        category=category, resource=deployment.id, service="apigateway", source_type="OCISERVICE"),
                ),
                defined_tags=tags,
                opts=child,
            )

        self.usage_plan_ids = {}
        plan_resources: dict[str, _gw.UsagePlan] = {}
        for plan in plans:
            plan_resources[plan["name"]] = _gw.UsagePlan(
                f"{name}-plan-{plan['name']}",
                compartment_id=comp,
                display_name=f"genai-{env}-{plan['name']}",
                entitlements=[_gw.UsagePlanEntitlementArgs(
                    name=plan["name"],
                    description=f"{plan['name']} quota for every route of the API",
                    rate_limit=_gw.UsagePlanEntitlementRateLimitArgs(unit="SECOND", value=plan["requests_per_second"]),
                    quota=_gw.UsagePlanEntitlementQuotaArgs(unit="MONTH", value=plan["monthly_requests"],
                                                            reset_policy="CALENDAR", operation_on_breach="REJECT"),
                    targets=[_gw.UsagePlanEntitlementTargetArgs(deployment_id=deployment.id)],
                )],
                defined_tags=tags,
                opts=child,
            )
            self.usage_plan_ids[plan["name"]] = plan_resources[plan["name"]].id
        for tenant in args["tenants"]:
            if tenant["plan"] not in plan_resources:
                raise ValueError(f"tenant '{tenant['name']}' names an unknown usage plan")
            bundle = oci.secrets.get_secretbundle_output(secret_id=tenant["token_secret_id"],
                                                         opts=pulumi.InvokeOutputOptions(parent=self))
            decoded: pulumi.Output[str] = bundle.secret_bundle_contents.apply(_decode_bundle)
            token: pulumi.Output[str] = pulumi.Output.secret(decoded)
            _gw.Subscriber(
                f"{name}-subscriber-{tenant['name']}",
                compartment_id=comp,
                display_name=f"genai-{env}-{tenant['name']}",
                clients=[_gw.SubscriberClientArgs(name=tenant["name"], token=token)],
                usage_plans=[plan_resources[tenant["plan"]].id],
                defined_tags=tags,
                opts=child,
            )

        self.register_outputs({
            "deploymentId": self.deployment_id,
            "endpoint": self.endpoint,
            "usagePlanIds": self.usage_plan_ids,
            "logGroupId": self.log_group_id,
        })

    @staticmethod
    def _route(op: ApiOperation, router_url: pulumi.Input[str]) -> _gw.DeploymentSpecificationRouteArgs:
        policies = _gw.DeploymentSpecificationRouteRequestPoliciesArgs(
            authorization=_gw.DeploymentSpecificationRouteRequestPoliciesAuthorizationArgs(
                type="AUTHENTICATION_ONLY" if op.authenticated else "ANONYMOUS"),
            header_transformations=_gw.DeploymentSpecificationRouteRequestPoliciesHeaderTransformationsArgs(
                filter_headers=_gw.DeploymentSpecificationRouteRequestPoliciesHeaderTransformationsFilterHeadersArgs(
                    type="BLOCK",
                    items=[_gw.DeploymentSpecificationRouteRequestPoliciesHeaderTransformationsFilterHeadersItemArgs(name="Authorization")]),
                set_headers=_gw.DeploymentSpecificationRouteRequestPoliciesHeaderTransformationsSetHeadersArgs(items=[
                    _gw.DeploymentSpecificationRouteRequestPoliciesHeaderTransformationsSetHeadersItemArgs(
                        name=header, values=[CALLER if op.authenticated else "anonymous"], if_exists="OVERWRITE")
                    for header in (SUBJECT_HEADER, TENANT_HEADER)
                ]),
            ),
            header_validations=_gw.DeploymentSpecificationRouteRequestPoliciesHeaderValidationsArgs(
                validation_mode="ENFORCING",
                headers=[_gw.DeploymentSpecificationRouteRequestPoliciesHeaderValidationsHeaderArgs(
                    name="Content-Type", required=True)],
            ) if op.json_body else None,
            body_validation=_gw.DeploymentSpecificationRouteRequestPoliciesBodyValidationArgs(
                required=True, validation_mode="ENFORCING",
                contents=[_gw.DeploymentSpecificationRouteRequestPoliciesBodyValidationContentArgs(
                    media_type="application/json", validation_type="NONE")],
            ) if op.json_body else None,
        )
        url = pulumi.Output.from_input(router_url).apply(lambda base: backend_url(base, op.path))
        return _gw.DeploymentSpecificationRouteArgs(
            path=op.path,
            methods=[op.method],
            backend=_gw.DeploymentSpecificationRouteBackendArgs(
                type="HTTP_BACKEND", url=url, connect_timeout_in_seconds=10,
                read_timeout_in_seconds=MAX_READ_TIMEOUT_SECONDS if op.streaming else 60,
                send_timeout_in_seconds=60, is_ssl_verify_disabled=False),
            request_policies=policies,
        )


def _decode_bundle(contents: Any) -> str:
    """The secret bundle's content (base64, as OCI returns it) as text."""
    content = contents[0].content if contents else None
    if not content:
        raise ValueError("a tenant's token secret bundle is empty")
    return base64.b64decode(content).decode("utf-8")
