"""APM Synthetics vantage points: which names are Oracle's public ones, which are ours.

Oracle's public vantage points are named ``OraclePublic-<region>`` (the names
``oci apm-synthetics public-vantage-point-collection list-public-vantage-points`` returns); any
other name a monitor uses must be a dedicated or on-premise vantage point registered in the
monitor's APM domain. The only on-premise type OCI's apmsynthetics API defines is
``ON_PREMISE_DOCKER_VANTAGE_POINT`` (CreateOnPremiseVantagePointDetails.Type; terraform-provider-oci
resource ``oci_apm_synthetics_on_premise_vantage_point``:
https://docs.oracle.com/en-us/iaas/tools/terraform-provider-oci/latest/docs/r/apm_synthetics_on_premise_vantage_point.html).
Components and the deployability rules import both from here.
"""

from __future__ import annotations

PUBLIC_VANTAGE_PREFIX = "OraclePublic-"
ON_PREMISE_VANTAGE_POINT = "ON_PREMISE_DOCKER_VANTAGE_POINT"


def is_public_vantage_point(name: str) -> bool:
    """Whether ``name`` is one of Oracle's public vantage points (reached from the internet)."""
    return name.startswith(PUBLIC_VANTAGE_PREFIX)


#: The longest a health probe may wait: a REST call to /health answers in well under this.
PROBE_TIMEOUT_CAP_SECONDS = 30


def max_probe_timeout(interval_seconds: int, failure_retried: bool) -> int:
    """The longest timeout OCI accepts for a monitor repeating every ``interval_seconds``.

    "If isFailureRetried is true, then timeout cannot be more than 30% of repeatIntervalInSeconds
    time for monitors. If isFailureRetried is false, then timeout cannot be more than 50%"
    (terraform-provider-oci ``oci_apm_synthetics_monitor``, ``timeout_in_seconds``:
    https://docs.oracle.com/en-us/iaas/tools/terraform-provider-oci/latest/docs/r/apm_synthetics_monitor.html).
    """
    return interval_seconds * (3 if failure_retried else 5) // 10


def probe_timeout(interval_seconds: int, failure_retried: bool) -> int:
    """The health probe's timeout: the cap, or less where the interval allows less."""
    return min(PROBE_TIMEOUT_CAP_SECONDS, max_probe_timeout(interval_seconds, failure_retried))


#: Where an APM domain takes OTLP traces authenticated with its private data key (header
#: ``Authorization: dataKey <key>``): ``https://<dataUploadEndpoint>/20200101/opentelemetry/private/v1/traces``
#: (https://docs.oracle.com/en-us/iaas/application-performance-monitoring/doc/configure-opentelemetry.html).
#: The router's hooks post there (router/hooks/genai_router_hooks/tracing.py holds the same path; a
#: router test checks they agree).
OTLP_PRIVATE_TRACES_PATH = "/20200101/opentelemetry/private/v1/traces"


def otlp_traces_url(data_upload_endpoint: str) -> str:
    """The OTLP/HTTP traces URL of an APM domain from its data upload endpoint (with or without scheme)."""
    base = data_upload_endpoint.rstrip("/")
    if not base.startswith("https://"):
        base = "https://" + base.removeprefix("http://")
    return base + OTLP_PRIVATE_TRACES_PATH
