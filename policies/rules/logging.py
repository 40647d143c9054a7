"""Logging and monitoring (CIS OCI Foundations 3.1 section 4): event notifications, flow logs, Cloud Guard."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.cis_events import EVENT_RULES
from policies.rules._base import (
    UNKNOWN,
    Fixture,
    Rule,
    custom_rule,
    drop_all,
    drop_first,
    items,
    prop_rule,
    stack_rule,
)

EVENT_RULE = "oci:Events/rule:Rule"
LOG = "oci:Logging/log:Log"
TOPIC = "oci:Ons/notificationTopic:NotificationTopic"
SUBSCRIPTION = "oci:Ons/subscription:Subscription"
SUBNET = "oci:Core/subnet:Subnet"
CLOUD_GUARD = "oci:CloudGuard/target:Target"
COMPARTMENT = "oci:Identity/compartment:Compartment"


def _ons_actions(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    actions = props.get("actions") or {}
    return [a for a in items(actions.get("action")) + items(actions.get("actions"))
            if a.get("actionType") == "ONS" and a.get("isEnabled")]


def check_event_rule_notifies(props: Mapping[str, Any]) -> Iterable[str]:
    if not props.get("isEnabled"):
        yield "'isEnabled' is false; a disabled rule notifies no one"
    if not _ons_actions(props):
        yield "'actions.action' has no enabled ONS (notification topic) action"


def _event_types(props: Mapping[str, Any]) -> set[str]:
    try:
        condition = json.loads(props.get("condition") or "{}")
    except (TypeError, ValueError):
        return set()
    value = condition.get("eventType", [])
    return set(value if isinstance(value, list) else [value])


def _covered(resources: Sequence[Any]) -> set[str]:
    covered: set[str] = set()
    for r in resources:
        if r.resource_type == EVENT_RULE and r.props.get("isEnabled") and _ons_actions(r.props):
            covered |= _event_types(r.props)
    return covered


def _event_family_rule(key: str, cis: str, event_types: tuple[str, ...], number: int) -> Rule:
    label = key.replace("-", " ")

    def check(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
        missing = set(event_types) - _covered(resources)
        if missing:
            yield "", f"no enabled Events rule with a topic action covers {len(missing)} {label} event type(s)"

    def rule_fixture(types: Sequence[str], enabled: Any = True) -> Fixture:
        return Fixture(EVENT_RULE, {"isEnabled": enabled, "condition": json.dumps({"eventType": list(types)}),
                                    "actions": {"action": [{"actionType": "ONS", "isEnabled": True, "topicId": "t"}]}},
                       name="rule")

    def mutate(graph: dict[str, Any]) -> dict[str, Any]:
        for node in graph["nodes"]:
            if node["type"] == EVENT_RULE and set(event_types) & _event_types(node["inputs"]):
                kept = sorted(_event_types(node["inputs"]) - set(event_types))
                node["inputs"]["condition"] = json.dumps({"eventType": kept or ["com.example.none"]})
        return graph

    return stack_rule(
        f"OCI-LOG-{number:03d}", f"Ensure a notification is configured for {label} changes", check,
        passing=[rule_fixture(event_types)], failing=[rule_fixture(event_types[:-1])],
        unknown=[rule_fixture(event_types, enabled=UNKNOWN)], mutate=mutate, severity="medium",
        remediation=f"Create an enabled Events rule for the {label} event types with an ONS action to the security topic.",
        controls=(f"cis-oci-3.1:{cis}", "soc2:CC7.2", "nist-800-53r5:SI-4", "iso27001-2022:A.8.16"))


def check_flow_logs(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    logged: set[str] = set()
    for r in resources:
        if r.resource_type == LOG and r.props.get("isEnabled"):
            source = (r.props.get("configuration") or {}).get("source") or {}
            if source.get("service") == "flowlogs":
                logged |= {d.urn for d in r.property_dependencies.get("configuration", [])}
                logged.add(str(source.get("resource")))
    for r in resources:
        if r.resource_type == SUBNET and r.urn not in logged:
            yield r.urn, "subnet has no enabled VCN flow log"


def check_cloud_guard(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    targets = [r for r in resources if r.resource_type == CLOUD_GUARD and r.props.get("targetResourceType") == "COMPARTMENT"]
    targeted = {d.urn for t in targets for d in t.property_dependencies.get("targetResourceId", [])}
    for r in resources:
        if r.resource_type == COMPARTMENT and r.urn not in targeted:
            yield r.urn, "compartment is not a Cloud Guard target"


def check_topics_subscribed(resources: Sequence[Any]) -> Iterable[tuple[str, str]]:
    subscribed = {d.urn for r in resources if r.resource_type == SUBSCRIPTION and r.props.get("protocol")
                  for d in r.property_dependencies.get("topicId", [])}
    for r in resources:
        if r.resource_type == TOPIC and r.urn not in subscribed:
            yield r.urn, "notification topic has no subscription"


def _flow_log(resource: str, enabled: Any = True) -> Fixture:
    return Fixture(LOG, {"isEnabled": enabled, "logType": "SERVICE", "configuration": {"source": {
        "service": "flowlogs", "category": "all", "resource": resource, "sourceType": "OCISERVICE"}}}, name="flowlog",
        property_dependencies={"configuration": ["urn:subnet"]})


_LOGGING = ("soc2:CC7.2", "nist-800-53r5:AU-2", "iso27001-2022:A.8.15", "hipaa:164.312(b)", "pci-dss:10.2")

RULES: list[Rule] = [
    *[_event_family_rule(key, cis, types, n) for n, (key, (cis, _scope, types)) in enumerate(EVENT_RULES.items(), start=1)],
    custom_rule("OCI-LOG-020", "Ensure every Events rule is enabled and notifies a topic", (EVENT_RULE,),
                check_event_rule_notifies, severity="medium",
                remediation="Enable the rule and add an ONS action to the security topic.",
                controls=("soc2:CC7.2", "nist-800-53r5:SI-4"),
                passing={"isEnabled": True, "actions": {"action": [{"actionType": "ONS", "isEnabled": True}]}},
                failing={"isEnabled": True, "actions": {"action": [{"actionType": "FAAS", "isEnabled": True}]}},
                unknown={"isEnabled": True, "actions": UNKNOWN}),
    stack_rule("OCI-LOG-021", "Ensure VCN flow logging is enabled for every subnet", check_flow_logs,
               passing=[Fixture(SUBNET, {}, name="urn:subnet"), _flow_log("urn:subnet")],
               failing=[Fixture(SUBNET, {}, name="urn:subnet"), _flow_log("urn:subnet", enabled=False)],
               unknown=[Fixture(SUBNET, {}, name="urn:subnet"), _flow_log("urn:subnet", enabled=UNKNOWN)],
               mutate=drop_first(LOG, lambda n: n["inputs"].get("configuration", {}).get("source", {})
                                         .get("service") == "flowlogs"),
               severity="high", remediation="Create a SERVICE log (service flowlogs, category all) for every subnet.",
               controls=("cis-oci-3.1:4.13", *_LOGGING)),
    stack_rule("OCI-LOG-022", "Ensure Cloud Guard monitors every compartment the stack creates", check_cloud_guard,
               passing=[Fixture(COMPARTMENT, {}, name="urn:c"),
                        Fixture(CLOUD_GUARD, {"targetResourceType": "COMPARTMENT"}, name="cg",
                                property_dependencies={"targetResourceId": ["urn:c"]})],
               failing=[Fixture(COMPARTMENT, {}, name="urn:c")],
               unknown=[Fixture(COMPARTMENT, {}, name="urn:c"),
                        Fixture(CLOUD_GUARD, {"targetResourceType": UNKNOWN}, name="cg",
                                property_dependencies={"targetResourceId": ["urn:c"]})],
               mutate=drop_first(CLOUD_GUARD), severity="high",
               remediation="Create a Cloud Guard target (type COMPARTMENT) with Oracle-managed detector recipes.",
               controls=("cis-oci-3.1:4.14", "soc2:CC7.1", "nist-800-53r5:SI-4", "pci-dss:11.5")),
    stack_rule("OCI-LOG-023", "Ensure every notification topic has at least one subscription", check_topics_subscribed,
               passing=[Fixture(TOPIC, {}, name="urn:t"), Fixture(SUBSCRIPTION, {"protocol": "EMAIL"}, name="s",
                                                                   property_dependencies={"topicId": ["urn:t"]})],
               failing=[Fixture(TOPIC, {}, name="urn:t")],
               unknown=[Fixture(TOPIC, {}, name="urn:t"), Fixture(SUBSCRIPTION, {"protocol": UNKNOWN}, name="s",
                                                                   property_dependencies={"topicId": ["urn:t"]})],
               mutate=drop_all(SUBSCRIPTION), severity="medium",
               remediation="Subscribe the on-call address (EMAIL, PAGERDUTY, CUSTOM_HTTPS) to the topic.",
               controls=("cis-oci-3.1:4.2", "soc2:CC7.3", "nist-800-53r5:IR-6")),
    prop_rule("OCI-LOG-024", "Ensure service logs are enabled", (LOG,), "isEnabled", lambda v: v is True,
              good=True, bad=False, expectation="true", severity="medium",
              remediation="Set is_enabled=True on the log.", controls=_LOGGING),
]
