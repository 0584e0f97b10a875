"""HTTP clients (``httpx``, ``requests``, ``aiohttp``) through the official OpenTelemetry packages.

Glassbox does not re-implement HTTP client instrumentation: ``instrument=["httpx"]`` switches
on ``opentelemetry-instrumentation-httpx`` (and likewise ``-requests``,
``-aiohttp-client``), which create a ``CLIENT`` span per request and inject the W3C
``traceparent``/``tracestate``/``baggage`` headers, so the next service continues the trace.
Spans go to the global tracer provider: Glassbox's, or the application's own.

Provider SDK calls (``openai``, ``anthropic``) are already recorded as GenAI client spans by
Glassbox; while such a call runs, HTTP instrumentation is suppressed (see
:data:`SUPPRESS_HTTP_KEY`), so the request is not recorded a second time as a plain HTTP span.

An instrumentor that the application had already switched on itself is left as it is, and
``uninstrument`` leaves it on.
"""

from __future__ import annotations

import importlib
from typing import Any

from opentelemetry import context as otel_context

__all__ = [
    "HTTP_CLIENTS",
    "SUPPRESS_HTTP_KEY",
    "instrument_http_client",
    "uninstrument_http_client",
]

#: Library name -> (importable module of the library, the OpenTelemetry instrumentor's
#: module and class).
HTTP_CLIENTS: dict[str, tuple[str, str, str]] = {
    "httpx": ("httpx", "opentelemetry.instrumentation.httpx", "HTTPXClientInstrumentor"),
    "requests": ("requests", "opentelemetry.instrumentation.requests", "RequestsInstrumentor"),
    "aiohttp": (
        "aiohttp",
        "opentelemetry.instrumentation.aiohttp_client",
        "AioHttpClientInstrumentor",
    ),
}

#: The context key the official HTTP instrumentations check before recording a request
#: (``opentelemetry.instrumentation.utils.is_http_instrumentation_enabled``). It is defined
#: by ``opentelemetry-api``, a core dependency, so the provider integrations can set it
#: without the HTTP packages being installed.
SUPPRESS_HTTP_KEY: Any = getattr(otel_context, "_SUPPRESS_HTTP_INSTRUMENTATION_KEY", None)

# The libraries whose instrumentor Glassbox switched on (and so may switch off).
_OURS: set[str] = set()


def _instrumentor(name: str) -> Any:
    _, module, cls = HTTP_CLIENTS[name]
    try:
        found = importlib.import_module(module)
    except ImportError as exc:
        package = module.replace("opentelemetry.instrumentation.", "").replace("_", "-")
        raise ImportError(
            f"instrumenting {name!r} needs opentelemetry-instrumentation-{package}: "
            f"pip install 'glassbox[{name}]'"
        ) from exc
    return getattr(found, cls)()  # the instrumentors are singletons


def instrument_http_client(name: str) -> None:
    """Switch on the official OpenTelemetry instrumentation of the HTTP client ``name``.

    Idempotent; an instrumentation the application already switched on stays as it is.

    Raises:
        ImportError: The instrumentation package is not installed (names the extra).
        RuntimeError: The instrumentation declined the installed library version.
    """
    instrumentor = _instrumentor(name)
    if instrumentor.is_instrumented_by_opentelemetry:
        return
    instrumentor.instrument()
    if not instrumentor.is_instrumented_by_opentelemetry:
        # BaseInstrumentor declines (and logs why) when the library's version is outside
        # the range the instrumentation supports.
        raise RuntimeError(
            f"the OpenTelemetry instrumentation of {name!r} declined to instrument it "
            "(an unsupported library version?); see its log message"
        )
    _OURS.add(name)


def uninstrument_http_client(name: str) -> None:
    """Switch off what :func:`instrument_http_client` switched on; idempotent."""
    if name not in _OURS:
        return
    _OURS.discard(name)
    _instrumentor(name).uninstrument()
