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


#: OCI Logging keeps a log 30 to 180 days, in steps of 30; longer evidence goes to the audit archive.
LOG_RETENTION_STEP, LOG_RETENTION_MAX = 30, 180


def log_retention_for(min_days: int) -> int:
    """The shortest OCI Logging retention that keeps logs at least ``min_days`` (capped at OCI's 180)."""
    capped = min(min_days, LOG_RETENTION_MAX)
    return max(LOG_RETENTION_STEP, -(-capped // LOG_RETENTION_STEP) * LOG_RETENTION_STEP)
