"""LiteLLM completions against the simulator (openai and anthropic routes): recorded once.

LiteLLM reports a call to its callbacks after it returned (for async calls, from a
background task), so the tests poll for the recorded call instead of sleeping. Token
sums are checked against the usage LiteLLM returned to the application.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import litellm  # tests/conftest.py keeps its price map local
import pytest
from instrumentation_helpers import internal_errors

import glassbox
from glassbox import semconv
from glassbox.instrumentation import instrument, uninstrument
from glassbox.simulator import Faults, Simulator
from glassbox.testing import Telemetry, capture

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),  # pydantic, about LiteLLM's types
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

DURATION = semconv.LLM_DURATION.count
MESSAGES = [{"role": "user", "content": "What did the council decide about the bridge?"}]
ROUTES = {
    "openai": ("openai/gpt-4o-mini", "openai_base_url", "gpt-4o-mini"),
    "anthropic": (
        "anthropic/claude-3-5-haiku-latest",
        "anthropic_base_url",
        "claude-3-5-haiku-latest",
    ),
}


@pytest.fixture
def traced(simulator: Simulator) -> Iterator[Telemetry]:
    """LiteLLM instrumented, and the openai/anthropic SDKs too (LiteLLM must still count once)."""
    simulator.faults = Faults()
    names = ["litellm", "openai", "anthropic"]
    with capture() as telemetry:
        for name in names:
            instrument(name)
        try:
            yield telemetry
        finally:
            for name in names:
                uninstrument(name)
            simulator.faults = Faults()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll until ``condition()`` holds (LiteLLM reports calls from a background worker)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("LiteLLM's callback never reported the call")
        time.sleep(0.01)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """:func:`wait_for` for async tests: LiteLLM's async callbacks run on this event loop."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("LiteLLM's callback never reported the call")
        await asyncio.sleep(0.01)


def arguments(simulator: Simulator, route: str, **extra: Any) -> dict[str, Any]:
    model, base, _ = ROUTES[route]
    return {
        "model": model,
        "messages": MESSAGES,
        "api_base": getattr(simulator, base),
        "api_key": "sk-test",
        "max_tokens": 100,
        **extra,
    }


async def complete(simulator: Simulator, route: str, mode: str) -> tuple[int, int, str]:
    """One completion; returns the input and output tokens LiteLLM reported and the model."""
    stream = mode.endswith("stream")
    extra: dict[str, Any] = (
        {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    )
    kwargs = arguments(simulator, route, **extra)
    if mode.startswith("async"):
        response = await litellm.acompletion(**kwargs)
        if stream:
            chunks = [chunk async for chunk in response]
            response = litellm.stream_chunk_builder(chunks, messages=MESSAGES)
    else:
        response = litellm.completion(**kwargs)
        if stream:
            response = litellm.stream_chunk_builder(list(response), messages=MESSAGES)
    usage = response.usage
    return usage.prompt_tokens, usage.completion_tokens, response.model


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("mode", ["sync", "async", "sync-stream", "async-stream"])
async def test_completion_recorded_once(
    traced: Telemetry, simulator: Simulator, route: str, mode: str
) -> None:
    span_parent = "invoke_agent desk"

    @glassbox.agent("desk")
    async def desk() -> tuple[int, int, str]:
        return await complete(simulator, route, mode)

    input_tokens, output_tokens, response_model = await desk()
    await until(lambda: traced.value(DURATION) >= 1)
    assert traced.value(DURATION) == 1
    assert traced.value(DURATION, gen_ai_provider_name=route) == 1
    assert traced.value(DURATION, gen_ai_request_model=ROUTES[route][2]) == 1
    assert traced.value(semconv.LLM_TOKENS.total, gen_ai_token_type="input") == input_tokens
    assert traced.value(semconv.LLM_TOKENS.total, gen_ai_token_type="output") == output_tokens
    prices = traced.runtime.prices.prices(route, response_model) or traced.runtime.prices.prices(
        route, ROUTES[route][2]
    )
    assert prices is not None
    cost = prices.cost(input_tokens, output_tokens, 0, 0)
    assert cost is not None
    assert traced.value(semconv.LLM_COST.total) == pytest.approx(cost.total)
    streamed = mode.endswith("stream")
    assert traced.value(semconv.LLM_TIME_TO_FIRST_CHUNK.count) == (1 if streamed else 0)

    (span,) = [s for s in traced.spans() if s.name.startswith("chat ")]
    (agent,) = traced.spans(span_parent)
    assert span.parent is not None
    assert span.parent.span_id == agent.context.span_id
    assert agent.start_time is not None
    assert span.start_time is not None
    assert span.start_time >= agent.start_time
    assert span.attributes is not None
    assert span.attributes["server.address"] == "127.0.0.1"
    assert internal_errors(traced) == 0


def test_failure_is_recorded_and_propagates(traced: Telemetry, simulator: Simulator) -> None:
    simulator.faults = Faults(error_rates={500: 1.0})
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(**arguments(simulator, "anthropic"), num_retries=0)
    wait_for(lambda: traced.value(DURATION) >= 1)
    assert traced.value(DURATION, error_type="server_error") == 1
    assert traced.value(DURATION) == 1
    assert internal_errors(traced) == 0


def test_uninstrument_removes_the_callback(simulator: Simulator) -> None:
    before = list(litellm.callbacks)
    with capture() as telemetry:
        instrument("litellm")
        instrument("litellm")  # idempotent
        assert len(litellm.callbacks) == len(before) + 1
        uninstrument("litellm")
        assert litellm.callbacks == before
        litellm.completion(**arguments(simulator, "openai"))  # not recorded
        instrument("litellm")
        try:
            litellm.completion(**arguments(simulator, "anthropic"))  # recorded
            wait_for(lambda: telemetry.value(DURATION) >= 1)
        finally:
            uninstrument("litellm")
        assert telemetry.value(DURATION) == 1
        assert telemetry.value(DURATION, gen_ai_provider_name="anthropic") == 1


def test_instrumenting_keeps_the_price_map_local() -> None:
    """Without the variable set, instrument_litellm() sets it before LiteLLM is imported."""
    script = (
        "import os, sys\n"
        "from glassbox.instrumentation import instrument_litellm\n"
        "assert 'litellm' not in sys.modules\n"
        "instrument_litellm()\n"
        "print(os.environ['LITELLM_LOCAL_MODEL_COST_MAP'], 'litellm' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_langchain_model_over_litellm_is_recorded_once(simulator: Simulator) -> None:
    """A LangChain chat model that calls LiteLLM: LiteLLM records, LangChain adds nothing."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class RoutedChat(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "routed"

        def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> ChatResult:
            response = litellm.completion(**arguments(simulator, "anthropic"))
            usage = response.usage
            message = AIMessage(
                content=response.choices[0].message.content or "",
                usage_metadata={
                    "input_tokens": usage.prompt_tokens,
                    "output_tokens": usage.completion_tokens,
                    "total_tokens": usage.total_tokens,
                },
            )
            return ChatResult(generations=[ChatGeneration(message=message)])

    names = ["langchain", "litellm"]
    with capture() as telemetry:
        for name in names:
            instrument(name)
        try:
            message = RoutedChat().invoke("What did the council decide?")
            wait_for(lambda: telemetry.value(DURATION) >= 1)
        finally:
            for name in names:
                uninstrument(name)
        assert telemetry.value(DURATION) == 1
        assert telemetry.value(DURATION, gen_ai_provider_name="anthropic") == 1
        assert message.usage_metadata is not None
        assert (
            telemetry.value(semconv.LLM_TOKENS.total, gen_ai_token_type="output")
            == message.usage_metadata["output_tokens"]
        )
        assert internal_errors(telemetry) == 0


def test_own_failures_are_counted_not_raised(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glassbox.instrumentation import _litellm

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("glassbox bug")

    monkeypatch.setattr(_litellm, "_server", broken)  # fails inside log_pre_api_call
    with capture() as telemetry:
        instrument("litellm")
        try:
            response = litellm.completion(**arguments(simulator, "openai"))
            wait_for(lambda: internal_errors(telemetry) >= 1)
        finally:
            uninstrument("litellm")
        assert response.choices[0].message.content
        assert internal_errors(telemetry) == 1
