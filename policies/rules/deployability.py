"""Deployability: cross-resource prerequisites a plan must meet to work on a real tenancy.

A plan can be well-formed resource by resource and still fail ``pulumi up`` or deploy and not
work: a key used before IAM lets its service use it, a workload-identity grant naming a cluster or
service account that does not exist, a pod referencing a Secret nothing creates, a synthetic probe
sent from vantage points that do not exist or cannot reach its target, a router model with nothing
to fall back to. These stack rules read the graph, driven by checked-in tables whose rows cite
their OCI documentation page:

- ``core/tables/key_grants.yaml``: key use → the grants OCI requires first;
- ``core/tables/prerequisites.yaml``: what the stack references but cannot create.

Statements are parsed with the OCI policy grammar (``policies.rules.identity.parse``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from core.apm import PUBLIC_VANTAGE_PREFIX, is_public_vantage_point, max_probe_timeout
from core.genai_units import HOSTING_COMMITMENT_HOURS, UNIT_SHAPES, hourly_usd
from core.inputs import InputError
from core.tables import KeyGrant, KeyUse, key_uses, out_of_band_kubernetes
from core.yamlsafe import parse_yaml
from policies.rules._base import UNKNOWN, Fixture, Rule, custom_rule, drop_first, edit_first, get, stack_rule
from policies.rules.identity import parse

POLICY = "oci:Identity/policy:Policy"
CLUSTER = "oci:ContainerEngine/cluster:Cluster"
NODE_POOL = "oci:ContainerEngine/nodePool:NodePool"
MONITOR = "oci:ApmSynthetics/config:Config"
VANTAGE_POINT = "oci:ApmSynthetics/onPremiseVantagePoint:OnPremiseVantagePoint"
DEDICATED_VANTAGE_POINT = "oci:ApmSynthetics/dedicatedVantagePoint:DedicatedVantagePoint"
GATEWAY = "oci:ApiGateway/gateway:Gateway"
LOAD_BALANCER = "oci:LoadBalancer/loadBalancer:LoadBalancer"
DATA_SOURCE = "oci:GenerativeAi/agentDataSource:AgentDataSource"
INGESTION_JOB = "oci:GenerativeAi/agentDataIngestionJob:AgentDataIngestionJob"
K8S_NAMESPACE = "kubernetes:core/v1:Namespace"
K8S_SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
K8S_CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
K8S_SECRET = "kubernetes:core/v1:Secret"
K8S_DEPLOYMENT = "kubernetes:apps/v1:Deployment"
K8S_NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
GATEWAY_DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
BUDGET = "oci:Budget/budget:Budget"
DEDICATED_CLUSTER = "oci:GenerativeAi/dedicatedAiCluster:DedicatedAiCluster"
DB_TOOLS_CONNECTION = "oci:DatabaseTools/databaseToolsConnection:DatabaseToolsConnection"
VAULT_SECRET = "oci:Vault/secret:Secret"
#: Workload kinds whose pod template the reference rules read.
POD_OWNERS = {K8S_DEPLOYMENT: "spec.template.spec", "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
              "kubernetes:apps/v1:DaemonSet": "spec.template.spec", "kubernetes:batch/v1:Job": "spec.template.spec",
              "kubernetes:core/v1:Pod": "spec"}
_ASSURANCE = ("nist-800-53r5:CM-6", "soc2:CC8.1")


def _of(resources: Sequence[Any], type_: str) -> list[Any]:
    return [r for r in resources if r.resource_type == type_]


def _deps(resource: Any) -> set[str]:
    return {d.urn for d in resource.dependencies}


# -- IAM statements ---------------------------------------------------------------------------------


def _clauses(parsed: Mapping[str, Any]) -> dict[str, str] | None:
    """The where-condition as {variable: value} when it is one clause or an all{} of '=' clauses."""
    conditions = parsed.get("conditions")
    if not conditions:
        return {}
    if conditions.get("type") == "clause":
        nodes = [conditions]
    elif conditions.get("type") == "group" and conditions.get("mode") == "all":
        nodes = list(conditions.get("items") or [])
    else:
        return None
    out: dict[str, str] = {}
    for item in nodes:
        node = item.get("node") or {}
        if item.get("type") != "clause" or node.get("op") != "eq":
            return None
        out[str(node.get("lhs"))] = str((node.get("rhs") or {}).get("value"))
    return out


def _statements(resources: Sequence[Any]) -> list[tuple[Any, dict[str, Any]]]:
    out = []
    for policy in _of(resources, POLICY):
        for text in policy.props.get("statements") or []:
            parsed = parse(str(text))
            if parsed is not None and parsed.get("kind") == "allow":
                out.append((policy, parsed))
    return out


def _grants(parsed: Mapping[str, Any], grant: KeyGrant, key_id: str, region: str | None) -> bool:
    """Whether one parsed statement gives ``grant`` for ``key_id``."""
    verbs = (parsed.get("actions") or {}).get("values") or []
    rank = ("inspect", "read", "use", "manage")
    if not any(v in rank and rank.index(v) >= rank.index(grant.verb) for v in verbs):
        return False
    if grant.resource not in ((parsed.get("resources") or {}).get("values") or []):
        return False
    clauses = _clauses(parsed)
    if clauses is None:
        return False
    subject = parsed.get("subject") or {}
    if grant.is_service:
        labels = {str(v.get("label")) for v in subject.get("values") or []}
        name = grant.name.replace("{region}", region) if region else grant.name
        if subject.get("type") != "service" or name not in labels:
            return False
    elif subject.get("type") != "any-user" or clauses.get("request.principal.type") != grant.name:
        return False
    if grant.scope == "key":
        return clauses.get("target.key.id", key_id) == key_id
    return True


def _region(resources: Sequence[Any]) -> str | None:
    """The stack's region, from a regional service principal's name in any statement."""
    for _, parsed in _statements(resources):
        for value in (parsed.get("subject") or {}).get("values") or []:
            label = str(value.get("label", ""))
            if label.startswith("objectstorage-"):
                return label.removeprefix("objectstorage-")
    return None


def _key_uses(resources: Sequence[Any]) -> Iterable[tuple[Any, KeyUse, str]]:
    rows: dict[str, list[KeyUse]] = {}
    for use in key_uses():
        rows.setdefault(use.resource, []).append(use)
    for r in resources:
        for use in rows.get(r.resource_type, []):
            key = get(r.props, use.property)
            if key:
                yield r, use, str(key)


def key_grants_present(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    statements = _statements(resources)
    region = _region(resources)
    for r, use, key in _key_uses(resources):
        for grant in use.grants:
            if not any(_grants(parsed, grant, key, region) for _, parsed in statements):
                yield r.urn, (f"no statement lets '{grant.subject}' {grant.verb} {grant.resource} for the key in "
                              f"'{use.property}' ({use.doc})")


def key_grants_first(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    statements = _statements(resources)
    region = _region(resources)
    for r, use, key in _key_uses(resources):
        for grant in use.grants:
            holders = {p.urn for p, parsed in statements if _grants(parsed, grant, key, region)}
            if holders and not holders & _deps(r):
                yield r.urn, (f"the policy granting '{grant.subject}' {grant.verb} {grant.resource} is not a "
                              f"dependency: the key in '{use.property}' may be used before the grant exists")


# -- defined tags OKE applies -------------------------------------------------------------------------

TAG_NAMESPACE = "oci:Identity/tagNamespace:TagNamespace"
#: Where a cluster asks OKE to tag what it creates for it (load balancers, block volumes).
_OKE_TAGGED = ("options.serviceLbConfig.definedTags", "options.persistentVolumeConfig.definedTags")
_OKE_TAGS_DOC = ("https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/"
                 "contengtaggingclusterresources_iam-tag-namespace-policy.htm")


def _cluster_tag_grant(parsed: Mapping[str, Any], namespace: str) -> bool:
    """Whether a statement lets cluster principals use ``namespace`` (the page's statement, or narrower)."""
    verbs = set((parsed.get("actions") or {}).get("values") or [])
    resources = set((parsed.get("resources") or {}).get("values") or [])
    clauses = _clauses(parsed)
    if not verbs & {"use", "manage"} or not resources & {"tag-namespaces", "tag-namespace"} or clauses is None:
        return False
    if (parsed.get("subject") or {}).get("type") != "any-user":
        return False
    principal = clauses.get("request.principal.type") == "cluster" or "request.principal.id" in clauses
    return principal and clauses.get("target.tag-namespace.name", namespace) == namespace


def _foreign_tag_namespaces(resources: Sequence[Any], cluster: Any) -> list[str]:
    """Namespaces of the tags OKE applies for ``cluster`` that are not in the cluster's compartment."""
    home = {str(ns.props.get("name")): ns.props.get("compartmentId") for ns in _of(resources, TAG_NAMESPACE)}
    names: set[str] = set()
    for path in _OKE_TAGGED:
        names |= {str(key).split(".", 1)[0] for key in (get(cluster.props, path) or {})}
    compartment = cluster.props.get("compartmentId")
    return sorted(n for n in names if n not in home or home[n] != compartment)


def oke_tag_namespaces_granted(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    statements = _statements(resources)
    for cluster in _of(resources, CLUSTER):
        for namespace in _foreign_tag_namespaces(resources, cluster):
            holders = {p.urn for p, parsed in statements if _cluster_tag_grant(parsed, namespace)}
            if not holders:
                yield cluster.urn, ("OKE tags the cluster's load balancers and volumes ('options') from a tag "
                                    "namespace in another compartment, and no statement lets cluster principals "
                                    f"use it ({_OKE_TAGS_DOC})")
            elif not holders & _deps(cluster):
                yield cluster.urn, ("the policy letting cluster principals use a tag namespace of 'options' is not a "
                                    "dependency of the cluster: it may be created before the grant exists")


# -- workload identity -------------------------------------------------------------------------------


def _workload_statements(resources: Sequence[Any]) -> Iterable[tuple[Any, dict[str, str] | None]]:
    """Statements whose condition names request.principal.type = 'workload' (OKE workload identity)."""
    for policy, parsed in _statements(resources):
        if '"value": "workload"' in json.dumps(parsed.get("conditions") or {}):
            yield policy, _clauses(parsed)


def workload_identity_names_the_cluster(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    clusters = {str(c.props.get("id") or "") for c in _of(resources, CLUSTER)} - {""}
    cluster_urns = {c.urn for c in _of(resources, CLUSTER)}
    for policy, clauses in _workload_statements(resources):
        if clauses is None:
            yield policy.urn, "a workload-identity statement's condition is not an all{} of '=' clauses"
            continue
        cluster = clauses.get("request.principal.cluster_id")
        if cluster is None:
            yield policy.urn, ("a workload-identity statement does not name request.principal.cluster_id: any "
                               "cluster with the same namespace and service account would hold it")
        elif cluster not in clusters and not cluster_urns & _deps(policy):
            yield policy.urn, "a workload-identity statement names a cluster this plan does not create"


def workload_identity_names_planned_accounts(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    accounts = {(str(get(sa.props, "metadata.namespace")), str(get(sa.props, "metadata.name")))
                for sa in _of(resources, K8S_SERVICE_ACCOUNT)}
    for policy, clauses in _workload_statements(resources):
        if not clauses:
            continue
        pair = (clauses.get("request.principal.namespace"), clauses.get("request.principal.service_account"))
        if None in pair:
            yield policy.urn, "a workload-identity statement does not name both namespace and service account"
        elif pair not in accounts:
            yield policy.urn, "a workload-identity statement names a namespace/service account this plan does not create"


# -- Kubernetes references ---------------------------------------------------------------------------


def _pods(resources: Sequence[Any]) -> Iterable[tuple[Any, str, Mapping[str, Any]]]:
    for r in resources:
        path = POD_OWNERS.get(r.resource_type)
        if path:
            pod = get(r.props, path)
            if pod is not None:
                yield r, str(get(r.props, "metadata.namespace") or "default"), pod


def _k8s_objects(resources: Sequence[Any]) -> set[tuple[str, str, str]]:
    planned = set()
    for r in resources:
        if r.resource_type.startswith("kubernetes:"):
            kind = r.resource_type.rsplit(":", 1)[-1]
            planned.add((kind, str(get(r.props, "metadata.namespace") or ""), str(get(r.props, "metadata.name"))))
    return planned | out_of_band_kubernetes()

def _references(pod: Mapping[str, Any]) -> Iterable[tuple[str, str, str]]:
    """(kind, name, where) of every object the pod spec references by name."""
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    for c in containers:
        for env in c.get("env") or []:
            source = env.get("valueFrom") or {}
            if "secretKeyRef" in source and not source["secretKeyRef"].get("optional"):
                yield "Secret", str(source["secretKeyRef"].get("name")), f"env {env.get('name')}"
            if "configMapKeyRef" in source and not source["configMapKeyRef"].get("optional"):
                yield "ConfigMap", str(source["configMapKeyRef"].get("name")), f"env {env.get('name')}"
        for source in c.get("envFrom") or []:
            for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                if key in source and not source[key].get("optional"):
                    yield kind, str(source[key].get("name")), "envFrom"
    for volume in pod.get("volumes") or []:
        if "secret" in volume and not volume["secret"].get("optional"):
            yield "Secret", str(volume["secret"].get("secretName")), f"volume {volume.get('name')}"
        if "configMap" in volume and not volume["configMap"].get("optional"):
            yield "ConfigMap", str(volume["configMap"].get("name")), f"volume {volume.get('name')}"
    for secret in pod.get("imagePullSecrets") or []:
        yield "Secret", str(secret.get("name")), "imagePullSecrets"
    yield "ServiceAccount", str(pod.get("serviceAccountName") or "default"), "serviceAccountName"

def kubernetes_references_resolve(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    objects = _k8s_objects(resources)
    for r, namespace, pod in _pods(resources):
        for kind, name, where in _references(pod):
            if kind == "ServiceAccount" and name == "default":
                continue  # every namespace has one
            if (kind, namespace, name) not in objects:
                yield r.urn, (f"{where} references a {kind} that is neither planned in the namespace nor declared "
                              "in core/tables/prerequisites.yaml")


def volume_mounts_resolve(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for r, _, pod in _pods(resources):
        volumes = {str(v.get("name")) for v in pod.get("volumes") or []}
        for c in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
            for mount in c.get("volumeMounts") or []:
                if str(mount.get("name")) not in volumes:
                    yield r.urn, f"container '{c.get('name')}' mounts a volume the pod does not define"


# -- synthetic monitors --------------------------------------------------------------------------------

def _vantage_points(monitor: Any) -> list[str]:
    return [str(v.get("name")) for v in monitor.props.get("vantagePoints") or []]

def monitor_vantage_points_exist(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    dedicated: dict[str, set[str]] = {}
    for vp in [*_of(resources, VANTAGE_POINT), *_of(resources, DEDICATED_VANTAGE_POINT)]:
        name = vp.props.get("name") or vp.props.get("displayName")
        dedicated.setdefault(str(name), set()).update(
            {d.urn for d in vp.property_dependencies.get("apmDomainId", [])})
    for monitor in _of(resources, MONITOR):
        domains = {d.urn for d in monitor.property_dependencies.get("apmDomainId", [])}
        for name in _vantage_points(monitor):
            if is_public_vantage_point(name):
                continue
            if name not in dedicated or (domains and not dedicated[name] & domains):
                yield monitor.urn, "a vantage point is neither public nor a dedicated one planned in the monitor's APM domain"

def monitor_timeout_fits_interval(props: Mapping[str, Any]) -> Iterable[str]:
    timeout, interval = props.get("timeoutInSeconds"), props.get("repeatIntervalInSeconds")
    if timeout is None or interval is None:
        return
    retried = bool(get(props, "configuration.isFailureRetried"))
    if float(timeout) > max_probe_timeout(int(float(interval)), retried):
        share = "30%" if retried else "50%"
        yield (f"'timeoutInSeconds' exceeds {share} of 'repeatIntervalInSeconds'"
               f"{' for a retried monitor' if retried else ''}: OCI refuses to create the monitor")


def _api_is_private(resources: Sequence[Any]) -> bool:
    gateways = _of(resources, GATEWAY)
    public_lbs = [lb for lb in _of(resources, LOAD_BALANCER) if lb.props.get("isPrivate") is False]
    return bool(gateways) and all(g.props.get("endpointType") == "PRIVATE" for g in gateways) and not public_lbs

def public_vantage_points_reach_their_target(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    private = _api_is_private(resources)
    for monitor in _of(resources, MONITOR):
        public = [n for n in _vantage_points(monitor) if is_public_vantage_point(n)]
        if public and private:
            yield monitor.urn, ("a public vantage point probes a target only reachable privately (the API has no "
                                "public endpoint): its alarm would fire forever")


# -- retrieval ----------------------------------------------------------------------------------------


def data_sources_ingested(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    ingested = {d.urn for job in _of(resources, INGESTION_JOB) if job.props.get("compartmentId")
                for d in job.property_dependencies.get("dataSourceId", [])}
    for source in _of(resources, DATA_SOURCE):
        if source.urn not in ingested:
            yield source.urn, "no AgentDataIngestionJob ingests the data source: its knowledge base stays empty"


# -- the router's models -----------------------------------------------------------------------------


def _router_configs(resources: Sequence[Any]) -> Iterable[tuple[Any, dict[str, Any]]]:
    for cm in _of(resources, K8S_CONFIG_MAP):
        for text in (cm.props.get("data") or {}).values():
            if "model_list:" not in str(text):
                continue
            try:  # the graph is input: a YAML bomb or an odd tag in a ConfigMap must not hang or crash the check
                config = parse_yaml(str(text), "ConfigMap data") or {}
            except InputError:
                continue
            if isinstance(config, dict) and "genai_router" in config and _router_config_shape(config):
                yield cm, config


def _router_config_shape(config: Mapping[str, Any]) -> bool:
    """Whether a router config has the shape the fallback checks read (a graph can hold anything)."""
    models, settings = config.get("model_list"), config.get("router_settings") or {}
    fallbacks = settings.get("fallbacks") or [] if isinstance(settings, dict) else None
    return (isinstance(models, list) and all(isinstance(m, dict) and "model_name" in m
                                             and isinstance(m.get("model_info") or {}, dict) for m in models)
            and isinstance(fallbacks, list) and all(isinstance(f, dict) for f in fallbacks))


def _unfallen_chat_models(config: Mapping[str, Any]) -> list[str]:
    chat = sorted({str(m["model_name"]) for m in config.get("model_list") or []
                   if (m.get("model_info") or {}).get("mode", "chat") == "chat"})
    if len(chat) < 2:
        return []
    covered = {src for entry in (config.get("router_settings") or {}).get("fallbacks") or [] for src, chain in entry.items()
               if chain}
    return [name for name in chat if name not in covered]


def _fallback_check(tiers: tuple[str, ...]):
    def check(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
        for cm, config in _router_configs(resources):
            if (config.get("genai_router") or {}).get("classification_tier") not in tiers:
                continue
            for _ in _unfallen_chat_models(config):
                yield cm.urn, "a router chat model has no fallback although the router serves two or more"
    return check


# -- the vector store's connection --------------------------------------------------------------------

#: A Database Tools connection to a database that requires mutual TLS presents the database's wallet
#: from a key store: SSO (the auto-login cwallet.sso; Autonomous Database wallets ship "cwallet.sso and
#: ewallet.p12: Auto-open SSO wallet and PKCS12 file",
#: https://docs.oracle.com/en/cloud/paas/atp-cloud/atpug/connect-download-wallet.html) or PKCS12, its content a Vault secret
#: (terraform-provider-oci database_tools_connection key_stores: key_store_type, key_store_content
#: value_type SECRETID, secret_id). GenAI Agents over an mTLS Autonomous Database: "download the
#: wallet, create a wallet password, and extract a file from the wallet"
#: (https://docs.oracle.com/en-us/iaas/Content/generative-ai-agents/oracle-db-guidelines.htm).
_WALLET_STORES = ("SSO", "PKCS12")


def _wallet_secret(connection: Any) -> str | None:
    for store in connection.props.get("keyStores") or []:
        content = store.get("keyStoreContent") or {}
        if store.get("keyStoreType") in _WALLET_STORES and content.get("valueType") == "SECRETID" \
                and content.get("secretId"):
            return str(content.get("secretId"))
    return None


def _wallet_targets(connection: Any, secret: str, resources: Sequence[Any]) -> list[str]:
    """The IAM conditions naming the wallet secret: its OCID, and the name of a planned secret it comes from."""
    planned = {d.urn for d in connection.property_dependencies.get("keyStores", [])}
    return [f"target.secret.id='{secret}'", *(f"target.secret.name='{r.props.get('secretName')}'"
                                               for r in _of(resources, VAULT_SECRET) if r.urn in planned)]


def mtls_connections_carry_the_wallet(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    mtls = {db.urn for db in _of(resources, ADB) if db.props.get("isMtlsConnectionRequired") is True}
    for connection in _of(resources, DB_TOOLS_CONNECTION):
        if not mtls & {d.urn for d in connection.property_dependencies.get("relatedResource", [])}:
            continue
        secret = _wallet_secret(connection)
        if secret is None:
            yield connection.urn, ("the database requires mutual TLS and the connection has no wallet key store (SSO or "
                                   "PKCS12 from a Vault secret): it cannot connect, and the agent's vector knowledge "
                                   "base finds nothing")
            continue
        targets = _wallet_targets(connection, secret, resources)
        if not any(t in str(s) and "databasetoolsconnection" in str(s) for t in targets
                   for policy in _of(resources, POLICY) for s in policy.props.get("statements") or []):
            yield connection.urn, "no statement lets the connection's resource principal read its wallet secret"


# -- the budget and what the dedicated clusters commit to --------------------------------------------


def _negotiated_prices(cluster: Any) -> dict[str, float]:
    """The stack's negotiated unit-hour prices by shape, as the cluster's model plane registered them (its
    parent component's ``unitPrices`` output, components/model.py; genai-platform:model.unitPrices): empty
    where the stack sets none, so core.genai_units prices the shape at its list price."""
    parent = getattr(cluster, "parent", None)
    prices = parent.props.get("unitPrices") if parent is not None else None
    if not isinstance(prices, Mapping):
        return {}
    return {str(shape): float(price) for shape, price in prices.items()
            if isinstance(price, int | float) and not isinstance(price, bool)}


def budget_covers_dedicated_clusters(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    """A monthly budget below what the stack's hosting clusters alone commit to (744 unit-hours each,
    priced by core.genai_units at the stack's effective unit-hour price) fires its alarms every month and
    says nothing about the rest."""
    clusters = [c for c in _of(resources, DEDICATED_CLUSTER) if c.props.get("type") == "HOSTING"]
    unknown_shapes = [c for c in clusters if c.props.get("unitShape") not in UNIT_SHAPES]
    for cluster in unknown_shapes:
        yield cluster.urn, "a hosting cluster's unit shape has no price in core/genai_units.py: its cost is unknown"
    priced = [(c, str(c.props.get("unitShape")), _negotiated_prices(c)) for c in clusters if c not in unknown_shapes]
    committed = sum(hourly_usd(shape, float(c.props.get("unitCount") or 0), prices)
                    for c, shape, prices in priced) * HOSTING_COMMITMENT_HOURS
    negotiated = any(shape in prices for _c, shape, prices in priced)
    # At list prices the commitment is public arithmetic; at the stack's contracted prices it would reveal them.
    amount = "what" if negotiated else f"the {committed:,.0f} USD"
    basis = "at the stack's unit prices, model.unitPrices" if negotiated else "at list unit prices"
    for budget in _of(resources, BUDGET):
        if committed and float(budget.props.get("amount") or 0) < committed:
            yield budget.urn, (f"the monthly budget is below {amount} the dedicated AI clusters commit to "
                               f"({HOSTING_COMMITMENT_HOURS} unit-hours each, {basis}): its alarms fire every month")


# -- the router's callers ------------------------------------------------------------------------------


def _keyless(config: Mapping[str, Any]) -> bool:
    """The proxy runs without a LiteLLM master key: LiteLLM 1.106.0 then authenticates no caller, and
    starts only because general_settings.dangerously_permit_weak_or_unset_master_key is true
    (litellm/proxy/auth/master_key_boot_check.py)."""
    general = config.get("general_settings") or {}
    return isinstance(general, Mapping) and not general.get("master_key") \
        and general.get("dangerously_permit_weak_or_unset_master_key") is True


#: The one route a gateway may serve anonymously: the liveness probe (components/experience.py).
_ANONYMOUS_ROUTES = ("/health",)


def _jwt_deployment(resource: Any) -> bool:
    """JWT authentication on the deployment, and every route but the liveness probe authenticated
    (an ANONYMOUS route, or one without authorization where anonymous access is allowed, is not):
    https://docs.oracle.com/en-us/iaas/Content/APIGateway/Tasks/apigatewayusingjwttokens.htm"""
    auth = get(resource.props, "specification.requestPolicies.authentication") or {}
    if not isinstance(auth, Mapping) or auth.get("type") != "JWT_AUTHENTICATION":
        return False
    anonymous_default = auth.get("isAnonymousAccessAllowed") is True
    for route in get(resource.props, "specification.routes") or []:
        kind = get(route, "requestPolicies.authorization.type")
        if route.get("path") not in _ANONYMOUS_ROUTES and (kind == "ANONYMOUS" or (kind is None and anonymous_default)):
            return False
    return True


def _fenced(policies: Sequence[Any]) -> bool:
    """Ingress to every pod of the namespace is denied by default, and the rules that admit any admit IP
    blocks (the ingress subnet, never 0.0.0.0/0) or labelled pods of the same namespace (the stack's own
    online evaluation job), never other namespaces."""
    default_deny = any(get(p.props, "spec.podSelector") in ({}, None) and "Ingress" in (get(p.props, "spec.policyTypes") or [])
                       and not get(p.props, "spec.ingress") for p in policies)
    peers = [peer for p in policies for rule in get(p.props, "spec.ingress") or [] for peer in rule.get("from") or [{}]]
    return default_deny and all(
        (set(peer) == {"ipBlock"} and get(peer, "ipBlock.cidr") not in ("0.0.0.0/0", None))
        or (set(peer) == {"podSelector"} and bool(get(peer, "podSelector.matchLabels")))  # labelled pods of this namespace
        for peer in peers)


def keyless_router_is_fenced(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for cm, config in _router_configs(resources):
        if not _keyless(config):
            continue
        namespace = get(cm.props, "metadata.namespace")
        if not any(_jwt_deployment(d) for d in _of(resources, GATEWAY_DEPLOYMENT)):
            yield cm.urn, ("the router runs without a LiteLLM master key and no API Gateway deployment authenticates "
                           "its callers (JWT_AUTHENTICATION)")
        if not _fenced([p for p in _of(resources, K8S_NETWORK_POLICY) if get(p.props, "metadata.namespace") == namespace]):
            yield cm.urn, ("the router runs without a LiteLLM master key and its namespace admits ingress from more than "
                           "its IP blocks and labelled pods (no default-deny, a namespace selector or a 0.0.0.0/0 peer)")


# -- fixtures --------------------------------------------------------------------------------------------

_KEY = "ocid1.key.oc1.eu-frankfurt-1.aaaaexamplekey"
_COMP = "ocid1.compartment.oc1..aaaaexample"
_CLUSTER_ID = "ocid1.cluster.oc1.eu-frankfurt-1.aaaaexamplecluster"


def fx(type_: str, urn: str, props: dict[str, Any] | None = None, *, depends: Sequence[str] = (),
       **property_deps: list[str]) -> Fixture:
    return Fixture(type_, props or {}, name=urn, parent="urn:c",
                   dependencies=tuple(depends) + tuple(u for v in property_deps.values() for u in v),
                   property_dependencies=property_deps)


def _cluster_grant(key: str = _KEY) -> str:
    return (f"Allow any-user to use keys in compartment id {_COMP} where all "
            f"{{request.principal.type='cluster', target.key.id='{key}'}}")


_PARENT = "ocid1.compartment.oc1..aaaaparent"


def _tagged_cluster(depends: Sequence[str] = ("urn:p",), tags: Any = None) -> Fixture:
    tags = {"genai-dev.owner": "team"} if tags is None else tags
    return fx(CLUSTER, "urn:k", {"compartmentId": _COMP, "options": {"serviceLbConfig": {"definedTags": tags}}},
              depends=depends)


def _tag_namespace() -> Fixture:
    return fx(TAG_NAMESPACE, "urn:ns", {"name": "genai-dev", "compartmentId": _PARENT})


def _cluster_tag_statement(namespace: str = "genai-dev") -> str:
    return (f"Allow any-user to use tag-namespaces in compartment id {_PARENT} where all "
            f"{{request.principal.type='cluster', request.principal.compartment.id='{_COMP}', "
            f"target.tag-namespace.name='{namespace}'}}")


def _workload(cluster: str | None = _CLUSTER_ID, ns: str = "genai-router", sa: str = "genai-router") -> str:
    parts = ["request.principal.type='workload'"]
    if cluster:
        parts.append(f"request.principal.cluster_id='{cluster}'")
    parts += [f"request.principal.namespace='{ns}'", f"request.principal.service_account='{sa}'"]
    return f"Allow any-user to use generative-ai-chat in compartment id {_COMP} where all {{{', '.join(parts)}}}"


def _meta(name: str, ns: str = "genai-router") -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": ns}}


def _deployment(env_secret: str = "genai-router-secrets", sa: str = "genai-router") -> dict[str, Any]:
    return {**_meta("genai-router"), "spec": {"template": {"spec": {
        "serviceAccountName": sa,
        "containers": [{"name": "router", "env": [{"name": "S", "valueFrom": {"secretKeyRef": {
            "name": env_secret, "key": "k"}}}], "volumeMounts": [{"name": "config", "mountPath": "/etc/x"}]}],
        "volumes": [{"name": "config", "configMap": {"name": "genai-router-config"}}]}}}}


def _router_config(tier: str, fallbacks: list[dict[str, list[str]]], second: bool = True) -> dict[str, Any]:
    models = [{"model_name": "chat-primary", "model_info": {}}]
    if second:
        models.append({"model_name": "chat-fallback", "model_info": {}})
    text = yaml.safe_dump({"model_list": models, "router_settings": {"fallbacks": fallbacks},
                           "genai_router": {"classification_tier": tier}})
    return {**_meta("genai-router-config"), "data": {"config.yaml": text}}


_FALLBACKS = [{"chat-primary": ["chat-fallback"]}, {"chat-fallback": ["chat-primary"]}]


def _keyless_config() -> dict[str, Any]:
    text = yaml.safe_dump({"model_list": [{"model_name": "chat", "model_info": {}}], "router_settings": {},
                           "general_settings": {"dangerously_permit_weak_or_unset_master_key": True},
                           "genai_router": {"classification_tier": "confidential"}})
    return {**_meta("genai-router-config"), "data": {"config.yaml": text}}


def _fence(ingress_from: list[dict[str, Any]] | None = None) -> list[Fixture]:
    peers = ingress_from if ingress_from is not None else [{"ipBlock": {"cidr": "10.20.0.0/24"}}]
    return [fx(K8S_NETWORK_POLICY, "urn:deny", {**_meta("default-deny-all"),
                                                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
            fx(K8S_NETWORK_POLICY, "urn:in", {**_meta("router-from-ingress-subnet"), "spec": {
                "podSelector": {"matchLabels": {"app": "genai-router"}}, "policyTypes": ["Ingress"],
                "ingress": [{"from": peers, "ports": [{"protocol": "TCP", "port": 4000}]}]}})]


def _hosting(shape: str = "LARGE_COHERE_V2_2", count: Any = 2.0) -> Fixture:
    return fx(DEDICATED_CLUSTER, "urn:dac", {"type": "HOSTING", "unitShape": shape, "unitCount": count})


_WALLET = "ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaaexamplewallet"


def _connection(key_stores: Any, target: str = f"target.secret.id='{_WALLET}'",
                planned_secret: str | None = None) -> list[Fixture]:
    """An mTLS database, its connection and the read grant; ``planned_secret``: the wallet secret is planned."""
    planned = [fx(VAULT_SECRET, "urn:wallet", {"secretName": planned_secret})] if planned_secret else []
    return [fx(ADB, "urn:adb", {"isMtlsConnectionRequired": True}), *planned,
            fx(DB_TOOLS_CONNECTION, "urn:conn", {"keyStores": key_stores}, relatedResource=["urn:adb"],
               keyStores=["urn:wallet"] if planned_secret else []),
            fx(POLICY, "urn:p", {"statements": [
                f"Allow any-user to read secret-family in compartment id {_COMP} where all "
                f"{{request.principal.type='databasetoolsconnection', {target}}}"]})]


def _sso(secret: str = _WALLET) -> list[dict[str, Any]]:
    return [{"keyStoreType": "SSO", "keyStoreContent": {"valueType": "SECRETID", "secretId": secret}}]


def _gateway_deployment(auth: str = "JWT_AUTHENTICATION") -> Fixture:
    return fx(GATEWAY_DEPLOYMENT, "urn:gw", {"specification": {"requestPolicies": {"authentication": {"type": auth}}}})


# -- mutations of the prod graph ---------------------------------------------------------------------------


def _drop_gateway_authentication(node: dict[str, Any]) -> None:
    node["inputs"]["specification"]["requestPolicies"].pop("authentication", None)


def _drop_statement(needle: str):
    def change(node: dict[str, Any]) -> None:
        node["inputs"]["statements"] = [s for s in node["inputs"]["statements"] if needle not in s]
    return edit_first("oci:Identity/policy:Policy", change,
                      lambda n: any(needle in s for s in n["inputs"].get("statements") or []))


def _undepend_cluster(graph: dict[str, Any]) -> dict[str, Any]:
    policies = {n["urn"] for n in graph["nodes"] if n["type"] == POLICY}
    for node in graph["nodes"]:
        if node["type"] == CLUSTER:
            node["dependencies"] = [d for d in node["dependencies"] if d not in policies]
    return graph


def _unscope_workload(node: dict[str, Any]) -> None:
    node["inputs"]["statements"] = [re.sub(r"request\.principal\.cluster_id='[^']*', ", "", s)
                                    for s in node["inputs"]["statements"]]


def _rename_namespace(node: dict[str, Any]) -> None:
    node["inputs"]["statements"] = [s.replace("request.principal.namespace='genai-router'",
                                              "request.principal.namespace='genai-other'")
                                    for s in node["inputs"]["statements"]]


def _is_workload_policy(node: dict[str, Any]) -> bool:
    return any("'workload'" in s for s in node["inputs"].get("statements") or [])


def _mount_undefined_volume(node: dict[str, Any]) -> None:
    pod = node["inputs"]["spec"]["template"]["spec"]
    pod["containers"][0].setdefault("volumeMounts", []).append({"name": "undefined", "mountPath": "/var/x"})


def _reference_missing_secret(node: dict[str, Any]) -> None:
    pod = node["inputs"]["spec"]["template"]["spec"]
    pod.setdefault("imagePullSecrets", []).append({"name": "ocir-credentials-nobody-creates"})

def _private_vantage_point(node: dict[str, Any]) -> None:
    node["inputs"]["vantagePoints"] = [{"name": "genai-vp-nobody-created"}]

def _public_vantage_point(node: dict[str, Any]) -> None:
    node["inputs"]["vantagePoints"] = [{"name": f"{PUBLIC_VANTAGE_PREFIX}eu-frankfurt-1"}]  # a private API


def _split_router_models(tier: str | None):
    def change(node: dict[str, Any]) -> None:
        config = yaml.safe_load(node["inputs"]["data"]["config.yaml"])
        first = copy.deepcopy(config["model_list"][0])
        first["model_name"] = "chat-unfallen"
        config["model_list"].append(first)
        config["router_settings"]["fallbacks"] = []
        if tier:
            config["genai_router"]["classification_tier"] = tier
        node["inputs"]["data"]["config.yaml"] = yaml.safe_dump(config)
    return edit_first(K8S_CONFIG_MAP, change, lambda n: "model_list:" in str(n["inputs"].get("data") or {}))


RULES: list[Rule] = [
    stack_rule("DEP-001", "Ensure every Vault key a resource uses has the IAM grants its service or principal needs",
               key_grants_present,
               passing=[fx(CLUSTER, "urn:k", {"kmsKeyId": _KEY}), fx(POLICY, "urn:p", {"statements": [_cluster_grant()]})],
               failing=[fx(CLUSTER, "urn:k", {"kmsKeyId": _KEY}),
                        fx(POLICY, "urn:p", {"statements": [_cluster_grant("ocid1.key.oc1..other")]})],
               unknown=[fx(CLUSTER, "urn:k", {"kmsKeyId": UNKNOWN}), fx(POLICY, "urn:p", {"statements": [_cluster_grant()]})],
               mutate=_drop_statement("{request.principal.type='cluster', target.key.id="),
               severity="high",
               remediation="Grant what core/tables/key_grants.yaml lists for the key use (components.governance."
                           "key_grant_statements), narrowed to the key.",
               controls=("nist-800-53r5:SC-12", "nist-800-53r5:SC-28", *_ASSURANCE)),
    stack_rule("DEP-002", "Ensure every key grant exists before the resource that uses the key", key_grants_first,
               passing=[fx(CLUSTER, "urn:k", {"kmsKeyId": _KEY}, depends=["urn:p"]),
                        fx(POLICY, "urn:p", {"statements": [_cluster_grant()]})],
               failing=[fx(CLUSTER, "urn:k", {"kmsKeyId": _KEY}), fx(POLICY, "urn:p", {"statements": [_cluster_grant()]})],
               unknown=[fx(CLUSTER, "urn:k", {"kmsKeyId": _KEY}, depends=["urn:p"]),
                        fx(POLICY, "urn:p", {"statements": UNKNOWN})],
               mutate=_undepend_cluster, severity="high",
               remediation="Create the key-grant policy first and pass it in the resource's depends_on.",
               controls=("nist-800-53r5:SC-12", *_ASSURANCE)),
    stack_rule("DEP-003", "Ensure every workload-identity statement is scoped to a cluster this plan creates",
               workload_identity_names_the_cluster,
               passing=[fx(CLUSTER, "urn:k", {"id": _CLUSTER_ID}), fx(POLICY, "urn:p", {"statements": [_workload()]})],
               failing=[fx(CLUSTER, "urn:k", {"id": _CLUSTER_ID}), fx(POLICY, "urn:p", {"statements": [_workload(None)]})],
               unknown=[fx(CLUSTER, "urn:k", {"id": _CLUSTER_ID}), fx(POLICY, "urn:p", {"statements": UNKNOWN})],
               mutate=edit_first(POLICY, _unscope_workload, _is_workload_policy), severity="high",
               remediation="Add request.principal.cluster_id = the planned cluster's OCID to the condition.",
               controls=("cis-oci-3.1:1.2", "nist-800-53r5:AC-6")),
    stack_rule("DEP-012", "Ensure OKE may apply the defined tags it puts on a cluster's load balancers and volumes",
               oke_tag_namespaces_granted,
               passing=[_tagged_cluster(), _tag_namespace(), fx(POLICY, "urn:p", {"statements": [_cluster_tag_statement()]})],
               failing=[_tagged_cluster(), _tag_namespace(),
                        fx(POLICY, "urn:p", {"statements": [_cluster_tag_statement("genai-other")]})],
               unknown=[_tagged_cluster(tags=UNKNOWN), _tag_namespace(),
                        fx(POLICY, "urn:p", {"statements": [_cluster_tag_statement()]})],
               mutate=_drop_statement("{request.principal.type='cluster', request.principal.compartment.id="),
               severity="high",
               remediation="Grant any-user use tag-namespaces in the namespace's compartment where request.principal."
                           "type='cluster' (narrowed to the namespace), and make the cluster depend on it "
                           "(components.governance: the tag-use policy).",
               controls=("nist-800-53r5:CM-8", *_ASSURANCE)),
    custom_rule("DEP-013", "Ensure every synthetic monitor's timeout fits its interval as OCI requires", (MONITOR,),
                monitor_timeout_fits_interval, severity="medium",
                remediation="Keep timeoutInSeconds at most 30% of repeatIntervalInSeconds (50% when failures are not "
                            "retried): core.apm.probe_timeout.",
                controls=_ASSURANCE,
                passing={"timeoutInSeconds": 18, "repeatIntervalInSeconds": 60, "configuration": {"isFailureRetried": True}},
                failing={"timeoutInSeconds": 30, "repeatIntervalInSeconds": 60, "configuration": {"isFailureRetried": True}},
                unknown={"timeoutInSeconds": UNKNOWN, "repeatIntervalInSeconds": 60,
                         "configuration": {"isFailureRetried": True}}),
    stack_rule("DEP-004", "Ensure every workload-identity statement names a namespace and service account the plan creates",
               workload_identity_names_planned_accounts,
               passing=[fx(K8S_SERVICE_ACCOUNT, "urn:sa", _meta("genai-router")),
                        fx(POLICY, "urn:p", {"statements": [_workload()]})],
               failing=[fx(K8S_SERVICE_ACCOUNT, "urn:sa", _meta("genai-router")),
                        fx(POLICY, "urn:p", {"statements": [_workload(ns="elsewhere")]})],
               unknown=[fx(K8S_SERVICE_ACCOUNT, "urn:sa", _meta("genai-router")),
                        fx(POLICY, "urn:p", {"statements": UNKNOWN})],
               mutate=edit_first(POLICY, _rename_namespace, _is_workload_policy), severity="high",
               remediation="Build the statement from the router workload's own namespace and service account.",
               controls=("nist-800-53r5:AC-6", "nist-800-53r5:IA-9")),
    stack_rule("DEP-005", "Ensure every Secret, ConfigMap and service account a pod references is planned or declared",
               kubernetes_references_resolve,
               passing=[fx(K8S_DEPLOYMENT, "urn:d", _deployment()), fx(K8S_SECRET, "urn:s", _meta("genai-router-secrets")),
                        fx(K8S_CONFIG_MAP, "urn:c", _meta("genai-router-config")),
                        fx(K8S_SERVICE_ACCOUNT, "urn:sa", _meta("genai-router"))],
               failing=[fx(K8S_DEPLOYMENT, "urn:d", _deployment()), fx(K8S_CONFIG_MAP, "urn:c", _meta("genai-router-config")),
                        fx(K8S_SERVICE_ACCOUNT, "urn:sa", _meta("genai-router"))],
               unknown=[fx(K8S_DEPLOYMENT, "urn:d", {**_meta("genai-router"), "spec": UNKNOWN})],
               mutate=edit_first(K8S_DEPLOYMENT, _reference_missing_secret), severity="high",
               remediation="Create the object in the stack, or declare it in core/tables/prerequisites.yaml.",
               controls=_ASSURANCE),
    stack_rule("DEP-006", "Ensure every volume a container mounts is defined by its pod", volume_mounts_resolve,
               passing=[fx(K8S_DEPLOYMENT, "urn:d", _deployment())],
               failing=[fx(K8S_DEPLOYMENT, "urn:d", {**_meta("genai-router"), "spec": {"template": {"spec": {
                   "containers": [{"name": "router", "volumeMounts": [{"name": "config", "mountPath": "/x"}]}]}}}})],
               unknown=[fx(K8S_DEPLOYMENT, "urn:d", {**_meta("genai-router"), "spec": {"template": UNKNOWN}})],
               mutate=edit_first(K8S_DEPLOYMENT, _mount_undefined_volume), severity="high",
               remediation="Add the volume to the pod spec or remove the mount.",
               controls=("nist-800-53r5:CM-6",)),
    stack_rule("DEP-007", "Ensure every synthetic monitor's vantage points are public or planned in its APM domain",
               monitor_vantage_points_exist,
               passing=[fx(VANTAGE_POINT, "urn:v", {"name": "genai-vp-1"}, apmDomainId=["urn:a"]),
                        fx(MONITOR, "urn:m", {"vantagePoints": [{"name": "genai-vp-1"}]}, apmDomainId=["urn:a"])],
               failing=[fx(MONITOR, "urn:m", {"vantagePoints": [{"name": "genai-vp-1"}]}, apmDomainId=["urn:a"])],
               unknown=[fx(MONITOR, "urn:m", {"vantagePoints": UNKNOWN}, apmDomainId=["urn:a"])],
               mutate=edit_first(MONITOR, _private_vantage_point), severity="medium",
               remediation="Register the vantage point in the APM domain (apmsynthetics.OnPremiseVantagePoint, "
                           "workers in the network) or use an OraclePublic-<region> one for a public target.",
               controls=("nist-800-53r5:SI-4", "soc2:CC7.2")),
    stack_rule("DEP-008", "Ensure no public vantage point probes an API that has no public endpoint",
               public_vantage_points_reach_their_target,
               passing=[fx(GATEWAY, "urn:g", {"endpointType": "PUBLIC"}),
                        fx(MONITOR, "urn:m", {"vantagePoints": [{"name": "OraclePublic-eu-frankfurt-1"}],
                                              "target": "https://api.example.com/health"})],
               failing=[fx(GATEWAY, "urn:g", {"endpointType": "PRIVATE"}),
                        fx(MONITOR, "urn:m", {"vantagePoints": [{"name": "OraclePublic-eu-frankfurt-1"}],
                                              "target": "https://api.internal.example.com/health"})],
               unknown=[fx(GATEWAY, "urn:g", {"endpointType": UNKNOWN}),
                        fx(MONITOR, "urn:m", {"vantagePoints": [{"name": "OraclePublic-eu-frankfurt-1"}]})],
               mutate=edit_first(MONITOR, _public_vantage_point), severity="medium",
               remediation="Probe a private API from a dedicated vantage point inside the network.",
               controls=("nist-800-53r5:SI-4", "soc2:CC7.2")),
    stack_rule("DEP-011", "Ensure every agent data source is ingested by a data ingestion job", data_sources_ingested,
               passing=[fx(DATA_SOURCE, "urn:s"), fx(INGESTION_JOB, "urn:j", {"compartmentId": _COMP}, dataSourceId=["urn:s"])],
               failing=[fx(DATA_SOURCE, "urn:s")],
               unknown=[fx(DATA_SOURCE, "urn:s"), fx(INGESTION_JOB, "urn:j", {"compartmentId": UNKNOWN}, dataSourceId=["urn:s"])],
               mutate=drop_first(INGESTION_JOB), severity="medium",
               remediation="Create a generativeai.AgentDataIngestionJob for the data source (data_source_id).",
               controls=("nist-ai-rmf:MEASURE-2.5", "soc2:CC7.2")),
    stack_rule("DEP-009", "Ensure every router chat model has a fallback in confidential and restricted stacks",
               _fallback_check(("confidential", "restricted")),
               passing=[fx(K8S_CONFIG_MAP, "urn:c", _router_config("confidential", _FALLBACKS))],
               failing=[fx(K8S_CONFIG_MAP, "urn:c", _router_config("confidential", _FALLBACKS[:1]))],
               unknown=[fx(K8S_CONFIG_MAP, "urn:c", {**_meta("genai-router-config"), "data": UNKNOWN})],
               mutate=_split_router_models(None), severity="high",
               remediation="Serve each chat model from a second deployment (another dedicated cluster) and list it in "
                           "router_settings.fallbacks.",
               controls=("soc2:A1.2", "soc2:CC7.5")),
    stack_rule("DEP-010", "Ensure every router chat model has a fallback in public and internal stacks",
               _fallback_check(("public", "internal")),
               passing=[fx(K8S_CONFIG_MAP, "urn:c", _router_config("internal", _FALLBACKS))],
               failing=[fx(K8S_CONFIG_MAP, "urn:c", _router_config("internal", []))],
               unknown=[fx(K8S_CONFIG_MAP, "urn:c", {**_meta("genai-router-config"), "data": UNKNOWN})],
               mutate=_split_router_models("internal"), severity="medium", enforcement="advisory",
               remediation="List a fallback for every chat model in router_settings.fallbacks.",
               controls=("soc2:A1.2",)),
    stack_rule("DEP-014", "Ensure a router without a LiteLLM master key is reached only through the JWT-authenticating "
               "API Gateway and its own namespace's labelled pods", keyless_router_is_fenced,
               passing=[fx(K8S_CONFIG_MAP, "urn:c", _keyless_config()), _gateway_deployment(), *_fence()],
               failing=[fx(K8S_CONFIG_MAP, "urn:c", _keyless_config()), _gateway_deployment(),
                        *_fence([{"namespaceSelector": {}}])],
               unknown=[fx(K8S_CONFIG_MAP, "urn:c", {**_meta("genai-router-config"), "data": UNKNOWN}),
                        _gateway_deployment(), *_fence()],
               mutate=edit_first(GATEWAY_DEPLOYMENT, _drop_gateway_authentication,
                                 lambda n: bool(get(n["inputs"], "specification.requestPolicies.authentication"))),
               severity="critical",
               remediation="Keep JWT authentication on the API Gateway deployment and the router namespace's "
                           "default-deny NetworkPolicy admitting the ingress subnet only, or give the proxy a master key "
                           "(general_settings.master_key: os.environ/LITELLM_MASTER_KEY) that the gateway sends.",
               controls=("nist-800-53r5:IA-2", "nist-800-53r5:SC-7(5)", "soc2:CC6.1")),
    stack_rule("DEP-015", "Ensure a Database Tools connection to a database that requires mutual TLS presents its "
               "wallet from the Vault", mtls_connections_carry_the_wallet,
               passing=_connection(_sso()),
               failing=_connection(None),
               unknown=_connection(UNKNOWN),
               mutate=edit_first(DB_TOOLS_CONNECTION, lambda n: n["inputs"].pop("keyStores", None)),
               # Mandatory: a connection to an mTLS database without the wallet never connects. A valid stack
               # passes either way it can supply the wallet: the plane's own (walletPassword) or an
               # out-of-band secret (walletSecretId: SSO key store + the read grant naming its OCID;
               # tests/policies/test_deployability.py plans that variant).
               severity="high", enforcement="mandatory",
               remediation="Set genai-platform:data.database.walletPassword (`pulumi config set --secret`): the "
                           "data plane then creates the wallet and its Vault secret in the same deploy. Or store the "
                           "auto-login wallet (cwallet.sso, base64) as a Vault secret out of band and set "
                           "genai-platform:data.database.walletSecretId (core/tables/prerequisites.yaml, adb-wallet).",
               controls=("nist-800-53r5:SC-8", *_ASSURANCE)),
    stack_rule("DEP-016", "Ensure the monthly budget covers what the dedicated AI clusters commit to",
               budget_covers_dedicated_clusters,
               passing=[_hosting(), fx(BUDGET, "urn:b", {"amount": 110000.0})],
               failing=[_hosting(), fx(BUDGET, "urn:b", {"amount": 25000.0})],
               unknown=[_hosting(count=UNKNOWN), fx(BUDGET, "urn:b", {"amount": 110000.0})],
               mutate=edit_first(BUDGET, lambda n: n["inputs"].update(amount=1000.0)),
               severity="medium", enforcement="advisory",
               remediation="Raise genai-platform:operations.budget.amount above the clusters' monthly commitment "
                           "(unitCount x shape multiplier x unit-hour price x 744: the list price of core/genai_units.py "
                           "or the stack's negotiated genai-platform:model.unitPrices), or size the clusters down.",
               controls=_ASSURANCE),
]
