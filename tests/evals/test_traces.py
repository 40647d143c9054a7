"""evals.traces units: the search query, reading Logging's envelope, what each prompt-logging level
lets the job score (and the counted reasons it skips the rest), sampling, and the posted points.

The whole path (router → PutLogs → SearchLogs → scores → PostMetricData) through the real proxy and
the OCI stub: tests/router/test_online_eval.py.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

from evals import contract, corpus, online, traces

DOCS = (corpus.Document("slo-targets", "The availability target is 99.9 percent of requests answered."),)
QUESTION = "What is the availability target?"


def _entry(level: str = "full", **kw: Any) -> dict[str, Any]:
    """A router request log entry as request_log.entry writes it at ``level``."""
    e: dict[str, Any] = {"time": 1.0, "request_id": "r", "trace_id": "t", "tier": "internal", "tenant": "team-a",
                         "model": "chat", "status": 200, "outcome": "ok", "prompt_injection": False,
                         "harmful_output": False, "sensitive_data": False}
    if level in ("metadata", "full"):
        e |= {"deployment": "d", "version": "v1", "release": "stable", "prompt_version": "rag-assistant@1.0.0"}
    if level == "full":
        e |= {"messages": [{"role": "system", "content": "Answer from the documents."},
                           {"role": "user", "content": f"{corpus.render_context(DOCS)}\n\n{QUESTION}"}],
              "response": "The availability target is 99.9 percent of requests answered. [slo-targets]"}
    return e | kw


def test_query_names_the_router_log_and_its_entry_type() -> None:
    q = traces.query("ocid1.compartment.oc1..c", "ocid1.loggroup.oc1..g", "ocid1.log.oc1..l")
    assert q == ("search \"ocid1.compartment.oc1..c/ocid1.loggroup.oc1..g/ocid1.log.oc1..l\" "
                 "| where type = 'genai.router.request' | sort by datetime desc")
    for bad in ('x"y', "x/y", "x|y", "x'y", "", "x\ny"):
        with pytest.raises(ValueError, match="the log id has characters"):
            traces.query("c", "g", bad)


def test_entry_is_read_from_the_envelope_as_the_object_logging_search_returns() -> None:
    e = _entry()
    assert traces.entry_of({"datetime": 1, "logContent": {"data": e, "type": traces.ROUTER_LOG_TYPE}}) == e
    # Logging Search never returns logContent.data as a string (plain text comes back as {"message": ...}):
    # a string is not a router entry, whatever it holds.
    assert traces.entry_of({"logContent": {"data": json.dumps(e)}}) is None
    assert traces.entry_of({"logContent": {"data": "not json"}}) is None
    assert traces.entry_of({"no": "envelope"}) is None


def test_full_entries_are_scored_for_groundedness_relevance_and_verdicts() -> None:
    skipped: Counter[str] = Counter()
    t = traces.trace_of(_entry(), ["rag-assistant"], skipped)
    assert t is not None and t.question == QUESTION and t.documents == {d.id: d.text for d in DOCS}
    assert not skipped
    (s,) = traces.score([t], None, None)
    assert s.groundedness == 1.0 and s.flagged_rate == 0.0 and s.relevance is None  # no embedding model
    fabricated = traces.trace_of(_entry(response="Targets are secret. [made-up-doc]"), ["rag-assistant"], skipped)
    assert fabricated is not None and traces.score([fabricated], None, None)[0].groundedness == 0.0


def test_each_level_scores_what_it_logs_and_counts_the_rest() -> None:
    skipped: Counter[str] = Counter()
    meta = traces.trace_of(_entry("metadata", harmful_output=True), ["rag-assistant"], skipped)
    assert meta is not None and meta.question is None and meta.flagged  # verdicts only: no prompt text
    assert traces.trace_of(_entry("audit-only"), ["rag-assistant"], skipped) is None  # no prompt version at all
    assert traces.trace_of(_entry(tenant=traces.EVAL_TENANT), ["rag-assistant"], skipped) is None
    assert traces.trace_of(_entry(prompt_version="ops-agent@1.0.0"), ["rag-assistant"], skipped) is None
    assert traces.trace_of(_entry(prompt_version=""), ["rag-assistant"], skipped) is None
    refused = traces.trace_of(_entry(status=400, prompt_injection=True), ["rag-assistant"], skipped)
    assert refused is not None and refused.answer is None and refused.flagged
    bare = traces.trace_of(_entry(messages=[{"role": "user", "content": QUESTION}]), ["rag-assistant"], skipped)
    assert bare is not None and bare.question == QUESTION and not bare.documents
    assert skipped == {"no_prompt_text": 1, "no_use_case": 2, "own_request": 1, "other_use_case": 1,
                       "not_answered": 1, "no_documents": 1}
    (score,) = traces.score([bare], None, None)
    assert score.groundedness is None  # nothing to check the citations against


def test_sample_draws_per_use_case_and_summarises() -> None:
    entries = [_entry(request_id=str(i)) for i in range(30)] + [_entry("metadata")] * 5 + [_entry("audit-only")] * 4
    s = traces.sample(entries, ["rag-assistant"], 10, random.Random(3))
    assert len(s.traces) == 10 and s.read == 39
    assert s.skipped == {"no_prompt_text": 5, "no_use_case": 4}
    line = traces.summary(s)
    assert line.startswith("traffic: 39 log entries read, 10 sampled (")
    assert "no_use_case 4" in line


def test_traffic_points_are_means_per_prompt_version_with_source_traffic() -> None:
    scores = [traces.Score("rag-assistant", "rag-assistant@1.0.0", 0.0, 1.0, 0.8),
              traces.Score("rag-assistant", "rag-assistant@1.0.0", 1.0, None, None),
              traces.Score("rag-assistant", "rag-assistant@1.1.0", 0.0, 0.5, None)]
    pts = {(p.metric, p.prompt_version): (p.value, p.count, p.source) for p in online.traffic_points(scores)}
    assert pts == {("groundedness", "rag-assistant@1.0.0"): (1.0, 1, "traffic"),
                   ("relevance", "rag-assistant@1.0.0"): (0.8, 1, "traffic"),
                   ("flagged_rate", "rag-assistant@1.0.0"): (0.5, 2, "traffic"),
                   ("groundedness", "rag-assistant@1.1.0"): (0.5, 1, "traffic"),
                   ("flagged_rate", "rag-assistant@1.1.0"): (0.0, 1, "traffic")}
    assert {m for m, _ in pts} <= set(contract.TRAFFIC_METRICS)


def _sample(**kw: Any) -> dict[str, Any]:
    """An evaluation sample as genai_router_hooks.samples.record writes it."""
    s: dict[str, Any] = {
        "time": 1.0, "request_id": "r", "use_case": "rag-assistant", "prompt_version": "rag-assistant@1.0.0",
        "model": "chat", "version": "v1", "release": "stable", "question": QUESTION,
        "documents": [{"id": d.id, "text": d.text} for d in DOCS],
        "answer": "The availability target is 99.9 percent of requests answered. [slo-targets]",
        "guardrails": {"prompt_injection": False, "harmful_output": False, "sensitive_data": False}}
    return s | kw


def test_a_sample_is_scored_like_a_full_log_entry() -> None:
    skipped: Counter[str] = Counter()
    from_sample = traces.trace_of_sample(_sample(), ["rag-assistant"], skipped)
    from_log = traces.trace_of(_entry(), ["rag-assistant"], skipped)
    assert from_sample == from_log and skipped == {}  # the same question, documents, answer and verdicts
    (s,) = traces.score([from_sample], None, None)
    assert s.groundedness == 1.0 and s.flagged_rate == 0.0
    harmful = traces.trace_of_sample(_sample(guardrails={"harmful_output": True}), ["rag-assistant"], skipped)
    assert harmful is not None and harmful.flagged
    assert traces.trace_of_sample(_sample(prompt_version="ops-agent@1.0.0"), ["rag-assistant"], skipped) is None
    assert traces.trace_of_sample(_sample(prompt_version=None), ["rag-assistant"], skipped) is None
    bare = traces.trace_of_sample(_sample(documents=[]), ["rag-assistant"], skipped)
    assert bare is not None and traces.score([bare], None, None)[0].groundedness is None
    assert skipped == {"other_use_case": 1, "no_use_case": 1, "no_documents": 1}


def test_samples_are_drawn_per_use_case_and_summarised_as_samples() -> None:
    s = traces.sample([_sample(request_id=str(i)) for i in range(25)], ["rag-assistant"], 10, random.Random(3),
                      samples=True)
    assert len(s.traces) == 10 and s.read == 25 and s.skipped == {}
    assert traces.summary(s, "samples").startswith("traffic: 25 samples read, 10 sampled (10 with prompt text)")
