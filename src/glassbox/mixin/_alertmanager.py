"""Alertmanager routing from the decisions file, plus the routing tests that check it.

Routing: alerts of a service a team owns (or carrying that team's ``team`` label, as the
cost alerts do) go to the team's receivers by severity; everything else goes to the
environment's receivers by severity. A critical alert inhibits the warning of the same
name for the same service. Secrets stay in files: the configuration names the file
(``api_url_file``, ``routing_key_file``, ``credentials_file``) and Alertmanager reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from glassbox import semconv as sc
from glassbox.mixin._decisions import SEVERITIES, Environment, Receiver, Routing
from glassbox.promql import ENV, SERVICE

__all__ = ["RouteCase", "alertmanager_config", "receiver_config", "route_cases"]

GROUP_BY = ["alertname", ENV, SERVICE]


def receiver_config(name: str, receiver: Receiver) -> dict[str, Any]:
    """One ``receivers:`` entry; secrets are referenced by file, never inlined."""
    out: dict[str, Any] = {"name": name}
    if receiver.slack is not None:
        out["slack_configs"] = [
            {
                "api_url_file": receiver.slack["api_url_file"],
                "channel": receiver.slack.get("channel", "#alerts"),
                "send_resolved": True,
                "title": "{{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})",
                "text": "{{ range .Alerts }}{{ .Annotations.description }}\n{{ .Annotations.runbook_url }}\n{{ end }}",  # noqa: E501
            }
        ]
    if receiver.pagerduty is not None:
        out["pagerduty_configs"] = [
            {
                "routing_key_file": receiver.pagerduty["routing_key_file"],
                "send_resolved": True,
                "description": "{{ .CommonAnnotations.summary }}",
            }
        ]
    if receiver.webhook is not None:
        webhook: dict[str, Any] = {"url": receiver.webhook["url"], "send_resolved": True}
        if "bearer_token_file" in receiver.webhook:
            webhook["http_config"] = {
                "authorization": {"credentials_file": receiver.webhook["bearer_token_file"]}
            }
        out["webhook_configs"] = [webhook]
    return out


def _severity_routes(routing: Routing) -> list[dict[str, Any]]:
    return [{"receiver": getattr(routing, s), "matchers": [f'severity="{s}"']} for s in SEVERITIES]


def alertmanager_config(env: Environment) -> dict[str, Any]:
    """The complete Alertmanager configuration of ``env``."""
    routes: list[dict[str, Any]] = []
    for name, team in sorted(env.teams.items()):
        if team.routing is None:
            continue
        sub = _severity_routes(team.routing)
        if team.services:
            services = "|".join(team.services)
            routes.append(
                {
                    "matchers": [f'{SERVICE}=~"{services}"'],
                    "routes": sub,
                    "receiver": team.routing.info,
                }
            )
        routes.append(
            {"matchers": [f'{sc.TEAM}="{name}"'], "routes": sub, "receiver": team.routing.info}
        )
    routes.extend(_severity_routes(env.routing))
    return {
        "route": {
            "receiver": env.routing.info,
            "group_by": GROUP_BY,
            "group_wait": str(env.group_wait),
            "group_interval": str(env.group_interval),
            "repeat_interval": str(env.repeat_interval),
            "routes": routes,
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity=~"warning|info"'],
                "equal": GROUP_BY,
            }
        ],
        "receivers": [receiver_config(n, r) for n, r in sorted(env.receivers.items())],
    }


@dataclass(frozen=True)
class RouteCase:
    """An alert's labels and the receivers ``amtool config routes test`` must pick."""

    labels: dict[str, str]
    receivers: tuple[str, ...]

    def amtool_args(self) -> list[str]:
        """Arguments after ``amtool config routes test --config.file=…``."""
        return [
            f"--verify.receivers={','.join(self.receivers)}",
            *(f"{k}={v}" for k, v in self.labels.items()),
        ]


def route_cases(env: Environment) -> list[RouteCase]:
    """Routing expectations derived independently from the decisions (for amtool)."""
    cases: list[RouteCase] = []
    owned = {service for team in env.teams.values() if team.routing for service in team.services}
    unowned = "unowned-service"
    while unowned in owned:
        unowned += "-x"
    for severity in SEVERITIES:
        cases.append(
            RouteCase(
                {
                    "alertname": "GlassboxTest",
                    ENV: env.name,
                    SERVICE: unowned,
                    "severity": severity,
                },
                (getattr(env.routing, severity),),
            )
        )
        for name, team in sorted(env.teams.items()):
            if team.routing is None:
                continue
            expected = (getattr(team.routing, severity),)
            for service in team.services:
                labels = {
                    "alertname": "GlassboxTest",
                    ENV: env.name,
                    SERVICE: service,
                    "severity": severity,
                }
                cases.append(RouteCase(labels, expected))
            labels = {
                "alertname": "GlassboxDailyBudgetWarning",
                ENV: env.name,
                sc.TEAM: name,
                "severity": severity,
            }
            cases.append(RouteCase(labels, expected))
    return cases
