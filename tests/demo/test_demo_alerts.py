"""Watching Alertmanager: new alerts, old alerts, other environments, attribution."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from glassbox.demo import AlertWatcher, plan
from glassbox.demo._alerts import DETECTS, SIDE_EFFECT, UNEXPECTED, _unix, attribute


class FakeAlertmanager:
    """Serves ``/api/v2/alerts`` from a list the test changes."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                body = json.dumps(owner.alerts).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, name: str, starts_at: float, fingerprint: str, **labels: str) -> None:
        stamp = datetime.fromtimestamp(starts_at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f123Z")
        labels = {"alertname": name, "severity": "warning", "env": "local", **labels}
        self.alerts.append({"labels": labels, "startsAt": stamp, "fingerprint": fingerprint})


@pytest.fixture
def alertmanager() -> Iterator[FakeAlertmanager]:
    fake = FakeAlertmanager()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_poll_reports_each_new_alert_once_with_its_time_to_detect(
    alertmanager: FakeAlertmanager,
) -> None:
    started = 1_700_000_000.0
    injections = plan(["provider-errors"], warmup=15)
    watcher = AlertWatcher(alertmanager.url, "local", started)
    assert watcher.poll(10.0, injections) == []
    alertmanager.add(
        "GlassboxLLMHighErrorRate", started + 31, "f1",
        gen_ai_provider_name="openai", gen_ai_request_model="gpt-4o-mini",
    )  # fmt: skip
    [fired] = watcher.poll(33.0, injections)
    assert (fired.name, fired.scenario, fired.role) == (
        "GlassboxLLMHighErrorRate", "provider-errors", DETECTS,
    )  # fmt: skip
    assert fired.time_to_detect == pytest.approx(18.0)
    assert fired.subject == "gpt-4o-mini"
    assert watcher.poll(34.0, injections) == []  # the same alert is not new again
    assert watcher.detected("provider-errors") is fired
    assert watcher.firing_now == ["GlassboxLLMHighErrorRate"]
    assert "active=true" in alertmanager.paths[-1]


def test_alerts_from_before_the_run_and_other_environments_are_not_counted(
    alertmanager: FakeAlertmanager,
) -> None:
    started = 1_700_000_000.0
    alertmanager.add("GlassboxServiceDown", started - 60, "old", severity="critical")
    alertmanager.add("GlassboxQueueStuck", started + 5, "prod", env="prod")
    watcher = AlertWatcher(alertmanager.url, "local", started)
    assert watcher.poll(6.0, []) == []
    assert [v["alertname"] for v in watcher.before_run.values()] == ["GlassboxServiceDown"]
    assert watcher.fired == []


def test_an_alert_with_nothing_injected_is_a_false_alarm(alertmanager: FakeAlertmanager) -> None:
    started = 1_700_000_000.0
    alertmanager.add("GlassboxRunawayAgent", started + 20, "f2")
    watcher = AlertWatcher(alertmanager.url, "local", started)
    [fired] = watcher.poll(21.0, [])
    assert (fired.role, fired.scenario, fired.time_to_detect) == (UNEXPECTED, None, None)


def test_an_unreachable_alertmanager_counts_errors_and_reports_nothing() -> None:
    from glassbox.stack import free_port

    watcher = AlertWatcher(f"http://127.0.0.1:{free_port()}", "local", 0.0)
    assert watcher.poll(1.0, []) == []
    assert watcher.errors == 1


def test_attribute_prefers_the_detecting_scenario_over_a_side_effect() -> None:
    injections = plan(["runaway-agent", "budget-burn"], warmup=10)  # both may raise cost alerts
    runaway, burn = (i.at for i in injections)
    name = "GlassboxBudgetExhaustionForecast"
    assert attribute(name, {}, burn + 20, injections) == ("budget-burn", DETECTS, 20)
    assert attribute(name, {}, runaway + 20, injections) == ("runaway-agent", SIDE_EFFECT, 20)
    assert attribute(name, {}, runaway - 1, injections) == (None, UNEXPECTED, None)
    assert attribute(name, {}, burn + 500, injections) == (None, UNEXPECTED, None)


def test_attribute_gives_a_shared_side_effect_to_the_fault_active_longest() -> None:
    injections = plan(["provider-errors", "rate-limit-storm"], warmup=15)  # at 15 and 30
    name = "GlassboxLLMAvailabilityBudgetBurn"  # a side effect of both
    assert attribute(name, {}, 34.0, injections) == ("provider-errors", SIDE_EFFECT, 19.0)
    after_both = injections[1].latest_clear + 1
    assert attribute(name, {}, after_both, injections)[0] == "rate-limit-storm"


def test_unix_parses_alertmanager_timestamps() -> None:
    assert _unix("2024-01-02T03:04:05.123456789Z") == pytest.approx(1704164645.123456)
    assert _unix("2024-01-02T03:04:05Z") == 1704164645.0
    assert _unix("garbage") == 0.0
