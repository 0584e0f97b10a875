"""Publishing scorecards as the ``glassbox_eval_*`` metrics of the contract.

:func:`publish` sets them on in-process metrics (the live ones of ``glassbox.init()``
by default); :func:`push` PUTs a fresh registry to a Pushgateway under
``job="glassbox_eval", suite="<name>"``, so suites coexist and each run replaces only
its own suite's previous results.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, push_to_gateway

from glassbox import semconv
from glassbox._metrics import create_metric
from glassbox.semconv import MetricSpec

if TYPE_CHECKING:
    from glassbox._metrics import Metrics
    from glassbox.evals._runner import Scorecard

__all__ = ["JOB", "PushError", "current_metrics", "publish", "push", "registry_for"]

#: The Pushgateway ``job`` of eval results.
JOB = "glassbox_eval"

_SPECS = (
    semconv.EVAL_SCORE,
    semconv.EVAL_SCORE_LOWER,
    semconv.EVAL_SCORE_UPPER,
    semconv.EVAL_SAMPLES,
    semconv.EVAL_REGRESSION,
    semconv.EVAL_LAST_RUN,
)

Setter = Callable[[MetricSpec, tuple[str, ...], float], None]


class PushError(RuntimeError):
    """The Pushgateway could not be reached or refused the push; names the URL."""


def current_metrics() -> Metrics | None:
    """The live metrics of ``glassbox.init()``, or ``None`` outside an instrumented process."""
    try:
        runtime = importlib.import_module("glassbox._runtime")
    except ImportError:
        return None
    getter = getattr(runtime, "current_metrics", None)
    metrics: Metrics | None = getter() if getter is not None else None
    return metrics


def _record(scorecard: Scorecard, set_value: Setter) -> None:
    for metric in scorecard.metrics:
        labels = (scorecard.suite, metric.name)
        set_value(semconv.EVAL_SCORE, labels, metric.score)
        set_value(semconv.EVAL_SCORE_LOWER, labels, metric.lower)
        set_value(semconv.EVAL_SCORE_UPPER, labels, metric.upper)
        set_value(semconv.EVAL_SAMPLES, labels, float(metric.samples))
        set_value(semconv.EVAL_REGRESSION, labels, float(metric.regression))
    set_value(semconv.EVAL_LAST_RUN, (scorecard.suite,), scorecard.finished_at)


def publish(scorecard: Scorecard, metrics: Metrics | None = None) -> bool:
    """Set the eval gauges of ``scorecard`` on in-process metrics.

    Returns:
        ``False`` (nothing set) when no metrics were given and Glassbox was not
        initialised in this process.
    """
    target = metrics if metrics is not None else current_metrics()
    if target is None:
        return False
    _record(scorecard, lambda spec, labels, value: target.child(spec, *labels).set(value))
    return True


def registry_for(scorecard: Scorecard) -> CollectorRegistry:
    """A fresh registry holding only the eval gauges of ``scorecard``."""
    registry = CollectorRegistry()
    gauges: dict[str, Any] = {spec.name: create_metric(spec, registry) for spec in _SPECS}
    _record(scorecard, lambda spec, labels, value: gauges[spec.name].labels(*labels).set(value))
    return registry


def push(scorecard: Scorecard, url: str, *, job: str = JOB, timeout: float = 10.0) -> None:
    """Replace this suite's group on the Pushgateway at ``url`` with ``scorecard``.

    Raises:
        PushError: The Pushgateway is unreachable or answered with an error.
    """
    try:
        push_to_gateway(
            url, job=job, registry=registry_for(scorecard),
            grouping_key={semconv.SUITE: scorecard.suite}, timeout=timeout,
        )  # fmt: skip
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise PushError(
            f"could not push eval results to the Pushgateway at {url}: {reason}"
        ) from exc
