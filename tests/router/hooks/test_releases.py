"""releases.tenant_of: only the online evaluation job's own requests carry its reserved tenant."""

from __future__ import annotations

import pytest
from genai_router_hooks import releases

pytestmark = pytest.mark.unit

EVAL = releases.EVAL_TENANT


@pytest.mark.parametrize(("headers", "tenant"), [
    ({releases.TENANT_HEADER: EVAL}, EVAL),  # the job, in-cluster: no subject header
    # Through the gateway, a token whose subject is literally the reserved name: that caller's, renamed.
    ({releases.TENANT_HEADER: EVAL, releases.SUBJECT_HEADER: EVAL}, releases.GATEWAY_PREFIX + EVAL),
    ({releases.TENANT_HEADER: "team-a", releases.SUBJECT_HEADER: "team-a"}, "team-a"),
    ({releases.TENANT_HEADER: "team-a"}, "team-a"),
    ({}, "default"),
    ({releases.TENANT_HEADER: ""}, "default"),
])
def test_only_a_request_without_the_gateways_subject_header_is_the_jobs_own(headers, tenant):
    assert releases.tenant_of(headers) == tenant


def test_the_configured_tenant_header_is_read():
    headers = {"x-team": EVAL, releases.SUBJECT_HEADER: "anonymous"}
    assert releases.tenant_of(headers, "x-team") == releases.GATEWAY_PREFIX + EVAL
