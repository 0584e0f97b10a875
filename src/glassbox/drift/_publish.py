"""Publishing drift reports as metrics of the contract.

Two paths, same series:

* :func:`publish` sets the gauges on the live :class:`~glassbox._metrics.Metrics` of an
  instrumented service (the one ``glassbox.init()`` created, unless one is passed), so
  a monitor running inside the service is scraped with everything else.
* :func:`push` builds a fresh registry with just the drift gauges and PUTs it to a
  Pushgateway under ``job="glassbox_drift", monitor="<name>"``: each monitor owns its
  group, so monitors coexist and a new run replaces only its own previous results.

Insufficient data is published as ``glassbox_drift_detected == -1`` with the window
size, and no score or p-value (there is none to report).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from glassbox import semconv
from glassbox._publish import PushError, Setter, publish_in_process, push_registry, registry_of

if TYPE_CHECKING:
    from glassbox._metrics import Metrics
    from glassbox.drift._monitor import DriftReport

__all__ = ["JOB", "PushError", "publish", "push", "registry_for"]

#: The Pushgateway ``job`` of drift results.
JOB = "glassbox_drift"

_SPECS = (
    semconv.DRIFT_SCORE,
    semconv.DRIFT_P_VALUE,
    semconv.DRIFT_DETECTED,
    semconv.DRIFT_WINDOW_SAMPLES,
    semconv.DRIFT_LAST_RUN,
)


def _record(report: DriftReport, set_value: Setter) -> None:
    monitor = report.monitor
    for result in report.features:
        labels = (monitor, result.feature)
        detected = {"drift": 1.0, "no_drift": 0.0, "insufficient_data": -1.0}[result.status]
        set_value(semconv.DRIFT_DETECTED, labels, detected)
        set_value(semconv.DRIFT_WINDOW_SAMPLES, labels, float(result.samples))
        for statistic in result.statistics:
            stat_labels = (*labels, statistic.name)
            set_value(semconv.DRIFT_SCORE, stat_labels, statistic.value)
            if statistic.adjusted_p_value is not None:
                set_value(semconv.DRIFT_P_VALUE, stat_labels, statistic.adjusted_p_value)
    set_value(semconv.DRIFT_LAST_RUN, (monitor,), report.checked_at)


def publish(report: DriftReport, metrics: Metrics | None = None) -> bool:
    """Set the drift gauges of ``report`` on in-process metrics.

    Args:
        report: The check's result.
        metrics: Where to set them; the live metrics of ``glassbox.init()`` by default.

    Returns:
        ``False`` (and nothing set) when no metrics were given and Glassbox was not
        initialised in this process.
    """
    return publish_in_process(lambda set_value: _record(report, set_value), metrics)


def registry_for(report: DriftReport) -> CollectorRegistry:
    """A fresh registry holding only the drift gauges of ``report``."""
    return registry_of(_SPECS, lambda set_value: _record(report, set_value))


def push(report: DriftReport, url: str, *, job: str = JOB, timeout: float = 10.0) -> None:
    """Replace this monitor's group on the Pushgateway at ``url`` with ``report``.

    Raises:
        PushError: The Pushgateway is unreachable or answered with an error.
    """
    push_registry(
        registry_for(report), url, job=job, grouping_key={semconv.MONITOR: report.monitor},
        what="drift results", timeout=timeout,
    )  # fmt: skip
