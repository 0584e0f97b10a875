"""The mixin's own files, in both layouts, and the one function that writes files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from glassbox.mixin import Mixin
from glassbox.render._formats import dump_json, dump_yaml, dump_yaml_all
from glassbox.render._grafana import (
    DASHBOARDS_PATH,
    grafana_dashboard_provider,
    grafana_datasources,
)
from glassbox.render._operator import alertmanager_config_cr, dashboard_configmaps, prometheus_rule
from glassbox.render._prometheus import RULE_FILES, prometheus_config

__all__ = ["Format", "mixin_files", "write_files"]

Format = Literal["plain", "k8s"]


def mixin_files(
    mixin: Mixin,
    fmt: Format = "plain",
    *,
    prometheus_yml: str | None = None,
    dashboards_path: str = DASHBOARDS_PATH,
) -> dict[str, str]:
    """The mixin's files by relative path.

    ``plain`` layout (what the local stack runs and the Compose bundle mounts)::

        prometheus/prometheus.yml
        prometheus/rules/glassbox-recording.yml, glassbox-alerts.yml
        alertmanager/alertmanager.yml
        grafana/provisioning/datasources/glassbox.yml
        grafana/provisioning/dashboards/glassbox.yml
        grafana/dashboards/glassbox-<name>.json

    ``k8s`` layout (Prometheus-Operator and the Grafana sidecar): ``prometheusrule.yaml``,
    ``alertmanagerconfig.yaml``, ``dashboards.yaml`` (ConfigMaps labelled
    ``grafana_dashboard: "1"``).

    Args:
        mixin: The built mixin.
        fmt: ``plain`` or ``k8s``.
        prometheus_yml: A ``prometheus.yml`` to use instead of the environment's own
            (the production bundle adds the stack's jobs and remote write).
        dashboards_path: Where Grafana reads the dashboards (``plain`` only).

    Raises:
        ValueError: ``fmt`` is neither ``plain`` nor ``k8s``.
    """
    env = mixin.env
    if fmt == "k8s":
        return {
            "prometheusrule.yaml": dump_yaml(prometheus_rule(env, mixin.rule_groups)),
            "alertmanagerconfig.yaml": dump_yaml(alertmanager_config_cr(env, mixin.alertmanager)),
            "dashboards.yaml": dump_yaml_all(dashboard_configmaps(env, mixin.dashboards)),
        }
    if fmt != "plain":
        raise ValueError(f"format {fmt!r} is not supported; expected 'plain' or 'k8s'")
    files = {
        "prometheus/prometheus.yml": prometheus_yml or dump_yaml(prometheus_config(env)),
        f"prometheus/{RULE_FILES[0]}": dump_yaml({"groups": mixin.recording}),
        f"prometheus/{RULE_FILES[1]}": dump_yaml({"groups": mixin.alerting}),
        "alertmanager/alertmanager.yml": dump_yaml(mixin.alertmanager),
        "grafana/provisioning/datasources/glassbox.yml": dump_yaml(grafana_datasources(env)),
        "grafana/provisioning/dashboards/glassbox.yml": dump_yaml(
            grafana_dashboard_provider(dashboards_path)
        ),
    }
    for stem, board in mixin.dashboards.items():
        files[f"grafana/dashboards/glassbox-{stem}.json"] = dump_json(board)
    return files


def write_files(files: Mapping[str, str], out: Path) -> list[Path]:
    """Write text files under ``out`` (directories created as needed); return their paths."""
    written: list[Path] = []
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
