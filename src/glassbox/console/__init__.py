"""The Glassbox console: the mixin's dashboards, alerts, traces and logs in a browser.

``glassbox up`` runs it beside Prometheus, Alertmanager and the Pushgateway
(``python -m glassbox.console``); it renders the same dashboard models that go to Grafana
against the local Prometheus, lists firing and pending alerts, and receives traces and
logs over OTLP/HTTP into a bounded embedded store (:class:`TelemetryStore`). It binds
loopback only. Needs the ``console`` extra (Starlette, uvicorn, opentelemetry-proto).
"""

from glassbox.console._app import STATIC_DIR, ConsoleConfig, create_app
from glassbox.console._dashboards import PanelLink, panel_for_alert
from glassbox.console._logfile import LogFollower, parse_log_line
from glassbox.console._otlp import OTLPDecodeError, decode_logs, decode_traces
from glassbox.console._server import ConsoleError, build_config, main, serve
from glassbox.console._store import LogRecord, SpanRecord, TelemetryStore, TraceSummary

__all__ = [
    "STATIC_DIR",
    "ConsoleConfig",
    "ConsoleError",
    "LogFollower",
    "LogRecord",
    "OTLPDecodeError",
    "PanelLink",
    "SpanRecord",
    "TelemetryStore",
    "TraceSummary",
    "build_config",
    "create_app",
    "decode_logs",
    "decode_traces",
    "main",
    "panel_for_alert",
    "parse_log_line",
    "serve",
]
