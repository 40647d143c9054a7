"""Settings against hostile and careless values: every problem one line naming the key, escaped, never the value."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from core.markers import SECRET_MARKER
from core.problems import SettingsError
from stacks.settings import validate
from tests.conftest import ROOT, raw_stack_config

pytestmark = pytest.mark.unit


def problems_of(raw: dict[str, Any], **kw: Any) -> list[str]:
    region = kw.pop("region", "eu-frankfurt-1")
    with pytest.raises(SettingsError) as info:
        validate(raw, region=region, project="genai-platform", stack="t", **kw)
    return [str(p) for p in info.value.problems]


def changed(stack: str, path: str, value: Any) -> dict[str, Any]:
    raw, _ = raw_stack_config(stack)
    raw = copy.deepcopy(raw)
    *parents, leaf = path.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    if leaf.isdigit():
        node[int(leaf)] = value
    else:
        node[leaf] = value
    return raw


def problems_at(path: str, value: Any, stack: str = "dev") -> tuple[str, list[str]]:
    """The key ``path`` names as problems print it (list indexes as ``[n]``), and the problems of ``stack``
    with ``value`` at ``path``."""
    key = "genai-platform:" + re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)
    return key, problems_of(changed(stack, path, value))


# -- trailing newlines: `$` must not match before a final newline --------------------------------------

@pytest.mark.parametrize("path,value", [
    ("governance.owner", "team@example.com\n"),
    ("governance.notifications.securityEmails.0", "sec@example.com\n"),
    ("governance.tenancyId", "ocid1.tenancy.oc1..aaaaaaaaexampletenancy0000000000000000000000000000000000\n"),
    ("operations.apm.healthUrl", "https://genai-dev.internal.example.com/health\n"),
    ("governance.costCenter", "CC-AI-DEV\n"),
])
def test_a_trailing_newline_does_not_slip_past_a_pattern(path, value):
    key, lines = problems_at(path, value)
    assert any(line.startswith(key + ":") for line in lines), lines
    assert all("example" not in line.split(":", 2)[-1] for line in lines)


# -- control characters and terminal escapes ---------------------------------------------------------------

@pytest.mark.parametrize("path,value", [
    ("governance.owner", "team\x1b[31m@example.com"),
    ("governance.notifications.securityEmails.0", "sec@exa\x07mple.com"),
    ("operations.notifications.critical.emails.0", "oncall\u202e@example.com"),
    ("ingress.jwt.jwksUri", "https://idcs.example.com/\x1b]0;pwned\x07"),
    ("operations.runbookBaseUrl", "https://runbooks.example.com/\x9b2J/"),
])
def test_control_characters_are_rejected_in_emails_owners_and_urls(path, value):
    key, lines = problems_at(path, value)
    assert f"{key}: contains a control character or terminal escape; allowed: printable text" in lines
    assert all(c.isprintable() for line in lines for c in line)


def test_control_characters_in_key_names_are_escaped_never_echoed_raw():
    raw = changed("dev", "network.\x1b[2J\x1b[31mevil\u202e", 1)
    lines = problems_of(raw)
    assert all(c.isprintable() for line in lines for c in line), lines
    assert any("\\x1b[2J\\x1b[31mevil\\u202e" in line for line in lines), lines


# -- numbers ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_are_rejected_as_prices_and_anywhere(value):
    raw = changed("dev", "model.catalog", [{"name": "m", "modelId": "cohere.command-r-08-2024", "serving": "on-demand",
                                            "price": value, "pricingUnit": "characters", "costTier": "standard"}])
    assert "genai-platform:model.catalog[0].price: not a finite number; allowed: a finite number" in problems_of(raw)
    assert "genai-platform:operations.budget.amount: not a finite number; allowed: a finite number" in \
        problems_of(changed("dev", "operations.budget.amount", value))


@pytest.mark.parametrize("value,error", [
    (0, "out of range; allowed: more than 0 and at most 1000"), (-3.5, "out of range; allowed: more than 0"),
    (1000.5, "out of range; allowed: more than 0 and at most 1000"), ("cheap", "wrong type; expected a number"),
    (float("nan"), "not a finite number"), (True, "wrong type; expected a number"),
])
def test_a_negotiated_unit_price_is_refused_at_its_key_never_echoed(value, error):
    lines = problems_of(changed("prod", "model.unitPrices", {"LARGE_COHERE_V2_2": value}))
    assert len(lines) == 1, lines
    assert lines[0].startswith("genai-platform:model.unitPrices.LARGE_COHERE_V2_2: "), lines
    assert error in lines[0] and "cheap" not in lines[0] and "1000.5" not in lines[0] and "3.5" not in lines[0]


def test_a_negotiated_price_for_an_unknown_unit_shape_is_refused_by_name():
    lines = problems_of(changed("prod", "model.unitPrices", {"HUGE_SHAPE": 9.5}))
    assert lines == ["genai-platform:model.unitPrices: unknown key 'HUGE_SHAPE'; allowed keys: EMBED_COHERE, "
                     "LARGE_COHERE_V2_2, LARGE_GENERIC, SMALL_COHERE_V2"]


@pytest.mark.parametrize("value", [2**53 + 1, 10**400])
def test_integers_too_large_for_a_float_are_rejected(value):
    raw = changed("dev", "model.catalog", [{"name": "m", "modelId": "cohere.command-r-08-2024", "serving": "on-demand",
                                            "price": value, "pricingUnit": "characters", "costTier": "standard"}])
    assert any(line.startswith("genai-platform:model.catalog[0].price: too large") for line in problems_of(raw))


@pytest.mark.parametrize("path", ["orchestration.router.replicas", "orchestration.nodePool.size",
                                  "network.placement.faultDomains", "data.database.ecpuCount"])
def test_floats_are_rejected_where_counts_are_expected(path):
    key, lines = problems_at(path, 2.0)
    assert f"{key}: wrong type; expected a whole number" in lines


def test_deeply_nested_values_are_one_problem_not_a_recursion_error():
    deep: Any = 1
    for _ in range(5000):
        deep = [deep]
    lines = problems_of(changed("dev", "network.extra", deep))
    assert any(line.startswith("genai-platform:network.extra") and "nested deeper than" in line for line in lines)


# -- the offline secret placeholder ------------------------------------------------------------------------------

def test_the_placeholder_text_is_not_accepted_as_a_webhook_url():
    raw = changed("prod", "operations.notifications.warning.slackUrls", [str(SECRET_MARKER)])
    assert "genai-platform:operations.notifications.warning.slackUrls[0]: badly formed; expected an https:// URL" \
        in problems_of(raw, region="eu-frankfurt-1")


def test_the_placeholder_is_accepted_only_where_the_engine_put_it():
    raw, region = raw_stack_config("prod")  # the engine's placeholder objects at the two secure URLs
    validate(raw, region=region, project="p", stack="prod")
    as_text = json.loads(json.dumps(raw))  # the same placeholder as plain text (what a file could hold)
    lines = problems_of(as_text, region=region)
    assert lines == ["genai-platform:operations.notifications.critical.pagerDutyUrls[0]: badly formed; "
                     "expected an https:// URL",
                     "genai-platform:operations.notifications.warning.slackUrls[0]: badly formed; "
                     "expected an https:// URL"]
    secret = {"operations.notifications.critical.pagerDutyUrls[0]", "operations.notifications.warning.slackUrls[0]"}
    validate(as_text, region=region, project="p", stack="prod", offline_secret=secret.__contains__)  # engine's key paths


def test_a_valid_secure_database_password_is_accepted_offline(tmp_path):
    from blueprint.stackconfig import settings_for

    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    text = (tmp_path / "Pulumi.prod.yaml").read_text()
    anchor = "  genai-platform:data:\n    database:\n"
    assert anchor in text
    (tmp_path / "Pulumi.prod.yaml").write_text(text.replace(
        anchor, anchor + "      adminPassword:\n        secure: v1:exampleNonce0002:exampleAdminPasswordCiphertext000000\n", 1))
    settings = settings_for(tmp_path, "prod")
    assert settings.data.database.admin_password is not None  # the placeholder's length is not the password's


# -- one line per problem ------------------------------------------------------------------------------------------

def test_a_mapping_missing_several_keys_is_one_line():
    raw = changed("dev", "governance", {"environment": "dev"})
    lines = problems_of(raw)
    assert len(lines) == len(set(lines)), lines
    missing = [line for line in lines if line.startswith("genai-platform:governance: missing required key")]
    assert len(missing) == 1 and "'tenancyId'" in missing[0] and "'owner'" in missing[0]


# -- the classification matrix goes through the same reader -------------------------------------------------------

@pytest.mark.parametrize("doc,expected", [
    ("tiers:\n  public: {}\n  public: {}\n", ":3:tiers.public: cannot read the classification matrix (duplicate key"),
    ("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", "refusing a YAML bomb"),
    ("tiers: " + "[" * 10_000 + "\n", "nested deeper than"),
])
def test_a_hostile_classification_matrix_is_one_problem(tmp_path, doc, expected):
    from core.tiers import load_matrix

    path = tmp_path / "classification.yaml"
    path.write_text(doc)
    with pytest.raises(SettingsError) as info:
        load_matrix(path)
    (problem,) = info.value.problems
    assert str(problem).startswith("classification.yaml") and expected in str(problem)
