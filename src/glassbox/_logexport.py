"""Log records over OTLP: the same events as the JSON lines, through the OTel logs SDK.

With an OTLP logs endpoint configured, every event of the logging chain — Glassbox's
per-call ``gen_ai.call`` line, the application's structlog events and its bridged
standard ``logging`` records — is also emitted as an OpenTelemetry log record: the
event name as body and ``event_name``, severity, trace and span ids, the fields as
attributes, service and environment as resource attributes. The tee runs after the
redaction slot, so what leaves over OTLP is what is written (redacted).

Cost model: on the calling thread, building one ``LogRecord`` and a deque append;
encoding and HTTP happen on the export worker (:class:`BoundedBatchQueue`): a full
queue or a failed export drops records and counts them
(``glassbox_telemetry_dropped_total{signal="logs"}``), never blocks the caller.

The restricted raw stream (``init(raw_stream=True)``) is a second exporter whose
resource carries ``glassbox.stream=raw``; its tee runs *before* redaction, and the
deploy bundles route it to a Loki tenant of its own.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.context import Context
from opentelemetry.sdk._logs import (
    LoggerProvider,
    LogRecordProcessor,
    ReadableLogRecord,
    ReadWriteLogRecord,
)
from opentelemetry.sdk._logs.export import LogExporter, LogRecordExportResult
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, set_span_in_context

from glassbox._export import BoundedBatchQueue
from glassbox._logging import _dumps

__all__ = ["RAW_STREAM_ATTRIBUTE", "LogExport", "LogTee"]

#: Resource attribute of the raw stream's records (the Collector routes on it).
RAW_STREAM_ATTRIBUTE = "glassbox.stream"

_SEVERITY = {
    "debug": SeverityNumber.DEBUG,
    "info": SeverityNumber.INFO,
    "warning": SeverityNumber.WARN,
    "warn": SeverityNumber.WARN,
    "error": SeverityNumber.ERROR,
    "exception": SeverityNumber.ERROR,
    "critical": SeverityNumber.FATAL,
}
#: Fields that become the record's own fields (or resource attributes), not attributes.
_RECORD_FIELDS = frozenset({"event", "level", "timestamp", "trace_id", "span_id", "service", "env"})
_SCALARS = (str, bool, int, float)

EventDict = MutableMapping[str, Any]


class _BoundedLogProcessor(LogRecordProcessor):
    """Hands finished records to a :class:`BoundedBatchQueue` (never blocks, counts drops)."""

    def __init__(self, queue: BoundedBatchQueue[ReadableLogRecord]) -> None:
        self._queue = queue

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        record = copy.copy(log_record.log_record)
        record.context = Context()  # do not keep the caller's context alive in the queue
        self._queue.put(
            ReadableLogRecord(
                log_record=record,
                resource=log_record.resource or Resource.get_empty(),
                instrumentation_scope=log_record.instrumentation_scope,
            )
        )

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._queue.force_flush(timeout_millis)


class LogExport:
    """One OTLP log destination: a LoggerProvider, a bounded queue, an exporter.

    Args:
        exporter: Where batches go (``OTLPLogExporter`` for an endpoint).
        resource: Service, environment, version (and the raw stream's marker).
        on_drop: Called with the number of records dropped.
        max_queue_size: Records held at most.
    """

    def __init__(
        self,
        exporter: LogExporter,
        resource: Resource,
        on_drop: Callable[[int], None],
        *,
        max_queue_size: int = 2048,
        schedule_delay: float = 1.0,
    ) -> None:
        self._queue: BoundedBatchQueue[ReadableLogRecord] = BoundedBatchQueue(
            lambda batch: exporter.export(batch) is LogRecordExportResult.SUCCESS,
            on_drop,
            close=exporter.shutdown,
            name="glassbox-log-export",
            max_queue_size=max_queue_size,
            schedule_delay=schedule_delay,
        )
        self._provider = LoggerProvider(resource=resource)
        self._provider.add_log_record_processor(_BoundedLogProcessor(self._queue))
        self._logger = self._provider.get_logger("glassbox")

    def emit(self, event_dict: Mapping[str, Any], level: str) -> None:
        """Emit one log record made from a (ready to render) structlog event dict."""
        level = str(event_dict.get("level", level)).lower()
        event = event_dict.get("event")
        self._logger.emit(
            LogRecord(
                timestamp=time.time_ns(),
                context=_trace_context(event_dict.get("trace_id"), event_dict.get("span_id")),
                severity_text=level.upper(),
                severity_number=_SEVERITY.get(level, SeverityNumber.UNSPECIFIED),
                body=event if isinstance(event, str) else str(event),
                event_name=event if isinstance(event, str) else None,
                attributes={
                    key: _attribute(value)
                    for key, value in event_dict.items()
                    if key not in _RECORD_FIELDS and value is not None
                },
            )
        )

    def force_flush(self, timeout_millis: int = 10000) -> bool:
        return self._queue.force_flush(timeout_millis)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Export what is queued within ``timeout`` seconds; count the rest as dropped."""
        self._queue.shutdown(timeout)


class LogTee:
    """A structlog processor that emits each event over OTLP and passes it on unchanged.

    Never raises: a failure is reported (``component="log_export"``) and the line is
    still written.
    """

    def __init__(self, export: LogExport, on_error: Callable[[str, BaseException], None]):
        self._export = export
        self._on_error = on_error

    def __call__(self, logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        try:
            self._export.emit(event_dict, method_name)
        except Exception as exc:
            self._on_error("log_export", exc)
        return event_dict


def _trace_context(trace_id: Any, span_id: Any) -> Context | None:
    """The context a record's trace and span ids come from (the event's own ids)."""
    if not isinstance(trace_id, str) or not isinstance(span_id, str):
        return None
    try:
        span_context = SpanContext(
            int(trace_id, 16), int(span_id, 16), is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )  # fmt: skip
    except ValueError:
        return None
    return set_span_in_context(NonRecordingSpan(span_context), Context())


def _attribute(value: Any) -> Any:
    """An OTel attribute value: scalars as they are, sequences of scalars, else text."""
    if isinstance(value, _SCALARS):
        return value if not isinstance(value, int) or -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    return _dumps(value)
