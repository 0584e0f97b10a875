"""Auto-instrumentation of the ``openai`` library: chat completions, Responses, embeddings.

Patched (sync and async): ``Completions.create`` (``client.chat.completions.create``),
``Responses.create`` (``client.responses.create``), ``Embeddings.create``
(``client.embeddings.create``), and the base client's ``_sleep_for_retry`` so the
library's own retries are counted on the call that made them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassbox.instrumentation._calls import Endpoint, wrap_async, wrap_sync
from glassbox.instrumentation._common import ErrorKinds, Patches, retry_hook
from glassbox.typing import LLMCallRecorder

__all__ = ["instrument_openai", "uninstrument_openai"]

_PATCHES = Patches()

_CHAT_PARAMS = (
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_tokens", "max_tokens"),
    ("max_completion_tokens", "max_tokens"),
    ("frequency_penalty", "frequency_penalty"),
    ("presence_penalty", "presence_penalty"),
    ("seed", "seed"),
    ("n", "choice.count"),
    ("reasoning_effort", "reasoning_effort"),
)
_RESPONSES_PARAMS = (
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("max_output_tokens", "max_tokens"),
)
_EMBEDDING_PARAMS = (
    ("dimensions", "embedding.dimensions"),
    ("encoding_format", "encoding_formats"),
)


# --- results ---------------------------------------------------------------------------------


def _chat_usage(call: LLMCallRecorder, usage: Any) -> None:
    prompt = getattr(usage, "prompt_tokens_details", None)
    completion = getattr(usage, "completion_tokens_details", None)
    call.set_usage(
        input_tokens=getattr(usage, "prompt_tokens", None),
        output_tokens=getattr(usage, "completion_tokens", None),
        cache_read_tokens=getattr(prompt, "cached_tokens", None),
        reasoning_tokens=getattr(completion, "reasoning_tokens", None),
    )


def record_chat(
    call: LLMCallRecorder,
    result: Any,
    read_usage: Callable[[LLMCallRecorder, Any], None] = _chat_usage,
) -> None:
    """Record a ``ChatCompletion``: usage, response model and id, finish reasons, tool calls.

    ``read_usage`` reads the usage block (LiteLLM's OpenAI-shaped responses also carry
    cache-write tokens).
    """
    usage = getattr(result, "usage", None)
    if usage is not None:
        read_usage(call, usage)
    finish: list[str] = []
    tools: list[str] = []
    for choice in getattr(result, "choices", None) or ():
        reason = getattr(choice, "finish_reason", None)
        if reason:
            finish.append(str(reason))
        message = getattr(choice, "message", None)
        for tool_call in getattr(message, "tool_calls", None) or ():
            name = getattr(getattr(tool_call, "function", None), "name", None)
            if name:
                tools.append(str(name))
    call.set_response(
        model=getattr(result, "model", None),
        response_id=getattr(result, "id", None),
        finish_reasons=finish,
    )
    if tools:
        call.tool_calls(tools)


def record_response(call: LLMCallRecorder, result: Any) -> None:
    """Record a Responses API ``Response``."""
    usage = getattr(result, "usage", None)
    if usage is not None:
        call.set_usage(
            input_tokens=getattr(usage, "input_tokens", None),
            output_tokens=getattr(usage, "output_tokens", None),
            cache_read_tokens=getattr(
                getattr(usage, "input_tokens_details", None), "cached_tokens", None
            ),
            reasoning_tokens=getattr(
                getattr(usage, "output_tokens_details", None), "reasoning_tokens", None
            ),
        )
    tools = [
        str(item.name)
        for item in getattr(result, "output", None) or ()
        if getattr(item, "type", None) == "function_call" and getattr(item, "name", None)
    ]
    status = getattr(result, "status", None)
    if status == "incomplete":
        details = getattr(result, "incomplete_details", None)
        reason = getattr(details, "reason", None)
        finish = ["length" if reason == "max_output_tokens" else str(reason or "incomplete")]
    elif status == "failed":
        finish = ["error"]
        call.set_error("server_error")
    elif status == "completed":
        finish = ["tool_calls" if tools else "stop"]
    else:
        finish = []
    call.set_response(
        model=getattr(result, "model", None),
        response_id=getattr(result, "id", None),
        finish_reasons=finish,
    )
    if tools:
        call.tool_calls(tools)


def record_embeddings(call: LLMCallRecorder, result: Any) -> None:
    """Record a ``CreateEmbeddingResponse``."""
    usage = getattr(result, "usage", None)
    if usage is not None:
        call.set_usage(input_tokens=getattr(usage, "prompt_tokens", None))
    call.set_response(model=getattr(result, "model", None))


# --- streams ---------------------------------------------------------------------------------


class ChatStreamObserver:
    """Watches ``ChatCompletionChunk``s: one chunk mark per chunk with choices."""

    __slots__ = ("chunk", "complete", "finish", "model", "response_id", "tools", "usage")

    def __init__(self, call: LLMCallRecorder) -> None:
        self.chunk = call.chunk
        self.complete = False
        self.model: Any = None
        self.response_id: Any = None
        self.finish: list[str] = []
        self.tools: list[str] = []
        self.usage: Any = None

    def observe(self, item: Any) -> None:
        choices = item.choices
        if choices:
            self.chunk()
            if self.model is None:
                self.model = item.model
                self.response_id = item.id
            for choice in choices:
                if choice.finish_reason:
                    self.finish.append(choice.finish_reason)
                    self.complete = True
                calls = choice.delta.tool_calls if choice.delta is not None else None
                if calls:
                    for tool_call in calls:
                        function = tool_call.function
                        if function is not None and function.name:
                            self.tools.append(function.name)
        usage = item.usage
        if usage is not None:
            self.usage = usage
            if self.model is None:
                self.model = item.model
                self.response_id = item.id

    def flush(self, call: LLMCallRecorder) -> None:
        if self.usage is not None:
            _chat_usage(call, self.usage)
        call.set_response(
            model=self.model, response_id=self.response_id, finish_reasons=self.finish
        )
        if self.tools:
            call.tool_calls(self.tools)


class ResponsesStreamObserver:
    """Watches Responses API stream events: a chunk mark per ``*.delta`` event."""

    __slots__ = ("chunk", "complete", "response")

    def __init__(self, call: LLMCallRecorder) -> None:
        self.chunk = call.chunk
        self.complete = False
        self.response: Any = None

    def observe(self, item: Any) -> None:
        kind = item.type
        if kind.endswith(".delta"):
            self.chunk()
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.response = item.response
            self.complete = True
        elif kind == "response.created":
            self.response = item.response

    def flush(self, call: LLMCallRecorder) -> None:
        if self.response is not None:
            record_response(call, self.response)


# --- patching --------------------------------------------------------------------------------


def _chat_input(kwargs: dict[str, Any]) -> Any:
    return kwargs.get("messages")


def _chat_output(result: Any) -> Any:
    return [choice.message.model_dump(exclude_none=True) for choice in result.choices]


def _responses_input(kwargs: dict[str, Any]) -> Any:
    return {"instructions": kwargs.get("instructions"), "input": kwargs.get("input")}


def _responses_output(result: Any) -> Any:
    return [item.model_dump(exclude_none=True) for item in result.output]


def _endpoints() -> tuple[Endpoint, Endpoint, Endpoint]:
    import openai

    kinds = ErrorKinds(timeout=(openai.APITimeoutError,), connection=(openai.APIConnectionError,))
    chat = Endpoint(
        "openai", "chat", kinds, _CHAT_PARAMS, record_chat, ChatStreamObserver,
        _chat_input, _chat_output, "instrument_openai",
    )  # fmt: skip
    responses = Endpoint(
        "openai", "chat", kinds, _RESPONSES_PARAMS, record_response, ResponsesStreamObserver,
        _responses_input, _responses_output, "instrument_openai",
    )  # fmt: skip
    embeddings = Endpoint(
        "openai", "embeddings", kinds, _EMBEDDING_PARAMS, record_embeddings,
        component="instrument_openai",
    )  # fmt: skip
    return chat, responses, embeddings


def instrument_openai() -> None:
    """Record every ``openai`` chat completion, Responses API call and embeddings call.

    Idempotent. Covers sync and async clients, streaming (the returned stream objects
    are the library's own), the library's retries, and errors mapped to fixed kinds.

    Raises:
        ImportError: ``openai`` is not installed (``pip install 'glassbox[openai]'``).
    """
    try:
        from openai import _base_client
        from openai.resources import embeddings as embeddings_module
        from openai.resources.chat.completions import completions as chat_module
        from openai.resources.responses import responses as responses_module
    except ImportError as exc:
        raise ImportError(
            f"instrument_openai() needs the openai package ({exc}); install it with "
            "`pip install 'glassbox[openai]'`"
        ) from exc
    with _PATCHES.lock:
        if _PATCHES.active:
            return
        chat, responses, embeddings = _endpoints()
        try:
            sync: list[tuple[type, Endpoint]] = [
                (chat_module.Completions, chat),
                (responses_module.Responses, responses),
                (embeddings_module.Embeddings, embeddings),
            ]
            for owner, endpoint in sync:
                _PATCHES.apply(owner, "create", wrap_sync(endpoint))
            asynchronous: list[tuple[type, Endpoint]] = [
                (chat_module.AsyncCompletions, chat),
                (responses_module.AsyncResponses, responses),
                (embeddings_module.AsyncEmbeddings, embeddings),
            ]
            for owner, endpoint in asynchronous:
                _PATCHES.apply(owner, "create", wrap_async(endpoint))
            _PATCHES.apply(_base_client.SyncAPIClient, "_sleep_for_retry", retry_hook)
            _PATCHES.apply(_base_client.AsyncAPIClient, "_sleep_for_retry", retry_hook)
        except BaseException:
            _PATCHES.restore()
            raise


def uninstrument_openai() -> None:
    """Restore the original ``openai`` methods (idempotent)."""
    with _PATCHES.lock:
        _PATCHES.restore()
