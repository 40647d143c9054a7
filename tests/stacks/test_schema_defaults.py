"""Every default the stack schema documents is the default the plane's parser applies, and no
component writes a default of its own.

Defaults are written once, in ``stacks/settings/<plane>.py`` (or, for the quality gate, in
``evals/thresholds.py``); ``stacks/schema/<plane>.json`` documents them with ``default`` (a
constant) or ``x-default-tier`` (a path into the tier's row of ``policies/classification.yaml``).
For each documented default and each base stack (dev, prod, prod as every tier, and dev with a
public API for public-only keys) where the key may be set, the settings parsed with the key absent
must equal the settings parsed with the key set to the documented value.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from blueprint.stackconfig import load_stack_config, namespace_values, with_overrides
from core.problems import SettingsError
from core.tiers import MATRIX_PATH, TIERS
from stacks.settings import Settings, validate
from tests.components.tiers import REGION, TIER_OVERRIDES
from tests.conftest import ROOT
from tests.edge_helpers import PUBLIC_DEV
from tests.stacks.schema_keys import documented, drop_key, keys, set_key

pytestmark = pytest.mark.unit

#: Keys whose default is computed from other keys, the tier or the repository in a way one constant
#: cannot document; their descriptions say how.
COMPUTED = {
    "data.database.backupRetentionDays", "evaluation.online.model", "evaluation.online.useCases",
    "evaluation.prompts", "governance.vault.rotationDays", "model.catalog", "model.dedicatedClusters",
    "evaluation.embeddingModel",
    "model.privateEndpoint", "network.apiClientCidrs", "operations.logRetentionDays",
    "orchestration.router.maxReplicas",
    # a shape's list price: one home, core/genai_units.py UNIT_SHAPES (tests/core/test_genai_units.py)
    "model.unitPrices.SMALL_COHERE_V2", "model.unitPrices.LARGE_COHERE_V2_2", "model.unitPrices.LARGE_GENERIC",
    "model.unitPrices.EMBED_COHERE",
}
#: Optional keys with no default: absent means "none" (no wallet yet, no signing key, no subscribers...).
NO_DEFAULT = {
    "data.database.adminPassword", "data.database.walletSecretId", "data.database.walletPassword",
    "ingress.certificateId", "ingress.customDomain", "network.subnets.publicIngress",
    "orchestration.imageSigningKeyId",
    *(f"operations.notifications.{topic}.{key}" for topic in ("critical", "warning", "info", "cost")
      for key in ("emails", "pagerDutyUrls", "slackUrls", "httpsUrls")),
}

Default = tuple[str, str, Any]  # (dotted key path, "default" | "x-default-tier", documented value)


def documented_defaults() -> list[Default]:
    return [(path, kind, node[kind]) for path, node in documented()
            for kind in ("default", "x-default-tier") if kind in node]


def _bases() -> dict[str, dict[str, Any]]:
    bases = {stack: namespace_values(load_stack_config(ROOT, stack)) for stack in ("dev", "prod")}
    for tier in TIERS:
        cfg = with_overrides(load_stack_config(ROOT, "prod"), TIER_OVERRIDES[tier], stack=f"prod-{tier}")
        bases[f"prod-{tier}"] = namespace_values(cfg)
    bases["dev-public-api"] = namespace_values(with_overrides(load_stack_config(ROOT, "dev"), PUBLIC_DEV))
    return bases


BASES = _bases()
_MATRIX = yaml.safe_load(MATRIX_PATH.read_text(encoding="utf-8"))["tiers"]


def _parse(raw: dict[str, Any], name: str) -> Settings | None:
    try:
        return validate(raw, region=REGION, project="genai-platform", stack=name)
    except SettingsError:
        return None  # the key is not allowed in this base (e.g. a public-only key in a private stack)


def _tier_value(raw: dict[str, Any], matrix_path: str) -> Any:
    row: Any = _MATRIX[raw["classification"]]
    for key in matrix_path.split("."):
        row = row[key]
    return row


def mismatches(default: Default) -> tuple[list[str], int]:
    """(bases where 'absent' and 'set to the documented value' parse differently, bases compared)."""
    path, kind, value = default
    wrong, compared = [], 0
    for name, base in BASES.items():
        explicit, absent = copy.deepcopy(base), copy.deepcopy(base)
        set_key(explicit, path, _tier_value(base, value) if kind == "x-default-tier" else value)
        drop_key(absent, path)
        a, b = _parse(explicit, name), _parse(absent, name)
        if a is None or b is None:
            continue
        compared += 1
        if a != b:
            wrong.append(name)
    return wrong, compared


DEFAULTS = documented_defaults()


@pytest.mark.parametrize("default", DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_documented_default_is_the_parsers(default: Default) -> None:
    wrong, compared = mismatches(default)
    assert compared > 0, f"{default[0]}: no base stack accepts the documented default"
    assert wrong == [], f"{default[0]}: the parser's default differs from the schema's in {wrong}"


def test_every_mentioned_default_is_documented_or_computed() -> None:
    """A key whose description speaks of a default carries it as ``default``/``x-default-tier``
    (which the test above checks), or is listed in COMPUTED."""
    undocumented = [path for path, node in documented()
                    if "properties" not in node and "default" in node.get("description", "").lower()
                    and "default" not in node and "x-default-tier" not in node and path not in COMPUTED]
    assert undocumented == []


def test_every_optional_key_documents_its_default() -> None:
    """An optional leaf key either documents its default (constant, tier or COMPUTED) or has none."""
    silent = [path for path, node, required in keys()
              if not required and "properties" not in node and "default" not in node
              and "x-default-tier" not in node and path not in COMPUTED | NO_DEFAULT]
    assert silent == []


def test_a_wrong_documented_default_is_caught() -> None:
    assert mismatches(("network.routerPort", "default", 4001))[0] != []
    assert mismatches(("network.flowLogRetentionDays", "x-default-tier", "retention.dataDays"))[0] != []
    assert mismatches(("orchestration.nodePool.size", "default", 4))[0] != []


def test_there_are_defaults_to_check() -> None:
    assert len(DEFAULTS) >= 75


# ---- components never write a default of their own ----------------------------------------------

COMPONENT_FILES = sorted((ROOT / "components").glob("*.py"))


def literal_defaults(source: str) -> list[str]:
    """'line: code' for each ``args.get(key, default)`` (or ``args.get(key) or default``) in a module."""
    found: list[str] = []

    def is_args_get(node: ast.AST) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "args")

    for node in ast.walk(ast.parse(source)):
        if is_args_get(node) and (len(node.args) > 1 or node.keywords):  # type: ignore[attr-defined]
            found.append(f"{node.lineno}: {ast.unparse(node)}")  # type: ignore[attr-defined]
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and any(map(is_args_get, node.values)):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", COMPONENT_FILES, ids=[p.name for p in COMPONENT_FILES])
def test_components_write_no_defaults(path: Path) -> None:
    assert literal_defaults(path.read_text(encoding="utf-8")) == [], \
        "a component default: make the Args field required and default it in stacks/settings/<plane>.py"


def test_the_default_scan_flags_both_forms() -> None:
    source = 'a = args.get("port", 4000)\nb = args.get("x") or "y"\nc = args.get("optional")\nd = args["k"]\n'
    assert literal_defaults(source) == ['1: args.get(\'port\', 4000)', "2: args.get('x') or 'y'"]
