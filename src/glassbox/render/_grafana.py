"""Grafana provisioning: data sources with their cross-links, and the dashboard provider."""

from __future__ import annotations

from typing import Any

from glassbox.mixin import Environment
from glassbox.render._logs import LOKI_TENANT

__all__ = ["DASHBOARDS_PATH", "grafana_dashboard_provider", "grafana_datasources"]

#: Where the Grafana dashboard provider reads the dashboards from.
DASHBOARDS_PATH = "/var/lib/grafana/dashboards/glassbox"


def grafana_datasources(env: Environment) -> dict[str, Any]:
    """Grafana data source provisioning with exemplar→Tempo, Tempo→Loki and Loki→Tempo links."""
    ds = env.datasources
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "type": "prometheus",
                "uid": ds.prometheus.uid,
                "url": ds.prometheus.url,
                "access": "proxy",
                "isDefault": True,
                "jsonData": {
                    "timeInterval": str(env.scrape_interval),
                    "exemplarTraceIdDestinations": [
                        {"name": "trace_id", "datasourceUid": ds.tempo.uid}
                    ],
                },
            },
            {
                "name": "Tempo",
                "type": "tempo",
                "uid": ds.tempo.uid,
                "url": ds.tempo.url,
                "access": "proxy",
                "jsonData": {
                    "tracesToLogsV2": {
                        "datasourceUid": ds.loki.uid,
                        "tags": [{"key": "service.name", "value": "service_name"}],
                        "filterByTraceID": True,
                        "spanStartTimeShift": "-5m",
                        "spanEndTimeShift": "5m",
                    },
                    "serviceMap": {"datasourceUid": ds.prometheus.uid},
                    "lokiSearch": {"datasourceUid": ds.loki.uid},
                    "nodeGraph": {"enabled": True},
                },
            },
            {
                "name": "Loki",
                "type": "loki",
                "uid": ds.loki.uid,
                "url": ds.loki.url,
                "access": "proxy",
                # Loki is multi-tenant: this data source reads the normal streams only;
                # the restricted raw tenant has none (query it deliberately, with access).
                "secureJsonData": {"httpHeaderValue1": LOKI_TENANT},
                "jsonData": {
                    "httpHeaderName1": "X-Scope-OrgID",
                    "derivedFields": [
                        {
                            "name": "trace_id",
                            "matcherType": "label",
                            "matcherRegex": "trace_id",
                            "url": "$${__value.raw}",
                            "datasourceUid": ds.tempo.uid,
                        },
                        {
                            "name": "trace_id (JSON)",
                            "matcherRegex": '"trace_id":\\s*"(\\w+)"',
                            "url": "$${__value.raw}",
                            "datasourceUid": ds.tempo.uid,
                        },
                    ],
                },
            },
        ],
    }


def grafana_dashboard_provider(path: str = DASHBOARDS_PATH) -> dict[str, Any]:
    """Grafana dashboard provisioning: a file provider for the generated dashboards."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": "glassbox",
                "folder": "Glassbox",
                "type": "file",
                "disableDeletion": True,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 30,
                "options": {"path": path, "foldersFromFilesStructure": False},
            }
        ],
    }
