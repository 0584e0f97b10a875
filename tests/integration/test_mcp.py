"""MCP with real parts: the ``mcp`` SDK's client and a tool server process, over stdio,
streamable HTTP and SSE.

The agent (this test process, Glassbox with ``instrument=["mcp"]``) calls tools of a
server process (``mcp_tool_server.py``, Glassbox with ``instrument=["mcp", "openai"]``)
that calls the LLM simulator and exports its spans to an OTLP receiver in the test. The
server's spans must continue the agent's trace, baggage must arrive, and both sides must
count their operations — failed tool calls included.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from opentelemetry import baggage
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind
from otlp_receiver import OTLPReceiver, ReceivedSpan, ancestors
from probes import Samples, sample, scrape
from services import MCP_SERVER, mcp_http_server, process_env

import glassbox
from glassbox.simulator import Simulator
from glassbox.stack import free_port
from glassbox.testing import capture

pytestmark = pytest.mark.integration


def _env(otlp_receiver: OTLPReceiver, llm_simulator: Simulator, port: int) -> dict[str, str]:
    return process_env(
        GLASSBOX_OTLP_ENDPOINT=otlp_receiver.endpoint,
        GLASSBOX_TEST_LLM=llm_simulator.openai_base_url,
        GLASSBOX_METRICS_PORT=str(port),
    )


@contextmanager
def _server(transport: str, env: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    """What ``mcp.Client`` connects to: a command to spawn (stdio) or a running server's URL."""
    if transport == "stdio":
        yield StdioServerParameters(command=sys.executable, args=[MCP_SERVER, "stdio"], env=env)
    elif transport == "sse":
        with mcp_http_server(env, tmp_path, "sse") as url:
            yield sse_client(url)
    else:
        with mcp_http_server(env, tmp_path) as url:
            yield url


@pytest.mark.parametrize("transport", ["stdio", "streamable-http", "sse"])
async def test_tool_calls_continue_the_agents_trace_with_baggage_and_are_counted(
    transport: str, otlp_receiver: OTLPReceiver, llm_simulator: Simulator, tmp_path: Path
) -> None:
    metrics_port = free_port()
    env = _env(otlp_receiver, llm_simulator, metrics_port)
    server_metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"

    @glassbox.agent("editor")
    async def research(target: Any) -> tuple[Any, Any, Samples]:
        token = otel_context.attach(baggage.set_baggage("tenant", "acme"))
        try:
            async with Client(target) as client:
                found = await client.call_tool("archive_search", {"query": "council"})
                failed = await client.call_tool("broken", {"query": "budget"})
                return found, failed, scrape(server_metrics_url)
        finally:
            otel_context.detach(token)

    with (
        capture(service_name="agent", instrument=["mcp"]) as telemetry,
        _server(transport, env, tmp_path) as target,
    ):
        found, failed, server_samples = await research(target)
        spans = telemetry.spans()
        client_counts = {
            (tool, error): telemetry.value(
                "mcp_client_operation_duration_seconds_count",
                mcp_method_name="tools/call",
                gen_ai_tool_name=tool,
                error_type=error,
            )
            for tool, error in (("archive_search", ""), ("broken", "tool_error"))
        }
        agent = next(s for s in spans if s.name == "invoke_agent editor")
        trace_id = format(agent.context.trace_id, "032x")

        def in_trace(received: list[ReceivedSpan]) -> list[ReceivedSpan]:
            return [s for s in received if s.trace_id == trace_id]

        # the server is still running: its periodic export delivers the spans
        received = in_trace(
            otlp_receiver.wait_for(
                lambda got: (
                    any(s.name == "chat gpt-4o-mini" for s in in_trace(got))
                    and any(s.name == "tools/call broken" for s in in_trace(got))
                ),
                timeout=30,
            )
        )

    assert found.content[0].text.startswith("tenant=acme;"), "baggage reached the tool"
    assert failed.is_error
    assert client_counts == {("archive_search", ""): 1, ("broken", "tool_error"): 1}
    server_counts = {
        (tool, error): sample(
            server_samples,
            "mcp_server_operation_duration_seconds_count",
            mcp_method_name="tools/call",
            gen_ai_tool_name=tool,
            error_type=error,
        )
        for tool, error in (("archive_search", ""), ("broken", "tool_error"))
    }
    assert server_counts == {("archive_search", ""): 1, ("broken", "tool_error"): 1}

    call = next(s for s in spans if s.name == "tools/call archive_search")
    assert call.kind is SpanKind.CLIENT
    assert call.attributes is not None
    assert call.attributes["gen_ai.tool.name"] == "archive_search"
    assert call.context.trace_id == agent.context.trace_id
    served = next(
        s for s in received if s.name == "tools/call archive_search" and s.service == "mcp-tools"
    )
    assert served.kind == 2  # SERVER in OTLP's enum
    assert served.parent_span_id == format(call.context.span_id, "016x")
    chat = next(s for s in received if s.name == "chat gpt-4o-mini")
    assert chat.service == "mcp-tools"
    assert served in ancestors(chat, received)


async def test_a_request_with_only_an_http_traceparent_continues_it(
    otlp_receiver: OTLPReceiver, llm_simulator: Simulator, tmp_path: Path
) -> None:
    """A client that sets the ``traceparent`` header but no ``_meta`` (a gateway, a proxy)."""
    env = _env(otlp_receiver, llm_simulator, free_port())
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    parent = "00f067aa0ba902b7"
    traceparent = f"00-{trace_id}-{parent}-01"
    headers = {"Accept": "application/json, text/event-stream", "traceparent": traceparent}
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "curl-like", "version": "1"},
        },
    }
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "archive_search", "arguments": {"query": "council"}},
    }
    with mcp_http_server(env, tmp_path) as url:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(url, json=initialize, headers=headers)
            assert response.status_code == 200, response.text
            session = response.headers.get("mcp-session-id")
            if session:
                headers["mcp-session-id"] = session
            headers["mcp-protocol-version"] = "2025-06-18"
            await client.post(
                url,
                json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                headers=headers,
            )
            response = await client.post(url, json=call, headers=headers)
            assert response.status_code == 200, response.text
            assert "tenant=None" in response.text or json.dumps("tenant=None") in response.text

        received = otlp_receiver.wait_for(
            lambda got: any(
                s.trace_id == trace_id and s.name == "tools/call archive_search" for s in got
            ),
            timeout=30,
        )
    served = next(
        s for s in received if s.trace_id == trace_id and s.name == "tools/call archive_search"
    )
    assert served.parent_span_id == parent
