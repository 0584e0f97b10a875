"""Glassbox: production observability for AI systems.

One :func:`init` call, then decorators, context managers and auto-instrumentation emit
Prometheus metrics, OpenTelemetry spans and PII-safe JSON logs, correlated by trace id.
"""

import collections.abc as _abc
import typing as _typing

from glassbox import _config, _facade, exceptions, semconv
from glassbox._config import Budget, Settings
from glassbox._context import attributes, current_attributes, request_id
from glassbox._decorators import agent, task, tool, workflow
from glassbox._llm import ERROR_KINDS, LLMCall, llm_call
from glassbox._queues import Cache, Queue, QueueItem, Stage, cache, queue, stage
from glassbox._runtime import Runtime
from glassbox._version import __version__
from glassbox.exceptions import BudgetExceededError, ConfigError, GlassboxError

if _typing.TYPE_CHECKING:
    from glassbox.instrumentation import (
        instrument_anthropic,
        instrument_openai,
        uninstrument_anthropic,
        uninstrument_openai,
    )

__all__ = [
    "ERROR_KINDS",
    "Budget",
    "BudgetExceededError",
    "Cache",
    "ConfigError",
    "GlassboxError",
    "LLMCall",
    "Queue",
    "QueueItem",
    "Runtime",
    "Settings",
    "Stage",
    "__version__",
    "agent",
    "attributes",
    "cache",
    "current_attributes",
    "exceptions",
    "init",
    "instrument_anthropic",
    "instrument_openai",
    "llm_call",
    "queue",
    "request_id",
    "semconv",
    "shutdown",
    "stage",
    "task",
    "tool",
    "uninstrument_anthropic",
    "uninstrument_openai",
    "workflow",
]

_LAZY = {
    "instrument_openai",
    "uninstrument_openai",
    "instrument_anthropic",
    "uninstrument_anthropic",
}


def __getattr__(name: str) -> _typing.Any:
    # Provider integrations import their client libraries; load them only when asked.
    if name in _LAZY:
        from glassbox import instrumentation

        return getattr(instrumentation, name)
    raise AttributeError(f"module 'glassbox' has no attribute {name!r}")


#: Marks an ``init()`` keyword that was not given (``None`` has a meaning for some).
_UNSET: _typing.Any = _config.UNSET


def init(
    *,
    service_name: str | None = _UNSET,
    environment: str | None = _UNSET,
    service_version: str | None = _UNSET,
    metrics_port: int | str | None = _UNSET,
    metrics_host: str | None = _UNSET,
    app_metrics: bool | str | None = _UNSET,
    otlp_endpoint: str | None = _UNSET,
    otlp_logs_endpoint: str | None = _UNSET,
    traces: bool | str | None = _UNSET,
    span_queue_size: int | str | None = _UNSET,
    shutdown_timeout: float | str | None = _UNSET,
    keep_spans: int | str | None = _UNSET,
    logs: bool | str | None = _UNSET,
    log_level: str | None = _UNSET,
    log_file: str | None = _UNSET,
    log_flush_interval: float | str | None = _UNSET,
    log_llm_calls: bool | str | None = _UNSET,
    log_queue_size: int | str | None = _UNSET,
    raw_stream: bool | str | None = _UNSET,
    raw_stream_dir: str | None = _UNSET,
    capture_content: bool | str | None = _UNSET,
    redaction: bool | str | None = _UNSET,
    redaction_key_file: str | None = _UNSET,
    attribution_labels: _abc.Sequence[str] | str | None = _UNSET,
    cardinality_budgets: _abc.Mapping[str, int] | str | None = _UNSET,
    prices: _abc.Mapping[str, _typing.Any] | str | None = _UNSET,
    budgets: _abc.Mapping[str, _typing.Any] | _abc.Sequence[Budget] | Budget | None = _UNSET,
    instrument: _abc.Sequence[str] | str | None = _UNSET,
    multiprocess_dir: str | None = _UNSET,
) -> Runtime:
    # The docstring is generated from the settings table (glassbox._config.SETTINGS).
    given = {name: value for name, value in locals().items() if value is not _UNSET}
    return _facade.start(**given)


init.__doc__ = _config.init_docstring()


def shutdown() -> None:
    """Flush spans and logs and stop what :func:`init` started. Safe to call twice."""
    _facade.stop()
