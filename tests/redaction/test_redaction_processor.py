"""The structlog processor: every string value, nested values, keys as context."""

from __future__ import annotations

import json
from pathlib import Path

import structlog

from glassbox.redaction import RawStream, RedactionProcessor, build_redactor, read_raw

KEY = b"processor-test-key-0123456789abc"


class _Custom:
    def __repr__(self) -> str:
        return "Custom(owner=bob@example.com)"


def test_redacts_nested_values_and_skips_structure_fields() -> None:
    proc = RedactionProcessor(build_redactor(key=KEY))
    event = {
        "event": "user bob@example.com signed up",
        "timestamp": "2024-05-01T12:00:00Z",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "password": "hunter22",
        "args": {"to": "+1 415-555-0132", "tags": ["ok", "alice@example.org"]},
        "obj": _Custom(),
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "none": None,
    }
    out = proc(None, "info", event)
    text = json.dumps(out, default=str)
    for raw in ("bob@example.com", "hunter22", "415-555-0132", "alice@example.org"):
        assert raw not in text
    assert out["timestamp"] == "2024-05-01T12:00:00Z"
    assert out["count"] == 3
    assert out["ratio"] == 0.5
    assert out["flag"] is True
    assert out["none"] is None
    assert out["password"].startswith("<SECRET:")
    assert out["args"]["tags"][0] == "ok"


def test_works_inside_a_structlog_pipeline() -> None:
    lines: list[str] = []

    class _Sink:
        def msg(self, message: str) -> None:
            lines.append(message)

        info = msg

    logger = structlog.wrap_logger(
        _Sink(),
        processors=[
            RedactionProcessor(build_redactor(key=KEY)),
            structlog.processors.JSONRenderer(),
        ],
    )
    logger.info("card 4111 1111 1111 1111 declined", user="carol@example.net")
    assert len(lines) == 1
    assert "4111" not in lines[0]
    assert "carol@" not in lines[0]
    assert "<CREDIT_CARD:" in lines[0]
    assert "<EMAIL:" in lines[0]


def test_raw_stream_keeps_the_unredacted_event(tmp_path: Path) -> None:
    raw_key = b"r" * 32
    raw = RawStream(tmp_path / "raw", key=raw_key)
    proc = RedactionProcessor(build_redactor(key=KEY), raw_stream=raw)
    out = proc(None, "info", {"event": "mail dave@example.com"})
    raw.close()
    assert "dave@" not in out["event"]
    (path,) = (tmp_path / "raw").iterdir()
    assert "dave@example.com" not in path.read_text()  # encrypted at rest
    assert json.loads(next(read_raw(path, raw_key))) == {"event": "mail dave@example.com"}
