from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

import glassbox
from glassbox.asgi import GlassboxMiddleware
from glassbox.testing import Telemetry


async def article(request: Request) -> JSONResponse:
    logging.getLogger("api").info("serving article")
    with glassbox.llm_call("openai", "gpt-4o-mini"):
        pass
    return JSONResponse({"id": request.path_params["article_id"]})


async def broken(request: Request) -> PlainTextResponse:
    raise RuntimeError("handler bug")


def _client() -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/articles/{article_id}", article), Route("/broken", broken)])
    app.add_middleware(GlassboxMiddleware)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")  # fmt: skip


async def test_request_metrics_use_the_route_template(telemetry: Telemetry) -> None:
    async with _client() as client:
        for article_id in ("1", "2", "3"):
            assert (await client.get(f"/articles/{article_id}")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
    value = telemetry.value
    assert value("http_server_request_duration_seconds_count", http_route="/articles/{article_id}",
                 http_request_method="GET", http_response_status_code="200") == 3  # fmt: skip
    assert (
        value(
            "http_server_request_duration_seconds_count",
            http_route="",
            http_response_status_code="404",
        )
        == 1
    )
    routes = {
        s["http_route"] for s in telemetry.series("http_server_request_duration_seconds_count")
    }
    assert routes == {"/articles/{article_id}", ""}  # never a raw path
    assert value("http_server_active_requests", http_request_method="GET") == 0


async def test_request_id_is_echoed_or_generated_and_carried_by_logs(telemetry: Telemetry) -> None:
    async with _client() as client:
        echoed = await client.get("/articles/7", headers={"X-Request-ID": "abc-123"})
        generated = await client.get("/articles/8")
        hostile = await client.get("/articles/9", headers={"X-Request-ID": "x" * 500})
    assert echoed.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 32
    assert hostile.headers["x-request-id"] != "x" * 500
    lines = telemetry.logs(event="serving article")
    assert [line["request_id"] for line in lines] == [
        "abc-123", generated.headers["x-request-id"], hostile.headers["x-request-id"]
    ]  # fmt: skip
    call_lines = telemetry.logs(event="gen_ai.call")
    assert call_lines[0]["request_id"] == "abc-123"


async def test_server_span_continues_incoming_traceparent(telemetry: Telemetry) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    async with _client() as client:
        await client.get(
            "/articles/1", headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}
        )
    spans = {s.name: s for s in telemetry.spans()}
    server = spans["GET /articles/{article_id}"]
    assert format(server.context.trace_id, "032x") == trace_id
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == "00f067aa0ba902b7"
    assert server.kind.name == "SERVER"
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    llm = spans["chat gpt-4o-mini"]
    assert llm.parent is not None
    assert llm.parent.span_id == server.context.span_id


async def test_failing_handler_is_recorded_as_500(telemetry: Telemetry) -> None:
    async with _client() as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    assert telemetry.value("http_server_request_duration_seconds_count", http_route="/broken",
                           http_response_status_code="500") == 1  # fmt: skip
    (span,) = [s for s in telemetry.spans() if s.name == "GET /broken"]
    assert span.status.status_code.name == "ERROR"


@pytest.mark.parametrize("scope_type", ["lifespan", "websocket"])
async def test_non_http_scopes_pass_through(telemetry: Telemetry, scope_type: str) -> None:
    seen = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(scope["type"])

    await GlassboxMiddleware(app)({"type": scope_type}, None, None)  # type: ignore[arg-type]
    assert seen == [scope_type]
    assert telemetry.series("http_server_request_duration_seconds_count") == []
