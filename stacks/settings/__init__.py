"""Stack settings: raw stack config → validated, frozen settings, one module per plane.

Raw stack config (``Pulumi.<stack>.yaml``, namespace ``genai-platform:``) is validated against
``stacks/stack.schema.json`` (with ``stacks/schema/<plane>.json``) and the classification matrix,
then each plane's module (``stacks/settings/<plane>.py``, beside its schema) turns its slice into
frozen settings before any resource is declared. Components never read config; they receive
these values. ``stacks/settings/reader.py`` is the only reader of Pulumi's config.

Every problem is reported at once, one line each, naming the key path, what was wrong and what is
allowed. No value is ever echoed back: a config value may be a secret. See docs/architecture.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from core.problems import Problem, SettingsError
from core.schema_errors import describe, dotted
from core.tiers import TierPolicy, load_matrix
from stacks.settings import data, evaluation, governance, ingress, model, network, operations, orchestration
from stacks.settings.common import NAMESPACE
from stacks.settings.data import DataSettings
from stacks.settings.evaluation import EvaluationSettings
from stacks.settings.governance import GovernanceSettings
from stacks.settings.ingress import IngressSettings
from stacks.settings.model import ModelSettings
from stacks.settings.network import NetworkSettings
from stacks.settings.operations import OperationsSettings
from stacks.settings.orchestration import OrchestrationSettings
from stacks.settings.reader import read_config
from stacks.settings.schema import is_offline_secret, raw_problems, stack_validator


@dataclass(frozen=True)
class Settings:
    """Everything the program needs, validated and frozen."""

    project: str
    stack: str
    region: str
    tier: TierPolicy
    governance: GovernanceSettings
    network: NetworkSettings
    operations: OperationsSettings
    data: DataSettings
    model: ModelSettings
    ingress: IngressSettings
    orchestration: OrchestrationSettings
    evaluation: EvaluationSettings

    @property
    def environment(self) -> str:
        return self.governance.environment


def load_settings() -> Settings:
    """Read this stack's config through Pulumi and return validated settings (or raise SettingsError)."""
    from pulumi.runtime.config import is_config_secret

    raw, region = read_config()
    # The offline engine marks each secure leaf it replaced by the placeholder as a secret key path;
    # the Pulumi CLI marks only top-level keys and decrypts the values, so no path matches there.
    return validate(raw, region=region, project=pulumi.get_project(), stack=pulumi.get_stack(),
                    offline_secret=lambda path: is_config_secret(f"{NAMESPACE}:{path}"))


def _no_offline_secrets(path: str) -> bool:
    return False


_REGION = re.compile(r"[a-z]{2}-[a-z]+-[0-9]")


def validate(raw: Mapping[str, Any], *, region: str | None, project: str, stack: str,
             offline_secret: Callable[[str], bool] = _no_offline_secrets) -> Settings:
    """Pure: raw config mapping (namespace stripped) → Settings, or SettingsError listing every problem.

    ``offline_secret(path)`` says whether the offline engine put its secret placeholder at a key path
    (``data.database.adminPassword``); only there is the placeholder exempt from content checks.
    """
    problems: list[Problem] = []

    def p(path: str, message: str) -> None:
        problem = Problem(f"{NAMESPACE}:{path}" if path else NAMESPACE, message)
        if problem not in problems:  # e.g. one `required` error per missing key, worded alike
            problems.append(problem)

    if not isinstance(raw, Mapping):
        raise SettingsError([Problem(NAMESPACE, "stack config must be a mapping of keys")])

    flagged: list[tuple[str | int, ...]] = []
    for where, message in raw_problems(raw):
        p(dotted(where), message)
        flagged.append(tuple(where))
    validator = stack_validator()
    errors = sorted(validator.iter_errors(dict(raw)), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for err in errors:
        at = tuple(err.absolute_path)
        if is_offline_secret(err, offline_secret) or any(at[:len(f)] == f for f in flagged):
            continue  # a placeholder the engine put there, or a value already reported above
        p(dotted(err.absolute_path), describe(err))
    if region is None:
        problems.append(Problem("oci:region", "missing; set the stack's region with `pulumi config set oci:region <region>`"))
    elif not isinstance(region, str) or not _REGION.fullmatch(region):
        problems.append(Problem("oci:region", "badly formed; expected an OCI region identifier such as eu-frankfurt-1"))
    if problems:
        raise SettingsError(problems)

    matrix = load_matrix()
    tier = matrix[raw["classification"]]
    assert region is not None
    net_raw: dict[str, Any] = raw["network"]

    # Residency: the region must be on the tier's allow-list.
    if region not in tier.regions:
        allowed = ", ".join(tier.regions)
        problems.append(Problem("oci:region", f"not allowed for the {tier.name} tier; allowed regions: {allowed}"))

    gov = governance.parse(raw["governance"], tier, p)
    net = network.parse(net_raw, tier, p)
    ops = operations.parse(raw["operations"], tier, p)
    dat = data.parse(raw.get("data", {}), tier, p)
    mod = model.parse(raw.get("model", {}), tier, p)
    # A public API the tier forbids is already one problem (network.publicApi): don't add its consequences.
    public_requested = network.public_api_requested(net_raw)
    ing = ingress.parse(raw["ingress"], None if public_requested and not tier.public_api_allowed else public_requested, p)
    orc = orchestration.parse(raw["orchestration"], tier, p)
    # Pins and canaries name catalogue models: checked only once the catalogue itself is valid.
    ev = evaluation.parse(raw.get("evaluation", {}), mod.catalog, tier, p) if mod is not None else None
    if problems:
        raise SettingsError(problems)
    assert gov is not None and net is not None and ops is not None
    assert dat is not None and mod is not None and ing is not None and orc is not None and ev is not None
    return Settings(project=project, stack=stack, region=region, tier=tier, governance=gov, network=net,
                    operations=ops, data=dat, model=mod, ingress=ing, orchestration=orc, evaluation=ev)
