"""Ingress settings (``genai-platform:ingress``, schema ``stacks/schema/ingress.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stacks.settings.common import Report


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
