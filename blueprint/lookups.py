"""The offline answers to every data lookup (invoke) the program makes.

One table, keyed by the invoke token. A lookup that is not in the table is an error naming its
token: a silent ``None`` would plan a different program from the one the real engine runs.
Answers are shaped like the OCI provider's results (camelCase, as on the wire) and depend only
on the region and the call's arguments, so plans are deterministic.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class UnlistedLookupError(Exception):
    """The program made a data lookup the offline table does not answer."""

    def __init__(self, token: str) -> None:
        super().__init__(
            f"offline engine: no answer for data lookup '{token}'; add it to blueprint/lookups.py (LOOKUPS)"
        )
        self.token = token


@dataclass(frozen=True)
class LookupContext:
    region: str
    stack: str


#: Availability domains per region (most commercial regions have one; a few have three).
REGION_AD_COUNT: Mapping[str, int] = {
    "eu-frankfurt-1": 3, "us-ashburn-1": 3, "us-phoenix-1": 3, "uk-london-1": 3,
}

REGION_KEY: Mapping[str, str] = {
    "eu-frankfurt-1": "fra", "us-ashburn-1": "iad", "us-phoenix-1": "phx", "uk-london-1": "lhr",
    "us-chicago-1": "ord", "eu-amsterdam-1": "ams", "sa-saopaulo-1": "gru", "ap-osaka-1": "kix",
    "ap-hyderabad-1": "hyd", "me-dubai-1": "dxb", "ap-tokyo-1": "nrt",
}


def fake_ocid(kind: str, region: str, seed: str) -> str:
    """A well-formed, deterministic OCID for offline answers and canned resource ids."""
    digest = hashlib.sha256(seed.encode()).hexdigest()[:56]
    if kind in ("compartment", "tenancy", "tagnamespace", "tagdefinition", "policy", "dynamicgroup", "tagdefault"):
        return f"ocid1.{kind}.oc1..aaaaaaaa{digest}"
    return f"ocid1.{kind}.oc1.{REGION_KEY.get(region, 'xyz')}.aaaaaaaa{digest}"


def _services(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    key = REGION_KEY.get(ctx.region, "xyz")
    return {"services": [
        {"id": fake_ocid("service", ctx.region, "all-services"), "cidrBlock": f"all-{key}-services-in-oracle-services-network",
         "description": "All services in the region", "name": f"All {key.upper()} Services In Oracle Services Network"},
        {"id": fake_ocid("service", ctx.region, "objectstorage"), "cidrBlock": f"oci-{key}-objectstorage",
         "description": "Object Storage", "name": f"OCI {key.upper()} Object Storage"},
    ]}


def _availability_domains(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    count = REGION_AD_COUNT.get(ctx.region, 1)
    prefix = "Uocm:" + ctx.region.upper()
    compartment = args.get("compartmentId", "")
    return {"compartmentId": compartment, "availabilityDomains": [
        {"id": fake_ocid("availabilitydomain", ctx.region, f"ad-{i}"), "name": f"{prefix}-AD-{i}", "compartmentId": compartment}
        for i in range(1, count + 1)
    ]}


def _detector_recipes(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    items = [
        {"id": fake_ocid("cloudguarddetectorrecipe", ctx.region, d), "displayName": f"OCI {d.title()} Recipe",
         "owner": "ORACLE", "detector": f"IAAS_{d}_DETECTOR", "compartmentId": args.get("compartmentId", "")}
        for d in ("CONFIGURATION", "ACTIVITY", "THREAT")
    ]
    return {"compartmentId": args.get("compartmentId", ""), "detectorRecipeCollections": [{"items": items}]}


def _responder_recipes(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    items = [{"id": fake_ocid("cloudguardresponderrecipe", ctx.region, "responder"), "displayName": "OCI Responder Recipe",
              "owner": "ORACLE", "compartmentId": args.get("compartmentId", "")}]
    return {"compartmentId": args.get("compartmentId", ""), "responderRecipeCollections": [{"items": items}]}


def _namespace(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    return {"namespace": "genaiplatformoffline"}


def _db_tools_endpoint_services(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    compartment = args.get("compartmentId", "")
    item = {"id": fake_ocid("databasetoolsendpointservice", ctx.region, "dbtools"), "name": "DATABASE_TOOLS",
            "displayName": "Database Tools", "description": "Database Tools endpoint service",
            "compartmentId": compartment, "definedTags": {}, "freeformTags": {}, "systemTags": {},
            "lifecycleDetails": "", "state": "ACTIVE", "timeCreated": "2024-01-01T00:00:00Z",
            "timeUpdated": "2024-01-01T00:00:00Z"}
    return {"compartmentId": compartment, "databaseToolsEndpointServiceCollections": [{"items": [item]}]}


def _genai_models(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    """Base models by display name: every asked-for name exists, ACTIVE, with a stable OCID."""
    compartment = args.get("compartmentId", "")
    name = args.get("displayName") or "cohere.command-r-plus-08-2024"
    item = {"id": fake_ocid("generativeaimodel", ctx.region, name), "baseModelId": "", "capabilities": ["CHAT"],
            "compartmentId": compartment, "definedTags": {}, "description": "", "displayName": name,
            "fineTuneDetails": [], "freeformTags": {}, "isLongTermSupported": False, "lifecycleDetails": "",
            "modelMetrics": [], "state": "ACTIVE", "systemTags": {}, "timeCreated": "2024-01-01T00:00:00Z",
            "timeDeprecated": "", "timeUpdated": "2024-01-01T00:00:00Z", "type": "BASE",
            "vendor": name.split(".", 1)[0], "version": "1.0"}
    return {"compartmentId": compartment, "displayName": name, "modelCollections": [{"items": [item]}]}


def _kubeconfig(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    cluster = args.get("clusterId", "cluster")
    content = (
        "apiVersion: v1\nkind: Config\nclusters:\n- name: offline\n  cluster:\n"
        f"    server: https://10.0.0.2:6443\n    certificate-authority-data: T0ZGTElORQ==\n"
        "contexts:\n- name: offline\n  context: {cluster: offline, user: offline}\ncurrent-context: offline\n"
        f"users:\n- name: offline\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
        f"      command: oci\n      args: [ce, cluster, generate-token, --cluster-id, {cluster}, --region, {ctx.region}]\n"
    )
    return {"clusterId": cluster, "content": content, "tokenVersion": args.get("tokenVersion", "2.0.0")}


def _secret_bundle(args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    # A stand-in value (base64, as OCI returns bundles); the program must treat it as a secret.
    secret = str(args.get("secretId", ""))
    token = base64.b64encode(f"offline-token-{hashlib.sha256(secret.encode()).hexdigest()[:16]}".encode()).decode()
    return {"secretId": secret, "secretBundleContents": [{"contentType": "BASE64", "content": token}],
            "stages": ["CURRENT", "LATEST"], "versionNumber": "1"}


LOOKUPS: dict[str, Callable[[Mapping[str, Any], LookupContext], dict[str, Any]]] = {
    "oci:Core/getServices:getServices": _services,
    "oci:Identity/getAvailabilityDomains:getAvailabilityDomains": _availability_domains,
    "oci:CloudGuard/getDetectorRecipes:getDetectorRecipes": _detector_recipes,
    "oci:CloudGuard/getResponderRecipes:getResponderRecipes": _responder_recipes,
    "oci:ObjectStorage/getNamespace:getNamespace": _namespace,
    "oci:ContainerEngine/getClusterKubeConfig:getClusterKubeConfig": _kubeconfig,
    "oci:GenerativeAi/getModels:getModels": _genai_models,
    "oci:DatabaseTools/getDatabaseToolsEndpointServices:getDatabaseToolsEndpointServices": _db_tools_endpoint_services,
    "oci:Secrets/getSecretbundle:getSecretbundle": _secret_bundle,
}


def answer(token: str, args: Mapping[str, Any], ctx: LookupContext) -> dict[str, Any]:
    try:
        fn = LOOKUPS[token]
    except KeyError:
        raise UnlistedLookupError(token) from None
    return fn(args, ctx)
