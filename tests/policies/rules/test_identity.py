"""OCI-IAM-006 (CIS 1.15): a grant narrowed to one permission that is not a delete excludes every delete."""

from __future__ import annotations

import pytest

from policies.rules.identity import check_storage_delete

pytestmark = pytest.mark.policy

_IN = "in compartment id ocid1.compartment.oc1..x"
_WHO = "request.principal.type='workload', request.principal.namespace='genai'"


def _violations(statement: str) -> list[str]:
    return list(check_storage_delete({"statements": [statement]}))


def test_a_create_only_grant_excludes_deletes() -> None:
    assert _violations(f"Allow any-user to manage objects {_IN} where all {{{_WHO}, "
                       "request.permission='OBJECT_CREATE', target.bucket.name='b'}") == []
    assert _violations(f"Allow any-user to manage objects {_IN} where request.permission='OBJECT_CREATE'") == []


@pytest.mark.parametrize("where", [
    "all {request.principal.type='workload', request.permission='OBJECT_DELETE'}",  # the one permission is a delete
    "any {request.permission='OBJECT_CREATE', request.principal.type='workload'}",  # any: the workload gets it all
    "all {request.principal.type='workload', target.bucket.name='b'}",  # nothing narrows the permission
])
def test_grants_that_can_still_delete_fail(where: str) -> None:
    assert len(_violations(f"Allow any-user to manage objects {_IN} where {where}")) == 1
