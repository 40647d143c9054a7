"""Stack-graph rules: properties of the whole plan that no single resource shows.

Each is a ``StackValidationPolicy`` over every resource, with parents, dependencies and
property dependencies resolved by the analyzer. Each rule also says how to break a compliant
graph (``mutate``) so the mutation test can prove the rule can fire on a real plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.buckets import NONCURRENT_SAMPLE_DAYS, SAMPLE_BUCKET_ROLE, SAMPLE_READER
from core.tiers import SAMPLE_BUCKET, load_matrix
from policies.rules._base import (
    UNKNOWN,
    Fixture,
    Rule,
    add_node,
    drop_first,
    edit_first,
    stack_rule,
    tagged,
    tier_of,
)
from policies.rules.identity import only_permission, parse

BUCKET = "oci:ObjectStorage/bucket:Bucket"
LOG = "oci:Logging/log:Log"
LOG_GROUP = "oci:Logging/logGroup:LogGroup"
EVENT_RULE = "oci:Events/rule:Rule"
TOPIC = "oci:Ons/notificationTopic:NotificationTopic"
SUBSCRIPTION = "oci:Ons/subscription:Subscription"
ALARM = "oci:Monitoring/alarm:Alarm"
KEY = "oci:Kms/key:Key"
VAULT = "oci:Kms/vault:Vault"
NSG = "oci:Core/networkSecurityGroup:NetworkSecurityGroup"
NSG_RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"
ROUTE_TABLE = "oci:Core/routeTable:RouteTable"
SUBNET = "oci:Core/subnet:Subnet"
IGW = "oci:Core/internetGateway:InternetGateway"
LOAD_BALANCER = "oci:LoadBalancer/loadBalancer:LoadBalancer"
WAF = "oci:Waf/webAppFirewall:WebAppFirewall"
BUDGET = "oci:Budget/budget:Budget"
COMPARTMENT = "oci:Identity/compartment:Compartment"
DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
BASTION = "oci:Bastion/bastion:Bastion"
LIFECYCLE = "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy"
POLICY = "oci:Identity/policy:Policy"

#: Types whose loss is data loss or a long rebuild: protected in prod.
STATEFUL = (BUCKET, "oci:Database/autonomousDatabase:AutonomousDatabase", KEY, VAULT, COMPARTMENT,
            "oci:Identity/tagNamespace:TagNamespace", "oci:Vault/secret:Secret")
#: Resources that cannot carry defined tags (tag definitions themselves, rules inside other resources).
UNTAGGABLE = ("oci:Identity/tag:Tag", "oci:Identity/tagDefault:TagDefault", "oci:Identity/tagNamespace:TagNamespace",
              NSG_RULE, "oci:Core/defaultSecurityList:DefaultSecurityList", "oci:Budget/rule:Rule",
              "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy")
TAGS = ("classification", "cost-center", "environment", "owner")
_ASSETS = ("soc2:CC6.1", "nist-800-53r5:CM-8")


def _deps(resource: Any, key: str) -> set[str]:
    return {d.urn for d in resource.property_dependencies.get(key, [])}


def _of(resources: Sequence[Any], type_: str) -> list[Any]:
    return [r for r in resources if r.resource_type == type_]


def _log_service(resource: Any) -> tuple[str | None, str | None]:
    source = (resource.props.get("configuration") or {}).get("source") or {}
    return source.get("service"), source.get("category")


# -- checks ---------------------------------------------------------------------------------------

def bucket_write_logs(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    logged: set[str] = set()
    for log in _of(resources, LOG):
        if log.props.get("isEnabled") and _log_service(log) == ("objectstorage", "write"):
            logged |= _deps(log, "configuration")
    for bucket in _of(resources, BUCKET):
        if bucket.urn not in logged:
            yield bucket.urn, "bucket has no enabled write-access log"


def event_rules_reach_people(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    subscribed = {u for s in _of(resources, SUBSCRIPTION) if s.props.get("protocol") for u in _deps(s, "topicId")}
    for rule in _of(resources, EVENT_RULE):
        targets = _deps(rule, "actions")
        if not targets & subscribed:
            yield rule.urn, "events rule does not reach a topic with a subscription"


def prod_stateful_protected(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for r in resources:
        tags = r.props.get("definedTags") or {}
        env = next((v for k, v in tags.items() if k.endswith(".environment")), None)
        if r.resource_type in STATEFUL and env == "prod" and not r.opts.protect:
            yield r.urn, "stateful prod resource is not protected from deletion"


def alarms_name_runbooks(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for alarm in _of(resources, ALARM):
        if "runbook:" not in str(alarm.props.get("body") or ""):
            yield alarm.urn, "alarm body does not name its runbook ('runbook: <id>')"


def keys_wired_to_vaults(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    vaults = {v.urn for v in _of(resources, VAULT)}
    for key in _of(resources, KEY):
        if not key.props.get("managementEndpoint") or not _deps(key, "managementEndpoint") & vaults:
            yield key.urn, "key's managementEndpoint does not come from a vault in this stack"


def nsgs_have_rules(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    ruled = {u for rule in _of(resources, NSG_RULE) if rule.props.get("direction") for u in _deps(rule, "networkSecurityGroupId")}
    for nsg in _of(resources, NSG):
        if nsg.urn not in ruled:
            yield nsg.urn, "network security group has no rules"


def defined_tags_everywhere(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for r in resources:
        if r.resource_type in UNTAGGABLE or not r.resource_type.startswith("oci:"):
            continue
        if "compartmentId" not in r.props and "logGroupId" not in r.props:
            continue
        tags = r.props.get("definedTags") or {}
        present = {k.rsplit(".", 1)[-1] for k in tags}
        missing = [t for t in TAGS if t not in present]
        if missing:
            yield r.urn, f"'definedTags' lacks {', '.join(missing)}"


def log_groups_used(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    used = {u for log in _of(resources, LOG) if log.props.get("logType") for u in _deps(log, "logGroupId")}
    for group in _of(resources, LOG_GROUP):
        if group.urn not in used:
            yield group.urn, "log group holds no log"


def route_tables_used(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    used = {u for s in _of(resources, SUBNET) if s.props.get("cidrBlock") for u in _deps(s, "routeTableId")}
    for table in _of(resources, ROUTE_TABLE):
        if table.urn not in used:
            yield table.urn, "route table is not used by any subnet"


def public_lbs_have_waf(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    protected = {u for w in _of(resources, WAF) if w.props.get("backendType") for u in _deps(w, "loadBalancerId")}
    for lb in _of(resources, LOAD_BALANCER):
        if lb.props.get("isPrivate") is not True and lb.urn not in protected:
            yield lb.urn, "public load balancer has no web application firewall"


def igw_only_for_public_subnets(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    public_tables = {u for s in _of(resources, SUBNET) if s.props.get("prohibitPublicIpOnVnic") is False
                     for u in _deps(s, "routeTableId")}
    used_igws = {u for t in _of(resources, ROUTE_TABLE) if t.urn in public_tables for u in _deps(t, "routeRules")}
    for igw in _of(resources, IGW):
        if igw.props.get("enabled") is not False and igw.urn not in used_igws:
            yield igw.urn, "internet gateway is not used by a public subnet"


def budget_present(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    compartments = _of(resources, COMPARTMENT)
    budgeted = {u for b in _of(resources, BUDGET) if b.props.get("amount") for u in _deps(b, "targets")}
    for c in compartments:
        if c.urn not in budgeted:
            yield c.urn, "no budget tracks the compartment's spend"


def api_deployments_logged(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    logged: dict[str, set[str]] = {}
    for log in _of(resources, LOG):
        service, category = _log_service(log)
        if service == "apigateway" and log.props.get("isEnabled"):
            for u in _deps(log, "configuration"):
                logged.setdefault(u, set()).add(str(category))
    for d in _of(resources, DEPLOYMENT):
        if {"access", "execution"} - logged.get(d.urn, set()):
            yield d.urn, "API deployment lacks an enabled access or execution service log"


def resources_have_components(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    for r in resources:
        if r.resource_type.startswith(("oci:", "kubernetes:")) and r.parent is None and not r.props.get("__component"):
            yield r.urn, "resource is not inside a platform component (no parent)"


def bastion_for_private_subnets(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    private = [s for s in _of(resources, SUBNET) if s.props.get("prohibitPublicIpOnVnic") is True]
    if private and not [b for b in _of(resources, BASTION) if b.props.get("targetSubnetId")]:
        yield private[0].urn, "private subnets have no bastion for administrative access"


def tiers_consistent(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    tiers: dict[str, list[str]] = {}
    for r in resources:
        tier = tier_of(r.props)
        if tier:
            tiers.setdefault(tier, []).append(r.urn)
    if len(tiers) > 1:
        minority = min(tiers.values(), key=len)
        yield minority[0], f"resources carry {len(tiers)} different classification tiers; a stack has one"


def _is_sample_bucket(bucket: Any) -> bool:
    return str(bucket.props.get("name") or "").endswith(f"-{SAMPLE_BUCKET_ROLE}")


def _deletes_within(rules: Any, target: str, days: int) -> bool:
    """An enabled DELETE rule on ``target`` over every object (no name filter) within ``days``."""
    for rule in rules or []:
        unit = {"DAYS": 1, "YEARS": 365}.get(str(rule.get("timeUnit")))
        if (rule.get("action") == "DELETE" and rule.get("isEnabled") is True and unit is not None
                and (rule.get("target") or "objects") == target and not rule.get("objectNameFilter")
                and int(str(rule.get("timeAmount"))) * unit <= days):
            return True
    return False


def _clauses(conditions: Any) -> list[tuple[str, str, str]] | None:
    """(variable, op, value) of a where-clause that is one clause or an ``all`` group; None otherwise (an
    ``any`` group, whose alternatives each stand alone)."""
    if not conditions:
        return []
    if not isinstance(conditions, dict):
        return None
    items_ = [conditions] if conditions.get("type") == "clause" else (
        conditions.get("items") or [] if conditions.get("mode") == "all" else None)
    if items_ is None:
        return None
    out = []
    for c in items_:
        node = (c or {}).get("node") or {}
        rhs = node.get("rhs") or {}
        out.append((str(node.get("lhs")), str(node.get("op")), str(rhs.get("value") if isinstance(rhs, dict) else rhs)))
    return out


def _reads_bucket(parsed: dict[str, Any], bucket: str) -> bool:
    """Whether a parsed statement lets a principal other than the evaluation job read ``bucket``'s objects."""
    if (parsed.get("subject") or {}).get("type") == "service":
        return False  # Object Storage itself (lifecycle rules), not a reader
    verbs = set((parsed.get("actions") or {}).get("values", []))
    resources = set((parsed.get("resources") or {}).get("values", []))
    if not verbs & {"read", "use", "manage"} or not resources & {"objects", "object-family", "all-resources"}:
        return False
    only = only_permission(parsed.get("conditions"))
    if only is not None and only != "OBJECT_READ":
        return False  # narrowed to one permission that reads nothing (the router's OBJECT_CREATE)
    clauses = _clauses(parsed.get("conditions"))
    if clauses is None:
        return True  # an any-group: some alternative may match without naming the bucket
    named = [v for lhs, op, v in clauses if lhs == "target.bucket.name" and op == "eq"]
    excluded = [v for lhs, op, v in clauses if lhs == "target.bucket.name" and op == "neq"]
    if bucket.lower() in (v.lower() for v in excluded) or (named and bucket.lower() not in (v.lower() for v in named)):
        return False  # condition matching is case-insensitive (objectstoragepolicyreference.htm)
    return ("request.principal.service_account", "eq", SAMPLE_READER) not in clauses


def eval_sample_buckets(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    """The evaluation-sample bucket holds only what its tier allows, for no longer, readable by the job only."""
    samples = [b for b in _of(resources, BUCKET) if _is_sample_bucket(b)]
    if not samples:
        return
    matrix = load_matrix()
    for bucket in samples:
        tier = matrix.get(str(tier_of(bucket.props)))
        if tier is None:
            yield bucket.urn, "sample bucket carries no classification tier"
            continue
        policy = tier.traffic_sample
        if policy.store != SAMPLE_BUCKET:
            yield bucket.urn, "sample bucket exists, but its tier keeps no traffic sample in a bucket (trafficSample.store)"
            continue
        if tier.customer_managed_keys and not bucket.props.get("kmsKeyId"):
            yield bucket.urn, "'kmsKeyId' is not set; the tier requires a customer-managed key"
        lifecycles = [lc for lc in _of(resources, LIFECYCLE) if bucket.urn in _deps(lc, "bucket")]
        rules = [r for lc in lifecycles for r in lc.props.get("rules") or []]
        if not _deletes_within(rules, "objects", policy.max_retention_days):
            yield bucket.urn, "no lifecycle rule deletes samples within the tier's trafficSample.maxRetentionDays"
        elif bucket.props.get("versioning") == "Enabled" and not _deletes_within(
                rules, "previous-object-versions", NONCURRENT_SAMPLE_DAYS):
            yield bucket.urn, "no lifecycle rule deletes a deleted sample's noncurrent version within a day"
        name = str(bucket.props.get("name"))
        for p in _of(resources, POLICY):
            for i, text in enumerate(p.props.get("statements") or []):
                parsed = parse(str(text))
                if parsed is not None and _reads_bucket(parsed, name):
                    yield p.urn, f"'statements[{i}]' lets a principal other than the evaluation job read samples"


# -- fixtures and mutations ---------------------------------------------------------------------------

def fx(type_: str, urn: str, props: dict[str, Any] | None = None, protect: bool = False, parent: str | None = "urn:c",
       **deps: list[str]) -> Fixture:
    return Fixture(type_, props or {}, name=urn, protect=protect, parent=parent,
                   dependencies=tuple(u for v in deps.values() for u in v), property_dependencies=deps)


def _unprotect(node: dict[str, Any]) -> None:
    node["protect"] = False


def _strip_tag(node: dict[str, Any]) -> None:
    node["inputs"]["definedTags"] = {k: v for k, v in node["inputs"]["definedTags"].items() if not k.endswith(".owner")}


def _is_prod_stateful(node: dict[str, Any]) -> bool:
    return node["type"] in STATEFUL and bool(node.get("protect"))


_WRITE_LOG = {"isEnabled": True, "configuration": {"source": {"service": "objectstorage", "category": "write"}}}
_FLOW = {"isEnabled": True, "logType": "SERVICE"}
_TAGGED = {"compartmentId": "c", "definedTags": {f"ns.{t}": "v" for t in TAGS}}
_ENV = {"definedTags": {"ns.environment": "prod"}}
_SAMPLES = {**tagged("confidential"), "name": f"genai-fx-{SAMPLE_BUCKET_ROLE}", "kmsKeyId": "ocid1.key.oc1.fra.x",
            "versioning": "Enabled", "accessType": "NoPublicAccess"}
_SAMPLE_RULES = [{"name": "delete-samples", "action": "DELETE", "isEnabled": True, "target": "objects",
                  "timeAmount": "7", "timeUnit": "DAYS"},
                 {"name": "delete-deleted-samples", "action": "DELETE", "isEnabled": True,
                  "target": "previous-object-versions", "timeAmount": "1", "timeUnit": "DAYS"}]
_WORKLOAD = "request.principal.type='workload', request.principal.cluster_id='ocid1.cluster.oc1.fra.x', " \
            "request.principal.namespace='genai'"
_JOB_READS = (f"Allow any-user to read objects in compartment id ocid1.compartment.oc1..x where all {{{_WORKLOAD}, "
              f"request.principal.service_account='{SAMPLE_READER}', target.bucket.name='genai-fx-{SAMPLE_BUCKET_ROLE}'}}")
_ROUTER_WRITES = (f"Allow any-user to manage objects in compartment id ocid1.compartment.oc1..x where all {{{_WORKLOAD}, "
                  "request.principal.service_account='genai-router', request.permission='OBJECT_CREATE', "
                  f"target.bucket.name='genai-fx-{SAMPLE_BUCKET_ROLE}'}}")

RULES: list[Rule] = [
    stack_rule("STK-001", "Ensure every bucket has a write-access log", bucket_write_logs,
               passing=[fx(BUCKET, "urn:b"), fx(LOG, "urn:l", _WRITE_LOG, configuration=["urn:b"])],
               failing=[fx(BUCKET, "urn:b")],
               unknown=[fx(BUCKET, "urn:b"), fx(LOG, "urn:l", {**_WRITE_LOG, "isEnabled": UNKNOWN}, configuration=["urn:b"])],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:ObjectStorage/bucket:Bucket::mutant",
                                "type": BUCKET, "name": "mutant", "inputs": {"accessType": "NoPublicAccess"}}),
               severity="medium", remediation="Create a SERVICE log (objectstorage, write) for every bucket.",
               controls=("cis-oci-3.1:4.17", "soc2:CC7.2", "nist-800-53r5:AU-2")),
    stack_rule("STK-002", "Ensure every events rule reaches a topic that has a subscriber", event_rules_reach_people,
               passing=[fx(TOPIC, "urn:t"), fx(SUBSCRIPTION, "urn:s", {"protocol": "EMAIL"}, topicId=["urn:t"]),
                        fx(EVENT_RULE, "urn:r", {"isEnabled": True}, actions=["urn:t"])],
               failing=[fx(TOPIC, "urn:t"), fx(EVENT_RULE, "urn:r", {"isEnabled": True}, actions=["urn:t"])],
               unknown=[fx(TOPIC, "urn:t"), fx(SUBSCRIPTION, "urn:s", {"protocol": UNKNOWN}, topicId=["urn:t"]),
                        fx(EVENT_RULE, "urn:r", {"isEnabled": True}, actions=["urn:t"])],
               mutate=edit_first(EVENT_RULE, lambda n: n["propertyDependencies"].update(actions=[])),
               severity="medium", remediation="Point the rule's ONS action at a topic with an on-call subscription.",
               controls=("soc2:CC7.3", "nist-800-53r5:IR-6")),
    stack_rule("STK-003", "Ensure every stateful production resource is protected from deletion", prod_stateful_protected,
               passing=[fx(BUCKET, "urn:b", _ENV, protect=True)], failing=[fx(BUCKET, "urn:b", _ENV)],
               unknown=[fx(BUCKET, "urn:b", {"definedTags": UNKNOWN})],
               mutate=edit_first(KEY, _unprotect, _is_prod_stateful), severity="high",
               remediation="Set protect=True (and retain_on_delete where it fits) on stateful resources in prod.",
               controls=("soc2:A1.2", "nist-800-53r5:CP-9", "iso27001-2022:A.8.13")),
    stack_rule("STK-004", "Ensure every alarm names its runbook", alarms_name_runbooks,
               passing=[fx(ALARM, "urn:a", {"body": "runbook: model-timeout"})],
               failing=[fx(ALARM, "urn:a", {"body": "latency high"})], unknown=[fx(ALARM, "urn:a", {"body": UNKNOWN})],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:Monitoring/alarm:Alarm::mutant", "type": ALARM,
                                "name": "mutant", "inputs": {"body": "no runbook here", "severity": "CRITICAL"}}),
               severity="medium", remediation="Put 'runbook: <id>' and the runbook link in the alarm body.",
               controls=("soc2:CC7.4", "nist-800-53r5:IR-8", "pci-dss:12.10", "nist-ai-rmf:MANAGE-2.3")),
    stack_rule("STK-005", "Ensure every key is created in a vault of this stack", keys_wired_to_vaults,
               passing=[fx(VAULT, "urn:v"), fx(KEY, "urn:k", {"managementEndpoint": "https://x"}, managementEndpoint=["urn:v"])],
               failing=[fx(KEY, "urn:k", {"managementEndpoint": "https://x"})],
               unknown=[fx(VAULT, "urn:v"), fx(KEY, "urn:k", {"managementEndpoint": UNKNOWN}, managementEndpoint=["urn:v"])],
               mutate=edit_first(KEY, lambda n: n["propertyDependencies"].update(managementEndpoint=[])),
               severity="medium", remediation="Create keys with management_endpoint=vault.management_endpoint.",
               controls=("nist-800-53r5:SC-12",)),
    stack_rule("STK-006", "Ensure every network security group has rules", nsgs_have_rules,
               passing=[fx(NSG, "urn:n"), fx(NSG_RULE, "urn:r", {"direction": "INGRESS"}, networkSecurityGroupId=["urn:n"])],
               failing=[fx(NSG, "urn:n")],
               unknown=[fx(NSG, "urn:n"), fx(NSG_RULE, "urn:r", {"direction": UNKNOWN}, networkSecurityGroupId=["urn:n"])],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:Core/networkSecurityGroup:NetworkSecurityGroup::m",
                                "type": NSG, "name": "m", "inputs": {}}),
               severity="low", remediation="Delete empty NSGs or give them their least-privilege rules.",
               controls=("nist-800-53r5:CM-7",)),
    stack_rule("STK-007", "Ensure every taggable resource carries the four defined tags", defined_tags_everywhere,
               passing=[fx(SUBNET, "urn:s", _TAGGED)],
               failing=[fx(SUBNET, "urn:s", {"compartmentId": "c", "definedTags": {"ns.classification": "internal"}})],
               unknown=[fx(SUBNET, "urn:s", {"compartmentId": "c", "definedTags": UNKNOWN})],
               mutate=edit_first(SUBNET, _strip_tag), severity="medium",
               remediation="Pass governance.defined_tags to the resource (tag defaults cover out-of-band creation).",
               controls=("cis-oci-3.1:4.1", *_ASSETS)),
    stack_rule("STK-008", "Ensure every log group holds a log", log_groups_used,
               passing=[fx(LOG_GROUP, "urn:g"), fx(LOG, "urn:l", _FLOW, logGroupId=["urn:g"])],
               failing=[fx(LOG_GROUP, "urn:g")],
               unknown=[fx(LOG_GROUP, "urn:g"), fx(LOG, "urn:l", {"logType": UNKNOWN}, logGroupId=["urn:g"])],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:Logging/logGroup:LogGroup::m", "type": LOG_GROUP,
                                "name": "m", "inputs": {"displayName": "m"}}),
               severity="low", enforcement="advisory", remediation="Remove the empty log group or route logs to it.",
               controls=("nist-800-53r5:AU-6",)),
    stack_rule("STK-009", "Ensure every route table is used by a subnet", route_tables_used,
               passing=[fx(ROUTE_TABLE, "urn:t"), fx(SUBNET, "urn:s", {"cidrBlock": "10.0.0.0/24"}, routeTableId=["urn:t"])],
               failing=[fx(ROUTE_TABLE, "urn:t")],
               unknown=[fx(ROUTE_TABLE, "urn:t"), fx(SUBNET, "urn:s", {"cidrBlock": UNKNOWN}, routeTableId=["urn:t"])],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:Core/routeTable:RouteTable::m",
                                "type": ROUTE_TABLE, "name": "m", "inputs": {"routeRules": []}}),
               severity="low", enforcement="advisory", remediation="Delete unused route tables: they invite mistakes.",
               controls=("nist-800-53r5:CM-7",)),
    stack_rule("STK-010", "Ensure every public load balancer is behind a web application firewall", public_lbs_have_waf,
               passing=[fx(LOAD_BALANCER, "urn:lb", {"isPrivate": False}),
                        fx(WAF, "urn:w", {"backendType": "LOAD_BALANCER"}, loadBalancerId=["urn:lb"])],
               failing=[fx(LOAD_BALANCER, "urn:lb", {"isPrivate": False})],
               unknown=[fx(LOAD_BALANCER, "urn:lb", {"isPrivate": UNKNOWN})],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:LoadBalancer/loadBalancer:LoadBalancer::m",
                                "type": LOAD_BALANCER, "name": "m", "inputs": {"isPrivate": False}}),
               severity="critical", remediation="Attach a WebAppFirewall with protection, rate-limit and access rules.",
               controls=("soc2:CC6.6", "nist-800-53r5:SC-7", "owasp-llm:LLM10", "pci-dss:6.4")),
    stack_rule("STK-011", "Ensure an internet gateway exists only for a public subnet", igw_only_for_public_subnets,
               passing=[fx(IGW, "urn:i", {"enabled": True}), fx(ROUTE_TABLE, "urn:t", routeRules=["urn:i"]),
                        fx(SUBNET, "urn:s", {"prohibitPublicIpOnVnic": False}, routeTableId=["urn:t"])],
               failing=[fx(IGW, "urn:i", {"enabled": True})], unknown=[fx(IGW, "urn:i", {"enabled": UNKNOWN})],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:Core/internetGateway:InternetGateway::m",
                                "type": IGW, "name": "m", "inputs": {"enabled": True}}),
               severity="high", remediation="Remove the internet gateway unless the public ingress subnet routes to it.",
               controls=("nist-800-53r5:SC-7",)),
    stack_rule("STK-012", "Ensure a budget tracks the spend of every compartment the stack creates", budget_present,
               passing=[fx(COMPARTMENT, "urn:c"), fx(BUDGET, "urn:b", {"amount": 1000.0}, targets=["urn:c"])],
               failing=[fx(COMPARTMENT, "urn:c")],
               unknown=[fx(COMPARTMENT, "urn:c"), fx(BUDGET, "urn:b", {"amount": UNKNOWN}, targets=["urn:c"])],
               mutate=drop_first(BUDGET), severity="medium", enforcement="advisory",
               remediation="Create a Budget targeting the compartment with alert rules (operations plane).",
               controls=("soc2:CC3.2",)),
    stack_rule("STK-013", "Ensure every API deployment has access and execution service logs", api_deployments_logged,
               passing=[fx(DEPLOYMENT, "urn:d"),
                        fx(LOG, "urn:a", {"isEnabled": True, "configuration": {"source": {"service": "apigateway",
                                                                                         "category": "access"}}},
                           configuration=["urn:d"]),
                        fx(LOG, "urn:e", {"isEnabled": True, "configuration": {"source": {"service": "apigateway",
                                                                                         "category": "execution"}}},
                           configuration=["urn:d"])],
               failing=[fx(DEPLOYMENT, "urn:d")],
               unknown=[fx(DEPLOYMENT, "urn:d"),
                        fx(LOG, "urn:a", {"isEnabled": UNKNOWN, "configuration": {"source": {"service": "apigateway",
                                                                                            "category": "access"}}},
                           configuration=["urn:d"])],
               mutate=add_node({"urn": "urn:pulumi:mut::genai-platform::oci:ApiGateway/deployment:Deployment::m",
                                "type": DEPLOYMENT, "name": "m", "inputs": {"pathPrefix": "/m"}}),
               severity="medium", remediation="Create SERVICE logs (apigateway, access and execution) for the deployment.",
               controls=("soc2:CC7.2", "nist-800-53r5:AU-2", "hipaa:164.312(b)", "pci-dss:10.2")),
    stack_rule("STK-014", "Ensure every resource belongs to a platform component", resources_have_components,
               passing=[Fixture("genai:index:NetworkPlane", {}, name="urn:c"), fx(SUBNET, "urn:s", {"cidrBlock": "10.0.0.0/24"})],
               failing=[fx(SUBNET, "urn:s", {"cidrBlock": "10.0.0.0/24"}, parent=None)],
               unknown=[fx(SUBNET, "urn:s", {"__component": UNKNOWN}, parent=None)],
               mutate=edit_first(SUBNET, lambda n: n.update(parent=None)), severity="low",
               remediation="Create the resource inside its plane's ComponentResource (opts parent=self).",
               controls=_ASSETS),
    stack_rule("STK-015", "Ensure a bastion gives administrators a path into the private subnets",
               bastion_for_private_subnets,
               passing=[fx(SUBNET, "urn:s", {"prohibitPublicIpOnVnic": True}),
                        fx(BASTION, "urn:b", {"targetSubnetId": "ocid1.subnet.x"})],
               failing=[fx(SUBNET, "urn:s", {"prohibitPublicIpOnVnic": True})],
               unknown=[fx(SUBNET, "urn:s", {"prohibitPublicIpOnVnic": True}),
                        fx(BASTION, "urn:b", {"targetSubnetId": UNKNOWN})],
               mutate=drop_first(BASTION), severity="low", enforcement="advisory",
               remediation="Create an OCI Bastion targeting the bastion subnet (governance plane).",
               controls=("nist-800-53r5:AC-17",)),
    stack_rule("STK-016", "Ensure all resources of a stack carry one classification tier", tiers_consistent,
               passing=[fx(SUBNET, "urn:a", {"definedTags": {"ns.classification": "internal"}}),
                        fx(SUBNET, "urn:b", {"definedTags": {"ns.classification": "internal"}})],
               failing=[fx(SUBNET, "urn:a", {"definedTags": {"ns.classification": "internal"}}),
                        fx(SUBNET, "urn:b", {"definedTags": {"ns.classification": "public"}})],
               unknown=[fx(SUBNET, "urn:a", {"definedTags": UNKNOWN})],
               mutate=edit_first(SUBNET, lambda n: n["inputs"]["definedTags"].update(
                   {next(k for k in n["inputs"]["definedTags"] if k.endswith(".classification")): "public"})),
               severity="high", remediation="Tag every resource from governance.defined_tags; one stack, one tier.",
               controls=("soc2:C1.1", "iso27001-2022:A.5.12")),
    stack_rule("STK-017", "Ensure evaluation samples of live traffic are kept only as their tier allows",
               eval_sample_buckets,
               passing=[fx(BUCKET, "urn:b", _SAMPLES), fx(LIFECYCLE, "urn:lc", {"rules": _SAMPLE_RULES}, bucket=["urn:b"]),
                        fx(POLICY, "urn:p", {"statements": [_JOB_READS, _ROUTER_WRITES]})],
               failing=[fx(BUCKET, "urn:b", {**_SAMPLES, **tagged("restricted")}),
                        fx(LIFECYCLE, "urn:lc", {"rules": _SAMPLE_RULES}, bucket=["urn:b"])],
               unknown=[fx(BUCKET, "urn:b", {**_SAMPLES, "kmsKeyId": UNKNOWN}),
                        fx(LIFECYCLE, "urn:lc", {"rules": _SAMPLE_RULES}, bucket=["urn:b"])],
               mutate=edit_first(LIFECYCLE, lambda n: n["inputs"]["rules"][0].update(timeAmount="90"),
                                 lambda n: any(r.get("name") == "delete-samples" for r in n["inputs"].get("rules") or [])),
               severity="high",
               remediation="Keep a sample bucket only where the tier's trafficSample.store is sample-bucket, with the "
                           "tier's key, a lifecycle rule deleting samples within its maxRetentionDays, and read grants "
                           "for the online evaluation job's workload identity only.",
               controls=("nist-800-53r5:SI-12", "nist-800-53r5:AC-3", "nist-800-53r5:SC-28", "gdpr:Art.5(1)(e)",
                         "gdpr:Art.25", "iso27001-2022:A.8.10", "iso27001-2022:A.8.3", "soc2:C1.2")),
]
