"""The simulated Anthropic Messages API (``POST /v1/messages``, with streaming events)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from glassbox.simulator._engine import ChatPlan, ChatRequest, Engine, ToolSpec, pause
from glassbox.simulator._http import (
    BadRequest,
    json_response,
    paced_stream,
    plan_chat_request,
    sse,
)
from glassbox.simulator._text import tokenize

__all__ = ["error_response", "messages", "render_message", "render_message_events"]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    529: "overloaded_error",
}
_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def error_response(engine: Engine, status: int, message: str | None = None) -> Response:
    """An Anthropic-shaped error; 429s carry ``retry-after`` and ``retry-after-ms``."""
    engine.count(f"status:{status}")
    kind = _ERROR_TYPES.get(status, "api_error")
    body = {
        "type": "error",
        "error": {"type": kind, "message": message or f"Simulated {status} error"},
    }
    headers = {"request-id": "req_simulated_error"}
    if status == 429:
        retry_after = engine.faults.retry_after
        headers.update(
            {"retry-after": f"{retry_after:g}", "retry-after-ms": f"{retry_after * 1000:g}"}
        )
    return JSONResponse(body, status_code=status, headers=headers)


def _block_text(block: Any) -> str:
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return ""
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return f"{block.get('name', '')} {json.dumps(block.get('input', {}))}"
    if kind == "tool_result":
        content = block.get("content", "")
        return (
            content if isinstance(content, str) else " ".join(_block_text(b) for b in content or [])
        )
    return ""


def _text(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(_block_text(block) for block in content)
    return _block_text(content)


def _marked(value: Any) -> bool:
    """Whether any block of ``value`` carries ``cache_control``."""
    if isinstance(value, dict):
        return "cache_control" in value or any(
            _marked(v) for v in value.values() if isinstance(v, list)
        )
    if isinstance(value, list):
        return any(_marked(v) for v in value)
    return False


def parse_messages(data: dict[str, Any]) -> ChatRequest:
    """A Messages API request body as a :class:`ChatRequest`."""
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages: field required (a non-empty array)")
    max_tokens = data.get("max_tokens")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise BadRequest("max_tokens: field required (an integer >= 1)")
    raw_tools: list[Any] = data["tools"] if isinstance(data.get("tools"), list) else []
    tools = [
        ToolSpec(t["name"], t.get("input_schema"))
        for t in raw_tools
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    ]
    prompt: list[str] = tokenize(json.dumps(raw_tools)) if raw_tools else []
    system = data.get("system")
    if system:
        prompt += ["<|start|>", "system", *tokenize(_text(system)), "<|end|>"]
    for message in messages:
        if not isinstance(message, dict):
            raise BadRequest("each message must be an object")
        prompt += [
            "<|start|>",
            str(message.get("role")),
            *tokenize(_text(message.get("content"))),
            "<|end|>",
        ]
    last = messages[-1].get("content")
    after_tool = isinstance(last, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in last
    )
    choice = data.get("tool_choice")
    kind = choice.get("type") if isinstance(choice, dict) else "auto"
    named = choice.get("name") if isinstance(choice, dict) else None
    return ChatRequest(
        model=data["model"],
        prompt=prompt,
        tools=tools,
        tool_choice=str(named)
        if kind == "tool" and named
        else {"any": "required"}.get(str(kind), str(kind)),
        after_tool_result=after_tool,
        max_tokens=max_tokens,
        cache_marked=_marked(system) or _marked(raw_tools) or _marked(messages),
        stream=data.get("stream") is True,
    )


def _usage(plan: ChatPlan, output_tokens: int) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "input_tokens": plan.input_tokens - plan.cache_read_tokens - plan.cache_write_tokens,
        "cache_creation_input_tokens": plan.cache_write_tokens,
        "cache_read_input_tokens": plan.cache_read_tokens,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }
    if plan.faults.unknown_fields:
        usage["x_simulated_energy_joules"] = 0.5
    return usage


def _content(plan: ChatPlan) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if plan.pieces or not plan.tool_calls:
        blocks.append({"type": "text", "text": plan.text})
    blocks += [
        {
            "type": "tool_use",
            "id": f"toolu_{c.id[5:]}",
            "name": c.name,
            "input": json.loads(c.arguments),
        }
        for c in plan.tool_calls
    ]
    return blocks


def render_message(plan: ChatPlan, *, content: bool = True) -> dict[str, Any]:
    """The ``message`` object of a plan (``content=False``: the ``message_start`` shell)."""
    body: dict[str, Any] = {
        "id": f"msg_{plan.request_id}",
        "type": "message",
        "role": "assistant",
        "model": plan.profile.response_model,
        "content": _content(plan) if content else [],
        "stop_reason": _STOP_REASONS[plan.finish] if content else None,
        "stop_sequence": None,
    }
    if not plan.faults.omit_usage:
        body["usage"] = _usage(plan, plan.output_tokens if content else 1)
    if plan.faults.unknown_fields:
        body["x_simulated_region"] = "loopback-1"
    return body


def render_message_events(plan: ChatPlan) -> Iterator[tuple[bytes, bool]]:
    """The SSE events of a streamed message: ``(event bytes, carries a token)``."""

    def event(kind: str, payload: dict[str, Any]) -> bytes:
        return sse({"type": kind, **payload}, event=kind)

    yield event("message_start", {"message": render_message(plan, content=False)}), False
    index = 0
    if plan.pieces or not plan.tool_calls:
        yield (
            event(
                "content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}
            ),
            False,
        )
        yield event("ping", {}), False
        for piece in plan.pieces or [""]:
            delta = {"type": "text_delta", "text": piece}
            yield event("content_block_delta", {"index": 0, "delta": delta}), True
        yield event("content_block_stop", {"index": 0}), False
        index = 1
    for offset, call in enumerate(plan.tool_calls):
        block = {"type": "tool_use", "id": f"toolu_{call.id[5:]}", "name": call.name, "input": {}}
        yield event("content_block_start", {"index": index + offset, "content_block": block}), True
        delta = {"type": "input_json_delta", "partial_json": call.arguments}
        yield event("content_block_delta", {"index": index + offset, "delta": delta}), False
        yield event("content_block_stop", {"index": index + offset}), False
    final: dict[str, Any] = {
        "delta": {"stop_reason": _STOP_REASONS[plan.finish], "stop_sequence": None}
    }
    if not plan.faults.omit_usage:
        final["usage"] = {"output_tokens": plan.output_tokens}
    yield event("message_delta", final), False
    yield event("message_stop", {}), False


async def messages(engine: Engine, request: Request) -> Response:
    """``POST /v1/messages``."""
    planned = await plan_chat_request(engine, request, parse_messages, "anthropic", error_response)
    if isinstance(planned, Response):
        return planned
    chat, _, plan = planned
    headers = {"request-id": f"req_{plan.request_id}"}
    if chat.stream:
        return paced_stream(engine, plan, render_message_events(plan), headers)
    await pause(plan.ttft + sum(plan.decode))
    return json_response(engine, render_message(plan), plan.decision.malformed, headers)
