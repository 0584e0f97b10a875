"""The time budget's clock: wall time minus garbage-collection pauses.

A scan's budget bounds the work one input causes (a text full of near-misses), not the
host's garbage collector. A full collection in a process that has imported a large
library can take half a second (LiteLLM's import alone leaves millions of objects
behind), and it runs in whichever thread happens to allocate, often inside a scan.
Measured on the wall clock, such a pause turned a two-word log line into
``<REDACTED:timeout>``. Here the time spent in collections, in any thread, is taken off.

The hot path stays one ``perf_counter()`` comparison: a scan notes :func:`paused` when it
starts and sets its deadline on the wall clock; only once the wall clock has passed the
deadline does :func:`overdue` take the collections since the start off.
"""

from __future__ import annotations

import gc
import time
from typing import Any

__all__ = ["overdue", "paused"]

_perf_counter = time.perf_counter
_paused = 0.0  # seconds spent in collections since import
_started = 0.0


def _on_collection(phase: str, info: dict[str, Any]) -> None:
    # Collections never nest and run under the GIL, so two module globals suffice.
    global _paused, _started
    if phase == "start":
        _started = _perf_counter()
    else:
        _paused += _perf_counter() - _started


def paused() -> float:
    """Seconds spent collecting garbage since import (it only grows)."""
    return _paused


def overdue(deadline: float, paused_at_start: float) -> bool:
    """Whether ``perf_counter()`` is past ``deadline`` once the collections since
    ``paused_at_start`` (a :func:`paused` reading) are taken off."""
    return _perf_counter() - (_paused - paused_at_start) > deadline


gc.callbacks.append(_on_collection)
