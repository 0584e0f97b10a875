"""``glassbox top``: the Overview panels computed with PromQL against any Prometheus.

The queries read the raw series the SDK exposes (not the mixin's recording rules), so
``top`` works against any Prometheus that scrapes a Glassbox-instrumented process, with
or without the mixin's rules loaded. Every metric and label name comes from
:mod:`glassbox.semconv`; selectors are built with the mixin's PromQL helpers. The
Prometheus-defined ``ALERTS`` series gives the alerts firing.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from glassbox import semconv as sc
from glassbox.stack._api import PrometheusAPIError, get_json, query

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = [
    "STAGES",
    "Alert",
    "ModelRow",
    "Overview",
    "overview_queries",
    "read_overview",
    "render_overview",
]

LE = "le"
#: Latency stages shown as p95: the stage name and the histogram it is computed from.
STAGES: dict[str, sc.MetricSpec] = {
    "total": sc.LLM_DURATION,
    "time to first chunk": sc.LLM_TIME_TO_FIRST_CHUNK,
    "per chunk": sc.LLM_TIME_PER_OUTPUT_CHUNK,
    "queue wait": sc.QUEUE_WAIT,
}
_MODEL = (sc.PROVIDER, sc.REQUEST_MODEL)


@dataclass(frozen=True)
class Alert:
    """An alert Prometheus evaluates as firing (or pending)."""

    name: str
    severity: str
    state: str
    labels: dict[str, str]


@dataclass(frozen=True)
class ModelRow:
    """Traffic of one provider/model over the window."""

    provider: str
    model: str
    calls_per_second: float
    error_ratio: float | None
    p95_seconds: float | None
    tokens_per_second: float | None
    cost_per_hour: float | None


@dataclass(frozen=True)
class Overview:
    """One frame of ``glassbox top``. ``None`` means the query returned no data.

    Attributes:
        prometheus_url: Where the numbers came from.
        window: The rate window (``1m``).
        taken_at: Unix time of the frame.
        request_rate: LLM calls per second.
        error_ratio: Failed / all LLM calls.
        p95_seconds: p95 latency by stage (:data:`STAGES`).
        tokens_per_second: Input plus output tokens per second.
        output_tokens_per_second: Output tokens per second.
        cost_today: US dollars since local midnight.
        in_flight: LLM calls in flight now.
        queue_depth: Items waiting, by queue.
        models: Per-model traffic, busiest first.
        alerts: Alerts firing or pending.
        errors: Queries that failed, with Prometheus's message.
    """

    prometheus_url: str
    window: str
    taken_at: float
    request_rate: float | None = None
    error_ratio: float | None = None
    p95_seconds: dict[str, float | None] = field(default_factory=dict)
    tokens_per_second: float | None = None
    output_tokens_per_second: float | None = None
    cost_today: float | None = None
    in_flight: float | None = None
    queue_depth: dict[str, float] = field(default_factory=dict)
    models: list[ModelRow] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _rate(series: str, window: str, scope: str, *matchers: str) -> str:
    from glassbox.promql import sel

    return f"rate({sel(series, scope, *matchers)}[{window}])"


def _p95(spec: sc.MetricSpec, window: str, scope: str, labels: tuple[str, ...] = ()) -> str:
    from glassbox.promql import by

    buckets = _rate(spec.bucket, window, scope)
    return f"histogram_quantile(0.95, sum {by((*labels, LE))} ({buckets}))"


def _since_midnight(now: float) -> str:
    local = dt.datetime.fromtimestamp(now).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return f"{max(int((local - midnight).total_seconds()), 1)}s"


def overview_queries(
    window: str = "1m", selector: str = "", now: float | None = None
) -> dict[str, str]:
    """Every PromQL query of one frame, by key.

    Args:
        window: Range of every ``rate()``; at least a few scrape intervals.
        selector: Extra matchers for every selector (``env="prod",service="api"``).
        now: Unix time used for "cost today" (default: now).
    """
    # The mixin (an optional extra) is imported here, not at module level, so that
    # `glassbox.stack` stays importable without it.
    from glassbox.promql import by, eq, ne, re_, sel

    w, s = window, selector
    io = re_(sc.TOKEN_TYPE, "input|output")
    output = eq(sc.TOKEN_TYPE, "output")
    today = _since_midnight(now if now is not None else time.time())
    calls = sc.LLM_DURATION.count
    failed = ne(sc.ERROR_TYPE, "")
    all_calls = f"sum({_rate(calls, w, s)})"
    queries = {
        "request_rate": all_calls,
        "error_ratio": f"(sum({_rate(calls, w, s, failed)}) or vector(0)) / {all_calls}",
        "tokens_per_second": f"sum({_rate(sc.LLM_TOKENS.total, w, s, io)})",
        "output_tokens_per_second": f"sum({_rate(sc.LLM_TOKENS.total, w, s, output)})",
        "cost_today": f"sum(increase({sel(sc.LLM_COST.total, s)}[{today}]))",
        "in_flight": f"sum({sel(sc.LLM_IN_FLIGHT.name, s)})",
        "queue_depth": f"sum {by((sc.QUEUE,))} ({sel(sc.QUEUE_DEPTH.name, s)})",
        "alerts": sel("ALERTS", s),
        "model_calls": f"sum {by(_MODEL)} ({_rate(calls, w, s)})",
        "model_errors": f"sum {by(_MODEL)} ({_rate(calls, w, s, failed)})",
        "model_p95": _p95(sc.LLM_DURATION, w, s, _MODEL),
        "model_tokens": f"sum {by(_MODEL)} ({_rate(sc.LLM_TOKENS.total, w, s, io)})",
        "model_cost": f"sum {by(_MODEL)} ({_rate(sc.LLM_COST.total, w, s)}) * 3600",
    }
    for stage, spec in STAGES.items():
        queries[f"p95:{stage}"] = _p95(spec, w, s)
    return queries


def _number(value: str) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _scalar(result: list[dict[str, Any]]) -> float | None:
    return _number(result[0]["value"][1]) if result else None


def _by_model(result: list[dict[str, Any]]) -> dict[tuple[str, str], float | None]:
    return {
        (r["metric"].get(sc.PROVIDER, ""), r["metric"].get(sc.REQUEST_MODEL, "")): _number(
            r["value"][1]
        )
        for r in result
    }


def read_overview(prometheus_url: str, window: str = "1m", selector: str = "") -> Overview:
    """Run every query of one frame (concurrently) and assemble the :class:`Overview`.

    A query that fails is reported in ``errors``; the others still fill the frame.

    Raises:
        PrometheusAPIError: Prometheus could not be reached at all.
    """
    base = prometheus_url.rstrip("/")
    try:
        get_json(f"{base}/api/v1/status/buildinfo", timeout=5)
    except PrometheusAPIError as exc:
        raise PrometheusAPIError(f"cannot reach Prometheus at {base}: {exc}") from None
    now = time.time()
    queries = overview_queries(window, selector, now)
    results: dict[str, list[dict[str, Any]]] = {}
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {key: pool.submit(query, base, expr) for key, expr in queries.items()}
    for key, future in futures.items():
        try:
            results[key] = future.result()
        except PrometheusAPIError as exc:
            errors.append(f"{key}: {exc}")

    def get(key: str) -> list[dict[str, Any]]:
        return results.get(key, [])

    calls = _by_model(get("model_calls"))
    model_errors = _by_model(get("model_errors"))
    p95 = _by_model(get("model_p95"))
    tokens = _by_model(get("model_tokens"))
    cost = _by_model(get("model_cost"))
    models = [
        ModelRow(
            provider=provider,
            model=model,
            calls_per_second=rate or 0.0,
            error_ratio=(model_errors.get((provider, model)) or 0.0) / rate if rate else None,
            p95_seconds=p95.get((provider, model)),
            tokens_per_second=tokens.get((provider, model)),
            cost_per_hour=cost.get((provider, model)),
        )
        for (provider, model), rate in sorted(calls.items(), key=lambda kv: -(kv[1] or 0.0))
    ]
    alerts = sorted(
        (
            Alert(
                name=r["metric"].get("alertname", "?"),
                severity=r["metric"].get("severity", ""),
                state=r["metric"].get("alertstate", ""),
                labels=dict(r["metric"]),
            )
            for r in get("alerts")
        ),
        key=lambda a: (a.state != "firing", a.severity != "critical", a.name),
    )
    return Overview(
        prometheus_url=base,
        window=window,
        taken_at=now,
        request_rate=_scalar(get("request_rate")),
        error_ratio=_scalar(get("error_ratio")),
        p95_seconds={stage: _scalar(get(f"p95:{stage}")) for stage in STAGES},
        tokens_per_second=_scalar(get("tokens_per_second")),
        output_tokens_per_second=_scalar(get("output_tokens_per_second")),
        cost_today=_scalar(get("cost_today")),
        in_flight=_scalar(get("in_flight")),
        queue_depth={
            r["metric"].get(sc.QUEUE, ""): _number(r["value"][1]) or 0.0 for r in get("queue_depth")
        },
        models=models,
        alerts=alerts,
        errors=errors,
    )


# -- rendering ------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "$":
        return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"
    if unit == "/s":
        return f"{value:,.2f}/s" if value < 100 else f"{value:,.0f}/s"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"


def render_overview(frame: Overview) -> RenderableType:
    """A rich renderable of ``frame``: stats, p95 by stage, models, queues and alerts."""
    from rich.columns import Columns
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def stat(title: str, value: str, style: str = "bold") -> Panel:
        return Panel(Text(value, style=style, justify="center"), title=title, width=22)

    error_style = "bold red" if (frame.error_ratio or 0) >= 0.05 else "bold"
    queued = sum(frame.queue_depth.values()) if frame.queue_depth else None
    stats = Columns(
        [
            stat("requests", _fmt(frame.request_rate, "/s")),
            stat("errors", _fmt(frame.error_ratio, "%"), error_style),
            stat("p95 total", _fmt(frame.p95_seconds.get("total"), "s")),
            stat("tokens", _fmt(frame.tokens_per_second, "/s")),
            stat("cost today", _fmt(frame.cost_today, "$")),
            stat("in flight", _fmt(frame.in_flight)),
            stat("queued", _fmt(queued)),
            stat("alerts firing", str(sum(a.state == "firing" for a in frame.alerts))),
        ]
    )
    stages = Table(title="p95 latency by stage", title_justify="left", expand=False)
    stages.add_column("stage")
    stages.add_column("p95", justify="right")
    for stage, value in frame.p95_seconds.items():
        stages.add_row(stage, _fmt(value, "s"))

    models = Table(title="by model", title_justify="left")
    for column in ("provider", "model", "calls", "errors", "p95", "tokens", "cost/h"):
        models.add_column(column, justify="left" if column in ("provider", "model") else "right")
    for row in frame.models[:10]:
        models.add_row(
            row.provider,
            row.model,
            _fmt(row.calls_per_second, "/s"),
            _fmt(row.error_ratio, "%"),
            _fmt(row.p95_seconds, "s"),
            _fmt(row.tokens_per_second, "/s"),
            _fmt(row.cost_per_hour, "$"),
        )

    queues = Table(title="queue depth", title_justify="left")
    queues.add_column("queue")
    queues.add_column("waiting", justify="right")
    for name, depth in sorted(frame.queue_depth.items()):
        queues.add_row(name, _fmt(depth))

    alerts = Table(title="alerts", title_justify="left")
    for column in ("alert", "severity", "state"):
        alerts.add_column(column)
    for alert in frame.alerts:
        style = "red" if alert.state == "firing" else "yellow"
        alerts.add_row(alert.name, alert.severity, f"[{style}]{alert.state}[/]")
    if not frame.alerts:
        alerts.add_row("[green]none[/]", "", "")

    taken = dt.datetime.fromtimestamp(frame.taken_at).strftime("%H:%M:%S")
    header = Text(f"glassbox top — {frame.prometheus_url} — rates over {frame.window} — {taken}")
    parts: list[RenderableType] = [header, stats, Columns([stages, queues, alerts]), models]
    if frame.errors:
        parts.append(Text("\n".join(f"query failed: {e}" for e in frame.errors[:5]), style="red"))
    return Group(*parts)
