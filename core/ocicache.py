"""OCI Cache (managed Valkey/Redis) facts the network, data plane and router share.

- Clusters are reached over private endpoints only, on port 6379, and take TLS connections only
  ("By default, OCI Cache only supports TLS connections with clusters"):
  https://docs.oracle.com/iaas/Content/ocicache/connecttocluster.htm
- Each cluster has a system-defined user ``default`` without a password; access is decided by the
  cluster's subnet and NSGs: https://docs.oracle.com/en-us/iaas/Content/ocicache/cache-users.htm
- No search module: the engine versions are REDIS_7_0 and VALKEY_7_2 (oci-python-sdk
  ``redis_cluster.py`` software_version; terraform-provider-oci ``redis_redis_cluster_resource.go``)
  and the MODULE command is refused (https://docs.oracle.com/iaas/Content/ocicache/restrictedcommands.htm),
  so RediSearch's FT.* commands, which LiteLLM's semantic cache (``redis-semantic``) needs, are not
  available: semantic caching stays off on OCI Cache.
"""

from __future__ import annotations

PORT = 6379
"""The port of a cluster's private endpoints."""
TLS = True
"""OCI Cache takes TLS connections only."""
SEMANTIC_CACHE_SUPPORTED = False
"""No RediSearch / valkey-search on OCI Cache (see the module docstring)."""
SOFTWARE_VERSION = "VALKEY_7_2"
