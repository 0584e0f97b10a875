"""Watching Alertmanager: which alerts fired during the run, and which fault each one caught.

Time to detect is measured the way an on-call engineer experiences it: from the moment
the demo injected the fault to the first poll of Alertmanager's ``/api/v2/alerts`` that
shows the alert (polled every second, so it is at most a second late). Alerts that were
already firing before the run started are reported apart and never counted.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from glassbox.demo._scenarios import DETECTION_LIMIT, Injection
from glassbox.promql import ENV
from glassbox.stack import PrometheusAPIError, get_json

__all__ = ["AlertWatcher", "FiredAlert", "attribute"]

#: What an alert means for the run.
DETECTS, SIDE_EFFECT, UNEXPECTED = "detects", "side effect", "unexpected"


@dataclass(frozen=True)
class FiredAlert:
    """An alert that arrived in Alertmanager during the run.

    Attributes:
        name: ``alertname``.
        severity: ``severity`` label.
        labels: Every label.
        seen_at: Seconds after the run started when the demo first saw it.
        scenario: The scenario it is attributed to, if any.
        role: ``detects`` (the scenario's own alert), ``side effect`` or ``unexpected``.
        time_to_detect: Seconds from that scenario's injection to ``seen_at``.
    """

    name: str
    severity: str
    labels: dict[str, str]
    seen_at: float
    scenario: str | None
    role: str
    time_to_detect: float | None

    @property
    def subject(self) -> str:
        """The labels that say *what* is alerting (model, queue, tool, feature…)."""
        keys = ("gen_ai_request_model", "queue", "gen_ai_agent_name", "gen_ai_tool_name",
                "feature", "team")  # fmt: skip
        return ", ".join(f"{self.labels[k]}" for k in keys if self.labels.get(k))

    def to_json(self) -> dict[str, Any]:
        return {
            "alertname": self.name,
            "severity": self.severity,
            "labels": self.labels,
            "seen_at_seconds": round(self.seen_at, 2),
            "scenario": self.scenario,
            "role": self.role,
            "time_to_detect_seconds": None
            if self.time_to_detect is None
            else round(self.time_to_detect, 2),
        }


def attribute(
    name: str, labels: dict[str, str], seen_at: float, injections: Sequence[Injection]
) -> tuple[str | None, str, float | None]:
    """Which injected scenario explains an alert seen at ``seen_at``.

    Among scenarios injected before ``seen_at`` (and not longer than the detection limit
    ago), one that lists the alert as its detection wins over one that lists it as a side
    effect. Among equals, alerts lag their causes: the fault active longest wins, or,
    when none is still active, the one that ended last.

    Returns:
        ``(scenario name or None, role, seconds since that injection or None)``.
    """
    best: tuple[tuple[int, bool, float], Injection] | None = None
    for injection in injections:
        if injection.at > seen_at or seen_at - injection.at > DETECTION_LIMIT:
            continue
        score = injection.scenario.explains(name, labels)
        if not score:
            continue
        active = seen_at <= injection.latest_clear
        key = (score, active, -injection.at if active else injection.at)
        if best is None or key > best[0]:
            best = (key, injection)
    if best is None:
        return None, UNEXPECTED, None
    injection = best[1]
    role = DETECTS if best[0][0] == 2 else SIDE_EFFECT
    return injection.scenario.name, role, seen_at - injection.at


class AlertWatcher:
    """Polls Alertmanager and keeps every alert that started firing during the run.

    Args:
        alertmanager_url: ``http://127.0.0.1:9093``.
        env: Only alerts of this environment (their ``env`` label) are considered.
        started_at: Unix time the run started; alerts that started earlier are old news.
    """

    def __init__(self, alertmanager_url: str, env: str, started_at: float) -> None:
        query = urllib.parse.urlencode({"active": "true", "silenced": "false"})
        self._url = f"{alertmanager_url.rstrip('/')}/api/v2/alerts?{query}"
        self._env = env
        self._started_at = started_at
        self._seen: set[tuple[str, str]] = set()
        self.fired: list[FiredAlert] = []
        self.before_run: dict[str, dict[str, str]] = {}
        self.errors = 0
        self.firing_now: list[str] = []

    def poll(self, now: float, injections: Sequence[Injection]) -> list[FiredAlert]:
        """One poll at ``now`` seconds into the run; returns the alerts new since the last.

        Unreachable Alertmanager counts an error and returns nothing (the run goes on).
        """
        try:
            body = get_json(self._url, timeout=2.0)
        except PrometheusAPIError:
            self.errors += 1
            return []
        new: list[FiredAlert] = []
        firing: list[str] = []
        for alert in body if isinstance(body, list) else []:
            labels = {str(k): str(v) for k, v in (alert.get("labels") or {}).items()}
            if labels.get(ENV, self._env) != self._env:
                continue
            name = labels.get("alertname", "?")
            firing.append(name)
            key = (str(alert.get("fingerprint", name)), str(alert.get("startsAt", "")))
            if key in self._seen:
                continue
            self._seen.add(key)
            if _unix(str(alert.get("startsAt", ""))) < self._started_at - 0.5:
                self.before_run[alert.get("fingerprint", name)] = labels
                continue
            scenario, role, ttd = attribute(name, labels, now, injections)
            fired = FiredAlert(name, labels.get("severity", ""), labels, now, scenario, role, ttd)
            self.fired.append(fired)
            new.append(fired)
        self.firing_now = sorted(set(firing))
        return new

    def detected(self, scenario: str) -> FiredAlert | None:
        """The first alert that detected ``scenario``, if one arrived."""
        for alert in self.fired:
            if alert.scenario == scenario and alert.role == DETECTS:
                return alert
        return None


def _unix(timestamp: str) -> float:
    """Alertmanager's RFC 3339 timestamps (nanoseconds, ``Z``) as Unix time; 0 if unparsable."""
    text = timestamp.replace("Z", "+00:00")
    if "." in text:  # Python parses at most microseconds
        head, tail = text.split(".", 1)
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0
