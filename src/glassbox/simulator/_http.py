"""HTTP helpers shared by the simulated APIs: bodies, SSE framing, pacing, injected faults."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from glassbox.exceptions import GlassboxError
from glassbox.simulator._engine import ChatPlan, ChatRequest, Engine, pause
from glassbox.simulator._models import profile_for

__all__ = [
    "BadRequest",
    "StreamTruncated",
    "json_response",
    "paced_stream",
    "read_json",
    "sse",
]

_MALFORMED = b'{"id": "broken", "object": '


class BadRequest(GlassboxError):
    """The request body is not what the API accepts; answered with a 400."""


class StreamTruncated(GlassboxError):
    """Raised inside a streaming body to drop the connection mid-response (a fault)."""


class _DropTruncationTracebacks(logging.Filter):
    """Keep injected truncations out of the server's error log: they are not bugs."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        return not isinstance(exc, StreamTruncated)


logging.getLogger("uvicorn.error").addFilter(_DropTruncationTracebacks())


async def read_json(engine: Engine, request: Request) -> tuple[bytes, dict[str, Any]]:
    """Read and parse the JSON request body, counting the request in the stats.

    Raises:
        BadRequest: The body is not a JSON object or has no ``model``.
    """
    engine.count("requests")
    engine.count(f"route:{request.url.path}")
    body = await request.body()
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    if not isinstance(data.get("model"), str) or not data["model"]:
        raise BadRequest("'model' is required and must be a non-empty string")
    return body, data


def json_response(
    engine: Engine, data: Any, plan_malformed: bool, headers: dict[str, str]
) -> Response:
    """A 200 JSON response, or a malformed body when that fault was drawn."""
    engine.count("status:200")
    if plan_malformed:
        return Response(_MALFORMED, media_type="application/json", headers=headers)
    return Response(
        json.dumps(data, separators=(",", ":")).encode(),
        media_type="application/json",
        headers=headers,
    )


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event; ``data`` is JSON-encoded unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {payload}\n\n".encode()


def paced_stream(
    engine: Engine,
    plan: ChatPlan,
    events: Iterable[tuple[bytes, bool]],
    headers: dict[str, str],
    malformed: Callable[[], bytes] = lambda: b"data: " + _MALFORMED + b"\n\n",
) -> StreamingResponse:
    """Stream ``events`` paced by ``plan``: the TTFT before the first token, then decode steps.

    Args:
        engine: Supplies stats.
        plan: The answer's timing and drawn faults (truncation, malformed event).
        events: ``(bytes, is_token)`` pairs; only token events wait a decode step.
        headers: Response headers.
        malformed: Produces the broken event sent when the malformed fault was drawn.

    Returns:
        The streaming response.
    """
    engine.count("status:200")
    items = list(events)
    tokens = sum(1 for _, is_token in items if is_token)
    rng = plan.rng
    cut = rng.randint(1, max(tokens - 1, 1)) if plan.decision.truncate else -1
    broken_at = rng.randint(1, max(tokens, 1)) if plan.decision.malformed else -1

    async def body() -> AsyncIterator[bytes]:
        sent_tokens = 0
        decode = iter(plan.decode)
        for data, is_token in items:
            if is_token:
                await pause(plan.ttft if sent_tokens == 0 else next(decode, 0.0))
                sent_tokens += 1
                if sent_tokens == broken_at:
                    yield malformed()
            yield data
            if is_token and sent_tokens == cut:
                engine.count("faults:truncated")
                raise StreamTruncated(f"stream truncated after {cut} tokens (injected fault)")

    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)


async def plan_chat_request(
    engine: Engine,
    request: Request,
    parse: Callable[[dict[str, Any]], ChatRequest],
    provider: Literal["openai", "anthropic"],
    error: Callable[[Engine, int, str | None], Response],
) -> tuple[ChatRequest, dict[str, Any], ChatPlan] | Response:
    """The prologue every chat-style endpoint shares: parse, plan, queue, decide faults.

    Returns:
        The parsed request, its JSON body and its plan; or the provider-shaped error
        ``Response`` to send instead (a malformed request, or an injected fault).
    """
    try:
        body, data = await read_json(engine, request)
        chat = parse(data)
    except BadRequest as exc:
        return error(engine, 400, str(exc))
    rng = engine.request_rng(body)
    profile = profile_for(chat.model, provider)
    plan = engine.plan_chat(chat, profile, rng)
    await engine.admit(profile, rng)
    if plan.decision.status is not None:
        return error(engine, plan.decision.status, None)
    return chat, data, plan
