"""Drive every SDK code path through the public API and return the exposition.

The contract test scrapes what this produces: if a dashboard or rule names a metric or
label that no SDK path emits, the check fails. Paths are driven with the real SDK —
``glassbox.testing.capture`` (a fresh registry), ``llm_call`` (plain, streaming, failing,
retried and rate limited, with tool calls, unpriced, attributed to a team and tenant),
the ``workflow``/``agent``/``tool``/``task`` decorators (including a failing tool), a
queue with every outcome, a pipeline stage, a cache, an enforced budget, the ASGI
middleware and the cardinality guard. Drift and eval results and the SDK's failure
counters (dropped telemetry, instrumentation errors, redactions) are published through
the runtime's metrics, exactly as their publishers do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

__all__ = ["exercise", "exercise_into", "settings"]


def settings() -> dict[str, Any]:
    """``capture()`` settings the exerciser needs: an enforced budget, a tiny tenant budget."""
    import glassbox

    return {
        "budgets": [glassbox.Budget("blocked-team", 0.01, team="blocked", enforce=True)],
        "cardinality_budgets": {"tenant": 2},
    }


def exercise_into(telemetry: Any, rounds: int = 1) -> None:
    """Run every path ``rounds`` times inside an active ``glassbox.testing.capture()``."""
    import glassbox
    from glassbox import semconv as sc

    for _ in range(rounds):
        _llm(glassbox)
        _agents(glassbox)
        _queues(glassbox)
        _asgi()
    metrics = telemetry.runtime.metrics
    # Batch-job results and SDK failure counters, as their publishers record them.
    metrics.child(sc.DRIFT_SCORE, "inputs", "length", "psi").set(0.07)
    metrics.child(sc.DRIFT_P_VALUE, "inputs", "length", "ks").set(0.4)
    metrics.child(sc.DRIFT_DETECTED, "inputs", "length").set(0)
    metrics.child(sc.DRIFT_WINDOW_SAMPLES, "inputs", "length").set(500)
    metrics.child(sc.DRIFT_LAST_RUN, "inputs").set_to_current_time()
    for spec, value in (
        (sc.EVAL_SCORE, 0.9),
        (sc.EVAL_SCORE_LOWER, 0.86),
        (sc.EVAL_SCORE_UPPER, 0.94),
        (sc.EVAL_SAMPLES, 200),
        (sc.EVAL_REGRESSION, 0),
    ):
        metrics.child(spec, "qa", "accuracy").set(value)
    metrics.child(sc.EVAL_LAST_RUN, "qa").set_to_current_time()
    # MCP and Celery, as their integrations record them.
    metrics.child(sc.MCP_CLIENT_DURATION, "tools/call", "archive_search", "").observe(0.04)
    metrics.child(sc.MCP_SERVER_DURATION, "tools/call", "archive_search", "tool_error").observe(
        0.03
    )
    for spec in (
        sc.CELERY_TASK_SENT,
        sc.CELERY_TASK_STARTED,
        sc.CELERY_TASK_SUCCEEDED,
        sc.CELERY_TASK_FAILED,
        sc.CELERY_TASK_RETRIED,
        sc.CELERY_TASK_REJECTED,
        sc.CELERY_TASK_REVOKED,
    ):
        metrics.child(spec, "newsroom.embed", "celery").inc()
    metrics.child(sc.CELERY_TASK_RUNTIME, "newsroom.embed", "celery").observe(0.2)
    metrics.child(sc.CELERY_TASK_QUEUE_WAIT, "newsroom.embed", "celery").observe(0.01)
    metrics.child(sc.TELEMETRY_DROPPED, "spans").inc(0)
    metrics.child(sc.INSTRUMENTATION_ERRORS, "exerciser").inc(0)
    metrics.child(sc.REDACTIONS, "EMAIL").inc(0)


def _llm(glassbox: Any) -> None:
    with glassbox.attributes(team="newsroom", tenant="acme"):
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            call.set_usage(
                input_tokens=1200,
                output_tokens=300,
                cache_read_tokens=400,
                cache_write_tokens=100,
                reasoning_tokens=50,
            )
            call.set_response(model="gpt-4o-mini-2024-07-18")
            call.tool_calls(["search"])
        with glassbox.llm_call("anthropic", "claude-3-5-haiku-latest", stream=True) as call:
            for _ in range(5):
                call.chunk()
            call.set_usage(input_tokens=800, output_tokens=120)
        with glassbox.llm_call("openai", "gpt-4o-mini") as call:
            call.retry(rate_limited=True)
            call.retry()
            call.set_error("RateLimitError")
        with glassbox.llm_call("openai", "in-house-model-unpriced") as call:
            call.set_usage(input_tokens=10, output_tokens=10)
        for tenant in ("t1", "t2", "t3"):  # the tenant budget of the exerciser is 2
            with (
                glassbox.attributes(tenant=tenant),
                glassbox.llm_call("openai", "gpt-4o-mini") as call,
            ):
                call.set_usage(input_tokens=1, output_tokens=1)
    with contextlib.suppress(glassbox.BudgetExceededError), glassbox.attributes(team="blocked"):
        for _ in range(3):
            with glassbox.llm_call("openai", "gpt-4o") as call:
                call.set_usage(input_tokens=100_000, output_tokens=100_000)


def _agents(glassbox: Any) -> None:
    @glassbox.tool("search")  # type: ignore[untyped-decorator]
    def search() -> str:
        return "ok"

    @glassbox.tool("publish")  # type: ignore[untyped-decorator]
    def publish() -> None:
        raise TimeoutError("simulated tool failure")

    @glassbox.agent("editor")  # type: ignore[untyped-decorator]
    def editor() -> None:
        search()
        search()
        with contextlib.suppress(TimeoutError):
            publish()

    @glassbox.task("rank")  # type: ignore[untyped-decorator]
    def rank() -> None:
        pass

    @glassbox.workflow("newsroom")  # type: ignore[untyped-decorator]
    def run() -> None:
        rank()
        editor()

    run()


def _queues(glassbox: Any) -> None:
    queue = glassbox.queue("ingest")
    enqueued_at = queue.enqueued(4)
    queue.set_depth(4)
    outcomes: tuple[Callable[[Any], None] | None, ...] = (
        None,
        lambda t: t.retry(),
        lambda t: t.dead_letter(),
        lambda t: t.fail(),
    )
    for outcome in outcomes:
        with queue.processing(enqueued_at) as item:
            if outcome is not None:
                outcome(item)
    queue.set_depth(0)
    stage = glassbox.stage("embed")
    stage.processed()
    stage.processed("failure")
    cache = glassbox.cache("embeddings")
    cache.hit()
    cache.miss()


def _asgi() -> None:
    from glassbox.asgi import GlassboxMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/articles/1",
        "headers": [],
        "route": None,
    }
    asyncio.run(GlassboxMiddleware(app)(scope, receive, send))


def exercise(rounds: int = 1) -> str:
    """Exercise every SDK path in a fresh capture; return the text exposition."""
    from glassbox.testing import capture

    with capture(service_name="exerciser", **settings()) as telemetry:
        exercise_into(telemetry, rounds)
        text: str = telemetry.exposition()
    return text
