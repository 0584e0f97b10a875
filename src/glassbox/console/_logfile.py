"""Glassbox's JSON-lines log files as a log source: parse lines, follow files as they grow.

The SDK writes one JSON object per line (``timestamp``, ``level``, ``event``,
``service``, ``trace_id``, ``span_id`` and the caller's fields). :class:`LogFollower`
polls a list of glob patterns, reads what was appended since its last look, and starts a
file over when it was truncated (the demo empties its log file at every run).
"""

from __future__ import annotations

import contextlib
import glob
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from glassbox.console._store import LogRecord

__all__ = ["LogFollower", "parse_log_line"]

_KNOWN = ("timestamp", "level", "event", "service", "trace_id", "span_id")


def _time_ns(value: Any) -> int:
    if isinstance(value, int | float):
        return int(value * 1e9)
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1e9)
        except ValueError:
            pass
    return time.time_ns()


def parse_log_line(line: str, default_service: str = "") -> LogRecord | None:
    """One JSON log line as a record, or None when the line is not a JSON object."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    trace_id = str(data.get("trace_id") or "")
    return LogRecord(
        time_ns=_time_ns(data.get("timestamp")),
        service=str(data.get("service") or default_service),
        level=str(data.get("level") or "").lower(),
        body=str(data.get("event") or data.get("message") or ""),
        trace_id=trace_id if trace_id.strip("0") else "",
        span_id=str(data.get("span_id") or ""),
        attributes={k: v for k, v in data.items() if k not in _KNOWN},
    )


class LogFollower:
    """Follow JSON-lines files matching ``patterns`` into ``sink`` from a daemon thread.

    Args:
        patterns: Glob patterns (``.glassbox/demo/*.jsonl``).
        sink: Receives each batch of parsed records.
        interval: Seconds between looks.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        sink: Callable[[Iterable[LogRecord]], object],
        interval: float = 0.5,
    ) -> None:
        self.patterns = tuple(patterns)
        self.sink = sink
        self.interval = interval
        self._offsets: dict[Path, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="glassbox-console-logs", daemon=True)

    def start(self) -> LogFollower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def poll(self) -> int:
        """Read what was appended to every matching file; return the records stored."""
        stored = 0
        for pattern in self.patterns:
            for name in sorted(glob.glob(pattern)):
                stored += self._read(Path(name))
        return stored

    def _read(self, path: Path) -> int:
        try:
            size = path.stat().st_size
            offset = self._offsets.get(path, 0)
            if size < offset:  # truncated: a new run
                offset = 0
            if size == offset:
                return 0
            with path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read(size - offset)
        except OSError:
            return 0
        complete = chunk.rfind(b"\n") + 1  # keep a half-written last line for next time
        self._offsets[path] = offset + complete
        lines = chunk[:complete].decode("utf-8", "replace").splitlines()
        records = [r for r in (parse_log_line(line, path.stem) for line in lines) if r]
        if records:
            self.sink(records)
        return len(records)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a bad file must not stop the follower
                self.poll()
            self._stop.wait(self.interval)
