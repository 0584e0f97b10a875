from __future__ import annotations

import logging

import pytest
import structlog

import glassbox
from glassbox._logging import RedactionSlot
from glassbox.testing import Telemetry, capture


def test_stdlib_logs_are_bridged_with_trace_and_request_ids(telemetry: Telemetry) -> None:
    with glassbox.request_id("req-123"), glassbox.llm_call("openai", "gpt-4o-mini") as call:
        logging.getLogger("newsroom.editor").info("drafting %s", "summary")
    (line,) = telemetry.logs(event="drafting summary")
    span = call.span
    assert line["logger"] == "newsroom.editor"
    assert line["level"] == "info"
    assert line["request_id"] == "req-123"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert line["span_id"] == format(span.get_span_context().span_id, "016x")
    assert line["service"] == "test"
    assert line["env"] == "dev"
    assert line["timestamp"].endswith("Z")


def test_application_structlog_loggers_share_the_chain(telemetry: Telemetry) -> None:
    structlog.get_logger("app").info("ranked", articles=12)
    (line,) = telemetry.logs(event="ranked")
    assert line["articles"] == 12
    assert line["level"] == "info"
    assert line["service"] == "test"


def test_exceptions_are_rendered_into_the_line(telemetry: Telemetry) -> None:
    try:
        raise ValueError("bad article")
    except ValueError:
        logging.getLogger("app").exception("ingest failed")
    (line,) = telemetry.logs(event="ingest failed")
    assert "ValueError: bad article" in line["exception"]
    assert line["level"] == "error"


def test_redactor_runs_on_content_fields_only(telemetry: Telemetry) -> None:
    class Masker:
        def redact(self, text: str) -> str:
            return text.replace("alice@example.com", "<EMAIL:x>")

    telemetry.runtime.logging.set_redactor(Masker())
    with glassbox.request_id("alice@example.com"):  # structural fields are not content
        logging.getLogger("app").warning("mail to alice@example.com", extra={"x": 1})
        structlog.get_logger().info(
            "sent", to=["alice@example.com"], meta={"cc": "alice@example.com"}
        )
    (bridged,) = telemetry.logs(event="mail to <EMAIL:x>")
    assert bridged["request_id"] == "alice@example.com"
    (native,) = telemetry.logs(event="sent")
    assert native["to"] == ["<EMAIL:x>"]
    assert native["meta"] == {"cc": "<EMAIL:x>"}


def test_redaction_fails_closed() -> None:
    errors: list[str] = []
    slot = RedactionSlot(on_error=lambda component, exc: errors.append(component))

    class Broken:
        def redact(self, text: str) -> str:
            raise RuntimeError("boom")

    slot.redactor = Broken()
    event = slot(
        None, "info", {"event": "card 4111111111111111", "level": "info", "trace_id": "abc"}
    )
    assert event == {"event": RedactionSlot.MARKER, "level": "info", "trace_id": "abc"}
    assert errors == ["redaction"]


def test_log_level_filters_glassbox_events() -> None:
    with capture(log_level="warning") as telemetry:
        with glassbox.llm_call("openai", "gpt-4o-mini"):
            pass
        assert telemetry.logs(event="gen_ai.call") == []


def test_logs_false_leaves_the_application_logging_alone() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    with capture(logs=False) as telemetry:
        assert root.handlers == before
        logging.getLogger("app").warning("not ours")
        with glassbox.llm_call("openai", "gpt-4o-mini"):
            pass
        assert telemetry.logs(event="not ours") == []
        assert len(telemetry.logs(event="gen_ai.call")) == 1
    assert root.handlers == before


def test_shutdown_removes_the_bridge() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    with capture():
        assert len(root.handlers) == len(before) + 1
    assert root.handlers == before


def test_own_events_write_the_line_the_structlog_logger_writes() -> None:
    import contextvars
    import json

    from structlog.contextvars import bind_contextvars

    def in_context() -> None:
        bind_contextvars(user_tier="gold")
        with capture() as telemetry, glassbox.attributes(team="search"):
            fields = {"provider": "openai", "model": "m", "duration_s": 0.5, "note": "x@y.io"}
            telemetry.runtime.log.warning("gen_ai.call", **fields)
            emit = telemetry.runtime.logging.emit
            assert emit is not None
            emit("warning", "gen_ai.call", dict(fields))
            telemetry.flush_logs()
            lines = telemetry._log_stream.getvalue().splitlines()
            by_structlog, direct = (json.loads(line) for line in lines[-2:])
            assert by_structlog.pop("timestamp")[:10] == direct.pop("timestamp")[:10]
            assert list(by_structlog.items()) == list(direct.items())  # same order too
            assert direct["team"] == "search"
            assert direct["user_tier"] == "gold"

    contextvars.copy_context().run(in_context)


def test_own_events_below_the_level_are_not_written() -> None:
    with capture(log_level="warning") as telemetry:
        emit = telemetry.runtime.logging.emit
        assert emit is not None
        emit("info", "gen_ai.call", {"provider": "openai"})
        emit("warning", "gen_ai.call", {"provider": "anthropic"})
        assert [e["provider"] for e in telemetry.logs(event="gen_ai.call")] == ["anthropic"]


def test_timestamps_are_utc_iso_with_microseconds_across_second_boundaries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime

    from glassbox import _logging

    for now in (1_764_690_000.0, 1_764_690_000.999999, 1_764_690_001.5, 0.25, 1_764_689_999.0):
        monkeypatch.setattr(_logging, "_time", lambda now=now: now)
        stamp = _logging.utc_timestamp()
        expected = datetime.fromtimestamp(now, UTC)
        assert stamp.endswith("Z")
        parsed = datetime.fromisoformat(stamp[:-1] + "+00:00")
        assert abs((parsed - expected).total_seconds()) < 2e-6
        assert len(stamp) == len("2026-12-02T15:40:08.123456Z")
