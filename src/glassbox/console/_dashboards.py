"""The mixin's Grafana dashboard models, queried the way Grafana would query them.

The console renders the very dashboard models ``glassbox.mixin.build(env).dashboards``
hands to Grafana. This module does Grafana's server-side part: time ranges
(``now-1h``, ``now/d``), the query step, the built-in variables (``$__rate_interval``,
``$__interval``, ``$__range``) and the template variables (``$env``, ``$service``, with
*All* and multi-value selections), legends, table merging, exemplars, and which panel an
alert rule belongs to.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from glassbox.exceptions import ServiceError
from glassbox.promql import substitute
from glassbox.stack import PrometheusAPIError, get_json

__all__ = [
    "PanelLink",
    "QueryError",
    "TimeRange",
    "find_panel",
    "panel_for_alert",
    "panels",
    "parse_time",
    "query_panel",
    "variable_values",
    "variables_for",
]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_RELATIVE = re.compile(r"^now(?:-(\d+)([smhdw]))?(?:/([smhdwM]))?$")
#: Panel types that show one value per series: queried at the end of the range only (what
#: Grafana's reducer shows), so a long ``timeFrom`` such as ``now/d`` still ends at now.
SINGLE_VALUE = frozenset({"stat", "singlestat", "gauge", "bargauge"})
#: Points per time-series panel, as Grafana's default max data points for a narrow panel.
MAX_POINTS = 300


class QueryError(ServiceError):
    """A panel could not be queried; the message says what to do."""


def parse_time(value: str, now: float | None = None) -> float:
    """``now``, ``now-6h``, ``now/d`` or Unix seconds/milliseconds → Unix seconds.

    Raises:
        ValueError: Not one of those forms; the message names the value.
    """
    now = time.time() if now is None else now
    match = _RELATIVE.match(value.strip())
    if match:
        amount, unit, round_to = match.groups()
        t = now - (int(amount) * _UNITS[unit] if amount else 0)
        if round_to:
            local = time.localtime(t)
            if round_to == "M":
                t = time.mktime((local.tm_year, local.tm_mon, 1, 0, 0, 0, 0, 0, -1))
            elif round_to == "d":
                t = time.mktime((local.tm_year, local.tm_mon, local.tm_mday, 0, 0, 0, 0, 0, -1))
            else:
                t -= t % _UNITS[round_to]
        return t
    try:
        number = float(value)
    except ValueError:
        raise ValueError(
            f"time {value!r} is not understood; use now, now-15m, now-6h, now/d or Unix seconds"
        ) from None
    return number / 1000 if number > 1e11 else number


@dataclass(frozen=True)
class TimeRange:
    """A query window: start and end in Unix seconds, and the step of range queries."""

    start: float
    end: float
    step: int

    @classmethod
    def of(cls, start: float, end: float, scrape_interval: float) -> TimeRange:
        if end <= start:
            raise ValueError(f"time range {start}..{end} is empty; 'from' must be before 'to'")
        step = max(int((end - start) / MAX_POINTS), int(scrape_interval), 1)
        return cls(start, end, step)


def variables_for(
    selected: Mapping[str, Sequence[str]], window: TimeRange, scrape_interval: float
) -> dict[str, str]:
    """Grafana's variable values for one query.

    ``selected`` maps a template variable to its chosen values; none, ``$__all`` or
    ``All`` mean every value (``.*``), several become an alternation.
    """
    rate = max(4 * scrape_interval, window.step + scrape_interval)
    span = window.end - window.start
    out = {
        "$__rate_interval": f"{int(rate)}s",
        "$__interval": f"{window.step}s",
        "$__range_s": str(int(span)),
        "$__range": f"{int(span)}s",
    }
    for name, values in selected.items():
        picked = [v for v in values if v]
        if not picked or any(v in ("$__all", "All", ".*") for v in picked):
            value = ".*"
        elif len(picked) == 1:
            value = re.escape(picked[0])
        else:
            value = "(" + "|".join(re.escape(v) for v in picked) + ")"
        out[f"${name}"] = out[f"${{{name}}}"] = value
    return out


def panels(dashboard: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel of a dashboard, rows' collapsed panels included (rows themselves too)."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def find_panel(dashboard: Mapping[str, Any], panel_id: int) -> dict[str, Any] | None:
    return next((p for p in panels(dashboard) if p.get("id") == panel_id), None)


def _legend(fmt: str, labels: Mapping[str, str], expr: str) -> str:
    if fmt and fmt != "__auto":
        return re.sub(
            r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", lambda m: labels.get(m[1], ""), fmt
        )
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    if not shown:
        return labels.get("__name__", expr if len(expr) < 60 else "value")
    return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))


def _api(base: str, path: str, params: Mapping[str, Any]) -> Any:
    url = f"{base.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
    try:
        body = get_json(url, timeout=15)
    except PrometheusAPIError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and not hasattr(cause, "code"):
            raise QueryError(
                f"Prometheus at {base} is unreachable ({cause}); start the stack with "
                "`glassbox up` or pass --prometheus"
            ) from None
        raise QueryError(f"Prometheus rejected the query: {exc}") from None
    if body.get("status") != "success":
        raise QueryError(f"Prometheus rejected the query: {body.get('error', body)}")
    return body["data"]


def query_panel(
    prometheus: str,
    panel: Mapping[str, Any],
    window: TimeRange,
    variables: Mapping[str, str],
) -> dict[str, Any]:
    """Run a panel's queries; return ``{"series": [...], "exemplars": [...], "table": ...}``.

    Each series is ``{"ref", "legend", "labels", "values": [[t, v], …]}`` (instant
    queries and single-value panels give one point); a table panel also gets ``table``:
    columns and rows merged on their labels, as Grafana's *merge* transformation does.

    Raises:
        QueryError: Prometheus is unreachable or rejected a query.
    """
    series: list[dict[str, Any]] = []
    exemplars: list[dict[str, Any]] = []
    for target in panel.get("targets", []):
        expr = substitute(str(target.get("expr", "")), variables)
        ref = str(target.get("refId", "A"))
        if target.get("instant") or panel.get("type") in SINGLE_VALUE:
            data = _api(prometheus, "/api/v1/query", {"query": expr, "time": window.end})
            results = [{"metric": r["metric"], "values": [r["value"]]} for r in data["result"]]
        else:
            params = {"query": expr, "start": window.start, "end": window.end, "step": window.step}
            data = _api(prometheus, "/api/v1/query_range", params)
            results = data["result"]
        for r in results:
            values = [[float(t), _number(v)] for t, v in r["values"]]
            legend = _legend(str(target.get("legendFormat", "")), r["metric"], expr)
            series.append({"ref": ref, "legend": legend, "labels": r["metric"], "values": values})
        if target.get("exemplar"):
            params = {"query": expr, "start": window.start, "end": window.end}
            for group in _api(prometheus, "/api/v1/query_exemplars", params) or []:
                for e in group.get("exemplars", []):
                    trace_id = e.get("labels", {}).get("trace_id")
                    if trace_id:
                        exemplars.append(
                            {
                                "trace_id": trace_id,
                                "t": float(e["timestamp"]),
                                "v": _number(e["value"]),
                            }
                        )
    out: dict[str, Any] = {"series": series, "exemplars": exemplars}
    if panel.get("type") == "table":
        out["table"] = _merge_table(series, panel)
    return out


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number or number in (float("inf"), float("-inf")) else number


def _merge_table(series: Sequence[Mapping[str, Any]], panel: Mapping[str, Any]) -> dict[str, Any]:
    legends = {
        str(t.get("refId", "A")): str(t.get("legendFormat") or "") for t in panel.get("targets", [])
    }
    value_columns = [
        legends[ref] if legends.get(ref) not in ("", "__auto") else f"Value #{ref}"
        for ref in legends
    ]
    label_names: list[str] = sorted({k for s in series for k in s["labels"] if k != "__name__"})
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    for s in series:
        key = tuple(str(s["labels"].get(k, "")) for k in label_names)
        row = rows.setdefault(key, dict(zip(label_names, key, strict=True)))
        column = value_columns[list(legends).index(s["ref"])] if s["ref"] in legends else s["ref"]
        row[column] = s["values"][-1][1] if s["values"] else None
    return {"columns": label_names + value_columns, "rows": list(rows.values())}


def variable_values(
    prometheus: str, query: str, window: TimeRange, variables: Mapping[str, str]
) -> list[str]:
    """The values of a ``label_values(series, label)`` template variable.

    Raises:
        QueryError: Prometheus is unreachable, or the query is not ``label_values``.
    """
    match = re.fullmatch(r"\s*label_values\((?:(.*),)?\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", query)
    if not match:
        raise QueryError(f"variable query {query!r} is not label_values(series, label)")
    series, label = match.groups()
    params: dict[str, Any] = {"start": window.start, "end": window.end}
    if series:
        params["match[]"] = substitute(series.strip(), variables)
    values = _api(prometheus, f"/api/v1/label/{label}/values", params)
    return sorted(str(v) for v in values)


# -- alerts → panels ------------------------------------------------------------------------

_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"}
    | {"bool", "offset", "le", "inf", "nan"}
)


def _metrics(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (a tolerant scan, not a parser)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", expr)
    return {name for name, call in names if not call and name.lower() not in _KEYWORDS}


def _base(metric: str) -> str:
    """``level:metric:operations`` → ``metric``; a raw sample name → its family."""
    parts = metric.split(":")
    name = parts[1] if len(parts) == 3 else metric
    return re.sub(r"_(bucket|count|sum|total)$", "", name)


@dataclass(frozen=True)
class PanelLink:
    """Where an alert is drawn: a dashboard uid, a panel id and its title."""

    uid: str
    panel_id: int
    title: str

    @property
    def url(self) -> str:
        return f"/d/{self.uid}#panel-{self.panel_id}"


def panel_for_alert(
    expr: str, dashboards: Mapping[str, Mapping[str, Any]], alert: str = ""
) -> PanelLink | None:
    """The panel whose queries best share the alert expression's metrics.

    Two points per recording rule or metric both query exactly, one per shared base
    metric (``p95_rate15s`` and ``rate15s`` of the same histogram); ties go to the panel
    whose title shares most words with the alert's name (``GlassboxLLMSlowLatency`` →
    "p95 latency"), then to the first in the mixin's order (the overview first).
    """
    wanted = _metrics(expr)
    wanted_base = {_base(m) for m in wanted}
    words = {w.lower() for w in re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])", alert)} - {"glassbox"}
    best: tuple[tuple[int, int], PanelLink] | None = None
    for dashboard in dashboards.values():
        for panel in panels(dashboard):
            if panel.get("type") == "row":
                continue
            have: set[str] = set()
            for target in panel.get("targets", []):
                have |= _metrics(str(target.get("expr", "")))
            shared = 2 * len(wanted & have) + len(wanted_base & {_base(m) for m in have})
            title = str(panel.get("title", ""))
            score = (shared, len(words & set(re.findall(r"[a-z0-9]+", title.lower()))))
            if shared and (best is None or score > best[0]):
                best = (score, PanelLink(str(dashboard["uid"]), int(panel["id"]), title))
    return best[1] if best else None
