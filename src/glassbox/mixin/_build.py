"""Build the mixin for one environment: rules, dashboards and routing, as data.

Nothing here writes a file or knows a file format: :mod:`glassbox.render` turns a
:class:`Mixin` into Prometheus, Alertmanager, Grafana and Kubernetes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from glassbox.mixin._alertmanager import alertmanager_config
from glassbox.mixin._alerts import alert_groups
from glassbox.mixin._dashboards import dashboards
from glassbox.mixin._decisions import Environment
from glassbox.mixin._recording import Records, recording_groups

__all__ = ["Mixin", "build"]


@dataclass(frozen=True)
class Mixin:
    """Everything the mixin defines for one environment, as data.

    Attributes:
        env: The environment of the decisions file it was built for.
        records: The recording rules' output series, by meaning (what panels query).
        recording: Recording rule groups (Prometheus rule-file data).
        alerting: Alerting rule groups (Prometheus rule-file data).
        dashboards: Grafana dashboard models by short name (``overview``, ``llm``, …).
        alertmanager: The Alertmanager routing tree, receivers and inhibitions.
    """

    env: Environment
    records: Records
    recording: list[dict[str, Any]]
    alerting: list[dict[str, Any]]
    dashboards: dict[str, dict[str, Any]]
    alertmanager: dict[str, Any]

    @property
    def rule_groups(self) -> list[dict[str, Any]]:
        """Recording then alerting groups (one rule file, as the Operator takes them)."""
        return [*self.recording, *self.alerting]


def build(env: Environment) -> Mixin:
    """Build every rule, dashboard and route of the mixin for ``env``."""
    records = Records(env)
    return Mixin(
        env=env,
        records=records,
        recording=recording_groups(records),
        alerting=alert_groups(env, records),
        dashboards=dashboards(records),
        alertmanager=alertmanager_config(env),
    )
