"""The console's embedded telemetry store: spans and log records in one SQLite file.

Bounded two ways, checked after every write batch: records older than ``max_age`` seconds
are deleted, and when the stored payload (the bytes of each record's strings and JSON,
counted on insert) exceeds ``max_bytes``, the oldest records are deleted until it is back
under 90% of the bound. The file lives in the stack's state directory (``console.db``),
or in memory (``":memory:"``) for tests. One connection, serialised by a lock: writes come
from the OTLP receiver and the log-file follower, reads from page requests, all small.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LogRecord", "SpanRecord", "TelemetryStore", "TraceSummary"]

#: OTLP status code of a failed span.
STATUS_ERROR = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spans (
    trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT NOT NULL,
    service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
    start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,
    status INTEGER NOT NULL, status_message TEXT NOT NULL,
    attributes TEXT NOT NULL, events TEXT NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_start ON spans (start_ns);
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ns INTEGER NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
    service TEXT NOT NULL, level TEXT NOT NULL, body TEXT NOT NULL,
    attributes TEXT NOT NULL, size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_time ON logs (time_ns);
CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id);
"""


@dataclass(frozen=True)
class SpanRecord:
    """One span as stored: ids in lowercase hex, times in Unix nanoseconds."""

    trace_id: str
    span_id: str
    parent_id: str
    service: str
    name: str
    start_ns: int
    end_ns: int
    kind: int = 0
    status: int = 0
    status_message: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    events: Sequence[Mapping[str, Any]] = ()

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    @property
    def error(self) -> bool:
        return self.status == STATUS_ERROR


@dataclass(frozen=True)
class LogRecord:
    """One log line as stored; ``trace_id`` is ``""`` when the line had none."""

    time_ns: int
    service: str
    level: str
    body: str
    trace_id: str = ""
    span_id: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TraceSummary:
    """One row of the trace list: the trace's root span and its totals."""

    trace_id: str
    service: str
    name: str
    start_ns: int
    duration_ms: float
    spans: int
    errors: int


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


class TelemetryStore:
    """Spans and log records with size and age bounds.

    Args:
        path: The SQLite file, or ``":memory:"``.
        max_bytes: Bound on the stored payload (strings and JSON of all records).
        max_age: Seconds a record is kept after its own timestamp.
    """

    def __init__(
        self,
        path: Path | str = ":memory:",
        *,
        max_bytes: int = 64 * 1024 * 1024,
        max_age: float = 24 * 3600.0,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes={max_bytes} must be positive; give a size in bytes")
        if max_age <= 0:
            raise ValueError(f"max_age={max_age} must be positive; give a time in seconds")
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._bytes = self._stored_bytes()

    # -- writing -------------------------------------------------------------------------

    def add_spans(self, spans: Iterable[SpanRecord]) -> int:
        """Store ``spans`` (a span seen twice replaces itself); return how many."""
        rows = []
        for s in spans:
            attributes, events = _dumps(dict(s.attributes)), _dumps(list(s.events))
            size = len(s.name) + len(s.service) + len(attributes) + len(events) + 64
            rows.append(
                (
                    *(s.trace_id, s.span_id, s.parent_id, s.service, s.name, s.kind),
                    *(s.start_ns, s.end_ns, s.status, s.status_message, attributes, events, size),
                )
            )
        with self._lock:
            self._db.execute("BEGIN")
            replaced = sum(
                self._db.execute(
                    "SELECT COALESCE(SUM(size), 0) FROM spans WHERE trace_id=? AND span_id=?",
                    row[:2],
                ).fetchone()[0]
                for row in rows
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO spans VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
            self._db.execute("COMMIT")
            self._bytes += sum(row[-1] for row in rows) - replaced
            self._enforce()
        return len(rows)

    def add_logs(self, records: Iterable[LogRecord]) -> int:
        """Store log ``records``; return how many."""
        rows = []
        for r in records:
            attributes = _dumps(dict(r.attributes))
            size = len(r.body) + len(attributes) + len(r.service) + 80
            rows.append(
                (r.time_ns, r.trace_id, r.span_id, r.service, r.level, r.body, attributes, size)
            )
        with self._lock:
            self._db.executemany(
                "INSERT INTO logs (time_ns, trace_id, span_id, service, level, body, "
                "attributes, size) VALUES (?,?,?,?,?,?,?,?)",
                rows,
            )
            self._bytes += sum(row[-1] for row in rows)
            self._enforce()
        return len(rows)

    def _stored_bytes(self) -> int:
        spans = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM spans").fetchone()[0]
        logs = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM logs").fetchone()[0]
        return int(spans) + int(logs)

    def _enforce(self, now: float | None = None) -> None:
        """Drop what is too old, then the oldest records while over the size bound."""
        cutoff = int(((now if now is not None else time.time()) - self.max_age) * 1e9)
        self._db.execute("DELETE FROM spans WHERE end_ns < ?", (cutoff,))
        self._db.execute("DELETE FROM logs WHERE time_ns < ?", (cutoff,))
        self._bytes = self._stored_bytes()
        target = int(self.max_bytes * 0.9)
        while self._bytes > self.max_bytes:
            oldest = self._db.execute(
                "SELECT MIN(t) FROM (SELECT MIN(start_ns) AS t FROM spans "
                "UNION ALL SELECT MIN(time_ns) FROM logs)"
            ).fetchone()[0]
            newest = self._db.execute(
                "SELECT MAX(t) FROM (SELECT MAX(start_ns) AS t FROM spans "
                "UNION ALL SELECT MAX(time_ns) FROM logs)"
            ).fetchone()[0]
            if oldest is None:
                break
            # Delete the oldest tenth of the time range per pass until under the target.
            step = max((newest - oldest) // 10, 1)
            self._db.execute("DELETE FROM spans WHERE start_ns <= ?", (oldest + step,))
            self._db.execute("DELETE FROM logs WHERE time_ns <= ?", (oldest + step,))
            self._bytes = self._stored_bytes()
            if self._bytes <= target:
                break

    def expire(self, now: float | None = None) -> None:
        """Apply the age bound as of ``now`` (Unix seconds); writes do this themselves."""
        with self._lock:
            self._enforce(now)

    @property
    def stored_bytes(self) -> int:
        """The payload now held (what ``max_bytes`` bounds)."""
        return self._bytes

    # -- reading -------------------------------------------------------------------------

    def traces(
        self,
        *,
        service: str = "",
        name: str = "",
        errors_only: bool = False,
        min_ms: float | None = None,
        max_ms: float | None = None,
        limit: int = 100,
    ) -> list[TraceSummary]:
        """The newest traces first; ``service``/``name`` match any span of the trace
        (``name`` as a substring), durations are the whole trace's."""
        having: list[str] = ["1"]
        args: list[str | int] = []
        if service:
            having.append("SUM(service = ?) > 0")
            args.append(service)
        if name:
            having.append("SUM(instr(lower(name), lower(?)) > 0) > 0")
            args.append(name)
        if errors_only:
            having.append(f"SUM(status = {STATUS_ERROR}) > 0")
        if min_ms is not None:
            having.append("(MAX(end_ns) - MIN(start_ns)) >= ?")
            args.append(int(min_ms * 1e6))
        if max_ms is not None:
            having.append("(MAX(end_ns) - MIN(start_ns)) <= ?")
            args.append(int(max_ms * 1e6))
        sql = (
            "SELECT trace_id, MIN(start_ns), MAX(end_ns), COUNT(*), "
            f"SUM(status = {STATUS_ERROR}) FROM spans GROUP BY trace_id "
            f"HAVING {' AND '.join(having)} ORDER BY MIN(start_ns) DESC LIMIT ?"
        )
        with self._lock:
            groups = self._db.execute(sql, (*args, limit)).fetchall()
            out = []
            for trace_id, start, end, count, errors in groups:
                root = self._db.execute(
                    "SELECT service, name FROM spans WHERE trace_id = ? "
                    "ORDER BY parent_id != '', start_ns LIMIT 1",
                    (trace_id,),
                ).fetchone()
                out.append(
                    TraceSummary(
                        trace_id, root[0], root[1], start, (end - start) / 1e6, count, errors
                    )
                )
        return out

    def trace(self, trace_id: str) -> list[SpanRecord]:
        """The spans of one trace, by start time ([] when unknown)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT trace_id, span_id, parent_id, service, name, start_ns, end_ns, kind, "
                "status, status_message, attributes, events FROM spans WHERE trace_id = ? "
                "ORDER BY start_ns, span_id",
                (trace_id,),
            ).fetchall()
        return [
            SpanRecord(
                trace_id=row[0],
                span_id=row[1],
                parent_id=row[2],
                service=row[3],
                name=row[4],
                start_ns=row[5],
                end_ns=row[6],
                kind=row[7],
                status=row[8],
                status_message=row[9],
                attributes=json.loads(row[10]),
                events=json.loads(row[11]),
            )
            for row in rows
        ]

    def services(self) -> list[str]:
        """Every service that sent a span or a log line."""
        with self._lock:
            rows = self._db.execute(
                "SELECT service FROM spans UNION SELECT service FROM logs ORDER BY 1"
            ).fetchall()
        return [r[0] for r in rows if r[0]]

    def logs(
        self,
        *,
        text: str = "",
        fields: Mapping[str, str] | None = None,
        trace_id: str = "",
        service: str = "",
        level: str = "",
        limit: int = 200,
    ) -> list[LogRecord]:
        """The newest log lines first: ``text`` is a case-insensitive substring of the body
        or any field; ``fields`` are exact matches on attribute values."""
        where: list[str] = ["1"]
        args: list[str | int] = []
        if text:
            where.append(
                "(instr(lower(body), lower(?)) > 0 OR instr(lower(attributes), lower(?)) > 0)"
            )
            args += [text, text]
        for key, value in (fields or {}).items():
            where.append("CAST(json_extract(attributes, ?) AS TEXT) = ?")
            args += ['$."' + key.replace('"', "") + '"', value]
        for column, value in (("trace_id", trace_id), ("service", service), ("level", level)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = (
            "SELECT time_ns, service, level, body, trace_id, span_id, attributes FROM logs "
            f"WHERE {' AND '.join(where)} ORDER BY time_ns DESC, id DESC LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [
            LogRecord(
                time_ns=row[0],
                service=row[1],
                level=row[2],
                body=row[3],
                trace_id=row[4],
                span_id=row[5],
                attributes=json.loads(row[6]),
            )
            for row in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()
