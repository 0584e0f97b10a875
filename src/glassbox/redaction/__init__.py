"""PII and secret redaction for logs, spans and files.

``build_redactor()`` returns a :class:`Redactor` whose ``redact()`` replaces e-mail
addresses, phone numbers, payment cards, national ids, API keys, tokens and other
sensitive values with keyed tokens such as ``<EMAIL:3fa1.9c2e4b7d01a65f33>``;
:class:`RedactionProcessor` applies it to structlog events, and ``glassbox redact``
to existing log files. See ``docs/redaction.md``.
"""

from glassbox.redaction._engine import (
    DEFAULT_DETECTORS,
    ERROR_MARKER,
    TIMEOUT_MARKER,
    TOO_LONG_MARKER,
    Redactor,
    build_redactor,
)
from glassbox.redaction._keys import DEFAULT_KEY_FILE, KEY_ENV, KEY_FILE_ENV, resolve_key_file
from glassbox.redaction._processor import DEFAULT_SKIP_KEYS, RedactionProcessor
from glassbox.redaction._raw import RAW_KEY_FILE_ENV, RawStream, read_raw
from glassbox.redaction._stream import iter_lines, redact_jsonl_lines, redact_text_lines
from glassbox.redaction._types import ENTITY_TYPES, PII_TYPES, SECRET_TYPES, Finding

__all__ = [
    "DEFAULT_DETECTORS",
    "DEFAULT_KEY_FILE",
    "DEFAULT_SKIP_KEYS",
    "ENTITY_TYPES",
    "ERROR_MARKER",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "PII_TYPES",
    "RAW_KEY_FILE_ENV",
    "SECRET_TYPES",
    "TIMEOUT_MARKER",
    "TOO_LONG_MARKER",
    "Finding",
    "RawStream",
    "RedactionProcessor",
    "Redactor",
    "build_redactor",
    "iter_lines",
    "read_raw",
    "redact_jsonl_lines",
    "redact_text_lines",
    "resolve_key_file",
]
