"""Structured JSON logs: one event per line, correlated by trace id, redacted before rendering.

One processor chain serves three producers: Glassbox's own logger, the application's
``structlog`` loggers, and the standard ``logging`` module (bridged through
``structlog.stdlib.ProcessorFormatter``). Every line carries ``timestamp``, ``level``,
``event``, ``service``, ``env``, and — where present — ``trace_id``, ``span_id``,
``request_id`` and the ambient :func:`glassbox.attributes`. The redaction slot runs just
before rendering, so nothing reaches the output unredacted; if redaction fails, the
event's content is dropped, not written raw (fail closed).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any, Protocol, TextIO

import orjson
import structlog
from opentelemetry import trace

from glassbox._context import current_attributes, current_request_id

__all__ = ["LogSetup", "RedactionSlot", "Redactor", "add_trace_context", "setup_logging"]

EventDict = MutableMapping[str, Any]
Processor = Callable[[Any, str, EventDict], Any]

#: Fields the redactor never touches: structure, not content.
_STRUCTURAL = frozenset(
    {"timestamp", "level", "logger", "service", "env", "trace_id", "span_id", "request_id"}
)
#: Glassbox's own events add fields it fills itself from bounded values that are already
#: metric labels (provider, model, …); redacting them would only cost time.
_GLASSBOX_FIELDS = _STRUCTURAL | {
    "event", "provider", "model", "operation", "duration_s", "input_tokens", "output_tokens",
    "cost_usd", "chunks", "error_type", "component", "note",
}  # fmt: skip
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR, "critical": logging.CRITICAL}  # fmt: skip


def _dumps(event_dict: Any, **kwargs: Any) -> str:
    """JSON via orjson (ten times faster than ``json``, as structlog's docs recommend)."""
    return orjson.dumps(event_dict, default=kwargs.get("default", repr)).decode("utf-8")


class Redactor(Protocol):
    """What the redaction slot needs: text in, redacted text out, never raising.

    A redactor may also offer ``redact_field(field, value)``, which uses the field name
    as context (``password=…`` is a secret, ``phone=…`` a phone number); the slot calls
    it when present.
    """

    def redact(self, text: str) -> str: ...


class RedactionSlot:
    """A structlog processor that runs the installed redactor over every content field.

    With no redactor installed it passes events through. Any failure replaces the
    event's content with a marker and reports the error: fail closed.
    """

    MARKER = "<REDACTED:error>"

    def __init__(
        self,
        on_error: Callable[[str, BaseException], None] | None = None,
        skip: frozenset[str] = _STRUCTURAL,
    ) -> None:
        self.redactor: Redactor | None = None
        self._on_error = on_error
        self._skip = skip

    def __call__(self, logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        redactor = self.redactor
        if redactor is None:
            return event_dict
        try:
            skip = self._skip
            for key, value in event_dict.items():
                if key not in skip:
                    event_dict[key] = self._redact_value(redactor, value, key)
        except Exception as exc:
            for key in list(event_dict):
                if key not in self._skip:
                    event_dict[key] = self.MARKER
            if self._on_error is not None:
                self._on_error("redaction", exc)
        return event_dict

    def _redact_value(self, redactor: Redactor, value: Any, field: str) -> Any:
        if isinstance(value, str):
            by_field = getattr(redactor, "redact_field", None)
            return by_field(field, value) if by_field is not None else redactor.redact(value)
        if isinstance(value, dict):
            return {k: self._redact_value(redactor, v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._redact_value(redactor, v, field) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return redactor.redact(str(value))


def add_trace_context(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """Add ``trace_id``/``span_id`` of the current span, ``request_id`` and attributes."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event_dict.setdefault("trace_id", format(span_context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(span_context.span_id, "016x"))
    return _add_ambient(event_dict)


def _add_ambient(event_dict: EventDict) -> EventDict:
    """Add the ``request_id`` and :func:`glassbox.attributes` in effect here."""
    request_id = current_request_id()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    attributes = current_attributes()
    if attributes:
        for key, value in attributes.items():
            event_dict.setdefault(key, value)
    return event_dict


def _own_event_fields(service: str, environment: str) -> Processor:
    """Everything Glassbox's own events need in one step (they bring their trace ids)."""
    from datetime import UTC, datetime

    now = datetime.now

    def add_fields(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict["level"] = method_name
        event_dict["timestamp"] = now(UTC).isoformat().replace("+00:00", "Z")
        event_dict["service"] = service
        event_dict["env"] = environment
        return _add_ambient(event_dict)

    return add_fields


def _static_fields(service: str, environment: str) -> Processor:
    def add_static_fields(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        event_dict.setdefault("env", environment)
        return event_dict

    return add_static_fields


class _StdlibBridgeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the root handler Glassbox installed, so it can be found and removed."""


class LogSetup:
    """The configured logging: Glassbox's own logger and what to undo at shutdown."""

    def __init__(
        self,
        logger: Any,
        slots: tuple[RedactionSlot, ...],
        handler: logging.Handler | None,
        stream: TextIO,
        owns_stream: bool,
        configured_structlog: bool,
    ) -> None:
        self.logger = logger
        self._slots = slots
        self._handler = handler
        self._stream = stream
        self._owns_stream = owns_stream
        self._configured_structlog = configured_structlog

    def set_redactor(self, redactor: Redactor | None) -> None:
        """Plug a redactor into every log chain (``None`` unplugs it)."""
        for slot in self._slots:
            slot.redactor = redactor

    def shutdown(self) -> None:
        if self._handler is not None:
            logging.getLogger().removeHandler(self._handler)
        if self._configured_structlog:
            structlog.reset_defaults()
        try:
            self._stream.flush()
            if self._owns_stream:
                self._stream.close()
        except (OSError, ValueError):
            pass


def setup_logging(
    *,
    service: str,
    environment: str,
    level: str,
    log_file: str | None,
    configure: bool,
    on_error: Callable[[str, BaseException], None] | None = None,
    stream: TextIO | None = None,
) -> LogSetup:
    """Build the processor chain; optionally configure structlog and bridge ``logging``.

    Args:
        configure: Also configure the application's structlog and the root ``logging``
            handler. When false, only Glassbox's own logger writes (the application keeps
            its logging untouched).
        stream: Write here instead of ``log_file``/stderr (tests).
    """
    owns_stream = False
    if stream is None:
        if log_file is not None:
            stream = open(log_file, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
            owns_stream = True
        else:
            stream = sys.stderr
    redaction = RedactionSlot(on_error)
    own_redaction = RedactionSlot(on_error, skip=_GLASSBOX_FIELDS)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _static_fields(service, environment),
        add_trace_context,
    ]
    renderer = structlog.processors.JSONRenderer(serializer=_dumps)
    rendering: list[Processor] = [structlog.processors.format_exc_info, redaction, renderer]
    level_no = _LEVELS[level]
    logger = structlog.wrap_logger(
        structlog.WriteLogger(stream),
        processors=[
            structlog.contextvars.merge_contextvars,
            _own_event_fields(service, environment),
            own_redaction,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        cache_logger_on_first_use=True,
    ).bind(logger="glassbox")

    handler: logging.Handler | None = None
    if configure:
        structlog.configure(
            processors=[*shared, *rendering],
            wrapper_class=structlog.make_filtering_bound_logger(level_no),
            logger_factory=structlog.WriteLoggerFactory(stream),
            cache_logger_on_first_use=False,
        )
        handler = _StdlibBridgeHandler(stream)
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
                processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
            )
        )
        root = logging.getLogger()
        for old in [h for h in root.handlers if isinstance(h, _StdlibBridgeHandler)]:
            root.removeHandler(old)
        root.addHandler(handler)
        if root.level > level_no or root.level == logging.NOTSET:
            root.setLevel(level_no)
    return LogSetup(logger, (redaction, own_redaction), handler, stream, owns_stream, configure)
