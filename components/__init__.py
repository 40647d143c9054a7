"""One ComponentResource per plane. Components never read config: they take typed Args.

``PLANE_OF`` maps each component type token to the plane it belongs to; the offline engine uses
it to label every graph node with its plane (a node's plane is its top-level component's).
"""

from __future__ import annotations

PLANE_OF: dict[str, str] = {}


def register_plane(type_token: str, plane: str) -> str:
    """Record which plane a component type belongs to; returns the token for use in ``super().__init__``."""
    PLANE_OF[type_token] = plane
    return type_token
