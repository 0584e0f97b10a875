"""Streaming text and JSON-lines redaction, and bounded line reading."""

from __future__ import annotations

import io
import json

from glassbox.redaction import build_redactor, redact_jsonl_lines, redact_text_lines
from glassbox.redaction._stream import CONTINUATION_MARKER, iter_lines

R = build_redactor(key=b"stream-test-key-0123456789abcdef")


def test_text_lines_keep_newlines_and_clean_lines() -> None:
    lines = ["clean 42\n", "mail a@example.com\n", "last"]
    out = list(redact_text_lines(R, lines))
    assert out[0] == "clean 42\n"
    assert out[1].startswith("mail <EMAIL:")
    assert out[1].endswith("\n")
    assert out[2] == "last"


def test_multiline_private_key_is_dropped_whole() -> None:
    lines = [
        "loading key\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n",
        "QyNTUxOQAAACDfake\n",
        "-----END OPENSSH PRIVATE KEY----- done\n",
        "after\n",
    ]
    out = list(redact_text_lines(R, lines))
    assert out[0] == "loading key\n"
    assert out[1].startswith("<PRIVATE_KEY:")
    assert out[2:4] == [CONTINUATION_MARKER + "\n"] * 2
    assert out[4] == CONTINUATION_MARKER + " done\n"
    assert out[5] == "after\n"
    assert "b3Blbn" not in "".join(out)


def test_jsonl_redacts_values_uses_keys_and_passes_clean_lines_verbatim() -> None:
    clean = '{"event":"llm.call","model":"gpt-4o","latency_ms":1234}\n'
    dirty = json.dumps({"event": "x", "phone": "4155550132", "nested": {"m": "a@example.com"}})
    out = list(redact_jsonl_lines(R, [clean, dirty + "\n", "not json b@example.com\n"]))
    assert out[0] == clean  # byte-for-byte
    obj = json.loads(out[1])
    assert obj["phone"].startswith("<PHONE:")
    assert obj["nested"]["m"].startswith("<EMAIL:")
    assert out[2].startswith("not json <EMAIL:")
    assert out[2].endswith("\n")


def test_jsonl_decodes_escapes_before_scanning() -> None:
    line = '{"msg": "mail a\\u0040example.com"}\n'  # '@' hidden behind a JSON escape
    (out,) = redact_jsonl_lines(R, [line])
    assert "example.com" not in out


def test_iter_lines_bounds_memory_and_cuts_at_whitespace() -> None:
    data = b"short\n" + b"word " * 50 + b"\n" + b"x" * 30 + b"\xff\n"
    pieces = list(iter_lines(io.BytesIO(data), max_bytes=64))
    assert pieces[0] == "short\n"
    assert all(len(p.encode("utf-8", "surrogateescape")) <= 64 for p in pieces)
    assert "".join(pieces).encode("utf-8", "surrogateescape") == data
    assert all(p.endswith((" ", "\n")) for p in pieces[1:-1])
