"""Scorecards become the glassbox_eval_* metrics of the contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from glassbox import semconv
from glassbox._metrics import Metrics
from glassbox.evals import PushError, load_suite, publish, push, registry_for, run_suite

EXAMPLE = Path(__file__).parents[2] / "examples" / "evals" / "qa.yaml"


@pytest.fixture(scope="module")
def scorecard():  # type: ignore[no-untyped-def]
    return run_suite(load_suite(EXAMPLE))


def test_registry_holds_score_interval_samples_regression_and_last_run(scorecard) -> None:  # type: ignore[no-untyped-def]
    registry = registry_for(scorecard)
    labels = {semconv.SUITE: "qa-smoke", semconv.EVAL_METRIC: "exact_match"}
    exact = scorecard.metric("exact_match")
    assert registry.get_sample_value(semconv.EVAL_SCORE.name, labels) == exact.score
    assert registry.get_sample_value(semconv.EVAL_SCORE_LOWER.name, labels) == exact.lower
    assert registry.get_sample_value(semconv.EVAL_SCORE_UPPER.name, labels) == exact.upper
    assert registry.get_sample_value(semconv.EVAL_SAMPLES.name, labels) == 12
    assert registry.get_sample_value(semconv.EVAL_REGRESSION.name, labels) == 0
    last_run = registry.get_sample_value(semconv.EVAL_LAST_RUN.name, {semconv.SUITE: "qa-smoke"})
    assert last_run == scorecard.finished_at


def test_publish_sets_in_process_metrics(scorecard) -> None:  # type: ignore[no-untyped-def]
    metrics = Metrics(CollectorRegistry())
    assert publish(scorecard, metrics)
    value = metrics.registry.get_sample_value(
        semconv.EVAL_SCORE.name, {semconv.SUITE: "qa-smoke", semconv.EVAL_METRIC: "f1"}
    )
    assert value == scorecard.metric("f1").score


def test_publish_without_init_is_a_no_op(scorecard) -> None:  # type: ignore[no-untyped-def]
    assert publish(scorecard) is False


def test_push_to_a_dead_pushgateway_names_the_url(scorecard) -> None:  # type: ignore[no-untyped-def]
    from glassbox.stack import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PushError, match=f"Pushgateway at {url}"):
        push(scorecard, url, timeout=2)


def test_publish_inside_an_initialised_glassbox(scorecard) -> None:  # type: ignore[no-untyped-def]
    from glassbox.testing import capture

    with capture() as telemetry:
        assert publish(scorecard)
        assert telemetry.value(semconv.EVAL_SAMPLES.name, suite="qa-smoke", eval_metric="f1") == 12
