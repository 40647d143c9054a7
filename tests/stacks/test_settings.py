"""Stack settings: valid stacks parse; each wrong config gets one line naming the key, no value, no traceback."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.problems import SettingsError
from core.tiers import load_matrix
from stacks.settings import validate
from tests.conftest import ROOT, raw_stack_config

pytestmark = pytest.mark.unit


raw_config = raw_stack_config


def problems_of(raw: dict[str, Any], region: str | None = "eu-frankfurt-1") -> list[str]:
    with pytest.raises(SettingsError) as info:
        validate(raw, region=region, project="genai-platform", stack="t")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_are_valid(stack):
    raw, region = raw_config(stack)
    s = validate(raw, region=region, project="genai-platform", stack=stack)
    assert s.environment == stack
    assert s.tier.name == raw["classification"]


def test_defaults_come_from_the_tier():
    raw, region = raw_config("prod")
    del raw["governance"]["vault"]
    del raw["network"]["flowLogRetentionDays"]
    s = validate(raw, region=region, project="p", stack="prod")
    tier = load_matrix()["confidential"]
    assert s.governance.key_protection_mode == tier.vault_protection_mode == "HSM"
    assert s.governance.vault_type == tier.vault_type
    assert s.network.flow_log_retention_days == tier.retention.log_days


def _set(raw: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    *parents, leaf = dotted.split(".")
    node = out
    for part in parents:
        node = node[part]
    if value is _DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return out


_DELETE = object()

# (case, stack, change key, new value, region, expected first line: exact path + a fragment of what is allowed)
WRONG = [
    ("unknown tier", "dev", "classification", "top-secret", None,
     "genai-platform:classification: not an allowed value; allowed: \"public\""),
    ("bad CIDR", "dev", "network.vcnCidr", "10.40.0.0/33", None,
     "genai-platform:network.vcnCidr: not a valid IPv4 CIDR block"),
    ("host bits set", "dev", "network.subnets.data", "10.40.2.7/24", None,
     "genai-platform:network.subnets.data: not a valid IPv4 CIDR block"),
    ("subnet outside the VCN", "dev", "network.subnets.model", "10.41.3.0/24", None,
     "genai-platform:network.subnets.model: outside the VCN"),
    ("overlapping subnets", "dev", "network.subnets.model", "10.40.2.128/25", None,
     "genai-platform:network.subnets.model: overlaps network.subnets.data"),
    ("public VCN range", "dev", "network.vcnCidr", "8.8.0.0/16", None,
     "genai-platform:network.vcnCidr: not a private range"),
    ("wrong type", "dev", "network.publicApi", "yes", None,
     "genai-platform:network.publicApi: wrong type; expected true or false"),
    ("missing key", "dev", "governance.costCenter", _DELETE, None,
     "genai-platform:governance: missing required key 'costCenter'"),
    ("unknown key", "dev", "network.subnet", {"x": "10.0.0.0/24"}, None,
     "genai-platform:network: unknown key 'subnet'; allowed keys:"),
    ("bad email", "dev", "governance.notifications.securityEmails", ["not-an-address"], None,
     "genai-platform:governance.notifications.securityEmails[0]: badly formed; expected an email address"),
    ("region outside the tier's allow-list", "prod", "classification", "confidential", "ap-tokyo-1",
     "oci:region: not allowed for the confidential tier; allowed regions:"),
    ("less than the tier requires (keys)", "prod", "governance.vault.protectionMode", "SOFTWARE", None,
     "genai-platform:governance.vault.protectionMode: less than the confidential tier requires; allowed: HSM"),
    ("less than the tier requires (retention)", "prod", "network.flowLogRetentionDays", 30, None,
     "genai-platform:network.flowLogRetentionDays: shorter than the confidential tier requires; allowed: at least 90"),
    ("public API where the tier forbids it", "prod", "network.publicApi", True, None,
     "genai-platform:network.publicApi: a public API is not allowed for the confidential tier"),
    ("bastion open to the internet", "dev", "governance.bastion.clientCidrs", ["0.0.0.0/0"], None,
     "genai-platform:governance.bastion.clientCidrs[0]: opens the bastion to the whole internet"),
    ("bad OCID", "dev", "governance.parentCompartmentId", "compartment-123", None,
     "genai-platform:governance.parentCompartmentId: badly formed; expected a compartment or tenancy OCID"),
    ("rotation longer than the tier allows", "prod", "governance.vault.rotationDays", 365, None,
     "genai-platform:governance.vault.rotationDays: longer than the confidential tier allows; allowed: at most 180"),
    ("rotation without a private vault", "dev", "governance.vault.rotationDays", 90, None,
     "genai-platform:governance.vault.rotationDays: automatic rotation needs a VIRTUAL_PRIVATE vault"),
    ("out of range", "dev", "network.placement.faultDomains", 4, None,
     "genai-platform:network.placement.faultDomains: out of range; allowed: 1 to 3"),
    ("subnet too small", "dev", "network.subnets.bastion", "10.40.1.16/30", None,
     "genai-platform:network.subnets.bastion: too small"),
]


@pytest.mark.parametrize("case,stack,key,value,region,expected", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_config_gets_one_line_naming_the_key(case, stack, key, value, region, expected):
    raw, default_region = raw_config(stack)
    lines = problems_of(_set(raw, key, value), region or default_region)
    assert lines[0].startswith(expected), lines
    assert len(lines) == 1, lines
    offending = region if region else value  # the value at fault must never be echoed back
    if isinstance(offending, str) and len(offending) > 4:
        assert all(offending not in line for line in lines), "a config value was echoed"


def test_missing_region_is_reported():
    raw, _ = raw_config("dev")
    assert problems_of(raw, None) == [
        "oci:region: missing; set the stack's region with `pulumi config set oci:region <region>`"]


def test_all_problems_are_reported_at_once():
    raw, _ = raw_config("dev")
    raw = _set(raw, "network.vcnCidr", "bad")
    raw = _set(raw, "classification", "nope")
    raw = _set(raw, "governance.owner", "nobody")
    assert len(problems_of(raw)) == 3


def test_blueprint_plan_prints_one_line_per_problem_and_no_traceback(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (project / name).write_text((ROOT / name).read_text())
    doc = (ROOT / "Pulumi.dev.yaml").read_text()
    doc = doc.replace("vcnCidr: 10.40.0.0/16", "vcnCidr: 10.40.0.0/99").replace(
        "classification: internal", "classification: secretive")
    (project / "Pulumi.dev.yaml").write_text(doc)
    env_path = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "blueprint", "--project-dir", str(project), "plan", "dev"],
        capture_output=True, text=True, timeout=120, cwd=env_path,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.startswith("  ")]
    assert lines == [
        'genai-platform:classification: not an allowed value; allowed: "public", "internal", "confidential", "restricted"',
        "genai-platform:network.vcnCidr: not a valid IPv4 CIDR block; expected a.b.c.d/n with no host bits set",
    ]
    assert "secretive" not in proc.stderr and "10.40.0.0/99" not in proc.stderr
    assert not (project / "out" / "dev" / "graph.json").exists()


# -- property-based: no generated config makes settings raise anything but SettingsError ------------

INTERESTING = ["10.0.0.0/16", "10.0.1.0/24", "0.0.0.0/0", "internal", "restricted", "HSM", "a@b.co",
               "ocid1.tenancy.oc1..aaaaaaaaaaaaaaaaaaaaaaaa"]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False, width=32),
                      st.text(max_size=20), st.sampled_from(INTERESTING))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                          max_leaves=12)


@st.composite
def mutated_configs(draw):
    raw, _ = raw_config(draw(st.sampled_from(["dev", "prod"])))
    paths = []

    def walk(node, prefix):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append([*prefix, k])
                walk(v, [*prefix, k])

    walk(raw, [])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        node = raw
        for part in path[:-1]:
            node = node[part] if isinstance(node, dict) and isinstance(node.get(part), dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            if draw(st.booleans()):
                node[path[-1]] = draw(json_value)
            else:
                node.pop(path[-1], None)
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(mutated_configs(), st.dictionaries(st.text(max_size=12), json_value, max_size=5)),
       region=st.one_of(st.none(), st.sampled_from(["eu-frankfurt-1", "ap-tokyo-1", "nowhere"]), st.text(max_size=10)))
def test_generated_configs_never_raise_anything_but_settings_errors(raw, region):
    try:
        validate(raw, region=region, project="p", stack="s")
    except SettingsError as exc:
        assert exc.problems and all(str(p).split(":", 1)[0] for p in exc.problems)


def test_the_classification_matrix_is_schema_checked(tmp_path):
    bad = tmp_path / "classification.yaml"
    bad.write_text(Path(ROOT / "policies/classification.yaml").read_text().replace("promptLogging: full", "promptLogging: all"))
    load_matrix.cache_clear()
    try:
        with pytest.raises(SettingsError) as info:
            load_matrix(bad)
        assert str(info.value.problems[0]).startswith("classification.yaml:tiers.public.promptLogging: not an allowed value")
    finally:
        load_matrix.cache_clear()
