"""The loopback OCI stub returns what OCI returns (here: Logging Search's ``logContent.data``)."""

from __future__ import annotations

import json

from evals import traces
from router.testing import oci_stub


def test_searched_log_data_is_an_object_as_logging_search_returns_it() -> None:
    entry = {"use_case": "rag-assistant", "prompt_version": "v1"}
    assert oci_stub._searched_data(json.dumps(entry)) == entry
    # Plain text comes back wrapped in an object (micronaut-oracle-cloud's live OciLoggingSpec), never a string.
    assert oci_stub._searched_data("Start logging") == {"message": "Start logging"}
    assert oci_stub._searched_data("[1, 2]") == {"message": "[1, 2]"}
    assert traces.entry_of({"logContent": {"data": oci_stub._searched_data(json.dumps(entry))}}) == entry
