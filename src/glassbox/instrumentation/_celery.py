"""Celery: one trace from the code that enqueues a task to the worker that runs it.

Everything hangs on Celery's own signals, so it works with any pool (prefork, threads,
solo), any broker, and with ``worker_send_task_events`` off:

- ``before_task_publish`` (producer): a ``PRODUCER`` span ``publish {task}``; its W3C
  context (``traceparent``, ``tracestate``, ``baggage``) and the publish time go into the
  task message's headers; ``celery_task_sent_total`` counts it.
- ``task_prerun`` (worker): the context is read back from the request, and a ``CONSUMER``
  span ``process {task}`` continues the producer's trace; ``celery_task_started_total``;
  the wait from publish to start goes to ``celery_task_queue_wait_seconds`` (wall clocks
  of two hosts: skew shows up there). While the task runs, ``glassbox.attributes(workload=
  task name)`` is in effect, so LLM cost inside it is attributed to the task.
- ``task_postrun``: ``celery_task_runtime`` and the outcome counter (succeeded, failed,
  retried, rejected) by the state Celery reports; the span ends.
- ``task_revoked`` (worker): ``celery_task_revoked_total`` for a task the worker discarded
  (revoked, or expired before it ran) or terminated. Under a prefork pool this fires in
  the main process; a run it terminated in this process ends its span as ``REVOKED``.

Metric names follow celery-exporter (``name``/``queue_name`` labels), measured in the
producer and worker processes themselves. Under a prefork pool, set Prometheus
multiprocess mode (``multiprocess_dir``) so the pool's children are aggregated.

Cost per signal: a dictionary entry per task in flight, a span, a few counter increments.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode

from glassbox import semconv
from glassbox._context import attributes
from glassbox._runtime import Runtime, current
from glassbox.instrumentation._common import report
from glassbox.semconv import Attr

__all__ = ["SENT_AT_HEADER", "instrument_celery", "uninstrument_celery"]

#: Message header carrying the publish time (seconds since the epoch).
SENT_AT_HEADER = "glassbox_sent_at"
_DEFAULT_QUEUE = "celery"
_MAX_IN_FLIGHT = 4096
_OUTCOMES = {
    "SUCCESS": semconv.CELERY_TASK_SUCCEEDED,
    "FAILURE": semconv.CELERY_TASK_FAILED,
    "RETRY": semconv.CELERY_TASK_RETRIED,
    "REJECTED": semconv.CELERY_TASK_REJECTED,
}


class _RequestGetter(Getter[Any]):
    """Reads propagation headers from a Celery task request (headers become attributes)."""

    def get(self, carrier: Any, key: str) -> list[str] | None:
        value = getattr(carrier, key, None)
        if value is None:
            headers = getattr(carrier, "headers", None) or {}
            value = headers.get(key) if isinstance(headers, dict) else None
        return [value] if isinstance(value, str) else None

    def keys(self, carrier: Any) -> list[str]:
        return []


_GETTER = _RequestGetter()


@dataclass
class _Run:
    """A task run in flight in this worker."""

    span: Any
    token: Any
    workload: AbstractContextManager[Any]
    started: float
    name: str
    queue: str
    error: BaseException | None = None


_PUBLISHING: dict[str, Any] = {}
_RUNS: dict[str, _Run] = {}
_LOCK = threading.Lock()
_CONNECTED = False


def _task_name(sender: Any, headers: dict[str, Any]) -> str:
    name = headers.get("task") if isinstance(headers, dict) else None
    if isinstance(name, str):
        return name
    return str(getattr(sender, "name", sender) or "unknown")


def _on_publish(
    sender: Any = None,
    headers: dict[str, Any] | None = None,
    routing_key: str | None = None,
    **_: Any,
) -> None:
    rt = current()
    if rt is None or not isinstance(headers, dict):
        return
    try:
        name = _task_name(sender, headers)
        queue = routing_key or _DEFAULT_QUEUE
        span = rt.tracer.start_span(
            f"publish {name}",
            kind=SpanKind.PRODUCER,
            attributes={
                Attr.MESSAGING_SYSTEM: "celery",
                Attr.MESSAGING_OPERATION: "publish",
                Attr.MESSAGING_DESTINATION: queue,
                Attr.TASK_NAME: name,
            },
        )
        task_id = headers.get("id")
        if isinstance(task_id, str):
            span.set_attribute(Attr.MESSAGING_MESSAGE_ID, task_id)
            with _LOCK:
                if len(_PUBLISHING) >= _MAX_IN_FLIGHT:  # publishes that failed never end
                    _PUBLISHING.pop(next(iter(_PUBLISHING))).end()
                _PUBLISHING[task_id] = span
        else:
            span.end()
        inject(headers, context=trace.set_span_in_context(span))
        headers[SENT_AT_HEADER] = time.time()
        rt.metrics.child(semconv.CELERY_TASK_SENT, name, queue).inc()
    except Exception as exc:
        report("celery", exc)


def _on_published(headers: dict[str, Any] | None = None, **_: Any) -> None:
    try:
        task_id = headers.get("id") if isinstance(headers, dict) else None
        with _LOCK:
            span = _PUBLISHING.pop(task_id, None) if isinstance(task_id, str) else None
        if span is not None:
            span.end()
    except Exception as exc:
        report("celery", exc)


def _queue_of(request: Any) -> str:
    delivery = getattr(request, "delivery_info", None) or {}
    queue = delivery.get("routing_key") if isinstance(delivery, dict) else None
    return queue if isinstance(queue, str) and queue else _DEFAULT_QUEUE


def _on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    rt = current()
    if rt is None or task is None or task_id is None:
        return
    try:
        request = task.request
        name = str(task.name)
        queue = _queue_of(request)
        parent: Any = extract(request, getter=_GETTER)
        if not trace.get_current_span(parent).get_span_context().is_valid:
            parent = None  # run in process (eager) or by an uninstrumented producer
        span = rt.tracer.start_span(
            f"process {name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                Attr.MESSAGING_SYSTEM: "celery",
                Attr.MESSAGING_OPERATION: "process",
                Attr.MESSAGING_DESTINATION: queue,
                Attr.MESSAGING_MESSAGE_ID: task_id,
                Attr.TASK_NAME: name,
            },
        )
        retries = getattr(request, "retries", 0)
        if isinstance(retries, int) and retries:
            span.set_attribute(Attr.RETRIES, retries)
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        workload = attributes(workload=name)
        workload.__enter__()
        with _LOCK:
            _RUNS[task_id] = _Run(span, token, workload, perf_counter(), name, queue)
        _record_start(rt, request, name, queue)
    except Exception as exc:
        report("celery", exc)


def _record_start(rt: Runtime, request: Any, name: str, queue: str) -> None:
    rt.metrics.child(semconv.CELERY_TASK_STARTED, name, queue).inc()
    sent_at = getattr(request, SENT_AT_HEADER, None)
    if sent_at is None:
        headers = getattr(request, "headers", None)
        sent_at = headers.get(SENT_AT_HEADER) if isinstance(headers, dict) else None
    if isinstance(sent_at, int | float):
        wait = max(time.time() - float(sent_at), 0.0)
        rt.metrics.child(semconv.CELERY_TASK_QUEUE_WAIT, name, queue).observe(wait)


def _on_failure(
    task_id: str | None = None, exception: BaseException | None = None, **_: Any
) -> None:
    with _LOCK:
        run = _RUNS.get(task_id) if task_id is not None else None
    if run is not None:
        run.error = exception


def _on_postrun(task_id: str | None = None, state: str | None = None, **_: Any) -> None:
    with _LOCK:
        run = _RUNS.pop(task_id, None) if task_id is not None else None
    if run is None:
        return
    try:
        run.workload.__exit__(None, None, None)
        otel_context.detach(run.token)
    except Exception as exc:
        report("celery", exc)
    rt = current()
    try:
        if rt is not None:
            duration = perf_counter() - run.started
            metrics = rt.metrics
            metrics.child(semconv.CELERY_TASK_RUNTIME, run.name, run.queue).observe(duration)
            outcome = _OUTCOMES.get(state or "")
            if outcome is not None:
                metrics.child(outcome, run.name, run.queue).inc()
        _end_span(run, state)
    except Exception as exc:
        report("celery", exc)


def _on_revoked(sender: Any = None, request: Any = None, **_: Any) -> None:
    rt = current()
    if rt is None:
        return
    try:
        name = getattr(sender, "name", None) or getattr(request, "task", None) or "unknown"
        task_id = getattr(request, "id", None)
        with _LOCK:
            run = _RUNS.pop(task_id, None) if isinstance(task_id, str) else None
        if run is not None:  # terminated here (a greenlet pool); its context is gone with it
            _end_span(run, "REVOKED")
        rt.metrics.child(semconv.CELERY_TASK_REVOKED, str(name), _queue_of(request)).inc()
    except Exception as exc:
        report("celery", exc)


def _end_span(run: _Run, state: str | None) -> None:
    span = run.span
    span.set_attribute(Attr.TASK_STATE, state or "")
    if state == "FAILURE":
        error = run.error
        span.set_attribute(Attr.ERROR_TYPE, type(error).__qualname__ if error else "FAILURE")
        if error is not None:
            span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, str(error) if error else None))
    span.end()


def _flush_spans(**_: Any) -> None:
    """A pool child is exiting (``os._exit`` follows): write and export what it recorded."""
    rt = current()
    if rt is not None:
        try:
            writer = rt.logging.writer
            if writer is not None:
                writer.flush()
            rt.tracing.flush(5000)
        except Exception as exc:
            report("celery", exc)


def _signals() -> list[tuple[Any, Any]]:
    from celery import signals

    return [
        (signals.before_task_publish, _on_publish),
        (signals.after_task_publish, _on_published),
        (signals.task_prerun, _on_prerun),
        (signals.task_failure, _on_failure),
        (signals.task_postrun, _on_postrun),
        (signals.task_revoked, _on_revoked),
        (signals.worker_process_shutdown, _flush_spans),
    ]


def instrument_celery() -> None:
    """Connect Glassbox to Celery's signals (producer and worker side); idempotent.

    Raises:
        ImportError: Celery is not installed.
    """
    global _CONNECTED
    if _CONNECTED:
        return
    for signal, receiver in _signals():
        signal.connect(receiver, weak=False)
    _CONNECTED = True


def uninstrument_celery() -> None:
    """Disconnect from Celery's signals; idempotent."""
    global _CONNECTED
    if not _CONNECTED:
        return
    for signal, receiver in _signals():
        signal.disconnect(receiver)
    _CONNECTED = False
