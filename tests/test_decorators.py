from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry import trace

import glassbox
from glassbox.testing import Telemetry


class ToolFailed(Exception):
    pass


def _parent(span: object) -> int | None:
    parent = getattr(span, "parent", None)
    return parent.span_id if parent is not None else None


def test_sync_function(telemetry: Telemetry) -> None:
    @glassbox.tool("archive_search")
    def search(query: str) -> list[str]:
        return [query.upper()]

    assert search("ai") == ["AI"]
    assert search.__name__ == "search"
    assert (
        telemetry.value(
            "gen_ai_execute_tool_duration_seconds_count",
            gen_ai_tool_name="archive_search",
            gen_ai_agent_name="",
            error_type="",
        )
        == 1
    )
    (span,) = telemetry.spans()
    assert span.name == "execute_tool archive_search"
    assert span.attributes is not None
    assert span.attributes["gen_ai.operation.name"] == "execute_tool"


async def test_async_function(telemetry: Telemetry) -> None:
    @glassbox.workflow
    async def ingest(n: int) -> int:
        await asyncio.sleep(0)
        return n * 2

    assert await ingest(21) == 42
    assert (
        telemetry.value("gen_ai_workflow_duration_seconds_count", gen_ai_workflow_name="ingest")
        == 1
    )
    assert telemetry.spans()[0].name == "invoke_workflow ingest"


def test_generator_function_spans_the_whole_iteration_without_leaking_context(
    telemetry: Telemetry,
) -> None:
    @glassbox.task("chunker")
    def chunks(text: str) -> Iterator[str]:
        for word in text.split():
            # inside the body, the task's span is current
            assert trace.get_current_span().get_span_context().is_valid
            yield word

    outer_before = trace.get_current_span()
    seen = []
    for word in chunks("a b c"):
        assert trace.get_current_span() is outer_before  # not current between steps
        seen.append(word)
    assert seen == ["a", "b", "c"]
    assert (
        telemetry.value(
            "glassbox_task_duration_seconds_count", glassbox_task_name="chunker", error_type=""
        )
        == 1
    )


def test_generator_send_and_return_value(telemetry: Telemetry) -> None:
    @glassbox.task
    def accumulator() -> Iterator[int]:
        total = 0
        while True:
            value = yield total
            if value is None:
                return
            total += value

    gen = accumulator()
    assert next(gen) == 0
    assert gen.send(5) == 5
    assert gen.send(3) == 8
    with pytest.raises(StopIteration):
        gen.send(None)
    assert (
        telemetry.value("glassbox_task_duration_seconds_count", glassbox_task_name="accumulator")
        == 1
    )


def test_generator_closed_early_ends_without_error(telemetry: Telemetry) -> None:
    closed = []

    @glassbox.task("stream")
    def numbers() -> Iterator[int]:
        try:
            yield from range(100)
        finally:
            closed.append(True)

    gen = numbers()
    assert next(gen) == 0
    gen.close()
    assert closed == [True]
    assert (
        telemetry.value(
            "glassbox_task_duration_seconds_count", glassbox_task_name="stream", error_type=""
        )
        == 1
    )


def test_exception_thrown_into_generator_is_seen_by_it(telemetry: Telemetry) -> None:
    @glassbox.task("resilient")
    def resilient() -> Iterator[str]:
        try:
            yield "first"
        except ValueError:
            yield "recovered"

    gen = resilient()
    assert next(gen) == "first"
    assert gen.throw(ValueError("nudge")) == "recovered"


async def test_async_generator(telemetry: Telemetry) -> None:
    @glassbox.agent("streamer")
    async def tokens() -> AsyncIterator[str]:
        for token in ("x", "y"):
            await asyncio.sleep(0)
            yield token

    assert [t async for t in tokens()] == ["x", "y"]
    assert (
        telemetry.value("gen_ai_invoke_agent_duration_seconds_count", gen_ai_agent_name="streamer")
        == 1
    )


async def test_async_generator_raising(telemetry: Telemetry) -> None:
    @glassbox.task("broken_feed")
    async def feed() -> AsyncIterator[int]:
        yield 1
        raise ToolFailed("feed dried up")

    got: list[int] = []

    async def consume() -> None:
        async for item in feed():
            got.append(item)  # noqa: PERF401 - the items seen before the error matter

    with pytest.raises(ToolFailed, match="feed dried up"):
        await consume()
    assert got == [1]
    assert (
        telemetry.value(
            "glassbox_task_duration_seconds_count",
            glassbox_task_name="broken_feed",
            error_type="ToolFailed",
        )
        == 1
    )


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_exceptions_propagate_unchanged(telemetry: Telemetry, kind: str) -> None:
    error = ToolFailed("no results")

    if kind == "sync":

        @glassbox.tool("lookup")
        def lookup() -> None:
            raise error

        with pytest.raises(ToolFailed) as info:
            lookup()
    else:

        @glassbox.tool("lookup")
        async def alookup() -> None:
            raise error

        with pytest.raises(ToolFailed) as info:
            await alookup()
    assert info.value is error
    assert (
        telemetry.value("gen_ai_execute_tool_duration_seconds_count", error_type="ToolFailed") == 1
    )
    (span,) = telemetry.spans()
    assert span.status.status_code.name == "ERROR"


def test_agent_attributes_tools_and_counts_them_per_run(telemetry: Telemetry) -> None:
    @glassbox.tool("stats_lookup")
    def stats() -> int:
        return 1

    @glassbox.agent("editor")
    def editor(steps: int) -> int:
        with glassbox.llm_call("openai", "gpt-4o-mini"):
            pass
        return sum(stats() for _ in range(steps))

    assert editor(3) == 3
    assert editor(1) == 1
    assert (
        telemetry.value(
            "gen_ai_execute_tool_duration_seconds_count",
            gen_ai_tool_name="stats_lookup",
            gen_ai_agent_name="editor",
        )
        == 4
    )
    assert (
        telemetry.value("glassbox_agent_tool_calls_per_run_count", gen_ai_agent_name="editor") == 2
    )
    assert telemetry.value("glassbox_agent_tool_calls_per_run_sum", gen_ai_agent_name="editor") == 4
    assert (
        telemetry.value(
            "glassbox_agent_tool_calls_per_run_bucket", gen_ai_agent_name="editor", le="1.0"
        )
        == 1
    )

    spans = telemetry.spans()
    agent_spans = [s for s in spans if s.name == "invoke_agent editor"]
    tool_spans = [s for s in spans if s.name == "execute_tool stats_lookup"]
    llm_spans = [s for s in spans if s.name == "chat gpt-4o-mini"]
    first_agent = agent_spans[0]
    assert all(
        s.context.trace_id == first_agent.context.trace_id for s in tool_spans[:3] + llm_spans[:1]
    )
    assert _parent(tool_spans[0]) == first_agent.context.span_id
    assert _parent(llm_spans[0]) == first_agent.context.span_id
    assert tool_spans[0].attributes is not None
    assert tool_spans[0].attributes["gen_ai.agent.name"] == "editor"


async def test_agent_counts_tools_run_concurrently(telemetry: Telemetry) -> None:
    @glassbox.tool("fetch")
    async def fetch(i: int) -> int:
        await asyncio.sleep(0)
        return i

    @glassbox.agent("planner")
    async def planner() -> int:
        return sum(await asyncio.gather(*(fetch(i) for i in range(5))))

    assert await planner() == 10
    assert (
        telemetry.value("glassbox_agent_tool_calls_per_run_sum", gen_ai_agent_name="planner") == 5
    )


def test_decorators_pass_through_before_init() -> None:
    @glassbox.tool
    def plain(x: int) -> int:
        return x + 1

    assert plain(1) == 2
