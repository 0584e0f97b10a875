"""Lean spans: Glassbox's own spans, kept in a plain dict and built once when they end.

The SDK's span is general: a lock, attribute limits enforced on every ``set_attribute``
through ``BoundedAttributes``, self-observability hooks. On the hot path of an LLM call
that machinery cost more than everything else Glassbox records (about 25 µs of the
SDK's 30 µs for a span with ten attributes; ``bench/bench_openai.py``). A
:class:`LeanSpan` keeps its attributes in a plain dict while they need no cleaning and
hands the provider's span processor a finished
:class:`~opentelemetry.sdk.trace.ReadableSpan` — the same object, with the same ids,
resource, scope, limits and sampling decision, that the SDK would have built.

:class:`LeanTracer` works on any SDK ``TracerProvider`` (Glassbox's own or the
application's) through the SDK tracer's public parts — ``sampler``, ``id_generator``,
``resource``, ``span_processor`` — so every processor on the provider sees Glassbox's
spans as it sees any other: ``on_start`` with the live span (which offers the SDK
span's read-only properties too), ``on_end`` with the finished one. Where that is not
possible (a provider that is not the SDK's, the SDK's internal span metrics switched
on) :func:`lean_tracer` returns the SDK's tracer unchanged.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from time import time_ns
from types import MappingProxyType, TracebackType
from typing import Any

from opentelemetry import trace
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanLimits
from opentelemetry.sdk.trace.sampling import DEFAULT_ON, Decision
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags

__all__ = ["LeanSpan", "LeanTracer", "lean_tracer"]

_SAMPLED = TraceFlags.SAMPLED
_RANDOM_TRACE_ID = getattr(TraceFlags, "RANDOM_TRACE_ID", 0)  # W3C level 2 (SDK ≥ 1.45)
_UNSET = StatusCode.UNSET
#: Every span starts with this one (a ``Status`` has no setters; the SDK shares it too).
_UNSET_STATUS = Status(_UNSET)
_OK = StatusCode.OK
_PRIMITIVES = (str, bool, int, float)


_ODD = object()


def _flat(value: Any) -> Any:
    """A list or tuple of primitives as the tuple the SDK would store; anything else odd.

    (Finish reasons and tool names are lists: they must not leave the fast path.)
    """
    kind = type(value)
    if (kind is list or kind is tuple) and all(type(item) in _PRIMITIVES for item in value):
        return tuple(value)
    return _ODD


class LeanSpan(trace.Span):
    """A recording span that becomes a ``ReadableSpan`` once, when it ends.

    Same behaviour as the SDK's span for everything Glassbox and the OpenTelemetry API
    do with a span (attributes, events, links, status, exceptions, ``end`` once); limits
    (``OTEL_SPAN_*``/``OTEL_ATTRIBUTE_*``) are applied when it ends.
    """

    __slots__ = (
        "_attributes", "_bounded", "_context", "_end", "_ended", "_events", "_kind", "_links",
        "_name", "_parent", "_room", "_start", "_status", "_tracer",
    )  # fmt: skip

    def __init__(
        self,
        tracer: LeanTracer,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        kind: SpanKind,
        attributes: Mapping[str, Any] | None,
        links: Sequence[Link],
        start_time: int,
    ) -> None:
        self._tracer = tracer
        limits = tracer.limits
        #: Attributes go into a plain dict while every key is a non-empty string, every
        #: value a primitive and the count under the limit; the first that is not (or a
        #: value length limit) switches the span to the SDK's ``BoundedAttributes``, which
        #: cleans, truncates, evicts and counts drops exactly as the SDK's span does.
        self._room = _max(limits.max_span_attributes) if not limits.max_span_attribute_length else 0
        self._attributes: dict[str, Any] | BoundedAttributes = {}
        self._bounded = False
        self._name = name
        self._context = context
        self._parent = parent
        self._kind = kind
        self._links = links
        self._events: list[Event] | None = None
        self._status = _UNSET_STATUS
        self._start = start_time
        self._end = 0
        self._ended = False
        if attributes:
            self.set_attributes(attributes)

    def get_span_context(self) -> SpanContext:
        return self._context

    # What a processor's ``on_start`` may read of an SDK span (read-only, as there).
    @property
    def name(self) -> str:
        return self._name

    @property
    def context(self) -> SpanContext:
        return self._context

    @property
    def parent(self) -> SpanContext | None:
        return self._parent

    @property
    def kind(self) -> SpanKind:
        return self._kind

    @property
    def attributes(self) -> Mapping[str, Any]:
        return MappingProxyType(dict(self._attributes))

    @property
    def start_time(self) -> int:
        return self._start

    @property
    def end_time(self) -> int | None:
        return self._end if self._ended else None

    @property
    def status(self) -> Status:
        return self._status

    @property
    def instrumentation_scope(self) -> InstrumentationScope:
        return self._tracer.scope

    def is_recording(self) -> bool:
        return not self._ended

    def set_attribute(self, key: str, value: Any) -> None:
        if self._ended:
            return
        own = self._attributes
        if not self._bounded:
            flat = value if type(value) in _PRIMITIVES else _flat(value)
            if flat is not _ODD and type(key) is str and key:
                if key in own:
                    del own[key]  # the SDK moves an updated key to the end (eviction order)
                if len(own) < self._room:
                    own[key] = flat
                    return
            own = self._bound()
        own[key] = value

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        if self._ended:
            return
        if not self._bounded:
            own = self._attributes
            room = self._room
            for key, value in attributes.items():
                flat = value if type(value) in _PRIMITIVES else _flat(value)
                if flat is not _ODD and type(key) is str and key:
                    if key in own:
                        del own[key]
                    if len(own) < room:
                        own[key] = flat
                        continue
                self._bound()
                self._set_bounded(dict(attributes))
                return
            return
        self._set_bounded(attributes)

    def _bound(self) -> BoundedAttributes:
        """Switch to the SDK's attribute container (the plain dict so far is all clean)."""
        limits = self._tracer.limits
        bounded = BoundedAttributes(
            limits.max_span_attributes,
            self._attributes,
            immutable=False,
            max_value_len=limits.max_span_attribute_length,
        )
        self._attributes = bounded
        self._bounded = True
        return bounded

    def _set_bounded(self, attributes: Mapping[str, Any]) -> None:
        """Many attributes into the bounded container, as the SDK's ``set_attributes`` does.

        The SDK cleans the whole mapping first (dropping invalid keys, counted) and then
        sets each item; a ``BoundedAttributes`` built from the mapping is that cleaning.
        """
        bounded = self._attributes
        assert isinstance(bounded, BoundedAttributes)
        cleaned = BoundedAttributes(None, attributes)
        bounded.dropped += len(attributes) - len(cleaned)
        for key, value in cleaned.items():
            bounded[key] = value

    def add_event(
        self, name: str, attributes: Mapping[str, Any] | None = None, timestamp: int | None = None
    ) -> None:
        if self._ended:
            return
        limits = self._tracer.limits
        cleaned = BoundedAttributes(
            limits.max_event_attributes, attributes, max_value_len=limits.max_attribute_length
        )
        event = Event(name, cleaned, timestamp if timestamp is not None else time_ns())
        if self._events is None:
            self._events = []
        self._events.append(event)

    def add_link(self, context: SpanContext, attributes: Mapping[str, Any] | None = None) -> None:
        if self._ended or not _valid_link(context, attributes):
            return
        self._links = (*self._links, self._tracer.link(context, attributes))

    def update_name(self, name: str) -> None:
        if not self._ended:
            self._name = name

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        if self._ended or self._status.status_code is _OK:
            return
        if isinstance(status, Status):
            if status.status_code is not _UNSET:
                self._status = status
        elif status is not _UNSET:
            self._status = Status(status, description)

    def record_exception(
        self,
        exception: BaseException,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """The exception as an ``exception`` event, as the SDK records it."""
        module = type(exception).__module__
        qualname = type(exception).__qualname__
        full_name = f"{module}.{qualname}" if module and module != "builtins" else qualname
        values: dict[str, Any] = {
            "exception.type": full_name,
            "exception.message": str(exception),
            "exception.stacktrace": "".join(traceback.format_exception(exception)),
            "exception.escaped": str(escaped),
        }
        if attributes:
            values.update(attributes)
        self.add_event("exception", values, timestamp)

    def end_with(self, attributes: dict[str, Any], end_time: int | None = None) -> None:
        """End with Glassbox's own final attributes in one dictionary update.

        For callers that build ``attributes`` themselves from string keys and primitive
        or tuple values (``llm_call``): under the count limit there is nothing to clean
        or evict, so the per-attribute checks of :meth:`set_attributes` are skipped.
        """
        if self._ended:
            return
        own = self._attributes
        if not self._bounded and len(own) + len(attributes) <= self._room:
            own.update(attributes)
        else:
            self.set_attributes(attributes)
        self.end(end_time)

    def end(self, end_time: int | None = None) -> None:
        if self._ended:
            return
        self._ended = True
        self._end = end_time if end_time is not None else time_ns()
        self._tracer.finish(self)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if exc_val is not None and not self._ended:
            self.record_exception(exc_val, escaped=True)
            self.set_status(Status(StatusCode.ERROR, f"{type(exc_val).__name__}: {exc_val}"))
        self.end()

    def readable(
        self, resource: Any, scope: InstrumentationScope, limits: SpanLimits, info: Any = None
    ) -> ReadableSpan:
        """The finished span, with the configured limits applied."""
        events: Sequence[Event] = self._events or ()
        if len(events) > _max(limits.max_events):
            events = events[len(events) - _max(limits.max_events) :]
        return ReadableSpan(
            name=self._name,
            context=self._context,
            parent=self._parent,
            resource=resource,
            attributes=self._attributes,
            events=tuple(events),
            links=tuple(self._links),
            kind=self._kind,
            status=self._status,
            start_time=self._start,
            end_time=self._end,
            instrumentation_scope=scope,
            instrumentation_info=info,  # deprecated in the SDK, still read by old exporters
        )


def _valid_link(context: SpanContext | None, attributes: Mapping[str, Any] | None) -> bool:
    """The SDK's rule: a valid context, or one that carries attributes or a trace state."""
    return bool(context and (context.is_valid or attributes or context.trace_state))


def _max(limit: int | None) -> int:
    return limit if limit is not None else 1 << 62


class LeanTracer(trace.Tracer):
    """A tracer that makes :class:`LeanSpan` objects from an SDK tracer's parts.

    Sampling, ids, resource, limits and processors are the SDK tracer's (``sdk``), read
    on every span, so a provider reconfigured later (a processor added, a resource
    updated after ``fork()``) is followed. Build it with :func:`lean_tracer`.
    """

    def __init__(self, sdk: Any, name: str, version: str) -> None:
        self._sdk = sdk
        #: The instrumentation scope of every span this tracer makes.
        self.scope = InstrumentationScope(name, version)
        limits = getattr(sdk, "_span_limits", None)  # the provider's, when it has them
        #: The span limits (the provider's; from the environment otherwise).
        self.limits: SpanLimits = limits if isinstance(limits, SpanLimits) else SpanLimits()
        enabled = getattr(sdk, "_is_enabled", None)
        self._enabled: Callable[[], bool] | None = enabled if callable(enabled) else None
        #: Told about a span that could not be finished (a bug: the span is lost).
        self.on_error: Callable[[str, BaseException], None] | None = None

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[Link] | None = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace.Span:
        sdk = self._sdk
        if self._enabled is not None and not self._enabled():  # a tracer configurator
            return self._fallback_span(name, context, kind, attributes, links, start_time)
        links = links or ()
        parent: SpanContext | None = trace.get_current_span(context).get_span_context()
        ids = sdk.id_generator
        if parent is not None and parent.is_valid:
            trace_id = parent.trace_id
            random_id = parent.trace_flags & _RANDOM_TRACE_ID
        else:
            parent = None
            trace_id = ids.generate_trace_id()
            random_id = _RANDOM_TRACE_ID if ids.is_trace_id_random() else 0
        sampler = sdk.sampler
        if sampler is DEFAULT_ON:  # the default, decided here as it decides (no result object)
            decision = (
                Decision.RECORD_AND_SAMPLE
                if parent is None or parent.trace_flags.sampled
                else Decision.DROP
            )
            trace_state = parent.trace_state if parent is not None else None
            initial = attributes
        else:
            sampling = sampler.should_sample(context, trace_id, name, kind, attributes, links)
            decision, trace_state, initial = (
                sampling.decision,
                sampling.trace_state,
                sampling.attributes,
            )
        sampled = _SAMPLED if decision is Decision.RECORD_AND_SAMPLE else 0
        span_context = SpanContext(
            trace_id,
            ids.generate_span_id(),
            is_remote=False,
            trace_flags=TraceFlags(sampled | random_id),
            trace_state=trace_state,
        )
        if decision is Decision.DROP:
            return trace.NonRecordingSpan(span_context)
        span = LeanSpan(
            self,
            name,
            span_context,
            parent,
            kind,
            initial,
            tuple(
                self.link(x.context, x.attributes)
                for x in links
                if _valid_link(x.context, x.attributes)
            )
            if links
            else (),  # most spans have none: no generator to build
            start_time if start_time is not None else time_ns(),
        )
        sdk.span_processor.on_start(span, parent_context=context)
        return span

    def _fallback_span(
        self,
        name: str,
        context: Context | None,
        kind: SpanKind,
        attributes: Mapping[str, Any] | None,
        links: Sequence[Link] | None,
        start_time: int | None,
    ) -> trace.Span:
        span: trace.Span = self._sdk.start_span(name, context, kind, attributes, links, start_time)
        return span

    def link(self, context: SpanContext, attributes: Mapping[str, Any] | None) -> Link:
        """A link with its attributes cleaned and limited as the SDK does."""
        limits = self.limits
        return Link(
            context,
            BoundedAttributes(
                limits.max_link_attributes,
                attributes,
                max_value_len=limits.max_attribute_length,
                immutable=True,
            ),
        )

    @contextmanager
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        links: Sequence[Link] | None = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[trace.Span]:
        span = self.start_span(name, context, kind, attributes, links, start_time)
        with trace.use_span(
            span,
            end_on_exit=end_on_exit,
            record_exception=record_exception,
            set_status_on_exception=set_status_on_exception,
        ) as current:
            yield current

    def finish(self, span: LeanSpan) -> None:
        """Hand a finished span to Glassbox's processor (never raises into the caller)."""
        try:
            sdk = self._sdk
            finished = span.readable(
                sdk.resource, self.scope, self.limits, getattr(sdk, "instrumentation_info", None)
            )
            self._sdk.span_processor.on_end(finished)
        except Exception as exc:  # nothing may escape end() into the application
            if self.on_error is not None:
                self.on_error("tracing", exc)


def lean_tracer(sdk: trace.Tracer, name: str, version: str) -> trace.Tracer:
    """A :class:`LeanTracer` over the SDK tracer ``sdk``, or ``sdk`` if it cannot be one.

    It cannot when ``sdk`` is not the SDK's tracer (no public ``span_processor``,
    ``sampler``, ``id_generator``, ``resource``: a vendor's provider, a no-op tracer when
    ``OTEL_SDK_DISABLED`` is set) or when the SDK's own span metrics are switched on
    (``OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED``), which only its tracer records.
    """
    needed = ("span_processor", "sampler", "id_generator", "resource")
    if not all(hasattr(sdk, attribute) for attribute in needed):
        return sdk
    if os.environ.get("OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED", "").strip().lower() == "true":
        return sdk
    return LeanTracer(sdk, name, version)
