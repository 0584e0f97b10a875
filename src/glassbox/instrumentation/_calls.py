"""The wrapper every patched ``create`` method becomes (sync and async), provider-neutral."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace

from glassbox._llm import llm_call
from glassbox._runtime import current
from glassbox.instrumentation._common import (
    CURRENT_CALL,
    ErrorKinds,
    StreamObserver,
    claim_framework_call,
    finish_call,
    instrument_stream,
    report,
    start_call,
)
from glassbox.instrumentation._http import SUPPRESS_HTTP_KEY
from glassbox.typing import LLMCallRecorder

__all__ = ["Endpoint", "wrap_async", "wrap_sync"]

_SERVERS: dict[int, tuple[Any, str | None, int | None]] = {}


def server_of(resource: Any) -> tuple[str | None, int | None]:
    """Host and port of the API a resource's client talks to (cached per base URL)."""
    url = resource._client.base_url
    entry = _SERVERS.get(id(url))
    if entry is None or entry[0] is not url:
        if len(_SERVERS) > 256:
            _SERVERS.clear()
        entry = (url, url.host or None, url.port)
        _SERVERS[id(url)] = entry
    return entry[1], entry[2]


@dataclass(frozen=True)
class Endpoint:
    """How one client method is recorded.

    Attributes:
        provider: ``gen_ai.provider.name``.
        operation: ``gen_ai.operation.name``.
        kinds: The library's error classification.
        params: ``(keyword argument, gen_ai.request.* suffix)`` pairs recorded on the span.
        record: Records a non-streamed result on the call.
        observer: Builds the stream observer of a streamed call (``None``: never streams).
        capture_input: The content to capture from the keyword arguments, if enabled.
        capture_output: The content to capture from a non-streamed result, if enabled.
    """

    provider: str
    operation: str
    kinds: ErrorKinds
    params: tuple[tuple[str, str], ...]
    record: Callable[[Any, Any], None]
    observer: Callable[[Any], StreamObserver] | None = None
    capture_input: Callable[[dict[str, Any]], Any] | None = None
    capture_output: Callable[[Any], Any] | None = None
    component: str = "instrumentation"


def _new_call(
    endpoint: Endpoint, resource: Any, kwargs: dict[str, Any], stream: bool
) -> LLMCallRecorder:
    model = kwargs.get("model")
    host, port = server_of(resource)
    request = {name: kwargs[key] for key, name in endpoint.params if key in kwargs}
    return llm_call(
        endpoint.provider,
        model if isinstance(model, str) else "unknown",
        endpoint.operation,
        stream=stream,
        server_address=host,
        server_port=port,
        request=request or None,
    )


def _begin(
    endpoint: Endpoint, resource: Any, kwargs: dict[str, Any], stream: bool
) -> tuple[Any, Any, Any]:
    """Start the call, make its span current and register it for retry counting.

    HTTP client instrumentation is suppressed inside the call: the GenAI span already
    records the request, and a second, plain HTTP span would duplicate it.
    """
    call = start_call(endpoint.component, _new_call, endpoint, resource, kwargs, stream)
    if call is None:
        return None, None, None
    claim_framework_call()
    try:
        if endpoint.capture_input is not None and call.capture_enabled:
            call.capture_input(endpoint.capture_input(kwargs))
        context = trace.set_span_in_context(call.span)
        if SUPPRESS_HTTP_KEY is not None:  # the call's span is its HTTP request's record
            context = otel_context.set_value(SUPPRESS_HTTP_KEY, True, context)
        context_token = otel_context.attach(context)
    except Exception as exc:
        report(endpoint.component, exc)
        context_token = None
    return call, context_token, CURRENT_CALL.set(call)


def _leave(context_token: Any, call_token: Any) -> None:
    CURRENT_CALL.reset(call_token)
    if context_token is not None:
        try:
            otel_context.detach(context_token)
        except Exception as exc:
            report("instrumentation", exc)


def _complete(endpoint: Endpoint, call: LLMCallRecorder, result: Any, stream: bool) -> Any:
    """Record a returned result; a stream is instrumented and the call ends with it."""
    if stream and endpoint.observer is not None:
        try:
            return instrument_stream(result, call, endpoint.observer(call), endpoint.kinds)
        except Exception as exc:
            report(endpoint.component, exc)
            finish_call(call, None, endpoint.kinds)
            return result
    try:
        endpoint.record(call, result)
        if endpoint.capture_output is not None and call.capture_enabled:
            call.capture_output(endpoint.capture_output(result))
    except Exception as exc:
        report(endpoint.component, exc)
    finish_call(call, None, endpoint.kinds)
    return result


def _is_raw(result: Any) -> bool:
    """Whether ``result`` is a ``with_raw_response`` wrapper (LangChain asks for those).

    The parsed result, a pydantic model, is answered from its class: ``hasattr`` on the
    instance goes through pydantic's ``__getattr__``, which raises for a missing name,
    and raising cost more than the rest of this wrapper's checks together.
    """
    kind = type(result)
    if getattr(kind, "model_fields", None) is not None:  # a pydantic model: parsed already
        return False
    return hasattr(result, "http_response") and callable(getattr(result, "parse", None))


def _parse_failed(endpoint: Endpoint, call: LLMCallRecorder, exc: Exception) -> None:
    """The body did not parse: the application's own ``parse()`` will raise the same."""
    finish_call(call, exc, endpoint.kinds)


def wrap_sync(endpoint: Endpoint) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A patch factory: the instrumented version of a synchronous ``create``."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            if current() is None:
                return original(self, *args, **kwargs)
            stream = kwargs.get("stream") is True
            call, context_token, call_token = _begin(endpoint, self, kwargs, stream)
            if call is None:
                return original(self, *args, **kwargs)
            try:
                result = original(self, *args, **kwargs)
            except BaseException as exc:
                _leave(context_token, call_token)
                finish_call(call, exc, endpoint.kinds)
                raise
            _leave(context_token, call_token)
            if _is_raw(result):  # parse() caches: the application gets the same object
                try:
                    parsed = result.parse()
                except Exception as exc:
                    _parse_failed(endpoint, call, exc)
                    return result
                _complete(endpoint, call, parsed, stream)
                return result
            return _complete(endpoint, call, result, stream)

        return create

    return make


def wrap_async(endpoint: Endpoint) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A patch factory: the instrumented version of an asynchronous ``create``."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        async def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            if current() is None:
                return await original(self, *args, **kwargs)
            stream = kwargs.get("stream") is True
            call, context_token, call_token = _begin(endpoint, self, kwargs, stream)
            if call is None:
                return await original(self, *args, **kwargs)
            try:
                result = await original(self, *args, **kwargs)
            except BaseException as exc:
                _leave(context_token, call_token)
                finish_call(call, exc, endpoint.kinds)
                raise
            _leave(context_token, call_token)
            if _is_raw(result):  # parse() caches: the application gets the same object
                try:
                    parsed = result.parse()
                    if inspect.isawaitable(parsed):
                        parsed = await parsed
                except Exception as exc:
                    _parse_failed(endpoint, call, exc)
                    return result
                _complete(endpoint, call, parsed, stream)
                return result
            return _complete(endpoint, call, result, stream)

        return create

    return make
