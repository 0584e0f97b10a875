"""The real openai client against the simulator, instrumented: spans, metrics, cost, behaviour."""

from __future__ import annotations

import gc
from typing import Any

import openai
import pytest
from instrumentation_helpers import internal_errors, only_span

from glassbox import semconv
from glassbox.simulator import Faults, PromptCache, Simulator
from glassbox.stack import free_port
from glassbox.testing import Telemetry

MESSAGES = [{"role": "user", "content": "What did the council decide?"}]
TOOLS: Any = [
    {
        "type": "function",
        "function": {
            "name": "archive_search",
            "parameters": {
                "type": "object",
                "properties": {"q": {"type": "string"}},
                "required": ["q"],
            },
        },
    }
]
MODES = ["sync", "async"]


async def chat(base_url: str, mode: str, stream: bool, **kwargs: Any) -> tuple[Any, list[Any]]:
    """One chat completion; returns the result and (for streams) the items iterated."""
    options = {"max_retries": kwargs.pop("max_retries", 0), "timeout": kwargs.pop("timeout", 10.0)}
    kwargs.setdefault("model", "gpt-4o-mini")
    kwargs.setdefault("messages", MESSAGES)
    if stream:
        kwargs["stream"] = True
    if mode == "sync":
        client = openai.OpenAI(base_url=base_url, api_key="sk-test", **options)
        result = client.chat.completions.create(**kwargs)
        return result, list(result) if stream else []
    aclient = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", **options)
    result = await aclient.chat.completions.create(**kwargs)
    return result, [item async for item in result] if stream else []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_success(telemetry: Telemetry, simulator: Simulator, mode: str, stream: bool) -> None:
    extra = {"stream_options": {"include_usage": True}} if stream else {}
    result, items = await chat(simulator.openai_base_url, mode, stream, temperature=0.3, **extra)
    usage = items[-1].usage if stream else result.usage
    if stream:
        assert isinstance(result, openai.AsyncStream if mode == "async" else openai.Stream)
    else:
        assert isinstance(result, openai.types.chat.ChatCompletion)

    span = only_span(telemetry)
    attributes = dict(span.attributes)
    assert span.name == "chat gpt-4o-mini"
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert attributes["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes["gen_ai.usage.input_tokens"] == usage.prompt_tokens
    assert attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens
    assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert attributes["server.address"] == "127.0.0.1"
    assert attributes["server.port"] == simulator.port
    assert "error.type" not in attributes

    labels = {
        "gen_ai_request_model": "gpt-4o-mini",
        "gen_ai_response_model": "gpt-4o-mini-2024-07-18",
        "error_type": "",
    }
    assert telemetry.value(semconv.LLM_DURATION.name + "_count", **labels) == 1
    assert (
        telemetry.value(semconv.LLM_TOKEN_USAGE.name + "_sum", gen_ai_token_type="input")
        == usage.prompt_tokens
    )
    assert (
        telemetry.value(semconv.LLM_TOKENS.total, gen_ai_token_type="output")
        == usage.completion_tokens
    )
    # gpt-4o-mini lists at $0.15 per million input tokens and $0.60 per million output tokens.
    expected = usage.prompt_tokens * 0.15e-6 + usage.completion_tokens * 0.60e-6
    assert telemetry.value(semconv.LLM_COST.total) == pytest.approx(expected)
    assert attributes["glassbox.cost.usd"] == pytest.approx(expected)
    chunks = [i for i in items if i.choices]
    assert telemetry.value(semconv.LLM_TIME_TO_FIRST_CHUNK.name + "_count") == (1 if stream else 0)
    assert telemetry.value(semconv.LLM_TIME_PER_OUTPUT_CHUNK.name + "_count") == max(
        len(chunks) - 1, 0
    )
    if stream:
        assert attributes["glassbox.chunks"] == len(chunks)
    assert internal_errors(telemetry) == 0
    assert telemetry.value(semconv.LLM_IN_FLIGHT.name) == 0


ERRORS = [
    (429, "rate_limited", openai.RateLimitError),
    (500, "server_error", openai.InternalServerError),
    (503, "server_error", openai.InternalServerError),
    (400, "bad_request", openai.BadRequestError),
    (401, "authentication", openai.AuthenticationError),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("status", "kind", "error"), ERRORS)
async def test_error_kinds(
    telemetry: Telemetry, simulator: Simulator, mode: str, stream: bool, status: int, kind: str,
    error: type[Exception],
) -> None:  # fmt: skip
    simulator.faults = Faults(error_rates={status: 1.0})
    with pytest.raises(error) as info:
        await chat(simulator.openai_base_url, mode, stream)
    assert info.value.status_code == status  # type: ignore[attr-defined]
    span = only_span(telemetry)
    assert span.attributes["error.type"] == kind
    assert span.status.status_code.name == "ERROR"
    assert telemetry.value(semconv.LLM_DURATION.name + "_count", error_type=kind) == 1
    assert internal_errors(telemetry) == 0


@pytest.mark.parametrize("mode", MODES)
async def test_timeout(telemetry: Telemetry, simulator: Simulator, mode: str) -> None:
    simulator.faults = Faults(extra_latency=0.3)
    with pytest.raises(openai.APITimeoutError):
        await chat(simulator.openai_base_url, mode, False, timeout=0.05)
    assert only_span(telemetry).attributes["error.type"] == "timeout"


@pytest.mark.parametrize("mode", MODES)
async def test_connection_refused(telemetry: Telemetry, mode: str) -> None:
    with pytest.raises(openai.APIConnectionError):
        await chat(f"http://127.0.0.1:{free_port()}/v1", mode, False)
    assert only_span(telemetry).attributes["error.type"] == "connection"


@pytest.mark.parametrize("mode", MODES)
async def test_library_retries_are_counted(
    telemetry: Telemetry, simulator: Simulator, mode: str
) -> None:
    simulator.faults = Faults(error_rates={429: 1.0}, retry_after=0.001)
    with pytest.raises(openai.RateLimitError):
        await chat(simulator.openai_base_url, mode, False, max_retries=2)
    span = only_span(telemetry)
    assert span.attributes["glassbox.retries"] == 2
    assert span.attributes["error.type"] == "rate_limited"
    assert telemetry.value(semconv.LLM_RETRIES.total) == 2
    assert telemetry.value(semconv.LLM_RATE_LIMITED.total) >= 2


@pytest.mark.parametrize("mode", MODES)
async def test_stream_broken_by_the_server(
    telemetry: Telemetry, simulator: Simulator, mode: str
) -> None:
    simulator.faults = Faults(truncate_rate=1.0)
    with pytest.raises(openai.APIConnectionError):
        await chat(simulator.openai_base_url, mode, True)
    span = only_span(telemetry)
    assert span.attributes["error.type"] == "connection"
    assert span.attributes["glassbox.chunks"] >= 1
    assert internal_errors(telemetry) == 0


def test_stream_abandoned_half_way_ends_at_collection(
    telemetry: Telemetry, simulator: Simulator
) -> None:
    client = openai.OpenAI(base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0)
    stream = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    for index, _ in enumerate(stream):
        if index == 2:
            break
    assert telemetry.spans() == []  # still in flight
    assert telemetry.value(semconv.LLM_IN_FLIGHT.name) == 1
    del stream
    gc.collect()
    span = only_span(telemetry)
    assert span.attributes["glassbox.chunks"] == 3
    assert "error.type" not in span.attributes
    assert telemetry.value(semconv.LLM_IN_FLIGHT.name) == 0


@pytest.mark.parametrize("how", ["close", "with"])
def test_stream_closed_early_ends_without_error(
    telemetry: Telemetry, simulator: Simulator, how: str
) -> None:
    client = openai.OpenAI(base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0)
    stream = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    if how == "close":
        next(iter(stream))
        stream.close()
    else:
        with stream as entered:
            assert entered is stream
            next(iter(stream))
    span = only_span(telemetry)
    assert "error.type" not in span.attributes
    assert span.attributes["glassbox.chunks"] == 1
    assert stream.response.is_closed


async def test_async_stream_closed_early(telemetry: Telemetry, simulator: Simulator) -> None:
    client = openai.AsyncOpenAI(
        base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0
    )
    stream = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    async with stream:
        await stream.__anext__()
    span = only_span(telemetry)
    assert "error.type" not in span.attributes
    assert span.attributes["glassbox.chunks"] == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_tool_calls_are_named_on_the_span(
    telemetry: Telemetry, simulator: Simulator, stream: bool
) -> None:
    await chat(
        simulator.openai_base_url,
        "sync",
        stream,
        model="gpt-4o",
        tools=TOOLS,
        tool_choice="required",
    )
    span = only_span(telemetry)
    assert span.attributes["glassbox.tool_calls"] >= 1
    assert set(span.attributes["glassbox.tool_call_names"]) == {"archive_search"}
    assert span.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert telemetry.value(semconv.LLM_TOOL_CALLS.total) == span.attributes["glassbox.tool_calls"]


def test_cached_and_reasoning_tokens(telemetry: Telemetry) -> None:
    system = "You are the newsroom's careful editor. " * 30
    with Simulator(time_scale=0.0, cache=PromptCache(block_tokens=16, min_tokens=32)) as sim:
        client = openai.OpenAI(base_url=sim.openai_base_url, api_key="sk-test", max_retries=0)
        for question in ("first", "second"):
            last = client.chat.completions.create(
                model="o3-mini",
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": question},
                ],
            )
    cached = last.usage.prompt_tokens_details.cached_tokens  # type: ignore[union-attr]
    reasoning = last.usage.completion_tokens_details.reasoning_tokens  # type: ignore[union-attr]
    span = telemetry.spans()[-1]
    assert cached
    assert span.attributes["gen_ai.usage.cache_read.input_tokens"] == cached
    assert reasoning
    assert span.attributes["glassbox.usage.reasoning_tokens"] == reasoning
    assert telemetry.value(semconv.LLM_TOKENS.total, gen_ai_token_type="cache_read") == cached


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_responses_api(
    telemetry: Telemetry, simulator: Simulator, mode: str, stream: bool
) -> None:
    kwargs: Any = {"model": "gpt-4o-mini", "input": "What happened?", "max_output_tokens": 500}
    if mode == "sync":
        client = openai.OpenAI(base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0)
        result = client.responses.create(**kwargs, stream=stream)
        events = list(result) if stream else []
    else:
        aclient = openai.AsyncOpenAI(
            base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0
        )
        result = await aclient.responses.create(**kwargs, stream=stream)
        events = [e async for e in result] if stream else []
    response = events[-1].response if stream else result
    span = only_span(telemetry)
    assert span.attributes["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert span.attributes["gen_ai.usage.input_tokens"] == response.usage.input_tokens
    assert span.attributes["gen_ai.usage.output_tokens"] == response.usage.output_tokens
    assert span.attributes["gen_ai.request.max_tokens"] == 500
    if stream:
        deltas = [e for e in events if e.type.endswith(".delta")]
        assert span.attributes["glassbox.chunks"] == len(deltas)


@pytest.mark.parametrize("mode", MODES)
async def test_embeddings(telemetry: Telemetry, simulator: Simulator, mode: str) -> None:
    if mode == "sync":
        client = openai.OpenAI(base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0)
        result = client.embeddings.create(
            model="text-embedding-3-small", input=["one story", "two"]
        )
    else:
        aclient = openai.AsyncOpenAI(
            base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0
        )
        result = await aclient.embeddings.create(
            model="text-embedding-3-small", input=["one story", "two"]
        )
    span = only_span(telemetry)
    assert span.name == "embeddings text-embedding-3-small"
    assert span.attributes["gen_ai.operation.name"] == "embeddings"
    assert span.attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens
    assert (
        telemetry.value(semconv.LLM_TOKENS.total, gen_ai_operation_name="embeddings")
        == result.usage.prompt_tokens
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_with_raw_response_is_recorded_with_usage(
    telemetry: Telemetry, simulator: Simulator, mode: str, stream: bool
) -> None:
    """LangChain calls ``with_raw_response.create``: the parsed body is recorded, once."""
    kwargs: dict[str, Any] = {"model": "gpt-4o-mini", "messages": MESSAGES}
    if stream:
        kwargs.update(stream=True, stream_options={"include_usage": True})
    if mode == "sync":
        client = openai.OpenAI(base_url=simulator.openai_base_url, api_key="sk-test")
        raw = client.chat.completions.with_raw_response.create(**kwargs)
        parsed = raw.parse()
        items = list(parsed) if stream else []
    else:
        aclient = openai.AsyncOpenAI(base_url=simulator.openai_base_url, api_key="sk-test")
        raw = await aclient.chat.completions.with_raw_response.create(**kwargs)
        parsed = raw.parse()
        items = [item async for item in parsed] if stream else []
    assert raw.parse() is parsed  # the application gets the very object Glassbox read
    usage = items[-1].usage if stream else parsed.usage
    span = only_span(telemetry)
    assert span.attributes["gen_ai.usage.input_tokens"] == usage.prompt_tokens
    assert span.attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens
    assert telemetry.value(semconv.LLM_DURATION.count) == 1
    assert internal_errors(telemetry) == 0
