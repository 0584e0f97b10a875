"""The clock the time budget is measured on: wall time minus garbage-collection pauses.

A scan's budget bounds the work one input causes (a text full of near-misses), not the
host's garbage collector. A full collection in a process that has imported a large
library can take half a second (LiteLLM's import alone leaves millions of objects
behind), and it runs in whichever thread happens to allocate, often inside a scan.
Measured on the wall clock, such a pause turned a two-word log line into
``<REDACTED:timeout>``. :func:`scan_clock` stops while any collection runs, in any thread.
"""

from __future__ import annotations

import gc
import time
from typing import Any

__all__ = ["scan_clock"]

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


def scan_clock() -> float:
    """Seconds on :func:`time.perf_counter`, less the time spent collecting garbage."""
    return _perf_counter() - _paused


gc.callbacks.append(_on_collection)
