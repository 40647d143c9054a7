"""The graph's value markers (``out/<stack>/graph.json``, see ``docs/architecture.md``).

A secret value never reaches the graph: the offline engine writes ``SECRET_MARKER`` in its place,
and also hands the program ``SECRET_MARKER`` for a ``secure:`` config value it cannot decrypt.
A value unknown at plan time (a preview) is written as ``UNKNOWN_MARKER``; the policy engine turns
it back into a real unknown so rules report it as indeterminate.
"""

from __future__ import annotations

SECRET_MARKER = "[secret]"
UNKNOWN_MARKER = "[unknown]"
