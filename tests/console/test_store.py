"""The embedded store: queries, and the size and age bounds."""

from __future__ import annotations

import time

import pytest

from glassbox.console import LogRecord, SpanRecord, TelemetryStore


def _span(trace: str, span: str, *, parent: str = "", name: str = "chat", start_s: float = 0,
          ms: float = 10, status: int = 0, service: str = "api") -> SpanRecord:  # fmt: skip
    start = int((time.time() + start_s) * 1e9)
    return SpanRecord(
        trace_id=trace * 32,
        span_id=span * 16,
        parent_id=parent * 16 if parent else "",
        service=service,
        name=name,
        start_ns=start,
        end_ns=start + int(ms * 1e6),
        status=status,
        attributes={"gen_ai.request.model": "gpt-4o-mini", "n": 3},
    )


def test_traces_are_grouped_filtered_and_newest_first() -> None:
    store = TelemetryStore()
    store.add_spans(
        [
            _span("a", "1", name="invoke_workflow ingest", ms=100, start_s=-2),
            _span("a", "2", parent="1", name="chat gpt", ms=30, start_s=-2, status=2),
            _span("b", "3", name="invoke_agent editor", ms=5, service="worker"),
        ]
    )
    traces = store.traces()
    assert [t.trace_id[0] for t in traces] == ["b", "a"]
    a = traces[1]
    assert (a.name, a.spans, a.errors) == ("invoke_workflow ingest", 2, 1)
    assert a.duration_ms == pytest.approx(100, rel=0.01)
    assert [t.trace_id[0] for t in store.traces(errors_only=True)] == ["a"]
    assert [t.trace_id[0] for t in store.traces(service="worker")] == ["b"]
    assert [t.trace_id[0] for t in store.traces(name="CHAT")] == ["a"]  # any span, any case
    assert [t.trace_id[0] for t in store.traces(min_ms=50)] == ["a"]
    assert [t.trace_id[0] for t in store.traces(max_ms=50)] == ["b"]
    spans = store.trace("a" * 32)
    assert [s.name for s in spans] == ["invoke_workflow ingest", "chat gpt"]
    assert spans[1].attributes == {"gen_ai.request.model": "gpt-4o-mini", "n": 3}
    assert store.trace("c" * 32) == []


def test_logs_search_text_fields_and_trace() -> None:
    store = TelemetryStore()
    now = time.time_ns()
    store.add_logs(
        [
            LogRecord(now, "api", "info", "gen_ai.call", "a" * 32, "1" * 16, {"model": "gpt-4o"}),
            LogRecord(now + 1, "api", "error", "tool failed", "", "", {"tool": "search"}),
            LogRecord(now + 2, "worker", "info", "started", "", "", {"queue": "ingest"}),
        ]
    )
    assert [r.body for r in store.logs()] == ["started", "tool failed", "gen_ai.call"]
    assert [r.body for r in store.logs(text="FAILED")] == ["tool failed"]
    assert [r.body for r in store.logs(text="ingest")] == ["started"]  # fields are text too
    assert [r.body for r in store.logs(fields={"model": "gpt-4o"})] == ["gen_ai.call"]
    assert [r.body for r in store.logs(level="error")] == ["tool failed"]
    assert [r.body for r in store.logs(trace_id="a" * 32)] == ["gen_ai.call"]
    assert store.logs(fields={"model": "other"}) == []
    assert store.services() == ["api", "worker"]


def test_records_older_than_the_age_bound_are_dropped() -> None:
    store = TelemetryStore(max_age=60)
    store.add_spans([_span("a", "1", start_s=-120), _span("b", "2")])
    assert [t.trace_id[0] for t in store.traces()] == ["b"]
    store.expire(now=time.time() + 3600)
    assert store.traces() == []


def test_the_size_bound_drops_the_oldest_records_first() -> None:
    store = TelemetryStore(max_bytes=20_000)
    for i in range(200):
        store.add_spans([_span(f"{i % 16:x}", f"{i:x}"[-1], start_s=i - 400)])
        store.add_logs([LogRecord(int((time.time() + i - 400) * 1e9), "api", "info", "x" * 200)])
        assert store.stored_bytes <= 20_000
    newest = store.logs(limit=1)[0].time_ns
    oldest = store.logs(limit=10_000)[-1].time_ns
    assert store.stored_bytes > 10_000  # bounded, not emptied
    assert newest - oldest < 200 * 1e9  # the oldest went first


def test_bad_bounds_are_refused_with_the_value() -> None:
    with pytest.raises(ValueError, match="max_bytes=0"):
        TelemetryStore(max_bytes=0)
    with pytest.raises(ValueError, match="max_age=-1"):
        TelemetryStore(max_age=-1)
