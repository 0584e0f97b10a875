"""LiteLLM: every ``completion``/``acompletion`` call, through LiteLLM's own callbacks.

Glassbox adds one ``CustomLogger`` to ``litellm.callbacks`` (LiteLLM's public hook) and
removes it again on ``uninstrument_litellm()``:

- ``log_pre_api_call`` (just before the provider request) notes the start, the caller's
  span context and marks the call in
  :data:`~glassbox.instrumentation._common.FRAMEWORK_CALL`, so a provider integration
  underneath (when a LiteLLM route goes through the ``openai`` SDK) records it and
  claims it, and a framework above (LangChain over LiteLLM) leaves it to LiteLLM;
- the success and failure events record the call, back-dated to its start, with the
  provider LiteLLM routed to, the model, tokens, cost (from Glassbox's price table, like
  every other call), the time to first chunk of a stream and the error kind.

LiteLLM downloads its model price map from the internet when it is imported, unless
``LITELLM_LOCAL_MODEL_COST_MAP=True``: :func:`instrument_litellm` sets that (if unset)
before it imports LiteLLM, so that instrumenting never reaches the network. Set it
yourself if your code imports ``litellm`` before ``glassbox.init()``.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from time import perf_counter, time
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context

from glassbox._llm import llm_call
from glassbox._runtime import current
from glassbox.instrumentation._common import (
    FRAMEWORK_CALL,
    ErrorKinds,
    FrameworkCall,
    claim_framework_call,
    report,
)
from glassbox.instrumentation._openai import record_chat

__all__ = ["instrument_litellm", "uninstrument_litellm"]

_COMPONENT = "instrumentation_litellm"
_KINDS = ErrorKinds(timeout=(TimeoutError,), connection=(ConnectionError,))
_MAX_PENDING = 4096  # calls whose end event never came must not grow memory forever


class _Pending(FrameworkCall):
    __slots__ = ("server",)

    def __init__(self, started: float, context: Any, server: tuple[str | None, int | None]):
        super().__init__(started, context)
        self.server = server


def _perf(moment: Any) -> float | None:
    """A LiteLLM timestamp (``datetime`` or epoch seconds) as a perf_counter reading."""
    if isinstance(moment, datetime):
        moment = moment.timestamp()
    if not isinstance(moment, int | float):
        return None
    return perf_counter() - (time() - float(moment))


def _server(api_base: Any) -> tuple[str | None, int | None]:
    if not isinstance(api_base, str) or not api_base:
        return None, None
    parts = urlsplit(api_base)
    return parts.hostname, parts.port


def _error_kind(exc: BaseException) -> str | None:
    from litellm.exceptions import APIConnectionError, Timeout

    if isinstance(exc, Timeout):
        return "timeout"
    if isinstance(exc, APIConnectionError):
        return "connection"
    return _KINDS.kind(exc)


def _usage(call: Any, usage: Any) -> None:
    prompt = getattr(usage, "prompt_tokens_details", None)
    completion = getattr(usage, "completion_tokens_details", None)
    cache_write = getattr(usage, "cache_creation_input_tokens", None) or getattr(
        prompt, "cache_creation_tokens", None
    )
    call.set_usage(
        input_tokens=getattr(usage, "prompt_tokens", None),
        output_tokens=getattr(usage, "completion_tokens", None),
        cache_read_tokens=getattr(prompt, "cached_tokens", None),
        cache_write_tokens=cache_write,
        reasoning_tokens=getattr(completion, "reasoning_tokens", None),
    )


class _Recorder:
    """The callback methods; mixed into LiteLLM's ``CustomLogger`` at instrument time."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        if current() is None:
            return
        try:
            call_id = kwargs.get("litellm_call_id")
            if not isinstance(call_id, str):
                return
            claim_framework_call()  # a framework above (LangChain) leaves it to LiteLLM
            api_base = (kwargs.get("litellm_params") or {}).get("api_base")
            pending = _Pending(perf_counter(), otel_context.get_current(), _server(api_base))
            with self._lock:
                if len(self._pending) >= _MAX_PENDING:
                    self._pending.clear()
                pending = self._pending.setdefault(call_id, pending)
            FRAMEWORK_CALL.set(pending)
        except Exception as exc:
            report(_COMPONENT, exc)

    def log_post_api_call(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        """The provider request is done: nothing below may claim this call any more."""
        try:
            call_id = kwargs.get("litellm_call_id")
            pending = self._pending.get(call_id) if isinstance(call_id, str) else None
            if pending is not None:
                pending.open = False
        except Exception as exc:
            report(_COMPONENT, exc)

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._finish(kwargs, response_obj, end_time, None)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._finish(kwargs, response_obj, end_time, None)

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._finish(kwargs, None, end_time, kwargs.get("exception"))

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._finish(kwargs, None, end_time, kwargs.get("exception"))

    def _finish(self, kwargs: Any, response: Any, end: Any, error: Any) -> None:
        """Record the call once (LiteLLM may report it on its sync and async paths)."""
        try:
            call_id = kwargs.get("litellm_call_id")
            with self._lock:
                pending = self._pending.pop(call_id, None) if isinstance(call_id, str) else None
            if pending is not None:
                pending.open = False
            if pending is None or pending.claimed or current() is None:
                return
            self._record(pending, kwargs, response, end, error)
        except Exception as exc:
            report(_COMPONENT, exc)

    def _record(
        self, pending: _Pending, kwargs: dict[str, Any], response: Any, end: Any, error: Any
    ) -> None:
        model = kwargs.get("model")
        stream = kwargs.get("stream") is True
        provider = kwargs.get("custom_llm_provider") or (
            (kwargs.get("litellm_params") or {}).get("custom_llm_provider")
        )
        call = llm_call(
            str(provider or "litellm"),
            str(model) if model else "unknown",
            "chat",
            stream=stream,
            server_address=pending.server[0],
            server_port=pending.server[1],
        )
        token = otel_context.attach(pending.context)
        try:
            call.start(at=pending.started)
        finally:
            otel_context.detach(token)
        ended = _perf(end)
        try:
            if stream and error is None:
                first = _perf(kwargs.get("completion_start_time"))
                if first is not None and first >= pending.started:
                    call.chunk(at=first)
            if response is not None:
                record_chat(call, response, _usage)
            if isinstance(error, BaseException):
                kind = _error_kind(error)
                if kind is not None:
                    call.set_error(kind)
        except Exception as exc:
            report(_COMPONENT, exc)
        failure = error if isinstance(error, BaseException) else None
        if error is not None and failure is None:
            call.set_error("other")
        call.end(failure, at=ended if ended is not None and ended >= pending.started else None)


_LOGGER: Any = None
#: Where LiteLLM copies a ``callbacks`` entry when it sets a call up.
_CALLBACK_LISTS = (
    "success_callback",
    "_async_success_callback",
    "failure_callback",
    "_async_failure_callback",
    "input_callback",
)
_LOCK = threading.Lock()


def instrument_litellm() -> None:
    """Record every LiteLLM completion through its callbacks; idempotent.

    Sets ``LITELLM_LOCAL_MODEL_COST_MAP=True`` (unless set) before importing LiteLLM so
    that the import does not download a price map.

    Raises:
        ImportError: LiteLLM is not installed (``pip install 'glassbox[litellm]'``).
    """
    global _LOGGER
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm
    from litellm.integrations.custom_logger import CustomLogger

    with _LOCK:
        if _LOGGER is None:
            logger_class = type("GlassboxLiteLLMLogger", (_Recorder, CustomLogger), {})
            _LOGGER = logger_class()
        if not any(callback is _LOGGER for callback in litellm.callbacks):
            litellm.callbacks.append(_LOGGER)


def uninstrument_litellm() -> None:
    """Remove Glassbox's callback from LiteLLM; idempotent."""
    import sys

    litellm = sys.modules.get("litellm")
    if litellm is None or _LOGGER is None:
        return
    with _LOCK:
        litellm.callbacks[:] = [c for c in litellm.callbacks if c is not _LOGGER]
        for name in _CALLBACK_LISTS:
            registered = getattr(litellm, name, None)
            if isinstance(registered, list):
                registered[:] = [c for c in registered if c is not _LOGGER]
        _LOGGER._pending.clear()
