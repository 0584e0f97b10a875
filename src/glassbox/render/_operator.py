"""The Kubernetes form: ``PrometheusRule``, ``AlertmanagerConfig`` and dashboard ``ConfigMap``s.

Secrets become ``SecretKeySelector`` references into one Secret
(:data:`SECRET_NAME`), keyed by the basename of the file the decisions file names; the
Secret itself is created by the deployment (``glassbox deploy k8s``), never here.
"""

from __future__ import annotations

import os
from typing import Any

from glassbox.mixin import Environment
from glassbox.render._formats import dump_json

__all__ = ["SECRET_NAME", "alertmanager_config_cr", "dashboard_configmaps", "prometheus_rule"]

#: The Secret holding receiver credentials (keys: basenames of the decisions' files).
SECRET_NAME = "glassbox-alertmanager"
_LABELS = {"app.kubernetes.io/part-of": "glassbox", "app.kubernetes.io/component": "mixin"}


def _meta(name: str, env: Environment, extra: dict[str, str] | None = None) -> dict[str, Any]:
    return {"name": name, "labels": {**_LABELS, "glassbox.dev/env": env.name, **(extra or {})}}


def prometheus_rule(env: Environment, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """All rule groups as one ``monitoring.coreos.com/v1`` ``PrometheusRule``."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": _meta("glassbox-rules", env),
        "spec": {"groups": groups},
    }


def _secret(path: str) -> dict[str, str]:
    return {"name": SECRET_NAME, "key": os.path.basename(path)}


def _matcher(matcher: str) -> dict[str, str]:
    for op, kind in (("=~", "=~"), ("!=", "!="), ("=", "=")):
        if op in matcher:
            name, value = matcher.split(op, 1)
            return {"name": name, "value": value.strip('"'), "matchType": kind}
    raise ValueError(f"unsupported matcher {matcher!r}")  # pragma: no cover


def _route(route: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"receiver": route["receiver"]}
    if "matchers" in route:
        out["matchers"] = [_matcher(m) for m in route["matchers"]]
    for key, cr_key in (
        ("group_by", "groupBy"),
        ("group_wait", "groupWait"),
        ("group_interval", "groupInterval"),
        ("repeat_interval", "repeatInterval"),
    ):
        if key in route:
            out[cr_key] = route[key]
    if "routes" in route:
        out["routes"] = [_route(r) for r in route["routes"]]
    return out


def alertmanager_config_cr(env: Environment, config: dict[str, Any]) -> dict[str, Any]:
    """The Alertmanager configuration as a ``monitoring.coreos.com/v1alpha1`` ``AlertmanagerConfig``."""  # noqa: E501
    receivers: list[dict[str, Any]] = []
    for name, receiver in sorted(env.receivers.items()):
        entry: dict[str, Any] = {"name": name}
        if receiver.slack:
            entry["slackConfigs"] = [
                {
                    "apiURL": _secret(receiver.slack["api_url_file"]),
                    "channel": receiver.slack.get("channel", "#alerts"),
                    "sendResolved": True,
                }
            ]
        if receiver.pagerduty:
            entry["pagerdutyConfigs"] = [
                {
                    "routingKey": _secret(receiver.pagerduty["routing_key_file"]),
                    "sendResolved": True,
                }
            ]
        if receiver.webhook:
            hook: dict[str, Any] = {"url": receiver.webhook["url"], "sendResolved": True}
            if "bearer_token_file" in receiver.webhook:
                hook["httpConfig"] = {
                    "authorization": {"credentials": _secret(receiver.webhook["bearer_token_file"])}
                }
            entry["webhookConfigs"] = [hook]
        receivers.append(entry)
    inhibit = [
        {
            "sourceMatch": [_matcher(m) for m in rule["source_matchers"]],
            "targetMatch": [_matcher(m) for m in rule["target_matchers"]],
            "equal": rule["equal"],
        }
        for rule in config["inhibit_rules"]
    ]
    return {
        "apiVersion": "monitoring.coreos.com/v1alpha1",
        "kind": "AlertmanagerConfig",
        "metadata": _meta("glassbox-routing", env),
        "spec": {"route": _route(config["route"]), "receivers": receivers, "inhibitRules": inhibit},
    }


def dashboard_configmaps(
    env: Environment, boards: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One ``ConfigMap`` per dashboard, labelled for the Grafana sidecar."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                **_meta(f"glassbox-dashboard-{stem}", env, {"grafana_dashboard": "1"}),
                "annotations": {"grafana_folder": "Glassbox"},
            },
            "data": {f"glassbox-{stem}.json": dump_json(board)},
        }
        for stem, board in sorted(boards.items())
    ]
