"""The router image's base: the LiteLLM proxy image, pinned by digest, in one place.

The Dockerfile receives `image_ref()` as
the `LITELLM_IMAGE` build argument. The version must equal the one in requirements.lock (what
the tests ran); the Dockerfile re-checks it inside the image at build time.

The digest is UNRESOLVED: this workplace cannot reach ghcr.io, and a digest that was not read
from the registry would be a guess. Resolve it on a networked machine with
`crane digest ghcr.io/berriai/litellm:v1.106.0` (or `docker buildx imagetools inspect`) and set
LITELLM_IMAGE_DIGEST; until then `image_ref()` refuses to produce a floating reference.
"""

from __future__ import annotations

import re

LITELLM_VERSION = "1.106.0"
LITELLM_IMAGE_REPO = "ghcr.io/berriai/litellm"
LITELLM_IMAGE_DIGEST: str | None = None
"""`sha256:<64 hex>` of the v1.106.0 image index, once read from the registry."""

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def image_ref() -> str:
    """`ghcr.io/berriai/litellm@sha256:...`; raises while the digest is unresolved."""
    if LITELLM_IMAGE_DIGEST is None or not _DIGEST.match(LITELLM_IMAGE_DIGEST):
        raise ValueError(
            "router/image.py LITELLM_IMAGE_DIGEST: unresolved; read the digest of "
            f"{LITELLM_IMAGE_REPO}:v{LITELLM_VERSION} from the registry and set it"
        )
    return f"{LITELLM_IMAGE_REPO}@{LITELLM_IMAGE_DIGEST}"
