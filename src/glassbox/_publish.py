"""Publishing batch-job results (drift reports, eval scorecards) as metrics of the contract.

Two paths, same series:

* in process: set the gauges on the live :class:`~glassbox._metrics.Metrics` of an
  instrumented service (the one ``glassbox.init()`` created, unless one is passed), so a
  job running inside the service is scraped with everything else;
* push: build a fresh registry with just those gauges and PUT it to a Pushgateway under
  a grouping key of the job's own (``monitor=…``, ``suite=…``), so jobs coexist and a new
  run replaces only its own previous results.

Each publisher describes its results once, as a function that calls a :data:`Setter` per
series; both paths run that same function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, push_to_gateway

from glassbox._metrics import Metrics, create_metric
from glassbox._runtime import current_metrics
from glassbox.exceptions import PushError
from glassbox.semconv import MetricSpec

__all__ = ["PushError", "Record", "Setter", "publish_in_process", "push_registry", "registry_of"]

#: Sets one series: ``(spec, label values, value)``.
Setter = Callable[[MetricSpec, tuple[str, ...], float], None]
#: Describes a result by calling the setter once per series.
Record = Callable[[Setter], None]


def publish_in_process(record: Record, metrics: Metrics | None = None) -> bool:
    """Set the series of ``record`` on ``metrics`` (default: the live ones of ``init()``).

    Returns:
        ``False`` (nothing set) when no metrics were given and Glassbox was not
        initialised in this process.
    """
    target = metrics if metrics is not None else current_metrics()
    if target is None:
        return False
    record(lambda spec, labels, value: target.child(spec, *labels).set(value))
    return True


def registry_of(specs: Iterable[MetricSpec], record: Record) -> CollectorRegistry:
    """A fresh registry holding only the series of ``record``."""
    registry = CollectorRegistry()
    gauges: dict[str, Any] = {spec.name: create_metric(spec, registry) for spec in specs}
    record(lambda spec, labels, value: gauges[spec.name].labels(*labels).set(value))
    return registry


def push_registry(
    registry: CollectorRegistry,
    url: str,
    *,
    job: str,
    grouping_key: Mapping[str, str],
    what: str,
    timeout: float = 10.0,
) -> None:
    """Replace the group ``job`` + ``grouping_key`` on the Pushgateway at ``url``.

    Raises:
        PushError: Unreachable or refused; the message names ``what`` and the URL.
    """
    try:
        push_to_gateway(
            url, job=job, registry=registry, grouping_key=dict(grouping_key), timeout=timeout
        )
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise PushError(f"could not push {what} to the Pushgateway at {url}: {reason}") from exc
