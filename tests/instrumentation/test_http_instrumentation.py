"""HTTP clients through the official OpenTelemetry instrumentations: spans and propagation.

A real HTTP server on loopback records the ``traceparent`` header of every request; the
real ``httpx``, ``requests`` and ``aiohttp`` clients call it from inside a Glassbox span.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aiohttp
import httpx
import openai
import pytest
import requests
from opentelemetry.trace import SpanKind

import glassbox
from glassbox import instrumentation
from glassbox.simulator import Simulator
from glassbox.testing import capture


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()})  # type: ignore[attr-defined]
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(server: Any) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/articles"


async def _get(client: str, url: str) -> None:
    if client == "httpx":
        httpx.get(url, timeout=5).raise_for_status()
    elif client == "httpx-async":
        async with httpx.AsyncClient(timeout=5) as session:
            (await session.get(url)).raise_for_status()
    elif client == "requests":
        requests.get(url, timeout=5).raise_for_status()
    else:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            response.raise_for_status()


@glassbox.workflow("fetch")
async def _fetch(client: str, url: str) -> None:
    await _get(client, url)


LIBRARY = {"httpx": "httpx", "httpx-async": "httpx", "requests": "requests", "aiohttp": "aiohttp"}


@pytest.mark.parametrize("client", list(LIBRARY))
async def test_client_span_and_traceparent_continue_the_trace(server: Any, client: str) -> None:
    server.seen.clear()
    with capture(instrument=[LIBRARY[client]]) as telemetry:
        await _fetch(client, _url(server))
        spans = telemetry.spans()
    workflow = next(s for s in spans if s.name.startswith("invoke_workflow"))
    clients = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert len(clients) == 1, [s.name for s in spans]
    http_span = clients[0]
    assert http_span.parent is not None
    assert http_span.parent.span_id == workflow.context.span_id
    assert http_span.context.trace_id == workflow.context.trace_id
    (headers,) = server.seen
    version, trace_id, span_id, _flags = headers["traceparent"].split("-")
    assert version == "00"
    assert int(trace_id, 16) == workflow.context.trace_id
    assert int(span_id, 16) == http_span.context.span_id


@pytest.mark.parametrize("client", list(LIBRARY))
async def test_shutdown_switches_propagation_off(server: Any, client: str) -> None:
    with capture(instrument=[LIBRARY[client]]):
        pass
    server.seen.clear()
    await _get(client, _url(server))
    assert "traceparent" not in server.seen[0]


def test_provider_calls_are_not_recorded_twice() -> None:
    """The openai client sends through httpx: one GenAI span, no second HTTP span."""
    with (
        Simulator(seed=1, time_scale=0.0) as simulator,
        capture(instrument=["openai", "httpx"]) as telemetry,
    ):
        client = openai.OpenAI(base_url=simulator.openai_base_url, api_key="sk-test")
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
        # outside a provider call, httpx is still instrumented
        httpx.get(simulator.openai_base_url.rsplit("/v1", 1)[0] + "/healthz", timeout=5)
        spans = telemetry.spans()
    names = sorted(s.name for s in spans if s.kind is SpanKind.CLIENT)
    assert names == ["GET", "chat gpt-4o-mini"], names


def test_auto_turns_on_every_installed_integration() -> None:
    """``instrument="auto"`` picks every library installed here (all are, in dev)."""
    expected = instrumentation.installed()
    assert {"httpx", "requests", "aiohttp", "openai", "anthropic"} <= set(expected)
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    with capture(instrument="auto") as auto:
        assert HTTPXClientInstrumentor().is_instrumented_by_opentelemetry
        assert RequestsInstrumentor().is_instrumented_by_opentelemetry
        assert auto.value(glassbox.semconv.INSTRUMENTATION_ERRORS.total) == 0
    assert not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry


def test_an_instrumentation_the_application_switched_on_stays_on() -> None:
    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    RequestsInstrumentor().instrument()
    try:
        with capture(instrument=["requests"]):
            pass
        assert RequestsInstrumentor().is_instrumented_by_opentelemetry
    finally:
        RequestsInstrumentor().uninstrument()
