"""The console's web application (Starlette): pages, the panel API and the OTLP receiver.

Routes::

    /                       the dashboard list
    /d/<uid>                a mixin dashboard (drawn by static/console.js)
    /api/panel/<uid>/<id>   a panel's data (from, to, var-<name> query parameters)
    /api/variable/<uid>/<name>  a template variable's values
    /alerts                 firing and pending alerts
    /traces, /traces/<id>   the trace list and one trace's waterfall
    /logs                   log search
    /v1/traces, /v1/logs    OTLP/HTTP receiver (protobuf or JSON)
    /-/ready                readiness, like the other services of the stack

Bad input (an unknown uid or panel, a malformed trace id or time) gets a page or a JSON
error naming the value; Prometheus or Alertmanager being down is said in the page. No
request ever shows a stack trace.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from glassbox.console import _pages
from glassbox.console._dashboards import (
    PanelLink,
    QueryError,
    TimeRange,
    find_panel,
    panel_for_alert,
    parse_time,
    query_panel,
    variable_values,
    variables_for,
)
from glassbox.console._otlp import OTLPDecodeError, decode_logs, decode_traces
from glassbox.console._store import TelemetryStore
from glassbox.stack import PrometheusAPIError, get_json

__all__ = ["STATIC_DIR", "ConsoleConfig", "create_app"]

STATIC_DIR = Path(__file__).parent / "static"
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_MAX_BODY = 16 * 1024 * 1024


@dataclass
class ConsoleConfig:
    """What one console serves.

    Attributes:
        dashboards: Grafana dashboard models by short name (``mixin.build(env).dashboards``).
        alert_rules: The mixin's alerting rule groups (to link alerts to panels).
        prometheus: Base URL of the Prometheus the dashboards query.
        alertmanager: Base URL of the Alertmanager (None: not shown).
        store: Where received spans and logs go.
        scrape_interval: Seconds; sets ``$__rate_interval`` as Grafana does.
    """

    dashboards: Mapping[str, Mapping[str, Any]]
    prometheus: str
    store: TelemetryStore
    alertmanager: str | None = None
    alert_rules: list[dict[str, Any]] = field(default_factory=list)
    scrape_interval: float = 15.0


def create_app(config: ConsoleConfig) -> Starlette:
    """The console as an ASGI application."""
    by_uid = {str(d["uid"]): d for d in config.dashboards.values()}
    nav = [(uid, str(d.get("title", uid)).split(" / ")[-1]) for uid, d in by_uid.items()]
    rule_exprs = {
        r["alert"]: str(r["expr"])
        for g in config.alert_rules
        for r in g.get("rules", [])
        if "alert" in r
    }
    links: dict[str, PanelLink | None] = {}

    def page(title: str, message: str, status: int) -> HTMLResponse:
        return HTMLResponse(_pages.error_page(title, message, nav), status_code=status)

    def dashboard(uid: str) -> Mapping[str, Any]:
        if uid not in by_uid:
            known = ", ".join(sorted(by_uid))
            raise HTTPException(404, f"there is no dashboard with uid {uid!r}; known uids: {known}")
        return by_uid[uid]

    def window(request: Request) -> TimeRange:
        try:
            start = parse_time(request.query_params.get("from", "now-1h"))
            end = parse_time(request.query_params.get("to", "now"))
            return TimeRange.of(start, end, config.scrape_interval)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None

    def selected(request: Request, board: Mapping[str, Any]) -> dict[str, list[str]]:
        """Each template variable's chosen values (none chosen: all of them)."""
        out: dict[str, list[str]] = {
            str(v["name"]): []
            for v in board.get("templating", {}).get("list", [])
            if v.get("type") != "datasource"
        }
        for key, value in request.query_params.multi_items():
            if key.startswith("var-"):
                out.setdefault(key[4:], []).append(value)
        return out

    async def index(request: Request) -> Response:
        items = [
            (uid, str(d.get("title", uid)), str(d.get("description", "")))
            for uid, d in by_uid.items()
        ]
        return HTMLResponse(_pages.index_page(items, nav))

    async def dashboard_view(request: Request) -> Response:
        return HTMLResponse(_pages.dashboard_page(dashboard(request.path_params["uid"]), nav))

    def panel_data(request: Request) -> Response:
        board = dashboard(request.path_params["uid"])
        raw_id = request.path_params["panel"]
        panel = find_panel(board, int(raw_id)) if raw_id.isdigit() else None
        if panel is None or panel.get("type") == "row":
            raise HTTPException(404, f"dashboard {board['uid']!r} has no panel {raw_id!r}")
        span = window(request)
        time_from = panel.get("timeFrom")
        if time_from:
            # A relative override we cannot read keeps the dashboard's range.
            with contextlib.suppress(ValueError):
                span = TimeRange.of(parse_time(str(time_from)), span.end, config.scrape_interval)
        variables = variables_for(selected(request, board), span, config.scrape_interval)
        try:
            data = query_panel(config.prometheus, panel, span, variables)
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        data["range"] = {"start": span.start, "end": span.end, "step": span.step}
        return JSONResponse(data)

    def variable(request: Request) -> Response:
        board = dashboard(request.path_params["uid"])
        name = request.path_params["name"]
        spec = next(
            (v for v in board.get("templating", {}).get("list", []) if v.get("name") == name), None
        )
        if spec is None or spec.get("type") != "query":
            raise HTTPException(404, f"dashboard {board['uid']!r} has no query variable {name!r}")
        span = window(request)
        variables = variables_for(selected(request, board), span, config.scrape_interval)
        try:
            values = variable_values(config.prometheus, str(spec.get("query", "")), span, variables)
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        return JSONResponse({"values": values})

    def alerts(request: Request) -> Response:
        try:
            groups = get_json(f"{config.prometheus}/api/v1/rules?type=alert", timeout=10)["data"][
                "groups"
            ]
        except (PrometheusAPIError, KeyError, TypeError) as exc:
            problem = (
                f"Prometheus at {config.prometheus} did not answer ({exc}); "
                "start the stack with `glassbox up`"
            )
            return HTMLResponse(_pages.alerts_page([], problem, nav), status_code=502)
        notified = _alertmanager_alerts(config.alertmanager)
        rows: list[dict[str, Any]] = []
        for group in groups:
            for rule in group.get("rules", []):
                name = str(rule.get("name", ""))
                if name not in links:
                    expr = rule_exprs.get(name, str(rule.get("query", "")))
                    links[name] = panel_for_alert(expr, config.dashboards, name)
                for alert in rule.get("alerts", []):
                    labels = {str(k): str(v) for k, v in alert.get("labels", {}).items()}
                    annotations = alert.get("annotations", {})
                    rows.append(
                        {
                            "name": name,
                            "state": str(alert.get("state", "")),
                            "severity": labels.get("severity", ""),
                            "labels": labels,
                            "summary": str(annotations.get("summary", "")),
                            "description": str(annotations.get("description", "")),
                            "runbook": str(annotations.get("runbook_url", "")),
                            "since": str(alert.get("activeAt", ""))[:19].replace("T", " "),
                            "notified": _notified(notified, labels),
                            "panel": links[name],
                        }
                    )
        rows.sort(key=lambda a: (a["state"] != "firing", a["name"]))
        return HTMLResponse(_pages.alerts_page(rows, "", nav))

    def traces(request: Request) -> Response:
        q = request.query_params
        try:
            min_ms = float(q["min_ms"]) if q.get("min_ms") else None
            max_ms = float(q["max_ms"]) if q.get("max_ms") else None
        except ValueError:
            return page(
                "Bad filter",
                "min_ms/max_ms must be numbers of milliseconds, not "
                f"{q.get('min_ms')!r}/{q.get('max_ms')!r}",
                400,
            )
        found = config.store.traces(
            service=q.get("service", ""),
            name=q.get("name", ""),
            errors_only=bool(q.get("errors")),
            min_ms=min_ms,
            max_ms=max_ms,
        )
        return HTMLResponse(_pages.traces_page(found, config.store.services(), dict(q), nav))

    def trace(request: Request) -> Response:
        trace_id = request.path_params["trace_id"].lower()
        if not _TRACE_ID.match(trace_id) or not trace_id.strip("0"):
            return page(
                "Malformed trace id",
                f"{request.path_params['trace_id']!r} is not a trace id: a trace id is 32 hex "
                "digits, not all zero (e.g. 4bf92f3577b34da6a3ce929d0e0e4736)",
                400,
            )
        spans = config.store.trace(trace_id)
        if not spans:
            return page(
                "Trace not found",
                f"no span of trace {trace_id} is in the store: it was never received, or it "
                f"aged out (the store keeps {config.store.max_age / 3600:g} h and "
                f"{config.store.max_bytes / 2**20:g} MiB)",
                404,
            )
        logs = config.store.logs(trace_id=trace_id, limit=500)
        return HTMLResponse(_pages.trace_page(trace_id, spans, logs, nav))

    def logs(request: Request) -> Response:
        q = request.query_params
        text, fields = _parse_search(q.get("q", ""))
        columns = {k: fields.pop(k) for k in ("service", "level", "trace_id") if k in fields}
        found = config.store.logs(
            text=text,
            fields=fields,
            trace_id=q.get("trace_id") or columns.get("trace_id", ""),
            service=columns.get("service", ""),
            level=columns.get("level", ""),
        )
        return HTMLResponse(_pages.logs_page(found, dict(q), nav))

    async def receive(request: Request, decode: Any, add: Any) -> Response:
        body = await request.body()
        if len(body) > _MAX_BODY:
            return JSONResponse({"error": f"body of {len(body)} bytes exceeds {_MAX_BODY}"}, 413)
        content_type = request.headers.get("content-type", "application/x-protobuf")
        try:
            records = decode(body, content_type)
        except OTLPDecodeError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        add(records)
        if "json" in content_type:
            return JSONResponse({})
        return Response(b"", media_type="application/x-protobuf")

    async def otlp_traces(request: Request) -> Response:
        return await receive(request, decode_traces, config.store.add_spans)

    async def otlp_logs(request: Request) -> Response:
        return await receive(request, decode_logs, config.store.add_logs)

    async def ready(request: Request) -> Response:
        return PlainTextResponse("Glassbox console is ready.\n")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith(("/api/", "/v1/")):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        title = "Not found" if exc.status_code == 404 else "Bad request"
        return page(title, str(exc.detail), exc.status_code)

    async def server_error(request: Request, exc: Exception) -> Response:
        message = f"the console failed on {request.url.path}: {type(exc).__name__}: {exc}"
        if request.url.path.startswith(("/api/", "/v1/")):
            return JSONResponse({"error": message}, status_code=500)
        return page("Console error", message, 500)

    routes = [
        Route("/", index),
        Route("/-/ready", ready),
        Route("/d/{uid}", dashboard_view),
        Route("/api/panel/{uid}/{panel}", panel_data),
        Route("/api/variable/{uid}/{name}", variable),
        Route("/alerts", alerts),
        Route("/traces", traces),
        Route("/traces/{trace_id}", trace),
        Route("/logs", logs),
        Route("/v1/traces", otlp_traces, methods=["POST"]),
        Route("/v1/logs", otlp_logs, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )


def _alertmanager_alerts(url: str | None) -> list[tuple[dict[str, str], str]] | None:
    """Alertmanager's alerts: labels and state (active, suppressed); None when unreachable."""
    if url is None:
        return []
    try:
        body = get_json(f"{url}/api/v2/alerts", timeout=5)
    except PrometheusAPIError:
        return None
    return [
        (
            {str(k): str(v) for k, v in alert.get("labels", {}).items()},
            str(alert.get("status", {}).get("state", "active")),
        )
        for alert in (body if isinstance(body, list) else [])
    ]


def _notified(received: list[tuple[dict[str, str], str]] | None, labels: Mapping[str, str]) -> str:
    """Alertmanager's state of the alert with ``labels`` (it may add external labels)."""
    if received is None:
        return "unreachable"
    for have, state in received:
        if all(have.get(k) == v for k, v in labels.items()):
            return state
    return "not received"


def _parse_search(query: str) -> tuple[str, dict[str, str]]:
    """``timeout level=error model=gpt-4o`` → (``timeout``, {level: error, model: gpt-4o})."""
    words, fields = [], {}
    for token in query.split():
        key, sep, value = token.partition("=")
        if sep and key and value:
            fields[key] = value
        else:
            words.append(token)
    return " ".join(words), fields
