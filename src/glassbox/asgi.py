"""ASGI middleware: HTTP server metrics, a server span and a request id for every request.

Works with any ASGI application (FastAPI, Starlette, …)::

    app = FastAPI()
    app.add_middleware(glassbox.asgi.GlassboxMiddleware)

For each HTTP request it records ``http_server_request_duration_seconds`` by method,
*route template* (``/articles/{id}``, never the raw path) and status, and
``http_server_active_requests``; starts a ``SERVER`` span that continues an incoming W3C
``traceparent``; and sets a request id — from ``X-Request-ID`` when the client sent a
sane one, generated otherwise — that every log line of the request carries and the
response returns in ``X-Request-ID``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from time import perf_counter
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind, Status, StatusCode

from glassbox import semconv
from glassbox._context import _REQUEST_ID
from glassbox._runtime import current
from glassbox.semconv import Attr

__all__ = ["GlassboxMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_REQUEST_ID_HEADER = b"x-request-id"


def _route_template(scope: Scope) -> str:
    """The matched route's template; ``""`` when no route matched (never the raw path)."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    if isinstance(path, str):
        return path
    app = scope.get("app")
    routes = getattr(app, "routes", None)
    if routes is None:
        return ""
    try:
        from starlette.routing import Match

        for candidate in routes:
            match, _ = candidate.matches(scope)
            if match is Match.FULL:
                return str(getattr(candidate, "path", ""))
    except Exception:  # a router we do not know: no template rather than a raw path
        return ""
    return ""


class GlassboxMiddleware:
    """Pure ASGI middleware; see the module docstring.

    Args:
        app: The ASGI application to wrap.
        request_id_header: The header carrying the request id, both ways.
    """

    def __init__(self, app: ASGIApp, request_id_header: str = "X-Request-ID") -> None:
        self.app = app
        self._header = request_id_header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rt = current()
        if scope["type"] != "http" or rt is None:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        method_label = method if method in _KNOWN_METHODS else "_OTHER"
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())
        }
        incoming_id = headers.get(self._header.decode("latin-1"), "")
        request_id = incoming_id if _SANE_REQUEST_ID.fullmatch(incoming_id) else uuid.uuid4().hex
        status_code = 500
        metrics = rt.metrics

        parent = extract(headers)
        span = rt.tracer.start_span(
            method_label if method_label != "_OTHER" else "HTTP",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                Attr.HTTP_METHOD: method,
                Attr.URL_PATH: scope.get("path", ""),
                Attr.REQUEST_ID: request_id,
            },
        )
        span_token = otel_context.attach(trace.set_span_in_context(span, parent))
        request_token = _REQUEST_ID.set(request_id)
        active = metrics.child(semconv.HTTP_ACTIVE, method_label)
        active.inc()
        encoded_id = request_id.encode("latin-1")

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", ()) if k.lower() != self._header],
                    (self._header, encoded_id),
                ]
            await send(message)

        t0 = perf_counter()
        error: BaseException | None = None
        try:
            await self.app(scope, receive, send_with_request_id)
        except BaseException as exc:
            error = exc
            raise
        finally:
            duration = perf_counter() - t0
            try:
                active.dec()
                route = _route_template(scope)
                exemplar = None
                span_context = span.get_span_context()
                if rt.exemplars and span_context.trace_flags.sampled:
                    exemplar = {"trace_id": format(span_context.trace_id, "032x")}
                metrics.child(semconv.HTTP_DURATION, method_label, route, str(status_code)).observe(
                    duration, exemplar
                )
                if route:
                    span.update_name(f"{method_label} {route}")
                    span.set_attribute(Attr.HTTP_ROUTE, route)
                span.set_attribute(Attr.HTTP_STATUS, status_code)
                if error is not None:
                    span.set_attribute(Attr.ERROR_TYPE, type(error).__qualname__)
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, str(error)))
                elif status_code >= 500:
                    span.set_attribute(Attr.ERROR_TYPE, str(status_code))
                    span.set_status(Status(StatusCode.ERROR))
                span.end()
            except Exception as exc:
                rt.report_error("asgi", exc)
            finally:
                _REQUEST_ID.reset(request_token)
                otel_context.detach(span_token)
