"""The console's HTML: one layout, and a renderer per page.

Dashboards are drawn in the browser (``static/console.js`` with uPlot) from the embedded
dashboard model; alerts, traces and logs are rendered here, on the server, as plain HTML
(no script needed to read them). Every value is escaped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from glassbox.console._store import LogRecord, SpanRecord, TraceSummary
from glassbox.semconv import Attr

__all__ = [
    "GENAI_FIELDS",
    "alerts_page",
    "dashboard_page",
    "error_page",
    "index_page",
    "logs_page",
    "trace_page",
    "traces_page",
]

#: Span attributes the waterfall shows first, with their labels.
GENAI_FIELDS: tuple[tuple[str, str], ...] = (
    (Attr.OPERATION, "operation"),
    (Attr.PROVIDER, "provider"),
    (Attr.REQUEST_MODEL, "model"),
    (Attr.RESPONSE_MODEL, "response model"),
    (Attr.INPUT_TOKENS, "input tokens"),
    (Attr.OUTPUT_TOKENS, "output tokens"),
    (Attr.COST_USD, "cost (USD)"),
    (Attr.AGENT_NAME, "agent"),
    (Attr.TOOL_NAME, "tool"),
    (Attr.ERROR_TYPE, "error"),
)


def _layout(title: str, body: str, active: str, dashboards: Sequence[tuple[str, str]]) -> str:
    nav = "".join(
        f'<a href="{href}" class="{"active" if key == active else ""}">{label}</a>'
        for key, href, label in (
            ("dashboards", "/", "Dashboards"),
            ("alerts", "/alerts", "Alerts"),
            ("traces", "/traces", "Traces"),
            ("logs", "/logs", "Logs"),
        )
    )
    boards = "".join(f'<a href="/d/{escape(uid)}">{escape(name)}</a>' for uid, name in dashboards)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)} · Glassbox</title>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        '<link rel=stylesheet href="/static/vendor/uPlot.min.css">'
        '<link rel=stylesheet href="/static/console.css"></head><body>'
        f'<header><a class=brand href="/">◧ Glassbox</a><nav>{nav}</nav>'
        f"<nav class=boards>{boards}</nav></header>"
        f"<main>{body}</main></body></html>"
    )


def error_page(title: str, message: str, dashboards: Sequence[tuple[str, str]]) -> str:
    """A page that says what went wrong and what to do, never a stack trace."""
    body = f"<section class=error><h1>{escape(title)}</h1><p class=message>{escape(message)}</p></section>"
    return _layout(title, body, "", dashboards)


def index_page(items: Sequence[tuple[str, str, str]], dashboards: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f'<li><a href="/d/{escape(uid)}">{escape(title)}</a><p>{escape(description)}</p></li>'
        for uid, title, description in items
    )
    return _layout(
        "Dashboards", f"<h1>Dashboards</h1><ul class=index>{rows}</ul>", "dashboards", dashboards
    )


def dashboard_page(model: Mapping[str, Any], dashboards: Sequence[tuple[str, str]]) -> str:
    """The shell the browser fills: the model embedded as JSON, drawn by console.js."""
    data = json.dumps(model).replace("</", "<\\/")
    body = (
        f"<div class=toolbar><h1>{escape(str(model.get('title', '')))}</h1>"
        "<div id=variables></div><div class=time>"
        "<label>Range <select id=range>"
        + "".join(
            f'<option value="{v}">{label}</option>'
            for v, label in (
                ("now-5m", "Last 5 minutes"),
                ("now-15m", "Last 15 minutes"),
                ("now-1h", "Last 1 hour"),
                ("now-6h", "Last 6 hours"),
                ("now-24h", "Last 24 hours"),
                ("now-7d", "Last 7 days"),
            )
        )
        + "</select></label><label>Refresh <select id=refresh>"
        + "".join(
            f'<option value="{v}">{v or "off"}</option>'
            for v in ("", "5s", "10s", "30s", "1m", "5m")
        )
        + "</select></label></div></div>"
        f"<p class=description>{escape(str(model.get('description', '')))}</p>"
        "<div id=grid class=grid></div>"
        f'<script id=dashboard type="application/json">{data}</script>'
        '<script src="/static/vendor/uPlot.iife.min.js"></script>'
        '<script src="/static/console.js"></script>'
    )
    return _layout(str(model.get("title", "Dashboard")), body, "dashboards", dashboards)


def _ago(ns: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ns / 1e9))


def alerts_page(
    alerts: Sequence[Mapping[str, Any]], problem: str, dashboards: Sequence[tuple[str, str]]
) -> str:
    """Firing and pending alerts; each links to its runbook and its dashboard panel."""
    if problem:
        body = f"<section class=error><p class=message>{escape(problem)}</p></section>"
    elif not alerts:
        body = "<p class=empty>No alert is firing or pending.</p>"
    else:
        rows = []
        for a in alerts:
            labels = " ".join(
                f"<span class=label>{escape(k)}={escape(v)}</span>"
                for k, v in sorted(a["labels"].items())
                if k not in ("alertname", "severity")
            )
            links = []
            if a.get("runbook"):
                links.append(f'<a class=runbook href="{escape(a["runbook"])}">runbook</a>')
            if a.get("panel"):
                links.append(
                    f'<a class=panel-link href="{escape(a["panel"].url)}">'
                    f"{escape(a['panel'].title)}</a>"
                )
            rows.append(
                f'<tr class="alert {escape(a["state"])}" data-alert="{escape(a["name"])}">'
                f'<td><span class="state {escape(a["state"])}">{escape(a["state"])}</span></td>'
                f'<td><span class="severity {escape(a["severity"])}">{escape(a["severity"])}</span></td>'
                f"<td><b>{escape(a['name'])}</b><p>{escape(a['summary'])}</p>"
                f"<p class=detail>{escape(a['description'])}</p><p>{labels}</p></td>"
                f"<td>{escape(a['since'])}</td><td>{escape(a['notified'])}</td>"
                f"<td>{' · '.join(links)}</td></tr>"
            )
        body = (
            "<table class=alerts><thead><tr><th>state</th><th>severity</th><th>alert</th>"
            "<th>active since</th><th>Alertmanager</th><th>links</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return _layout("Alerts", f"<h1>Alerts</h1>{body}", "alerts", dashboards)


def traces_page(
    traces: Sequence[TraceSummary],
    services: Sequence[str],
    query: Mapping[str, str],
    dashboards: Sequence[tuple[str, str]],
) -> str:
    """The trace list with its filter form (service, span name, errors, duration)."""
    options = "".join(
        f'<option value="{escape(s)}"{" selected" if query.get("service") == s else ""}>{escape(s)}</option>'
        for s in ("", *services)
    )
    checked = " checked" if query.get("errors") else ""
    form = (
        '<form class=filters method=get action="/traces">'
        f"<label>service <select name=service>{options}</select></label>"
        f'<label>span name <input name=name value="{escape(query.get("name", ""))}"></label>'
        f"<label><input type=checkbox name=errors value=1{checked}> errors only</label>"
        f'<label>min ms <input name=min_ms size=6 value="{escape(query.get("min_ms", ""))}"></label>'
        f'<label>max ms <input name=max_ms size=6 value="{escape(query.get("max_ms", ""))}"></label>'
        "<button>Filter</button></form>"
    )
    rows = "".join(
        f'<tr class="trace{" failed" if t.errors else ""}" data-trace="{t.trace_id}">'
        f'<td><a href="/traces/{t.trace_id}">{escape(t.name)}</a></td><td>{escape(t.service)}</td>'
        f"<td>{_ago(t.start_ns)}</td><td class=num>{t.duration_ms:,.1f} ms</td>"
        f"<td class=num>{t.spans}</td><td class=num>{t.errors or ''}</td>"
        f"<td class=id>{t.trace_id}</td></tr>"
        for t in traces
    )
    table = (
        "<table class=traces><thead><tr><th>root span</th><th>service</th><th>start</th>"
        "<th>duration</th><th>spans</th><th>errors</th><th>trace id</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if traces
        else "<p class=empty>No trace matches. Point OTEL_EXPORTER_OTLP_ENDPOINT at this console.</p>"
    )
    return _layout("Traces", f"<h1>Traces</h1>{form}{table}", "traces", dashboards)


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _depths(spans: Sequence[SpanRecord]) -> list[tuple[SpanRecord, int]]:
    """Spans in tree order (children under their parent, by start), with their depth."""
    ids = {s.span_id for s in spans}
    children: dict[str, list[SpanRecord]] = {}
    for s in spans:
        children.setdefault(s.parent_id if s.parent_id in ids else "", []).append(s)
    out: list[tuple[SpanRecord, int]] = []

    def walk(parent: str, depth: int) -> None:
        for child in sorted(children.get(parent, []), key=lambda s: s.start_ns):
            out.append((child, depth))
            walk(child.span_id, depth + 1)

    walk("", 0)
    return out


def trace_page(
    trace_id: str,
    spans: Sequence[SpanRecord],
    logs: Sequence[LogRecord],
    dashboards: Sequence[tuple[str, str]],
) -> str:
    """The waterfall: one bar per span on the trace's time axis, GenAI attributes first."""
    start = min(s.start_ns for s in spans)
    total = max(max(s.end_ns for s in spans) - start, 1)
    tokens = sum(
        int(s.attributes.get(k, 0) or 0)
        for s in spans
        for k in (Attr.INPUT_TOKENS, Attr.OUTPUT_TOKENS)
    )
    cost = sum(float(s.attributes.get(Attr.COST_USD, 0) or 0) for s in spans)
    rows = []
    for span, depth in _depths(spans):
        left = (span.start_ns - start) / total * 100
        width = max((span.end_ns - span.start_ns) / total * 100, 0.3)
        genai = "".join(
            f"<span class=attr><i>{label}</i> {escape(_value(span.attributes[key]))}</span>"
            for key, label in GENAI_FIELDS
            if key in span.attributes
        )
        others = "".join(
            f"<tr><td>{escape(k)}</td><td>{escape(_value(v))}</td></tr>"
            for k, v in sorted(span.attributes.items())
        )
        events = "".join(
            f"<li>{escape(str(e.get('name', '')))} {escape(_value(e.get('attributes', {})))}</li>"
            for e in span.events
        )
        status = (
            f"<span class=status-error>{escape(span.status_message or 'error')}</span>"
            if span.error
            else ""
        )
        rows.append(
            f'<div class="span{" failed" if span.error else ""}" data-span="{span.span_id}">'
            f'<div class=span-name style="padding-left:{depth * 14}px">'
            f"<b>{escape(span.name)}</b> <small>{escape(span.service)}</small></div>"
            f'<div class=span-track><div class=bar style="left:{left:.3f}%;width:{width:.3f}%"></div>'
            f"<span class=dur>{span.duration_ms:,.1f} ms</span></div>"
            f"<div class=genai>{genai}{status}</div>"
            f"<details><summary>attributes</summary><table class=attrs>{others}</table>"
            f"{f'<ul class=events>{events}</ul>' if events else ''}</details></div>"
        )
    log_rows = _log_rows(logs, link=False)
    body = (
        f"<h1>Trace <span class=id>{trace_id}</span></h1>"
        f"<p class=summary>{len(spans)} spans · {total / 1e6:,.1f} ms · {tokens:,} tokens · "
        f'${cost:.6f} · <a href="/logs?trace_id={trace_id}">logs</a></p>'
        f"<div class=waterfall>{''.join(rows)}</div>"
        f"<h2>Log lines ({len(logs)})</h2>"
        + (
            f"<table class=logs><tbody>{log_rows}</tbody></table>"
            if logs
            else "<p class=empty>No log line carries this trace id.</p>"
        )
    )
    return _layout(f"Trace {trace_id[:8]}", body, "traces", dashboards)


def _log_rows(logs: Sequence[LogRecord], link: bool = True) -> str:
    rows = []
    for r in logs:
        fields = " ".join(
            f"<span class=field><i>{escape(k)}</i>={escape(_value(v))}</span>"
            for k, v in r.attributes.items()
        )
        trace = (
            f'<a class=trace-link href="/traces/{r.trace_id}">{r.trace_id[:8]}…</a>'
            if r.trace_id and link
            else ""
        )
        rows.append(
            f'<tr class="log {escape(r.level)}"><td class=time>{_ago(r.time_ns)}</td>'
            f'<td><span class="level {escape(r.level)}">{escape(r.level)}</span></td>'
            f"<td>{escape(r.service)}</td><td><b>{escape(r.body)}</b> {fields}</td>"
            f"<td>{trace}</td></tr>"
        )
    return "".join(rows)


def logs_page(
    logs: Sequence[LogRecord], query: Mapping[str, str], dashboards: Sequence[tuple[str, str]]
) -> str:
    """Log search: free text and ``field=value`` terms; trace ids link to their trace."""
    form = (
        '<form class=filters method=get action="/logs">'
        f'<input name=q size=60 placeholder="text or field=value, e.g. level=error model=gpt-4o-mini" '
        f'value="{escape(query.get("q", ""))}">'
        f'<input type=hidden name=trace_id value="{escape(query.get("trace_id", ""))}">'
        "<button>Search</button></form>"
    )
    table = (
        f"<table class=logs><tbody>{_log_rows(logs)}</tbody></table>"
        if logs
        else "<p class=empty>No log line matches.</p>"
    )
    return _layout("Logs", f"<h1>Logs</h1>{form}{table}", "logs", dashboards)
