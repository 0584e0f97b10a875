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
import threading
import weakref
from collections.abc import Callable, MutableMapping
from time import gmtime as _gmtime
from time import strftime as _strftime
from time import time as _time
from typing import Any, TextIO

import orjson
import structlog
from opentelemetry import trace

from glassbox._args import as_text
from glassbox._context import current_attributes, current_request_id
from glassbox._fork import after_fork_in_child, hold_during_fork, new_lock
from glassbox._scrub import MARKER, Redactor, Scrubber

__all__ = [
    "LineWriter",
    "LogSetup",
    "OwnEvents",
    "RedactionSlot",
    "Redactor",
    "add_trace_context",
    "setup_logging",
]

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


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS
#: orjson refuses nesting deeper than 254; deeper values are cut to a marker here.
_MAX_DEPTH = 64
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _dumps(event_dict: Any, **kwargs: Any) -> str:
    """JSON via orjson (ten times faster than ``json``), never raising.

    The fast path is one ``orjson.dumps`` call. Values orjson refuses (integers beyond 64
    bits, lone surrogates, nesting deeper than 254, objects whose ``repr`` fails) send the
    event through :func:`_json_safe`, which replaces just those values, so the line is
    still written with every other field intact.
    """
    try:
        return orjson.dumps(event_dict, default=_fallback, option=_ORJSON_OPTIONS).decode("utf-8")
    except Exception:
        pass
    try:
        safe = _json_safe(event_dict, 0)
        return orjson.dumps(safe, option=_ORJSON_OPTIONS).decode("utf-8")
    except Exception as exc:  # pragma: no cover - _json_safe yields only JSON types
        return orjson.dumps(
            {"event": "glassbox.unrenderable", "error": type(exc).__name__}
        ).decode()


def _fallback(value: Any) -> str:
    """orjson's ``default``: an object it cannot serialise becomes its ``repr``."""
    return _safe_repr(value)


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"
    return _safe_text(text)


def _safe_text(text: str) -> str:
    """``text`` encodable as UTF-8: lone surrogates become ``\\udcff`` escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _json_safe(value: Any, depth: int) -> Any:
    """A copy of ``value`` made of JSON types orjson accepts; what it refuses is replaced."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return value if _INT_MIN <= value <= _INT_MAX else str(value)
    if isinstance(value, str):
        return _safe_text(value)
    if depth >= _MAX_DEPTH:
        return "<too deep>"
    if isinstance(value, dict):
        return {_json_key(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v, depth + 1) for v in value]
    return _safe_repr(value)


def _json_key(key: Any) -> str:
    return _safe_text(key) if isinstance(key, str) else _safe_repr(key)


class RedactionSlot:
    """A structlog processor that runs the installed redactor over every content field.

    With no redactor installed it passes events through. Values are redacted by the
    shared :class:`~glassbox._scrub.Scrubber` (dict keys, long numbers and nested values
    included); a field whose redaction fails becomes a marker and the error is
    reported: fail closed, field by field.
    """

    MARKER = MARKER

    def __init__(
        self,
        on_error: Callable[[str, BaseException], None] | None = None,
        skip: frozenset[str] = _STRUCTURAL,
    ) -> None:
        self.scrubber: Scrubber | None = None
        self._on_error = on_error
        self._skip = skip

    @property
    def redactor(self) -> Redactor | None:
        """The installed redactor (``None``: events pass through)."""
        return self.scrubber.redactor if self.scrubber is not None else None

    @redactor.setter
    def redactor(self, redactor: Redactor | None) -> None:
        self.scrubber = Scrubber(redactor, self._on_error) if redactor is not None else None

    def __call__(self, logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        scrubber = self.scrubber
        if scrubber is None:
            return event_dict
        skip = self._skip
        for key, value in event_dict.items():
            if key not in skip:
                try:
                    event_dict[key] = scrubber.value(value, key)
                except Exception as exc:  # e.g. recursion in a self-referencing value
                    event_dict[key] = MARKER
                    if self._on_error is not None:
                        self._on_error("redaction", exc)
        return event_dict


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

    def add_fields(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict["level"] = method_name
        event_dict["timestamp"] = utc_timestamp()
        event_dict["service"] = service
        event_dict["env"] = environment
        return _add_ambient(event_dict)

    return add_fields


_SECOND: tuple[int, str] = (-1, "")


def utc_timestamp() -> str:
    """Now as ISO 8601 in UTC with microseconds: ``2026-12-02T15:40:08.123456Z``.

    The date and time of the current second are formatted once per second; the rest is
    one integer format (a third of ``datetime.now(UTC).isoformat()``'s cost). Unlike
    ``isoformat()``, the fraction is always there, so every line has the same shape.
    """
    global _SECOND
    now = _time()
    second = int(now)
    cached = _SECOND
    if cached[0] != second:
        cached = _SECOND = (second, _strftime("%Y-%m-%dT%H:%M:%S", _gmtime(second)))
    return f"{cached[1]}.{int((now - second) * 1_000_000):06d}Z"


def _static_fields(service: str, environment: str) -> Processor:
    def add_static_fields(logger: Any, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        event_dict.setdefault("env", environment)
        return event_dict

    return add_static_fields


class LineWriter:
    """The one place log lines are written: a stream, one fork-safe lock, never raising.

    structlog loggers (Glassbox's and the application's) and the bridged standard
    ``logging`` handler all write through one writer, so lines keep their order and a
    ``fork()`` never copies a line half-written: the lock is held across ``fork()``.

    With a ``flush_interval`` (the default), a line is appended to a pending batch and a
    writer thread writes the batch at most ``flush_interval`` seconds later, in one
    ``write``: a system call per line cost more than rendering the line. A batch that
    reaches ``max_pending`` characters is written at once by the caller, so memory stays
    bounded and nothing is dropped. :meth:`close`, interpreter exit and the exit of a
    ``multiprocessing`` child (which skips ``atexit``) write what is pending; a forked
    child starts with nothing pending (the parent writes those lines). With
    ``flush_interval=0`` every line is written at once. A write that fails (closed
    stream, full disk) is reported, not raised.
    """

    def __init__(
        self,
        stream: TextIO,
        on_error: Callable[[str, BaseException], None] | None,
        *,
        flush_interval: float = 0.0,
        max_pending: int = 256 * 1024,
    ) -> None:
        self.stream = stream
        self._on_error = on_error
        self._lock = new_lock()
        hold_during_fork(self._lock)
        self._interval = flush_interval
        self._max_pending = max_pending
        self._pending: list[str] = []
        self._pending_chars = 0
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        if flush_interval > 0:
            after_fork_in_child(self._after_fork)
            _register_exit_flush(self)

    def msg(self, message: str) -> None:
        if self._interval <= 0 or self._closing.is_set():
            self._write(message + "\n")
            return
        with self._lock:
            pending = self._pending
            pending.append(message)
            self._pending_chars += len(message)
            first, full = len(pending) == 1, self._pending_chars >= self._max_pending
        if full:
            self.flush()
        elif first:
            if self._thread is None:
                self._start()
            self._wake.set()

    # structlog calls the method named like the level; every level is one line.
    log = debug = info = warn = warning = err = error = critical = exception = fatal = msg
    failure = msg

    def __call__(self, *args: Any) -> LineWriter:
        """structlog logger factory: every logger is this writer."""
        return self

    def flush(self) -> None:
        """Write every pending line now (in order, in one write)."""
        with self._lock:
            if not self._pending:
                return
            lines, self._pending, self._pending_chars = self._pending, [], 0
            self._write_locked("\n".join(lines) + "\n")

    def close(self, timeout: float = 1.0) -> None:
        """Write what is pending and stop the writer thread; later lines are written at once."""
        self._closing.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self.flush()

    def _write(self, text: str) -> None:
        with self._lock:
            self._write_locked(text)

    def _write_locked(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception as exc:
            if self._on_error is not None:
                self._on_error("log_write", exc)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name="glassbox-log-writer", daemon=True
            )
        self._thread.start()

    def _run(self) -> None:
        while not self._closing.is_set():
            self._wake.wait()
            self._closing.wait(self._interval)  # let the batch fill; close() cuts it short
            self._wake.clear()  # before taking the batch: a line after this wakes us again
            self.flush()

    def _after_fork(self) -> None:
        """In a forked child: the parent writes the lines pending at fork; no thread here."""
        self._pending, self._pending_chars = [], 0
        self._thread = None
        self._wake = threading.Event()
        self._closing = threading.Event()


def _register_exit_flush(writer: LineWriter) -> None:
    """Flush ``writer`` at interpreter exit and when a ``multiprocessing`` child exits.

    A ``multiprocessing`` child ends with ``os._exit()`` (no ``atexit``) after running
    its finalizers; the parent's finalizers are cleared in the child, so the child's is
    registered from ``register_after_fork``, which runs in the child's bootstrap.
    References are weak: a writer that is gone is not kept alive for its flush.
    """
    import atexit
    import multiprocessing.util as mp_util

    ref = weakref.ref(writer)

    def flush() -> None:
        alive = ref()
        if alive is not None:
            alive.flush()

    atexit.register(flush)
    mp_util.register_after_fork(writer, _finalize_in_child)


def _finalize_in_child(writer: LineWriter) -> None:
    import multiprocessing.util as mp_util

    mp_util.Finalize(writer, writer.flush, exitpriority=0)


class _StdlibBridgeHandler(logging.Handler):
    """The root handler Glassbox installs: formats with the shared chain, writes one line."""

    def __init__(self, writer: LineWriter) -> None:
        super().__init__()
        self._writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception as exc:  # e.g. "%s" % an argument whose str() raises
            try:
                record.msg = (
                    f"{as_text(record.msg)} (arguments not formatted: {type(exc).__name__})"
                )
                record.args = None
                record.message = record.msg
                line = self.format(record)
            except Exception:
                self.handleError(record)
                return
        self._writer.msg(line)


class OwnEvents:
    """Glassbox's own events (``gen_ai.call``) through the same chain, without the wrapper.

    The line is the one Glassbox's structlog logger writes — same processors, same
    fields in the same order — but built directly: structlog's bound-logger dispatch
    (context copy, method proxy) was a fifth of the cost of a call's log line.
    """

    __slots__ = ("_level", "_processors", "_writer")

    def __init__(self, processors: list[Processor], writer: LineWriter, level: int) -> None:
        self._processors = tuple(processors)
        self._writer = writer
        self._level = level

    def __call__(self, method: str, event: str, fields: dict[str, Any]) -> None:
        """Write one event at level ``method``; may raise (the caller reports it)."""
        if _LEVELS[method] < self._level:
            return
        event_dict: Any = {"logger": "glassbox", **fields, "event": event}
        try:
            for processor in self._processors:
                event_dict = processor(None, method, event_dict)
        except structlog.DropEvent:
            return
        self._writer.msg(event_dict)


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
        writer: LineWriter | None = None,
        emit: OwnEvents | None = None,
    ) -> None:
        self.logger = logger
        self.writer = writer
        #: Writes one of Glassbox's own events: ``emit("info", "gen_ai.call", fields)``.
        self.emit = emit
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
        if self.writer is not None:
            self.writer.close()
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
    export: Processor | None = None,
    raw_export: Processor | None = None,
    flush_interval: float = 0.0,
) -> LogSetup:
    """Build the processor chain; optionally configure structlog and bridge ``logging``.

    Args:
        configure: Also configure the application's structlog and the root ``logging``
            handler. When false, only Glassbox's own logger writes (the application keeps
            its logging untouched).
        stream: Write here instead of ``log_file``/stderr (tests).
        export: A processor that sends each event elsewhere too (OTLP), after redaction.
        raw_export: The restricted raw stream's processor, before redaction.
        flush_interval: Seconds a line may wait to be written with others (0: at once).
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
    before = [raw_export] if raw_export is not None else []
    after = [export] if export is not None else []
    rendering: list[Processor] = [
        structlog.processors.format_exc_info,
        *before,
        redaction,
        *after,
        renderer,
    ]
    level_no = _LEVELS[level]
    writer = LineWriter(stream, on_error, flush_interval=flush_interval)
    own_chain: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        _own_event_fields(service, environment),
        *before,
        own_redaction,
        *after,
        renderer,
    ]
    logger = structlog.wrap_logger(
        writer,
        processors=own_chain,
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        cache_logger_on_first_use=True,
    ).bind(logger="glassbox")

    handler: logging.Handler | None = None
    if configure:
        structlog.configure(
            processors=[*shared, *rendering],
            wrapper_class=structlog.make_filtering_bound_logger(level_no),
            logger_factory=writer,
            cache_logger_on_first_use=False,
        )
        handler = _StdlibBridgeHandler(writer)
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
    return LogSetup(
        logger,
        (redaction, own_redaction),
        handler,
        stream,
        owns_stream,
        configure,
        writer,
        OwnEvents(own_chain, writer, level_no),
    )
