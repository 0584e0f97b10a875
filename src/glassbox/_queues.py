"""Queue, pipeline-stage and cache primitives that any queue, pipeline or cache can use.

They record into the runtime live at the moment of each call, so handles can be created
at import time, before ``init()``; before ``init()`` they record nothing.

Example::

    ingest = glassbox.queue("ingest")

    stamp = ingest.enqueued()                  # producer: depth +1; keep the stamp with the item
    with ingest.processing(enqueued_at=stamp) as task:   # worker: depth -1, wait time, busy worker
        handle(item)                           # an exception records outcome "failure"
        if transient_problem:
            task.retry()                       # or task.dead_letter()
"""

from __future__ import annotations

from time import perf_counter
from types import TracebackType

from glassbox import semconv
from glassbox._args import BadValueError, as_amount, as_count, as_text
from glassbox._runtime import Runtime, current

__all__ = ["Cache", "Queue", "QueueItem", "Stage", "cache", "queue", "stage"]


class QueueItem:
    """One queue item being processed by a worker: the context manager of :meth:`Queue.processing`.

    Not to be confused with :func:`glassbox.task`, which times a unit of work wherever it
    runs; a queue item's processing is counted in the ``glassbox_queue_*`` families.
    """

    __slots__ = ("_outcome", "_queue", "_t0")

    def __init__(self, queue: Queue) -> None:
        self._queue = queue
        self._outcome: str | None = None
        self._t0 = 0.0

    def retry(self) -> None:
        """The item goes back on the queue for another attempt."""
        self._outcome = "retry"

    def dead_letter(self) -> None:
        """The item gave up and went to the dead-letter queue."""
        self._outcome = "dead_letter"

    def fail(self) -> None:
        """The item failed (without an exception reaching the block)."""
        self._outcome = "failure"

    def __enter__(self) -> QueueItem:
        self._t0 = perf_counter()
        rt = current()
        if rt is not None:
            rt.metrics.child(semconv.QUEUE_BUSY_WORKERS, self._queue.name).inc()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        rt = current()
        if rt is None:
            return
        try:
            name = self._queue.name
            metrics = rt.metrics
            metrics.child(semconv.QUEUE_BUSY_WORKERS, name).dec()
            metrics.child(semconv.QUEUE_TASK_DURATION, name).observe(perf_counter() - self._t0)
            outcome = self._outcome or ("failure" if exc is not None else "success")
            metrics.child(semconv.QUEUE_TASKS, name, outcome).inc()
        except Exception as error:
            rt.report_error("queue", error)


class Queue:
    """Depth, wait time, task duration, outcomes and busy workers of one named queue."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = as_text(name)

    def enqueued(self, count: int = 1) -> float:
        """Record items put on the queue; return a stamp to pass to :meth:`dequeued`."""
        rt = current()
        if rt is not None:
            amount = _count(rt, "queue", count)
            try:
                if amount:
                    rt.metrics.child(semconv.QUEUE_DEPTH, self.name).inc(amount)
                    rt.metrics.child(semconv.QUEUE_ENQUEUED, self.name).inc(amount)
            except Exception as exc:
                rt.report_error("queue", exc)
        return perf_counter()

    def dequeued(self, enqueued_at: float | None = None) -> None:
        """Record one item taken off the queue, and its wait if its stamp is given."""
        rt = current()
        if rt is None:
            return
        try:
            rt.metrics.child(semconv.QUEUE_DEPTH, self.name).dec()
            if enqueued_at is not None:
                wait = max(perf_counter() - float(enqueued_at), 0.0)
                rt.metrics.child(semconv.QUEUE_WAIT, self.name).observe(wait)
        except Exception as exc:
            rt.report_error("queue", exc)

    def processing(self, enqueued_at: float | None = None) -> QueueItem:
        """Dequeue one item and time its processing: ``with q.processing(stamp) as task:``."""
        self.dequeued(enqueued_at)
        return QueueItem(self)

    def set_depth(self, depth: int) -> None:
        """Set the depth directly, for queues whose length is polled (Redis, SQS, …)."""
        rt = current()
        if rt is None:
            return
        amount = as_amount(depth)
        if amount is None:
            rt.report_error("queue", BadValueError("set_depth", depth, "a number of 0 or more"))
            return
        try:
            rt.metrics.child(semconv.QUEUE_DEPTH, self.name).set(amount)
        except Exception as exc:
            rt.report_error("queue", exc)

    def outcome(self, outcome: str, count: int = 1) -> None:
        """Count finished tasks by outcome, for workers not using :meth:`processing`.

        An outcome outside ``success``, ``failure``, ``retry``, ``dead_letter`` or a
        malformed count is reported (counted, logged once) and skipped, never raised.
        """
        rt = current()
        if rt is not None:
            _record(rt, "queue", semconv.QUEUE_TASKS, self.name, outcome, count)


class Stage:
    """Items processed by one pipeline stage, by outcome (success, failure, skipped)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = as_text(name)

    def processed(self, outcome: str = "success", count: int = 1) -> None:
        """Count ``count`` items that left this stage with ``outcome``.

        An outcome outside ``success``, ``failure``, ``skipped`` or a malformed count is
        reported (counted, logged once) and skipped, never raised.
        """
        rt = current()
        if rt is not None:
            _record(rt, "pipeline", semconv.PIPELINE_ITEMS, self.name, outcome, count)


class Cache:
    """Hits and misses of one application cache (hit ratio = hits / lookups)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = as_text(name)

    def hit(self, count: int = 1) -> None:
        self.record(True, count)

    def miss(self, count: int = 1) -> None:
        self.record(False, count)

    def record(self, hit: bool, count: int = 1) -> None:
        """Count ``count`` lookups that hit (``True``) or missed."""
        rt = current()
        if rt is not None:
            _record(rt, "cache", semconv.CACHE_REQUESTS, self.name, "hit" if hit else "miss", count)


def _count(rt: Runtime, component: str, count: object) -> int | None:
    amount = as_count(count)
    if amount is None:
        rt.report_error(component, BadValueError("count", count, "a whole number, 0 or more"))
    return amount


_ALLOWED = {
    semconv.QUEUE_TASKS.name: semconv.QUEUE_OUTCOMES,
    semconv.PIPELINE_ITEMS.name: semconv.ITEM_OUTCOMES,
    semconv.CACHE_REQUESTS.name: ("hit", "miss"),
}


def _record(
    rt: Runtime, component: str, spec: semconv.MetricSpec, name: str, outcome: str, count: object
) -> None:
    """Add ``count`` to ``spec{name, outcome}``; a bad outcome or count is reported."""
    allowed = _ALLOWED[spec.name]
    if outcome not in allowed:
        expected = f"one of {', '.join(allowed)}"
        rt.report_error(component, BadValueError(f"{component} outcome", outcome, expected))
        return
    amount = _count(rt, component, count)
    if not amount:
        return
    try:
        rt.metrics.child(spec, name, outcome).inc(amount)
    except Exception as exc:
        rt.report_error(component, exc)


def queue(name: str) -> Queue:
    """A handle on the queue ``name`` (cheap; create it once and keep it)."""
    return Queue(name)


def stage(name: str) -> Stage:
    """A handle on the pipeline stage ``name``."""
    return Stage(name)


def cache(name: str) -> Cache:
    """A handle on the application cache ``name``."""
    return Cache(name)
