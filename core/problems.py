"""What is wrong with a stack's configuration: the ``Problem`` type and the error that carries them.

A problem names where (a key path such as ``genai-platform:network.vcnCidr``) and what was wrong
and what is allowed, never the value: a config value may be a secret. Settings parsers, the
classification-matrix loader and the CLI all use these.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the stack config: where, and what (never the value)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SettingsError(pulumi.RunError):
    """Raised before any resource is declared; the Pulumi CLI prints it without a traceback."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("invalid stack configuration:\n" + "\n".join(str(p) for p in problems))
