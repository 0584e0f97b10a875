"""The real anthropic client against the simulator, instrumented."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from instrumentation_helpers import internal_errors, only_span

from glassbox import semconv
from glassbox.simulator import Faults, PromptCache, Simulator
from glassbox.testing import Telemetry

MESSAGES: Any = [{"role": "user", "content": "Draft a headline about the storm."}]


async def message(base_url: str, mode: str, stream: bool, **kwargs: Any) -> tuple[Any, list[Any]]:
    options = {"max_retries": kwargs.pop("max_retries", 0)}
    kwargs.setdefault("model", "claude-haiku-4-5")
    kwargs.setdefault("max_tokens", 300)
    kwargs.setdefault("messages", MESSAGES)
    if stream:
        kwargs["stream"] = True
    if mode == "sync":
        client = anthropic.Anthropic(base_url=base_url, api_key="test", **options)
        result = client.messages.create(**kwargs)
        return result, list(result) if stream else []
    aclient = anthropic.AsyncAnthropic(base_url=base_url, api_key="test", **options)
    result = await aclient.messages.create(**kwargs)
    return result, [event async for event in result] if stream else []


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("stream", [False, True])
async def test_success(telemetry: Telemetry, simulator: Simulator, mode: str, stream: bool) -> None:
    result, events = await message(simulator.anthropic_base_url, mode, stream)
    if stream:
        assert isinstance(result, anthropic.AsyncStream if mode == "async" else anthropic.Stream)
        usage = events[0].message.usage
        output = events[-2].usage.output_tokens
        stop = events[-2].delta.stop_reason
    else:
        assert isinstance(result, anthropic.types.Message)
        usage, output, stop = result.usage, result.usage.output_tokens, result.stop_reason
    span = only_span(telemetry)
    assert span.name == "chat claude-haiku-4-5"
    assert span.attributes["gen_ai.provider.name"] == "anthropic"
    assert span.attributes["gen_ai.response.model"] == "claude-haiku-4-5-20251001"
    assert span.attributes["gen_ai.request.max_tokens"] == 300
    assert span.attributes["gen_ai.usage.input_tokens"] == usage.input_tokens
    assert span.attributes["gen_ai.usage.output_tokens"] == output
    assert span.attributes["gen_ai.response.finish_reasons"] == (stop,)
    # Claude Haiku 4.5 lists at $1 per million input tokens and $5 per million output tokens.
    expected = usage.input_tokens * 1e-6 + output * 5e-6
    assert telemetry.value(semconv.LLM_COST.total) == pytest.approx(expected)
    if stream:
        deltas = [e for e in events if e.type == "content_block_delta"]
        assert span.attributes["glassbox.chunks"] == len(deltas)
    assert internal_errors(telemetry) == 0


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("status", "kind"),
    [(429, "rate_limited"), (529, "server_error"), (500, "server_error"), (401, "authentication"),
     (400, "bad_request")],
)  # fmt: skip
async def test_error_kinds(
    telemetry: Telemetry, simulator: Simulator, mode: str, stream: bool, status: int, kind: str
) -> None:
    simulator.faults = Faults(error_rates={status: 1.0})
    with pytest.raises(anthropic.APIStatusError) as info:
        await message(simulator.anthropic_base_url, mode, stream)
    assert info.value.status_code == status
    assert only_span(telemetry).attributes["error.type"] == kind


async def test_retries_are_counted(telemetry: Telemetry, simulator: Simulator) -> None:
    simulator.faults = Faults(error_rates={429: 1.0}, retry_after=0.001)
    with pytest.raises(anthropic.RateLimitError):
        await message(simulator.anthropic_base_url, "async", False, max_retries=1)
    assert only_span(telemetry).attributes["glassbox.retries"] == 1
    assert telemetry.value(semconv.LLM_RATE_LIMITED.total) >= 1


@pytest.mark.parametrize("stream", [False, True])
async def test_cache_tokens_are_summed_into_input(telemetry: Telemetry, stream: bool) -> None:
    system: Any = [{"type": "text", "text": "You edit the newsroom's copy. " * 40,
                    "cache_control": {"type": "ephemeral"}}]  # fmt: skip
    with Simulator(time_scale=0.0, cache=PromptCache(block_tokens=16, min_tokens=32)) as sim:
        await message(sim.anthropic_base_url, "sync", stream, system=system)
        result, events = await message(sim.anthropic_base_url, "sync", stream, system=system)
    usage = events[0].message.usage if stream else result.usage
    assert usage.cache_read_input_tokens
    spans = [s for s in telemetry.spans() if s.name.startswith("chat ")]
    first, second = spans[0].attributes, spans[1].attributes
    assert first["gen_ai.usage.cache_creation.input_tokens"] > 0
    assert second["gen_ai.usage.cache_read.input_tokens"] == usage.cache_read_input_tokens
    total = (
        usage.input_tokens
        + usage.cache_read_input_tokens
        + (usage.cache_creation_input_tokens or 0)
    )
    assert second["gen_ai.usage.input_tokens"] == total


@pytest.mark.parametrize("stream", [False, True])
async def test_tool_use_is_named(telemetry: Telemetry, simulator: Simulator, stream: bool) -> None:
    tools: Any = [{"name": "stats_lookup", "input_schema": {"type": "object", "properties": {}}}]
    await message(simulator.anthropic_base_url, "sync", stream, tools=tools,
                  tool_choice={"type": "any"})  # fmt: skip
    span = only_span(telemetry)
    assert span.attributes["glassbox.tool_call_names"] == ("stats_lookup",)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_use",)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_stream_broken_by_the_server_is_a_connection_error(
    telemetry: Telemetry, simulator: Simulator, mode: str
) -> None:
    simulator.faults = Faults(truncate_rate=1.0)
    with pytest.raises(Exception) as info:  # noqa: PT011 - whatever the client raises
        await message(simulator.anthropic_base_url, mode, True)
    span = only_span(telemetry)
    assert span.attributes["error.type"] == "connection", type(info.value)
    assert internal_errors(telemetry) == 0
