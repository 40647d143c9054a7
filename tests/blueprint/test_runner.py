"""The `check --all` runner: workers forked from the warm process that checked the first stack give
the same graphs and findings as one process does, and leave that process able to plan again."""

from __future__ import annotations

import shutil
import threading
from datetime import date

import pytest

from blueprint import engine
from blueprint.runner import run_stacks
from blueprint.stackconfig import list_stacks
from tests.conftest import ROOT
from tests.generated_stacks import generated_project

pytestmark = pytest.mark.integration


def _sdk_threads() -> list[str]:
    # The executor threads asyncio starts for the SDK's monitor calls are named asyncio_<n>.
    return [t.name for t in threading.enumerate() if t.name.startswith("asyncio_")]


def test_forked_workers_match_one_process():
    project = generated_project(3)
    try:
        stacks = list_stacks(project)
        alone = run_stacks(stacks, project, project / "alone", [], date.today(), workers=1)
        pooled = run_stacks(stacks, project, project / "pooled", [], date.today(), workers=2)
        assert [r.stack for r in pooled] == stacks
        for a, p in zip(alone, pooled, strict=True):
            assert a.findings == p.findings and a.resources == p.resources
            assert (project / "alone" / a.stack / "graph.json").read_bytes() == \
                   (project / "pooled" / p.stack / "graph.json").read_bytes()
    finally:
        shutil.rmtree(project, ignore_errors=True)
    # The pool renewed this process's event loop before forking; planning here still works.
    assert engine.plan("dev", ROOT).graph.nodes


def test_a_plan_starts_no_threads():
    before = set(threading.enumerate())
    engine.plan("dev", ROOT)
    assert set(threading.enumerate()) <= before  # monitor calls run inline (engine._inline_run_in_executor)


def test_renewing_the_event_loop_joins_the_sdk_threads():
    engine.plan("dev", ROOT, fast=False)
    assert _sdk_threads()  # the SDK's own path runs its monitor calls on executor threads
    engine.renew_event_loop()
    assert _sdk_threads() == []
    assert engine.plan("dev", ROOT).graph.nodes
