"""Typing seams of Glassbox: what an integration may rely on, and nothing more.

Integrations (``glassbox.instrumentation``) record through :func:`glassbox.llm_call`,
which returns an object satisfying :class:`LLMCallRecorder`; they are typed against this
protocol, not against the core's classes, so the core can change how it records without
touching them (and before ``init()`` a stand-in that records nothing satisfies it too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["Integration", "LLMCallRecorder"]


class LLMCallRecorder(Protocol):
    """One LLM call being recorded. Cost model: see :mod:`glassbox._llm`."""

    def start(self, *, at: float | None = None) -> Any:
        """Start the clock, the span and the in-flight gauge (``at``: a past perf_counter)."""

    def end(self, error: BaseException | None = None, *, at: float | None = None) -> None:
        """Finish the call (idempotent): metrics, cost, span, log line."""

    def chunk(self, at: float | None = None) -> None:
        """A streamed chunk arrived (a timestamp; cheap)."""

    def set_usage(
        self,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
        reasoning_tokens: int | None = None,
    ) -> None:
        """Token usage as the provider reported it."""

    def set_response(
        self,
        *,
        model: str | None = None,
        response_id: str | None = None,
        finish_reasons: Sequence[str] | None = None,
    ) -> None:
        """What the response said about itself."""

    def set_error(self, error_type: str) -> None:
        """Classify a failure (``rate_limit``, ``timeout``, …) instead of the class name."""

    def retry(self, *, rate_limited: bool = False) -> None:
        """The client library retried the request."""

    def tool_calls(self, names: Sequence[str]) -> None:
        """The model asked for these tools."""

    @property
    def capture_enabled(self) -> bool:
        """Whether prompt and completion content is captured (redacted) at all."""

    def capture_input(self, messages: Any) -> None:
        """Captured prompt content (only called when capture is enabled)."""

    def capture_output(self, messages: Any) -> None:
        """Captured completion content (only called when capture is enabled)."""

    @property
    def span(self) -> Any:
        """The call's span (an OpenTelemetry ``Span``; non-recording when tracing is off)."""


class Integration(Protocol):
    """An auto-instrumentation a user switches on with ``init(instrument=[name])``."""

    def instrument(self) -> None:
        """Patch the library; idempotent. Raises ImportError when it is not installed."""

    def uninstrument(self) -> None:
        """Restore the library's original methods; idempotent."""
