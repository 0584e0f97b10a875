"""BoundedBatchQueue: a full batch leaves at once; one wake-up per batch, none lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from glassbox._export import BoundedBatchQueue


def _wait_for(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False


def test_full_batches_leave_before_the_schedule_even_while_an_export_is_running() -> None:
    """Batches that fill while the worker is busy are exported when it is free again.

    The schedule delay is an hour, so only the full-batch wake-up can send them: a
    wake-up skipped because one was already pending must not be one that was needed.
    """
    release = threading.Event()
    exported: list[int] = []

    def export(batch: Sequence[int]) -> bool:
        release.wait(10)
        exported.extend(batch)
        return True

    dropped: list[int] = []
    queue: BoundedBatchQueue[int] = BoundedBatchQueue(
        export, dropped.append, max_queue_size=1000, max_batch_size=4, schedule_delay=3600
    )
    try:
        for item in range(4):  # the first batch: the worker takes it and blocks in export
            queue.put(item)
        assert _wait_for(lambda: queue.queued == 0)
        for item in range(4, 50):  # eleven more full batches and two more
            queue.put(item)
        release.set()
        # a woken worker drains everything queued, the two past the last full batch too
        assert _wait_for(lambda: len(exported) == 50), exported
        for item in range(50, 54):  # the next full batch wakes it again
            queue.put(item)
        assert _wait_for(lambda: len(exported) == 54), exported
        assert exported == list(range(54))
        assert dropped == []
    finally:
        release.set()
        queue.shutdown(timeout=5)


def test_items_past_a_pending_wake_up_do_not_wake_the_worker_again() -> None:
    """While a wake-up is pending, putting more items costs no further ``Event.set``."""
    gate = threading.Event()

    def export(batch: Sequence[int]) -> bool:
        gate.wait(10)
        return True

    queue: BoundedBatchQueue[int] = BoundedBatchQueue(
        export, lambda n: None, max_batch_size=2, schedule_delay=3600
    )
    try:
        queue.put(0)
        queue.put(1)  # full: wakes the worker, which blocks in export
        assert _wait_for(lambda: queue.queued == 0)
        sets = 0
        wake = queue._wake
        original = wake.set

        def counting() -> None:
            nonlocal sets
            sets += 1
            original()

        wake.set = counting  # type: ignore[method-assign]
        for item in range(2, 40):
            queue.put(item)
        assert sets == 1  # one pending wake-up stands for every batch behind it
    finally:
        gate.set()
        queue.shutdown(timeout=5)
