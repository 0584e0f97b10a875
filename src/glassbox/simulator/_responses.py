"""The simulated OpenAI Responses API (``POST /v1/responses``, with streaming events)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from glassbox.simulator._engine import ChatPlan, ChatRequest, Engine, pause
from glassbox.simulator._http import (
    BadRequest,
    json_response,
    paced_stream,
    plan_chat_request,
    sse,
)
from glassbox.simulator._openai import (
    content_text,
    error_response,
    message_tokens,
    parse_tools,
    tool_choice,
)
from glassbox.simulator._text import tokenize

__all__ = ["render_response", "render_response_events", "responses"]


def parse_responses(data: dict[str, Any]) -> ChatRequest:
    """A Responses API request body as a :class:`ChatRequest`."""
    tools = parse_tools(data.get("tools"), flat=True)
    prompt: list[str] = tokenize(str(data.get("tools"))) if tools else []
    instructions = data.get("instructions")
    if isinstance(instructions, str):
        prompt += message_tokens("system", instructions)
    items = data.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    if not isinstance(items, list) or not items:
        raise BadRequest("'input' must be a string or a non-empty array of input items")
    last_kind = ""
    for item in items:
        if not isinstance(item, dict):
            raise BadRequest("each input item must be an object")
        last_kind = str(item.get("type") or "message")
        if last_kind == "function_call_output":
            prompt += message_tokens("tool", str(item.get("output", "")))
        elif last_kind == "function_call":
            prompt += message_tokens(
                "assistant", f"{item.get('name', '')} {item.get('arguments', '')}"
            )
        else:
            prompt += message_tokens(
                str(item.get("role", "user")), content_text(item.get("content"))
            )
    max_tokens = data.get("max_output_tokens")
    return ChatRequest(
        model=data["model"],
        prompt=prompt,
        tools=tools,
        tool_choice=tool_choice(data.get("tool_choice")),
        after_tool_result=last_kind == "function_call_output",
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        stream=data.get("stream") is True,
    )


def _message_item(plan: ChatPlan, done: bool) -> dict[str, Any]:
    text = plan.text if done else ""
    return {
        "type": "message",
        "id": f"msg_{plan.request_id}",
        "status": "completed" if done else "in_progress",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}] if done else [],
    }


def _call_items(plan: ChatPlan, done: bool) -> list[dict[str, Any]]:
    return [
        {
            "type": "function_call",
            "id": f"fc_{call.id[5:]}",
            "call_id": call.id,
            "name": call.name,
            "arguments": call.arguments if done else "",
            "status": "completed" if done else "in_progress",
        }
        for call in plan.tool_calls
    ]


def render_response(plan: ChatPlan, data: dict[str, Any], *, done: bool = True) -> dict[str, Any]:
    """The ``response`` object of a plan (``done=False``: the in-progress shell)."""
    faults = plan.faults
    output: list[dict[str, Any]] = []
    if done:
        if plan.pieces or not plan.tool_calls:
            output.append(_message_item(plan, done=True))
        output += _call_items(plan, done=True)
    incomplete = done and plan.finish == "length"
    body: dict[str, Any] = {
        "id": f"resp_{plan.request_id}",
        "object": "response",
        "created_at": plan.created,
        "status": ("incomplete" if incomplete else "completed") if done else "in_progress",
        "model": plan.profile.response_model,
        "output": output,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "instructions": data.get("instructions"),
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": data.get("temperature", 1.0),
        "top_p": data.get("top_p", 1.0),
        "tool_choice": data.get("tool_choice", "auto"),
        "tools": data.get("tools", []),
        "text": {"format": {"type": "text"}},
        "truncation": "disabled",
        "usage": None,
    }
    if done and not faults.omit_usage:
        usage: dict[str, Any] = {
            "input_tokens": plan.input_tokens,
            "input_tokens_details": {"cached_tokens": plan.cache_read_tokens},
            "output_tokens": plan.output_tokens,
            "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
            "total_tokens": plan.input_tokens + plan.output_tokens,
        }
        if faults.unknown_fields:
            usage["x_simulated_energy_joules"] = 0.5
        body["usage"] = usage
    if faults.unknown_fields:
        body["x_simulated_region"] = "loopback-1"
    return body


def render_response_events(plan: ChatPlan, data: dict[str, Any]) -> Iterator[tuple[bytes, bool]]:
    """The SSE events of a streamed response: ``(event bytes, carries a token)``."""
    sequence = 0

    def event(kind: str, payload: dict[str, Any]) -> bytes:
        nonlocal sequence
        sequence += 1
        return sse({"type": kind, "sequence_number": sequence - 1, **payload}, event=kind)

    shell = render_response(plan, data, done=False)
    yield event("response.created", {"response": shell}), False
    yield event("response.in_progress", {"response": shell}), False
    index = 0
    if plan.pieces or not plan.tool_calls:
        item_id = f"msg_{plan.request_id}"
        yield (
            event(
                "response.output_item.added",
                {"output_index": 0, "item": _message_item(plan, False)},
            ),
            False,
        )
        part = {"type": "output_text", "text": "", "annotations": []}
        where = {"item_id": item_id, "output_index": 0, "content_index": 0}
        yield event("response.content_part.added", {**where, "part": part}), False
        for piece in plan.pieces or [""]:
            yield (
                event("response.output_text.delta", {**where, "delta": piece, "logprobs": []}),
                True,
            )
        yield (
            event("response.output_text.done", {**where, "text": plan.text, "logprobs": []}),
            False,
        )
        done_part = {**part, "text": plan.text}
        yield event("response.content_part.done", {**where, "part": done_part}), False
        yield (
            event(
                "response.output_item.done", {"output_index": 0, "item": _message_item(plan, True)}
            ),
            False,
        )
        index = 1
    for offset, (started, finished) in enumerate(
        zip(_call_items(plan, False), _call_items(plan, True), strict=True)
    ):
        where = {"item_id": started["id"], "output_index": index + offset}
        yield (
            event("response.output_item.added", {"output_index": index + offset, "item": started}),
            True,
        )
        delta = {**where, "delta": finished["arguments"]}
        yield event("response.function_call_arguments.delta", delta), False
        done = {**where, "arguments": finished["arguments"]}
        yield event("response.function_call_arguments.done", done), False
        yield (
            event("response.output_item.done", {"output_index": index + offset, "item": finished}),
            False,
        )
    final = render_response(plan, data)
    kind = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    yield event(kind, {"response": final}), False


async def responses(engine: Engine, request: Request) -> Response:
    """``POST /v1/responses``."""
    planned = await plan_chat_request(engine, request, parse_responses, "openai", error_response)
    if isinstance(planned, Response):
        return planned
    chat, data, plan = planned
    headers = {"x-request-id": f"req_{plan.request_id}"}
    if chat.stream:
        return paced_stream(engine, plan, render_response_events(plan, data), headers)
    await pause(plan.ttft + sum(plan.decode))
    return json_response(engine, render_response(plan, data), plan.decision.malformed, headers)
