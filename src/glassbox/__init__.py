"""Glassbox: production observability for AI systems.

One :func:`init` call, then decorators, context managers and auto-instrumentation emit
Prometheus metrics, OpenTelemetry spans and PII-safe JSON logs, correlated by trace id.
"""

import typing as _typing

from glassbox import _facade, exceptions, semconv
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


def init(**settings: _typing.Any) -> Runtime:
    """Initialise Glassbox once per process; later calls return the same runtime.

    Every setting can also come from the environment variable ``GLASSBOX_<NAME>``; the
    standard ``OTEL_*`` variables are honoured as fallbacks. Arguments win.

    Args:
        service_name: ``service.name`` (fallback ``OTEL_SERVICE_NAME``).
        environment: ``deployment.environment.name`` (default ``dev``).
        service_version: ``service.version``.
        metrics_port: Port of the Prometheus endpoint (default 9464; ``None`` or
            ``"off"`` disables it; ``0`` picks a free port). Serves OpenMetrics with
            ``trace_id`` exemplars to scrapers that ask for it.
        metrics_host: Address to bind (default ``127.0.0.1``).
        app_metrics: The endpoint also serves the application's default
            ``prometheus_client`` registry — its own metrics and the ``process_*``/
            ``python_*`` collectors — beside Glassbox's (default true; a name both
            define is served once, Glassbox's).
        otlp_endpoint: OTLP/HTTP traces URL (fallbacks
            ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``OTEL_EXPORTER_OTLP_ENDPOINT`` +
            ``/v1/traces``). Without one, spans are not exported.
        traces: Record spans at all (default true).
        span_queue_size: Spans buffered for export; beyond it spans are dropped and
            counted in ``glassbox_telemetry_dropped_total{signal="spans"}``.
        keep_spans: Keep the last N finished spans in process (the demo's span tree).
        logs: Configure structlog and bridge the standard ``logging`` module into the
            JSON log stream (default true). When false only Glassbox's own events are
            written.
        log_level: ``debug``, ``info`` (default), ``warning``, ``error``, ``critical``.
        log_file: Append log lines to this file instead of stderr.
        log_llm_calls: One log line per LLM call (default true).
        capture_content: Record prompts and completions on spans, redacted (fallback
            ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``; default false).
        redaction: Redact PII and secrets from logs and captured content (default true).
        redaction_key_file: The HMAC key file of the redactor.
        attribution_labels: Which of ``team``/``tenant``/``workload`` label the cost metric
            (default all three).
        cardinality_budgets: Distinct values kept per label before folding into
            ``other``, e.g. ``{"tenant": 200}``.
        prices: Price overrides (mapping or YAML file) that win over ``genai-prices``.
        budgets: Spend limits, ``{"daily": 25.0}`` or a list of :class:`Budget`.
        instrument: Provider libraries to auto-instrument, e.g. ``["openai", "anthropic"]``.
        multiprocess_dir: Prometheus multiprocess directory (fallback
            ``PROMETHEUS_MULTIPROC_DIR``) for pre-fork servers.

    Returns:
        The :class:`Runtime` (its ``metrics_url`` tells where metrics are served).

    Raises:
        ConfigError: A setting is invalid; the message names it and what is expected.
    """
    return _facade.start(**settings)


def shutdown() -> None:
    """Flush spans and logs and stop what :func:`init` started. Safe to call twice."""
    _facade.stop()
