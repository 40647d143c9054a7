"""Ingress settings (``genai-platform:ingress``, schema ``stacks/schema/ingress.json``).

Parses the stack's ingress object and builds the inputs of the ingress plane (gateway, public
front; ``components/ingress.py``) and of the experience plane (the API deployment on that
gateway, its auth, limits, usage plans and logs; ``components/experience.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stacks.settings.common import Report, log_retention_for

if TYPE_CHECKING:
    from components.experience import ExperiencePlaneArgs
    from components.governance import GovernanceFoundation
    from components.ingress import IngressPlane, IngressPlaneArgs
    from components.network import NetworkPlane
    from components.router_workload import RouterWorkload
    from stacks.settings import Settings


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


def parse(i: dict[str, Any], public_api: bool | None, p: Report) -> IngressSettings | None:
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


def ingress_args(settings: Settings, governance: GovernanceFoundation, network: NetworkPlane) -> IngressPlaneArgs:
    """The ingress plane's inputs: subnets and NSGs from the network plane."""
    i, n = settings.ingress, settings.network
    public = bool(i.certificate_id and i.custom_domain)
    return {
        "compartment_id": governance.compartment_id,
        "environment": settings.governance.environment,
        "subnet_ids": network.subnet_ids,
        "nsg_ids": network.nsg_ids,
        "defined_tags": governance.defined_tags,
        "public_api": n.public_api,
        "tier_allows_public": settings.tier.public_api_allowed,
        "max_request_body_mb": i.max_request_body_mb,
        "waf_requests_per_minute": i.waf_requests_per_minute,
        "certificate_id": i.certificate_id if public else None,
        "custom_domain": i.custom_domain if public else None,
    }


def experience_args(settings: Settings, governance: GovernanceFoundation, ingress: IngressPlane,
                    router: RouterWorkload) -> ExperiencePlaneArgs:
    """The experience plane's inputs: the gateway from the ingress plane, the backend from the router."""
    g, i = settings.governance, settings.ingress
    return {
        "compartment_id": governance.compartment_id,
        "environment": g.environment,
        "gateway_id": ingress.gateway_id,
        "router_url": router.url,
        "jwt_issuers": i.jwt.issuers,
        "jwt_audiences": i.jwt.audiences,
        "jwks_uri": i.jwt.jwks_uri,
        "max_clock_skew_seconds": i.jwt.max_clock_skew_seconds,
        "defined_tags": governance.defined_tags,
        # Gateway access and execution logs: the tier's log retention (OCI Logging's 30-180 day steps).
        "log_retention_days": log_retention_for(settings.tier.retention.log_days),
        "protect_stateful": g.protect_stateful,
        "cors_allowed_origins": i.cors_allowed_origins,
        "rate_limit_per_second": i.rate_limit_per_second,
        "usage_plans": [{"name": u.name, "requests_per_second": u.requests_per_second,
                         "monthly_requests": u.monthly_requests} for u in i.usage_plans],
        "tenants": [{"name": t.name, "plan": t.plan, "token_secret_id": t.token_secret_id} for t in i.tenants],
    }
