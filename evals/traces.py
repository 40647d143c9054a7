"""Online evaluation of recent production traffic: read back from where the tier keeps it, and scored.

Where that is is the classification matrix's decision (``trafficSample.store``):
- ``request-log`` (public: prompts logged in full): the router writes one entry per request to its
  custom log (``genai_router_hooks.request_log``, PutLogs) and each run reads the last
  ``WINDOW_MINUTES`` of it with the Logging Search API (``search``);
- ``sample-bucket`` (internal, confidential): the router copies a sampled share of answered requests
  to the evaluation-sample bucket (``genai_router_hooks.samples``, PutObject, one JSONL object per
  minute) and each run lists the last ``WINDOW_MINUTES`` of objects (ListObjects, from the name of
  that minute on) and reads them (GetObject) (``read_samples``);
- ``none`` (restricted): nothing is read.
Either way a random sample per use case is scored with what needs no reference answer:

| metric | from | levels |
|---|---|---|
| groundedness | the answer's citations against the documents the prompt carried (``evals.metrics``) | full, samples |
| relevance | cosine of the embeddings of question and answer (through the router, the stack's embedding model) | full, samples |
| flagged_rate | the router's guardrail verdicts (prompt injection, harmful output, personal data) | full, metadata, samples |

A sample never holds a request a guardrail flagged for prompt injection or personal data (the router
withholds and counts those), so from samples ``flagged_rate`` measures harmful content let through
under INFORM only; the router's ``eval_samples_withheld`` metric counts the rest.

Skipped, and counted in the run's output (``Sample.skipped``):
- ``own_request``: the job's own golden-set requests (it calls the router as tenant ``EVAL_TENANT``);
- ``no_use_case``: no ``prompt_version`` (a request without ``metadata.use_case``, or an
  ``audit-only`` entry, which carries no prompt version at all);
- ``other_use_case``: a use case the job is not configured for;
- ``no_prompt_text``: a ``metadata`` entry: the level writes no prompt or response text, so only
  the guardrail verdicts are scored (at ``audit-only`` nothing is scored);
- ``not_answered``: no 200 answer (only its verdicts count);
- ``no_documents``: no document blocks in the prompt (groundedness cannot be checked; relevance can).

Logging Search (``LogSearchClient.search_logs``, ``POST /20190909/search`` on
``https://logging.<region>.oci.oraclecloud.com``;
https://docs.oracle.com/en-us/iaas/api/#/en/logging-search/20190909/SearchResult/SearchLogs,
SDK examples https://docs.oracle.com/en-us/iaas/Content/Logging/Concepts/using_the_api_searchlogs.htm).
The query names the router's log as ``"<compartment>/<log group>/<log>"`` and keeps the router's
entry type (the ``type`` of the LogEntryBatch PutLogs wrote), newest first (query language:
https://docs.oracle.com/en-us/iaas/Content/Logging/Reference/query_language_specification.htm).
A result's ``data`` is a JSON object (the SDK's ``SearchResult.data``: "JSON blob containing the
search entry with the projected fields", type ``object``, oci.loggingsearch.models.SearchResult) holding
the log line in Logging's envelope (``logContent``: specversion, id, type, source, time, ``oracle``
metadata and ``data``, https://docs.oracle.com/en-us/iaas/Content/Logging/Reference/top_level_logging_format.htm).
``logContent.data`` is an object too, never the raw string PutLogs sent: the router's JSON entry
parsed, and a plain-text entry comes back wrapped as ``{"message": <text>}`` (observed by
micronaut-projects/micronaut-oracle-cloud's live test OciLoggingSpec: PutLogs ``data("Start
logging")``, then SearchLogs ``results[0].data["logContent"]["data"]["message"] == "Start logging"``).
Only that object shape is read. The job's workload identity needs ``read log-content`` on the
router's log group, or ``read objects`` on the sample bucket (``components/online_eval.py``).

Object Storage (``ObjectStorageClient.list_objects`` / ``get_object``, ``GET /n/{namespaceName}/b/
{bucketName}/o`` with ``prefix``, ``start`` and ``nextStartWith`` paging, and ``GET .../o/{objectName}``:
https://docs.oracle.com/en-us/iaas/api/#/en/objectstorage/20160918/Object/ListObjects and
.../Object/GetObject). Sample object names begin with their minute (``samples.minute_name``), so
``start`` at the window's first minute lists exactly the window.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evals import corpus, metrics
from evals.client import Client

WINDOW_MINUTES = 60
"""How far back each run reads (at least the job's schedule, so no request falls between runs)."""
SEARCH_LIMIT = 1000
"""Newest entries read per run; the sample per use case is drawn from them."""
try:  # inside the router image the hooks package is top level
    from genai_router_hooks.releases import EVAL_TENANT
except ImportError:  # from the repository root
    from router.hooks.genai_router_hooks.releases import EVAL_TENANT
OBJECTS_LIMIT = 1000
"""Objects listed per ListObjects page (OCI's maximum)."""
MAX_OBJECTS = 600
"""Objects read per run at most: one per router pod and minute, so ten pods over the hour."""
ROUTER_LOG_TYPE = "genai.router.request"
"""The router's entry type (``request_log.LOG_TYPE``; stdlib copy checked by tests/evals/test_traces.py,
since the hooks' module imports the OCI SDK)."""
SCORABLE_LEVELS = ("full", "metadata")
"""Prompt-logging levels whose entries carry a prompt version (``request_log.FIELDS``; checked by
tests/router/test_online_eval.py): at ``audit-only`` no entry can be attributed to a use case, so the
plan gives the job neither the log nor a grant to read it."""
SKIP_REASONS = ("own_request", "no_use_case", "other_use_case", "no_prompt_text", "not_answered", "no_documents")


@dataclass(frozen=True)
class Trace:
    """One logged request, as far as its level lets it be scored."""

    use_case: str
    prompt_version: str
    flagged: bool
    """Any guardrail verdict of the router: prompt injection, harmful output or personal data."""
    question: str | None = None
    """The last user message without its document blocks (``full`` entries answered with 200 only)."""
    answer: str | None = None
    documents: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Sample:
    traces: list[Trace]
    read: int
    skipped: Counter[str]


def query(compartment_ocid: str, log_group_id: str, log_id: str) -> str:
    """The Logging Search query for the router's entries, newest first."""
    for name, value in (("compartment", compartment_ocid), ("log group", log_group_id), ("log", log_id)):
        if not value or any(c in value for c in '"/|\'\\') or not value.isprintable():
            raise ValueError(f"traces: the {name} id has characters a search scope cannot carry")
    return f"search \"{compartment_ocid}/{log_group_id}/{log_id}\" | where type = '{ROUTER_LOG_TYPE}' | sort by datetime desc"


def entry_of(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The router's entry inside one search result's ``data`` (None when it is not one)."""
    content = result.get("logContent") if isinstance(result, Mapping) else None
    data = content.get("data") if isinstance(content, Mapping) else None
    return dict(data) if isinstance(data, Mapping) else None


VERDICTS = ("prompt_injection", "harmful_output", "sensitive_data")
"""The router's guardrail verdicts (request log fields; a sample's ``guardrails``)."""


def _use_case(ref: Any, use_cases: Sequence[str], skipped: Counter[str]) -> str | None:
    """The use case of a ``<use-case>@<version>`` the job is configured for, or None (counted why)."""
    if not isinstance(ref, str) or "@" not in ref:
        skipped["no_use_case"] += 1
        return None
    use_case = ref.split("@", 1)[0]
    if use_case not in use_cases:
        skipped["other_use_case"] += 1
        return None
    return use_case


def trace_of(entry: Mapping[str, Any], use_cases: Sequence[str], skipped: Counter[str]) -> Trace | None:
    """What can be scored of one entry; counts why (part of) it cannot."""
    if entry.get("tenant") == EVAL_TENANT:
        skipped["own_request"] += 1
        return None
    ref = entry.get("prompt_version")
    use_case = _use_case(ref, use_cases, skipped)
    if use_case is None:
        return None
    assert isinstance(ref, str)
    flagged = any(entry.get(k) is True for k in VERDICTS)
    trace = Trace(use_case, ref, flagged)
    if "messages" not in entry:
        skipped["no_prompt_text"] += 1
        return trace
    if entry.get("status") != 200 or not isinstance(entry.get("response"), str):
        skipped["not_answered"] += 1
        return trace
    users = [m for m in entry.get("messages") or [] if isinstance(m, Mapping) and m.get("role") == "user"]
    text = str(users[-1].get("content", "")) if users else ""
    documents: dict[str, str] = {}
    for m in entry.get("messages") or []:
        if isinstance(m, Mapping):
            documents.update(corpus.parse_context(str(m.get("content", ""))))
    if not documents:
        skipped["no_documents"] += 1
    return Trace(use_case, ref, flagged, corpus.strip_context(text), str(entry["response"]), documents)


def trace_of_sample(record: Mapping[str, Any], use_cases: Sequence[str], skipped: Counter[str]) -> Trace | None:
    """What can be scored of one evaluation sample (``genai_router_hooks.samples.FIELDS``): always the
    question, the documents and the answer of an answered request."""
    ref = record.get("prompt_version")
    use_case = _use_case(ref, use_cases, skipped)
    if use_case is None:
        return None
    assert isinstance(ref, str)
    raw = record.get("guardrails")
    verdicts: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    flagged = any(verdicts.get(k) is True for k in VERDICTS)
    documents = {str(d.get("id")): str(d.get("text", "")) for d in record.get("documents") or []
                 if isinstance(d, Mapping) and d.get("id")}
    if not documents:
        skipped["no_documents"] += 1
    return Trace(use_case, ref, flagged, str(record.get("question") or ""), str(record.get("answer") or ""), documents)


def sample(entries: Sequence[Mapping[str, Any]], use_cases: Sequence[str], n: int, rng: random.Random,
           *, samples: bool = False) -> Sample:
    """Up to ``n`` traces per use case, drawn at random from the log entries (or evaluation samples) read."""
    skipped: Counter[str] = Counter()
    by_use_case: dict[str, list[Trace]] = defaultdict(list)
    convert = trace_of_sample if samples else trace_of
    for e in entries:
        t = convert(e, use_cases, skipped)
        if t is not None:
            by_use_case[t.use_case].append(t)
    picked = [t for uc in sorted(by_use_case) for t in rng.sample(by_use_case[uc], min(n, len(by_use_case[uc])))]
    return Sample(picked, len(entries), skipped)


@dataclass(frozen=True)
class Score:
    use_case: str
    prompt_version: str
    flagged_rate: float
    """1.0 when the router's guardrails flagged the request (its mean is the run's rate)."""
    groundedness: float | None
    relevance: float | None


def score(traces: Sequence[Trace], client: Client | None, embedding_model: str | None) -> list[Score]:
    """Per trace: its verdicts, and groundedness / relevance where the text allows (None otherwise)."""
    texts = [t for t in traces if t.question is not None and t.answer]
    relevance: dict[int, float] = {}
    if client is not None and embedding_model:
        for start in range(0, len(texts), 48):  # 96 inputs per embedText call (question + answer each)
            batch = texts[start:start + 48]
            vectors = client.embed(embedding_model, [str(t.question) for t in batch] + [str(t.answer) for t in batch])
            for i, t in enumerate(batch):
                relevance[id(t)] = max(0.0, metrics.cosine(vectors[i], vectors[len(batch) + i]))
    out = []
    for t in traces:
        grounded = metrics.groundedness(t.answer, dict(t.documents)) if t.answer is not None and t.documents else None
        out.append(Score(t.use_case, t.prompt_version, 1.0 if t.flagged else 0.0, grounded, relevance.get(id(t))))
    return out


def _client(factory: Any, cfg: Mapping[str, Any], endpoint_key: str, default_endpoint: str) -> Any:
    """An OCI SDK client signed as the job's workload identity, at the configured endpoint or the region's."""
    try:
        from genai_router_hooks import signing
    except ImportError:  # from the repository root
        from router.hooks.genai_router_hooks import signing
    region = str(cfg["region"])
    return factory(dict(signing.client_config(region)), signer=signing.get_signer(),
                   service_endpoint=cfg.get(endpoint_key) or default_endpoint.format(region=region))


def search(cfg: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The router's entries of the last WINDOW_MINUTES (OCI SDK, the job's workload identity)."""
    import oci

    client = _client(oci.loggingsearch.LogSearchClient, cfg, "logging_search_endpoint",
                     "https://logging.{region}.oci.oraclecloud.com")
    details = oci.loggingsearch.models.SearchLogsDetails(
        time_start=now - timedelta(minutes=WINDOW_MINUTES), time_end=now, is_return_field_info=False,
        search_query=query(str(cfg["compartment_ocid"]), str(cfg["router_log_group_id"]), str(cfg["router_log_id"])))
    response = client.search_logs(details, limit=SEARCH_LIMIT)
    out = []
    for r in response.data.results or []:
        entry = entry_of(r.data if isinstance(r.data, Mapping) else {})
        if entry is not None:
            out.append(entry)
    return out


def read_samples(cfg: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The evaluation samples the router wrote in the last WINDOW_MINUTES (OCI SDK, the job's workload
    identity): ListObjects from the window's first minute on, then GetObject of each (at most MAX_OBJECTS)."""
    import oci

    try:
        from genai_router_hooks import samples
    except ImportError:  # from the repository root
        from router.hooks.genai_router_hooks import samples
    client = _client(oci.object_storage.ObjectStorageClient, cfg, "objectstorage_endpoint",
                     "https://objectstorage.{region}.oraclecloud.com")
    ns, bucket = str(cfg["object_storage_namespace"]), str(cfg["sample_bucket"])
    start: str | None = samples.minute_name(int((now - timedelta(minutes=WINDOW_MINUTES)).timestamp() // 60))
    names: list[str] = []
    while start is not None and len(names) < MAX_OBJECTS:
        page = client.list_objects(ns, bucket, prefix=samples.PREFIX, start=start, limit=OBJECTS_LIMIT).data
        names += [o.name for o in page.objects or []]
        start = page.next_start_with
    out: list[dict[str, Any]] = []
    for name in names[-MAX_OBJECTS:]:  # the newest, if the window holds more
        body = client.get_object(ns, bucket, name).data.content
        out += [dict(r) for r in samples.parse_object(body)]
    return out


def summary(s: Sample, what: str = "log entries") -> str:
    """One line for the job's output: what was read, scored and skipped (and why)."""
    full = sum(1 for t in s.traces if t.question is not None)
    reasons = ", ".join(f"{r} {s.skipped[r]}" for r in SKIP_REASONS if s.skipped[r])
    return (f"traffic: {s.read} {what} read, {len(s.traces)} sampled ({full} with prompt text)"
            + (f"; skipped: {reasons}" if reasons else ""))
