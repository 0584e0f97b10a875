"""The simulated OpenAI API: chat completions (with SSE and the usage chunk) and embeddings."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from glassbox.simulator._engine import ChatPlan, ChatRequest, Engine, ToolSpec, pause
from glassbox.simulator._faults import Faults
from glassbox.simulator._http import (
    BadRequest,
    json_response,
    paced_stream,
    plan_chat_request,
    read_json,
    sse,
)
from glassbox.simulator._models import profile_for
from glassbox.simulator._text import embedding_vector, tokenize

__all__ = [
    "chat_completions",
    "embeddings",
    "error_response",
    "message_tokens",
    "render_chat_chunks",
    "render_chat_completion",
]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_denied",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
}


def error_response(engine: Engine, status: int, message: str | None = None) -> Response:
    """An OpenAI-shaped error; 429s carry ``retry-after`` and ``retry-after-ms``."""
    engine.count(f"status:{status}")
    kind = _ERROR_TYPES.get(status, "server_error")
    body = {
        "error": {
            "message": message or f"Simulated {status} error",
            "type": kind,
            "param": None,
            "code": kind,
        }
    }
    headers = {"x-request-id": "req_simulated_error"}
    if status == 429:
        headers.update(_retry_after(engine.faults))
    return JSONResponse(body, status_code=status, headers=headers)


def _retry_after(faults: Faults) -> dict[str, str]:
    return {
        "retry-after": f"{faults.retry_after:g}",
        "retry-after-ms": f"{faults.retry_after * 1000:g}",
    }


def content_text(content: Any) -> str:
    """Text of an OpenAI message content (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text") or part.get("refusal") or "")
            for part in content
            if isinstance(part, dict)
        )
    return ""


def message_tokens(role: str, text: str) -> list[str]:
    """A message as prompt tokens, with the per-message framing tokens chat formats add."""
    return ["<|start|>", role, *tokenize(text), "<|end|>"]


def parse_tools(tools: Any, *, flat: bool) -> list[ToolSpec]:
    """Function tools of a request (``flat`` for the Responses API's tool shape)."""
    specs: list[ToolSpec] = []
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict):
            continue
        fn = tool if flat else tool.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            specs.append(ToolSpec(fn["name"], fn.get("parameters")))
    return specs


def tool_choice(value: Any) -> str:
    """``auto``, ``none``, ``required`` or the forced tool's name."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        fn = value.get("function")
        name = fn.get("name") if isinstance(fn, dict) else value.get("name")
        if isinstance(name, str):
            return name
    return "auto"


def parse_chat(data: dict[str, Any]) -> ChatRequest:
    """A chat completions request body as a :class:`ChatRequest`."""
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty array")
    tools = parse_tools(data.get("tools"), flat=False)
    prompt: list[str] = tokenize(str(data.get("tools"))) if tools else []
    for message in messages:
        if not isinstance(message, dict):
            raise BadRequest("each message must be an object")
        text = content_text(message.get("content"))
        for call in message.get("tool_calls") or []:
            fn = call.get("function", {}) if isinstance(call, dict) else {}
            text += f" {fn.get('name', '')} {fn.get('arguments', '')}"
        prompt += message_tokens(str(message.get("role", "user")), text)
    max_tokens = data.get("max_completion_tokens") or data.get("max_tokens")
    return ChatRequest(
        model=data["model"],
        prompt=prompt,
        tools=tools,
        tool_choice=tool_choice(data.get("tool_choice")),
        after_tool_result=messages[-1].get("role") == "tool",
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        stream=data.get("stream") is True,
    )


def openai_usage(plan: ChatPlan, unknown_fields: bool) -> dict[str, Any]:
    """Chat completions usage with cached and reasoning token details."""
    usage: dict[str, Any] = {
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.input_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": plan.cache_read_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": plan.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    if unknown_fields:
        usage["x_simulated_energy_joules"] = 0.5
    return usage


def render_chat_completion(plan: ChatPlan) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` body of a plan."""
    faults = plan.faults
    message: dict[str, Any] = {"role": "assistant", "content": plan.text or None, "refusal": None}
    if plan.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in plan.tool_calls
        ]
    body: dict[str, Any] = {
        "id": f"chatcmpl-{plan.request_id}",
        "object": "chat.completion",
        "created": plan.created,
        "model": plan.profile.response_model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": plan.finish}
        ],
        "service_tier": "default",
        "system_fingerprint": "fp_glassbox_sim",
    }
    if not faults.omit_usage:
        body["usage"] = openai_usage(plan, faults.unknown_fields)
    if faults.unknown_fields:
        body["x_simulated_region"] = "loopback-1"
    return body


def render_chat_chunks(plan: ChatPlan, include_usage: bool) -> Iterator[tuple[bytes, bool]]:
    """The SSE events of a streamed chat completion: ``(event bytes, carries a token)``."""
    faults = plan.faults
    base: dict[str, Any] = {
        "id": f"chatcmpl-{plan.request_id}",
        "object": "chat.completion.chunk",
        "created": plan.created,
        "model": plan.profile.response_model,
        "service_tier": "default",
        "system_fingerprint": "fp_glassbox_sim",
    }
    usage_field = include_usage and not faults.omit_usage
    if usage_field:
        base["usage"] = None
    if faults.unknown_fields:
        base["x_simulated_region"] = "loopback-1"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse({**base, "choices": [choice]})

    first = True
    for piece in plan.pieces:
        delta: dict[str, Any] = {"content": piece}
        if first:
            delta = {"role": "assistant", "content": piece, "refusal": None}
            first = False
        yield chunk(delta), True
    for index, call in enumerate(plan.tool_calls):
        head = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        delta = {"tool_calls": [head]}
        if first:
            delta = {"role": "assistant", "content": None, "tool_calls": [head]}
            first = False
        yield chunk(delta), True
        yield (
            chunk({"tool_calls": [{"index": index, "function": {"arguments": call.arguments}}]}),
            False,
        )
    if first:
        yield chunk({"role": "assistant", "content": ""}), True
    yield chunk({}, plan.finish), False
    if usage_field:
        yield (
            sse({**base, "choices": [], "usage": openai_usage(plan, faults.unknown_fields)}),
            False,
        )
    yield b"data: [DONE]\n\n", False


async def chat_completions(engine: Engine, request: Request) -> Response:
    """``POST /v1/chat/completions``."""
    planned = await plan_chat_request(engine, request, parse_chat, "openai", error_response)
    if isinstance(planned, Response):
        return planned
    chat, data, plan = planned
    headers = {"x-request-id": f"req_{plan.request_id}", "openai-processing-ms": "1"}
    if chat.stream:
        options = data.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        return paced_stream(engine, plan, render_chat_chunks(plan, include_usage), headers)
    await pause(plan.ttft + sum(plan.decode))
    return json_response(engine, render_chat_completion(plan), plan.decision.malformed, headers)


async def embeddings(engine: Engine, request: Request) -> Response:
    """``POST /v1/embeddings`` (float or base64 encoding; deterministic vectors)."""
    try:
        body, data = await read_json(engine, request)
        texts = _embedding_inputs(data.get("input"))
    except BadRequest as exc:
        return error_response(engine, 400, str(exc))
    rng = engine.request_rng(body)
    model = data["model"]
    profile = profile_for(model, "openai", kind="embedding")
    decision = engine.faults.decide(rng, stream=False)
    await engine.admit(profile, rng)
    if decision.status is not None:
        return error_response(engine, decision.status)
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, int) or dimensions <= 0:
        dimensions = 3072 if model.endswith("-large") else 1536
    tokens = sum(len(tokenize(t)) for t in texts)
    await pause(engine.embedding_delay(profile, tokens, rng))
    as_base64 = data.get("encoding_format") == "base64"
    items = []
    for index, text in enumerate(texts):
        vector = embedding_vector(text, dimensions, engine.seed)
        encoded: Any = base64.b64encode(vector.tobytes()).decode() if as_base64 else vector.tolist()
        items.append({"object": "embedding", "index": index, "embedding": encoded})
    result: dict[str, Any] = {"object": "list", "data": items, "model": profile.response_model}
    if not engine.faults.omit_usage:
        result["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return json_response(
        engine, result, decision.malformed, {"x-request-id": f"req_{rng.getrandbits(64):x}"}
    )


def _embedding_inputs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(v, str) for v in value):
            return list(value)
        if all(isinstance(v, int) for v in value):
            return [" ".join(map(str, value))]
        if all(isinstance(v, list) for v in value):
            return [" ".join(map(str, v)) for v in value]
    raise BadRequest("'input' must be a string, an array of strings or an array of token arrays")
