"""What the provider integrations share: patching, error kinds, retries, stream wrapping.

Every integration records through the public :func:`glassbox.llm_call` API. Its own
failures are caught and reported with :func:`glassbox._runtime.report_error`; what the
user's code receives (return values, the very same stream objects, exceptions) does not
change.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from glassbox._runtime import report_error
from glassbox.exceptions import BudgetExceededError
from glassbox.typing import LLMCallRecorder

__all__ = [
    "CURRENT_CALL",
    "FRAMEWORK_CALL",
    "ErrorKinds",
    "FrameworkCall",
    "Patches",
    "StreamObserver",
    "claim_framework_call",
    "finish_call",
    "instrument_stream",
    "report",
    "retry_hook",
    "start_call",
]

#: The LLM call a client library is working on in this thread or task: lets the
#: library's retry loop (patched separately) attribute its retries to the call.
CURRENT_CALL: ContextVar[Any] = ContextVar("glassbox_current_llm_call", default=None)


class FrameworkCall:
    """An LLM call a framework (LangChain, LiteLLM) is about to make, not yet recorded.

    Every LLM call is recorded exactly once, by the lowest layer that sees it: the
    framework sets this in :data:`FRAMEWORK_CALL` before the call goes down, and a
    provider integration below it (openai, anthropic) that records the call marks it
    ``claimed``; when the call comes back unclaimed, the framework records it itself.
    """

    __slots__ = ("chunks", "claimed", "context", "open", "started")

    def __init__(self, started: float, context: Any = None) -> None:
        self.started = started
        self.context = context
        self.claimed = False
        #: Whether the request is still on its way down: only then may a layer below
        #: claim it (a marker left in the context afterwards must not swallow a later call).
        self.open = True
        self.chunks: list[float] = []


#: The framework-level LLM call in progress in this thread or task, if any.
FRAMEWORK_CALL: ContextVar[FrameworkCall | None] = ContextVar(
    "glassbox_framework_llm_call", default=None
)


def claim_framework_call() -> None:
    """Tell the framework above (if any) that a lower layer records this call."""
    pending = FRAMEWORK_CALL.get()
    if pending is not None and pending.open:
        pending.claimed = True


def report(component: str, exc: BaseException) -> None:
    """Count and log (once) a failure of Glassbox's own code. Never raises."""
    with contextlib.suppress(Exception):  # the reporter itself must never break the host
        report_error(component, exc)


def start_call(
    component: str, factory: Callable[..., LLMCallRecorder], *args: Any
) -> LLMCallRecorder | None:
    """Create (``factory(*args)``) and start an LLM call, or ``None`` if Glassbox failed to.

    :class:`~glassbox.BudgetExceededError` propagates: blocking calls over budget is
    what an enforced budget is for.
    """
    try:
        call = factory(*args)
        call.start()
        return call
    except BudgetExceededError:
        raise
    except Exception as exc:
        report(component, exc)
        return None


@dataclass(frozen=True)
class ErrorKinds:
    """Maps a client library's exceptions to the fixed ``error_type`` values.

    Attributes:
        timeout: The library's timeout exception class(es).
        connection: Its connection exception class(es) (checked after ``timeout``).
    """

    timeout: tuple[type[BaseException], ...]
    connection: tuple[type[BaseException], ...]

    def kind(self, exc: BaseException) -> str | None:
        """The error kind of ``exc``; ``None`` keeps the default (the class name).

        Only :class:`Exception` subclasses are mapped: a cancellation or
        ``KeyboardInterrupt`` keeps its own name.
        """
        if not isinstance(exc, Exception):
            return None
        status = getattr(exc, "status_code", None)
        if isinstance(status, int):
            if status == 429:
                return "rate_limited"
            if status in (401, 403):
                return "authentication"
            if status == 408:
                return "timeout"
            if status >= 500:
                return "server_error"
            if status >= 400:
                return "bad_request"
        if isinstance(exc, self.timeout):
            return "timeout"
        if isinstance(exc, self.connection):
            return "connection"
        return _transport_kind(exc) or "other"


def _transport_kind(exc: BaseException) -> str | None:
    """``timeout``/``connection`` for the HTTP client's own errors, which client libraries
    let through unwrapped while a streamed body is read (a stream cut off by the server
    raises ``RemoteProtocolError``). Matched by class name, as providers' SDKs may ship
    their own copy of httpx under another module name."""
    for cls in type(exc).__mro__:
        if cls.__module__.startswith("httpx"):
            if cls.__name__ == "TimeoutException":
                return "timeout"
            if cls.__name__ == "TransportError":
                return "connection"
    return None


def finish_call(call: LLMCallRecorder, error: BaseException | None, kinds: ErrorKinds) -> None:
    """End ``call`` with ``error`` mapped to its kind. Never raises."""
    try:
        if error is not None:
            kind = kinds.kind(error)
            if kind is not None:
                call.set_error(kind)
        call.end(error)
    except Exception as exc:
        report("llm_call", exc)


class Patches:
    """Attributes replaced on library classes, restorable exactly.

    ``apply`` remembers whether the attribute was the class's own or inherited, so
    ``restore`` puts back the very same object (or removes the override).
    """

    def __init__(self) -> None:
        self._applied: list[tuple[type, str, Any, bool]] = []
        self.lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether anything is patched."""
        return bool(self._applied)

    def apply(self, owner: type, name: str, make: Callable[[Any], Any]) -> None:
        """Replace ``owner.name`` with ``make(original)`` (wrapped with functools.wraps)."""
        own = name in owner.__dict__
        original = owner.__dict__[name] if own else getattr(owner, name)
        wrapper = functools.wraps(original)(make(original))
        setattr(owner, name, wrapper)
        self._applied.append((owner, name, original, own))

    def restore(self) -> None:
        """Put every original back, newest patch first."""
        while self._applied:
            owner, name, original, own = self._applied.pop()
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)


def retry_hook(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a client's ``_sleep_for_retry`` (sync or async) to count retries of the current call."""

    def note(kwargs: dict[str, Any]) -> None:
        call = CURRENT_CALL.get()
        if call is not None:
            try:
                response = kwargs.get("response")
                call.retry(rate_limited=getattr(response, "status_code", None) == 429)
            except Exception as exc:
                report("llm_retry", exc)

    if _is_async(original):

        async def sleep_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            note(kwargs)
            return await original(self, *args, **kwargs)

        return sleep_async

    def sleep(self: Any, *args: Any, **kwargs: Any) -> Any:
        note(kwargs)
        return original(self, *args, **kwargs)

    return sleep


def _is_async(function: Callable[..., Any]) -> bool:
    import inspect

    return inspect.iscoroutinefunction(function)


# --- streams -------------------------------------------------------------------------------


class StreamObserver(Protocol):
    """Watches a stream's items for one provider's event shapes.

    ``observe`` is called once per item and must stay cheap (a few attribute reads);
    ``flush`` passes what was seen to the call when the stream ends.
    """

    complete: bool

    def observe(self, item: Any) -> None: ...

    def flush(self, call: LLMCallRecorder) -> None: ...


class _StreamState:
    """Ends the call exactly once, whichever way the stream ends."""

    __slots__ = ("call", "done", "kinds", "observer")

    def __init__(self, call: LLMCallRecorder, observer: StreamObserver, kinds: ErrorKinds) -> None:
        self.call = call
        self.observer = observer
        self.kinds = kinds
        self.done = False

    def end(self, error: BaseException | None, exhausted: bool) -> None:
        if self.done:
            return
        self.done = True
        call = self.call
        try:
            self.observer.flush(call)
            if error is None and exhausted and not self.observer.complete:
                call.set_error("server_error")  # the body ended before its final event
        except Exception as exc:
            report("llm_stream", exc)
        finish_call(call, error, self.kinds)


def _observe_failed(state: _StreamState, exc: Exception) -> None:
    report("llm_stream", exc)


def _sync_items(inner: Iterator[Any], state: _StreamState) -> Generator[Any, None, None]:
    observe = state.observer.observe
    try:
        for item in inner:
            try:
                observe(item)
            except Exception as exc:
                _observe_failed(state, exc)
                observe = _ignore
            yield item
    except GeneratorExit:  # closed or garbage-collected half-way: end with what was seen
        state.end(None, exhausted=False)
        close = getattr(inner, "close", None)
        if close is not None:
            close()
        raise
    except BaseException as exc:
        state.end(exc, exhausted=False)
        raise
    state.end(None, exhausted=True)


async def _async_items(inner: AsyncIterator[Any], state: _StreamState) -> AsyncGenerator[Any, None]:
    observe = state.observer.observe
    try:
        async for item in inner:
            try:
                observe(item)
            except Exception as exc:
                _observe_failed(state, exc)
                observe = _ignore
            yield item
    except GeneratorExit:
        state.end(None, exhausted=False)
        aclose = getattr(inner, "aclose", None)
        if aclose is not None:
            await aclose()
        raise
    except BaseException as exc:
        state.end(exc, exhausted=False)
        raise
    state.end(None, exhausted=True)


def _ignore(item: Any) -> None:
    return None


def instrument_stream(
    stream: Any, call: LLMCallRecorder, observer: StreamObserver, kinds: ErrorKinds
) -> Any:
    """Make ``stream`` (an ``openai``/``anthropic`` ``Stream`` or ``AsyncStream``) record ``call``.

    The stream object itself is returned unchanged in type and identity: only its
    internal item iterator is wrapped, and ``close()`` also ends the call. Iteration,
    ``with``, ``.response`` and every other attribute behave as before. The call ends
    when the stream is exhausted (an error if the final event never came), raises
    (with the error), is closed, or is garbage-collected half-way (no error).

    Returns:
        ``stream``.
    """
    inner = getattr(stream, "_iterator", None)
    if inner is None:  # an unknown stream shape: record the call without chunk details
        finish_call(call, None, kinds)
        return stream
    state = _StreamState(call, observer, kinds)
    cls = type(stream)
    ref = weakref.ref(stream)
    if hasattr(inner, "__anext__"):
        items_async = _async_items(inner, state)
        stream._iterator = items_async
        original_aclose = cls.close

        async def aclose() -> None:
            target = ref()
            try:
                if target is not None:
                    await original_aclose(target)
            finally:
                await items_async.aclose()
                state.end(None, exhausted=False)

        stream.close = aclose
    else:
        items = _sync_items(inner, state)
        stream._iterator = items
        original_close = cls.close

        def close() -> None:
            target = ref()
            try:
                if target is not None:
                    original_close(target)
            finally:
                items.close()
                state.end(None, exhausted=False)

        stream.close = close
    return stream
