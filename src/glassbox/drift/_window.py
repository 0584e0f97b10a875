"""Current windows: the most recent rows by count or by age."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["Window"]


class Window:
    """A bounded buffer of recent rows for a monitor's current window.

    Keep the last ``max_rows`` rows, the rows of the last ``max_age`` seconds, or both
    (a row leaves when either bound drops it). Rows are dicts of feature → value, as
    a service records them; :meth:`columns` turns them into what
    :meth:`Monitor.check` takes.

    Args:
        max_rows: Keep at most this many rows.
        max_age: Drop rows older than this many seconds.
        clock: Source of the current time (for tests).
    """

    def __init__(
        self,
        *,
        max_rows: int | None = None,
        max_age: float | None = None,
        clock: Any = time.time,
    ) -> None:
        if max_rows is None and max_age is None:
            raise ValueError("a window needs max_rows, max_age or both")
        if max_rows is not None and max_rows < 1:
            raise ValueError(f"max_rows must be positive, got {max_rows}")
        if max_age is not None and max_age <= 0:
            raise ValueError(f"max_age must be positive, got {max_age}")
        self.max_rows = max_rows
        self.max_age = max_age
        self._clock = clock
        self._rows: deque[tuple[float, Mapping[str, Any]]] = deque(maxlen=max_rows)

    def add(self, row: Mapping[str, Any], *, at: float | None = None) -> None:
        """Append one row, stamped ``at`` (now by default)."""
        self._rows.append((self._clock() if at is None else at, row))

    def _expire(self) -> None:
        if self.max_age is None:
            return
        oldest = self._clock() - self.max_age
        while self._rows and self._rows[0][0] < oldest:
            self._rows.popleft()

    def __len__(self) -> int:
        self._expire()
        return len(self._rows)

    def columns(self) -> dict[str, Any]:
        """The window's rows as feature columns (embeddings stacked into 2-D arrays)."""
        self._expire()
        names: dict[str, None] = {}
        for _, row in self._rows:
            names.update(dict.fromkeys(row))
        columns: dict[str, Any] = {}
        for name in names:
            values = [row.get(name) for _, row in self._rows]
            if values and all(isinstance(v, list | tuple | np.ndarray) for v in values):
                columns[name] = np.asarray(values, dtype=np.float32)
            else:
                columns[name] = values
        return columns
