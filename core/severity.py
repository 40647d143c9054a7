"""Policy rule severities and enforcement levels (``policies/rules``, ``blueprint check``).

Severities are ordered worst first; reports sort by this order. Enforcement levels are
pulumi-policy's: a ``mandatory`` failure fails the check, an ``advisory`` one is reported only.
"""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
MANDATORY, ADVISORY = "mandatory", "advisory"
ENFORCEMENTS: tuple[str, ...] = (MANDATORY, ADVISORY)
