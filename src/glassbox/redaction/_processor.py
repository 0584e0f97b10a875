"""A structlog processor that redacts every string value of a log event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from glassbox.redaction._engine import ERROR_MARKER, Redactor
from glassbox.redaction._raw import RawStream

__all__ = ["DEFAULT_SKIP_KEYS", "RedactionProcessor"]

#: Keys whose values are produced by Glassbox/structlog and never hold user content.
DEFAULT_SKIP_KEYS: frozenset[str] = frozenset(
    {"timestamp", "level", "logger", "trace_id", "span_id", "parent_span_id", "request_id"}
    | {"service", "env", "team", "logger_name", "log_level"}
)

_MAX_DEPTH = 8


class RedactionProcessor:
    """Redact every string value of a structlog event dict, recursively.

    Place it after ``format_exc_info``/``StackInfoRenderer`` (so tracebacks are strings)
    and before the renderer. Keys are used as context (``{"password": ...}``,
    ``{"phone": ...}``); nested dicts, lists and tuples are walked; other objects are
    replaced by their redacted ``repr()``, which is what the JSON renderer would print.

    Args:
        redactor: The engine.
        skip_keys: Top-level keys left untouched (timestamps, levels, trace ids).
        raw_stream: If given, the unredacted event is also written there, encrypted,
            before redaction (debugging only; off unless explicitly configured).
    """

    def __init__(
        self,
        redactor: Redactor,
        *,
        skip_keys: Iterable[str] = DEFAULT_SKIP_KEYS,
        raw_stream: RawStream | None = None,
    ) -> None:
        self._redactor = redactor
        self._skip = frozenset(skip_keys)
        self._raw = raw_stream

    def __call__(self, logger: object, method_name: str, event_dict: Any) -> Any:
        """Return ``event_dict`` with its values redacted (the dict is modified in place)."""
        if self._raw is not None:
            self._raw.write_event(event_dict)
        skip = self._skip
        for key, value in event_dict.items():
            if key in skip:
                continue
            event_dict[key] = self._value(str(key), value, 0)
        return event_dict

    def _value(self, key: str, value: object, depth: int) -> object:
        if isinstance(value, str):
            return self._redactor.redact_field(key, value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if depth >= _MAX_DEPTH:
            return ERROR_MARKER  # too deep to walk safely: fail closed
        if isinstance(value, Mapping):
            return {k: self._value(str(k), v, depth + 1) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._value(key, v, depth + 1) for v in value]
        try:
            text = repr(value)
        except Exception:
            return ERROR_MARKER
        return self._redactor.redact_field(key, text)
