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


def test_object_storage_lists_pages_and_reads_what_put_stored(tmp_path) -> None:
    """ListObjects as OCI pages it (names in order, ``start`` inclusive, ``limit``, ``nextStartWith``), through
    the real SDK, signed and verified; GetObject returns the stored bytes; an unknown object is a 404."""
    import oci
    import pytest

    from router.testing.proxy import api_key_signer, signed_stub

    with signed_stub(tmp_path) as (stub, key_file, _):
        signer, config = api_key_signer(key_file)
        client = oci.object_storage.ObjectStorageClient(config, signer=signer, service_endpoint=stub.url)
        for name in ("samples/20270115T0800Z-a.jsonl", "samples/20270115T0900Z-a.jsonl",
                     "samples/20270115T0901Z-b.jsonl", "other/x"):
            client.put_object("ns", "b", name, name.encode())
        first = client.list_objects("ns", "b", prefix="samples/", start="samples/20270115T0830Z", limit=1).data
        assert [o.name for o in first.objects] == ["samples/20270115T0900Z-a.jsonl"]
        assert first.next_start_with == "samples/20270115T0901Z-b.jsonl"
        second = client.list_objects("ns", "b", prefix="samples/", start=first.next_start_with, limit=1).data
        assert [o.name for o in second.objects] == ["samples/20270115T0901Z-b.jsonl"] and second.next_start_with is None
        assert client.get_object("ns", "b", "other/x").data.content == b"other/x"
        with pytest.raises(oci.exceptions.ServiceError) as missing:
            client.get_object("ns", "b", "samples/none")
        assert missing.value.status == 404
