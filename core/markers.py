"""The graph's value markers (``out/<stack>/graph.json``, see ``docs/architecture.md``).

A secret value never reaches the graph: the offline engine writes ``SECRET_MARKER`` in its place,
and also hands the program ``SECRET_MARKER`` for a ``secure:`` config value it cannot decrypt.
A value unknown at plan time (a preview) is written as ``UNKNOWN_MARKER``; the policy engine turns
it back into a real unknown so rules report it as indeterminate.
"""

from __future__ import annotations

SECRET_MARKER = "[secret]"
UNKNOWN_MARKER = "[unknown]"


class OfflineSecret(str):
    """SECRET_MARKER as the offline engine's own object for a ``secure:`` leaf it replaced.

    Text written in a stack file is a plain ``str``, never this type: settings exempt the
    placeholder from content checks only when it is this object (or sits at a key path the engine
    marked secret, when the config travelled through Pulumi's runtime as JSON).
    """

    __slots__ = ()
