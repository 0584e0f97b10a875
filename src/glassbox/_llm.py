"""``llm_call``: where an LLM call becomes a span, metrics, a cost and a log line.

Every provider integration goes through :class:`LLMCall`, so there is one mechanism for
all of them. The hot path is shaped by what it costs:

- ``start()`` opens a span and bumps the in-flight gauge; nothing else.
- ``chunk()`` is a timestamp and a list append (per-chunk intervals are observed in one
  batch when the call ends).
- ``end()`` records everything else, with metric children from the cache and prices
  resolved once per model.

Anything that fails inside Glassbox is caught and reported (counted, logged once); the
user's call proceeds and its exceptions propagate unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from time import perf_counter, time_ns
from types import TracebackType
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from glassbox import semconv
from glassbox._args import MAX_COUNT, BadValueError, as_count, as_flag, as_text
from glassbox._context import current_attributes
from glassbox._runtime import Runtime, current
from glassbox._spans import LeanSpan
from glassbox.semconv import Attr

__all__ = ["ERROR_KINDS", "LLMCall", "llm_call"]

#: The semconv event that carries captured prompts and completions.
CONTENT_EVENT = "gen_ai.client.inference.operation.details"
#: Re-exported from the contract, where the label's values are declared.
ERROR_KINDS = semconv.ERROR_KINDS

_SPAN_KIND_CLIENT = SpanKind.CLIENT
_ERROR_STATUS = StatusCode.ERROR
_C = semconv
#: The token kinds of :class:`~glassbox._cost.Cost`'s fields, in order.
_COST_KINDS = ("input", "output", "cache_read", "cache_write")
_STR_ONLY = frozenset({str})


# The series a finished call updates, by slot in a :class:`_Shape`.
(_DURATION, _FIRST_CHUNK, _PER_CHUNK, _USAGE_INPUT, _USAGE_OUTPUT, _UNPRICED) = range(6)
_TOKENS = 6  # + index in _TOKEN_KINDS
_TOKEN_KINDS = ("input", "output", "cache_read", "cache_write", "reasoning")
_COST = _TOKENS + len(_TOKEN_KINDS)  # + index in _COST_KINDS


def _address(slot: int, key: tuple[str, ...]) -> tuple[semconv.MetricSpec, tuple[str, ...]]:
    """The metric and label values of ``slot`` for a call of shape ``key``."""
    labels = key[:5]  # operation, provider, model, response model, error type
    if slot == _DURATION:
        return _C.LLM_DURATION, labels
    if slot == _FIRST_CHUNK:
        return _C.LLM_TIME_TO_FIRST_CHUNK, labels
    if slot == _PER_CHUNK:
        return _C.LLM_TIME_PER_OUTPUT_CHUNK, labels
    if slot in (_USAGE_INPUT, _USAGE_OUTPUT):
        return _C.LLM_TOKEN_USAGE, (*labels, "input" if slot == _USAGE_INPUT else "output")
    if slot == _UNPRICED:
        return _C.LLM_UNPRICED, key[:3]
    if slot < _COST:
        return _C.LLM_TOKENS, (*key[:3], _TOKEN_KINDS[slot - _TOKENS])
    return _C.LLM_COST, (*key[:3], _COST_KINDS[slot - _COST], *key[5:])


class _Shape:
    """The series every finished call of one shape updates, each looked up once.

    A shape is the labels of a call's duration plus its cost attribution (team, tenant,
    workload); a call finds its shape with one lookup instead of a lookup per series.
    Series are made when first needed, so a call that never reports, say, cache tokens
    adds no empty cache-token series. A shape with a label value the cardinality guard
    folded is never kept (:attr:`folded`): its calls go through the guard every time, as
    the guard counts every fold, and unbounded raw values cannot fill memory with shapes.
    """

    __slots__ = ("_key", "_metrics", "folded", "series")

    def __init__(self, metrics: Any, key: tuple[str, ...]) -> None:
        """``key``: the duration's labels, then the team, tenant and workload of the cost."""
        self._metrics = metrics
        self._key = key
        #: Whether a series of this shape had a label value folded (then it is not kept).
        self.folded = False
        #: The series by slot once made (``None`` before); read ``series[slot] or
        #: make(slot)`` — the hot path's one list index instead of a method call.
        self.series: list[Any] = [None] * (_COST + len(_COST_KINDS))

    def make(self, slot: int) -> Any:
        """The series of ``slot``, looked up (and kept unless a label value was folded)."""
        spec, values = _address(slot, self._key)
        series = self._metrics.series(spec, *values)
        if series.cached:
            self.series[slot] = series
        else:
            self.folded = True
        return series


def _wall_ns(at: float) -> int:
    """A :func:`time.perf_counter` reading as wall-clock nanoseconds (for span times)."""
    return time_ns() - int((perf_counter() - at) * 1e9)


def _names(names: Any) -> tuple[str, ...]:
    """A sequence of names as a tuple of strings (``TypeError`` if it is not iterable)."""
    if isinstance(names, str):
        return (names,)
    items: tuple[Any, ...] = tuple(names)
    if set(map(type, items)) <= _STR_ONLY:  # no Python-level loop when they are strings
        return items
    return tuple(as_text(name) for name in items)


class LLMCall:
    """One LLM call being recorded. Create it with :func:`glassbox.llm_call`.

    Use it as a context manager (``with`` or ``async with``), or call :meth:`start` and
    :meth:`end` yourself when the call outlives a block (a stream returned to the user).
    """

    __slots__ = (
        "_cache_read",
        "_cache_write",
        "_chunks",
        "_content",
        "_context_token",
        "_ended",
        "_error_type",
        "_finish_reasons",
        "_first_chunk",
        "_in_flight",
        "_input",
        "_intervals",
        "_last_chunk",
        "_output",
        "_reasoning",
        "_request",
        "_response_id",
        "_response_model",
        "_retries",
        "_rt",
        "_scope",
        "_server_address",
        "_server_port",
        "_span",
        "_t0",
        "_team",
        "_tenant",
        "_tool_calls",
        "_usage_set",
        "_workload",
        "model",
        "operation",
        "provider",
        "stream",
    )  # fmt: skip

    def __init__(
        self,
        runtime: Runtime,
        provider: str,
        model: str,
        operation: str,
        stream: bool,
        server_address: str | None = None,
        server_port: int | None = None,
        request: Mapping[str, Any] | None = None,
    ) -> None:
        self._rt = runtime
        self._server_address = server_address
        self._server_port = server_port
        self._request = request
        # The common case (plain str/bool from an integration) skips the converters.
        self.provider = provider if type(provider) is str else as_text(provider)
        self.model = model if type(model) is str else as_text(model)
        self.operation = operation if type(operation) is str else as_text(operation)
        self.stream = stream if type(stream) is bool else as_flag(stream)
        self._span: Any = None
        self._in_flight: Any = None
        self._context_token: Any = None
        self._t0 = 0.0
        self._ended = False
        self._error_type = ""
        self._response_model = ""
        self._response_id: str | None = None
        self._finish_reasons: Sequence[str] | None = None
        self._input = self._output = self._cache_read = self._cache_write = self._reasoning = 0
        self._usage_set = False
        self._content: dict[str, str] | None = None
        self._chunks = 0
        self._first_chunk = 0.0
        self._last_chunk = 0.0
        self._intervals: list[float] = []
        self._retries = 0
        self._tool_calls: Sequence[str] = ()
        self._team = self._tenant = self._workload = ""
        self._scope = ("", "")

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, *, _activate: bool = False, at: float | None = None) -> LLMCall:
        """Start timing and open the span. Raises only :class:`BudgetExceededError`.

        ``at`` (a past :func:`time.perf_counter` reading) back-dates the start, for an
        integration that learns of a call only when it ended (a framework's callback).
        """
        rt = self._rt
        attributes = current_attributes()
        if attributes:
            # Budgets are scoped by the raw team/tenant; the cost labels only by those
            # allow-listed as attribution labels.
            self._scope = (attributes.get("team", ""), attributes.get("tenant", ""))
            self._team = self._scope[0] if rt.attribute_team else ""
            self._tenant = self._scope[1] if rt.attribute_tenant else ""
            self._workload = attributes.get("workload", "") if rt.attribute_workload else ""
        if rt.budgets:
            rt.budgets.check(*self._scope)
        try:
            span_attributes: dict[str, Any] = {
                Attr.OPERATION: self.operation,
                Attr.PROVIDER: self.provider,
                Attr.REQUEST_MODEL: self.model,
            }
            if self._server_address:
                span_attributes[Attr.SERVER_ADDRESS] = self._server_address
            if self._server_port:
                span_attributes[Attr.SERVER_PORT] = self._server_port
            if self.stream:
                span_attributes[Attr.STREAMING] = True
            for key, value in attributes.items():
                span_attributes[Attr.ATTRIBUTE_PREFIX + key] = value
            span = rt.tracer.start_span(
                f"{self.operation} {self.model}",
                kind=_SPAN_KIND_CLIENT,
                attributes=span_attributes,
                start_time=None if at is None else _wall_ns(at),
            )
            self._span = span
            if _activate:
                self._context_token = otel_context.attach(trace.set_span_in_context(span))
            in_flight = rt.metrics.series(_C.LLM_IN_FLIGHT, self.provider, self.model)
            in_flight.inc()
            self._in_flight = in_flight
            if self._request:
                self.set_request(**self._request)
        except Exception as exc:
            rt.report_error("llm_call", exc)
        self._t0 = perf_counter() if at is None else at
        return self

    def __enter__(self) -> LLMCall:
        return self.start(_activate=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end(exc)

    async def __aenter__(self) -> LLMCall:
        return self.start(_activate=True)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end(exc)

    # --- what happened during the call ----------------------------------------------------

    def chunk(self, at: float | None = None) -> None:
        """Record one streamed chunk (cheap: a timestamp and an append); ``at``: when."""
        now = perf_counter() if at is None else at
        if self._chunks:
            self._intervals.append(now - self._last_chunk)
        else:
            self._first_chunk = now
        self._last_chunk = now
        self._chunks += 1

    def set_usage(
        self,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
        reasoning_tokens: int | None = None,
    ) -> None:
        """Record token usage; ``input_tokens`` includes cached ones, ``output_tokens`` reasoning.

        Values given as ``None`` keep what was set before, so a stream can report input
        usage early and output usage at its end.
        """
        count = self._count
        if input_tokens is not None:
            self._input = count("input_tokens", input_tokens, self._input)
        if output_tokens is not None:
            self._output = count("output_tokens", output_tokens, self._output)
        if cache_read_tokens is not None:
            self._cache_read = count("cache_read_tokens", cache_read_tokens, self._cache_read)
        if cache_write_tokens is not None:
            self._cache_write = count("cache_write_tokens", cache_write_tokens, self._cache_write)
        if reasoning_tokens is not None:
            self._reasoning = count("reasoning_tokens", reasoning_tokens, self._reasoning)
        self._usage_set = True

    def _count(self, what: str, value: Any, previous: int) -> int:
        """``value`` as a token count; a malformed one is reported and ``previous`` kept."""
        if type(value) is int and 0 <= value < MAX_COUNT:  # what client libraries send
            return value
        count = as_count(value)
        if count is None:
            self._rt.report_error(
                "llm_call", BadValueError(what, value, "a whole number of tokens, 0 or more")
            )
            return previous
        return count

    def set_response(
        self,
        *,
        model: str | None = None,
        response_id: str | None = None,
        finish_reasons: Sequence[str] | None = None,
    ) -> None:
        """Record what the response said about itself."""
        # An empty or missing value keeps what an earlier part of a stream said. Strings
        # and lists (the common case) are tested as they are, without the converters.
        if type(model) is str:
            if model:
                self._response_model = model
        elif as_flag(model):
            self._response_model = as_text(model)
        if type(response_id) is str:
            if response_id:
                self._response_id = response_id
        elif as_flag(response_id):
            self._response_id = as_text(response_id)
        if finish_reasons if type(finish_reasons) is list else as_flag(finish_reasons):
            try:
                self._finish_reasons = _names(finish_reasons)
            except Exception as exc:
                self._rt.report_error("llm_call", exc)

    def set_request(self, **parameters: Any) -> None:
        """Record request parameters (``temperature=…``) as ``gen_ai.request.*`` attributes."""
        span = self._span
        if span is None:
            return
        try:
            for key, value in parameters.items():
                if value is not None and isinstance(value, str | bool | int | float):
                    span.set_attribute(Attr.REQUEST_PREFIX + key, value)
        except Exception as exc:
            self._rt.report_error("llm_call", exc)

    def set_error(self, error_type: str) -> None:
        """Mark the call failed with a fixed error kind (see :data:`ERROR_KINDS`).

        Overrides the default ``error_type`` (the exception's class name) and marks the
        call failed even when no exception reaches :meth:`end` (a broken stream).
        """
        self._error_type = (error_type if isinstance(error_type, str) else "") or "other"

    def retry(self, *, rate_limited: bool = False) -> None:
        """Count one retry of the request (and a rate-limit response, if that caused it)."""
        rt = self._rt
        try:
            self._retries += 1
            rt.metrics.child(_C.LLM_RETRIES, self.provider, self.model).inc()
            if rate_limited:
                rt.metrics.child(_C.LLM_RATE_LIMITED, self.provider, self.model).inc()
        except Exception as exc:
            rt.report_error("llm_call", exc)

    def tool_calls(self, names: Sequence[str]) -> None:
        """Record the tool calls the model requested in its response."""
        try:
            self._tool_calls = _names(names)
        except Exception:
            self._rt.report_error(
                "llm_call", BadValueError("tool_calls", names, "a sequence of tool names")
            )

    @property
    def capture_enabled(self) -> bool:
        """Whether message content may be recorded (off unless enabled in ``init()``)."""
        return self._rt.capture_content and self._span is not None

    def capture_input(self, messages: Any) -> None:
        """Record input messages on the span, redacted, when capture is enabled."""
        self._capture(Attr.INPUT_MESSAGES, messages)

    def capture_output(self, messages: Any) -> None:
        """Record output messages on the span, redacted, when capture is enabled."""
        self._capture(Attr.OUTPUT_MESSAGES, messages)

    def _capture(self, attribute: str, content: Any) -> None:
        if not self.capture_enabled:
            return
        rt = self._rt
        try:
            text = content if isinstance(content, str) else json.dumps(content, default=str)
            if self._content is None:
                self._content = {}
            self._content[attribute] = text  # for the content event; redacted on its way out
            redactor = rt.redactor
            if redactor is not None:
                text = redactor.redact(text)
            self._span.set_attribute(attribute, text)
        except Exception as exc:  # fail closed: no content rather than raw content
            rt.report_error("content_capture", exc)

    @property
    def span(self) -> Any:
        """The OpenTelemetry span of this call (a non-recording span if tracing failed)."""
        return self._span if self._span is not None else trace.INVALID_SPAN

    # --- the end: everything is recorded here ---------------------------------------------

    def end(self, error: BaseException | None = None, *, at: float | None = None) -> None:
        """Finish the call: metrics, cost, span, log line (``at``: when). Idempotent."""
        if self._ended:
            return
        self._ended = True
        end = perf_counter() if at is None else at
        rt = self._rt
        try:
            self._record(rt, end - self._t0, error, None if at is None else _wall_ns(at))
        except Exception as exc:
            rt.report_error("llm_call", exc)
        finally:
            token = self._context_token
            if token is not None:
                self._context_token = None
                try:
                    otel_context.detach(token)
                except Exception as exc:
                    rt.report_error("llm_call", exc)

    def _record(
        self, rt: Runtime, duration: float, error: BaseException | None, end_ns: int | None
    ) -> None:
        metrics = rt.metrics
        provider, model, operation = self.provider, self.model, self.operation
        error_type = self._error_type
        if error is not None and not error_type:
            error_type = type(error).__qualname__
        span = self._span
        exemplar = None
        span_context = None
        if span is not None:
            span_context = span.get_span_context()
            if not span_context.is_valid:
                span_context = None
            elif rt.exemplars and span_context.trace_flags.sampled:
                exemplar = {"trace_id": format(span_context.trace_id, "032x")}
        if self._in_flight is not None:  # start() got as far as the in-flight increment
            self._in_flight.dec()
        key = (operation, provider, model, self._response_model, error_type,
               self._team, self._tenant, self._workload)  # fmt: skip
        shape: _Shape | None = metrics.recall(key)
        fresh = shape is None
        if shape is None:
            shape = _Shape(metrics, key)
        series = shape.series
        (series[_DURATION] or shape.make(_DURATION)).observe(duration, exemplar)

        if self._chunks:
            (series[_FIRST_CHUNK] or shape.make(_FIRST_CHUNK)).observe(
                self._first_chunk - self._t0, exemplar
            )
            if self._intervals:
                (series[_PER_CHUNK] or shape.make(_PER_CHUNK)).observe_many(self._intervals)

        cost_total: float | None = None
        if self._usage_set:
            cost_total = self._record_usage(rt, shape, exemplar)
        if self._tool_calls:
            metrics.child(_C.LLM_TOOL_CALLS, provider, model).inc(len(self._tool_calls))
        if error_type == "rate_limited":  # the final 429, which no retry() counted
            metrics.child(_C.LLM_RATE_LIMITED, provider, model).inc()
        if fresh and not shape.folded:
            metrics.keep(key, shape)

        if span is not None:
            self._finish_span(span, error, error_type, cost_total, end_ns)
        if rt.log_calls:
            self._log(rt, duration, error_type, cost_total, span_context, exemplar)
        if self._content:
            self._log_content(rt, span)

    def _record_usage(
        self, rt: Runtime, shape: _Shape, exemplar: dict[str, str] | None
    ) -> float | None:
        provider, model = self.provider, self.model
        series = shape.series
        (series[_USAGE_INPUT] or shape.make(_USAGE_INPUT)).observe(self._input)
        if self.operation != "embeddings" or self._output:
            (series[_USAGE_OUTPUT] or shape.make(_USAGE_OUTPUT)).observe(self._output)
        counts = (self._input, self._output, self._cache_read, self._cache_write, self._reasoning)
        for index, count in enumerate(counts):
            if count:
                (series[_TOKENS + index] or shape.make(_TOKENS + index)).inc(count)

        # Price by the versioned model that answered; fall back to the model requested.
        prices = rt.prices.prices(provider, self._response_model or model)
        if prices is None and self._response_model and self._response_model != model:
            prices = rt.prices.prices(provider, model)
        cost = (
            prices.cost(self._input, self._output, self._cache_read, self._cache_write)
            if prices is not None
            else None
        )
        if cost is None:
            (series[_UNPRICED] or shape.make(_UNPRICED)).inc()
            return None
        # One exemplar per call is enough to lead from a cost spike to its trace: put it on
        # the largest share (an exemplar costs about as much as the increment itself).
        largest = max(range(4), key=cost.__getitem__) if exemplar else -1
        for index, usd in enumerate(cost):
            if usd:
                (series[_COST + index] or shape.make(_COST + index)).inc(
                    usd, exemplar if index == largest else None
                )
        total = cost.total
        if rt.budgets:
            rt.budgets.record(total, *self._scope)
        return total

    def _finish_span(
        self,
        span: Any,
        error: BaseException | None,
        error_type: str,
        cost: float | None,
        end_ns: int | None,
    ) -> None:
        if span.is_recording():
            attributes: dict[str, Any] = {}
            if self._response_model:
                attributes[Attr.RESPONSE_MODEL] = self._response_model
            if self._response_id:
                attributes[Attr.RESPONSE_ID] = self._response_id
            if self._finish_reasons:
                attributes[Attr.FINISH_REASONS] = tuple(self._finish_reasons)
            if self._usage_set:
                attributes[Attr.INPUT_TOKENS] = self._input
                attributes[Attr.OUTPUT_TOKENS] = self._output
                if self._cache_read:
                    attributes[Attr.CACHE_READ_TOKENS] = self._cache_read
                if self._cache_write:
                    attributes[Attr.CACHE_WRITE_TOKENS] = self._cache_write
                if self._reasoning:
                    attributes[Attr.REASONING_TOKENS] = self._reasoning
                if cost is not None:
                    attributes[Attr.COST_USD] = cost
                else:
                    attributes[Attr.UNPRICED] = True
            if self._chunks:
                attributes[Attr.CHUNKS] = self._chunks
                attributes[Attr.TIME_TO_FIRST_CHUNK] = self._first_chunk - self._t0
            if self._tool_calls:
                attributes[Attr.TOOL_CALLS] = len(self._tool_calls)
                attributes[Attr.TOOL_CALL_NAMES] = tuple(self._tool_calls)
            if self._retries:
                attributes[Attr.RETRIES] = self._retries
            if error_type:
                attributes[Attr.ERROR_TYPE] = error_type
                span.set_status(
                    Status(_ERROR_STATUS, str(error) if error is not None else error_type)
                )
                if error is not None:
                    span.record_exception(error)
            if type(span) is LeanSpan:  # every value above is a str, number or tuple of str
                span.end_with(attributes, end_ns)
                return
            span.set_attributes(attributes)
        span.end(end_time=end_ns)

    def _log(
        self,
        rt: Runtime,
        duration: float,
        error_type: str,
        cost: float | None,
        span_context: Any,
        exemplar: dict[str, str] | None,
    ) -> None:
        fields: dict[str, Any] = {
            "provider": self.provider,
            "model": self.model,
            "operation": self.operation,
            "duration_s": round(duration, 6),
        }
        if self._usage_set:
            fields["input_tokens"] = self._input
            fields["output_tokens"] = self._output
            fields["cost_usd"] = cost
        if self._chunks:
            fields["chunks"] = self._chunks
        if span_context is not None:  # the call's own span, also when it is not current
            fields["trace_id"] = (
                exemplar["trace_id"] if exemplar else format(span_context.trace_id, "032x")
            )
            fields["span_id"] = format(span_context.span_id, "016x")
        emit = rt.logging.emit
        if error_type:
            fields["error_type"] = error_type
        if emit is not None:
            emit("warning" if error_type else "info", "gen_ai.call", fields)

    def _log_content(self, rt: Runtime, span: Any) -> None:
        """The semconv content event (capture on only): redacted by the logging chain.

        ``gen_ai.client.inference.operation.details`` carries the captured messages, so
        they reach the log store (Loki) too, not only the span. The log chain's redaction
        slot redacts them like any content field (fail closed), and the restricted raw
        stream, when enabled, receives them before redaction.
        """
        fields: dict[str, Any] = {
            "provider": self.provider,
            "model": self.model,
            "operation": self.operation,
            **(self._content or {}),
        }
        if span is not None:
            span_context = span.get_span_context()
            if span_context.is_valid:
                fields["trace_id"] = format(span_context.trace_id, "032x")
                fields["span_id"] = format(span_context.span_id, "016x")
        rt.log.info(CONTENT_EVENT, **fields)


class _NoopCall:
    """What :func:`llm_call` returns before ``init()``: same surface, records nothing."""

    capture_enabled = False
    span = trace.INVALID_SPAN

    def __init__(self, provider: str, model: str, operation: str, stream: bool) -> None:
        self.provider, self.model, self.operation, self.stream = provider, model, operation, stream

    def start(self, **_: Any) -> _NoopCall:
        return self

    def end(self, error: BaseException | None = None, **_: Any) -> None:
        return None

    def __enter__(self) -> _NoopCall:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    async def __aenter__(self) -> _NoopCall:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    def chunk(self, at: float | None = None) -> None:
        return None

    def set_usage(self, **_: Any) -> None:
        return None

    def set_response(self, **_: Any) -> None:
        return None

    def set_request(self, **_: Any) -> None:
        return None

    def set_error(self, error_type: str) -> None:
        return None

    def retry(self, *, rate_limited: bool = False) -> None:
        return None

    def tool_calls(self, names: Sequence[str]) -> None:
        return None

    def capture_input(self, messages: Any) -> None:
        return None

    def capture_output(self, messages: Any) -> None:
        return None


def llm_call(
    provider: str,
    model: str,
    operation: str = "chat",
    *,
    stream: bool = False,
    server_address: str | None = None,
    server_port: int | None = None,
    request: Mapping[str, Any] | None = None,
) -> LLMCall:
    """Record one LLM call: duration, tokens, time to first chunk, cost, errors, a span.

    Args:
        provider: GenAI provider name (``openai``, ``anthropic``, …).
        model: The model named in the request.
        operation: GenAI operation (``chat``, ``embeddings``, ``text_completion``, …).
        stream: Whether the response streams (enables chunk timing).
        server_address: Host of the API endpoint, for the span.
        server_port: Port of the API endpoint, for the span.
        request: Request parameters recorded as ``gen_ai.request.*`` span attributes.

    Returns:
        An :class:`LLMCall`: a sync and async context manager. Before ``init()`` it is a
        stand-in that records nothing.

    Example::

        with glassbox.llm_call(provider="openai", model="gpt-4o-mini") as call:
            response = client.chat.completions.create(...)
            call.set_usage(input_tokens=response.usage.prompt_tokens,
                           output_tokens=response.usage.completion_tokens)
    """
    runtime = current()
    if runtime is None:
        return _NoopCall(provider, model, operation, stream)  # type: ignore[return-value]
    return LLMCall(
        runtime, provider, model, operation, stream, server_address, server_port, request
    )
