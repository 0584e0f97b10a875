"""A small client for the Prometheus, Alertmanager and Pushgateway HTTP APIs (stdlib only)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from glassbox.exceptions import PrometheusAPIError

__all__ = ["PrometheusAPIError", "get_json", "query", "wait_for_query"]


def get_json(url: str, timeout: float = 10.0) -> Any:
    """GET ``url`` and decode its JSON body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:  # the API explains itself in the body
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise PrometheusAPIError(f"GET {url} failed: {exc} {detail}") from exc
    except OSError as exc:
        raise PrometheusAPIError(f"GET {url} failed: {exc}") from exc


def query(base_url: str, expr: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Evaluate an instant PromQL query; return ``data.result`` (vector or matrix)."""
    url = f"{base_url.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    body = get_json(url, timeout)
    if body.get("status") != "success":
        raise PrometheusAPIError(f"query {expr!r} failed: {body.get('error', body)}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def wait_for_query(
    base_url: str,
    expr: str,
    predicate: Callable[[list[dict[str, Any]]], bool] = bool,
    timeout: float = 60.0,
    interval: float = 0.25,
) -> list[dict[str, Any]]:
    """Poll a PromQL query until ``predicate(result)`` holds; return that result.

    Raises:
        TimeoutError: The predicate did not hold within ``timeout``; the message
            carries the last result.
    """
    deadline = time.monotonic() + timeout
    result: list[dict[str, Any]] = []
    while True:
        result = query(base_url, expr)
        if predicate(result):
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{expr!r} did not satisfy the condition in {timeout}s; last result: {result}"
            )
        time.sleep(interval)
