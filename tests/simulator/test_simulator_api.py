"""The real openai and anthropic clients against the simulator over loopback HTTP."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import anthropic
import httpx
import openai
import pytest

from glassbox.simulator import Faults, PromptCache, Simulator, count_tokens

TOOLS = [
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


def oai(sim: Simulator, **kwargs: Any) -> openai.OpenAI:
    kwargs.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=sim.openai_base_url, api_key="sk-test", **kwargs)


def ant(sim: Simulator, **kwargs: Any) -> anthropic.Anthropic:
    kwargs.setdefault("max_retries", 0)
    return anthropic.Anthropic(base_url=sim.anthropic_base_url, api_key="test", **kwargs)


def test_chat_completion_usage_matches_the_text(simulator: Simulator) -> None:
    prompt = "Summarise the city budget vote for readers."
    result = oai(simulator).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )
    assert result.model == "gpt-4o-mini-2024-07-18"
    text = result.choices[0].message.content or ""
    assert result.usage is not None
    assert result.usage.completion_tokens == count_tokens(text)
    # Two framing tokens and the role around the message text.
    assert result.usage.prompt_tokens == count_tokens(prompt) + 3
    assert result.choices[0].finish_reason == "stop"


def test_stream_with_usage_chunk_reassembles_the_answer(simulator: Simulator) -> None:
    chunks = list(
        oai(simulator).chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices == []
    usage = chunks[-1].usage
    assert usage is not None
    assert usage.completion_tokens == count_tokens(text)
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert all(c.usage is None for c in chunks[:-1])


def test_stream_without_include_usage_has_no_usage(simulator: Simulator) -> None:
    chunks = list(
        oai(simulator).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )
    assert all(c.usage is None for c in chunks)


def test_tools_are_called_then_answered(simulator: Simulator) -> None:
    client = oai(simulator)
    messages: list[Any] = [{"role": "user", "content": "find the archive story"}]
    first = client.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
    calls = first.choices[0].message.tool_calls or []
    assert first.choices[0].finish_reason == "tool_calls"
    assert [c.function.name for c in calls] == ["archive_search"]
    assert "q" in json.loads(calls[0].function.arguments)
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": calls[0].id, "content": "three stories"},
    ]
    second = client.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content


def test_max_tokens_caps_the_answer(simulator: Simulator) -> None:
    result = oai(simulator).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], max_tokens=3
    )
    assert result.usage is not None
    assert result.usage.completion_tokens <= 3


def test_reasoning_model_reports_reasoning_tokens(simulator: Simulator) -> None:
    result = oai(simulator).chat.completions.create(
        model="o3-mini", messages=[{"role": "user", "content": "think"}]
    )
    assert result.usage is not None
    assert result.usage.completion_tokens_details is not None
    reasoning = result.usage.completion_tokens_details.reasoning_tokens or 0
    assert reasoning > 0
    assert result.usage.completion_tokens >= reasoning


def test_responses_api_plain_and_streamed(simulator: Simulator) -> None:
    client = oai(simulator)
    response = client.responses.create(
        model="gpt-4o-mini", input="What happened?", instructions="Brief."
    )
    assert response.output_text
    assert response.usage is not None
    assert response.usage.output_tokens == count_tokens(response.output_text)
    events = list(client.responses.create(model="gpt-4o-mini", input="What happened?", stream=True))
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed"
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == events[-1].response.output_text


def test_embeddings_float_and_base64(simulator: Simulator) -> None:
    client = oai(simulator)
    as_floats = client.embeddings.create(
        model="text-embedding-3-small", input=["a b", "c"], encoding_format="float"
    )
    default = client.embeddings.create(model="text-embedding-3-small", input=["a b", "c"])
    assert len(as_floats.data) == 2
    assert len(as_floats.data[0].embedding) == 1536
    assert default.data[0].embedding == pytest.approx(as_floats.data[0].embedding, abs=1e-6)
    assert as_floats.usage.prompt_tokens == 3


def test_anthropic_message_and_stream_events(simulator: Simulator) -> None:
    client = ant(simulator)
    message = client.messages.create(
        model="claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": "hello"}]
    )
    assert message.model == "claude-haiku-4-5-20251001"
    assert message.usage.output_tokens == count_tokens(message.content[0].text)  # type: ignore[union-attr]
    with client.messages.stream(
        model="claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": "hello"}]
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason in ("end_turn", "max_tokens")
    assert final.usage.output_tokens == count_tokens(final.content[0].text)  # type: ignore[union-attr]


def test_anthropic_tool_use(simulator: Simulator) -> None:
    tools: Any = [{"name": "stats_lookup", "input_schema": {"type": "object", "properties": {}}}]
    message = ant(simulator).messages.create(
        model="claude-sonnet-4-6", max_tokens=300, tools=tools,
        messages=[{"role": "user", "content": "numbers please"}],
    )  # fmt: skip
    assert message.stop_reason == "tool_use"
    assert [b.name for b in message.content if b.type == "tool_use"] == ["stats_lookup"]


def test_prompt_cache_hits_repeated_prefixes() -> None:
    with Simulator(time_scale=0.0, cache=PromptCache(block_tokens=16, min_tokens=32)) as sim:
        system = "You are the newsroom editor. " * 20
        client = oai(sim)
        usages = [
            client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": question},
                ],
            ).usage
            for question in ("first question", "second question")
        ]
        assert usages[0] is not None
        assert usages[1] is not None
        assert usages[0].prompt_tokens_details.cached_tokens == 0  # type: ignore[union-attr]
        cached = usages[1].prompt_tokens_details.cached_tokens  # type: ignore[union-attr]
        assert cached is not None
        assert 100 < cached < usages[1].prompt_tokens

        blocks: Any = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
        client_a = ant(sim)
        first, second = (
            client_a.messages.create(
                model="claude-haiku-4-5", max_tokens=50, system=blocks,
                messages=[{"role": "user", "content": q}],
            ).usage
            for q in ("first question", "second question")
        )  # fmt: skip
        assert first.cache_creation_input_tokens
        assert not first.cache_read_input_tokens
        assert second.cache_read_input_tokens
        assert second.cache_read_input_tokens >= 100


def test_same_seed_same_answers() -> None:
    answers = []
    for _ in range(2):
        with Simulator(seed=42, time_scale=0.0) as sim:
            answers.append(
                oai(sim)
                .chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": "same"}]
                )
                .choices[0]
                .message.content
            )
    assert answers[0] == answers[1]


def test_latency_model_scales_with_time_scale() -> None:
    with Simulator(seed=1, time_scale=0.05) as sim:
        client = oai(sim)
        stream = client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
        )
        import time

        start = time.perf_counter()
        chunks = list(stream)
        elapsed = time.perf_counter() - start
    # ~0.45 s TTFT plus 12 ms per token, scaled by 0.05: well above zero, well below realistic.
    assert len(chunks) > 2
    assert 0.005 < elapsed < 0.05 * (0.45 + 0.012 * len(chunks)) * 6


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
    ],
)
def test_error_statuses(simulator: Simulator, status: int, error: type[Exception]) -> None:
    simulator.faults = Faults(error_rates={status: 1.0}, retry_after=2.5)
    with pytest.raises(error) as info:
        oai(simulator).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
    response = info.value.response  # type: ignore[attr-defined]
    assert response.status_code == status
    if status == 429:
        assert response.headers["retry-after"] == "2.5"
        assert response.headers["retry-after-ms"] == "2500"


def test_client_retries_429_after_retry_after(simulator: Simulator) -> None:
    simulator.faults = Faults(error_rates={429: 1.0}, retry_after=0.001)
    before = simulator.stats().get("status:429", 0)
    with pytest.raises(anthropic.RateLimitError):
        ant(simulator, max_retries=2).messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    assert simulator.stats()["status:429"] - before == 3


def test_outage_then_recovery(simulator: Simulator) -> None:
    client = oai(simulator)
    simulator.set_faults(outage=True)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    simulator.set_faults(outage=False)
    assert client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}]
    )


def test_truncated_stream_breaks_the_connection(simulator: Simulator) -> None:
    simulator.faults = Faults(truncate_rate=1.0)
    stream = oai(simulator).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
    )
    with pytest.raises(openai.APIConnectionError):
        list(stream)


def test_malformed_body_and_stream_event(simulator: Simulator) -> None:
    simulator.faults = Faults(malformed_rate=1.0)
    client = oai(simulator)
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(json.JSONDecodeError):
        list(
            client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "x"}], stream=True
            )
        )


def test_extra_latency_makes_clients_time_out(simulator: Simulator) -> None:
    simulator.faults = Faults(extra_latency=0.5)
    with pytest.raises(openai.APITimeoutError):
        oai(simulator, timeout=0.05).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )


def _admin(sim: Simulator, method: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(sim.url + "/admin/faults", data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_admin_endpoint_changes_faults_at_runtime(simulator: Simulator) -> None:
    assert _admin(simulator, "PUT", {"error_rates": {"503": 1.0}})[0] == 200
    assert simulator.faults.error_rates == {503: 1.0}
    status, data = _admin(simulator, "PATCH", {"latency_multiplier": 2})
    assert status == 200
    assert data["error_rates"] == {"503": 1.0}
    assert data["latency_multiplier"] == 2
    with pytest.raises(openai.InternalServerError):
        oai(simulator).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
    status, data = _admin(simulator, "PATCH", {"error_rates": {"429": 7}})
    assert status == 400
    assert "error_rates[429]" in data["error"]
    assert _admin(simulator, "DELETE")[1] == Faults().to_json()
    assert _admin(simulator, "GET")[1]["error_rates"] == {}


def test_bad_request_bodies_get_400(simulator: Simulator) -> None:
    response = httpx.post(simulator.openai_base_url + "/chat/completions", content=b"{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
    response = httpx.post(
        simulator.url + "/v1/messages", json={"model": "claude-haiku-4-5", "messages": []}
    )
    assert response.status_code == 400
    assert response.json()["type"] == "error"


async def test_concurrent_async_requests(simulator: Simulator) -> None:
    import asyncio

    client = openai.AsyncOpenAI(
        base_url=simulator.openai_base_url, api_key="sk-test", max_retries=0
    )
    results = await asyncio.gather(
        *(
            client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": f"q{i}"}]
            )
            for i in range(20)
        )
    )
    assert len({r.id for r in results}) == 20
    await client.close()
