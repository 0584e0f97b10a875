"""One trace across services, queues and tools, every part real.

    HTTP client → FastAPI (Glassbox ASGI middleware)   service "api"
                → Celery task via Redis                 service "celery-worker"
                → editor agent → MCP client
                → MCP tool server (streamable HTTP)     service "mcp-tools"
                → openai client → LLM simulator

Every process exports its spans over OTLP/HTTP to a receiver in the test; the LLM span in
the tool server must carry the trace id of the HTTP request, with an unbroken chain of
parents back to it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from otlp_receiver import OTLPReceiver, ReceivedSpan, ancestors
from probes import poll
from services import celery_worker, mcp_http_server, process_env

from glassbox.asgi import GlassboxMiddleware
from glassbox.simulator import Simulator
from glassbox.stack import free_port
from glassbox.testing import capture

pytestmark = pytest.mark.integration


def _api() -> FastAPI:
    import celery_app

    app = FastAPI()
    app.add_middleware(GlassboxMiddleware)

    @app.post("/research")
    def research(body: dict[str, str]) -> dict[str, str]:
        task = celery_app.research.delay(body["topic"])
        return {"task_id": str(task.id)}

    return app


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port, in a thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        poll(lambda: server.started, 20, "the API server to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_one_trace_from_the_http_request_to_the_llm_call_in_the_tool_server(
    redis_broker: str, otlp_receiver: OTLPReceiver, llm_simulator: Simulator, tmp_path: Path
) -> None:
    import celery_app

    celery_app.app.conf.broker_url = redis_broker
    celery_app.app.conf.result_backend = redis_broker
    env = process_env(
        GLASSBOX_TEST_BROKER=redis_broker,
        GLASSBOX_TEST_LLM=llm_simulator.openai_base_url,
        GLASSBOX_OTLP_ENDPOINT=otlp_receiver.endpoint,
        GLASSBOX_METRICS_PORT=str(free_port()),
    )
    with mcp_http_server(env, tmp_path) as mcp_url:
        worker_env = {**env, "GLASSBOX_TEST_MCP": mcp_url}
        with celery_worker("solo", worker_env, tmp_path):
            with (
                capture(
                    service_name="api", instrument=["celery"], otlp_endpoint=otlp_receiver.endpoint
                ),
                _serve(_api()) as api,
            ):
                response = httpx.post(
                    f"{api}/research", json={"topic": "council budget"}, timeout=10
                )
                assert response.status_code == 200, response.text
                task_id = response.json()["task_id"]
                answer = celery_app.research.AsyncResult(task_id).get(timeout=90)
            assert answer.startswith("tenant=None;")

            def request_span(spans: list[ReceivedSpan]) -> ReceivedSpan | None:
                # by name and kind: the test process keeps the tracer provider (and so the
                # service name) of the first runtime of the session
                return next((s for s in spans if s.name == "POST /research" and s.kind == 2), None)

            def complete(spans: list[ReceivedSpan]) -> bool:
                """The LLM span of the request's trace and its whole chain have arrived."""
                root = request_span(spans)
                if root is None:
                    return False
                in_trace = [s for s in spans if s.trace_id == root.trace_id]
                chat = next((s for s in in_trace if s.name == "chat gpt-4o-mini"), None)
                return chat is not None and root in ancestors(chat, in_trace)

            spans = otlp_receiver.wait_for(complete, timeout=30)

    root = request_span(spans)
    assert root is not None
    assert root.kind == 2  # SERVER
    assert root.parent_span_id == "", "the HTTP request is the trace's root"
    in_trace = [s for s in spans if s.trace_id == root.trace_id]
    chat = next(s for s in in_trace if s.name == "chat gpt-4o-mini")
    assert chat.service == "mcp-tools"
    chain = [(s.service, s.name) for s in ancestors(chat, in_trace)]
    assert chain == [
        ("mcp-tools", "tools/call archive_search"),
        ("celery-worker", "tools/call archive_search"),
        ("celery-worker", "invoke_agent editor"),
        ("celery-worker", "process newsroom.research"),
        (root.service, "publish newsroom.research"),
        (root.service, "POST /research"),
    ], chain
