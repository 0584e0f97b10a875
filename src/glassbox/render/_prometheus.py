"""``prometheus.yml`` for an environment: its SDK targets, the Pushgateway, Alertmanager, rules."""

from __future__ import annotations

from typing import Any

from glassbox.mixin import Environment
from glassbox.promql import ENV, SERVICE

__all__ = ["PUSHGATEWAY_JOB", "RULE_FILES", "prometheus_config"]

#: Rule files, relative to the Prometheus configuration file.
RULE_FILES = ("rules/glassbox-recording.yml", "rules/glassbox-alerts.yml")
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
