"""``init()`` and ``shutdown()``: every expensive decision is made here, once.

The :class:`Runtime` holds what the hot path needs — metrics with cached children, the
tracer, the logger, the price book, budgets — so that an instrumented call does no
configuration lookups of its own. Before ``init()`` (or after ``shutdown()``) there is no
runtime and the instrumentation API records nothing, at almost no cost.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace.export import SpanExporter
from prometheus_client import CollectorRegistry

from glassbox import semconv
from glassbox._budgets import BudgetTracker
from glassbox._config import Settings, resolve_settings
from glassbox._cost import PriceBook, load_overrides
from glassbox._exposition import serving_registry
from glassbox._fork import new_lock
from glassbox._logging import LogSetup, setup_logging
from glassbox._metrics import Metrics
from glassbox._scrub import Scrubber
from glassbox._tracing import TracingSetup, setup_tracing
from glassbox._version import __version__
from glassbox.exceptions import ConfigError

__all__ = ["Runtime", "current", "current_metrics", "init", "report_error", "shutdown"]


class Runtime:
    """The live configuration of an initialised Glassbox."""

    def __init__(
        self,
        settings: Settings,
        *,
        registry: CollectorRegistry | None = None,
        span_exporter: SpanExporter | None = None,
        log_stream: Any = None,
        log_exporter: Any = None,
    ) -> None:
        self.settings = settings
        self._errors_logged: set[str] = set()
        self._lock = new_lock()
        self.multiprocess = settings.multiprocess_dir is not None
        if self.multiprocess:
            _enable_multiprocess(settings.multiprocess_dir or "")
        self.metrics = Metrics(
            registry, budgets=settings.cardinality_budgets, multiprocess=self.multiprocess
        )
        self.metrics.child(semconv.BUILD_INFO, __version__).set(1)
        self.exemplars = not self.multiprocess  # multiprocess mode cannot store exemplars
        self.log_exports: list[Any] = []  # glassbox._logexport.LogExport
        export = self._log_export(settings.otlp_logs_endpoint, log_exporter, raw=False)
        raw_export = self._raw_stream() if settings.raw_stream else None
        self.logging: LogSetup = setup_logging(
            service=settings.service_name,
            environment=settings.environment,
            level=settings.log_level,
            log_file=settings.log_file,
            configure=settings.logs,
            on_error=self.report_error,
            stream=log_stream,
            export=export,
            raw_export=raw_export,
            flush_interval=settings.log_flush_interval,
        )
        self.log = self.logging.logger
        self.tracing: TracingSetup = setup_tracing(
            service_name=settings.service_name,
            service_version=settings.service_version,
            environment=settings.environment,
            otlp_endpoint=settings.otlp_endpoint if settings.traces else None,
            span_queue_size=settings.span_queue_size,
            keep_spans=settings.keep_spans,
            on_drop=self._count_dropped_spans,
            version=__version__,
            exporter=span_exporter,
        )
        # traces=False: non-recording spans, so nothing is built, kept or exported.
        self.tracer = self.tracing.tracer if settings.traces else trace.NoOpTracer()
        self.prices = PriceBook(load_overrides(settings.prices))
        self.budgets = BudgetTracker(settings.budgets, self.metrics)
        self.attribute_team = semconv.TEAM in settings.attribution_labels
        self.attribute_tenant = semconv.TENANT in settings.attribution_labels
        self.attribute_workload = semconv.WORKLOAD in settings.attribution_labels
        self.capture_content = settings.capture_content
        self.log_calls = settings.log_llm_calls
        self.redactor: Any = None
        if settings.redaction:
            self._install_redactor()
        self.server: Any = None
        self.server_thread: threading.Thread | None = None
        self.metrics_port: int | None = None
        if settings.metrics_port is not None:
            self._start_server(settings.metrics_host, settings.metrics_port)

    # --- the SDK's own health ---------------------------------------------------------

    def _count_dropped_spans(self, count: int) -> None:
        self.metrics.child(semconv.TELEMETRY_DROPPED, "spans").inc(count)

    def _count_dropped_logs(self, count: int) -> None:
        self.metrics.child(semconv.TELEMETRY_DROPPED, "logs").inc(count)

    # --- log export ----------------------------------------------------------------------

    def _log_export(self, endpoint: str | None, exporter: Any, *, raw: bool) -> Any:
        """The OTLP tee of the logging chain, or ``None`` without an endpoint."""
        if endpoint is None and exporter is None:
            return None
        from glassbox._logexport import RAW_STREAM_ATTRIBUTE, LogExport, LogTee

        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

            exporter = OTLPLogExporter(endpoint=endpoint)
        settings = self.settings
        attributes = {
            "service.name": settings.service_name,
            "deployment.environment.name": settings.environment,
        }
        if settings.service_version:
            attributes["service.version"] = settings.service_version
        if raw:
            attributes[RAW_STREAM_ATTRIBUTE] = "raw"
        from opentelemetry.sdk.resources import Resource

        export = LogExport(
            exporter,
            Resource.create(attributes),  # merges OTEL_RESOURCE_ATTRIBUTES; settings win
            self._count_dropped_logs,
            max_queue_size=settings.log_queue_size,
        )
        self.log_exports.append(export)
        return LogTee(export, self.report_error)

    def _raw_stream(self) -> Any:
        """The restricted raw stream: OTLP (its own tenant) or encrypted local files.

        Raises:
            ConfigError: The raw stream cannot run here (no ``redaction`` extra for the
                encrypted files); asked-for and unavailable fails ``init()``, it never
                falls back to writing raw content anywhere else.
        """
        settings = self.settings
        if settings.otlp_logs_endpoint is not None:
            return self._log_export(settings.otlp_logs_endpoint, None, raw=True)
        try:
            from glassbox.redaction import RawStream

            stream = RawStream(settings.raw_stream_dir or ".glassbox/raw")
        except Exception as exc:
            raise ConfigError(
                "raw_stream",
                True,
                f"a usable raw stream ({type(exc).__name__}: {exc}); install "
                "glassbox[redaction] or set otlp_logs_endpoint",
            ) from None
        on_error = self.report_error

        def write_raw(logger: Any, method_name: str, event_dict: Any) -> Any:
            try:
                stream.write_event(dict(event_dict))
            except Exception as exc:
                on_error("raw_stream", exc)
            return event_dict

        return write_raw

    def report_error(self, component: str, exc: BaseException) -> None:
        """Count an internal failure and log it the first time per component. Never raises."""
        try:
            self.metrics.child(semconv.INSTRUMENTATION_ERRORS, component).inc()
            if component not in self._errors_logged:
                self._errors_logged.add(component)
                self.log.warning(
                    "glassbox.instrumentation_error",
                    component=component,
                    error=f"{type(exc).__name__}: {exc}",
                    note="Glassbox caught this and the application continued; "
                    "further errors of this component are counted, not logged",
                )
        except Exception:
            pass

    # --- optional parts -----------------------------------------------------------------

    def _install_redactor(self) -> None:
        try:
            from glassbox.redaction import build_redactor
        except Exception as exc:
            self._fail_closed(exc)
            return
        try:
            redaction_counter = self.metrics.metric(semconv.REDACTIONS)
            guard = self.metrics.guard

            def on_redaction(entity_type: str) -> None:
                redaction_counter.labels(guard.value(semconv.ENTITY_TYPE, entity_type)).inc()

            self.redactor = build_redactor(
                key_file=self.settings.redaction_key_file, on_redaction=on_redaction
            )
        except Exception as exc:
            self._fail_closed(exc)
            return
        self._plug_redactor()

    def _plug_redactor(self) -> None:
        """Every exit gets the same redactor: log lines and every span's attributes."""
        self.logging.set_redactor(self.redactor)
        self.tracing.set_scrubber(Scrubber(self.redactor, self.report_error), self.report_error)

    def _fail_closed(self, exc: BaseException) -> None:
        """Redaction was asked for but cannot run: drop content rather than write it raw."""
        self.redactor = _DropContent()
        self._plug_redactor()
        self.report_error("redaction_setup", exc)

    def _start_server(self, host: str, port: int) -> None:
        from prometheus_client import start_http_server

        registry = serving_registry(
            self.metrics.registry,
            app_metrics=self.settings.app_metrics,
            multiprocess_dir=self.settings.multiprocess_dir,
        )
        try:
            self.server, self.server_thread = start_http_server(port, addr=host, registry=registry)
            self.metrics_port = int(self.server.server_port)
        except OSError as exc:
            # Typical under pre-fork servers: another worker already serves the port.
            self.report_error("metrics_server", exc)

    @property
    def metrics_url(self) -> str | None:
        if self.metrics_port is None:
            return None
        return f"http://{self.settings.metrics_host}:{self.metrics_port}/metrics"

    def shutdown(self) -> None:
        """Stop everything; span and log export get at most ``shutdown_timeout`` seconds."""
        deadline = time.monotonic() + self.settings.shutdown_timeout
        self.tracing.shutdown(self.settings.shutdown_timeout)
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self.multiprocess:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid(), self.settings.multiprocess_dir)  # type: ignore[no-untyped-call]
        self.logging.shutdown()
        for export in self.log_exports:
            export.shutdown(max(deadline - time.monotonic(), 0.0))


class _DropContent:
    """The redactor of last resort: every content field becomes a marker."""

    def redact(self, text: str) -> str:
        return "<REDACTED:unavailable>"


def _enable_multiprocess(path: str) -> None:
    """Switch prometheus_client to per-process mmap files under ``path``.

    prometheus_client picks its value class at import time from the environment; when
    ``init()`` is given the directory after that import, switch it here, before any
    Glassbox metric is created.
    """
    from prometheus_client import values

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    if values.ValueClass is values.MutexValue:
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


_RUNTIME: Runtime | None = None
_INIT_LOCK = new_lock()


def current() -> Runtime | None:
    """The live runtime, or ``None`` before ``init()``."""
    return _RUNTIME


def current_metrics() -> Metrics | None:
    """The live :class:`Metrics`, or ``None`` before ``init()`` (for publishers)."""
    runtime = _RUNTIME
    return runtime.metrics if runtime is not None else None


def report_error(component: str, exc: BaseException) -> None:
    """Count and log (once) an internal failure of ``component``. Never raises."""
    runtime = _RUNTIME
    if runtime is not None:
        runtime.report_error(component, exc)


def init(
    *,
    _registry: CollectorRegistry | None = None,
    _span_exporter: SpanExporter | None = None,
    _log_stream: Any = None,
    _log_exporter: Any = None,
    **kwargs: Any,
) -> Runtime:
    """Initialise Glassbox; see :func:`glassbox.init` for the settings."""
    global _RUNTIME
    settings = resolve_settings(**kwargs)
    if settings.redaction:
        _require_redaction()
    with _INIT_LOCK:
        if _RUNTIME is not None:
            if _RUNTIME.settings != settings:
                _RUNTIME.log.warning(
                    "glassbox.already_initialised",
                    note="init() was called again with different settings; the first ones stay. "
                    "Call glassbox.shutdown() first to change them.",
                )
            return _RUNTIME
        runtime = Runtime(
            settings,
            registry=_registry,
            span_exporter=_span_exporter,
            log_stream=_log_stream,
            log_exporter=_log_exporter,
        )
        _RUNTIME = runtime
    return runtime


#: What the redaction extra brings that the detectors need (``re2`` is optional, and
#: ``cryptography`` only serves the opt-in raw stream).
_REDACTION_MODULES = ("phonenumbers", "stdnum")


def _require_redaction() -> None:
    """Redaction fails closed: without its extra, ``init()`` refuses to start."""
    try:
        import glassbox.redaction  # noqa: F401

        for module in _REDACTION_MODULES:  # the detectors import these lazily
            importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            "redaction",
            True,
            "the redaction extra to be installed (pip install 'glassbox[redaction]'; "
            f"missing module {exc.name!r}), or redaction=False to log without redaction",
        ) from None


def shutdown() -> None:
    """Flush and stop everything ``init()`` started. Safe to call more than once.

    Integrations are not this module's business: the package facade
    (:func:`glassbox.shutdown`) removes them before calling this.
    """
    global _RUNTIME
    with _INIT_LOCK:
        runtime, _RUNTIME = _RUNTIME, None
    if runtime is None:
        return
    runtime.shutdown()


# Callable type of report_error, for modules that take it as a dependency.
ErrorReporter = Callable[[str, BaseException], None]
