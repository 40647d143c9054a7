"""The LiteLLM callback that wires our OCI hooks into the proxy.

Config: `litellm_settings.callbacks: [genai_router_hooks.handler.proxy_handler_instance, ...]`.

Per client request (proxy hooks):
- `async_pre_call_hook`: opens the request's record; per-tenant limits (requests and characters
  per minute, shared through Redis when configured); OCI guardrails on the prompt; budget
  downgrade (rewrites the requested model to the deployment's `downgrade_to` once every
  budgeted deployment of it is exhausted). It does not touch credentials.
- `async_post_call_success_hook` / `async_post_call_streaming_iterator_hook`: OCI guardrails on
  the response (streams: once assembled), at the tier's mode; then the record is closed. Streams
  are metered here too, once assembled (no per-attempt success hook runs for them).
- `async_post_call_failure_hook`: closes the record of a failed or refused request.
Per upstream attempt (deployment hooks):
- `async_pre_call_deployment_hook`: injects the `oci_signer` (here rather than in the pre-call
  hook, so it is on every retry and fallback attempt) and stamps the attempt's start;
- `async_post_call_success_deployment_hook`: meters cost per character (or token) as OCI bills
  it and feeds the budget ledger; records the attempt;
- `async_post_call_failure_deployment_hook`: records the failed attempt (timeouts counted).
A closed record becomes metrics, a request log entry, spans and, for a request chosen for the
evaluation sample, a sample (`telemetry`, `samples`), all queued for background threads: nothing on
the request path waits for OCI Monitoring, Logging, APM or Object Storage. Message bodies are kept
on the record only where the log level is `full` or the request is chosen for the sample.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from genai_router_hooks import guardrails, metering, releases, settings, shared, signing, telemetry, tracing

log = logging.getLogger("genai_router_hooks")

REQUEST_ID_KEY = "genai_router_request_id"
"""Key of our request id in the request's `metadata` (survives LiteLLM's copies of kwargs)."""
DEFAULT_TENANT_HEADER = releases.TENANT_HEADER
MAX_IN_FLIGHT = 10_000
CACHED_PROVIDER = "cached_response"
"""LiteLLM's provider name for an answer replayed from its cache."""


def _deployments(model_name: str) -> list[dict[str, Any]]:
    from litellm.proxy import proxy_server

    router = proxy_server.llm_router
    if router is None:
        return []
    return [d for d in router.model_list if d.get("model_name") == model_name]


def _deployment_info(model_id: str) -> dict[str, Any]:
    """model_info of the deployment with this id (the key our renderer gives it)."""
    from litellm.proxy import proxy_server

    router = proxy_server.llm_router
    for d in router.model_list if router is not None else []:
        info = d.get("model_info") or {}
        if str(info.get("id")) == model_id:
            return dict(info)
    return {}


def _model_names() -> list[str]:
    try:
        from litellm.proxy import proxy_server

        router = proxy_server.llm_router
        return sorted({str(d.get("model_name")) for d in router.model_list}) if router is not None else []
    except Exception:  # outside the proxy (unit tests)
        return []


def flush_on_sigterm(t: telemetry.Telemetry, timeout_s: float = telemetry.SHUTDOWN_FLUSH_S) -> bool:
    """On SIGTERM (the pod is stopped), start sending what telemetry has queued, then hand the signal on.

    An early flush, in a thread of its own so the event loop (which serves the requests still in
    flight) is never held; the final flush is ``flush_after_drain``'s. It only saves what was queued
    before the signal should the drain outlast the pod's grace period. Then the handler it replaced
    gets the signal (uvicorn's, which starts the graceful shutdown), or the process dies of it where
    there was none. Only from the main thread (where Python can set a handler) and unless SIGTERM is
    ignored. True when installed."""
    import signal

    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or previous is signal.SIG_IGN:
        return False

    def on_term(signum: int, frame: Any) -> None:
        try:
            threading.Thread(target=t.flush, args=(timeout_s,), name="genai-telemetry-sigterm", daemon=True).start()
        finally:
            if callable(previous):
                previous(signum, frame)
            else:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    return True


FINAL_FLUSH_MARK = "_genai_router_final_flush"
"""Attribute marking LiteLLM's shutdown function once it flushes our telemetry (installed once per process)."""


def flush_after_drain(t: telemetry.Telemetry, timeout_s: float = telemetry.SHUTDOWN_FLUSH_S) -> bool:
    """Send what telemetry holds once the server has drained: the requests still in flight at SIGTERM
    record their metrics, log entries, spans and samples during the drain, after any flush the signal
    itself could make.

    uvicorn (LiteLLM 1.106.0's server, 0.54) stops on SIGTERM like this (``uvicorn/server.py``,
    ``Server.shutdown``): it stops accepting, waits for the open connections to finish their
    responses, then sends the ASGI lifespan shutdown; afterwards it restores the signal handlers it
    found and re-raises SIGTERM, so the process dies of it and ``atexit`` never runs. LiteLLM's
    lifespan (``litellm/proxy/proxy_server.py``, ``proxy_startup_event``) waits there for its own
    in-flight counter to reach zero (``GracefulShutdownManager.wait_for_drain``, at most
    ``GRACEFUL_SHUTDOWN_TIMEOUT``, 30 s by default) and at the very end awaits the module's
    ``proxy_shutdown_event``, looked up by name when it is called. FastAPI's ``shutdown`` event
    handlers do not run under an app that has a lifespan (LiteLLM's does), so that function is the
    one place that runs after the drain: it is wrapped here to flush first, in a worker thread (the
    flush waits on the emitters' threads; the loop is not held), at most ``timeout_s`` for all
    emitters together, and then to shut LiteLLM down as before whatever the flush did. True when
    installed (once per process)."""
    from litellm.proxy import proxy_server

    original = proxy_server.proxy_shutdown_event
    if getattr(original, FINAL_FLUSH_MARK, False):
        return False

    async def shutdown_event(*args: Any, **kwargs: Any) -> None:
        try:
            if not await asyncio.to_thread(t.flush, timeout_s):
                log.warning("telemetry: the final flush did not finish within %.0f s", timeout_s)
        except Exception:  # never in the way of LiteLLM's own shutdown
            log.exception("telemetry: the final flush failed")
        await original(*args, **kwargs)

    setattr(shutdown_event, FINAL_FLUSH_MARK, True)
    proxy_server.proxy_shutdown_event = shutdown_event  # type: ignore[assignment]
    return True


async def downgrade_target(model_name: str, deployments: list[dict[str, Any]], ledger: Any) -> str | None:
    """Where to send a request for `model_name`, if all its budgeted deployments are spent."""
    budgeted = [d.get("model_info") or {} for d in deployments]
    budgeted = [i for i in budgeted if i.get("max_budget") is not None]
    if not budgeted or len(budgeted) != len(deployments):
        return None
    for info in budgeted:
        window = metering.window_seconds(str(info.get("budget_window", "1d")))
        if not await ledger.exhausted(str(info["id"]), float(info["max_budget"]), window):
            return None
    return str(budgeted[0].get("downgrade_to")) if budgeted[0].get("downgrade_to") else None


def tool_errors(messages: list[dict[str, Any]], metadata: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """Names of the tools whose results in this turn report a failure.

    A turn's tool results are the `tool` messages after the last assistant message (earlier ones
    were counted on the turn that brought them). A result fails when its content is a JSON object
    with an `error` key; the orchestrator may also list failures in `metadata.tool_errors`.
    """
    names: dict[str, str] = {}
    last_assistant = -1
    for i, m in enumerate(messages or []):
        if m.get("role") == "assistant":
            last_assistant = i
            for call in m.get("tool_calls") or []:
                fn = (call or {}).get("function") or {}
                names[str(call.get("id", ""))] = str(fn.get("name", ""))
    failed: list[str] = []
    for m in (messages or [])[last_assistant + 1:]:
        if m.get("role") != "tool":
            continue
        try:
            content = json.loads(metering.text_of(m.get("content")))
        except ValueError:
            continue
        if isinstance(content, dict) and content.get("error"):
            failed.append(names.get(str(m.get("tool_call_id", "")), "") or str(m.get("name", "")))
    extra = (metadata or {}).get("tool_errors")
    if isinstance(extra, list):
        failed.extend(str(x) for x in extra)
    return tuple(failed)


def _response_text(response: Any) -> str:
    out = []
    for choice in getattr(response, "choices", None) or []:
        message = getattr(choice, "message", None)
        out.append(metering.text_of(getattr(message, "content", None)))
    return "".join(out)


def _status(exc: BaseException) -> int:
    for attr in ("status_code", "code"):
        value = getattr(exc, attr, None)
        try:
            if value is not None and 100 <= int(value) <= 599:
                return int(value)
        except (TypeError, ValueError):
            continue
    return 500


@dataclass
class _Request:
    id: str
    model: str
    start: float
    tenant: str
    stream: bool
    prompt_characters: int
    messages: list[dict[str, Any]]
    tool_errors: tuple[str, ...]
    trace_id: str = field(default_factory=tracing.new_trace_id)
    span_id: str = field(default_factory=tracing.new_span_id)
    attempts: list[telemetry.Attempt] = field(default_factory=list)
    attempt_start: float = 0.0
    cost: float = 0.0
    response_characters: int = 0
    deployment: str = ""
    version: str = ""
    release: str = ""
    prompt_version: str = ""
    prompt_injection: bool = False
    harmful_output: bool = False
    sensitive_data: bool = False
    keep_bodies: bool = False
    """The request log is at `full`, or the request is chosen for the evaluation sample."""

    def labels(self) -> dict[str, str]:
        """The release labels of this request's metrics, as known so far."""
        return telemetry.release_labels(self.version, self.release, self.prompt_version)


class GenAIRouterHooks(CustomLogger):
    def __init__(
        self,
        ledger: Any = None,
        telemetry_: telemetry.Telemetry | None = None,
        limiter: shared.TenantLimiter | None = None,
    ) -> None:
        super().__init__()
        self.ledger = ledger
        self.telemetry = telemetry_
        self.limiter = limiter
        self._inflight: OrderedDict[str, _Request] = OrderedDict()
        self._init_lock = threading.Lock()
        self._initialised = ledger is not None or telemetry_ is not None

    # -- set-up (first request; each proxy worker process has its own) ---------------------------
    def _ready(self) -> dict[str, Any]:
        cfg = settings.load()
        if self._initialised:
            return cfg
        with self._init_lock:
            if self._initialised:
                return cfg
            redis_cfg = cfg.get("redis")
            if redis_cfg:
                client = shared.redis_client(redis_cfg, os.environ)
                self.ledger = shared.RedisLedger(client)
                limits = cfg.get("tenant_limits") or {}
                if limits:
                    self.limiter = shared.TenantLimiter(client, shared.Limits(
                        limits.get("requests_per_minute"), limits.get("characters_per_minute")))
            else:
                self.ledger = metering.LEDGER
            self.telemetry = telemetry.from_config(
                {**cfg, "models": _model_names()}, signing.get_signer(),
                signing.client_config(str(cfg["region"]))).start()
            # A stopped proxy: an early flush on SIGTERM, the final one after the drain; atexit covers an
            # exit that is neither (it never runs after SIGTERM: see flush_after_drain).
            atexit.register(self.telemetry.flush, telemetry.SHUTDOWN_FLUSH_S)
            flush_on_sigterm(self.telemetry)
            flush_after_drain(self.telemetry)
            self._initialised = True
        return cfg

    def _remember(self, req: _Request) -> None:
        self._inflight[req.id] = req
        while len(self._inflight) > MAX_IN_FLIGHT:
            self._inflight.popitem(last=False)

    def _lookup(self, data: Mapping[str, Any]) -> _Request | None:
        for key in ("metadata", "litellm_metadata"):
            meta = data.get(key)
            if isinstance(meta, Mapping) and meta.get(REQUEST_ID_KEY):
                return self._inflight.get(str(meta[REQUEST_ID_KEY]))
        return None

    def _finish(self, req: _Request, status: int, *, error_type: str = "", cache_hit: bool = False,
                response: str = "") -> None:
        if self._inflight.pop(req.id, None) is None:
            return  # already recorded
        if self.telemetry is None:
            return
        try:
            full = req.keep_bodies
            self.telemetry.request(telemetry.RequestRecord(
                request_id=req.id, trace_id=req.trace_id, span_id=req.span_id, model=req.model, start=req.start,
                end=time.time(), status=status, tenant=req.tenant, deployment=req.deployment,
                attempts=list(req.attempts), cache_hit=cache_hit and not req.attempts,
                prompt_characters=req.prompt_characters, response_characters=req.response_characters,
                cost_usd=req.cost, version=req.version, release=req.release, prompt_version=req.prompt_version,
                error_type=error_type, stream=req.stream, prompt_injection=req.prompt_injection,
                harmful_output=req.harmful_output, sensitive_data=req.sensitive_data, tool_errors=req.tool_errors,
                messages=req.messages if full else [], response=response if full else ""))
        except Exception as exc:  # telemetry must never fail a request
            log.error("telemetry record failed: %s", type(exc).__name__)

    # -- per request ------------------------------------------------------------------------------
    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict, call_type: Any
    ) -> dict | None:
        from fastapi import HTTPException

        cfg = self._ready()
        applied = releases.apply_prompt(cfg.get("prompts") or {}, data)
        server_request = data.get("proxy_server_request") or {}
        headers = {str(k).lower(): str(v) for k, v in (server_request.get("headers") or {}).items()}
        # Not the online job's own unless it really is (releases.tenant_of: a gateway caller cannot pass for it).
        tenant = releases.tenant_of(headers, str(cfg.get("tenant_header") or DEFAULT_TENANT_HEADER))
        messages = list(data.get("messages") or [])
        meta = data.setdefault("metadata", {})
        req = _Request(
            id=str(uuid.uuid4()), model=str(data.get("model", "")),
            start=float(server_request.get("arrival_time") or time.time()), tenant=tenant,
            stream=bool(data.get("stream")), prompt_characters=metering.prompt_characters(messages),
            messages=[], tool_errors=tool_errors(messages, meta if isinstance(meta, Mapping) else None))
        if isinstance(meta, dict):
            meta[REQUEST_ID_KEY] = req.id
        if applied is not None:
            req.prompt_version = applied.ref
        req.keep_bodies = cfg.get("prompt_logging") == "full" or (
            self.telemetry is not None and self.telemetry.sample_wanted(req.id, tenant, req.prompt_version))
        if req.keep_bodies:
            req.messages = messages
        self._remember(req)

        if self.limiter is not None:
            try:
                decision = await self.limiter.admit(tenant, req.prompt_characters)
            except Exception as exc:
                log.error("tenant limit check failed: %s", type(exc).__name__)
                raise HTTPException(status_code=503, detail="rate limiter unavailable") from None
            if not decision.allowed:
                raise HTTPException(status_code=429, detail=f"tenant limit reached: {decision.reason}")

        g = cfg.get("guardrails") or {}
        if g.get("prompt_injection") or g.get("content_filter"):
            text = "\n".join(metering.text_of(m.get("content")) for m in messages)
            try:
                verdict = await guardrails.check(
                    text,
                    endpoint=str(cfg["oci_endpoint"]),
                    compartment_ocid=str(cfg["compartment_ocid"]),
                    signer=signing.get_signer(),
                    prompt_injection=bool(g.get("prompt_injection")),
                    content_filter=bool(g.get("content_filter")),
                )
            except Exception as exc:  # fail closed; no request text in the log
                log.error("guardrail check failed: %s", type(exc).__name__)
                if self.telemetry is not None:
                    self.telemetry.guardrail_failure(req.model, req.labels())
                raise HTTPException(status_code=503, detail="guardrail unavailable") from None
            if verdict.injection:  # counted whether the tier blocks or only informs
                req.prompt_injection = True
                if self.telemetry is not None:
                    self.telemetry.prompt_injection(req.model, req.labels())
            modes = g.get("input") or {}
            if (verdict.injection and modes.get("prompt_injection", "BLOCK") == "BLOCK") or (
                    verdict.harmful and modes.get("content_moderation", "BLOCK") == "BLOCK"):
                raise HTTPException(status_code=400, detail=f"blocked by OCI guardrail: {verdict.reason}")

        model = data.get("model")
        seen: set[str] = set()
        # Follow downgrade chains (each to the next cheaper chat model) while each level is spent.
        try:
            while isinstance(model, str) and model not in seen:
                seen.add(model)
                target = await downgrade_target(model, _deployments(model), self.ledger or metering.LEDGER)
                if target is None:
                    break
                model = target
        except Exception as exc:
            log.error("budget ledger unavailable: %s", type(exc).__name__)
            raise HTTPException(status_code=503, detail="budget ledger unavailable") from None
        if model != data.get("model"):
            data["model"] = model
        return data

    def _output_modes(self) -> tuple[str, str]:
        out = (settings.load().get("guardrails") or {}).get("output") or {}
        return str(out.get("content_moderation", "OFF")), str(out.get("pii", "OFF"))

    async def _check_output(self, req: _Request | None, text: str) -> bool:
        """Guardrails on a response; True when the tier's mode blocks it. Raises when OCI cannot answer."""
        cm, pii = self._output_modes()
        if cm == "OFF" and pii == "OFF":
            return False
        cfg = settings.load()
        findings = await guardrails.check_output(
            text, endpoint=str(cfg["oci_endpoint"]), compartment_ocid=str(cfg["compartment_ocid"]),
            signer=signing.get_signer(), content_moderation=cm, pii=pii)
        model = req.model if req is not None else ""
        if req is not None:
            req.harmful_output, req.sensitive_data = findings.harmful, findings.sensitive
        if self.telemetry is not None:
            self.telemetry.output_findings(model, findings.harmful, findings.sensitive,
                                           req.labels() if req is not None else None)
        return findings.blocked(cm, pii)

    async def async_post_call_success_hook(self, data: dict, user_api_key_dict: Any, response: Any) -> Any:
        from fastapi import HTTPException

        req = self._lookup(data)
        text = _response_text(response)
        hidden = getattr(response, "_hidden_params", None) or {}
        cache_hit = bool(hidden.get("cache_hit")) if isinstance(hidden, Mapping) else False
        if req is not None:
            req.response_characters = req.response_characters or len(text)
        try:
            blocked = await self._check_output(req, text)
        except Exception as exc:
            log.error("output guardrail check failed: %s", type(exc).__name__)
            if req is not None:
                if self.telemetry is not None:
                    self.telemetry.guardrail_failure(req.model, req.labels())
                self._finish(req, 503, error_type="GuardrailUnavailable")
            raise HTTPException(status_code=503, detail="guardrail unavailable") from None
        if req is not None:
            await self._count_response_characters(req)
            self._finish(req, 400 if blocked else 200, cache_hit=cache_hit, response=text,
                         error_type="OutputBlocked" if blocked else "")
        if blocked:
            raise HTTPException(status_code=400, detail="response blocked by OCI guardrail")
        return response

    async def _count_response_characters(self, req: _Request) -> None:
        if self.limiter is None:
            return
        try:
            await self.limiter.add_characters(req.tenant, req.response_characters)
        except Exception as exc:
            log.error("tenant limit update failed: %s", type(exc).__name__)

    async def async_post_call_failure_hook(
        self, request_data: dict, original_exception: Exception, user_api_key_dict: Any,
        traceback_str: str | None = None,
    ) -> Any:
        req = self._lookup(request_data)
        if req is not None:
            self._finish(req, _status(original_exception), error_type=type(original_exception).__name__)
        return None

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: dict
    ) -> AsyncGenerator[Any, None]:
        """Streams: output guardrails on the assembled text. In BLOCK mode the chunks are held
        until the check passes (a response cannot be recalled once sent); in INFORM mode they
        flow as they come and the check runs when the stream ends."""
        req = self._lookup(request_data)
        cm, pii = self._output_modes()
        hold = "BLOCK" in (cm, pii)
        held: list[Any] = []
        parts: list[str] = []
        # LiteLLM replays a cached answer through a stream wrapper whose provider is "cached_response"
        # (litellm/litellm_core_utils/streaming_handler.py, __anext__: cache_hit = True for it).
        model_id, tokens = "", 0
        cache_hit = getattr(response, "custom_llm_provider", None) == CACHED_PROVIDER
        async for chunk in response:
            hidden = getattr(chunk, "_hidden_params", None)
            if isinstance(hidden, Mapping):
                model_id = model_id or str(hidden.get("model_id") or "")
                cache_hit = (cache_hit or bool(hidden.get("cache_hit"))
                             or hidden.get("custom_llm_provider") == CACHED_PROVIDER)
            usage = getattr(chunk, "usage", None)
            tokens = int(getattr(usage, "total_tokens", 0) or 0) or tokens
            for choice in getattr(chunk, "choices", None) or []:
                delta = getattr(choice, "delta", None)
                parts.append(metering.text_of(getattr(delta, "content", None)))
            if hold:
                held.append(chunk)
            else:
                yield chunk
        text = "".join(parts)
        if req is not None:
            req.response_characters = len(text)
            if not cache_hit:  # a cached answer never reached OCI and costs nothing
                await self._meter_stream(req, model_id, len(text), tokens)
        try:
            blocked = await self._check_output(req, text)
        except Exception as exc:
            log.error("output guardrail check failed: %s", type(exc).__name__)
            if req is not None:
                self._finish(req, 503, error_type="GuardrailUnavailable")
            if hold:
                raise
            return
        if req is not None:
            await self._count_response_characters(req)
            self._finish(req, 400 if blocked else 200, response=text, error_type="OutputBlocked" if blocked else "",
                         cache_hit=cache_hit)
        if blocked:
            from fastapi import HTTPException

            raise HTTPException(status_code=400, detail="response blocked by OCI guardrail")
        for chunk in held:
            yield chunk

    async def async_post_call_response_headers_hook(
        self, data: dict, user_api_key_dict: Any, response: Any, request_headers: dict[str, str] | None = None,
        litellm_call_info: dict[str, object] | None = None,
    ) -> dict[str, str] | None:
        """Label the response with the model version, its release and the prompt version that served it."""
        return releases.headers(data, litellm_call_info, _deployment_info) or None

    # -- per upstream attempt ---------------------------------------------------------------------
    async def async_pre_call_deployment_hook(self, kwargs: dict[str, Any], call_type: Any) -> dict | None:
        model = str(kwargs.get("model") or "")
        if model.startswith("oci/") or kwargs.get("custom_llm_provider") == "oci":
            kwargs["oci_signer"] = signing.get_signer()
        req = self._lookup(kwargs)
        if req is not None:
            req.attempt_start = time.time()
        return kwargs

    def _attempt(self, req: _Request, data: Mapping[str, Any], error: BaseException | None = None) -> None:
        info = data.get("model_info") or (data.get("litellm_params") or {}).get("model_info") or {}
        meta = data.get("metadata") or data.get("litellm_metadata") or {}
        name = type(error).__name__ if error is not None else ""
        req.attempts.append(telemetry.Attempt(
            deployment=str(info.get("id", "unknown")), model=str(meta.get("model_group") or req.model),
            start=req.attempt_start or req.start, end=time.time(), error_type=name,
            timed_out=error is not None and ("Timeout" in name or isinstance(error, asyncio.TimeoutError))))

    async def async_post_call_success_deployment_hook(
        self, request_data: dict, response: Any, call_type: Any
    ) -> Any:
        # Metered here, per successful upstream call, not in the success logger: with
        # message logging off LiteLLM hands loggers redacted messages, and the characters
        # OCI bills are the real ones. Cache hits never reach this hook (and cost nothing).
        try:
            amount, chars = await self._meter(request_data, response)
            req = self._lookup(request_data)
            if req is not None:
                self._attempt(req, request_data)
                req.cost += amount
                req.deployment = req.attempts[-1].deployment
                info = request_data.get("model_info") or (request_data.get("litellm_params") or {}).get("model_info") or {}
                req.version, req.release = releases.model_labels(info)
                req.response_characters = max(0, chars - req.prompt_characters)
        except Exception as exc:  # metering must never fail a request
            log.error("cost metering failed: %s", type(exc).__name__)
        return response

    async def async_post_call_failure_deployment_hook(
        self, request_data: Any, exception: Exception, call_type: Any, fallback_depth: int | None = None
    ) -> None:
        req = self._lookup(request_data)
        if req is not None:
            self._attempt(req, request_data, exception)

    async def _meter(self, kwargs: Mapping[str, Any], response_obj: Any) -> tuple[float, int]:
        info = kwargs.get("model_info") or (kwargs.get("litellm_params") or {}).get("model_info") or {}
        prompt = metering.input_characters(kwargs)
        usage = getattr(response_obj, "usage", None)
        meta = kwargs.get("metadata") or kwargs.get("litellm_metadata") or {}
        model = str(meta.get("model_group") or kwargs.get("model", ""))
        return await self._charge(info, model, prompt, len(_response_text(response_obj)),
                                  int(getattr(usage, "total_tokens", 0) or 0))

    async def _charge(self, info: Mapping[str, Any], model: str, prompt: int, completion: int,
                      tokens: int) -> tuple[float, int]:
        """Cost of one upstream call as OCI bills it; counted in Prometheus and the budget ledger."""
        if "price" not in info:
            return 0.0, 0
        amount = metering.cost(info, prompt + completion, tokens)
        deployment = str(info.get("id", "unknown"))
        tier = str(info.get("classification_tier", ""))
        metering.CHARACTERS.labels(model, deployment, tier).inc(prompt + completion)
        metering.COST.labels(model, deployment, tier, str(info.get("pricing_unit", ""))).inc(amount)
        if metering.OTEL_COST is not None:
            metering.OTEL_COST.add(amount, {"model": model, "deployment": deployment, "tier": tier})
        if info.get("max_budget") is not None:
            await (self.ledger or metering.LEDGER).add(
                deployment, amount, metering.window_seconds(str(info.get("budget_window", "1d"))))
        return amount, prompt + completion

    async def _meter_stream(self, req: _Request, model_id: str, completion: int, tokens: int) -> None:
        """A streamed completion, metered once assembled: LiteLLM 1.106 calls no per-attempt success hook
        for streams, so the deployment that served it (the chunks' ``model_id``) is charged here, for the
        prompt and the streamed characters, and the attempt recorded."""
        if req.attempts and not req.attempts[-1].error_type:
            return  # already metered by the deployment hook
        info = _deployment_info(model_id) if model_id else {}
        try:
            amount, _ = await self._charge(info, req.model, req.prompt_characters, completion, tokens)
        except Exception as exc:  # metering must never fail a request
            log.error("cost metering failed: %s", type(exc).__name__)
            return
        req.attempts.append(telemetry.Attempt(
            deployment=str(info.get("id", "unknown")), model=req.model, start=req.attempt_start or req.start,
            end=time.time()))
        req.cost += amount
        req.deployment = req.attempts[-1].deployment
        req.version, req.release = releases.model_labels(info)


proxy_handler_instance = GenAIRouterHooks()
