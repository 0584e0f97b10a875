"""A bounded batch queue drained by a worker thread: the export path of spans and logs.

The caller only appends to a deque (no lock, no I/O); a worker thread exports batches.
Every item handed to :meth:`BoundedBatchQueue.put` is either exported or counted through
``on_drop`` exactly once: a full queue, a failed export, and at :meth:`shutdown`
whatever has not left by the deadline (still queued, or in an export the collector never
answers). Shutdown never waits longer than its timeout; memory never grows with an
exporter outage; the worker restarts in a forked child.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from glassbox._fork import after_fork_in_child

__all__ = ["BoundedBatchQueue", "call_with_timeout"]

T = TypeVar("T")


class BoundedBatchQueue(Generic[T]):
    """Batch items to ``export`` from a bounded queue; count every dropped item.

    Args:
        export: Sends one batch; returns whether it arrived. May raise (counted as lost).
        on_drop: Called with the number of items dropped.
        close: Called once at shutdown, bounded by the remaining timeout.
        name: The worker thread's name.
        max_queue_size: Items held at most; newer items are dropped when full.
        max_batch_size: Items per export call.
        schedule_delay: Seconds between exports when the queue is not full.
    """

    def __init__(
        self,
        export: Callable[[Sequence[T]], bool],
        on_drop: Callable[[int], None],
        *,
        close: Callable[[], object] = lambda: None,
        name: str = "glassbox-export",
        max_queue_size: int = 2048,
        max_batch_size: int = 512,
        schedule_delay: float = 2.0,
    ) -> None:
        self._export_batch = export
        self._on_drop = on_drop
        self._close = close
        self._name = name
        self._max_queue_size = max_queue_size
        self._max_batch_size = max_batch_size
        self._schedule_delay = schedule_delay
        self._shutdown = False
        self._init_worker()
        after_fork_in_child(self._init_worker)  # threads do not survive fork(): start anew

    def _init_worker(self) -> None:
        self._queue: collections.deque[T] = collections.deque()
        self._wake = threading.Event()
        self._flushed = threading.Condition()
        self._export_lock = threading.Lock()
        # Who counts a batch in flight: the worker when the export returns, or shutdown
        # when it gives up waiting (then the worker's late result is ignored).
        self._count_lock = threading.Lock()
        self._in_flight = 0
        self._abandoned = False
        self._worker = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._worker.start()

    def put(self, item: T) -> None:
        """Queue ``item`` for export, or count it as dropped (full queue, shut down)."""
        if self._shutdown:
            self._on_drop(1)
            return
        queue = self._queue
        if len(queue) >= self._max_queue_size:
            self._on_drop(1)
            return
        queue.append(item)
        # A full batch wakes the worker once: until it runs, later items need no wake-up
        # (``Event.set`` takes a lock and notifies, more than the rest of ``put``).
        if len(queue) >= self._max_batch_size and not self._wake.is_set():
            self._wake.set()

    def _run(self) -> None:
        while not self._shutdown:
            self._wake.wait(self._schedule_delay)
            self._wake.clear()
            self._export_all()
        self._export_all()  # what arrived before shutdown, if the collector is quick

    def _export_all(self) -> None:
        with self._export_lock:
            while True:
                with self._count_lock:  # taken off the queue and in flight in one step
                    if self._abandoned or not self._queue:
                        break
                    batch: list[T] = []
                    while self._queue and len(batch) < self._max_batch_size:
                        batch.append(self._queue.popleft())
                    self._in_flight = len(batch)
                self._export(batch)
        with self._flushed:
            self._flushed.notify_all()

    def _export(self, batch: Sequence[T]) -> None:
        try:
            arrived = self._export_batch(batch)
        except Exception:  # an exporter must not kill the worker; the items are counted lost
            arrived = False
        with self._count_lock:
            self._in_flight = 0
            if self._abandoned:
                return  # shutdown already counted this batch as dropped
        if not arrived:
            self._on_drop(len(batch))

    @property
    def queued(self) -> int:
        """Items waiting for export."""
        return len(self._queue)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Export what is queued now; whether it finished within the timeout."""
        if self._shutdown:
            return False
        with self._flushed:
            self._wake.set()
            return self._flushed.wait_for(
                lambda: not self._queue and not self._in_flight, timeout_millis / 1000
            )

    def shutdown(self, timeout: float = 2.0) -> None:
        """Export what is queued within ``timeout`` seconds; count the rest as dropped."""
        if self._shutdown:
            return
        deadline = time.monotonic() + timeout
        self._shutdown = True
        self._wake.set()
        self._worker.join(max(deadline - time.monotonic(), 0.0))
        with self._count_lock:
            self._abandoned = True
            dropped = self._in_flight + len(self._queue)
            self._in_flight = 0
            self._queue.clear()
        if dropped:
            self._on_drop(dropped)
        call_with_timeout(self._close, max(deadline - time.monotonic(), 0.1))


def call_with_timeout(function: Callable[[], object], timeout: float) -> None:
    """Run ``function`` on a daemon thread and wait at most ``timeout`` seconds for it."""
    thread = threading.Thread(target=function, name="glassbox-exporter-shutdown", daemon=True)
    thread.start()
    thread.join(timeout)
