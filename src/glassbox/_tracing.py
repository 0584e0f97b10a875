"""Tracing: join the application's ``TracerProvider`` or create one, export without blocking.

Glassbox never replaces a ``TracerProvider`` the application configured; it takes its
tracer from it. Only when none is set does it create one (with ``OTEL_*`` resource
attributes) and, when an OTLP endpoint is configured, export through a
:class:`BoundedBatchProcessor`: a fixed-size queue drained by a worker thread, where a
full queue or a failed export drops spans *and counts them*. The caller never waits for
the exporter, and memory never grows with an exporter outage.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

from glassbox._export import BoundedBatchQueue
from glassbox._scrub import Scrubber
from glassbox._spans import LeanTracer, lean_tracer
from glassbox.semconv import Attr

__all__ = ["BoundedBatchProcessor", "SpanStore", "TracingSetup", "redact_span", "setup_tracing"]

INSTRUMENTATION_NAME = "glassbox"


class BoundedBatchProcessor(SpanProcessor):
    """Batch sampled spans to an exporter through a :class:`BoundedBatchQueue`.

    Every span handed to :meth:`on_end` is either exported or counted through
    ``on_drop`` exactly once (full queue, failed export, not gone by the shutdown
    deadline); the caller never waits for the exporter.

    Args:
        exporter: Where batches go.
        on_drop: Called with the number of spans dropped.
        max_queue_size: Spans held at most; newer spans are dropped when full.
        max_batch_size: Spans per export call.
        schedule_delay: Seconds between exports when the queue is not full.
    """

    def __init__(
        self,
        exporter: SpanExporter,
        on_drop: Callable[[int], None],
        *,
        max_queue_size: int = 2048,
        max_batch_size: int = 512,
        schedule_delay: float = 2.0,
    ) -> None:
        self._queue: BoundedBatchQueue[ReadableSpan] = BoundedBatchQueue(
            lambda batch: exporter.export(batch) is SpanExportResult.SUCCESS,
            on_drop,
            close=exporter.shutdown,
            name="glassbox-span-export",
            max_queue_size=max_queue_size,
            max_batch_size=max_batch_size,
            schedule_delay=schedule_delay,
        )

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if span.context.trace_flags.sampled:
            self._queue.put(span)

    @property
    def queued(self) -> int:
        """Spans waiting for export."""
        return self._queue.queued

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._queue.force_flush(timeout_millis)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Export what is queued within ``timeout`` seconds; count the rest as dropped."""
        self._queue.shutdown(timeout)


class SpanStore(SpanProcessor):
    """Keep the last ``capacity`` finished spans in process (for the demo and ``testing``)."""

    def __init__(self, capacity: int) -> None:
        self._spans: collections.deque[ReadableSpan] = collections.deque(maxlen=capacity)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        self._spans.append(span)

    def spans(self) -> list[ReadableSpan]:
        """The kept spans, oldest first."""
        return list(self._spans)

    def clear(self) -> None:
        self._spans.clear()

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class TracingSetup:
    """What :func:`setup_tracing` decided: the tracer and what Glassbox owns."""

    def __init__(
        self,
        tracer: trace.Tracer,
        provider: Any,
        owned: bool,
        processors: list[SpanProcessor],
        store: SpanStore | None,
        delegate: _Delegate | None = None,
    ) -> None:
        self.tracer = tracer
        self.provider = provider
        self.owned = owned
        self.processors = processors
        self.store = store
        self._delegate = delegate

    def set_scrubber(
        self, scrubber: Scrubber | None, on_error: Callable[[str, BaseException], None]
    ) -> None:
        """Redact every span on this provider before Glassbox's processors get it."""
        if self._delegate is not None:
            self._delegate.scrubber = scrubber
            self._delegate.on_error = on_error
        if isinstance(self.tracer, LeanTracer):
            self.tracer.on_error = on_error

    def flush(self, timeout_millis: int = 10000) -> None:
        for processor in self.processors:
            processor.force_flush(timeout_millis)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop exporting: what has not left within ``timeout`` seconds is counted dropped."""
        if self._delegate is not None and self._delegate.targets == tuple(self.processors):
            self._delegate.targets = ()
            self._delegate.scrubber = None
        deadline = time.monotonic() + timeout
        for processor in self.processors:
            if isinstance(processor, BoundedBatchProcessor):
                processor.shutdown(max(deadline - time.monotonic(), 0.0))
            else:
                processor.shutdown()


#: Attributes Glassbox fills itself from bounded values (labels, counts, names given in
#: code): not content, and skipping them keeps the per-span cost of redaction small.
_STRUCTURAL_ATTRIBUTES = frozenset(
    {
        Attr.OPERATION, Attr.PROVIDER, Attr.REQUEST_MODEL, Attr.RESPONSE_MODEL,
        Attr.RESPONSE_ID, Attr.FINISH_REASONS, Attr.INPUT_TOKENS, Attr.OUTPUT_TOKENS,
        Attr.CACHE_READ_TOKENS, Attr.CACHE_WRITE_TOKENS, Attr.REASONING_TOKENS,
        Attr.TOOL_CALLS, Attr.ERROR_TYPE, Attr.SERVER_PORT, Attr.COST_USD, Attr.UNPRICED,
        Attr.STREAMING, Attr.TIME_TO_FIRST_CHUNK, Attr.CHUNKS, Attr.RETRIES,
        Attr.HTTP_METHOD, Attr.HTTP_ROUTE, Attr.HTTP_STATUS, Attr.REQUEST_ID,
        Attr.AGENT_NAME, Attr.TOOL_NAME, Attr.WORKFLOW_NAME, Attr.TASK_NAME,
        Attr.TOOL_CALL_NAMES, Attr.SERVER_ADDRESS,
    }
)  # fmt: skip


def redact_span(span: ReadableSpan, scrubber: Scrubber) -> ReadableSpan:
    """``span`` with its attributes, events and status description redacted.

    Returns the span itself when nothing needed redacting (the common case costs one
    redactor call per content attribute and no copy).
    """
    attributes = _redact_attributes(span.attributes, scrubber)
    events = span.events
    new_events = (
        [_redact_attributes(event.attributes, scrubber) for event in events] if events else []
    )
    status = span.status
    description = status.description
    new_description = scrubber.text(description) if description else description
    if (
        attributes is None
        and new_description == description
        and new_events.count(None) == len(new_events)
    ):
        return span
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes if attributes is not None else span.attributes,
        events=[
            Event(event.name, redacted, event.timestamp) if redacted is not None else event
            for event, redacted in zip(events, new_events, strict=True)
        ],
        links=span.links,
        kind=span.kind,
        status=Status(status.status_code, new_description),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _redact_attributes(attributes: Any, scrubber: Scrubber) -> dict[str, Any] | None:
    """Redacted copy of ``attributes``, or ``None`` if redaction changed nothing."""
    if not attributes:
        return None
    changed: dict[str, Any] | None = None
    # Keys first: most attributes are structural, and reading a value from the SDK's
    # BoundedAttributes (a MutableMapping, so .items() goes through the ABC) costs calls.
    for key in attributes:
        if key in _STRUCTURAL_ATTRIBUTES:
            continue
        value = attributes[key]
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            redacted: Any = scrubber.value(value, key)
        elif isinstance(value, tuple | list):
            redacted = tuple(scrubber.value(item, key) for item in value)
            if any(type(a) is not type(b) for a, b in zip(redacted, value, strict=True)):
                redacted = tuple(str(item) for item in redacted)  # OTel: one type per list
        else:
            continue
        if redacted != value or type(redacted) is not type(value):
            if changed is None:
                changed = dict(attributes)
            changed[key] = redacted
    return changed


class _Delegate(SpanProcessor):
    """The one processor Glassbox adds to a provider; forwards to the current runtime's.

    OpenTelemetry lets a process set its global provider once and never remove a
    processor, so a re-``init()`` swaps :attr:`targets` here instead of stacking processors.
    With a :attr:`scrubber` installed, every span — Glassbox's and those of any other
    instrumentation on this provider — is redacted before Glassbox's processors see it.
    """

    def __init__(self) -> None:
        self.targets: tuple[SpanProcessor, ...] = ()
        self.scrubber: Scrubber | None = None
        self.on_error: Callable[[str, BaseException], None] | None = None

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for target in self.targets:
            target.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        targets = self.targets
        if not targets:
            return
        scrubber = self.scrubber
        if scrubber is not None:
            try:
                span = redact_span(span, scrubber)
            except Exception as exc:  # fail closed: a span that cannot be redacted is dropped
                if self.on_error is not None:
                    self.on_error("span_redaction", exc)
                return
        for target in targets:
            target.on_end(span)

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(target.force_flush(timeout_millis) for target in self.targets)


_DELEGATES: dict[int, _Delegate] = {}
_OWN_PROVIDERS: list[TracerProvider] = []


def _delegate_for(provider: Any) -> _Delegate | None:
    delegate = _DELEGATES.get(id(provider))
    if delegate is None and hasattr(provider, "add_span_processor"):
        delegate = _DELEGATES[id(provider)] = _Delegate()
        provider.add_span_processor(delegate)
    return delegate


def _existing_provider() -> Any | None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        return None
    return provider


def setup_tracing(
    *,
    service_name: str,
    service_version: str | None,
    environment: str,
    otlp_endpoint: str | None,
    span_queue_size: int,
    keep_spans: int,
    on_drop: Callable[[int], None],
    version: str,
    exporter: SpanExporter | None = None,
) -> TracingSetup:
    """Join the application's tracer provider or create and register Glassbox's own.

    Args:
        exporter: Use this exporter instead of OTLP (tests).
    """
    processors: list[SpanProcessor] = []
    store = SpanStore(keep_spans) if keep_spans else None
    provider = _existing_provider()
    owned = provider is not None and any(provider is own for own in _OWN_PROVIDERS)
    if provider is None:
        attributes: dict[str, str] = {
            "service.name": service_name,
            "deployment.environment.name": environment,
        }
        if service_version:
            attributes["service.version"] = service_version
        # Resource.create merges OTEL_RESOURCE_ATTRIBUTES; explicit settings win.
        provider = TracerProvider(resource=Resource.create(attributes))
        trace.set_tracer_provider(provider)
        _OWN_PROVIDERS.append(provider)
        owned = True
    if owned:  # the application's own provider exports as the application configured it
        if exporter is None and otlp_endpoint is not None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=otlp_endpoint)
        if exporter is not None:
            processors.append(
                BoundedBatchProcessor(exporter, on_drop, max_queue_size=span_queue_size)
            )
    if store is not None:
        processors.append(store)
    delegate = _delegate_for(provider)
    if delegate is not None:
        delegate.targets = tuple(processors)
    tracer = lean_tracer(
        provider.get_tracer(INSTRUMENTATION_NAME, version), INSTRUMENTATION_NAME, version
    )
    return TracingSetup(tracer, provider, owned, processors, store, delegate)
