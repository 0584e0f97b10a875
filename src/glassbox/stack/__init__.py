"""The local stack: real Prometheus, Alertmanager and Pushgateway processes, and the console.

:func:`up`, :func:`down` and :func:`status` manage the stack of one project-local state
directory (``glassbox up``/``down``/``status``); the lower-level ``start_*`` functions
start single services for tests; :func:`query` and :func:`wait_for_query` read
Prometheus's HTTP API.
"""

from glassbox.stack._api import PrometheusAPIError, get_json, query, wait_for_query
from glassbox.stack._local import (
    DEFAULT_PORTS,
    DEFAULT_STATE_DIR,
    StackError,
    down,
    state_table,
    status,
    up,
)
from glassbox.stack._process import (
    BINARY_PACKAGES,
    MissingBinaryError,
    Service,
    free_port,
    require_binary,
    start_alertmanager,
    start_console,
    start_prometheus,
    start_pushgateway,
    wait_http_ok,
)
from glassbox.stack._state import SERVICES, ServiceState, StackState
from glassbox.stack._top import Alert, ModelRow, Overview, read_overview, render_overview

__all__ = [
    "BINARY_PACKAGES",
    "DEFAULT_PORTS",
    "DEFAULT_STATE_DIR",
    "SERVICES",
    "Alert",
    "MissingBinaryError",
    "ModelRow",
    "Overview",
    "PrometheusAPIError",
    "Service",
    "ServiceState",
    "StackError",
    "StackState",
    "down",
    "free_port",
    "get_json",
    "query",
    "read_overview",
    "render_overview",
    "require_binary",
    "start_alertmanager",
    "start_console",
    "start_prometheus",
    "start_pushgateway",
    "state_table",
    "status",
    "up",
    "wait_for_query",
    "wait_http_ok",
]
