"""OCI request signing from OKE workload identity.

LiteLLM's `oci/` provider signs with static API-key credentials unless an `oci_signer`
object is passed per call. In OKE the pod has no key: the signer comes from workload
identity (a resource-principal token exchanged for the service account; enhanced clusters
only) and refreshes itself. Tests inject an API-key signer built from a throwaway RSA key.

Selected by `GENAI_ROUTER_SIGNER`:
- `workload-identity` (default, in-cluster);
- `api-key` (tests/dev): `oci.signer.Signer` from GENAI_ROUTER_KEY_TENANCY, _USER, _FINGERPRINT
  and _FILE (a path; the key itself never enters config or logs). Deliberately not LiteLLM's
  own OCI_* variables: with those LiteLLM would sign by itself and hide a broken hook.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_signer: Any = None
_factory: Callable[[], Any] | None = None


def set_signer_factory(factory: Callable[[], Any] | None) -> None:
    """Inject a signer factory (tests); resets the cached signer."""
    global _factory, _signer
    with _lock:
        _factory = factory
        _signer = None


def _default_factory() -> Any:
    mode = os.environ.get("GENAI_ROUTER_SIGNER", "workload-identity")
    if mode == "api-key":
        import oci

        return oci.signer.Signer(
            tenancy=os.environ["GENAI_ROUTER_KEY_TENANCY"],
            user=os.environ["GENAI_ROUTER_KEY_USER"],
            fingerprint=os.environ["GENAI_ROUTER_KEY_FINGERPRINT"],
            private_key_file_location=os.environ["GENAI_ROUTER_KEY_FILE"],
        )
    if mode == "workload-identity":
        import oci

        # Reads the projected service-account token and the cluster's proxymux endpoint
        # (KUBERNETES_SERVICE_HOST); only works inside an enhanced OKE cluster.
        return oci.auth.signers.get_oke_workload_identity_resource_principal_signer()
    raise ValueError("GENAI_ROUTER_SIGNER: must be workload-identity or api-key")


def client_config(region: str) -> dict[str, str]:
    """The config dict for an OCI SDK client used with ``get_signer()``.

    The SDK validates its config unless the signer is self-sufficient (workload identity is);
    an API-key signer needs the same identity in the config, read from the same variables.
    """
    if os.environ.get("GENAI_ROUTER_SIGNER", "workload-identity") == "api-key":
        return {
            "region": region,
            "tenancy": os.environ["GENAI_ROUTER_KEY_TENANCY"],
            "user": os.environ["GENAI_ROUTER_KEY_USER"],
            "fingerprint": os.environ["GENAI_ROUTER_KEY_FINGERPRINT"],
            "key_file": os.environ["GENAI_ROUTER_KEY_FILE"],
        }
    return {"region": region}


def get_signer() -> Any:
    """The process-wide signer (built once; OCI SDK signers refresh their own tokens)."""
    global _signer
    with _lock:
        if _signer is None:
            _signer = (_factory or _default_factory)()
        return _signer
