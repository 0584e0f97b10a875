"""Instrumentation never changes what the application sees and never raises into it."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import openai
import pytest
from instrumentation_helpers import internal_errors, llm_spans, only_span

import glassbox
from glassbox.instrumentation import (
    instrument,
    instrument_openai,
    uninstrument,
    uninstrument_openai,
)
from glassbox.simulator import Faults, Simulator
from glassbox.testing import Telemetry, capture

MESSAGES: Any = [{"role": "user", "content": "hello"}]


def _oai(sim: Simulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=sim.openai_base_url, api_key="sk-test", max_retries=0)


@pytest.mark.parametrize("stream", [False, True])
def test_providers_omitting_usage(telemetry: Telemetry, simulator: Simulator, stream: bool) -> None:
    simulator.faults = Faults(omit_usage=True)
    result = _oai(simulator).chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=stream
    )
    if stream:
        list(result)
    client = anthropic.Anthropic(base_url=simulator.anthropic_base_url, api_key="t", max_retries=0)
    reply = client.messages.create(
        model="claude-haiku-4-5", max_tokens=50, messages=MESSAGES, stream=stream
    )
    if stream:
        list(reply)
    spans = llm_spans(telemetry)
    assert len(spans) == 2
    for span in spans:
        assert "gen_ai.usage.input_tokens" not in span.attributes
        assert "error.type" not in span.attributes
    assert internal_errors(telemetry) == 0


@pytest.mark.parametrize("stream", [False, True])
def test_unknown_fields_are_ignored(
    telemetry: Telemetry, simulator: Simulator, stream: bool
) -> None:
    simulator.faults = Faults(unknown_fields=True)
    result = _oai(simulator).chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        stream=stream,
        stream_options={"include_usage": True} if stream else openai.omit,
    )
    if stream:
        list(result)
    span = only_span(telemetry)
    assert span.attributes["gen_ai.usage.output_tokens"] > 0
    assert internal_errors(telemetry) == 0


@pytest.mark.parametrize("stream", [False, True])
def test_malformed_json_propagates_unchanged(
    telemetry: Telemetry, simulator: Simulator, stream: bool
) -> None:
    simulator.faults = Faults(malformed_rate=1.0)

    def call() -> None:
        result = _oai(simulator).chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=stream
        )
        if stream:
            list(result)

    with pytest.raises(json.JSONDecodeError):
        call()
    assert only_span(telemetry).attributes["error.type"] == "other"
    assert internal_errors(telemetry) == 0


def test_results_and_errors_are_identical_with_and_without(simulator: Simulator) -> None:
    def run() -> tuple[Any, ...]:
        with Simulator(seed=11, time_scale=0.0) as sim:
            client = _oai(sim)
            plain = client.chat.completions.create(model="gpt-4o", messages=MESSAGES).model_dump()
            chunks = [
                c.model_dump()
                for c in client.chat.completions.create(
                    model="gpt-4o", messages=MESSAGES, stream=True
                )
            ]
            sim.faults = Faults(error_rates={429: 1.0})
            try:
                client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            except openai.RateLimitError as exc:
                error = (type(exc), exc.status_code, exc.message, exc.body)
        for item in [plain, *chunks]:
            item.pop("created")
        return plain, chunks, error

    bare = run()
    with capture():
        instrument_openai()
        try:
            instrumented = run()
        finally:
            uninstrument_openai()
    assert instrumented == bare


def test_internal_failures_are_counted_not_raised(
    telemetry: Telemetry, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glassbox._llm import LLMCall

    def broken(self: Any, **kwargs: Any) -> None:
        raise RuntimeError("recording failed")

    monkeypatch.setattr(LLMCall, "set_response", broken)
    result = _oai(simulator).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert result.choices[0].message.content
    chunks = list(
        _oai(simulator).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    )
    assert chunks
    assert internal_errors(telemetry) == 2
    assert len(llm_spans(telemetry)) == 2


def _patched_attributes() -> tuple[Any, ...]:
    from anthropic.resources.messages import messages
    from openai._base_client import SyncAPIClient
    from openai.resources.chat.completions import completions

    return (
        completions.Completions.__dict__["create"],
        completions.AsyncCompletions.__dict__["create"],
        SyncAPIClient.__dict__["_sleep_for_retry"],
        messages.Messages.__dict__["create"],
    )


def test_uninstrument_restores_the_exact_originals() -> None:
    from openai.resources.chat.completions import completions

    before = _patched_attributes()
    for _ in range(2):  # idempotent
        instrument("openai")
        instrument("anthropic")
    assert completions.Completions.__dict__["create"].__wrapped__ is before[0]
    for _ in range(2):
        uninstrument("openai")
        uninstrument("anthropic")
    after = _patched_attributes()
    assert all(a is b for a, b in zip(after, before, strict=True))
    with pytest.raises(ValueError, match=r"known libraries: .*anthropic.*langchain.*litellm"):
        instrument("cohere")


def test_init_instrument_setting(simulator: Simulator) -> None:
    from openai.resources.chat.completions import completions

    original = completions.Completions.__dict__["create"]
    with capture(instrument=["openai"]) as telemetry:
        _oai(simulator).chat.completions.create(model="gpt-4o", messages=MESSAGES)
        assert only_span(telemetry).attributes["gen_ai.request.model"] == "gpt-4o"
        assert completions.Completions.__dict__["create"] is not original
    assert completions.Completions.__dict__["create"] is original


def test_init_instrument_auto_switches_on_every_installed_library(simulator: Simulator) -> None:
    from litellm import callbacks
    from openai.resources.chat.completions import completions

    from glassbox.instrumentation import installed

    original = completions.Completions.__dict__["create"]
    assert {"anthropic", "langchain", "litellm", "openai"} <= set(installed())
    with capture(instrument="auto") as telemetry:
        assert completions.Completions.__dict__["create"] is not original
        assert any(type(c).__name__ == "GlassboxLiteLLMLogger" for c in callbacks)
        _oai(simulator).chat.completions.create(model="gpt-4o", messages=MESSAGES)
        assert only_span(telemetry).attributes["gen_ai.request.model"] == "gpt-4o"
    assert completions.Completions.__dict__["create"] is original
    assert not any(type(c).__name__ == "GlassboxLiteLLMLogger" for c in callbacks)


def test_before_init_calls_pass_straight_through(simulator: Simulator) -> None:
    instrument_openai()
    try:
        assert glassbox._runtime.current() is None
        assert _oai(simulator).chat.completions.create(model="gpt-4o", messages=MESSAGES).choices
    finally:
        uninstrument_openai()


def test_content_capture_when_enabled(simulator: Simulator) -> None:
    with capture(capture_content=True) as telemetry:
        instrument_openai()
        try:
            _oai(simulator).chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": "mail me at jane@example.com"}],
            )
        finally:
            uninstrument_openai()
    captured = only_span(telemetry).attributes["gen_ai.input.messages"]
    assert "jane@example.com" not in captured
    assert "mail me" in captured
