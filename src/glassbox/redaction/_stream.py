"""Streaming redaction of existing log files, line by line, in constant memory."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import BinaryIO

from glassbox.redaction._engine import ERROR_MARKER, Redactor
from glassbox.redaction._processor import DEFAULT_SKIP_KEYS

__all__ = [
    "CONTINUATION_MARKER",
    "MAX_LINE_BYTES",
    "iter_lines",
    "redact_json_value",
    "redact_jsonl_lines",
    "redact_text_lines",
]

#: Longest line handled in one piece; longer lines are cut at whitespace.
MAX_LINE_BYTES = 1 << 20
#: Replaces the body lines of a multi-line PEM private key.
CONTINUATION_MARKER = "<REDACTED:private_key>"

_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_MAX_DEPTH = 32
_NOT_JSON = object()


def iter_lines(stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES) -> Iterator[str]:
    """Decode ``stream`` into lines (with their ``\\n``) without unbounded buffering.

    Undecodable bytes survive the round trip (``surrogateescape``). A line longer than
    ``max_bytes`` is yielded in pieces cut after the last whitespace of each piece, so
    no value is split unless it alone exceeds the limit.
    """
    carry = b""
    while True:
        chunk = stream.readline(max_bytes - len(carry)) if len(carry) < max_bytes else b""
        data = carry + chunk
        if not data:
            return
        if data.endswith(b"\n") or not chunk:
            carry = b""
            yield data.decode("utf-8", "surrogateescape")
            continue
        cut = max(data.rfind(b" "), data.rfind(b"\t")) + 1
        if cut <= 0:
            cut = len(data)
        carry = data[cut:]
        yield data[:cut].decode("utf-8", "surrogateescape")


class _PemGuard:
    """Tracks a PEM private key spread over several lines of a stream."""

    __slots__ = ("inside",)

    def __init__(self) -> None:
        self.inside = False

    def redact(self, redactor: Redactor, line: str) -> str:
        body = line.rstrip("\r\n")
        newline = line[len(body) :]
        if self.inside:
            end = _PEM_END.search(body)
            if end is None:
                return CONTINUATION_MARKER + newline
            self.inside = False
            body = CONTINUATION_MARKER + body[end.end() :]
        begin = _PEM_BEGIN.search(body)
        if begin is not None and _PEM_END.search(body, begin.end()) is None:
            self.inside = True
        return redactor.redact(body) + newline


def redact_text_lines(redactor: Redactor, lines: Iterable[str]) -> Iterator[str]:
    """Redact each line as free text.

    A PEM private key spread over several lines is dropped whole: the BEGIN line is
    redacted by the engine and every following line up to the END line is replaced by
    :data:`CONTINUATION_MARKER`.
    """
    guard = _PemGuard()
    for line in lines:
        yield guard.redact(redactor, line)


def redact_json_value(redactor: Redactor, key: str, value: object, depth: int = 0) -> object:
    """Redact the strings inside a decoded JSON value, using keys as context."""
    if isinstance(value, str):
        return redactor.redact_field(key, value)
    if depth >= _MAX_DEPTH:
        return ERROR_MARKER
    if isinstance(value, Mapping):
        return {
            redactor.redact(str(k)): redact_json_value(redactor, str(k), v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json_value(redactor, key, v, depth + 1) for v in value]
    return value


def redact_jsonl_lines(
    redactor: Redactor,
    lines: Iterable[str],
    skip_keys: Collection[str] = DEFAULT_SKIP_KEYS,
) -> Iterator[str]:
    """Redact JSON-lines input: string values inside each object, keys as context.

    A line without escapes whose raw text fires no trigger is passed through byte for
    byte. Every other JSON line (object, array, string, number) is decoded, redacted and
    re-serialised, so a JSON line always comes out as valid JSON. Lines that are not JSON
    (or nest deeper than the decoder allows) are redacted as text, so nothing leaves
    unscanned. Top-level ``skip_keys`` (timestamp, level, trace ids, …) are kept
    as they are, like the structlog processor does.
    """
    guard = _PemGuard()
    for line in lines:
        if not guard.inside and "\\" not in line and not redactor.might_contain(line):
            yield line
            continue
        body = line.rstrip("\r\n")
        newline = line[len(body) :]
        obj: object = _NOT_JSON
        if not guard.inside:
            with contextlib.suppress(ValueError, RecursionError):
                # RecursionError: nesting deeper than the decoder allows is not JSON
                # we can walk; the line is redacted as text and the stream goes on.
                obj = json.loads(body)
        if obj is _NOT_JSON:
            yield guard.redact(redactor, line)
            continue
        try:
            if isinstance(obj, str):
                obj = redactor.redact(obj)
            elif isinstance(obj, dict):
                obj = {
                    redactor.redact(str(k)): v
                    if k in skip_keys
                    else redact_json_value(redactor, str(k), v, 1)
                    for k, v in obj.items()
                }
            elif isinstance(obj, list):
                obj = redact_json_value(redactor, "", obj)
            out = json.dumps(obj, ensure_ascii=False)
        except Exception:
            out = ERROR_MARKER
        yield out + newline
