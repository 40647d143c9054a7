"""Governance plane over the dev and prod graphs, and the IAM statement builder."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.governance import EVENT_RULES, Grant, Subject, Workload, render_statement, role_statements
from components.iam_roles import (
    PARENT_GRANTS,
    POLICY_REFERENCE,
    ROLE_GRANTS,
    ROLE_PURPOSES,
    ROLES,
    SAMPLE_BUCKET,
    TENANCY_GRANTS,
)
from core.tiers import load_matrix
from tests.conftest import ROOT, accepts_defined_tags

pytestmark = pytest.mark.integration

STACKS = ["dev", "prod"]
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexample"




@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_has_a_parent_component(planned, stack):
    graph = planned(stack)
    components = {n.urn for n in graph.nodes if not n.custom}
    for node in graph.resources():
        assert node.parent in components, node.urn
        assert node.plane is not None, node.urn


@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_resource_carries_the_defined_tags(planned, stack):
    graph = planned(stack)
    tier = "internal" if stack == "dev" else "confidential"
    expected = {f"genai-{stack}.classification": tier, f"genai-{stack}.environment": stack}
    checked = 0
    for node in graph.resources():
        if not accepts_defined_tags(node.type) or node.type.startswith("oci:Identity/tag"):
            continue  # the tag namespace and tags themselves come before the tags exist
        tags = node.inputs.get("definedTags")
        assert tags, f"{node.urn} has no defined tags"
        assert expected.items() <= tags.items(), node.urn
        assert {f"genai-{stack}.cost-center", f"genai-{stack}.owner"} <= set(tags), node.urn
        checked += 1
    assert checked > 50


def test_dev_and_prod_differ_exactly_where_their_config_says(planned):
    dev, prod = planned("dev"), planned("prod")

    def keys(g):
        return {n.inputs["protectionMode"] for n in g.by_type("oci:Kms/key:Key")}

    assert keys(dev) == {"SOFTWARE"} and keys(prod) == {"HSM"}
    assert dev.by_type("oci:Kms/vault:Vault")[0].inputs["vaultType"] == "DEFAULT"
    assert prod.by_type("oci:Kms/vault:Vault")[0].inputs["vaultType"] == "VIRTUAL_PRIVATE"
    assert all(not k.inputs["isAutoRotationEnabled"] for k in dev.by_type("oci:Kms/key:Key"))
    assert all(k.inputs["autoKeyRotationDetails"]["rotationIntervalInDays"] == 90 for k in prod.by_type("oci:Kms/key:Key"))

    def retention(g):
        return {n.inputs["retentionDuration"] for n in g.by_type("oci:Logging/log:Log") if n.plane == "network"}

    assert retention(dev) == {30} and retention(prod) == {90}

    def placements(g):
        (net,) = [n for n in g.nodes if n.type == "genai:index:NetworkPlane"]
        return [(p["availabilityDomain"], len(p["faultDomains"])) for p in net.outputs["placements"]]

    assert placements(dev) == [("Uocm:EU-FRANKFURT-1-AD-1", 1)]
    assert [fd for _, fd in placements(prod)] == [3, 3, 3] and len({ad for ad, _ in placements(prod)}) == 3
    assert all(n.protect for n in prod.by_type("oci:Identity/compartment:Compartment") + prod.by_type("oci:Kms/vault:Vault"))
    assert not any(n.protect for n in dev.resources())
    # The same shape otherwise: the resource types and counts match (prod has one more subscriber and NSG rule).
    dev_types = {n.type for n in dev.resources()}
    # prod adds its dedicated AI cluster (model.dedicatedCluster) and the private endpoint its tier requires.
    assert {n.type for n in prod.resources()} - dev_types == {
        "oci:GenerativeAi/dedicatedAiCluster:DedicatedAiCluster", "oci:GenerativeAi/endpoint:Endpoint",
        "oci:GenerativeAi/generativeAiPrivateEndpoint:GenerativeAiPrivateEndpoint"}
    assert dev_types <= {n.type for n in prod.resources()}


@pytest.mark.parametrize("stack", STACKS)
def test_event_rules_cover_cis_4x_and_target_the_security_topic(planned, stack):
    graph = planned(stack)
    (topic,) = [t for t in graph.by_type("oci:Ons/notificationTopic:NotificationTopic") if t.plane == "governance"]
    rules = graph.by_type("oci:Events/rule:Rule")
    assert len(rules) == len(EVENT_RULES)
    for rule in rules:
        condition = json.loads(rule.inputs["condition"])
        assert condition["eventType"], rule.name
        actions = rule.inputs["actions"]["action"]
        assert [a["actionType"] for a in actions] == ["ONS"]
        assert topic.urn in rule.propertyDependencies["actions"]
    subs = [s for s in graph.by_type("oci:Ons/subscription:Subscription") if topic.urn in s.propertyDependencies["topicId"]]
    assert subs


@pytest.mark.parametrize("stack", STACKS)
def test_cloud_guard_targets_the_workload_compartment_with_oracle_recipes(planned, stack):
    (target,) = planned(stack).by_type("oci:CloudGuard/target:Target")
    assert target.inputs["targetResourceType"] == "COMPARTMENT"
    assert len(target.inputs["targetDetectorRecipes"]) == 3
    assert len(target.inputs["targetResourceRecipes"] if "targetResourceRecipes" in target.inputs
               else target.inputs["targetResponderRecipes"]) == 1


@pytest.mark.parametrize("stack", STACKS)
def test_vault_protection_meets_the_tier(planned, stack):
    graph = planned(stack)
    tier = load_matrix()["internal" if stack == "dev" else "confidential"]
    order = {"SOFTWARE": 0, "HSM": 1}
    for key in graph.by_type("oci:Kms/key:Key"):
        assert order[key.inputs["protectionMode"]] >= order[tier.vault_protection_mode]
        assert key.inputs["keyShape"] == {"algorithm": "AES", "length": 32}


@pytest.mark.parametrize("stack", STACKS)
def test_bastion_is_private_and_limited(planned, stack):
    (bastion,) = planned(stack).by_type("oci:Bastion/bastion:Bastion")
    assert "0.0.0.0/0" not in bastion.inputs["clientCidrBlockAllowLists"]
    assert bastion.inputs["maxSessionTtlInSeconds"] <= 3600


def test_iam_statements_are_scoped_and_well_formed():
    network = Subject.group("Default/genai-network-admins")
    assert render_statement(network, Grant("manage", "virtual-network-family"), COMPARTMENT) == (
        f"Allow group 'Default'/'genai-network-admins' to manage virtual-network-family in compartment id {COMPARTMENT}")
    wl = render_statement(Subject.any_user(), Grant("use", "generative-ai-family", "request.principal.type='workload'"),
                          COMPARTMENT)
    assert wl.endswith("where request.principal.type='workload'")


def test_workload_where_names_the_whole_identity_then_the_extra_conditions():
    where = Workload("ocid1.cluster.oc1..c", "genai-router", "litellm").where("target.bucket.name='b'")
    assert where == ("all {request.principal.type='workload', request.principal.cluster_id='ocid1.cluster.oc1..c', "
                     "request.principal.namespace='genai-router', request.principal.service_account='litellm', "
                     "target.bucket.name='b'}")


@pytest.mark.parametrize("stack", STACKS)
def test_every_workload_grant_names_cluster_namespace_and_service_account(planned, stack):
    """Every workload-identity statement of the plan comes from ``workload_policy`` (``Workload.where``):
    a grant naming only the namespace and service account would reach a namesake on another cluster."""
    seen = 0
    for policy in planned(stack).by_type("oci:Identity/policy:Policy"):
        for statement in policy.inputs["statements"]:
            if "request.principal.type='workload'" not in statement:
                continue
            seen += 1
            _, _, where = statement.partition(" where ")
            assert where.startswith("all {request.principal.type='workload', request.principal.cluster_id='ocid1.cluster."), \
                policy.urn
            assert "request.principal.namespace='" in where and "request.principal.service_account='" in where, policy.urn
    assert seen


@pytest.mark.parametrize("subject,grant,message", [
    (Subject.group("admins"), Grant("manage", "all-resources"), "'manage all-resources' is never granted"),
    (Subject.group("auditors"), Grant("read", "all-resources"), "'read all-resources' is never granted"),
    (Subject.group("devs"), Grant("use", "all-resources"), "'use all-resources' is never granted"),
    (Subject.any_user(), Grant("read", "objects"), "need a where-condition"),
    (Subject.group("devs"), Grant("administer", "objects"), "verb must be one of"),
    (Subject.group("devs"), Grant("read", "everything"), "not a known OCI resource-type"),
])
def test_iam_builder_refuses_what_a_reviewer_would_reject(subject, grant, message):
    with pytest.raises(ValueError, match=message):
        render_statement(subject, grant, COMPARTMENT)


def test_iam_builder_writes_the_root_compartment_as_tenancy_and_refuses_other_scopes():
    assert render_statement(Subject.group("devs"), Grant("read", "usage-budgets"), "ocid1.tenancy.oc1..aaaa") == (
        "Allow group 'devs' to read usage-budgets in tenancy")
    with pytest.raises(ValueError, match="scoped to a compartment"):
        render_statement(Subject.group("devs"), Grant("read", "objects"), "ocid1.vcn.oc1..aaaa")


def test_key_grants_render_the_table_narrowed_to_the_key() -> None:
    from components.governance import key_grants, render_statement
    from core.tables import key_use

    comp = "ocid1.compartment.oc1..aaaaexample"
    key = "ocid1.key.oc1.eu-frankfurt-1.aaaaexample"
    rendered = [render_statement(s, g, comp) for s, g in key_grants("bucket", key, "eu-frankfurt-1")]
    assert rendered == [f"Allow service objectstorage-eu-frankfurt-1 to use keys in compartment id {comp} "
                        f"where target.key.id='{key}'"]
    adb = [render_statement(s, g, comp) for s, g in key_grants("autonomous-database", key, "r", "ocid1.vault.oc1..v")]
    assert adb[1].endswith("where all {request.principal.type='autonomousdatabase', target.vault.id='ocid1.vault.oc1..v'}")
    assert len(key_grants("oke-node-boot-volumes", key, "")) == len(key_use("oke-node-boot-volumes").grants) == 3
    with pytest.raises(ValueError, match="regional"):
        key_grants("bucket", key, "")


# ---------------------------------------------------------------------------------------------
# Separation of duties: one policy per role group, no administrator of everything
# ---------------------------------------------------------------------------------------------

def _role_policies(graph: Any) -> dict[str, Any]:
    return {n.name.rsplit("-", 2)[-2]: n for n in graph.by_type("oci:Identity/policy:Policy")
            if n.name.endswith("-policy") and n.name.rsplit("-", 2)[-2] in ROLES}


@pytest.mark.parametrize("stack", STACKS)
def test_each_role_group_gets_only_its_roles_grants(planned, stack):
    from blueprint.stackconfig import settings_for

    groups = settings_for(ROOT, stack).governance.role_groups
    policies = _role_policies(planned(stack))
    assert set(policies) == set(ROLES)
    for role, policy in policies.items():
        subject = f"group '{groups[role].split('/')[0]}'/'{groups[role].split('/')[1]}'"
        parent = settings_for(ROOT, stack).governance.parent_compartment_id
        granted = [s.split(" in compartment id ") for s in policy.inputs["statements"]]
        workload = [f"Allow {subject} to {verb} {resource}" for verb, resource, _w, _src in ROLE_GRANTS[role]]
        upstairs = [f"Allow {subject} to {verb} {resource}" for verb, resource, _w, _src in PARENT_GRANTS[role]]
        assert [g[0] for g in granted] == workload + upstairs, role
        # The tag namespace and the policies live in the parent compartment, so those grants point there,
        # narrowed to the stack's own namespace wherever the resource-type has the variable.
        for head, tail in granted[len(workload):]:
            assert tail.startswith(parent), (role, head)
            if head.endswith("tag-namespaces"):
                assert tail.endswith(f"where target.tag-namespace.name='genai-{stack}'"), (role, head)
        assert all(not tail.startswith(parent) for _head, tail in granted[:len(workload)]), role


@pytest.mark.parametrize("stack", STACKS)
def test_budget_readers_policy_lives_in_the_root_compartment(planned, stack):
    from blueprint.stackconfig import settings_for

    governance = settings_for(ROOT, stack).governance
    (policy,) = [p for p in planned(stack).by_type("oci:Identity/policy:Policy") if p.name.endswith("budget-readers-policy")]
    assert policy.inputs["compartmentId"] == governance.tenancy_id
    expected = [f"Allow {Subject.group(governance.role_groups[role]).text} to {verb} {resource} in tenancy"
                for role, rows in TENANCY_GRANTS.items() for verb, resource, _w, _s in rows]
    assert policy.inputs["statements"] == expected


@pytest.mark.parametrize("stack", STACKS)
def test_every_tagged_resource_waits_for_the_clusters_tag_grant(planned, stack):
    """The tag namespace is in the parent compartment; OKE tags what it creates for the cluster with it."""
    graph = planned(stack)
    (tag_use,) = [p for p in graph.by_type("oci:Identity/policy:Policy") if p.name.endswith("tag-use-policy")]
    (statement,) = tag_use.inputs["statements"]
    assert statement.startswith("Allow any-user to use tag-namespaces in compartment id ")
    assert f"target.tag-namespace.name='genai-{stack}'" in statement and "request.principal.type='cluster'" in statement
    for cluster in graph.by_type("oci:ContainerEngine/cluster:Cluster"):
        assert tag_use.urn in cluster.dependencies


@pytest.mark.parametrize("stack", STACKS)
def test_no_statement_in_any_policy_administers_or_reads_everything(planned, stack):
    for policy in planned(stack).by_type("oci:Identity/policy:Policy"):
        for statement in policy.inputs["statements"]:
            for verb in ("manage", "use", "read"):
                assert f" to {verb} all-resources " not in statement, policy.name


def test_role_tables_cite_the_services_own_page_for_every_grant_and_name_known_types():
    for table in (ROLE_GRANTS, PARENT_GRANTS, TENANCY_GRANTS):
        for role, rows in table.items():
            assert role in ROLES and ROLE_PURPOSES[role]
            for verb, resource, _where, source in rows:
                assert source.startswith("https://docs.oracle.com/"), (role, resource)
                # The index of all services is no citation, except for the IAM-wide all-resources.
                assert source != POLICY_REFERENCE or resource == "all-resources", (role, resource)
                render_statement(Subject.group("g"), Grant(verb, resource), COMPARTMENT)  # a known type, allowed form


def test_auditors_never_read_contents():
    """Auditors list and read configuration, never secret bundles, objects or log content."""
    auditor = {(verb, resource) for verb, resource, _w, _s in ROLE_GRANTS["auditor"]}
    for content in ("secret-bundles", "secret-family", "objects", "object-family", "log-content", "logging-family"):
        assert not any(resource == content for _verb, resource in auditor), content


def test_storage_and_key_managers_cannot_delete():
    for role in ROLES:
        for verb, resource, where, _s in ROLE_GRANTS[role]:
            if verb == "manage" and resource in ("object-family", "buckets", "objects", "volume-family",
                                                  "autonomous-database-family", "vaults", "keys"):
                assert where and "DELETE" in where, (role, resource)


def test_no_role_reads_evaluation_samples():
    """Only the online evaluation job reads the sample bucket: every role's object grant excludes it by
    name (rendered for the stack's environment), and no role holds object-family, which could not."""
    for role in ROLES:
        for verb, resource, where, _s in ROLE_GRANTS[role]:
            assert resource != "object-family", role
            if resource == "objects" and verb != "inspect":
                assert where and f"target.bucket.name != '{SAMPLE_BUCKET}'" in where, role
    rendered = role_statements(Subject.group("g"), "database", COMPARTMENT, COMPARTMENT, "genai-prod", "prod")
    objects = [s for s in rendered if " objects " in s]
    assert len(objects) == 1 and "target.bucket.name != 'genai-prod-eval-samples'" in objects[0]
