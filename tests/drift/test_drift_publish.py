"""Drift reports become the glassbox_drift_* metrics of the contract."""

from __future__ import annotations

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from glassbox import semconv
from glassbox._metrics import Metrics
from glassbox.drift import DriftReport, Monitor, Profile, PushError, publish, push, registry_for


@pytest.fixture(scope="module")
def report() -> DriftReport:
    rng = np.random.default_rng(0)
    profile = Profile.build(
        {"latency": rng.normal(size=2000), "model": ["a", "b"] * 500}, name="api"
    )
    return Monitor(profile).check({"latency": rng.normal(3, size=200), "model": ["a"] * 5})


def test_registry_carries_decision_scores_p_values_and_window(report: DriftReport) -> None:
    registry = registry_for(report)
    latency = {semconv.MONITOR: "api", semconv.FEATURE: "latency"}
    assert registry.get_sample_value(semconv.DRIFT_DETECTED.name, latency) == 1
    assert registry.get_sample_value(semconv.DRIFT_WINDOW_SAMPLES.name, latency) == 200
    ks = report.feature("latency").statistic("ks")
    assert (
        registry.get_sample_value(semconv.DRIFT_P_VALUE.name, {**latency, semconv.STATISTIC: "ks"})
        == ks.adjusted_p_value
    )
    assert (
        registry.get_sample_value(semconv.DRIFT_SCORE.name, {**latency, semconv.STATISTIC: "psi"})
        == report.feature("latency").statistic("psi").value
    )
    # PSI is an effect size, not a test: no p-value series for it.
    assert (
        registry.get_sample_value(semconv.DRIFT_P_VALUE.name, {**latency, semconv.STATISTIC: "psi"})
        is None
    )
    model = {semconv.MONITOR: "api", semconv.FEATURE: "model"}
    assert registry.get_sample_value(semconv.DRIFT_DETECTED.name, model) == -1
    assert (
        registry.get_sample_value(semconv.DRIFT_SCORE.name, {**model, semconv.STATISTIC: "chi2"})
        is None
    )
    last_run = registry.get_sample_value(semconv.DRIFT_LAST_RUN.name, {semconv.MONITOR: "api"})
    assert last_run == report.checked_at


def test_publish_sets_in_process_metrics(report: DriftReport) -> None:
    metrics = Metrics(CollectorRegistry())
    assert publish(report, metrics)
    labels = {semconv.MONITOR: "api", semconv.FEATURE: "latency"}
    assert metrics.registry.get_sample_value(semconv.DRIFT_DETECTED.name, labels) == 1


def test_publish_uses_the_runtime_metrics_when_initialised(report: DriftReport) -> None:
    from glassbox.testing import capture

    assert publish(report) is False  # no glassbox.init() in this process: nothing to set
    with capture() as telemetry:
        assert publish(report)
        value = telemetry.value(semconv.DRIFT_LAST_RUN.name, monitor="api")
    assert value == report.checked_at


def test_push_to_a_dead_pushgateway_names_the_url(report: DriftReport) -> None:
    from glassbox.stack import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PushError, match=f"Pushgateway at {url}"):
        push(report, url, timeout=2)


def test_publish_inside_an_initialised_glassbox(report: DriftReport) -> None:
    from glassbox.testing import capture

    with capture() as telemetry:
        assert publish(report)
        detected = telemetry.value(semconv.DRIFT_DETECTED.name, monitor="api", feature="latency")
        assert detected == 1
    assert publish(report) is False  # shut down again: nothing to publish to
