"""Panel and dashboard helpers on top of ``grafana-foundation-sdk``.

Every dashboard gets the same frame: a ``datasource`` variable, ``env`` and ``service``
filters, links to the other Glassbox dashboards, and a stable uid. Panels always carry a
description and a unit.
"""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.builders import dashboard as gdb
from grafana_foundation_sdk.builders import prometheus as gprom
from grafana_foundation_sdk.builders import stat as gstat
from grafana_foundation_sdk.builders import table as gtable
from grafana_foundation_sdk.builders import timeseries as gts
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import (
    DashboardLinkType,
    DataSourceRef,
    DataTransformerConfig,
    VariableRefresh,
    VariableSort,
)
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from glassbox.promql import ENV, SERVICE, sel

__all__ = ["DASHBOARD_TAG", "DS", "Board", "Q"]

#: Tag shared by every Glassbox dashboard (dashboard links find each other by it).
DASHBOARD_TAG = "glassbox"
#: Every panel queries the dashboard's ``datasource`` variable.
DS = DataSourceRef(type_val="prometheus", uid="${datasource}")


class Q:
    """One panel query: a PromQL expression and its legend."""

    def __init__(
        self, expr: str, legend: str = "", *, instant: bool = False, table: bool = False
    ) -> None:
        self.expr = expr
        self.legend = legend
        self.instant = instant
        self.table = table


class Board:
    """A dashboard under construction, laid out in rows of panels.

    Args:
        uid: The stable dashboard uid.
        title: The dashboard title.
        description: One sentence shown in the dashboard list.
    """

    def __init__(self, uid: str, title: str, description: str) -> None:
        self.uid = uid
        self._ids = 0
        self.builder = (
            gdb.Dashboard(title)
            .uid(uid)
            .description(description)
            .tags([DASHBOARD_TAG])
            .editable()
            .refresh("30s")
            .time("now-1h", "now")
            .timezone("browser")
            .link(
                gdb.DashboardLink("Glassbox")
                .type(DashboardLinkType.DASHBOARDS)
                .tags([DASHBOARD_TAG])
                .as_dropdown(True)
                .include_vars(True)
                .keep_time(True)
            )
            .with_variable(
                gdb.DatasourceVariable("datasource").label("Data source").type("prometheus")
            )
            .with_variable(self._label_variable(ENV, "Environment", "up"))
            .with_variable(self._label_variable(SERVICE, "Service", sel("up", f'{ENV}=~"${ENV}"')))
        )

    @staticmethod
    def _label_variable(label: str, title: str, series: str) -> gdb.QueryVariable:
        return (
            gdb.QueryVariable(label)
            .label(title)
            .datasource(DS)
            .query(f"label_values({series}, {label})")
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(VariableSort.ALPHABETICAL_ASC)
            .multi(True)
            .include_all(True)
            .all_value(".*")
        )

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def row(self, title: str) -> Board:
        self.builder.with_row(gdb.Row(title).id(self._next_id()))
        return self

    def _targets(self, panel: Any, queries: tuple[Q, ...], exemplar: bool) -> Any:
        for index, q in enumerate(queries):
            target = gprom.Dataquery().expr(q.expr).ref_id(chr(ord("A") + index))
            target = target.legend_format(q.legend or "__auto")
            target = target.instant() if q.instant else target.range()
            if q.table:
                target = target.format(PromQueryFormat.TABLE)
            if exemplar:
                target = target.exemplar(True)
            panel = panel.with_target(target)
        return panel

    def graph(
        self,
        title: str,
        description: str,
        unit: str,
        *queries: Q,
        exemplar: bool = False,
        span: int = 12,
        height: int = 8,
        stack: bool = False,
    ) -> Board:
        """Add a time series panel (``exemplar`` for latency panels read from raw histograms)."""
        panel = (
            gts.Panel()
            .id(self._next_id())
            .title(title)
            .description(description)
            .unit(unit)
            .datasource(DS)
            .span(span)
            .height(height)
            .fill_opacity(10)
            .line_width(1)
        )
        if stack:
            from grafana_foundation_sdk.builders.common import StackingConfig
            from grafana_foundation_sdk.models.common import StackingMode

            panel = panel.stacking(StackingConfig().mode(StackingMode.NORMAL))
        self.builder.with_panel(self._targets(panel, queries, exemplar))
        return self

    def stat(
        self,
        title: str,
        description: str,
        unit: str,
        query: Q,
        *,
        span: int = 4,
        time_from: str | None = None,
    ) -> Board:
        """Add a single-value panel (``time_from`` such as ``now/d`` for "today")."""
        panel = (
            gstat.Panel()
            .id(self._next_id())
            .title(title)
            .description(description)
            .unit(unit)
            .datasource(DS)
            .span(span)
            .height(4)
        )
        if time_from:
            panel = panel.time_from(time_from)
        self.builder.with_panel(self._targets(panel, (query,), False))
        return self

    def table(self, title: str, description: str, unit: str, *queries: Q, span: int = 24) -> Board:
        """Add a table that merges instant queries on their labels."""
        panel = (
            gtable.Panel()
            .id(self._next_id())
            .title(title)
            .description(description)
            .unit(unit)
            .datasource(DS)
            .span(span)
            .height(8)
            .with_transformation(DataTransformerConfig(id_val="merge", options={}))
        )
        instant = tuple(Q(q.expr, q.legend, instant=True, table=True) for q in queries)
        self.builder.with_panel(self._targets(panel, instant, False))
        return self

    def build(self) -> dict[str, Any]:
        """The dashboard as JSON-ready data."""
        data: dict[str, Any] = json.loads(json.dumps(self.builder.build(), cls=JSONEncoder))
        return data
