"""A background emitter: a bounded queue drained by one daemon thread, never on a request's path.

The request path only calls ``offer`` (``queue.put_nowait``): when the queue is full the item is
dropped and counted, the request never waits. The thread folds items into its own state
(``absorb``) and, every ``interval_s`` or on ``flush``, sends what is ready (``ready``) through
``send``, retrying a failed send with exponential backoff; what still fails is dropped and
counted. Drop counts feed the ``telemetry_dropped`` metric (see ``contract``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

log = logging.getLogger("genai_router_hooks")

T = TypeVar("T")


def retryable(exc: BaseException) -> bool:
    """Connection errors, 429 and 5xx are worth retrying; another 4xx is our bug, not luck."""
    status = getattr(exc, "status", None)  # oci.exceptions.ServiceError
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)  # requests.HTTPError
    return not isinstance(status, int) or status == 429 or status >= 500


class Emitter(Generic[T]):
    signal = "unknown"
    """Which pipeline this is (`metrics`, `logs`, `traces`): the `signal` dimension of drops."""

    def __init__(
        self,
        send: Callable[[Any], int | None],
        *,
        capacity: int = 10_000,
        interval_s: float = 10.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._send = send
        self._queue: queue.Queue[T] = queue.Queue(maxsize=capacity)
        self.interval_s = interval_s
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._dropped = 0
        self._sent = 0
        self._flush_requests: queue.Queue[threading.Event] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- request path -------------------------------------------------------------------------
    def offer(self, item: T) -> bool:
        """Queue ``item``; False (and counted as dropped) when the buffer is full. Never blocks."""
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            with self._lock:
                self._dropped += 1
            return False

    # -- subclass hooks (run on the emitter thread only) -----------------------------------------
    def absorb(self, item: T) -> None:
        raise NotImplementedError

    def ready(self, force: bool) -> list[tuple[Any, int]]:
        """Payloads to send now, each with the number of items it carries (for drop counts)."""
        raise NotImplementedError

    # -- counters -----------------------------------------------------------------------------
    @property
    def dropped(self) -> int:
        with self._lock:
            return self._dropped

    @property
    def sent(self) -> int:
        with self._lock:
            return self._sent

    def _count_drop(self, n: int) -> None:
        with self._lock:
            self._dropped += n

    # -- thread -------------------------------------------------------------------------------
    def start(self) -> Emitter[T]:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"genai-router-{self.signal}", daemon=True)
            self._thread.start()
        return self

    def flush(self, timeout: float = 30.0) -> bool:
        """Send everything absorbed so far (current minute included); True once done."""
        done = threading.Event()
        self._flush_requests.put(done)
        if self._thread is None:
            self._drain_and_send(force=True)
            done.set()
        return done.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        deadline = time.monotonic() + self.interval_s
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=max(0.0, min(0.2, deadline - time.monotonic())))
                self._safe_absorb(item)
            except queue.Empty:
                pass
            waiting: list[threading.Event] = []
            while not self._flush_requests.empty():
                waiting.append(self._flush_requests.get_nowait())
            if waiting or time.monotonic() >= deadline:
                self._drain_and_send(force=bool(waiting))
                deadline = time.monotonic() + self.interval_s
                for ev in waiting:
                    ev.set()

    def _safe_absorb(self, item: T) -> None:
        try:
            self.absorb(item)
        except Exception as exc:  # a bad item must not kill the pipeline
            log.error("telemetry %s: item dropped (%s)", self.signal, type(exc).__name__)
            self._count_drop(1)

    def _drain_and_send(self, force: bool) -> None:
        while True:
            try:
                self._safe_absorb(self._queue.get_nowait())
            except queue.Empty:
                break
        try:
            payloads = self.ready(force)
        except Exception as exc:
            log.error("telemetry %s: batch build failed (%s)", self.signal, type(exc).__name__)
            return
        for payload, items in payloads:
            self._send_with_retry(payload, items)

    def _send_with_retry(self, payload: Any, items: int) -> None:
        for attempt in range(self.retries + 1):
            try:
                failed = self._send(payload)
                # A partial failure (PostMetricData's failedMetricsCount) is not retried: OCI
                # rejected those items as invalid, sending them again cannot help.
                failed = failed if isinstance(failed, int) and 0 < failed <= items else 0
                with self._lock:
                    self._sent += items - failed
                    self._dropped += failed
                return
            except Exception as exc:  # network, throttling (429), 5xx: back off and retry
                if attempt == self.retries or not retryable(exc):
                    log.error("telemetry %s: %d items dropped after %d attempts (%s)", self.signal, items,
                              attempt + 1, type(exc).__name__)
                    self._count_drop(items)
                    return
                self._sleep(self.backoff_s * (2**attempt))
