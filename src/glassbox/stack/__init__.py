"""The local stack: real Prometheus, Alertmanager and Pushgateway processes."""

from glassbox.stack._api import PrometheusAPIError, get_json, query, wait_for_query
from glassbox.stack._process import (
    BINARY_PACKAGES,
    MissingBinaryError,
    Service,
    free_port,
    require_binary,
    start_alertmanager,
    start_prometheus,
    start_pushgateway,
    wait_http_ok,
)

__all__ = [
    "BINARY_PACKAGES",
    "MissingBinaryError",
    "PrometheusAPIError",
    "Service",
    "free_port",
    "get_json",
    "query",
    "require_binary",
    "start_alertmanager",
    "start_prometheus",
    "start_pushgateway",
    "wait_for_query",
    "wait_http_ok",
]
