"""Fixtures shared by the hooks' emitter tests (test_telemetry.py, test_samples.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture()
def retried_twice() -> Callable[..., list[float]]:
    """Sends one record through ``t`` while the stub fails the first two ``kind`` ingestion calls (503) and
    returns the waits ``emitter`` made before retrying (backoff 0.5 s, recorded instead of slept)."""
    def run(stub: Any, t: Any, emitter: Any, kind: str, record: Any) -> list[float]:
        waits: list[float] = []
        emitter._sleep = waits.append
        emitter.backoff_s = 0.5
        stub.fail_ingestion(kind, 2, status=503)
        t.request(record)
        assert t.flush()
        return waits

    return run
