"""Prometheus instruments built from the contract, with a cardinality guard.

Every metric Glassbox exposes is created here from its :class:`~glassbox.semconv.MetricSpec`;
nothing else calls the ``prometheus_client`` constructors. :meth:`Metrics.child` is the hot
path: it returns a cached labelled child after passing each label value through the
:class:`CardinalityGuard`, so that an unbounded value (a model name from a response, a
tenant) can never grow the exposition without bound.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from time import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.samples import Exemplar

from glassbox import semconv
from glassbox._fork import ForkSafeValue, fork_safe_metrics, new_lock
from glassbox.semconv import MetricSpec, MetricType

__all__ = ["CardinalityGuard", "Metrics", "Series", "create_metric"]


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
        self._series: dict[tuple[str, tuple[str, ...]], Series] = {}
        self._kept: dict[Any, Any] = {}
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

    def series(self, spec: MetricSpec, *values: str) -> Series:
        """:meth:`child` as a :class:`Series` (the hot path's direct updates), cached alike."""
        key = (spec.name, values)
        series = self._series.get(key)
        if series is not None:
            return series
        series = Series(self.child(spec, *values))
        if key in self._children:  # cached there: every value passed the guard unchanged
            series.cached = True
            self._series[key] = series
        return series

    def recall(self, key: Any) -> Any:
        """What :meth:`keep` kept under ``key`` (``None`` if nothing)."""
        return self._kept.get(key)

    def keep(self, key: Any, value: Any) -> None:
        """Keep a caller's bundle of :meth:`series` (one lookup for everything one kind of
        call updates) for the life of these metrics; bounded like the children cache.

        Keep only bundles whose series are all cached (no label value folded), so the
        number kept is bounded by the cardinality budgets, not by the raw values seen.
        """
        if len(self._kept) < self._max_children:
            self._kept[key] = value


class Series:
    """One labelled child, updated without ``prometheus_client``'s per-call checks.

    ``Histogram.observe`` scans the bucket bounds in Python and validates every exemplar
    (a regular expression per label name); ``Counter.inc`` checks the sign and validates
    too. Glassbox's values are checked where they enter (token counts are whole numbers
    ≥ 0, durations are clock differences) and its one exemplar label, ``trace_id``, is
    valid by construction, so this writes the child's values directly: ``bisect`` for
    the bucket, one exemplar object, and each value's increment with its exemplar in one
    call (:meth:`ForkSafeValue.add <glassbox._fork.ForkSafeValue.add>`). The result is
    the exposition the public methods produce (``tests/test_metrics.py`` compares the
    two on random values).

    The values are ``prometheus_client`` 0.2x's own (``_sum``, ``_buckets``,
    ``_upper_bounds``, ``_value``, read once here) and Glassbox's
    :class:`~glassbox._fork.ForkSafeValue`; a child without them (another version,
    multiprocess mode, a test double) is updated through its public methods instead.
    """

    __slots__ = ("_bounds", "_buckets", "_child", "_sum", "_value", "cached")

    def __init__(self, child: Any) -> None:
        self._child = child
        #: Whether :class:`Metrics` keeps this series (every label value passed the
        #: cardinality guard unchanged): a caller may keep it too. A folded one is not
        #: kept, so the guard sees every value that would be folded.
        self.cached = False
        bounds = getattr(child, "_upper_bounds", None)
        buckets = getattr(child, "_buckets", None)
        total = getattr(child, "_sum", None)
        direct = (
            isinstance(bounds, list)
            and isinstance(buckets, list)
            and len(bounds) == len(buckets)
            and type(total) is ForkSafeValue
            and all(type(bucket) is ForkSafeValue for bucket in buckets)
            and bounds[-1] == float("inf")
        )
        self._bounds: list[float] | None = bounds if direct else None
        self._buckets: list[ForkSafeValue] = list(buckets) if direct and buckets else []
        self._sum: Any = total
        value = getattr(child, "_value", None)
        self._value: ForkSafeValue | None = value if type(value) is ForkSafeValue else None

    @property
    def direct(self) -> bool:
        """Whether updates write the values directly (else through the public methods)."""
        return self._bounds is not None or self._value is not None

    def observe(self, amount: float, exemplar: dict[str, str] | None = None) -> None:
        """``Histogram.observe``: the amount into its bucket and the sum."""
        bounds = self._bounds
        if bounds is None:
            self._child.observe(amount, exemplar)
            return
        self._sum.add(amount)
        if amount != amount:  # NaN: prometheus_client counts it in no bucket either
            return
        self._buckets[bisect_left(bounds, amount)].add(
            1, Exemplar(exemplar, amount, time()) if exemplar else None
        )

    def observe_many(self, amounts: Sequence[float]) -> None:
        """Observe many amounts (no exemplars) with one increment per bucket they fall in."""
        bounds = self._bounds
        if bounds is None:
            for amount in amounts:
                self._child.observe(amount)
            return
        counts: dict[int, int] = {}
        for amount in amounts:
            index = bisect_left(bounds, amount)
            counts[index] = counts.get(index, 0) + 1
        buckets = self._buckets
        for index, count in counts.items():
            buckets[index].add(count)
        self._sum.add(sum(amounts))

    def inc(self, amount: float = 1, exemplar: dict[str, str] | None = None) -> None:
        """``Counter.inc``/``Gauge.inc`` for an amount ≥ 0 (a negative one is refused)."""
        value = self._value
        if value is None or amount < 0:
            if exemplar:
                self._child.inc(amount, exemplar)
            else:
                self._child.inc(amount)
            return
        value.add(amount, Exemplar(exemplar, amount, time()) if exemplar else None)

    def dec(self, amount: float = 1) -> None:
        """``Gauge.dec``."""
        value = self._value
        if value is None:
            self._child.dec(amount)
            return
        value.add(-amount)
