"""Connected-telemetry benchmark: what the Celery and MCP integrations add per task / request.

Both paths run in process so that only Glassbox's work differs between the two columns:
a Celery task applied eagerly (prerun/postrun signals, a span, counters, the workload
attribution) and an MCP ``tools/call`` through the SDK's in-process transport (client
metric, server middleware, span renaming). Each is timed bare (Glassbox not initialised)
and instrumented, interleaved, on one core.

No target was set for these paths; the figure to read is the added time next to the cost
of one bare OpenTelemetry SDK span (start + end with five attributes, measured in the same
run): the Celery integration opens one span per task, so most of what it adds should be
that span. The MCP figure is small next to the SDK's own per-request cost and can come out
within noise (even negative) on a busy machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import celery
from mcp import Client
from mcp.server.mcpserver import MCPServer

import glassbox
from glassbox import instrumentation

ROUNDS = 7


def _celery_app() -> Any:
    app = celery.Celery("bench", broker="memory://", backend="cache+memory://")
    app.conf.task_always_eager = True

    @app.task(name="bench.noop", shared=False)
    def noop(value: int) -> int:
        return value + 1

    return noop


def _time_celery(task: Any, calls: int) -> float:
    start = time.perf_counter()
    for i in range(calls):
        task.apply(args=(i,))
    return (time.perf_counter() - start) / calls


async def _time_mcp(calls: int) -> float:
    server = MCPServer("bench")  # built while (un)instrumented, as an application would

    @server.tool()
    def echo(text: str) -> str:
        return text

    async with Client(server) as client:
        await client.call_tool("echo", {"text": "warm"})
        start = time.perf_counter()
        for _ in range(calls):
            await client.call_tool("echo", {"text": "hello"})
        return (time.perf_counter() - start) / calls


def _span_cost(calls: int) -> float:
    """One bare SDK span with five attributes, started and ended (no processor)."""
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("bench")
    attributes = {"a": "celery", "b": "process", "c": "queue", "d": "id", "e": "name"}
    start = time.perf_counter()
    for _ in range(calls):
        tracer.start_span("process bench.noop", attributes=attributes).end()
    return (time.perf_counter() - start) / calls


def _compare(label: str, measure: Callable[[], float], span: float) -> None:
    bare: list[float] = []
    instrumented: list[float] = []
    for _ in range(ROUNDS):
        bare.append(measure())
        glassbox.init(metrics_port=None, logs=False, log_llm_calls=False, redaction=False)
        for name in ("celery", "mcp"):
            instrumentation.instrument(name)
        try:
            instrumented.append(measure())
        finally:
            glassbox.shutdown()
            for name in ("celery", "mcp"):
                instrumentation.uninstrument(name)
    base = statistics.median(bare)
    added = statistics.median(instrumented) - base
    print(
        f"{label:<30} bare {base * 1e6:8.1f} µs   added {added * 1e6:+8.1f} µs "
        f"= {added / span:5.1f} bare spans   (medians of {ROUNDS} interleaved rounds)"
    )


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print("glassbox connected-telemetry benchmark (one core, in process)")
    span = statistics.median(_span_cost(5000) for _ in range(ROUNDS))
    print(f"{'one bare OpenTelemetry span':<30} {span * 1e6:8.1f} µs")
    task = _celery_app()
    _compare("celery task (eager apply)", lambda: _time_celery(task, 2000), span)
    _compare("mcp tools/call (in-process)", lambda: asyncio.run(_time_mcp(200)), span)


if __name__ == "__main__":
    main()
