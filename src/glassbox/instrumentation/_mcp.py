"""MCP (the official ``mcp`` SDK, 2.x): tool calls in the trace, MCP metrics on both sides.

The ``mcp`` 2.x SDK already carries the W3C context in ``params._meta`` (``traceparent``,
``tracestate`` and — through the global propagator — ``baggage``) on every client request,
over every transport, and opens a ``SERVER`` span that continues it. Glassbox does not do
that a second time; ``instrument=["mcp"]`` adds what is missing:

- **Metrics**: ``mcp_client_operation_duration_seconds`` around
  ``ClientSession.send_request`` and ``mcp_server_operation_duration_seconds`` in a
  server middleware, by ``mcp_method_name``, ``gen_ai_tool_name`` and ``error_type``
  (the JSON-RPC error code, the exception class, or ``tool_error`` for a tool result
  with ``isError`` — so failed tool calls are counted).
- **Baggage**: the SDK parents its server span on ``_meta`` but runs the handler in the
  server's own context, so ``baggage`` sent by the client would not reach the tool; the
  middleware makes the caller's whole context (trace and baggage) current.
- **HTTP headers**: a request whose ``_meta`` has no ``traceparent`` but whose HTTP
  request does (a client that only sets headers, a gateway in between) continues that.
- **Span names**: the SDK names its client span ``MCP send {method} {target}``; it is
  renamed to the semantic conventions' ``{mcp.method.name} {target}``, with
  ``gen_ai.tool.name``/``gen_ai.operation.name`` on tool calls.

The server middleware is added to every ``mcp.server.lowlevel.Server`` (and so every
``MCPServer``) created after ``instrument_mcp()``: instrument before building servers.

Cost per request: two clock reads, a cached histogram child, and one attribute check.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagate import extract
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from glassbox import semconv
from glassbox._runtime import current
from glassbox.instrumentation._common import Patches, report
from glassbox.semconv import Attr, MetricSpec

__all__ = ["instrument_mcp", "uninstrument_mcp"]

_PATCHES = Patches()
_SDK_SCOPE = "mcp-python-sdk"
_SDK_CLIENT_PREFIX = "MCP send "
TOOL_ERROR = "tool_error"
_CLIENT = semconv.MCP_CLIENT_DURATION
_SERVER = semconv.MCP_SERVER_DURATION


def _method_and_tool(method: Any, params: Any) -> tuple[str, str]:
    name = params.get("name") if isinstance(params, Mapping) else getattr(params, "name", None)
    method = method if isinstance(method, str) else ""
    return method, name if method == "tools/call" and isinstance(name, str) else ""


def _is_tool_error(result: Any) -> bool:
    if isinstance(result, Mapping):
        return result.get("isError") is True
    return getattr(result, "is_error", False) is True


def _error_type(exc: BaseException) -> str:
    error = getattr(exc, "error", None)  # mcp.shared.exceptions.MCPError carries ErrorData
    code = getattr(error, "code", None)
    return str(code) if isinstance(code, int) else type(exc).__qualname__


def _observe(spec: MetricSpec, method: str, tool: str, error_type: str, seconds: float) -> None:
    rt = current()
    if rt is None:
        return
    try:
        span_context = trace.get_current_span().get_span_context()
        exemplar = None
        if rt.exemplars and span_context.trace_flags.sampled:
            exemplar = {"trace_id": format(span_context.trace_id, "032x")}
        rt.metrics.child(spec, method, tool, error_type).observe(seconds, exemplar)
    except Exception as exc:
        report("mcp", exc)


# --- client --------------------------------------------------------------------------------


def _wrap_send_request(original: Callable[..., Any]) -> Callable[..., Any]:
    async def send_request(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if current() is None:
            return await original(self, request, *args, **kwargs)
        method, tool = _method_and_tool(
            getattr(request, "method", None), getattr(request, "params", None)
        )
        started = perf_counter()
        try:
            result = await original(self, request, *args, **kwargs)
        except BaseException as exc:
            _observe(
                _CLIENT,
                method,
                tool,
                _error_type(exc),
                perf_counter() - started,
            )
            raise
        error_type = TOOL_ERROR if _is_tool_error(result) else ""
        _observe(_CLIENT, method, tool, error_type, perf_counter() - started)
        return result

    return send_request


# --- server --------------------------------------------------------------------------------


_PROPAGATION_KEYS = ("traceparent", "tracestate", "baggage")


def _incoming_context(ctx: Any) -> Context | None:
    """The caller's context (trace and baggage): from ``_meta``, else from HTTP headers."""
    meta = getattr(ctx, "meta", None)
    carrier: Mapping[str, Any] | None = None
    if isinstance(meta, Mapping) and any(key in meta for key in _PROPAGATION_KEYS):
        carrier = meta
    else:
        headers = getattr(getattr(ctx, "request", None), "headers", None)
        if headers is not None and "traceparent" in headers:
            carrier = {key.lower(): value for key, value in headers.items()}
    if carrier is None:
        return None
    return extract(carrier)


class ServerMiddleware:
    """An ``mcp`` context-tier server middleware: metrics, baggage, the HTTP-header fallback.

    It runs outermost, before the SDK's own OpenTelemetry middleware, and makes the
    caller's context current for the whole request: from HTTP headers it becomes the
    parent of the SDK's ``SERVER`` span, and its baggage — which the SDK uses only for
    the parent span, not as the handler's context — reaches the tool.
    """

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Any]) -> Any:
        if current() is None or getattr(ctx, "request_id", None) is None:  # notifications
            return await call_next(ctx)
        token = None
        try:
            parent = _incoming_context(ctx)
            if parent is not None:
                token = otel_context.attach(parent)
            method, tool = _method_and_tool(ctx.method, ctx.params)
        except Exception as exc:
            report("mcp", exc)
            method, tool = "", ""
        started = perf_counter()
        error_type = ""
        try:
            result = await call_next(ctx)
            if _is_tool_error(result):
                error_type = TOOL_ERROR
            return result
        except BaseException as exc:
            error_type = _error_type(exc)
            raise
        finally:
            _observe(_SERVER, method, tool, error_type, perf_counter() - started)
            if token is not None:
                otel_context.detach(token)


_MIDDLEWARE = ServerMiddleware()


def _wrap_server_init(original: Callable[..., Any]) -> Callable[..., Any]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        try:
            middleware = getattr(self, "middleware", None)
            if isinstance(middleware, list) and _MIDDLEWARE not in middleware:
                middleware.insert(0, _MIDDLEWARE)
        except Exception as exc:
            report("mcp", exc)

    return __init__


# --- span names ------------------------------------------------------------------------------


class _SpanNames(SpanProcessor):
    """Renames the SDK's client spans to the semantic conventions' ``{method} {target}``."""

    def __init__(self) -> None:
        self.active = False

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if not self.active or not span.name.startswith(_SDK_CLIENT_PREFIX):
            return
        scope = span.instrumentation_scope
        if scope is None or scope.name != _SDK_SCOPE:
            return
        try:
            target = span.name[len(_SDK_CLIENT_PREFIX) :]
            span.update_name(target)
            method, _, tool = target.partition(" ")
            if method == "tools/call" and tool:
                span.set_attribute(Attr.TOOL_NAME, tool)
                span.set_attribute(Attr.OPERATION, "execute_tool")
        except Exception as exc:
            report("mcp", exc)

    def on_end(self, span: ReadableSpan) -> None:
        return None

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


_SPAN_NAMES = _SpanNames()
_NAMED_PROVIDERS: set[int] = set()


def _rename_client_spans() -> None:
    """Add the renaming processor to the global provider once (processors cannot be removed)."""
    provider = trace.get_tracer_provider()
    if id(provider) not in _NAMED_PROVIDERS and hasattr(provider, "add_span_processor"):
        provider.add_span_processor(_SPAN_NAMES)
        _NAMED_PROVIDERS.add(id(provider))
    _SPAN_NAMES.active = True


# --- switching ---------------------------------------------------------------------------------


def _require_v2() -> None:
    version = importlib.metadata.version("mcp")
    if int(version.split(".")[0]) < 2:
        raise ImportError(
            f"the MCP integration needs mcp>=2 (the SDK that carries trace context in "
            f"params._meta); mcp {version} is installed: pip install 'glassbox[mcp]'"
        )


def instrument_mcp() -> None:
    """Add MCP metrics, the HTTP-header fallback and semconv span names; idempotent.

    Raises:
        ImportError: ``mcp`` is not installed, or older than 2.0.
    """
    from mcp.client.session import ClientSession
    from mcp.server.lowlevel.server import Server

    _require_v2()
    with _PATCHES.lock:
        if _PATCHES.active:
            return
        _PATCHES.apply(ClientSession, "send_request", _wrap_send_request)
        _PATCHES.apply(Server, "__init__", _wrap_server_init)
        _rename_client_spans()


def uninstrument_mcp() -> None:
    """Restore the SDK's methods and stop renaming spans; idempotent.

    Servers created while instrumented keep the middleware, which records nothing once
    Glassbox is shut down.
    """
    with _PATCHES.lock:
        _PATCHES.restore()
        _SPAN_NAMES.active = False
