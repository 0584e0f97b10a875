"""PII and secret redaction for logs, spans and files.

``build_redactor()`` returns a :class:`Redactor` whose ``redact()`` replaces e-mail
addresses, phone numbers, payment cards, national ids, API keys, tokens and other
sensitive values with keyed tokens such as ``<EMAIL:3fa1.9c2e4b7d01a65f33>``.
"""

from glassbox.redaction._engine import (
    DEFAULT_DETECTORS,
    ERROR_MARKER,
    TIMEOUT_MARKER,
    TOO_LONG_MARKER,
    Redactor,
    build_redactor,
)
from glassbox.redaction._types import ENTITY_TYPES, PII_TYPES, SECRET_TYPES, Finding

__all__ = [
    "DEFAULT_DETECTORS",
    "ENTITY_TYPES",
    "ERROR_MARKER",
    "PII_TYPES",
    "SECRET_TYPES",
    "TIMEOUT_MARKER",
    "TOO_LONG_MARKER",
    "Finding",
    "Redactor",
    "build_redactor",
]
