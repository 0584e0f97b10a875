"""Auto-instrumentation of the ``anthropic`` library: the Messages API.

Patched (sync and async): ``Messages.create`` (``client.messages.create``, streaming
included) and the base client's ``_sleep_for_retry`` so the library's own retries are
counted.
"""

from __future__ import annotations

from typing import Any

from glassbox.instrumentation._calls import Endpoint, wrap_async, wrap_sync
from glassbox.instrumentation._common import ErrorKinds, Patches, retry_hook
from glassbox.typing import LLMCallRecorder

__all__ = ["instrument_anthropic", "uninstrument_anthropic"]

_PATCHES = Patches()

_PARAMS = (
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("top_k", "top_k"),
    ("max_tokens", "max_tokens"),
)


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _set_usage(call: LLMCallRecorder, usage: Any, output_tokens: Any = None) -> None:
    """Anthropic reports uncached, cache-read and cache-write input separately: sum them."""
    cache_read = getattr(usage, "cache_read_input_tokens", None)
    cache_write = getattr(usage, "cache_creation_input_tokens", None)
    uncached = getattr(usage, "input_tokens", None)
    call.set_usage(
        input_tokens=_int(uncached) + _int(cache_read) + _int(cache_write)
        if uncached is not None
        else None,
        output_tokens=output_tokens
        if output_tokens is not None
        else getattr(usage, "output_tokens", None),
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )


def record_message(call: LLMCallRecorder, result: Any) -> None:
    """Record a ``Message``: usage with cache tokens, model, id, stop reason, tool uses."""
    usage = getattr(result, "usage", None)
    if usage is not None:
        _set_usage(call, usage)
    stop = getattr(result, "stop_reason", None)
    call.set_response(
        model=getattr(result, "model", None),
        response_id=getattr(result, "id", None),
        finish_reasons=[str(stop)] if stop else None,
    )
    tools = [
        str(block.name)
        for block in getattr(result, "content", None) or ()
        if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None)
    ]
    if tools:
        call.tool_calls(tools)


class MessageStreamObserver:
    """Watches raw message stream events: a chunk mark per ``content_block_delta``."""

    __slots__ = ("chunk", "complete", "message", "stop", "tools", "usage")

    def __init__(self, call: LLMCallRecorder) -> None:
        self.chunk = call.chunk
        self.complete = False
        self.message: Any = None
        self.usage: Any = None
        self.stop: Any = None
        self.tools: list[str] = []

    def observe(self, item: Any) -> None:
        kind = item.type
        if kind == "content_block_delta":
            self.chunk()
        elif kind == "content_block_start":
            block = item.content_block
            if block.type == "tool_use":
                self.tools.append(block.name)
        elif kind == "message_start":
            self.message = item.message
        elif kind == "message_delta":
            self.usage = item.usage
            self.stop = item.delta.stop_reason
        elif kind == "message_stop":
            self.complete = True

    def flush(self, call: LLMCallRecorder) -> None:
        message = self.message
        start_usage = getattr(message, "usage", None)
        final = self.usage
        output = getattr(final, "output_tokens", None)
        if start_usage is not None:
            # message_delta may repeat input counts; prefer them when present.
            source = final if getattr(final, "input_tokens", None) is not None else start_usage
            _set_usage(call, source, output)
        elif output is not None:
            call.set_usage(output_tokens=output)
        call.set_response(
            model=getattr(message, "model", None),
            response_id=getattr(message, "id", None),
            finish_reasons=[str(self.stop)] if self.stop else None,
        )
        if self.tools:
            call.tool_calls(self.tools)


def _input(kwargs: dict[str, Any]) -> Any:
    return {"system": kwargs.get("system"), "messages": kwargs.get("messages")}


def _output(result: Any) -> Any:
    return [block.model_dump(exclude_none=True) for block in result.content]


def _endpoint() -> Endpoint:
    import anthropic

    kinds = ErrorKinds(
        timeout=(anthropic.APITimeoutError,), connection=(anthropic.APIConnectionError,)
    )
    return Endpoint(
        "anthropic", "chat", kinds, _PARAMS, record_message, MessageStreamObserver,
        _input, _output, "instrument_anthropic",
    )  # fmt: skip


def instrument_anthropic() -> None:
    """Record every ``anthropic`` Messages API call (sync, async, streaming).

    Idempotent. The returned messages and streams are the library's own objects.

    Raises:
        ImportError: ``anthropic`` is not installed (``pip install 'glassbox[anthropic]'``).
    """
    try:
        from anthropic import _base_client
        from anthropic.resources.messages import messages as messages_module
    except ImportError as exc:
        raise ImportError(
            f"instrument_anthropic() needs the anthropic package ({exc}); install it with "
            "`pip install 'glassbox[anthropic]'`"
        ) from exc
    with _PATCHES.lock:
        if _PATCHES.active:
            return
        endpoint = _endpoint()
        try:
            _PATCHES.apply(messages_module.Messages, "create", wrap_sync(endpoint))
            _PATCHES.apply(messages_module.AsyncMessages, "create", wrap_async(endpoint))
            _PATCHES.apply(_base_client.SyncAPIClient, "_sleep_for_retry", retry_hook)
            _PATCHES.apply(_base_client.AsyncAPIClient, "_sleep_for_retry", retry_hook)
        except BaseException:
            _PATCHES.restore()
            raise


def uninstrument_anthropic() -> None:
    """Restore the original ``anthropic`` methods (idempotent)."""
    with _PATCHES.lock:
        _PATCHES.restore()
