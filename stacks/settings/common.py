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
