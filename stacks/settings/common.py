"""What every plane's settings module shares: the config namespace, secrets, and the problem reporter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: The stack config namespace (``genai-platform:`` in ``Pulumi.<stack>.yaml``; the project name in Pulumi.yaml).
NAMESPACE = "genai-platform"

#: ``report(path, message)``: a plane parser's way to record a problem at a key path below the namespace.
Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Secret:
    """A config value that must never be printed; components wrap it with ``pulumi.Output.secret``."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"


def tier_minimum(p: Report, path: str, value: float, minimum: float, tier: str, *,
                 shortfall: str = "shorter", allowed: str | None = None) -> bool:
    """Check a value against the tier's minimum: True when it is met, else report ``path`` once
    ("<shortfall> than the <tier> tier requires; allowed: at least <minimum>", or ``allowed``) and
    return False. The one wording of every tier minimum in the settings."""
    if value >= minimum:
        return True
    p(path, f"{shortfall} than the {tier} tier requires; allowed: {allowed or f'at least {minimum}'}")
    return False


def tier_maximum(p: Report, path: str, value: float, maximum: float, tier: str) -> bool:
    """Check a value against the tier's maximum: True when it is within it, else report ``path`` once
    ("more than the <tier> tier allows; allowed: at most <maximum>"). The one wording of every tier maximum."""
    if value <= maximum:
        return True
    p(path, f"more than the {tier} tier allows; allowed: at most {maximum:g}")
    return False


#: OCI Logging keeps a log 30 to 180 days, in steps of 30; longer evidence goes to the audit archive.
LOG_RETENTION_STEP, LOG_RETENTION_MAX = 30, 180


def log_retention_for(min_days: int) -> int:
    """The shortest OCI Logging retention that keeps logs at least ``min_days`` (capped at OCI's 180)."""
    capped = min(min_days, LOG_RETENTION_MAX)
    return max(LOG_RETENTION_STEP, -(-capped // LOG_RETENTION_STEP) * LOG_RETENTION_STEP)
