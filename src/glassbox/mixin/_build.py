"""Render the mixin for one environment and write it to a directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from glassbox.mixin._alertmanager import alertmanager_config
from glassbox.mixin._alerts import alert_groups
from glassbox.mixin._config import Environment
from glassbox.mixin._configs import (
    RULE_FILES,
    grafana_dashboard_provider,
    grafana_datasources,
    prometheus_config,
)
from glassbox.mixin._dashboards import dashboards
from glassbox.mixin._k8s import alertmanager_config_cr, dashboard_configmaps, prometheus_rule
from glassbox.mixin._panels import to_json
from glassbox.mixin._recording import Records, recording_groups

__all__ = ["Format", "Mixin", "render", "write"]

Format = Literal["plain", "k8s"]


@dataclass(frozen=True)
class Mixin:
    """Everything the mixin generates for one environment, as data."""

    env: Environment
    records: Records
    recording: list[dict[str, Any]]
    alerting: list[dict[str, Any]]
    dashboards: dict[str, dict[str, Any]]
    alertmanager: dict[str, Any]
    prometheus: dict[str, Any]

    @property
    def rule_groups(self) -> list[dict[str, Any]]:
        return [*self.recording, *self.alerting]


def render(env: Environment) -> Mixin:
    """Generate every artefact of the mixin for ``env`` (nothing is written)."""
    records = Records(env)
    return Mixin(
        env=env,
        records=records,
        recording=recording_groups(records),
        alerting=alert_groups(env, records),
        dashboards=dashboards(records),
        alertmanager=alertmanager_config(env),
        prometheus=prometheus_config(env),
    )


class _Dumper(yaml.SafeDumper):
    """A YAML dumper that never writes anchors and aliases (plain, greppable files)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)


def write(mixin: Mixin, out: Path, fmt: Format = "plain") -> list[Path]:
    """Write ``mixin`` under ``out``; return the files written.

    ``plain`` layout::

        dashboards/glassbox-<name>.json
        prometheus/prometheus.yml
        prometheus/rules/glassbox-recording.yml, glassbox-alerts.yml
        alertmanager/alertmanager.yml
        grafana/provisioning/datasources/glassbox.yml
        grafana/provisioning/dashboards/glassbox.yml

    ``k8s`` layout: ``prometheusrule.yaml``, ``alertmanagerconfig.yaml``,
    ``dashboards.yaml`` (ConfigMaps labelled ``grafana_dashboard: "1"``).
    """
    files: dict[str, str] = {}
    env = mixin.env
    if fmt == "plain":
        for stem, board in mixin.dashboards.items():
            files[f"dashboards/glassbox-{stem}.json"] = to_json(board)
        files["prometheus/prometheus.yml"] = _yaml(mixin.prometheus)
        files[f"prometheus/{RULE_FILES[0]}"] = _yaml({"groups": mixin.recording})
        files[f"prometheus/{RULE_FILES[1]}"] = _yaml({"groups": mixin.alerting})
        files["alertmanager/alertmanager.yml"] = _yaml(mixin.alertmanager)
        files["grafana/provisioning/datasources/glassbox.yml"] = _yaml(grafana_datasources(env))
        files["grafana/provisioning/dashboards/glassbox.yml"] = _yaml(grafana_dashboard_provider())
    elif fmt == "k8s":
        files["prometheusrule.yaml"] = _yaml(prometheus_rule(env, mixin.rule_groups))
        files["alertmanagerconfig.yaml"] = _yaml(alertmanager_config_cr(env, mixin.alertmanager))
        files["dashboards.yaml"] = yaml.dump_all(
            dashboard_configmaps(env, mixin.dashboards), Dumper=_Dumper, sort_keys=False, width=120
        )
    else:
        raise ValueError(f"format {fmt!r} is not supported; expected 'plain' or 'k8s'")
    written: list[Path] = []
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
