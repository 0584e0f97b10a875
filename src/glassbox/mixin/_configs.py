"""The Prometheus configuration of the local stack and Grafana provisioning files."""

from __future__ import annotations

from typing import Any

from glassbox.mixin._config import Environment
from glassbox.mixin._external import ENV, SERVICE

__all__ = [
    "DASHBOARDS_PATH",
    "PUSHGATEWAY_JOB",
    "RULE_FILES",
    "grafana_dashboard_provider",
    "grafana_datasources",
    "prometheus_config",
]

#: Rule files, relative to the Prometheus configuration file.
RULE_FILES = ("rules/glassbox-recording.yml", "rules/glassbox-alerts.yml")
#: Where the Grafana dashboard provider reads the dashboards from.
DASHBOARDS_PATH = "/var/lib/grafana/dashboards/glassbox"
#: Scrape job of the Pushgateway (batch jobs: drift monitors and eval suites).
PUSHGATEWAY_JOB = "pushgateway"


def prometheus_config(env: Environment) -> dict[str, Any]:
    """``prometheus.yml`` for ``env``: SDK targets, the Pushgateway, Alertmanager, rules.

    Every SDK target gets the ``env`` and ``service`` labels the dashboards and alerts
    filter on; the Pushgateway is scraped with ``honor_labels`` so pushed ``job`` and
    grouping labels survive.
    """
    scrape: list[dict[str, Any]] = [
        {
            "job_name": service,
            "static_configs": [
                {"targets": list(addresses), "labels": {ENV: env.name, SERVICE: service}}
            ],
        }
        for service, addresses in sorted(env.targets.items())
    ]
    if env.pushgateway:
        scrape.append(
            {
                "job_name": PUSHGATEWAY_JOB,
                "honor_labels": True,
                "static_configs": [{"targets": [env.pushgateway], "labels": {ENV: env.name}}],
            }
        )
    return {
        "global": {
            "scrape_interval": str(env.scrape_interval),
            "scrape_timeout": str(env.scrape_interval)
            if env.scrape_interval.seconds < 10
            else "10s",
            "evaluation_interval": str(env.evaluation_interval),
        },
        "rule_files": list(RULE_FILES),
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [env.alertmanager]}]}]},
        "scrape_configs": scrape,
    }


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
                "jsonData": {
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
                    ]
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
