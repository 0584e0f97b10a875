"""Publishing scorecards as the ``glassbox_eval_*`` metrics of the contract.

:func:`publish` sets them on in-process metrics (the live ones of ``glassbox.init()``
by default); :func:`push` PUTs a fresh registry to a Pushgateway under
``job="glassbox_eval", suite="<name>"``, so suites coexist and each run replaces only
its own suite's previous results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from glassbox import semconv
from glassbox._publish import PushError, Setter, publish_in_process, push_registry, registry_of

if TYPE_CHECKING:
    from glassbox._metrics import Metrics
    from glassbox.evals._runner import Scorecard

__all__ = ["JOB", "PushError", "publish", "push", "registry_for"]

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
    return publish_in_process(lambda set_value: _record(scorecard, set_value), metrics)


def registry_for(scorecard: Scorecard) -> CollectorRegistry:
    """A fresh registry holding only the eval gauges of ``scorecard``."""
    return registry_of(_SPECS, lambda set_value: _record(scorecard, set_value))


def push(scorecard: Scorecard, url: str, *, job: str = JOB, timeout: float = 10.0) -> None:
    """Replace this suite's group on the Pushgateway at ``url`` with ``scorecard``.

    Raises:
        PushError: The Pushgateway is unreachable or answered with an error.
    """
    push_registry(
        registry_for(scorecard), url, job=job, grouping_key={semconv.SUITE: scorecard.suite},
        what="eval results", timeout=timeout,
    )  # fmt: skip
