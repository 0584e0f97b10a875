"""Prometheus instruments built from the contract, with a cardinality guard.

Every metric Glassbox exposes is created here from its :class:`~glassbox.semconv.MetricSpec`;
nothing else calls the ``prometheus_client`` constructors. :meth:`Metrics.child` is the hot
path: it returns a cached labelled child after passing each label value through the
:class:`CardinalityGuard`, so that an unbounded value (a model name from a response, a
tenant) can never grow the exposition without bound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

from glassbox import semconv
from glassbox._fork import fork_safe_metrics, new_lock
from glassbox.semconv import MetricSpec, MetricType

__all__ = ["CardinalityGuard", "Metrics", "create_metric"]


def create_metric(
    spec: MetricSpec, registry: CollectorRegistry | None, *, multiprocess: bool = False
) -> MetricWrapperBase:
    """Create the ``prometheus_client`` metric of one contract entry on ``registry``.

    Args:
        spec: The contract entry.
        registry: Where to register it; ``None`` creates an unregistered metric.
        multiprocess: Pass the spec's gauge aggregation mode (Prometheus
            multiprocess mode).

    Returns:
        The Counter, Gauge or Histogram.
    """
    kwargs: dict[str, Any] = {
        "name": spec.name,
        "documentation": spec.description,
        "labelnames": spec.labels,
        "registry": registry,
    }
    if spec.unit:
        kwargs["unit"] = spec.unit
    if spec.type is MetricType.COUNTER:
        return Counter(**kwargs)
    if spec.type is MetricType.HISTOGRAM:
        return Histogram(buckets=spec.buckets, **kwargs)
    if multiprocess:
        kwargs["multiprocess_mode"] = spec.multiprocess_mode
    return Gauge(**kwargs)


class CardinalityGuard:
    """Per-label budgets of distinct values; values past a budget fold into ``other``.

    The first ``budget`` distinct values of a label are kept as they are. Later new
    values become :data:`~glassbox.semconv.OTHER` and each fold is reported through
    ``on_fold`` (which counts it in ``glassbox_cardinality_folded_total``). Labels with a
    closed value set in the contract accept only those values.

    Args:
        budgets: Overrides of the contract's default budgets, by label name.
        on_fold: Called with the label name on every fold.
    """

    def __init__(
        self,
        budgets: Mapping[str, int] | None = None,
        on_fold: Callable[[str], None] | None = None,
    ) -> None:
        self._budgets: dict[str, int] = {}
        self._seen: dict[str, set[str]] = {}
        for name, label in semconv.LABELS.items():
            if label.values is not None:
                self._budgets[name] = len(label.values)
                self._seen[name] = set(label.values)
            else:
                self._budgets[name] = (budgets or {}).get(name, label.budget or 100)
                self._seen[name] = {"", semconv.OTHER}
        self._on_fold = on_fold
        self._lock = new_lock()

    def value(self, label: str, value: str) -> str:
        """Return ``value`` if the label's budget admits it, else ``"other"``."""
        seen = self._seen[label]
        if value in seen:
            return value
        with self._lock:
            closed = semconv.LABELS[label].values is not None
            if not closed and len(seen) - 2 < self._budgets[label]:
                seen.add(value)
                return value
        if self._on_fold is not None:
            self._on_fold(label)
        return semconv.OTHER

    def seen(self, label: str) -> frozenset[str]:
        """The values currently admitted for ``label`` (for tests and debugging)."""
        return frozenset(self._seen[label])


class Metrics:
    """All instruments of the contract on one registry, with cached, guarded children.

    Args:
        registry: The registry to register on; a fresh one when ``None``.
        budgets: Cardinality budgets by label name (defaults from the contract).
        multiprocess: Build gauges for Prometheus multiprocess mode.
    """

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        budgets: Mapping[str, int] | None = None,
        multiprocess: bool = False,
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        fork_safe_metrics(self.registry, ())  # values created from here on are fork-safe
        self._metrics: dict[str, MetricWrapperBase] = {
            spec.name: create_metric(spec, self.registry, multiprocess=multiprocess)
            for spec in semconv.ALL_METRICS
        }
        fork_safe_metrics(self.registry, self._metrics.values())
        self._folded: Any = self._metrics[semconv.CARDINALITY_FOLDED.name]
        self.guard = CardinalityGuard(budgets, on_fold=self._count_fold)
        self._children: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._max_children = 50_000

    def _count_fold(self, label: str) -> None:
        self._folded.labels(label).inc()

    def metric(self, spec: MetricSpec) -> Any:
        """The unlabelled parent metric of ``spec``."""
        return self._metrics[spec.name]

    def child(self, spec: MetricSpec, *values: str) -> Any:
        """The labelled child of ``spec`` for ``values``, in the spec's label order.

        Children are cached by their raw values once every value passed the guard, so
        the common case is one dictionary lookup.
        """
        key = (spec.name, values)
        child = self._children.get(key)
        if child is not None:
            return child
        guarded = tuple(
            self.guard.value(label, value) for label, value in zip(spec.labels, values, strict=True)
        )
        child = self._metrics[spec.name].labels(*guarded)
        if guarded == values and len(self._children) < self._max_children:
            self._children[key] = child
        return child
